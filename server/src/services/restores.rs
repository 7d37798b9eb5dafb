//! Undo a removal (Account > Removals > Restore): Administrators without restrictions bring a
//! finished removal's records back from its deletion archive, within the archive's retention.

use super::{internal, AppServices};
use crate::repo::{RestoreArgs, RestoreQueued};
use app::error::AppError;
use app::model::JobId;
use app::model::{CurrentUser, RestoreChoice, RestoreJob, Role};
use app::services::RemovalServices;

/// The most organizations one restore may name.
const MAX_CHOSEN: usize = 100_000;

impl AppServices {
    fn may_restore(user: &CurrentUser) -> Result<(), AppError> {
        if user.role == Role::Administrator && !user.restricted {
            Ok(())
        } else {
            Err(AppError::forbidden("restore a removal"))
        }
    }
}

#[async_trait::async_trait]
impl app::services::RestoreServices for AppServices {
    async fn restore_choices(
        &self,
        user: &CurrentUser,
        removal: JobId,
    ) -> Result<Vec<RestoreChoice>, AppError> {
        Self::may_restore(user)?;
        // Within the retention period, or a 404 that says the archive expired.
        self.removal_archive(user, removal).await?;
        self.repo
            .restore_choices(user.account_id, removal)
            .await
            .map_err(internal("reading what a removal can restore"))?
            .ok_or_else(|| AppError::not_found("That removal"))
    }

    async fn start_restore(
        &self,
        user: &CurrentUser,
        removal: JobId,
        organizations: Option<Vec<i64>>,
    ) -> Result<RestoreJob, AppError> {
        Self::may_restore(user)?;
        let organizations = match organizations {
            Some(mut ids) => {
                if ids.is_empty() {
                    return Err(AppError::invalid_input(
                        "Choose at least one organization to restore, or restore all",
                    ));
                }
                if ids.len() > MAX_CHOSEN {
                    return Err(AppError::invalid_input(format!(
                        "Choose at most {MAX_CHOSEN} organizations, or restore all"
                    )));
                }
                ids.sort_unstable();
                ids.dedup();
                Some(ids)
            }
            None => None,
        };
        self.removal_archive(user, removal).await?;
        let queued = self
            .repo
            .queue_restore(
                user.account_id,
                Some(user.user_id),
                &RestoreArgs {
                    removal,
                    organizations,
                },
            )
            .await
            .map_err(internal("queueing a restore"))?;
        crate::feed::changed(&self.repo.db, user.account_id).await;
        let job = match queued {
            RestoreQueued::Job(job) => job,
            RestoreQueued::NotFound => return Err(AppError::not_found("That removal")),
            RestoreQueued::NotFinished => {
                return Err(AppError::conflict(
                    "This removal has not ended yet: restore it once it has \
                            finished",
                ))
            }
            RestoreQueued::Nothing => {
                return Err(AppError::conflict(
                    "Nothing of this is left to restore: its records came back \
                            already",
                ))
            }
            RestoreQueued::AlreadyQueued => {
                return Err(AppError::conflict(
                    "A restore of this removal is already queued or running: wait \
                        until it ends",
                ))
            }
        };
        self.repo
            .restore_jobs(user.account_id, Some(job))
            .await
            .map_err(internal("reading a restore"))?
            .pop()
            .ok_or_else(|| AppError::not_found("That restore"))
    }

    async fn restores(&self, user: &CurrentUser) -> Result<Vec<RestoreJob>, AppError> {
        Self::may_restore(user)?;
        self.repo
            .restore_jobs(user.account_id, None)
            .await
            .map_err(internal("listing restores"))
    }
}
