//! Export jobs: queueing one (one at a time per account), their progress and file size, the
//! stored ZIP a chunk at a time for the download, and the purge of old exports' files.

use super::{parse_or, JobState, Repo};
use crate::on_db;
use app::model::{AccountId, ExportJob, JobId, UserId};
use chrono::{DateTime, Utc};

pub const EXPORT_JOB: &str = "export";

impl Repo {
    /// Queues an export of the account; None when one is already queued or running.
    pub async fn queue_export(
        &self,
        account: AccountId,
        by: UserId,
        args: &str,
    ) -> anyhow::Result<Option<JobId>> {
        let now = Utc::now();
        let id: Option<i64> = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO jobs (account_id, kind, state, unique_key, args, run_at, \
                created_by, created_at)
             VALUES ($1, $2, 'queued', $3, $4, $5, $6, $5) ON CONFLICT (unique_key) DO NOTHING \
             RETURNING id",
            )
            .bind(account.0)
            .bind(EXPORT_JOB)
            .bind(format!("export:{}", account.0))
            .bind(args)
            .bind(now)
            .bind(by.0)
            .fetch_optional(pool)
            .await
        })?;
        Ok(id.map(JobId))
    }

    /// The account's exports, newest first (or the one asked for); `kept_since`: finished
    /// exports older than this have no file any more.
    pub async fn export_jobs(
        &self,
        account: AccountId,
        one: Option<JobId>,
        kept_since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<ExportJob>> {
        type Row = (
            i64,
            String,
            Option<String>,
            i64,
            i64,
            i64,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<String>,
        );
        let rows: Vec<Row> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT j.id, j.state, u.email, j.progress_done, j.progress_total,
                COALESCE((SELECT SUM(LENGTH(c.data)) FROM export_chunks c WHERE c.job_id = j.id), \
                0),
                j.created_at, j.finished_at, j.last_error
             FROM jobs j LEFT JOIN users u ON u.id = j.created_by
             WHERE j.account_id = $1 AND j.kind = $2 AND ($3 = 0 OR j.id = $3)
             ORDER BY j.id DESC LIMIT 20",
            )
            .bind(account.0)
            .bind(EXPORT_JOB)
            .bind(one.map_or(0, |j| j.0))
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(
                |(id, state, by, done, total, bytes, created, finished, error)| {
                    let state = parse_or(&state, JobState::parse, "job state")?;
                    Ok(ExportJob {
                        available: state == JobState::Succeeded
                            && bytes > 0
                            && finished.is_some_and(|f| f >= kept_since),
                        id: JobId(id),
                        state,
                        started_by: by,
                        done,
                        total,
                        bytes,
                        created_at: created,
                        finished_at: finished,
                        error,
                    })
                },
            )
            .collect()
    }

    /// Chunk `seq` of an export's ZIP (None past the last).
    pub async fn export_chunk(
        &self,
        account: AccountId,
        job: JobId,
        seq: i64,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let job = job.0;
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT c.data FROM export_chunks c JOIN jobs j ON j.id = c.job_id
             WHERE j.account_id = $1 AND j.id = $2 AND j.kind = $3 AND c.seq = $4"
        )
        .bind(account.0)
        .bind(job)
        .bind(EXPORT_JOB)
        .bind(seq)
        .fetch_optional(pool)
        .await)?)
    }

    /// Deletes the files of exports that ended before `cutoff`.
    pub async fn purge_exports(&self, cutoff: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query(
                "DELETE FROM export_chunks WHERE job_id IN (SELECT id FROM jobs WHERE \
                    kind \
                = $1 AND finished_at < $2)",
            )
            .bind(EXPORT_JOB)
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?)
    }
}
