//! Undo a removal: what a removal's archive can bring back, queueing a restore, its progress.

use super::*;

#[async_trait::async_trait]
pub trait RestoreServices: Send + Sync + 'static {
    /// The organizations whose records a finished removal can still bring back
    /// (Administrators without restrictions, within the archive's retention).
    async fn restore_choices(
        &self,
        user: &CurrentUser,
        removal: JobId,
    ) -> Result<Vec<RestoreChoice>, AppError>;
    /// Restore: queues bringing back the removal's records, in the chosen organizations only
    /// when `organizations` is given.
    async fn start_restore(
        &self,
        user: &CurrentUser,
        removal: JobId,
        organizations: Option<Vec<i64>>,
    ) -> Result<RestoreJob, AppError>;
    /// The account's restores, newest first, with what each brought back and what it could not.
    async fn restores(&self, user: &CurrentUser) -> Result<Vec<RestoreJob>, AppError>;
}
