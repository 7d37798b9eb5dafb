//! Manage Data and items: the summary, lists, View, the edit pencil, Disable sync, Reconnect, a row's Pause and Disconnect.

use super::*;

#[async_trait::async_trait]
pub trait ItemServices: Send + Sync + 'static {
    async fn manage_data(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<ManageData, AppError>;
    async fn items(
        &self,
        user: &CurrentUser,
        kind: ItemKind,
        search: &str,
        page: u32,
        show_inactive_orphans: bool,
    ) -> Result<ItemPage, AppError>;
    /// An organization's page: what it is and what is inside it (a restricted user's own
    /// organizations only).
    async fn organization(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> Result<OrganizationDetail, AppError>;
    /// View: one page of a Manage Data row's items.
    async fn preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        query: PreviewQuery,
    ) -> Result<PreviewPage, AppError>;
    /// The edit pencil: a new type and status for an organization or configuration, written to
    /// the PSA first and then applied here; nothing changes when the PSA refuses.
    async fn edit_item(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
        type_value: CatalogValueId,
        status_value: CatalogValueId,
    ) -> Result<(), AppError>;
    /// Disable sync for one item (red plug); it then shows under Disconnected Data.
    async fn disable_item_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
    ) -> Result<(), AppError>;
    /// Disconnected Data's View: the individually disconnected items of a kind, newest first, a
    /// page (from 1) of `DISCONNECTED_PAGE`, and their total.
    async fn disconnected_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        page: u32,
    ) -> Result<(i64, Vec<DisconnectedItem>), AppError>;
    /// Reconnect one disconnected item, if the PSA still has it; says what happens next.
    async fn reconnect(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        tombstone: i64,
    ) -> Result<String, AppError>;
    /// Held orphanings' View (sync rule 1b): a page of the held items of a kind, from `offset`.
    async fn held_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        offset: i64,
    ) -> Result<HeldPage, AppError>;
    /// Confirm (`confirm`: the held items of a kind become orphans, "deleted in PSA") or
    /// Discard (they stay as they were; the next full sync looks again): Administrators only.
    /// `run` is the sync run whose held items the Administrator saw (`ManageData::held_run`):
    /// a conflict when what is held now is another run's. Says what was done.
    async fn decide_held(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        confirm: bool,
        run: RunId,
    ) -> Result<String, AppError>;
    /// Pause (a Synced Items row): unchecks its type or status at once; says what happens next.
    async fn pause_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<String, AppError>;
    /// What "Permanently disconnect records" of a row makes stand-alone.
    async fn row_disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// "Permanently disconnect records … but keep all data" of a row, in one transaction.
    async fn disconnect_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
}
