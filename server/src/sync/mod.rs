//! The sync engine: lists the PSA through a `PsaConnector`, stages what it lists, and applies a
//! complete listing in one transaction by the rules of docs/DOMAIN.md (`crate::rules::decide`). A failed listing
//! drops its staging and changes nothing. One run per integration at a time, across app nodes
//! (a unique index on running runs); `scheduler` starts runs on each integration's interval.

mod scheduler;

pub use scheduler::Scheduler;

use crate::psa::{ConnectorError, RetryPolicy};
use crate::psa::{Pages, PsaConnector};
use crate::repo::sync_apply::ApplyRun;
use crate::repo::{Repo, RunStart};
use crate::secrets::SecretBox;
use app::model::RunId;
use app::model::{
    AccountId, IntegrationId, IntegrationState, ItemKind, SyncCounts, SyncMode, SyncOutcome,
    SyncStarted, SyncTrigger,
};
use chrono::Utc;
use futures_util::{stream, StreamExt, TryStreamExt};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("This integration does not exist in your account.")]
    NotFound,
    #[error("Sync is paused for this integration: resume it to start a sync.")]
    Paused,
    #[error("This integration has no credentials yet: add them under Edit Credentials.")]
    NoCredentials,
    #[error("This scheduled sync was started already by another node.")]
    AlreadyRan,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub run_id: RunId,
    /// Running when another run was already going (this request joined it).
    pub outcome: SyncOutcome,
    pub counts: SyncCounts,
    /// For a failed run: what went wrong, naming the PSA's endpoint and message.
    pub error: Option<String>,
}

/// Incremental runs re-read this much before the last successful run's start, so a clock
/// difference between the PSA and Steward loses nothing (re-reading is harmless).
const INCREMENTAL_OVERLAP: chrono::Duration = chrono::Duration::seconds(60);

#[derive(Clone)]
pub struct SyncEngine {
    repo: Repo,
    secrets: Arc<SecretBox>,
    retry: RetryPolicy,
    /// A running run whose heartbeat is older than this was cut off.
    pub stale_after: Duration,
    /// Site listings (one call per company) made at once.
    pub site_concurrency: usize,
    /// The longest a run's listing may take: past it the run fails and nothing changes. A PSA
    /// that answers each page just inside its time-out cannot hold a run for ever. 12 hours is
    /// four times what a million HaloPSA records take under Halo's limit.
    pub max_listing: Duration,
}

/// Why a listing stopped: the PSA, or Steward's own database.
enum ListError {
    Psa(ConnectorError),
    Internal(anyhow::Error),
    /// The listing took longer than `max_listing`.
    TooLong,
}

impl From<ConnectorError> for ListError {
    fn from(e: ConnectorError) -> Self {
        ListError::Psa(e)
    }
}

impl From<anyhow::Error> for ListError {
    fn from(e: anyhow::Error) -> Self {
        ListError::Internal(e)
    }
}

/// The message a failed run records when Steward itself failed (the cause goes to the log).
const INTERNAL_FAILURE: &str =
    "Steward could not save this run (an internal error, logged on the server); \
        nothing was changed. Try again; if it keeps failing, contact support.";

