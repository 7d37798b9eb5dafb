//! Integrations: Add integration (any of the three PSAs), Edit Credentials and Test connection
//! (secrets sealed, bound to their site, never shown), sync runs and their events, sync
//! settings and their predicted effect, Pause / Resume Sync, and Disconnect.

use super::credentials::merge_credentials;
use super::{internal, sync_error, AppServices, Lookup, EVENTS_PER_PAGE, SCHEDULE_MINUTES};
use crate::psa::credentials::PsaCredentials;
use crate::psa::PsaConnector;
use crate::psa::{ConnectorError, RetryPolicy};
use crate::repo::{Activity, Disconnected, NewIntegration};
use app::error::AppError;
use app::model::RunId;
use app::model::{
    CredentialsInput, CredentialsView, CurrentUser, IntegrationId, IntegrationState,
    IntegrationSummary, ItemKind, NewIntegrationInput, SyncEvent, SyncMode, SyncRun, SyncSettings,
    SyncSettingsChange, SyncSettingsEffect, SyncStarted, SyncTrigger,
};

/// One try, a short wait: Test connection answers while the admin watches.
fn once(reach: crate::psa::net::Reach) -> RetryPolicy {
    RetryPolicy {
        reach,
        max_attempts: 1,
        timeout: std::time::Duration::from_secs(20),
        limit_patience: std::time::Duration::from_secs(15),
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
            .connector(once(self.sync.retry().reach))
            .map_err(|e| match e {
                // A site Steward does not connect to (`crate::psa::net`): the user's to fix.
                ConnectorError::Transport { .. } => AppError::invalid_input(e.to_string()),
                _ => AppError::internal_from("building a PSA client", &e),
            })?;
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
        let credentials = merge_credentials(kind, input, saved, self.sync.retry().reach).await?;
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
        let credentials = merge_credentials(kind, input, saved, self.sync.retry().reach).await?;
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
        // Never a secret: only where the keys now point.
        let name = self.own_integration(user, integration).await?.name;
        let details =
            serde_json::json!({ "site": credentials.site_url(), "keys": "saved, sealed" });
        self.log_integration(user, "integration.credentials_changed", &name, details)
            .await?;
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
                "An integration named {name} exists already: give this one another \
                    name"
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
        let credentials =
            merge_credentials(input.kind, input.credentials, None, self.sync.retry().reach).await?;
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
        let credentials =
            merge_credentials(kind, input.credentials, None, self.sync.retry().reach).await?;
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

/// What a settings change changed, in words: "Organization type Vendor": "synced → not
/// synced", "sync every": "60 → 30 minutes"...
fn settings_changes(
    before: &app::model::SyncSettings,
    after: &app::model::SyncSettings,
) -> serde_json::Map<String, serde_json::Value> {
    let word = |on: bool| if on { "synced" } else { "not synced" };
    let mut out = serde_json::Map::new();
    for a in &after.values {
        if let Some(b) = before.values.iter().find(|b| b.id == a.id) {
            if b.sync_enabled != a.sync_enabled {
                let what = format!(
                    "{} {} {}",
                    a.category.kind().as_str(),
                    a.category.dimension().to_lowercase(),
                    a.name
                );
                let change = format!("{} → {}", word(b.sync_enabled), word(a.sync_enabled));
                out.insert(what, change.into());
            }
        }
    }
    let mut number = |key: &str, b: i64, a: i64, unit: &str| {
        if a != b {
            out.insert(key.into(), format!("{b} → {a}{unit}").into());
        }
    };
    number(
        "sync every",
        before.schedule_minutes,
        after.schedule_minutes,
        " minutes",
    );
    number(
        "hold above share",
        before.hold_orphans_percent,
        after.hold_orphans_percent,
        " %",
    );
    number(
        "hold above count",
        before.hold_orphans_min,
        after.hold_orphans_min,
        " items",
    );
    if before.sync_contacts != after.sync_contacts {
        let yes = |b: bool| if b { "yes" } else { "no" };
        out.insert(
            "sync contacts".into(),
            format!(
                "{} → {}",
                yes(before.sync_contacts),
                yes(after.sync_contacts)
            )
            .into(),
        );
    }
    out
}

impl AppServices {
    /// One activity entry of a person's change to an integration.
    async fn log_integration(
        &self,
        user: &CurrentUser,
        action: &str,
        subject: &str,
        details: serde_json::Value,
    ) -> Result<(), AppError> {
        self.repo
            .log_activity(Activity {
                account: user.account_id,
                user: Some(user.user_id),
                actor: &user.email,
                action,
                subject,
                details,
                outcome: "succeeded",
            })
            .await
            .map_err(internal("logging an activity"))
    }
}

#[async_trait::async_trait]
impl app::services::IntegrationServices for AppServices {
    async fn integrations(&self, user: &CurrentUser) -> Result<Vec<IntegrationSummary>, AppError> {
        self.repo
            .integrations(user.account_id)
            .await
            .map_err(internal("listing integrations"))
    }
    async fn start_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncStarted, AppError> {
        Self::may_manage(user, "start a sync")?;
        // A sync reaches every organization of the integration.
        Self::unrestricted(user, "start a sync")?;
        let summary = self.own_integration(user, integration).await?;
        let started = self
            .sync
            .start(
                user.account_id,
                integration,
                SyncMode::Full,
                SyncTrigger::Manual,
            )
            .await
            .map_err(sync_error("starting a sync"))?;
        self.log_integration(
            user,
            "sync.started",
            &summary.name,
            serde_json::json!({
                "sync": "full, started by hand",
                "run": started.run_id.0,
            }),
        )
        .await?;
        Ok(started)
    }
    async fn set_sync_paused(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        paused: bool,
    ) -> Result<IntegrationSummary, AppError> {
        Self::may_manage(user, "pause or resume sync")?;
        Self::unrestricted(user, "pause or resume sync")?;
        self.own_integration(user, integration).await?;
        let state = if paused {
            IntegrationState::Paused
        } else {
            IntegrationState::Active
        };
        let before = self.own_integration(user, integration).await?;
        self.repo
            .set_integration_state(user.account_id, integration, state)
            .await
            .map_err(internal("pausing or resuming sync"))?;
        let after = self.own_integration(user, integration).await?;
        if before.state != after.state {
            let action = if paused {
                "integration.sync_paused"
            } else {
                "integration.sync_resumed"
            };
            let change = format!("{} → {}", before.state.label(), after.state.label());
            self.log_integration(
                user,
                action,
                &after.name,
                serde_json::json!({ "state": change }),
            )
            .await?;
        }
        Ok(after)
    }
    async fn sync_runs(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<SyncRun>, AppError> {
        self.own_integration(user, integration).await?;
        self.repo
            .sync_runs(user.account_id, integration, 100)
            .await
            .map_err(internal("listing sync runs"))
    }
    async fn sync_run(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        run: RunId,
    ) -> Result<SyncRun, AppError> {
        self.repo
            .sync_run(user.account_id, integration, run)
            .await
            .found("loading a sync run", "That sync run")
    }
    async fn sync_events(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        run: RunId,
        page: u32,
    ) -> Result<Vec<SyncEvent>, AppError> {
        if page == 0 {
            return Err(AppError::invalid_input("Pages start at 1"));
        }
        self.repo
            .sync_run(user.account_id, integration, run)
            .await
            .found("loading a sync run", "That sync run")?;
        self.repo
            .sync_events(
                user,
                run,
                EVENTS_PER_PAGE,
                (i64::from(page) - 1) * EVENTS_PER_PAGE,
            )
            .await
            .map_err(internal("listing sync events"))
    }
    async fn sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncSettings, AppError> {
        self.repo
            .sync_settings(user.account_id, integration)
            .await
            .found("loading sync settings", "That integration")
    }
    async fn disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError> {
        Self::may_manage(user, "disconnect the integration")?;
        Self::unrestricted(user, "disconnect the integration")?;
        self.own_integration(user, integration).await?;
        self.repo
            .linked_counts(user.account_id, integration)
            .await
            .map_err(internal("counting linked items"))
    }
    async fn disconnect_integration(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError> {
        Self::may_manage(user, "disconnect the integration")?;
        Self::unrestricted(user, "disconnect the integration")?;
        match self
            .repo
            .disconnect_integration(user.account_id, integration, Some(user.user_id))
            .await
            .map_err(internal("disconnecting an integration"))?
        {
            Disconnected::Done(counts) => Ok(counts),
            Disconnected::NotFound => Err(AppError::not_found("That integration")),
            Disconnected::SyncRunning => Err(AppError::conflict(
                "A sync is running: wait for it to end (see Logs), then disconnect",
            )),
        }
    }
    async fn credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<CredentialsView, AppError> {
        self.credentials_of(user, integration).await
    }
    async fn test_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<(), AppError> {
        self.test_credentials_of(user, integration, input).await
    }
    async fn save_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<CredentialsView, AppError> {
        self.save_credentials_of(user, integration, input).await
    }
    async fn test_new_integration(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<(), AppError> {
        self.test_new(user, input).await
    }
    async fn add_integration(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<IntegrationId, AppError> {
        self.add(user, input).await
    }
    async fn preview_sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        change: SyncSettingsChange,
    ) -> Result<SyncSettingsEffect, AppError> {
        // What a change would do is counted over every organization: only those who may make
        // the change may ask.
        Self::may_manage(user, "preview a sync settings change")?;
        Self::unrestricted(user, "preview a sync settings change")?;
        self.own_integration(user, integration).await?;
        self.repo
            .preview_sync_settings(user.account_id, integration, &change)
            .await
            .map_err(internal("previewing sync settings"))
    }
    async fn change_sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        change: SyncSettingsChange,
    ) -> Result<SyncSettings, AppError> {
        Self::may_manage(user, "change the sync settings")?;
        Self::unrestricted(user, "change the sync settings")?;
        if let Some(m) = change.schedule_minutes {
            if !SCHEDULE_MINUTES.contains(&m) {
                return Err(AppError::invalid_input(format!(
                    "The sync interval must be between {} and {} minutes",
                    SCHEDULE_MINUTES.start(),
                    SCHEDULE_MINUTES.end()
                )));
            }
        }
        if change
            .hold_orphans_percent
            .is_some_and(|p| !(0..=100).contains(&p))
        {
            return Err(AppError::invalid_input(
                "The share of missing items a sync holds must be a whole number from 0 \
                    to 100 (%)",
            ));
        }
        if change
            .hold_orphans_min
            .is_some_and(|n| !(0..=1_000_000).contains(&n))
        {
            return Err(AppError::invalid_input(
                "The number of missing items a sync holds above must be a whole number \
                    from 0 to 1,000,000",
            ));
        }
        let summary = self.own_integration(user, integration).await?;
        let before = self.sync_settings(user, integration).await?;
        let applied = self
            .repo
            .change_sync_settings(user.account_id, integration, &change)
            .await
            .map_err(internal("changing sync settings"))?;
        if !applied {
            return Err(AppError::invalid_input(
                "A type or status in the change is not one of this integration's: \
                    reload the settings and try again",
            ));
        }
        let after = self.sync_settings(user, integration).await?;
        let changes = settings_changes(&before, &after);
        if !changes.is_empty() {
            self.log_integration(
                user,
                "integration.settings_changed",
                &summary.name,
                serde_json::Value::Object(changes),
            )
            .await?;
        }
        Ok(after)
    }
}
