//! The restore job: a removal's archived records brought back a chunk at a time.

use super::Worker;
use crate::repo::{Activity, JobState, RestoreArgs};
use app::model::JobId;
use chrono::Utc;

impl Worker {
    /// Runs a claimed restore, a chunk at a time, until it ends or is taken over; its activity
    /// log entry is written with its end.
    pub(super) async fn run_restore(
        &self,
        job: crate::repo::Job,
    ) -> anyhow::Result<(JobId, JobState)> {
        let args: RestoreArgs = serde_json::from_str(&job.args)?;
        loop {
            match self
                .repo
                .restore_chunk(job.account, job.id, &self.id, &args, self.chunk)
                .await
            {
                Ok(c) if c.lost => return Ok((job.id, JobState::Running)),
                Ok(c) if c.remaining == 0 => {
                    self.finish_restore(&job, JobState::Succeeded).await?;
                    return Ok((job.id, JobState::Succeeded));
                }
                Ok(_) => crate::feed::changed(&self.repo.db, job.account).await,
                Err(e) => {
                    let state = self
                        .retry_later(
                            &job,
                            &e,
                            "A step of the restore failed on the server and will be \
                                retried",
                        )
                        .await?;
                    if state == JobState::Failed {
                        let (actor, subject, details) = self.restore_entry(&job).await?;
                        self.repo
                            .log_activity(Activity {
                                account: job.account,
                                user: job.created_by,
                                actor: &actor,
                                action: "restore.finished",
                                subject: &subject,
                                details,
                                outcome: "failed",
                            })
                            .await?;
                    }
                    return Ok((job.id, state));
                }
            }
        }
    }

    /// A restore's activity log entry: who, what removal, how many records came back and how
    /// many did not.
    async fn restore_entry(
        &self,
        job: &crate::repo::Job,
    ) -> anyhow::Result<(String, String, serde_json::Value)> {
        let row = self
            .repo
            .restore_jobs(job.account, Some(job.id))
            .await?
            .pop();
        let (by, what, restored, refused, removal) = row
            .map(|r| {
                (
                    r.started_by,
                    r.what,
                    r.restored,
                    r.not_restored_count,
                    r.removal,
                )
            })
            .unwrap_or((None, String::new(), 0, 0, JobId(0)));
        Ok((
            by.unwrap_or_else(|| "restore worker".to_string()),
            what,
            serde_json::json!({
                "removal": removal, "restored": restored, "not_restored": refused,
                "duration_ms": (Utc::now() - job.created_at).num_milliseconds().max(0),
            }),
        ))
    }

    pub(super) async fn finish_restore(
        &self,
        job: &crate::repo::Job,
        state: JobState,
    ) -> anyhow::Result<bool> {
        let (actor, subject, details) = self.restore_entry(job).await?;
        self.repo
            .finish_job_logged(
                job.id,
                &self.id,
                state,
                None,
                Some(Activity {
                    account: job.account,
                    user: job.created_by,
                    actor: &actor,
                    action: "restore.finished",
                    subject: &subject,
                    details,
                    outcome: state.as_str(),
                }),
            )
            .await
    }
}
