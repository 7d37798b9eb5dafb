//! Integrations: adding one, its credentials, sync runs and settings, pause and disconnect.

use super::*;

#[async_trait::async_trait]
pub trait IntegrationServices: Send + Sync + 'static {
    async fn integrations(&self, user: &CurrentUser) -> Result<Vec<IntegrationSummary>, AppError>;
    /// Start Manual Sync: a full run now, or the running one if a run is going.
    async fn start_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncStarted, AppError>;
    /// Pause Sync (true) / Resume Sync (false).
    async fn set_sync_paused(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        paused: bool,
    ) -> Result<IntegrationSummary, AppError>;
    /// The integration's sync runs, newest first.
    async fn sync_runs(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<SyncRun>, AppError>;
    /// One run (its progress while it runs).
    async fn sync_run(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        run: RunId,
    ) -> Result<SyncRun, AppError>;
    /// One run's events, errors first, `page` 1-based.
    async fn sync_events(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        run: RunId,
        page: u32,
    ) -> Result<Vec<SyncEvent>, AppError>;
    async fn sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncSettings, AppError>;
    /// The integration's credentials, keys redacted.
    async fn credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<CredentialsView, AppError>;
    /// Tries credentials (empty keys: the saved ones) against the PSA without saving them.
    async fn test_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<(), AppError>;
    /// Saves credentials (empty keys: the saved ones), sealed.
    async fn save_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<CredentialsView, AppError>;
    /// Add integration's Test connection.
    async fn test_new_integration(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<(), AppError>;
    /// Add integration: the PSA accepts the credentials, they are sealed, and its catalog is
    /// read (unchecked) for the sync settings. The new integration's id.
    async fn add_integration(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<IntegrationId, AppError>;
    /// How many items of each kind Disconnect would make stand-alone.
    async fn disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// Disconnect the whole integration: its items become stand-alone, nothing is deleted.
    async fn disconnect_integration(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// What a settings change would do at the next full sync.
    async fn preview_sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        change: SyncSettingsChange,
    ) -> Result<SyncSettingsEffect, AppError>;
    async fn change_sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        change: SyncSettingsChange,
    ) -> Result<SyncSettings, AppError>;
}
