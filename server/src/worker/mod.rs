//! The job worker: claims jobs from the queue (`repo::jobs`) and runs them. Removals and restores
//! run a chunk at a time (`Repo::removal_chunk`, `Repo::restore_chunk`), each chunk one
//! transaction with its progress, so a worker that dies mid-job leaves a consistent database
//! and another worker resumes after its last chunk; an export (`export::write`) is written again
//! by the worker that takes it over. Runs inside `steward serve` on every node, or alone as
//! `steward worker`. It also deletes the deletion archives and export files past their
//! retention period.

use crate::config::WorkerConfig;
use crate::repo::{
    Activity, JobState, RemovalArgs, Repo, Which, EXPORT_JOB, REMOVAL_JOB, RESTORE_JOB,
};
use crate::secrets::SecretBox;
use app::model::JobId;
use chrono::Utc;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;

mod export;
mod restore;
use std::time::{Duration, Instant};

pub struct Worker {
    repo: Repo,
    /// Names this worker's claims.
    pub id: String,
    /// A running job whose heartbeat is older than this was abandoned by its worker.
    pub stale_after: Duration,
    /// Targets per removal chunk (one transaction each).
    pub chunk: i64,
    /// A removal's chunks run at once (PostgreSQL; SQLite runs one at a time).
    pub parallel: usize,
    /// Pause between a removal's chunks (other writers get the database).
    pub pause: Duration,
    /// How long a deletion archive is kept after its removal ended.
    pub retention: chrono::Duration,
    /// How long an idle worker waits before looking for work again.
    pub idle: Duration,
    /// The server's key: exports open the password secrets with it. A worker without it leaves
    /// exports to the workers that have it.
    pub secrets: Option<Arc<SecretBox>>,
}

/// A removal's activity log entry, owned until it is written.
struct Entry {
    account: app::model::AccountId,
    user: Option<app::model::UserId>,
    actor: String,
    subject: String,
    details: serde_json::Value,
}

impl Entry {
    fn activity(&self, outcome: &'static str) -> Activity<'_> {
        Activity {
            account: self.account,
            user: self.user,
            actor: &self.actor,
            action: "removal.finished",
            subject: &self.subject,
            details: self.details.clone(),
            outcome,
        }
    }
}

/// How often a worker looks for deletion archives past their retention.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

impl Worker {
    pub fn new(repo: Repo) -> Worker {
        Worker::with_config(repo, &WorkerConfig::default())
    }

    pub fn with_config(repo: Repo, config: &WorkerConfig) -> Worker {
        Worker {
            repo,
            id: format!(
                "{}-{}",
                std::process::id(),
                hex::encode(rand::random::<[u8; 4]>())
            ),
            stale_after: Duration::from_secs(config.job_stale_seconds),
            chunk: config.removal_chunk.max(1),
            parallel: config.removal_parallel.max(1),
            pause: Duration::from_millis(config.removal_pause_ms),
            retention: config.archive_retention(),
            idle: Duration::from_secs(1),
            secrets: None,
        }
    }

    /// The server's key, for exports.
    pub fn with_secrets(mut self, secrets: Arc<SecretBox>) -> Worker {
        self.secrets = Some(secrets);
        self
    }

    /// Claims one due job and runs it until it ends, is cancelled, or is taken over. None when
    /// there was nothing to do.
    pub async fn run_one(&self) -> anyhow::Result<Option<(JobId, JobState)>> {
        let stale = Utc::now()
            - chrono::Duration::from_std(self.stale_after).unwrap_or(chrono::Duration::minutes(1));
        let Some(job) = self.repo.claim_job(&self.id, stale).await? else {
            return Ok(None);
        };
        let account = job.account;
        crate::feed::changed(&self.repo.db, account).await;
        let ended = self.run_claimed(job).await;
        // Ended, failed, queued again or taken over: its pages read it again.
        crate::feed::changed(&self.repo.db, account).await;
        ended
    }

    /// Runs a claimed job by its kind.
    async fn run_claimed(
        &self,
        job: crate::repo::Job,
    ) -> anyhow::Result<Option<(JobId, JobState)>> {
        match job.kind.as_str() {
            REMOVAL_JOB => self.run_removal(job).await.map(Some),
            RESTORE_JOB => self.run_restore(job).await.map(Some),
            EXPORT_JOB => self.run_export(job).await.map(Some),
            _ => {
                self.repo
                    .finish_job(job.id, &self.id, JobState::Failed, Some("unknown job kind"))
                    .await?;
                Ok(Some((job.id, JobState::Failed)))
            }
        }
    }

