//! View: the preview table of a Manage Data row, keyset-paged (the last page costs what the first
//! does), sortable by each column, limited to what the user may access.

use super::{parse_or, Repo};
use crate::on_db;
use app::model::{
    CatalogCategory, CurrentUser, IntegrationId, ItemKind, OrphanReason, PreviewCursor,
    PreviewItem, PreviewPage, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, SyncState,
    PREVIEW_PAGE_SIZE,
};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap};

/// Pushes a View's filter (`PageQuery`) with its binds onto a query over `{table} i`.
macro_rules! push_filter {
    ($qb:expr, $p:expr) => {{
        $qb.push(" WHERE i.account_id = ")
            .push_bind($p.account)
            .push(" AND i.integration_id = ")
            .push_bind($p.integration);
        match $p.value_filter {
            Some((col, v)) => {
                $qb.push(format!(" AND i.{col} = ")).push_bind(v);
            }
            None => {
                $qb.push(" AND i.sync_state = 'orphaned'");
            }
        }
        if let Some((org_id, user)) = $p.restricted {
            $qb.push(format!(
                " AND {org_id} IN (SELECT organization_id FROM user_organization_access WHERE user_id = "
            ))
            .push_bind(user)
            .push(")");
        }
    }};
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    bool,
    String,
);

/// (table, name, organization name, type column, status column, organization id column).
fn shape(
    kind: ItemKind,
) -> (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
) {
    match kind {
        ItemKind::Organization => (
            "organizations",
            "i.name",
            "''",
            Some("organization_type_id"),
            Some("organization_status_id"),
            "i.id",
        ),
        ItemKind::Configuration => (
            "configurations",
            "i.name",
            "o.name",
            Some("configuration_type_id"),
            Some("configuration_status_id"),
            "i.organization_id",
        ),
        ItemKind::Contact => (
            "contacts",
            "i.first_name || ' ' || i.last_name",
            "o.name",
            Some("contact_type_id"),
            None,
            "i.organization_id",
        ),
        ItemKind::Location => (
            "locations",
            "i.name",
            "o.name",
            None,
            None,
            "i.organization_id",
        ),
    }
}

fn catalog_name(col: Option<&str>) -> String {
    col.map(|c| format!("(SELECT name FROM psa_catalog_values WHERE id = i.{c})"))
        .unwrap_or_else(|| "NULL".into())
}

