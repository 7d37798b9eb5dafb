//! Manage Data and items: the summary, lists, View, the edit pencil, Disable sync, Reconnect, a row's Pause and Disconnect.

use super::{internal, sync_error, AppServices, Lookup};
use crate::repo::Activity;
use app::error::AppError;
use app::model::RunId;
use app::model::{
    CatalogCategory, CatalogValueId, CurrentUser, DisconnectedItem, HeldPage, IntegrationId,
    ItemKind, ItemPage, ManageData, PreviewPage, PreviewQuery, SyncMode, SyncTrigger,
};

/// The longest sort key a View page's position may carry (names are far shorter).
const MAX_CURSOR_KEY: usize = 10_000;

#[async_trait::async_trait]
impl app::services::ItemServices for AppServices {
    async fn manage_data(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<ManageData, AppError> {
        let summary = self
            .repo
            .integration(user.account_id, integration)
            .await
            .found("loading an integration", "That integration")?;
        self.repo
            .manage_data(user, summary)
            .await
            .map_err(internal("computing Manage Data"))
    }
    async fn items(
        &self,
        user: &CurrentUser,
        kind: ItemKind,
        search: &str,
        page: u32,
        show_inactive_orphans: bool,
    ) -> Result<ItemPage, AppError> {
        if search.len() > 200 {
            return Err(AppError::invalid_input(
                "The search is too long: use at most 200 characters",
            ));
        }
        let search = app::model::ItemSearch::parse(search).map_err(AppError::invalid_input)?;
        self.repo
            .items(user, kind, &search, page, show_inactive_orphans)
            .await
            .map_err(internal("listing items"))
    }
    async fn organization(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> Result<app::model::OrganizationDetail, AppError> {
        self.repo
            .organization_detail(user, id)
            .await
            .found("reading an organization", "That organization")
    }
    async fn preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        query: PreviewQuery,
    ) -> Result<PreviewPage, AppError> {
        // A page's position comes back as the client got it; a name is never this long, no
        // name holds a NUL (PostgreSQL cannot store one), and a last-synced key is a time.
        if let app::model::PreviewPageAt::After(c) | app::model::PreviewPageAt::Before(c) =
            &query.at
        {
            let not_a_time = query.sort == app::model::PreviewSort::LastSynced
                && crate::repo::synced_key(&c.key).is_none();
            if c.key.chars().count() > MAX_CURSOR_KEY || c.key.contains('\0') || not_a_time {
                return Err(AppError::invalid_input(
                    "That page's position is not valid: open the row's View again from \
                        its first page",
                ));
            }
        }
        self.own_integration(user, integration).await?;
        self.repo
            .preview(user, integration, &query)
            .await
            .found("reading a preview page", "That Manage Data row")
    }
    async fn edit_item(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
        type_value: CatalogValueId,
        status_value: CatalogValueId,
    ) -> Result<(), AppError> {
        if !user.role.can_edit_items() {
            return Err(AppError::forbidden("change an item's type or status"));
        }
        let (type_cat, status_cat) = match kind {
            ItemKind::Organization => (
                CatalogCategory::OrganizationType,
                CatalogCategory::OrganizationStatus,
            ),
            ItemKind::Configuration => (
                CatalogCategory::ConfigurationType,
                CatalogCategory::ConfigurationStatus,
            ),
            _ => {
                return Err(AppError::invalid_input(
                    "Only organizations and configurations have a type and a status to \
                        edit",
                ))
            }
        };
        let item = self
            .repo
            .item_link(user, integration, kind, id)
            .await
            .found("loading an item", "That item")?;
        let psa_value = |category, value: CatalogValueId| async move {
            self.repo
                .catalog_psa_id(user.account_id, integration, category, value.0)
                .await
                .map_err(internal("loading a catalog value"))?
                .ok_or_else(|| {
                    AppError::invalid_input(
                        "That type or status is not one \
                    of this PSA's: reload the page and try again",
                    )
                })
        };
        let type_psa = psa_value(type_cat, type_value).await?;
        let status_psa = psa_value(status_cat, status_value).await?;
        let connector = self
            .sync
            .connector(user.account_id, integration)
            .await
            .map_err(sync_error("building a PSA connector"))?;
        let name_of = |value: CatalogValueId| async move {
            self.repo
                .catalog_value(user.account_id, integration, value)
                .await
                .map_err(internal("loading a catalog value"))
                .map(|v| v.map(|v| v.name).unwrap_or_default())
        };
        let (new_type, new_status) = (name_of(type_value).await?, name_of(status_value).await?);
        let before = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        let details = serde_json::json!({
            "type": format!("{} → {new_type}", before(&item.type_name)),
            "status": format!("{} → {new_status}", before(&item.status_name)),
            "written to": "the PSA and Steward",
        });
        // The PSA first: if it refuses, nothing changes here and its own words are shown.
        let written = connector
            .set_classification(kind, item.psa_id, type_psa, status_psa)
            .await;
        let log = |outcome: &'static str, details: serde_json::Value| {
            let subject = format!("{}: {}", kind.plural().trim_end_matches('s'), item.name);
            async move {
                self.repo
                    .log_activity(Activity {
                        account: user.account_id,
                        user: Some(user.user_id),
                        actor: &user.email,
                        action: "item.edited",
                        subject: &subject,
                        details,
                        outcome,
                    })
                    .await
                    .map_err(internal("logging an activity"))
            }
        };
        if let Err(e) = written {
            let mut refused = details.clone();
            refused["written to"] = "nothing: the PSA refused".into();
            log("failed", refused).await?;
            return Err(AppError::conflict(format!(
                "The PSA refused the change, so nothing changed: {e}"
            )));
        }
        self.repo
            .set_item_classification(user.account_id, kind, id, type_value.0, status_value.0)
            .await
            .map_err(internal("saving an item's type and status"))?;
        log("succeeded", details).await
    }
    async fn disable_item_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
    ) -> Result<(), AppError> {
        if !user.role.can_edit_items() {
            return Err(AppError::forbidden("turn an item's sync off"));
        }
        let item = self
            .repo
            .item_link(user, integration, kind, id)
            .await
            .found("loading an item", "That item")?;
        if item.sync_state == "disabled" {
            return Ok(());
        }
        self.repo
            .disable_item_sync(user.account_id, integration, kind, id, &item, user.user_id)
            .await
            .map_err(internal("turning an item's sync off"))
    }
    async fn disconnected_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        page: u32,
    ) -> Result<(i64, Vec<DisconnectedItem>), AppError> {
        if page == 0 {
            return Err(AppError::invalid_input("Pages start at 1"));
        }
        self.own_integration(user, integration).await?;
        self.repo
            .disconnected_items(user, integration, kind, page)
            .await
            .map_err(internal("listing disconnected items"))
    }
    async fn reconnect(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        tombstone: i64,
    ) -> Result<String, AppError> {
        Self::may_manage(user, "reconnect items")?;
        let t = self
            .repo
            .tombstone(user, integration, tombstone)
            .await
            .found("loading a disconnected item", "That disconnected item")?;
        let connector = self
            .sync
            .connector(user.account_id, integration)
            .await
            .map_err(sync_error("building a PSA connector"))?;
        let exists = connector
            .exists(t.kind, t.psa_id, t.company_psa_id)
            .await
            .map_err(|e| {
                AppError::conflict(format!(
                    "The PSA could not be asked, so nothing changed: {e}"
                ))
            })?;
        if !exists {
            return Err(AppError::conflict(format!(
                "{} no longer exists in the PSA, so it cannot be reconnected",
                t.name
            )));
        }
        self.repo
            .reconnect(user.account_id, integration, tombstone, &t)
            .await
            .map_err(internal("reconnecting an item"))?;
        let next = match self
            .sync
            .start(
                user.account_id,
                integration,
                SyncMode::Full,
                SyncTrigger::Manual,
            )
            .await
        {
            Ok(_) => "the sync that just started",
            Err(_) => "the next full sync",
        };
        Ok(if t.item_id.is_some() {
            format!("Reconnected {}: it syncs again, from {next} on.", t.name)
        } else {
            format!(
                "Reconnected {}: {next} recreates it from the PSA (data that existed \
                    only in Steward does not come back).",
                t.name
            )
        })
    }
    async fn held_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        offset: i64,
    ) -> Result<HeldPage, AppError> {
        if !(0..=10_000_000).contains(&offset) {
            return Err(AppError::invalid_input(
                "That page of held items does not exist: go back to the first page",
            ));
        }
        let summary = self
            .repo
            .integration(user.account_id, integration)
            .await
            .found("loading an integration", "That integration")?;
        let (items, total) = self
            .repo
            .held_items(user, integration, kind, offset)
            .await
            .map_err(internal("listing held items"))?;
        Ok(HeldPage {
            integration: summary,
            kind,
            items,
            total,
            offset,
            page_size: crate::repo::HELD_PAGE,
            rights: app::model::Rights::of(user),
        })
    }
    async fn decide_held(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        confirm: bool,
        run: RunId,
    ) -> Result<String, AppError> {
        if !app::model::Rights::of(user).administer {
            return Err(AppError::forbidden(if confirm {
                "confirm held orphanings"
            } else {
                "discard held orphanings"
            }));
        }
        self.repo
            .integration(user.account_id, integration)
            .await
            .found("loading an integration", "That integration")?;
        let done = self
            .repo
            .decide_held(user, integration, kind, confirm, run)
            .await
            .map_err(internal("deciding held orphanings"))?
            .ok_or_else(|| {
                AppError::conflict(
                    "What is held changed since you looked (a newer sync held again, \
                        or another Administrator decided): look at Manage Data again",
                )
            })?;
        let noun = kind.plural().to_lowercase();
        Ok(if confirm {
            format!(
                "Confirmed: {} {noun} became orphans (deleted in the PSA). They are \
                    under Orphaned Data.",
                app::components::fmt_count(done.items)
            )
        } else {
            format!(
                "Discarded: {} {noun} stay as they were. The next full sync looks at \
                    them again.",
                app::components::fmt_count(done.items)
            )
        })
    }
    async fn pause_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<String, AppError> {
        Self::may_manage(user, "pause syncing")?;
        Self::unrestricted(user, "pause syncing")?;
        let v = self.row_value(user, integration, value).await?;
        self.repo
            .pause_row(
                user.account_id,
                integration,
                &v,
                Some(user.user_id),
                &user.email,
            )
            .await
            .map_err(internal("pausing a type or status"))?;
        Ok(format!(
            "{} {}: {} no longer syncs (Sync Active: No). Its items become orphans \
                after the next full sync; check it again in Configuration to resume.",
            v.category.kind().plural(),
            v.category.dimension(),
            v.name
        ))
    }
    async fn row_disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError> {
        Self::may_manage(user, "disconnect items")?;
        Self::unrestricted(user, "disconnect items")?;
        let v = self.row_value(user, integration, value).await?;
        self.repo
            .row_disconnect_counts(user.account_id, integration, &v)
            .await
            .map_err(internal("counting a row's items"))
    }
    async fn disconnect_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError> {
        Self::may_manage(user, "disconnect items")?;
        Self::unrestricted(user, "disconnect items")?;
        let v = self.row_value(user, integration, value).await?;
        self.repo
            .disconnect_row(
                user.account_id,
                integration,
                &v,
                Some(user.user_id),
                &user.email,
            )
            .await
            .map_err(internal("disconnecting a type or status"))?
            .ok_or_else(|| {
                AppError::conflict(
                    "A sync is running: wait for it to end (see Logs), then disconnect",
                )
            })
    }
}