    /// Runs a claimed removal, a chunk at a time (on PostgreSQL `parallel` chunks at once, each
    /// over its own targets), until it ends, is cancelled or taken over.
    async fn run_removal(&self, job: crate::repo::Job) -> anyhow::Result<(JobId, JobState)> {
        let started = Instant::now();
        let args: RemovalArgs = serde_json::from_str(&job.args)?;
        // Targets are numbered 1 to the total; a run starts at the first one not reached (a
        // worker that died may have committed a chunk beyond it).
        let mut after = self
            .repo
            .removal_frontier(job.id)
            .await?
            .unwrap_or(job.progress_total);
        let parallel = match self.repo.db.backend() {
            crate::db::Backend::Postgres => self.parallel.max(1),
            crate::db::Backend::Sqlite => 1,
        };
        let mut running = FuturesUnordered::new();
        let mut cancelled = false;
        let mut failed: Option<anyhow::Error> = None;
        let mut lost = false;
        loop {
            while running.len() < parallel
                && after < job.progress_total
                && !cancelled
                && !lost
                && failed.is_none()
            {
                if after > 0 && !self.pause.is_zero() {
                    tokio::time::sleep(self.pause).await;
                }
                let now = self.repo.job(job.account, job.id).await?;
                if now.as_ref().is_some_and(|j| j.cancel_requested) {
                    cancelled = true;
                    break;
                }
                running.push(self.repo.removal_chunk_after(
                    job.account,
                    job.id,
                    &self.id,
                    &args,
                    after,
                    self.chunk,
                ));
                after = after.saturating_add(self.chunk);
            }
            // The chunks in flight end (and commit) whatever happens to the others.
            match running.next().await {
                Some(Ok(c)) => {
                    lost |= c.lost;
                    crate::feed::changed(&self.repo.db, job.account).await;
                }
                Some(Err(e)) => {
                    if let Some(first) = &failed {
                        tracing::error!(job = %job.id, error = ?e, first = ?first, "another chunk \
                            of the removal failed too");
                    } else {
                        failed = Some(e);
                    }
                }
                None => break,
            }
        }
        if lost {
            return Ok((job.id, JobState::Running));
        }
        if let Some(e) = failed {
            let state = self
                .retry_later(
                    &job,
                    &e,
                    "A step of the removal failed on the server and will be retried",
                )
                .await?;
            if state == JobState::Failed {
                let entry = self.entry(&job, started).await?;
                self.repo.log_activity(entry.activity("failed")).await?;
            }
            return Ok((job.id, state));
        }
        let state = if cancelled {
            JobState::Cancelled
        } else {
            JobState::Succeeded
        };
        self.finish(&job, state, started).await?;
        Ok((job.id, state))
    }

    /// A job's step failed: logged here (the cause stays on the server), the job queued again
    /// after a backoff that doubles with each attempt, or failed for good after its last; says
    /// which, with `said` as what people read.
    pub(super) async fn retry_later(
        &self,
        job: &crate::repo::Job,
        error: &anyhow::Error,
        said: &str,
    ) -> anyhow::Result<JobState> {
        tracing::error!(job = %job.id, kind = %job.kind, error = ?error, "a job's step \
            failed; it \
            will be retried");
        let backoff = chrono::Duration::seconds(1 << job.attempt.clamp(0, 8));
        self.repo.retry_job(job.id, &self.id, said, backoff).await
    }

    /// What the activity log says of a removal: what, the counts and duration, who queued it.
    async fn entry(&self, job: &crate::repo::Job, started: Instant) -> anyhow::Result<Entry> {
        let row = self
            .repo
            .removal_rows(job.account, None, Which::One(job.id))
            .await?
            .pop();
        let (deleted, skipped, by, what) = row
            .map(|r| (r.deleted, r.skipped, r.started_by, r.what))
            .unwrap_or((0, 0, None, String::new()));
        let took = (Utc::now() - job.created_at).num_milliseconds().max(0);
        Ok(Entry {
            account: job.account,
            user: job.created_by,
            actor: by.unwrap_or_else(|| "removal worker".to_string()),
            subject: what,
            details: serde_json::json!({
                "removal": job.id, "items": job.progress_total, "deleted": deleted,
                "skipped": skipped, "duration_ms": took,
                "worker_ms": started.elapsed().as_millis() as u64,
            }),
        })
    }

    /// Ends a removal (succeeded or cancelled) together with its activity log entry: who
    /// queued it, what, how many, the outcome and how long it took from queueing to its end.
    async fn finish(
        &self,
        job: &crate::repo::Job,
        state: JobState,
        started: Instant,
    ) -> anyhow::Result<bool> {
        let entry = self.entry(job, started).await?;
        self.repo
            .finish_job_logged(
                job.id,
                &self.id,
                state,
                None,
                Some(entry.activity(state.as_str())),
            )
            .await
    }

    /// Deletes the deletion archives past their retention period.
    pub async fn purge_archives(&self) -> anyhow::Result<u64> {
        let n = self
            .repo
            .purge_deletion_archives(Utc::now() - self.retention)
            .await?;
        let files = self.repo.purge_exports(Utc::now() - self.retention).await?;
        if files > 0 {
            tracing::info!(chunks = files, "deleted export files past their retention");
        }
        if n > 0 {
            tracing::info!(
                records = n,
                "deleted deletion archives past their retention"
            );
        }
        Ok(n)
    }

    /// Runs jobs forever; waits `idle` between looks when there is nothing to do.
    pub async fn run_forever(self) {
        let mut purged: Option<Instant> = None;
        loop {
            if purged.is_none_or(|t| t.elapsed() >= PURGE_EVERY) {
                if let Err(e) = self.purge_archives().await {
                    tracing::error!(error = ?e, "could not delete expired deletion archives");
                }
                match self.repo.purge_sessions(Utc::now()).await {
                    Ok(n) if n > 0 => tracing::info!(sessions = n, "deleted expired sessions"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = ?e, "could not delete expired sessions"),
                }
                purged = Some(Instant::now());
            }
            match self.run_one().await {
                Ok(Some(_)) => {}
                Ok(None) => tokio::time::sleep(self.idle).await,
                Err(e) => {
                    tracing::error!(error = ?e, "the job worker could not read the queue");
                    tokio::time::sleep(self.idle).await;
                }
            }
        }
    }
}
