//! Starts each integration's runs on its interval (`schedule_minutes`, from the start of its last
//! run), once it has had a first run: the first sync is the admin's, started by hand after they
//! chose what syncs (a scheduled one could run before that, sync nothing, and use up first-sync
//! matching). Every app node runs a scheduler; the unique index on running runs lets only one of them
//! run an integration at a time. Scheduled runs are incremental, with a full run when the last
//! full one is older than a day (only full runs detect deletions and orphan).

use super::{SyncEngine, SyncError};
use app::model::{AccountId, IntegrationId, IntegrationState, SyncMode};
use chrono::Utc;
use std::collections::HashMap;
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

    /// The integrations due now: (account, integration, mode, the start of their last run).
    async fn due(
        &self,
    ) -> anyhow::Result<Vec<(AccountId, IntegrationId, SyncMode, chrono::DateTime<Utc>)>> {
        let repo = self.engine.repo();
        let now = Utc::now();
        let mut due = Vec::new();
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
            due.push((account, integration, mode, last_started_at));
        }
        Ok(due)
    }

    /// Starts one due run as a task of its own, so that a run that stalls (a PSA that never
    /// answers) or panics holds up no other integration's run, nor the scheduler. The task's
    /// answer says whether the run ran.
    fn spawn_run(
        &self,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        last_started_at: chrono::DateTime<Utc>,
    ) -> tokio::task::JoinHandle<bool> {
        let engine = self.engine.clone();
        tokio::spawn(async move {
            match engine
                .run_scheduled(account, integration, mode, last_started_at)
                .await
            {
                Ok(report) => {
                    tracing::info!(?report, "scheduled sync");
                    true
                }
                // Paused in the meantime, not set up yet, or started by another node's
                // scheduler since this one looked: nothing to do.
                Err(
                    SyncError::Paused
                    | SyncError::NoCredentials
                    | SyncError::NotFound
                    | SyncError::AlreadyRan,
                ) => false,
                Err(SyncError::Internal(e)) => {
                    tracing::error!(error = ?e, integration = integration.0, "scheduled sync");
                    false
                }
            }
        })
    }

    /// Checks every integration once and runs the due ones to their end, each as its own task;
    /// returns how many ran. A run that panicked counts as not run and is logged.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        let tasks: Vec<_> = self
            .due()
            .await?
            .into_iter()
            .map(|(a, i, m, t)| self.spawn_run(a, i, m, t))
            .collect();
        let mut ran = 0;
        for task in tasks {
            match task.await {
                Ok(true) => ran += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "a scheduled sync panicked"),
            }
        }
        Ok(ran)
    }

    /// Runs forever, a tick at a time: every tick starts the due integrations that have no run
    /// of this scheduler still going, and waits for none of them.
    pub async fn run_forever(self) {
        let mut interval = tokio::time::interval(self.tick);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut going: HashMap<IntegrationId, tokio::task::JoinHandle<bool>> = HashMap::new();
        loop {
            interval.tick().await;
            going.retain(|_, task| !task.is_finished());
            match self.due().await {
                Ok(due) => {
                    for (account, integration, mode, last) in due {
                        going
                            .entry(integration)
                            .or_insert_with(|| self.spawn_run(account, integration, mode, last));
                    }
                }
                Err(e) => {
                    tracing::error!(error = ?e, "the sync scheduler could not read the \
                        integrations")
                }
            }
        }
    }
}
