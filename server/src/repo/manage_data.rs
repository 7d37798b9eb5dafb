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

/// What the summary counts: items by catalog value and sync state, orphans by kind and reason,
/// Disconnected Data by kind.
#[derive(Default)]
struct Tally {
    synced: HashMap<(CatalogCategory, i64), SyncStateCounts>,
    orphans: HashMap<ItemKind, Vec<(OrphanReason, i64)>>,
    disconnected: HashMap<ItemKind, i64>,
}

/// Kept delta rows beyond which the reader folds them into one row per key (PostgreSQL, where
/// triggers append deltas; a few hundred keys is a large account).
pub(crate) const COMPACT_ABOVE: i64 = 2_000;

impl Repo {
    /// The Manage Data screen. An unrestricted user's counts are the kept ones (`item_counts`,
    /// kept by triggers in the transaction of every change); a restricted user's are counted
    /// afresh over their organizations.
    pub async fn manage_data(
        &self,
        user: &CurrentUser,
        integration: IntegrationSummary,
    ) -> anyhow::Result<ManageData> {
        let tally = if user.restricted {
            self.counted_tally(user, integration.id.0).await?
        } else {
            self.kept_tally(user.account_id.0, integration.id.0).await?
        };
        self.summary(user, integration, tally).await
    }

    /// The same screen with every count taken afresh from the items: what the kept counts must
    /// always equal (the kept-counts test compares them after every kind of change).
    pub async fn manage_data_recounted(
        &self,
        user: &CurrentUser,
        integration: IntegrationSummary,
    ) -> anyhow::Result<ManageData> {
        let tally = self.counted_tally(user, integration.id.0).await?;
        self.summary(user, integration, tally).await
    }

    /// The kept counts of an account's integration: a few hundred rows summed by key.
    async fn kept_tally(&self, account: i64, iid: i64) -> anyhow::Result<Tally> {
        let rows: Vec<(String, i64, i64, String, String, i64, i64)> =
            on_db!(&self.db, |pool| sqlx::query_as(
                "SELECT item_kind, type_id, status_id, sync_state, orphan_reason,
                        CAST(SUM(n) AS BIGINT), COUNT(*)
                 FROM item_counts WHERE account_id = $1 AND integration_id = $2
                 GROUP BY item_kind, type_id, status_id, sync_state, orphan_reason"
            )
            .bind(account)
            .bind(iid)
            .fetch_all(pool)
            .await)?;
        let kept_rows: i64 = rows.iter().map(|r| r.6).sum();
        if kept_rows > COMPACT_ABOVE {
            self.compact_counts(account).await?;
        }
        let mut tally = Tally::default();
        let mut orphans: HashMap<(ItemKind, OrphanReason), i64> = HashMap::new();
        for (kind, type_id, status_id, state, reason, n, _) in rows {
            if n == 0 {
                continue;
            }
            let kind = parse_or(&kind, ItemKind::parse, "item kind")?;
            if state == "disconnected" {
                *tally.disconnected.entry(kind).or_default() += n;
                continue;
            }
            let state = parse_or(&state, SyncState::parse, "sync state")?;
            for &category in CatalogCategory::ALL {
                if category.kind() != kind {
                    continue;
                }
                let value = match category {
                    CatalogCategory::OrganizationStatus | CatalogCategory::ConfigurationStatus => {
                        status_id
                    }
                    _ => type_id,
                };
                if value != 0 {
                    tally
                        .synced
                        .entry((category, value))
                        .or_default()
                        .add(state, n);
                }
            }
            if state == SyncState::Orphaned {
                let reason = parse_or(&reason, OrphanReason::parse, "orphan reason")?;
                *orphans.entry((kind, reason)).or_default() += n;
            }
        }
        for ((kind, reason), n) in orphans {
            if n != 0 {
                tally.orphans.entry(kind).or_default().push((reason, n));
            }
        }
        Ok(tally)
    }

