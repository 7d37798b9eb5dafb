//! The job queue, in the `jobs` table on both databases: enqueue, claim (PostgreSQL:
//! `FOR UPDATE SKIP LOCKED`; SQLite: one atomic UPDATE, SQLite having one writer at a time),
//! heartbeats that keep a claim, takeover of a job whose worker stopped beating, retries with
//! backoff, and cancel.

use super::{parse_or, Repo};
use crate::db::BeginWrite;
use crate::db::Db;
use crate::on_db;
pub use app::model::JobState;
use app::model::{AccountId, JobId, UserId};
use chrono::{DateTime, Utc};

/// A job as a worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub account: AccountId,
    pub kind: String,
    pub state: JobState,
    pub args: String,
    pub attempt: i64,
    pub max_attempts: i64,
    pub progress_done: i64,
    pub progress_total: i64,
    pub cancel_requested: bool,
    pub last_error: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// The first statement of a chunked job's step: beats the job's heart and answers its progress
/// if the claim is still this worker's ($1 now, $2 the job, $3 the worker), else no row. Being
/// a write, it also takes SQLite's write lock for the step's transaction at once.
pub(super) const STEP_CLAIM: &str =
    "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND locked_by = $3 AND state = \
        'running' RETURNING progress_done";

pub struct NewJob<'a> {
    pub account: AccountId,
    pub kind: &'a str,
    pub args: &'a str,
    /// At most one job with this key exists (e.g. one removal of a row at a time).
    pub unique_key: Option<&'a str>,
    pub total: i64,
    pub created_by: Option<UserId>,
}

/// A `jobs` row as `COLUMNS` reads it.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    account_id: i64,
    kind: String,
    state: String,
    args: String,
    attempt: i64,
    max_attempts: i64,
    progress_done: i64,
    progress_total: i64,
    cancel_requested: bool,
    last_error: Option<String>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, account_id, kind, state, args, attempt, max_attempts,
    progress_done, progress_total, cancel_requested, last_error, created_by, created_at";

fn to_job(r: Row) -> anyhow::Result<Job> {
    Ok(Job {
        id: JobId(r.id),
        account: AccountId(r.account_id),
        kind: r.kind,
        state: parse_or(&r.state, JobState::parse, "job state")?,
        args: r.args,
        attempt: r.attempt,
        max_attempts: r.max_attempts,
        progress_done: r.progress_done,
        progress_total: r.progress_total,
        cancel_requested: r.cancel_requested,
        last_error: r.last_error,
        created_by: r.created_by.map(UserId),
        created_at: r.created_at,
    })
}

