//! Integrations and their credentials: Add integration (any of the three PSAs), Edit
//! Credentials and Test connection. Secrets are sealed, bound to their site, and never shown.

use super::credentials::merge_credentials;
use super::{internal, AppServices};
use crate::psa::connector::PsaConnector;
use crate::psa::connectwise::client::RetryPolicy;
use crate::psa::credentials::PsaCredentials;
use crate::repo::{Activity, NewIntegration};
use app::error::AppError;
use app::model::{
    CredentialsInput, CredentialsView, CurrentUser, IntegrationId, NewIntegrationInput,
};

/// One try, a short wait: Test connection answers while the admin watches.
fn once() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        timeout: std::time::Duration::from_secs(20),
        ..RetryPolicy::default()
    }
}

impl AppServices {
    /// The integration's saved credentials, opened as its PSA's.
    pub(super) async fn saved_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Option<PsaCredentials>, AppError> {
        let kind = self.own_integration(user, integration).await?.kind;
        let sealed = self
            .repo
            .integration_credentials(user.account_id, integration)
            .await
            .map_err(internal("loading credentials"))?;
        sealed
            .map(|s| PsaCredentials::open(kind, &self.secrets, &s))
            .transpose()
            .map_err(internal("opening credentials"))
    }

    /// The PSA's connector, once the PSA has accepted the credentials; its own answer when it
    /// does not.
    async fn connect(
        &self,
        credentials: &PsaCredentials,
    ) -> Result<Box<dyn PsaConnector>, AppError> {
        let connector = credentials
            .connector(once())
            .map_err(|e| AppError::internal_from("building a PSA client", &e))?;
        connector
            .test_connection()
            .await
            .map_err(|e| AppError::invalid_input(e.to_string()))?;
        Ok(connector)
    }

    pub(super) async fn credentials_of(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<CredentialsView, AppError> {
        Self::may_manage(user, "see the integration's credentials")?;
        Self::unrestricted(user, "see the integration's credentials")?;
        let summary = self.own_integration(user, integration).await?;
        Ok(match self.saved_credentials(user, integration).await? {
            Some(c) => c.view(),
            None => CredentialsView {
                kind: summary.kind,
                site_url: summary.site_url,
                ..Default::default()
            },
        })
    }

    pub(super) async fn test_credentials_of(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<(), AppError> {
        Self::may_manage(user, "test the integration's credentials")?;
        Self::unrestricted(user, "test the integration's credentials")?;
        let kind = self.own_integration(user, integration).await?.kind;
        let saved = self.saved_credentials(user, integration).await?;
        let credentials = merge_credentials(kind, input, saved).await?;
        self.connect(&credentials).await.map(|_| ())
    }

    pub(super) async fn save_credentials_of(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<CredentialsView, AppError> {
        Self::may_manage(user, "change the integration's credentials")?;
        Self::unrestricted(user, "change the integration's credentials")?;
        let kind = self.own_integration(user, integration).await?.kind;
        let saved = self.saved_credentials(user, integration).await?;
        let credentials = merge_credentials(kind, input, saved).await?;
        let sealed = credentials
            .seal(&self.secrets)
            .map_err(internal("sealing credentials"))?;
        self.repo
            .set_integration_credentials(user.account_id, integration, &sealed)
            .await
            .map_err(internal("saving credentials"))?;
        self.repo
            .set_integration_site(user.account_id, integration, credentials.site_url())
            .await
            .map_err(internal("saving the site"))?;
        Ok(credentials.view())
    }

    /// The new integration's name: the one typed (trimmed, at most 100 characters, no control
    /// characters, not one the account's integrations already have), else the PSA's.
    async fn new_name(
        &self,
        user: &CurrentUser,
        input: &NewIntegrationInput,
    ) -> Result<String, AppError> {
        let name = match input.name.trim() {
            "" => input.kind.label().to_string(),
            n => n.to_string(),
        };
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::invalid_input(
                "Enter a name of at most 100 characters, on one line",
            ));
        }
        let taken = self
            .repo
            .integrations(user.account_id)
            .await
            .map_err(internal("listing integrations"))?
            .into_iter()
            .any(|i| i.name.eq_ignore_ascii_case(&name));
        if taken {
            return Err(AppError::conflict(format!(
                "An integration named {name} exists already: give this one another name"
            )));
        }
        Ok(name)
    }

    pub(super) async fn test_new(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<(), AppError> {
        Self::may_manage(user, "add an integration")?;
        Self::unrestricted(user, "add an integration")?;
        let credentials = merge_credentials(input.kind, input.credentials, None).await?;
        self.connect(&credentials).await.map(|_| ())
    }

    /// Add integration: the PSA must accept the credentials (its message otherwise); they are
    /// sealed with the new integration in one insert; the PSA's types and statuses are read,
    /// all unchecked, so the admin chooses what syncs before the first sync.
    pub(super) async fn add(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<IntegrationId, AppError> {
        Self::may_manage(user, "add an integration")?;
        Self::unrestricted(user, "add an integration")?;
        let name = self.new_name(user, &input).await?;
        let kind = input.kind;
        let credentials = merge_credentials(kind, input.credentials, None).await?;
        let connector = self.connect(&credentials).await?;
        let catalog = connector
            .catalog()
            .await
            .map_err(|e| AppError::invalid_input(e.to_string()))?;
        let sealed = credentials
            .seal(&self.secrets)
            .map_err(internal("sealing credentials"))?;
        let id = self
            .repo
            .create_integration_with_credentials(
                NewIntegration {
                    account: user.account_id,
                    kind,
                    name: &name,
                    site_url: credentials.site_url(),
                },
                &sealed,
            )
            .await
            .map_err(internal("adding an integration"))?;
        self.repo
            .merge_catalog(user.account_id, id, &catalog)
            .await
            .map_err(internal("saving the PSA's catalog"))?;
        self.repo
            .log_activity(Activity {
                account: user.account_id,
                user: Some(user.user_id),
                actor: &user.email,
                action: "integration.added",
                subject: &name,
                details: serde_json::json!({ "psa": kind.label(), "site": credentials.site_url() }),
                outcome: "succeeded",
            })
            .await
            .map_err(internal("logging an activity"))?;
        Ok(id)
    }
}
