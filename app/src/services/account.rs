//! Signing in and out, sessions, the account's features and activity log.

use super::*;

#[async_trait::async_trait]
pub trait AccountServices: Send + Sync + 'static {
    /// Signs in; throttled per email and per client address (`client`).
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<SignedIn, AppError>;
    async fn sign_out(&self, token: &str) -> Result<(), AppError>;
    async fn user_for_session(&self, token: &str) -> Result<Option<CurrentUser>, AppError>;
    /// Sign-in with a one-time password: the new password replaces it, then the session opens.
    async fn sign_in_with_new_password(
        &self,
        email: &str,
        one_time_password: &str,
        new_password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<SignedIn, AppError>;
    /// Changes one's own password (the current one required; at least 12 characters, not the
    /// email). Every session of the user ends but the caller must sign in again.
    async fn change_password(
        &self,
        user: &CurrentUser,
        current: &str,
        new_password: &str,
    ) -> Result<(), AppError>;
    /// Account > Users (Administrators).
    async fn users(&self, user: &CurrentUser) -> Result<Vec<UserSummary>, AppError>;
    /// Add user: a one-time password, shown once.
    async fn add_user(
        &self,
        user: &CurrentUser,
        input: NewUserInput,
    ) -> Result<OneTimePassword, AppError>;
    async fn set_user_role(
        &self,
        user: &CurrentUser,
        target: UserId,
        role: Role,
    ) -> Result<UserSummary, AppError>;
    /// Edit restrictions: the organizations the user may see (empty: every organization).
    async fn set_user_restrictions(
        &self,
        user: &CurrentUser,
        target: UserId,
        organizations: Vec<OrganizationId>,
    ) -> Result<UserSummary, AppError>;
    /// The restrictions picker: up to 20 of the account's organizations whose name contains
    /// `search`, by name.
    async fn organization_choices(
        &self,
        user: &CurrentUser,
        search: String,
    ) -> Result<Vec<OrganizationChoice>, AppError>;
    /// Deactivate (their sessions end at once) or Reactivate.
    async fn set_user_active(
        &self,
        user: &CurrentUser,
        target: UserId,
        active: bool,
    ) -> Result<UserSummary, AppError>;
    /// Reset password: a new one-time password, shown once; the user's sessions end.
    async fn reset_user_password(
        &self,
        user: &CurrentUser,
        target: UserId,
    ) -> Result<OneTimePassword, AppError>;
    /// The features switched on for the user's account.
    async fn account_features(&self, user: &CurrentUser) -> Result<Vec<Feature>, AppError>;
    /// The account's activity log, newest first, `ACTIVITY_PAGE` entries at most: the newest,
    /// or with `before` those older than that entry; Managers and Administrators.
    async fn activity(
        &self,
        user: &CurrentUser,
        before: Option<i64>,
    ) -> Result<Vec<ActivityEntry>, AppError>;
}
