//! Signing in and out, sessions, the account's features and activity log.

use super::{internal, removals::activity_details, AppServices};
use crate::auth;
use app::error::AppError;
use app::model::CurrentUser;
use app::model::{ActivityEntry, Feature};
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
        // Counted as a failure until the password proves right.
        self.throttle.attempt(email, client)?;
        let row = self
            .repo
            .login_row(email)
            .await
            .map_err(internal("loading a user to sign in"))?;
        let password = password.to_string();
        // At most a few Argon2 hashes at once, whatever the number of sign-ins.
        let turn = self.throttle.hash_turn().await?;
        let (row, ok) = tokio::task::spawn_blocking(move || {
            let hash = row
                .as_ref()
                .map(|r| r.password_hash.as_str())
                .unwrap_or(auth::decoy_hash());
            let ok = auth::verify_password(&password, hash);
            (row, ok)
        })
        .await
        .map_err(|e| AppError::internal_from("checking a password", &e))?;
        drop(turn);
        let Some(row) = row.filter(|_| ok) else {
            return Err(AppError::invalid_credentials());
        };
        self.throttle.succeeded(email, client);
        let token = auth::new_token();
        let expires = Utc::now() + Duration::seconds(SESSION_TTL_SECONDS);
        self.repo
            .create_session(&auth::token_hash(&token), &row.user, expires)
            .await
            .map_err(internal("creating a session"))?;
        Ok(SignedIn {
            token,
            user: row.user,
            secure_cookie: self.secure_cookies,
        })
    }
    async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        self.repo
            .delete_session(&auth::token_hash(token))
            .await
            .map_err(internal("deleting a session"))
    }
    async fn user_for_session(&self, token: &str) -> Result<Option<CurrentUser>, AppError> {
        let hash = auth::token_hash(token);
        let now = Utc::now();
        let user = self
            .repo
            .session_user(&hash, now)
            .await
            .map_err(internal("resolving a session"))?;
        if user.is_some() {
            // Sessions end after 12 hours idle: each use moves the end (at most once a minute).
            // Off the request's path: on SQLite the write may wait for a removal's chunk.
            let repo = self.repo.clone();
            tokio::spawn(async move {
                if let Err(e) = repo
                    .touch_session(
                        &hash,
                        now + Duration::seconds(SESSION_TTL_SECONDS),
                        Duration::seconds(60),
                    )
                    .await
                {
                    tracing::warn!(error = ?e, "could not extend a session");
                }
            });
        }
        Ok(user)
    }
    async fn account_features(&self, user: &CurrentUser) -> Result<Vec<Feature>, AppError> {
        self.repo
            .features(user.account_id)
            .await
            .map_err(internal("reading the account's features"))
    }
    async fn activity(&self, user: &CurrentUser) -> Result<Vec<ActivityEntry>, AppError> {
        Self::may_manage(user, "see the activity log")?;
        let rows = self
            .repo
            .activity_log(
                user.account_id,
                user.restricted.then_some(user.user_id),
                200,
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
