//! The Manage Data summary: counts by kind × type-or-status × sync state, orphans by reason, and
//! disconnected items, each a grouped count over the indexes made for it.

use super::{access_filter, parse_or, Repo};
use crate::on_db;
use app::model::{
    CatalogCategory, CatalogValueId, CurrentUser, IntegrationSummary, ItemKind, KindRow,
    ManageData, OrphanReason, SyncState, SyncStateCounts, SyncedItemsRow,
};
use std::collections::HashMap;

/// The table of an item kind.
pub(crate) fn table(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Organization => "organizations",
        ItemKind::Configuration => "configurations",
        ItemKind::Contact => "contacts",
        ItemKind::Location => "locations",
    }
}

/// The column holding the organization an item belongs to (for access checks).
pub(crate) fn organization_column(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Organization => "id",
        _ => "organization_id",
    }
}

/// The item column a catalog category classifies.
pub(crate) fn catalog_column(category: CatalogCategory) -> &'static str {
    match category {
        CatalogCategory::OrganizationType => "organization_type_id",
        CatalogCategory::OrganizationStatus => "organization_status_id",
        CatalogCategory::ConfigurationType => "configuration_type_id",
        CatalogCategory::ConfigurationStatus => "configuration_status_id",
        CatalogCategory::ContactType => "contact_type_id",
    }
}

impl Repo {
    pub async fn manage_data(
        &self,
        user: &CurrentUser,
        integration: IntegrationSummary,
    ) -> anyhow::Result<ManageData> {
        let account = user.account_id.0;
        let iid = integration.id.0;

        // The catalog: one Synced Items row per value, in category order, then by name.
        let values: Vec<(i64, String, String, bool)> = on_db!(&self.db, pool => sqlx::query_as(
            "SELECT id, category, name, sync_enabled FROM psa_catalog_values
             WHERE account_id = $1 AND integration_id = $2 ORDER BY name, id")
            .bind(account).bind(iid).fetch_all(pool).await)?;
        let mut synced_items = Vec::with_capacity(values.len());
        for (id, category, name, sync_active) in values {
            synced_items.push(SyncedItemsRow {
                category: parse_or(&category, CatalogCategory::parse, "catalog category")?,
                value_id: CatalogValueId(id),
                value_name: name,
                sync_active,
                counts: SyncStateCounts::default(),
            });
        }
        synced_items.sort_by_key(|r| r.category);

        let mut counts: HashMap<(CatalogCategory, i64), SyncStateCounts> = HashMap::new();
        for &category in CatalogCategory::ALL {
            let kind = category.kind();
            let col = catalog_column(category);
            let sql = format!(
                "SELECT {col}, sync_state, COUNT(*) FROM {table}
                 WHERE account_id = $1 AND integration_id = $2 AND {col} IS NOT NULL{access}
                 GROUP BY {col}, sync_state",
                table = table(kind),
                access = access_filter(user, organization_column(kind), 3),
            );
            let rows: Vec<(i64, String, i64)> = on_db!(&self.db, pool => {
                let q = sqlx::query_as(&sql).bind(account).bind(iid);
                let q = if user.restricted { q.bind(user.user_id.0) } else { q };
                q.fetch_all(pool).await
            })?;
            for (value, state, n) in rows {
                let state = parse_or(&state, SyncState::parse, "sync state")?;
                counts.entry((category, value)).or_default().add(state, n);
            }
        }
        for row in &mut synced_items {
            if let Some(c) = counts.get(&(row.category, row.value_id.0)) {
                row.counts = *c;
            }
        }

        let mut orphaned_data = Vec::new();
        for &kind in ItemKind::ALL {
            let sql = format!(
                "SELECT orphan_reason, COUNT(*) FROM {table}
                 WHERE account_id = $1 AND integration_id = $2 AND sync_state = 'orphaned'{access}
                 GROUP BY orphan_reason ORDER BY orphan_reason",
                table = table(kind),
                access = access_filter(user, organization_column(kind), 3),
            );
            let rows: Vec<(String, i64)> = on_db!(&self.db, pool => {
                let q = sqlx::query_as(&sql).bind(account).bind(iid);
                let q = if user.restricted { q.bind(user.user_id.0) } else { q };
                q.fetch_all(pool).await
            })?;
            let mut by_reason = rows
                .into_iter()
                .map(|(r, n)| Ok((parse_or(&r, OrphanReason::parse, "orphan reason")?, n)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            by_reason.sort();
            orphaned_data.push(KindRow {
                kind,
                count: by_reason.iter().map(|(_, n)| n).sum(),
                by_reason,
            });
        }

        let sql = format!(
            "SELECT item_kind, COUNT(*) FROM disconnected_items
             WHERE account_id = $1 AND integration_id = $2{access} GROUP BY item_kind",
            access = access_filter(user, "organization_id", 3),
        );
        let rows: Vec<(String, i64)> = on_db!(&self.db, pool => {
            let q = sqlx::query_as(&sql).bind(account).bind(iid);
            let q = if user.restricted { q.bind(user.user_id.0) } else { q };
            q.fetch_all(pool).await
        })?;
        let by_kind: HashMap<String, i64> = rows.into_iter().collect();
        let disconnected_data = ItemKind::ALL
            .iter()
            .map(|&kind| KindRow {
                kind,
                count: by_kind.get(kind.as_str()).copied().unwrap_or(0),
                by_reason: Vec::new(),
            })
            .collect();

        Ok(ManageData {
            integration,
            synced_items,
            orphaned_data,
            disconnected_data,
            rights: app::model::Rights::of(user),
        })
    }
}
