//! The implementation of `app::services::Services`: authorization and the calls into the
//! repository, with internal faults logged and turned into the generic wire error.

use crate::auth;
use crate::repo::{Disconnected, Queued, Repo, Which};
use crate::secrets::SecretBox;
use crate::sync::{SyncEngine, SyncError};
use app::error::AppError;
use app::model::{ActivityEntry, Feature, RemovalImpact, RemovalJob, RemovalTarget};
use app::model::{
    CatalogCategory, CatalogValueId, CredentialsInput, CredentialsView, CurrentUser,
    DisconnectedItem, IntegrationId, IntegrationState, IntegrationSummary, ItemKind, ItemPage,
    ManageData, NewIntegrationInput, PreviewPage, PreviewQuery, SyncEvent, SyncMode, SyncRun,
    SyncSettings, SyncSettingsChange, SyncSettingsEffect, SyncStarted, SyncTrigger,
};
use app::services::{Services, SignedIn, SESSION_TTL_SECONDS};
use chrono::{Duration, Utc};
use std::sync::Arc;

mod credentials;
mod integrations;
mod removals;
pub mod throttle;

use removals::activity_details;

#[derive(Clone)]
pub struct AppServices {
    pub repo: Repo,
    pub sync: SyncEngine,
    pub secrets: Arc<SecretBox>,
    /// How long a deletion archive stays downloadable after its removal ended.
    pub archive_retention: Duration,
    /// Failed sign-ins per email and client address, and the bound on password hashes.
    pub throttle: Arc<throttle::SignInThrottle>,
    /// Steward is served over https (a configured public URL says so): cookies are `Secure`.
    pub secure_cookies: bool,
    /// Removal event streams open per user on this node.
    pub removal_streams: Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
}

/// Removal event streams one user may hold open at once on a node (a tab or two each).
pub const STREAMS_PER_USER: usize = 8;

/// One open removal event stream, counted against its user until dropped.
pub struct StreamSlot {
    counts: Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
    user: i64,
}

