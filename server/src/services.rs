//! The implementation of `app::services::Services`: authorization and the calls into the
//! repository, with internal faults logged and turned into the generic wire error.

use crate::auth;
use crate::repo::Repo;
use app::error::AppError;
use app::model::{CurrentUser, IntegrationId, IntegrationSummary, ItemKind, ItemPage, ManageData};
use app::services::{Services, SignedIn, SESSION_TTL_SECONDS};
use chrono::{Duration, Utc};

#[derive(Clone)]
pub struct AppServices {
    pub repo: Repo,
}

/// Logs an internal fault with its context and returns the generic error.
fn internal(context: &'static str) -> impl FnOnce(anyhow::Error) -> AppError {
    move |e| AppError::internal_from(context, e.as_ref())
}

#[async_trait::async_trait]
impl Services for AppServices {
    async fn sign_in(&self, email: &str, password: &str) -> Result<SignedIn, AppError> {
        if email.is_empty() || password.is_empty() {
            return Err(AppError::invalid_input(
                "Enter your email and your password",
            ));
        }
        let row = self
            .repo
            .login_row(email)
            .await
            .map_err(internal("loading a user to sign in"))?;
        let password = password.to_string();
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
        let Some(row) = row.filter(|_| ok) else {
            return Err(AppError::invalid_credentials());
        };
        let token = auth::new_token();
        let expires = Utc::now() + Duration::seconds(SESSION_TTL_SECONDS);
        self.repo
            .create_session(&auth::token_hash(&token), &row.user, expires)
            .await
            .map_err(internal("creating a session"))?;
        Ok(SignedIn {
            token,
            user: row.user,
        })
    }

    async fn sign_out(&self, token: &str) -> Result<(), AppError> {
        self.repo
            .delete_session(&auth::token_hash(token))
            .await
            .map_err(internal("deleting a session"))
    }

    async fn user_for_session(&self, token: &str) -> Result<Option<CurrentUser>, AppError> {
        self.repo
            .session_user(&auth::token_hash(token), Utc::now())
            .await
            .map_err(internal("resolving a session"))
    }

    async fn integrations(&self, user: &CurrentUser) -> Result<Vec<IntegrationSummary>, AppError> {
        self.repo
            .integrations(user.account_id)
            .await
            .map_err(internal("listing integrations"))
    }

    async fn manage_data(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<ManageData, AppError> {
        let summary = self
            .repo
            .integration(user.account_id, integration)
            .await
            .map_err(internal("loading an integration"))?
            .ok_or_else(|| AppError::not_found("That integration"))?;
        self.repo
            .manage_data(user, summary)
            .await
            .map_err(internal("computing Manage Data"))
    }

    async fn items(
        &self,
        user: &CurrentUser,
        kind: ItemKind,
        search: &str,
        page: u32,
    ) -> Result<ItemPage, AppError> {
        if search.len() > 200 {
            return Err(AppError::invalid_input(
                "The search is too long: use at most 200 characters",
            ));
        }
        self.repo
            .items(user, kind, search, page)
            .await
            .map_err(internal("listing items"))
    }
}