    /// How many linked items of `kind` the kept counts hold for a Synced Items row (a type's or
    /// a status's items) or, with no row, the kind's orphans: View's total without a COUNT.
    /// A Manage Data row's kept count cells: (type, status, sync state, orphan reason, items),
    /// the ids 0 and the texts '' where the item has none, every cell holding at least one item.
    pub(crate) async fn kept_row_cells(
        &self,
        account: i64,
        iid: i64,
        kind: ItemKind,
        row: Option<(CatalogCategory, i64)>,
    ) -> anyhow::Result<Vec<(i64, i64, String, String, i64)>> {
        let sql = format!(
            "SELECT type_id, status_id, sync_state, orphan_reason, CAST(SUM(n) AS \
                BIGINT) FROM item_counts
             WHERE account_id = $1 AND integration_id = $2 AND item_kind = $3 AND {}
             GROUP BY type_id, status_id, sync_state, orphan_reason HAVING SUM(n) > 0",
            kept_row_condition(row)
        );
        Ok(on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql)
                .bind(account)
                .bind(iid)
                .bind(kind.as_str());
            let q = match row {
                Some((_, value)) => q.bind(value),
                None => q,
            };
            q.fetch_all(pool).await
        })?)
    }

    pub(crate) async fn kept_row_count(
        &self,
        account: i64,
        iid: i64,
        kind: ItemKind,
        row: Option<(CatalogCategory, i64)>,
    ) -> anyhow::Result<i64> {
        let condition = kept_row_condition(row);
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM item_counts
             WHERE account_id = $1 AND integration_id = $2 AND item_kind = $3 AND {condition}"
        );
        Ok(on_db!(&self.db, |pool| {
            let q = sqlx::query_scalar(&sql)
                .bind(account)
                .bind(iid)
                .bind(kind.as_str());
            let q = match row {
                Some((_, value)) => q.bind(value),
                None => q,
            };
            q.fetch_one(pool).await
        })?)
    }

    /// Folds an account's kept count rows into one row per key. On PostgreSQL one statement
    /// deletes the deltas it sees and inserts their sums: a delta committed meanwhile is not
    /// seen, so stays; a fold running at the same moment waits for this one and then finds
    /// nothing of what it deleted. On SQLite (one row per key already) it drops the zeros.
    pub async fn compact_counts(&self, account: i64) -> anyhow::Result<()> {
        match &self.db {
            crate::db::Db::Sqlite(pool) => {
                sqlx::query("DELETE FROM item_counts WHERE account_id = $1 AND n = 0")
                    .bind(account)
                    .execute(pool)
                    .await?;
            }
            crate::db::Db::Postgres(pool) => {
                sqlx::query(
                    "WITH gone AS (
                         DELETE FROM item_counts WHERE account_id = $1
                         RETURNING account_id, integration_id, item_kind, type_id, status_id,
                                   sync_state, orphan_reason, active, n)
                     INSERT INTO item_counts (account_id, integration_id, item_kind, type_id,
                                              status_id, sync_state, orphan_reason, active, n)
                     SELECT account_id, integration_id, item_kind, type_id, status_id,
                            sync_state, orphan_reason, active, SUM(n)
                     FROM gone
                     GROUP BY account_id, integration_id, item_kind, type_id, status_id,
                              sync_state, orphan_reason, active
                     HAVING SUM(n) <> 0",
                )
                .bind(account)
                .execute(pool)
                .await?;
                // The fold leaves every row it deleted dead in the table until autovacuum comes
                // by (up to a minute later), and until then each read scans them: the summary
                // took 5.9 ms at XL after a fold and 0.5 ms once vacuumed (90,623 rows folded
                // into 359; the vacuum itself 12 ms). SKIP_LOCKED: if a vacuum of the table is
                // already running (another fold, autovacuum) this one is not needed. Only an
                // optimisation: a vacuum that fails (a role that does not own the table) is
                // logged, and the read that folded goes on.
                if let Err(e) = sqlx::raw_sql("VACUUM (ANALYZE, SKIP_LOCKED) item_counts")
                    .execute(pool)
                    .await
                {
                    tracing::warn!(error = %e, "vacuum of item_counts after a fold failed");
                }
            }
        }
        Ok(())
    }

    /// Every count taken afresh from the items, over the user's organizations if restricted:
    /// grouped counts over the indexes made for them.
    async fn counted_tally(&self, user: &CurrentUser, iid: i64) -> anyhow::Result<Tally> {
        let account = user.account_id.0;
        let mut tally = Tally::default();
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
            let rows: Vec<(i64, String, i64)> = on_db!(&self.db, |pool| {
                let q = sqlx::query_as(&sql).bind(account).bind(iid);
                let q = if user.restricted {
                    q.bind(user.user_id.0)
                } else {
                    q
                };
                q.fetch_all(pool).await
            })?;
            for (value, state, n) in rows {
                let state = parse_or(&state, SyncState::parse, "sync state")?;
                tally
                    .synced
                    .entry((category, value))
                    .or_default()
                    .add(state, n);
            }
        }
        for &kind in ItemKind::ALL {
            let sql = format!(
                "SELECT orphan_reason, COUNT(*) FROM {table}
                 WHERE account_id = $1 AND integration_id = $2 AND sync_state = 'orphaned'{access}
                 GROUP BY orphan_reason",
                table = table(kind),
                access = access_filter(user, organization_column(kind), 3),
            );
            let rows: Vec<(String, i64)> = on_db!(&self.db, |pool| {
                let q = sqlx::query_as(&sql).bind(account).bind(iid);
                let q = if user.restricted {
                    q.bind(user.user_id.0)
                } else {
                    q
                };
                q.fetch_all(pool).await
            })?;
            let by_reason = rows
                .into_iter()
                .map(|(r, n)| Ok((parse_or(&r, OrphanReason::parse, "orphan reason")?, n)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if !by_reason.is_empty() {
                tally.orphans.insert(kind, by_reason);
            }
        }
        let sql = format!(
            "SELECT item_kind, COUNT(*) FROM disconnected_items
             WHERE account_id = $1 AND integration_id = $2{access} GROUP BY item_kind",
            access = access_filter(user, "organization_id", 3),
        );
        let rows: Vec<(String, i64)> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql).bind(account).bind(iid);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            q.fetch_all(pool).await
        })?;
        for (kind, n) in rows {
            tally
                .disconnected
                .insert(parse_or(&kind, ItemKind::parse, "item kind")?, n);
        }
        Ok(tally)
    }

    /// The screen: the catalog's rows in category order, then by name, with the tally's counts.
    async fn summary(
        &self,
        user: &CurrentUser,
        integration: IntegrationSummary,
        mut tally: Tally,
    ) -> anyhow::Result<ManageData> {
        let values: Vec<(i64, String, String, bool)> = on_db!(&self.db, |pool| sqlx::query_as(
            "SELECT id, category, name, sync_enabled FROM psa_catalog_values
             WHERE account_id = $1 AND integration_id = $2 ORDER BY name, id"
        )
        .bind(user.account_id.0)
        .bind(integration.id.0)
        .fetch_all(pool)
        .await)?;
        let mut synced_items = Vec::with_capacity(values.len());
        for (id, category, name, sync_active) in values {
            let category = parse_or(&category, CatalogCategory::parse, "catalog category")?;
            synced_items.push(SyncedItemsRow {
                category,
                value_id: CatalogValueId(id),
                value_name: name,
                sync_active,
                counts: tally
                    .synced
                    .get(&(category, id))
                    .copied()
                    .unwrap_or_default(),
            });
        }
        synced_items.sort_by_key(|r| r.category);

        let orphaned_data = ItemKind::ALL
            .iter()
            .map(|&kind| {
                let mut by_reason = tally.orphans.remove(&kind).unwrap_or_default();
                by_reason.sort();
                KindRow {
                    kind,
                    count: by_reason.iter().map(|(_, n)| n).sum(),
                    by_reason,
                }
            })
            .collect();
        let disconnected_data = ItemKind::ALL
            .iter()
            .map(|&kind| KindRow {
                kind,
                count: tally.disconnected.get(&kind).copied().unwrap_or(0),
                by_reason: Vec::new(),
            })
            .collect();

        let held_run = self.held_run(user, integration.id).await?;
        let held = self
            .held_counts(user, integration.id)
            .await?
            .into_iter()
            .map(|(kind, count)| KindRow {
                kind,
                count,
                by_reason: Vec::new(),
            })
            .collect();
        Ok(ManageData {
            integration,
            synced_items,
            orphaned_data,
            disconnected_data,
            held,
            held_run: held_run.map(app::model::RunId),
            rights: app::model::Rights::of(user),
        })
    }
}

/// The kept counts' condition for a Manage Data row: a type or status value ($4), or the orphans.
fn kept_row_condition(row: Option<(CatalogCategory, i64)>) -> &'static str {
    match row {
        Some((CatalogCategory::OrganizationStatus | CatalogCategory::ConfigurationStatus, _)) => {
            "status_id = $4 AND sync_state <> 'disconnected'"
        }
        Some(_) => "type_id = $4 AND sync_state <> 'disconnected'",
        None => "sync_state = 'orphaned'",
    }
}
