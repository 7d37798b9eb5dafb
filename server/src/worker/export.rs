//! The export job: the account written as a ZIP of JSON Lines (`export::write`), logged when it
//! ends.

use super::Worker;
use crate::repo::{Activity, JobState};
use app::model::JobId;
use chrono::Utc;

impl Worker {
    /// Runs a claimed export to its end (a takeover writes it again from the start).
    pub(super) async fn run_export(
        &self,
        job: crate::repo::Job,
    ) -> anyhow::Result<(JobId, JobState)> {
        let Some(secrets) = self.secrets.as_ref() else {
            let state = self
                .repo
                .retry_job(
                    job.id,
                    &self.id,
                    "The worker that took this export has no secret key; another will \
                        take it",
                    chrono::Duration::seconds(5),
                )
                .await?;
            return Ok((job.id, state));
        };
        let written = match serde_json::from_str(&job.args) {
            Ok(args) => {
                crate::export::write::write(
                    &self.repo,
                    secrets,
                    job.account,
                    job.id,
                    &self.id,
                    &args,
                )
                .await
            }
            Err(e) => Err(e.into()),
        };
        let (outcome, state, details) = match written {
            Ok(crate::export::write::Written::Lost) => return Ok((job.id, JobState::Running)),
            Ok(crate::export::write::Written::Done { bytes, records }) => (
                "succeeded",
                JobState::Succeeded,
                serde_json::json!({ "export": job.id, "records": records, "bytes": bytes,
                    "duration_ms": (Utc::now() - job.created_at).num_milliseconds().max(0) }),
            ),
            Err(e) => {
                let state = self
                    .retry_later(
                        &job,
                        &e,
                        "Writing the export failed on the server and will be retried",
                    )
                    .await?;
                if state != JobState::Failed {
                    return Ok((job.id, state));
                }
                ("failed", state, serde_json::json!({ "export": job.id }))
            }
        };
        let by = match job.created_by {
            Some(u) => self
                .repo
                .users(job.account)
                .await?
                .into_iter()
                .find(|x| x.id == u)
                .map(|x| x.email),
            None => None,
        }
        .unwrap_or_else(|| "export worker".to_string());
        let activity = Activity {
            account: job.account,
            user: job.created_by,
            actor: &by,
            action: "export.finished",
            subject: "the account",
            details,
            outcome,
        };
        if state == JobState::Failed {
            self.repo.log_activity(activity).await?;
        } else {
            self.repo
                .finish_job_logged(job.id, &self.id, state, None, Some(activity))
                .await?;
        }
        Ok((job.id, state))
    }
}
