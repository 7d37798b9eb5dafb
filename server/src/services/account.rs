//! Signing in and out, sessions, the account's features and activity log.

use super::{internal, removals::activity_details, AppServices};
use crate::auth;
use app::error::AppError;
use app::model::CurrentUser;
use app::model::{
    ActivityEntry, Feature, NewUserInput, OneTimePassword, OrganizationChoice, OrganizationId,
    Role, UserId, UserSummary,
};
use app::services::{SignedIn, SESSION_TTL_SECONDS};
use chrono::{Duration, Utc};

#[async_trait::async_trait]
impl app::services::AccountServices for AppServices {
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<SignedIn, AppError> {
        if email.is_empty() || password.is_empty() {
            return Err(AppError::invalid_input(
                "Enter your email and your password",
            ));
        }
        if email.len() > 320 || password.len() > 1024 {
            return Err(AppError::invalid_credentials());
        }
        let row = self.check_password(email, password, client).await?;
        self.refuse_inactive_or_one_time(&row)?;
        self.open_session(row.user).await
    }
    async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        let user = self.user_for_session(token).await.ok().flatten();
        self.repo
            .delete_session(&auth::token_hash(token))
            .await
            .map_err(internal("deleting a session"))?;
        // The session's live job streams wake, find it gone and end.
        if let Some(user) = user {
            crate::feed::changed(&self.repo.db, user.account_id).await;
        }
        Ok(())
    }
    async fn user_for_session(&self, token: &str) -> Result<Option<CurrentUser>, AppError> {
        let hash = auth::token_hash(token);
        let now = Utc::now();
        let found = self
            .repo
            .session_user_until(&hash, now)
            .await
            .map_err(internal("resolving a session"))?;
        let Some((user, until)) = found else {
            return Ok(None);
        };
        // Sessions end after 12 hours idle: a use moves the end, at most once a minute. The
        // write happens only when the end is due to move: on SQLite even an UPDATE that
        // changes no row waits for the write lock, and while a removal's chunk held it every
        // request's update held a pooled connection, so reads queued behind them (200 clients
        // during an XL removal: p99 of seconds). Off the request's path.
        let end = now + Duration::seconds(SESSION_TTL_SECONDS);
        if session_end_moves(until, end) {
            let repo = self.repo.clone();
            tokio::spawn(async move {
                if let Err(e) = repo
                    .touch_session(&hash, end, Duration::seconds(SESSION_MOVE_SECONDS))
                    .await
                {
                    tracing::warn!(error = ?e, "could not extend a session");
                }
            });
        }
        Ok(Some(user))
    }
    async fn sign_in_with_new_password(
        &self,
        email: &str,
        one_time_password: &str,
        new_password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<SignedIn, AppError> {
        self.sign_in_choosing_password(email, one_time_password, new_password, client)
            .await
    }
    async fn change_password(
        &self,
        user: &CurrentUser,
        current: &str,
        new_password: &str,
    ) -> Result<(), AppError> {
        self.change_own_password(user, current, new_password).await
    }
    async fn users(&self, user: &CurrentUser) -> Result<Vec<UserSummary>, AppError> {
        self.list_users(user).await
    }
    async fn add_user(
        &self,
        user: &CurrentUser,
        input: NewUserInput,
    ) -> Result<OneTimePassword, AppError> {
        self.add_new_user(user, input).await
    }
    async fn set_user_role(
        &self,
        user: &CurrentUser,
        target: UserId,
        role: Role,
    ) -> Result<UserSummary, AppError> {
        self.set_role(user, target, role).await
    }
    async fn set_user_restrictions(
        &self,
        user: &CurrentUser,
        target: UserId,
        organizations: Vec<OrganizationId>,
    ) -> Result<UserSummary, AppError> {
        self.set_restrictions(user, target, &organizations).await
    }
    async fn organization_choices(
        &self,
        user: &CurrentUser,
        search: String,
    ) -> Result<Vec<OrganizationChoice>, AppError> {
        self.choose_organizations(user, &search).await
    }
    async fn set_user_active(
        &self,
        user: &CurrentUser,
        target: UserId,
        active: bool,
    ) -> Result<UserSummary, AppError> {
        self.set_active(user, target, active).await
    }
    async fn reset_user_password(
        &self,
        user: &CurrentUser,
        target: UserId,
    ) -> Result<OneTimePassword, AppError> {
        self.reset_password(user, target).await
    }
    async fn account_features(&self, user: &CurrentUser) -> Result<Vec<Feature>, AppError> {
        self.repo
            .features(user.account_id)
            .await
            .map_err(internal("reading the account's features"))
    }
    async fn activity(
        &self,
        user: &CurrentUser,
        before: Option<i64>,
    ) -> Result<Vec<ActivityEntry>, AppError> {
        Self::may_manage(user, "see the activity log")?;
        let rows = self
            .repo
            .activity_log(
                user.account_id,
                user.restricted.then_some(user.user_id),
                before,
                app::model::ACTIVITY_PAGE,
            )
            .await
            .map_err(internal("reading the activity log"))?;
        Ok(rows
            .into_iter()
            .map(
                |(id, at, actor, action, subject, outcome, details)| ActivityEntry {
                    id,
                    at,
                    actor,
                    action,
                    subject,
                    outcome,
                    details: activity_details(&details),
                },
            )
            .collect())
    }
}

/// A session's end moves when a use would push it later by more than this.
const SESSION_MOVE_SECONDS: i64 = 60;

/// Whether a use at the time that gives `end` moves a session that now ends at `until`.
fn session_end_moves(until: chrono::DateTime<Utc>, end: chrono::DateTime<Utc>) -> bool {
    until < end - Duration::seconds(SESSION_MOVE_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_end_moves_at_most_once_a_minute() {
        let now = Utc::now();
        let end = now + Duration::seconds(SESSION_TTL_SECONDS);
        // Just signed in, or moved less than a minute ago: no write.
        assert!(!session_end_moves(end, end));
        assert!(!session_end_moves(end - Duration::seconds(59), end));
        // Last moved more than a minute ago, or hours ago: it moves.
        assert!(session_end_moves(end - Duration::seconds(61), end));
        assert!(session_end_moves(now + Duration::hours(1), end));
    }
}
