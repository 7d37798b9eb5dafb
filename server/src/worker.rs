//! The job worker: claims jobs from the queue (`repo::jobs`) and runs them. Removals run a chunk
//! at a time (`Repo::removal_chunk`), each chunk one transaction with its progress, so a worker
//! that dies mid-job leaves a consistent database and another worker resumes after its last chunk.
//! Runs inside `steward serve` on every node.

use crate::repo::{Activity, JobState, RemovalArgs, Repo, REMOVAL_JOB};
use chrono::Utc;
use std::time::Duration;

pub struct Worker {
    repo: Repo,
    /// Names this worker's claims.
    pub id: String,
    /// A running job whose heartbeat is older than this was abandoned by its worker.
    pub stale_after: Duration,
    /// Targets per removal chunk (one transaction each).
    pub chunk: i64,
    /// How long an idle worker waits before looking for work again.
    pub idle: Duration,
}

impl Worker {
    pub fn new(repo: Repo) -> Worker {
        Worker {
            repo,
            id: format!(
                "{}-{}",
                std::process::id(),
                hex::encode(rand::random::<[u8; 4]>())
            ),
            stale_after: Duration::from_secs(60),
            chunk: 500,
            idle: Duration::from_secs(1),
        }
    }

    /// Claims one due job and runs it until it ends, is cancelled, or is taken over. None when
    /// there was nothing to do.
    pub async fn run_one(&self) -> anyhow::Result<Option<(i64, JobState)>> {
        let stale = Utc::now()
            - chrono::Duration::from_std(self.stale_after).unwrap_or(chrono::Duration::minutes(1));
        let Some(job) = self.repo.claim_job(&self.id, stale).await? else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        if job.kind != REMOVAL_JOB {
            self.repo
                .finish_job(job.id, &self.id, JobState::Failed, Some("unknown job kind"))
                .await?;
            return Ok(Some((job.id, JobState::Failed)));
        }
        let args: RemovalArgs = serde_json::from_str(&job.args)?;
        loop {
            let now = self.repo.job(job.account, job.id).await?;
            if now.as_ref().is_some_and(|j| j.cancel_requested) {
                self.repo
                    .finish_job(job.id, &self.id, JobState::Cancelled, None)
                    .await?;
                self.log(&job, args, "cancelled", started).await?;
                return Ok(Some((job.id, JobState::Cancelled)));
            }
            match self
                .repo
                .removal_chunk(job.account, job.id, &self.id, args, self.chunk)
                .await
            {
                Ok(c) if c.lost => return Ok(Some((job.id, JobState::Running))),
                Ok(c) if c.remaining == 0 => {
                    self.repo
                        .finish_job(job.id, &self.id, JobState::Succeeded, None)
                        .await?;
                    self.log(&job, args, "succeeded", started).await?;
                    return Ok(Some((job.id, JobState::Succeeded)));
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(job = job.id, error = ?e, "removal chunk failed; it will be retried");
                    let backoff = chrono::Duration::seconds(1 << job.attempt.clamp(0, 8));
                    let state = self
                        .repo
                        .retry_job(
                            job.id,
                            &self.id,
                            "A step of the removal failed on the server and will be retried",
                            backoff,
                        )
                        .await?;
                    return Ok(Some((job.id, state)));
                }
            }
        }
    }

    async fn log(
        &self,
        job: &crate::repo::Job,
        args: RemovalArgs,
        outcome: &str,
        started: std::time::Instant,
    ) -> anyhow::Result<()> {
        let (deleted, skipped) = self.repo.removal_outcomes(job.id).await?;
        self.repo
            .log_activity(Activity {
                account: job.account,
                user: None,
                actor: "removal worker",
                action: "removal.finished",
                subject: &format!("orphaned {}", args.kind.plural().to_lowercase()),
                details: serde_json::json!({
                    "job": job.id, "deleted": deleted, "skipped": skipped,
                    "total": job.progress_total, "duration_ms": started.elapsed().as_millis() as u64,
                }),
                outcome,
            })
            .await
    }

    /// Runs jobs forever; waits `idle` between looks when there is nothing to do.
    pub async fn run_forever(self) {
        loop {
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
