//! Account > Export (Administrators without restrictions): a queued export of the whole
//! account, its password secrets sealed with a key derived from the Administrator's passphrase.

use super::{internal, AppServices};
use crate::export::write::ExportArgs;
use crate::export::{b64, derive_key, MIN_PASSPHRASE};
use app::error::AppError;
use app::model::JobId;
use app::model::{CurrentUser, ExportJob, Role};

impl AppServices {
    fn may_export(user: &CurrentUser) -> Result<(), AppError> {
        if user.role == Role::Administrator && !user.restricted {
            Ok(())
        } else {
            Err(AppError::forbidden("export the account"))
        }
    }

    async fn export_job(&self, user: &CurrentUser, job: JobId) -> Result<ExportJob, AppError> {
        self.repo
            .export_jobs(
                user.account_id,
                Some(job),
                chrono::Utc::now() - self.archive_retention,
            )
            .await
            .map_err(internal("reading an export"))?
            .pop()
            .ok_or_else(|| AppError::not_found("That export"))
    }
}

#[async_trait::async_trait]
impl app::services::ExportServices for AppServices {
    async fn start_export(
        &self,
        user: &CurrentUser,
        passphrase: String,
    ) -> Result<ExportJob, AppError> {
        Self::may_export(user)?;
        let n = passphrase.chars().count();
        if n < MIN_PASSPHRASE || passphrase.len() > 1024 {
            return Err(AppError::invalid_input(format!(
                "Choose a passphrase of {MIN_PASSPHRASE} to 1,024 characters: it seals \
                    the password entries' secrets, and the import asks for it"
            )));
        }
        let salt: [u8; 16] = rand::random();
        let turn = self.throttle.hash_turn().await?;
        let key = tokio::task::spawn_blocking(move || derive_key(&passphrase, &salt))
            .await
            .map_err(|e| AppError::internal_from("deriving an export key", &e))?
            .map_err(internal("deriving an export key"))?;
        drop(turn);
        let args = ExportArgs {
            salt: b64(&salt),
            key_sealed: b64(&self.secrets.seal(&key)),
        };
        let args = serde_json::to_string(&args)
            .map_err(|e| AppError::internal_from("queueing an export", &e))?;
        let job = self
            .repo
            .queue_export(user.account_id, user.user_id, &args)
            .await
            .map_err(internal("queueing an export"))?
            .ok_or_else(|| {
                AppError::conflict(
                    "An export of this account is already queued or running: wait \
                        until it ends",
                )
            })?;
        crate::feed::changed(&self.repo.db, user.account_id).await;
        self.export_job(user, job).await
    }

    async fn exports(&self, user: &CurrentUser) -> Result<Vec<ExportJob>, AppError> {
        Self::may_export(user)?;
        self.repo
            .export_jobs(
                user.account_id,
                None,
                chrono::Utc::now() - self.archive_retention,
            )
            .await
            .map_err(internal("listing exports"))
    }

    async fn export_file(&self, user: &CurrentUser, job: JobId) -> Result<ExportJob, AppError> {
        Self::may_export(user)?;
        let export = self.export_job(user, job).await?;
        if !export.available {
            return Err(AppError::not_found(
                "That export's file (it is not written yet, failed, or passed its \
                    retention period)",
            ));
        }
        Ok(export)
    }
}