impl AppServices {
    /// A slot for a new removal event stream, or 429 when the user has too many open.
    pub fn open_stream(&self, user: &CurrentUser) -> Result<StreamSlot, AppError> {
        let mut counts = self.removal_streams.lock().expect("stream counts");
        let n = counts.entry(user.user_id.0).or_default();
        if *n >= STREAMS_PER_USER {
            return Err(AppError::too_many_requests(
                format!("You have {STREAMS_PER_USER} live removal views open: close some Steward tabs, then reload"),
                10,
            ));
        }
        *n += 1;
        Ok(StreamSlot {
            counts: self.removal_streams.clone(),
            user: user.user_id.0,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().expect("stream counts");
        if let Some(n) = counts.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

/// A sync engine refusal as the wire error (internal causes logged under `context`).
fn sync_error(context: &'static str) -> impl FnOnce(SyncError) -> AppError {
    move |e| match e {
        SyncError::NotFound => AppError::not_found("That integration"),
        SyncError::Paused => AppError::conflict(e.to_string()),
        SyncError::NoCredentials => AppError::invalid_input(e.to_string()),
        SyncError::Internal(e) => AppError::internal_from(context, e.as_ref()),
    }
}

/// Events per page of a run's log.
const EVENTS_PER_PAGE: i64 = 100;

/// The bounds of the sync interval, in minutes.
const SCHEDULE_MINUTES: std::ops::RangeInclusive<i64> = 5..=10_080;

impl AppServices {
    /// The integration, if it is the user's account's.
    async fn own_integration(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<IntegrationSummary, AppError> {
        self.repo
            .integration(user.account_id, integration)
            .await
            .found("loading an integration", "That integration")
    }

    /// What reaches every organization of the account (a Synced Items row's Pause and
    /// Disconnect, the integration's settings, credentials and Disconnect) is refused to a user
    /// restricted to some organizations: it cannot be filtered to theirs.
    fn unrestricted(user: &CurrentUser, what: &str) -> Result<(), AppError> {
        if user.restricted {
            Err(AppError::new(
                app::error::ErrorCode::Forbidden,
                format!("You are restricted to some organizations, and to {what} reaches every organization of the account: ask an Administrator without restrictions"),
            ))
        } else {
            Ok(())
        }
    }

    /// Integration settings and sync actions: Manager and Administrator.
    fn may_manage(user: &CurrentUser, what: &str) -> Result<(), AppError> {
        if user.role.can_manage_integrations() {
            Ok(())
        } else {
            Err(AppError::forbidden(what))
        }
    }
}

/// A repository lookup's answer: a fault is logged and answered with the generic error, an
/// absence with "not found".
trait Lookup<T> {
    fn found(self, context: &'static str, what: &str) -> Result<T, AppError>;
}

impl<T> Lookup<T> for anyhow::Result<Option<T>> {
    fn found(self, context: &'static str, what: &str) -> Result<T, AppError> {
        self.map_err(internal(context))?
            .ok_or_else(|| AppError::not_found(what))
    }
}

/// Logs an internal fault with its context and returns the generic error.
fn internal(context: &'static str) -> impl FnOnce(anyhow::Error) -> AppError {
    move |e| AppError::internal_from(context, e.as_ref())
}

#[async_trait::async_trait]
impl Services for AppServices {
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
            .found("loading an integration", "That integration")?;
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
        show_inactive_orphans: bool,
    ) -> Result<ItemPage, AppError> {
        if search.len() > 200 {
            return Err(AppError::invalid_input(
                "The search is too long: use at most 200 characters",
            ));
        }
        let search = app::model::ItemSearch::parse(search).map_err(AppError::invalid_input)?;
        self.repo
            .items(user, kind, &search, page, show_inactive_orphans)
            .await
            .map_err(internal("listing items"))
    }

    async fn start_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncStarted, AppError> {
        Self::may_manage(user, "start a sync")?;
        self.own_integration(user, integration).await?;
        self.sync
            .start(
                user.account_id,
                integration,
                SyncMode::Full,
                SyncTrigger::Manual,
            )
            .await
            .map_err(sync_error("starting a sync"))
    }

    async fn set_sync_paused(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        paused: bool,
    ) -> Result<IntegrationSummary, AppError> {
        Self::may_manage(user, "pause or resume sync")?;
        self.own_integration(user, integration).await?;
        let state = if paused {
            IntegrationState::Paused
        } else {
            IntegrationState::Active
        };
        self.repo
            .set_integration_state(user.account_id, integration, state)
            .await
            .map_err(internal("pausing or resuming sync"))?;
        self.own_integration(user, integration).await
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
        run: i64,
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
        run: i64,
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

    async fn preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        query: PreviewQuery,
    ) -> Result<PreviewPage, AppError> {
        self.own_integration(user, integration).await?;
        self.repo
            .preview(user, integration, &query)
            .await
            .found("reading a preview page", "That Manage Data row")
    }

    async fn edit_item(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
        type_value: CatalogValueId,
        status_value: CatalogValueId,
    ) -> Result<(), AppError> {
        if !user.role.can_edit_items() {
            return Err(AppError::forbidden("change an item's type or status"));
        }
        let (type_cat, status_cat) = match kind {
            ItemKind::Organization => (
                CatalogCategory::OrganizationType,
                CatalogCategory::OrganizationStatus,
            ),
            ItemKind::Configuration => (
                CatalogCategory::ConfigurationType,
                CatalogCategory::ConfigurationStatus,
            ),
            _ => {
                return Err(AppError::invalid_input(
                    "Only organizations and configurations have a type and a status to edit",
                ))
            }
        };
        let item = self
            .repo
            .item_link(user, integration, kind, id)
            .await
            .found("loading an item", "That item")?;
        let psa_value = |category, value: CatalogValueId| async move {
            self.repo
                .catalog_psa_id(user.account_id, integration, category, value.0)
                .await
                .map_err(internal("loading a catalog value"))?
                .ok_or_else(|| AppError::invalid_input("That type or status is not one of this PSA's: reload the page and try again"))
        };
        let type_psa = psa_value(type_cat, type_value).await?;
        let status_psa = psa_value(status_cat, status_value).await?;
        let connector = self
            .sync
            .connector(user.account_id, integration)
            .await
            .map_err(sync_error("building a PSA connector"))?;
        // The PSA first: if it refuses, nothing changes here and its own words are shown.
        connector
            .set_classification(kind, item.psa_id, type_psa, status_psa)
            .await
            .map_err(|e| {
                AppError::conflict(format!(
                    "The PSA refused the change, so nothing changed: {e}"
                ))
            })?;
        self.repo
            .set_item_classification(user.account_id, kind, id, type_value.0, status_value.0)
            .await
            .map_err(internal("saving an item's type and status"))
    }

    async fn disable_item_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
    ) -> Result<(), AppError> {
        if !user.role.can_edit_items() {
            return Err(AppError::forbidden("turn an item's sync off"));
        }
        let item = self
            .repo
            .item_link(user, integration, kind, id)
            .await
            .found("loading an item", "That item")?;
        if item.sync_state == "disabled" {
            return Ok(());
        }
        self.repo
            .disable_item_sync(user.account_id, integration, kind, id, &item, user.user_id)
            .await
            .map_err(internal("turning an item's sync off"))
    }

    async fn disconnected_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
    ) -> Result<(i64, Vec<DisconnectedItem>), AppError> {
        self.own_integration(user, integration).await?;
        self.repo
            .disconnected_items(user, integration, kind)
            .await
            .map_err(internal("listing disconnected items"))
    }

    async fn reconnect(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        tombstone: i64,
    ) -> Result<String, AppError> {
        Self::may_manage(user, "reconnect items")?;
        let t = self
            .repo
            .tombstone(user, integration, tombstone)
            .await
            .found("loading a disconnected item", "That disconnected item")?;
        let connector = self
            .sync
            .connector(user.account_id, integration)
            .await
            .map_err(sync_error("building a PSA connector"))?;
        let exists = connector
            .exists(t.kind, t.psa_id, t.company_psa_id)
            .await
            .map_err(|e| {
                AppError::conflict(format!(
                    "The PSA could not be asked, so nothing changed: {e}"
                ))
            })?;
        if !exists {
            return Err(AppError::conflict(format!(
                "{} no longer exists in the PSA, so it cannot be reconnected",
                t.name
            )));
        }
        self.repo
            .reconnect(user.account_id, integration, tombstone, &t)
            .await
            .map_err(internal("reconnecting an item"))?;
        let next = match self
            .sync
            .start(
                user.account_id,
                integration,
                SyncMode::Full,
                SyncTrigger::Manual,
            )
            .await
        {
            Ok(_) => "the sync that just started",
            Err(_) => "the next full sync",
        };
        Ok(if t.item_id.is_some() {
            format!("Reconnected {}: it syncs again, from {next} on.", t.name)
        } else {
            format!(
                "Reconnected {}: {next} recreates it from the PSA (data that existed only in Steward does not come back).",
                t.name
            )
        })
    }

    async fn removal_impact(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
    ) -> Result<RemovalImpact, AppError> {
        let args = self.removal_args(user, integration, target).await?;
        self.repo
            .removal_impact(user, &args)
            .await
            .map_err(internal("computing a removal's impact"))
    }

    async fn start_removal(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
        typed: String,
    ) -> Result<RemovalJob, AppError> {
        let args = self.removal_args(user, integration, target).await?;
        let typed: i64 = typed.trim().replace(',', "").parse().map_err(|_| {
            AppError::invalid_input("Type the number of items, in digits, to confirm")
        })?;
        let impact = self
            .repo
            .removal_impact(user, &args)
            .await
            .map_err(internal("computing a removal's impact"))?;
        if impact.items == 0 {
            return Err(AppError::invalid_input("There is nothing to delete"));
        }
        if typed != impact.items {
            return Err(AppError::invalid_input(format!(
                "That is not the number of items: type {} to confirm",
                impact.items
            )));
        }
        match self
            .repo
            .queue_removal(user, &args, typed)
            .await
            .map_err(internal("queueing a removal"))?
        {
            Queued::Job(job) => self.removal(user, job).await,
            Queued::CountChanged(n) => Err(AppError::conflict(format!(
                "The items to delete changed while you confirmed: there are now {n}. Review the impact and confirm again"
            ))),
            Queued::AlreadyQueued => Err(AppError::conflict(
                "A removal of these items is already queued or running: watch it on the Removals page",
            )),
        }
    }

    async fn account_features(&self, user: &CurrentUser) -> Result<Vec<Feature>, AppError> {
        self.repo
            .features(user.account_id)
            .await
            .map_err(internal("reading the account's features"))
    }

    async fn pause_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<String, AppError> {
        Self::may_manage(user, "pause syncing")?;
        Self::unrestricted(user, "pause syncing")?;
        let v = self.row_value(user, integration, value).await?;
        self.repo
            .pause_row(
                user.account_id,
                integration,
                &v,
                Some(user.user_id),
                &user.email,
            )
            .await
            .map_err(internal("pausing a type or status"))?;
        Ok(format!(
            "{} {}: {} no longer syncs (Sync Active: No). Its items become orphans after the next full sync; check it again in Configuration to resume.",
            v.category.kind().plural(),
            v.category.dimension(),
            v.name
        ))
    }

    async fn row_disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError> {
        Self::may_manage(user, "disconnect items")?;
        Self::unrestricted(user, "disconnect items")?;
        let v = self.row_value(user, integration, value).await?;
        self.repo
            .row_disconnect_counts(user.account_id, integration, &v)
            .await
            .map_err(internal("counting a row's items"))
    }

    async fn disconnect_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError> {
        Self::may_manage(user, "disconnect items")?;
        Self::unrestricted(user, "disconnect items")?;
        let v = self.row_value(user, integration, value).await?;
        self.repo
            .disconnect_row(
                user.account_id,
                integration,
                &v,
                Some(user.user_id),
                &user.email,
            )
            .await
            .map_err(internal("disconnecting a type or status"))?
            .ok_or_else(|| {
                AppError::conflict(
                    "A sync is running: wait for it to end (see Logs), then disconnect",
                )
            })
    }

    async fn removal_archive(&self, user: &CurrentUser, job: i64) -> Result<RemovalJob, AppError> {
        if user.role != app::model::Role::Administrator {
            return Err(AppError::forbidden("download a deletion archive"));
        }
        let removal = self.removal(user, job).await?;
        if !removal.archive_available {
            return Err(AppError::new(
                app::error::ErrorCode::NotFound,
                format!(
                    "The deletion archive of removal {job} has expired: archives are kept {} days after a removal ends",
                    self.archive_retention.num_days()
                ),
            ));
        }
        Ok(removal)
    }

    async fn removal(&self, user: &CurrentUser, job: i64) -> Result<RemovalJob, AppError> {
        self.removal_views(user, Which::One(job))
            .await?
            .pop()
            .ok_or_else(|| AppError::not_found("That removal"))
    }

    async fn cancel_removal(&self, user: &CurrentUser, job: i64) -> Result<RemovalJob, AppError> {
        Self::may_manage(user, "cancel a removal")?;
        self.removal(user, job).await?;
        self.repo
            .cancel_job(user.account_id, job)
            .await
            .map_err(internal("cancelling a removal"))?;
        self.removal(user, job).await
    }

    async fn removals(&self, user: &CurrentUser) -> Result<Vec<RemovalJob>, AppError> {
        Self::may_manage(user, "see the removals")?;
        self.removal_views(user, Which::Newest(100)).await
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
        self.own_integration(user, integration).await?;
        let applied = self
            .repo
            .change_sync_settings(user.account_id, integration, &change)
            .await
            .map_err(internal("changing sync settings"))?;
        if !applied {
            return Err(AppError::invalid_input(
                "A type or status in the change is not one of this integration's: reload the settings and try again",
            ));
        }
        self.sync_settings(user, integration).await
    }
}
