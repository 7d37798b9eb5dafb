//! Starts each integration's runs on its interval (`schedule_minutes`, from the start of its last
//! run), once it has had a first run: the first sync is the admin's, started by hand after they
//! chose what syncs (a scheduled one could run before that, sync nothing, and use up first-sync
//! matching). Every app node runs a scheduler; the unique index on running runs lets only one of them
//! run an integration at a time. Scheduled runs are incremental, with a full run when the last
//! full one is older than a day (only full runs detect deletions and orphan).

use super::{SyncEngine, SyncError};
use app::model::{IntegrationState, SyncMode};
use chrono::Utc;
use std::time::Duration;

pub struct Scheduler {
    engine: SyncEngine,
    /// How often to look for integrations that are due.
    pub tick: Duration,
    /// A scheduled run is full when the last full run is older than this.
    pub full_every: chrono::Duration,
}

impl Scheduler {
    pub fn new(engine: SyncEngine) -> Scheduler {
        Scheduler {
            engine,
            tick: Duration::from_secs(30),
            full_every: chrono::Duration::hours(24),
        }
    }

    /// Checks every integration once and runs the due ones to their end; returns how many ran.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let repo = self.engine.repo();
        let now = Utc::now();
        let mut ran = 0;
        for (account, integration) in repo.all_integrations().await? {
            let Some(target) = repo.sync_target(account, integration).await? else {
                continue;
            };
            if target.state == IntegrationState::Paused {
                continue;
            }
            let Some(last_started_at) = target.last_started_at else {
                continue;
            };
            if last_started_at + chrono::Duration::minutes(target.schedule_minutes) > now {
                continue;
            }
            let mode = match target.last_full_sync_at {
                Some(t) if t + self.full_every > now => SyncMode::Incremental,
                _ => SyncMode::Full,
            };
            match self
                .engine
                .run_scheduled(account, integration, mode, last_started_at)
                .await
            {
                Ok(report) => {
                    ran += 1;
                    tracing::info!(?report, "scheduled sync");
                }
                // Paused in the meantime, not set up yet, or started by another node's
                // scheduler since this one looked: nothing to do.
                Err(
                    SyncError::Paused
                    | SyncError::NoCredentials
                    | SyncError::NotFound
                    | SyncError::AlreadyRan,
                ) => {}
                Err(SyncError::Internal(e)) => {
                    tracing::error!(error = ?e, integration = integration.0, "scheduled sync")
                }
            }
        }
        Ok(ran)
    }

    /// Runs forever, a tick at a time.
    pub async fn run_forever(self) {
        let mut interval = tokio::time::interval(self.tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(e) = self.run_due().await {
                tracing::error!(error = ?e, "the sync scheduler could not read the integrations");
            }
        }
    }
}