impl SyncEngine {
    pub fn new(repo: Repo, secrets: Arc<SecretBox>) -> SyncEngine {
        SyncEngine {
            repo,
            secrets,
            retry: RetryPolicy::default(),
            stale_after: Duration::from_secs(15 * 60),
            site_concurrency: 4,
            max_listing: Duration::from_secs(12 * 60 * 60),
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> SyncEngine {
        self.retry = retry;
        self
    }

    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    /// How the engine's connectors try, and where they may connect.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The connector of an integration, from its sealed credentials.
    pub async fn connector(
        &self,
        account: AccountId,
        integration: IntegrationId,
    ) -> Result<Box<dyn PsaConnector>, SyncError> {
        let sealed = self
            .repo
            .integration_credentials(account, integration)
            .await?
            .ok_or(SyncError::NoCredentials)?;
        let kind = self
            .repo
            .integration(account, integration)
            .await?
            .ok_or(SyncError::NotFound)?
            .kind;
        crate::psa::credentials::PsaCredentials::open(kind, &self.secrets, &sealed)?
            .connector(self.retry.clone())
            .map_err(|e| SyncError::Internal(anyhow::anyhow!(e)))
    }

    /// Start Manual Sync: starts a run in the background and answers at once. A second request
    /// while one runs does not start another; it answers with the running one.
    pub async fn start(
        &self,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        trigger: SyncTrigger,
    ) -> Result<SyncStarted, SyncError> {
        let connector = self.connector(account, integration).await?;
        let (run_id, mode, first_sync, since, contacts) = match self
            .begin(account, integration, mode, trigger, None)
            .await?
        {
            Begun::Running(run_id) => {
                return Ok(SyncStarted {
                    run_id,
                    started: false,
                })
            }
            Begun::Started {
                run_id,
                mode,
                first_sync,
                since,
                contacts,
            } => (run_id, mode, first_sync, since, contacts),
        };
        let engine = self.clone();
        tokio::spawn(async move {
            engine
                .execute(
                    &*connector,
                    account,
                    integration,
                    run_id,
                    mode,
                    first_sync,
                    since,
                    contacts,
                )
                .await
        });
        Ok(SyncStarted {
            run_id,
            started: true,
        })
    }

    /// Runs a sync to its end with the integration's own connector.
    pub async fn run(
        &self,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        trigger: SyncTrigger,
    ) -> Result<RunReport, SyncError> {
        let connector = self.connector(account, integration).await?;
        self.run_with(&*connector, account, integration, mode, trigger)
            .await
    }

    /// A scheduled run to its end, unless a run started after `last_started_at` (what the
    /// scheduler saw when it found the integration due): then `SyncError::AlreadyRan`.
    pub async fn run_scheduled(
        &self,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        last_started_at: chrono::DateTime<Utc>,
    ) -> Result<RunReport, SyncError> {
        let connector = self.connector(account, integration).await?;
        let begun = self
            .begin(
                account,
                integration,
                mode,
                SyncTrigger::Schedule,
                Some(last_started_at),
            )
            .await?;
        self.finish_begun(&*connector, account, integration, begun)
            .await
    }

    /// Runs a sync to its end through `connector`.
    pub async fn run_with(
        &self,
        connector: &dyn PsaConnector,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        trigger: SyncTrigger,
    ) -> Result<RunReport, SyncError> {
        let begun = self
            .begin(account, integration, mode, trigger, None)
            .await?;
        self.finish_begun(connector, account, integration, begun)
            .await
    }

    async fn finish_begun(
        &self,
        connector: &dyn PsaConnector,
        account: AccountId,
        integration: IntegrationId,
        begun: Begun,
    ) -> Result<RunReport, SyncError> {
        match begun {
            Begun::Running(run_id) => Ok(RunReport {
                run_id,
                outcome: SyncOutcome::Running,
                counts: SyncCounts::default(),
                error: None,
            }),
            Begun::Started {
                run_id,
                mode,
                first_sync,
                since,
                contacts,
            } => Ok(self
                .execute(
                    connector,
                    account,
                    integration,
                    run_id,
                    mode,
                    first_sync,
                    since,
                    contacts,
                )
                .await),
        }
    }

    async fn begin(
        &self,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        trigger: SyncTrigger,
        unless_started_after: Option<chrono::DateTime<Utc>>,
    ) -> Result<Begun, SyncError> {
        let target = self
            .repo
            .sync_target(account, integration)
            .await?
            .ok_or(SyncError::NotFound)?;
        // Pause Sync stops the next run from starting (rule 7), whoever asks.
        if target.state == IntegrationState::Paused {
            return Err(SyncError::Paused);
        }
        // Without a successful run to count from, an incremental run would miss everything.
        let since = target
            .last_success_started_at
            .map(|t| t - INCREMENTAL_OVERLAP);
        let mode = if since.is_none() || target.last_full_sync_at.is_none() {
            SyncMode::Full
        } else {
            mode
        };
        let stale_before = Utc::now()
            - chrono::Duration::from_std(self.stale_after).unwrap_or(chrono::Duration::minutes(15));
        Ok(
            match self
                .repo
                .begin_sync_run(
                    account,
                    integration,
                    mode,
                    trigger,
                    stale_before,
                    unless_started_after,
                )
                .await?
            {
                RunStart::AlreadyRunning(run_id) => Begun::Running(run_id),
                RunStart::AlreadyRan => return Err(SyncError::AlreadyRan),
                RunStart::Started(run_id) => {
                    crate::feed::changed(&self.repo.db, account).await;
                    Begun::Started {
                        run_id,
                        mode,
                        first_sync: target.last_full_sync_at.is_none(),
                        since: if mode == SyncMode::Incremental {
                            since
                        } else {
                            None
                        },
                        contacts: target.sync_contacts,
                    }
                }
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    async fn execute(
        &self,
        connector: &dyn PsaConnector,
        account: AccountId,
        integration: IntegrationId,
        run_id: RunId,
        mode: SyncMode,
        first_sync: bool,
        since: Option<chrono::DateTime<Utc>>,
        contacts: bool,
    ) -> RunReport {
        let started_at = Utc::now();
        let failed = |error: String| RunReport {
            run_id,
            outcome: SyncOutcome::Failed,
            counts: SyncCounts::default(),
            error: Some(error),
        };
        let listing = std::time::Instant::now();
        let listed = match tokio::time::timeout(
            self.max_listing,
            self.list(connector, run_id, since, contacts),
        )
        .await
        .unwrap_or(Err(ListError::TooLong))
        {
            Ok(listed) => {
                tracing::info!(
                    %run_id,
                    elapsed_ms = listing.elapsed().as_millis() as u64,
                    "sync listing complete"
                );
                listed
            }
            Err(e) => {
                let message = match e {
                    ListError::Psa(e) => {
                        tracing::warn!(%run_id, error = %e, "sync listing failed");
                        e.to_string()
                    }
                    ListError::Internal(e) => {
                        tracing::error!(%run_id, error = ?e, "sync listing could not be staged");
                        INTERNAL_FAILURE.to_string()
                    }
                    ListError::TooLong => {
                        tracing::warn!(%run_id, "sync listing took too long");
                        format!(
                            "{}'s listing took longer than {}, the most a sync may \
                                take; nothing was changed. The next sync tries again; if the PSA \
                                is this slow every time, ask its vendor why",
                            connector.kind().label(),
                            crate::psa::humane(self.max_listing)
                        )
                    }
                };
                if let Err(e) = self.repo.fail_sync_run(account, run_id, &message).await {
                    tracing::error!(%run_id, error = ?e, "could not record a failed run");
                }
                crate::feed::changed(&self.repo.db, account).await;
                return failed(message);
            }
        };
        let apply = ApplyRun {
            account,
            integration,
            run: run_id,
            mode,
            started_at,
            first_sync: first_sync && mode == SyncMode::Full,
            listed: listed.kinds,
            notes: if mode == SyncMode::Incremental && !connector.filters_by_change() {
                vec![format!(
                    "{} cannot list only what changed (its API documents no filter by \
                        change time), so this incremental sync read every record. As an \
                        incremental sync it orphans nothing; the next full sync finds what was \
                        deleted in the PSA",
                    connector.kind().label()
                )]
            } else {
                Vec::new()
            },
        };
        let applying = std::time::Instant::now();
        let result = async {
            self.repo
                .merge_catalog(account, integration, &listed.catalog)
                .await?;
            self.repo.apply_sync_run(&apply).await
        }
        .await;
        let report = match result {
            Ok(counts) => {
                tracing::info!(
                    %run_id,
                    ?mode,
                    ?counts,
                    apply_ms = applying.elapsed().as_millis() as u64,
                    "sync run succeeded"
                );
                RunReport {
                    run_id,
                    outcome: SyncOutcome::Succeeded,
                    counts,
                    error: None,
                }
            }
            Err(e) => {
                tracing::error!(%run_id, error = ?e, "sync run could not be applied");
                if let Err(e) = self
                    .repo
                    .fail_sync_run(account, run_id, INTERNAL_FAILURE)
                    .await
                {
                    tracing::error!(%run_id, error = ?e, "could not record a failed run");
                }
                failed(INTERNAL_FAILURE.to_string())
            }
        };
        crate::feed::changed(&self.repo.db, account).await;
        report
    }

    /// Lists the PSA into the run's staging area: the catalog, companies, each listed company's
    /// sites, configurations, and contacts when they sync.
    async fn list(
        &self,
        connector: &dyn PsaConnector,
        run_id: RunId,
        since: Option<chrono::DateTime<Utc>>,
        contacts: bool,
    ) -> Result<Listed, ListError> {
        let catalog = connector.catalog().await?;
        let mut company_ids = Vec::new();
        self.stage(
            run_id,
            ItemKind::Organization,
            connector.companies(since),
            |c| {
                company_ids.push(c.psa_id);
                c.psa_id
            },
        )
        .await?;
        // ConnectWise lists sites per company: one call each, a few at a time.
        let mut sites = stream::iter(company_ids)
            .map(|id| connector.sites(id))
            .buffered(self.site_concurrency.max(1));
        let mut batch = Vec::new();
        let mut next = sites.try_next().await?;
        while let Some(page) = next {
            batch.extend(page);
            if batch.len() >= 1000 {
                // The next companies' sites are fetched while these are written.
                let (staged, fetched) = tokio::join!(
                    self.stage_batch(
                        run_id,
                        ItemKind::Location,
                        std::mem::take(&mut batch),
                        |s| s.psa_id,
                    ),
                    sites.try_next()
                );
                staged?;
                next = fetched?;
            } else {
                next = sites.try_next().await?;
            }
        }
        self.stage_batch(run_id, ItemKind::Location, batch, |s| s.psa_id)
            .await?;
        drop(sites);
        self.stage(
            run_id,
            ItemKind::Configuration,
            connector.configurations(since),
            |c| c.psa_id,
        )
        .await?;
        let mut kinds = vec![
            ItemKind::Organization,
            ItemKind::Location,
            ItemKind::Configuration,
        ];
        if contacts {
            self.stage(run_id, ItemKind::Contact, connector.contacts(since), |c| {
                c.psa_id
            })
            .await?;
            kinds.push(ItemKind::Contact);
        }
        Ok(Listed { catalog, kinds })
    }

    async fn stage<T: Serialize>(
        &self,
        run_id: RunId,
        kind: ItemKind,
        mut pages: Box<dyn Pages<T> + '_>,
        mut id: impl FnMut(&T) -> i64,
    ) -> Result<(), ListError> {
        // The next page is fetched while this one is written: the PSA's time and the
        // database's overlap instead of adding up.
        let mut next = pages.next_page().await?;
        while let Some(page) = next {
            let (staged, fetched) = tokio::join!(
                self.stage_batch(run_id, kind, page, &mut id),
                pages.next_page()
            );
            staged?;
            next = fetched?;
        }
        Ok(())
    }

    async fn stage_batch<T: Serialize>(
        &self,
        run_id: RunId,
        kind: ItemKind,
        records: Vec<T>,
        mut id: impl FnMut(&T) -> i64,
    ) -> Result<(), ListError> {
        if records.is_empty() {
            return Ok(());
        }
        let rows = records
            .iter()
            .map(|r| Ok((id(r), serde_json::to_string(r)?)))
            .collect::<Result<Vec<_>, serde_json::Error>>()
            .map_err(|e| ListError::Internal(e.into()))?;
        self.repo.stage_records(run_id, kind, &rows).await?;
        let account = self.repo.touch_sync_run(run_id).await?;
        // Its page shows the records listed so far.
        crate::feed::changed(&self.repo.db, account).await;
        Ok(())
    }
}

enum Begun {
    Running(RunId),
    Started {
        run_id: RunId,
        mode: SyncMode,
        first_sync: bool,
        since: Option<chrono::DateTime<Utc>>,
        contacts: bool,
    },
}

struct Listed {
    catalog: Vec<crate::rules::records::PsaCatalogValue>,
    kinds: Vec<ItemKind>,
}