impl Repo {
    /// One page of a row's preview; None when the row's value is not the integration's.
    pub async fn preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        q: &PreviewQuery,
    ) -> anyhow::Result<Option<PreviewPage>> {
        let kind = q.row.kind();
        let (table, name, org, type_col, status_col, org_id) = shape(kind);
        let (title, value_filter, kept_row) = match q.row {
            PreviewRow::Value { category, value } => {
                let found: Option<String> = on_db!(&self.db, pool => sqlx::query_scalar(
                    "SELECT name FROM psa_catalog_values WHERE id = $1 AND account_id = $2 AND integration_id = $3 AND category = $4")
                    .bind(value.0).bind(user.account_id.0).bind(integration.0).bind(category.as_str())
                    .fetch_optional(pool).await)?;
                let Some(value_name) = found else {
                    return Ok(None);
                };
                let col = match category {
                    CatalogCategory::OrganizationType
                    | CatalogCategory::ConfigurationType
                    | CatalogCategory::ContactType => type_col,
                    CatalogCategory::OrganizationStatus | CatalogCategory::ConfigurationStatus => {
                        status_col
                    }
                };
                let Some(col) = col else { return Ok(None) };
                (
                    format!(
                        "{} · {}: {}",
                        kind.plural(),
                        category.dimension(),
                        value_name
                    ),
                    Some((col, value.0)),
                    Some((category, value.0)),
                )
            }
            PreviewRow::Orphans { kind } => (
                format!("Orphaned {}", kind.plural().to_lowercase()),
                None,
                None,
            ),
        };
        // The row's total: kept (see `item_counts`) unless the user sees some organizations only.
        // A walk by groups reads the row's kept count cells; their sum is its kept total.
        let walked = match q.sort {
            PreviewSort::Name | PreviewSort::LastSynced => false,
            PreviewSort::Organization => kind == ItemKind::Organization,
            PreviewSort::Type
            | PreviewSort::Status
            | PreviewSort::SyncState
            | PreviewSort::OrphanReason => true,
        };
        let cells = if walked {
            Some(
                self.kept_row_cells(user.account_id.0, integration.0, kind, kept_row)
                    .await?,
            )
        } else {
            None
        };
        let kept_total = match (&cells, user.restricted) {
            (_, true) => None,
            (Some(cells), false) => Some(cells.iter().map(|c| c.4).sum()),
            (None, false) => Some(
                self.kept_row_count(user.account_id.0, integration.0, kind, kept_row)
                    .await?,
            ),
        };
        let join = if kind == ItemKind::Organization {
            String::new()
        } else {
            " JOIN organizations o ON o.id = i.organization_id".to_string()
        };
        let key = match q.sort {
            PreviewSort::Name => name.to_string(),
            PreviewSort::Organization => format!("COALESCE({org}, '')"),
            PreviewSort::Type => format!("COALESCE({}, '')", catalog_name(type_col)),
            PreviewSort::Status => format!("COALESCE({}, '')", catalog_name(status_col)),
            PreviewSort::SyncState => "COALESCE(i.sync_state, '')".into(),
            PreviewSort::OrphanReason => "COALESCE(i.orphan_reason, '')".into(),
            PreviewSort::LastSynced => "COALESCE(CAST(i.last_synced_at AS TEXT), '')".into(),
        };
        let (forward, cursor) = match &q.at {
            PreviewPageAt::First => (true, None),
            PreviewPageAt::Last => (false, None),
            PreviewPageAt::After(c) => (true, Some(c.clone())),
            PreviewPageAt::Before(c) => (false, Some(c.clone())),
        };
        // Reading backward flips the order; the rows are turned round afterwards.
        let ascending = forward != q.descending;
        let account = user.account_id.0;
        let need = PREVIEW_PAGE_SIZE + 1;
        let columns = format!(
            "SELECT i.id, {name}, {org}, {}, {}, i.sync_state, i.orphan_reason, i.last_synced_at,
             i.had_data_before_first_sync, {key}",
            catalog_name(type_col),
            catalog_name(status_col)
        );
        let select = format!("{columns} FROM {table} i{join}");
        let sqlite_via =
            |index: &str| format!("{columns} FROM {table} i INDEXED BY {table}_{index}{join}");
        let page = PageQuery {
            select: &select,
            sqlite_via: &sqlite_via,
            account,
            integration: integration.0,
            value_filter,
            restricted: user.restricted.then_some((org_id, user.user_id.0)),
            ascending,
        };
        let total = match kept_total {
            Some(n) => n,
            None => on_db!(&self.db, pool as DB => {
                let mut count = QueryBuilder::<DB>::new(format!("SELECT COUNT(*) FROM {table} i"));
                push_filter!(count, page);
                count.build_query_scalar::<i64>().fetch_one(pool).await
            })?,
        };
        let rows: Vec<Row> = match (q.sort, cells) {
            (sort, Some(cells)) => {
                let groups = self
                    .groups(account, sort, type_col, status_col, cells)
                    .await?;
                self.page_by_groups(&page, groups, cursor.as_ref(), need)
                    .await?
            }
            (PreviewSort::Organization, None) => {
                // SQLite is told the plan: from the organizations' names, then each one's
                // items (with sampled statistics it started from the row and sorted it).
                let select = match &self.db {
                    crate::db::Db::Sqlite(_) => format!(
                        "{columns} FROM organizations o CROSS JOIN {table} i INDEXED BY {table}_organization ON o.id = i.organization_id"
                    ),
                    crate::db::Db::Postgres(_) => select.clone(),
                };
                self.page_by_organization(&page, &select, cursor.as_ref(), need)
                    .await?
            }
            (PreviewSort::LastSynced, None) => {
                // SQLite's planner cannot tell a large row from a small one: it is told.
                let walk = (total > self.view_sort_whole_below).then(|| sqlite_via("by_synced"));
                self.page_by_synced(&page, walk.as_deref(), &key, cursor.as_ref(), need)
                    .await?
            }
            // Name has an index per kind.
            (_, None) => {
                self.page_sorted_whole(&page, &key, cursor.as_ref(), need)
                    .await?
            }
        };
        let more = rows.len() as i64 > PREVIEW_PAGE_SIZE;
        let mut rows: Vec<Row> = rows.into_iter().take(PREVIEW_PAGE_SIZE as usize).collect();
        if !forward {
            rows.reverse();
        }
        let cursor_of = |r: &Row| PreviewCursor {
            key: r.9.clone(),
            id: r.0,
        };
        let first = rows.first().map(cursor_of);
        let last = rows.last().map(cursor_of);
        let (has_previous, has_next) = match &q.at {
            PreviewPageAt::First => (false, more),
            PreviewPageAt::Last => (more, false),
            PreviewPageAt::After(_) => (true, more),
            PreviewPageAt::Before(_) => (more, true),
        };
        let items = rows
            .into_iter()
            .map(|(id, name, org, t, s, state, reason, synced, had, _)| {
                Ok(PreviewItem {
                    id,
                    name,
                    organization: org,
                    type_name: t,
                    status_name: s,
                    sync_state: state
                        .map(|s| parse_or(&s, SyncState::parse, "sync state"))
                        .transpose()?,
                    orphan_reason: reason
                        .map(|r| parse_or(&r, OrphanReason::parse, "orphan reason"))
                        .transpose()?,
                    last_synced_at: synced,
                    had_data_before_first_sync: had,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Some(PreviewPage {
            title,
            kind,
            total,
            items,
            first,
            last,
            has_previous,
            has_next,
            rights: app::model::Rights::of(user),
        }))
    }
}

/// A View sorted by last synced sorts a row of at most this many items whole on SQLite (a few
/// milliseconds), and walks `*_by_synced` for a larger one (about 50 × the kind's items / the
/// row's items index entries a page, passed over without reading the table).
pub(super) const SORT_WHOLE_BELOW: i64 = 2_000;

/// The time a View page's position sorted by last synced holds: '' (never synced) or the
/// database's text of a time, RFC 3339 (SQLite) or PostgreSQL's. None: not a time.
pub fn synced_key(key: &str) -> Option<Option<DateTime<Utc>>> {
    if key.is_empty() {
        return Some(None);
    }
    DateTime::parse_from_rfc3339(key)
        .or_else(|_| DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .ok()
        .map(|t| Some(t.with_timezone(&Utc)))
}

mod pages;
use pages::*;
