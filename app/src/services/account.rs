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
    /// The features switched on for the user's account.
    async fn account_features(&self, user: &CurrentUser) -> Result<Vec<Feature>, AppError>;
    /// The account's activity log, newest first; Managers and Administrators.
    async fn activity(&self, user: &CurrentUser) -> Result<Vec<ActivityEntry>, AppError>;
}
