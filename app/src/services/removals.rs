//! Removals: impact, queueing, progress, cancel, archives.

use super::*;

#[async_trait::async_trait]
pub trait RemovalServices: Send + Sync + 'static {
    /// Delete: what deleting the target's items removes. Managers and Administrators; a
    /// type-or-status target needs the account's feature.
    async fn removal_impact(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
    ) -> Result<RemovalImpact, AppError>;
    /// Queues the removal once the user typed the number of items; Managers and Administrators.
    async fn start_removal(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
        typed: String,
    ) -> Result<RemovalJob, AppError>;
    /// A removal whose deletion archive the user may download (Administrators, within the
    /// retention period); the server streams the archive itself page by page.
    async fn removal_archive(&self, user: &CurrentUser, job: JobId)
        -> Result<RemovalJob, AppError>;
    /// A removal and its progress.
    async fn removal(&self, user: &CurrentUser, job: JobId) -> Result<RemovalJob, AppError>;
    /// Cancel removal: a queued one ends now, a running one after its current chunk.
    async fn cancel_removal(&self, user: &CurrentUser, job: JobId) -> Result<RemovalJob, AppError>;
    /// The Removals page: the account's removals, current and past, newest first; Managers and
    /// Administrators.
    async fn removals(&self, user: &CurrentUser) -> Result<Vec<RemovalJob>, AppError>;
}
