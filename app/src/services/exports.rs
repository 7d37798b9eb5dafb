//! Account > Export: a backup of the whole account, queued, downloadable when done.

use super::*;

#[async_trait::async_trait]
pub trait ExportServices: Send + Sync + 'static {
    /// Queues an export of the account (Administrators without restrictions). Its password
    /// secrets are sealed with a key derived from `passphrase` (at least 12 characters), which
    /// `steward account import` asks for.
    async fn start_export(
        &self,
        user: &CurrentUser,
        passphrase: String,
    ) -> Result<ExportJob, AppError>;
    /// The account's exports, newest first.
    async fn exports(&self, user: &CurrentUser) -> Result<Vec<ExportJob>, AppError>;
    /// An export whose file can be downloaded (written, within the retention period).
    async fn export_file(&self, user: &CurrentUser, job: JobId) -> Result<ExportJob, AppError>;
}