impl Repo {
    /// Queues a job; None when a job with the same unique key exists.
    pub async fn enqueue_job(&self, j: NewJob<'_>) -> anyhow::Result<Option<JobId>> {
        let now = Utc::now();
        let id: Option<i64> = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO jobs (account_id, kind, state, unique_key, args, run_at, \
                progress_total, created_by, created_at)
             VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7, $5)
             ON CONFLICT (unique_key) DO NOTHING RETURNING id",
            )
            .bind(j.account.0)
            .bind(j.kind)
            .bind(j.unique_key)
            .bind(j.args)
            .bind(now)
            .bind(j.total)
            .bind(j.created_by.map(|u| u.0))
            .fetch_optional(pool)
            .await
        })?;
        Ok(id.map(JobId))
    }

    /// Claims the next job for `worker`: a queued one that is due, or a running one whose
    /// worker stopped beating before `stale_before` (it resumes from its last committed step).
    pub async fn claim_job(
        &self,
        worker: &str,
        stale_before: DateTime<Utc>,
    ) -> anyhow::Result<Option<Job>> {
        let now = Utc::now();
        let lock = match self.db {
            Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            Db::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', locked_by = $1, heartbeat_at = $2, \
                attempt = attempt + 1,
                 started_at = COALESCE(started_at, $2)
             WHERE id = (SELECT id FROM jobs
                         WHERE (state = 'queued' AND run_at <= $2) OR (state = 'running' AND \
                         heartbeat_at < $3)
                         ORDER BY run_at, id LIMIT 1{lock})
             RETURNING {COLUMNS}"
        );
        let row: Option<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(worker)
            .bind(now)
            .bind(stale_before)
            .fetch_optional(pool)
            .await)?;
        row.map(to_job).transpose()
    }

    /// Keeps `worker`'s claim and records progress. False when the claim was lost (another
    /// worker took the job over): the caller must stop.
    pub async fn job_heartbeat(&self, job: JobId, worker: &str, done: i64) -> anyhow::Result<bool> {
        let job = job.0;
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE jobs SET heartbeat_at = $1, progress_done = $2 WHERE id = $3 \
                    AND \
                locked_by = $4 AND state = 'running'",
            )
            .bind(Utc::now())
            .bind(done)
            .bind(job)
            .bind(worker)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Ends a claimed job (succeeded, failed or cancelled).
    pub async fn finish_job(
        &self,
        job: JobId,
        worker: &str,
        state: JobState,
        error: Option<&str>,
    ) -> anyhow::Result<bool> {
        let job = job.0;
        self.finish_job_logged(JobId(job), worker, state, error, None)
            .await
    }

    /// Ends a claimed job, with its activity log entry (if any) in the same transaction, so an
    /// ended job always has its entry. False (nothing written) when the claim was lost.
    pub async fn finish_job_logged(
        &self,
        job: JobId,
        worker: &str,
        state: JobState,
        error: Option<&str>,
        activity: Option<super::Activity<'_>>,
    ) -> anyhow::Result<bool> {
        let job = job.0;
        let now = Utc::now();
        let done = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = sqlx::query(
                "UPDATE jobs SET state = $1, last_error = $2, finished_at = $3, \
                    locked_by = NULL, unique_key = NULL
                 WHERE id = $4 AND locked_by = $5 AND state = 'running'",
            )
            .bind(state.as_str())
            .bind(error)
            .bind(now)
            .bind(job)
            .bind(worker)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if let (1, Some(a)) = (n, &activity) {
                insert_activity!(&mut *tx, a, now).await?;
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(n == 1)
        })?;
        Ok(done)
    }

    /// A claimed job failed: queued again after `backoff`, or failed for good after its last
    /// attempt.
    pub async fn retry_job(
        &self,
        job: JobId,
        worker: &str,
        error: &str,
        backoff: chrono::Duration,
    ) -> anyhow::Result<JobState> {
        let job = job.0;
        let now = Utc::now();
        let state: Option<String> = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "UPDATE jobs SET state = CASE WHEN attempt >= max_attempts THEN \
                    'failed' \
                ELSE 'queued' END,
                 run_at = $1, last_error = $2, locked_by = NULL,
                 finished_at = CASE WHEN attempt >= max_attempts THEN $3 ELSE NULL END,
                 unique_key = CASE WHEN attempt >= max_attempts THEN NULL ELSE unique_key END
             WHERE id = $4 AND locked_by = $5 AND state = 'running' RETURNING state",
            )
            .bind(now + backoff)
            .bind(error)
            .bind(now)
            .bind(job)
            .bind(worker)
            .fetch_optional(pool)
            .await
        })?;
        let state = state.ok_or_else(|| anyhow::anyhow!("job {job} is not claimed by {worker}"))?;
        parse_or(&state, JobState::parse, "job state")
    }

    /// Cancel: a queued job ends at once; a running one is asked to stop after its current step.
    /// False when the job is not the account's or already ended.
    pub async fn cancel_job(&self, account: AccountId, job: JobId) -> anyhow::Result<bool> {
        let job = job.0;
        let now = Utc::now();
        let n = on_db!(&self.db, |pool| {
            let queued = sqlx::query(
                "UPDATE jobs SET state = 'cancelled', finished_at = $1, unique_key = \
                    NULL WHERE id = $2 AND account_id = $3 AND state = 'queued'",
            )
            .bind(now)
            .bind(job)
            .bind(account.0)
            .execute(pool)
            .await?
            .rows_affected();
            let running = sqlx::query(
                "UPDATE jobs SET cancel_requested = TRUE WHERE id = $1 AND account_id \
                    = $2 AND state = 'running'",
            )
            .bind(job)
            .bind(account.0)
            .execute(pool)
            .await?
            .rows_affected();
            Ok::<u64, sqlx::Error>(queued + running)
        })?;
        Ok(n == 1)
    }

    pub async fn job(&self, account: AccountId, job: JobId) -> anyhow::Result<Option<Job>> {
        let job = job.0;
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE id = $1 AND account_id = \
            $2"
        );
        let row: Option<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(job)
            .bind(account.0)
            .fetch_optional(pool)
            .await)?;
        row.map(to_job).transpose()
    }
}
