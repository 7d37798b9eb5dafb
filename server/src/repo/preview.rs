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
        if let Some(reason) = $p.reason {
            $qb.push(format!(" AND i.orphan_reason = '{reason}'"));
        }
        if let Some(state) = $p.state {
            $qb.push(format!(" AND i.sync_state = '{state}'"));
        }
        if let Some((org_id, user)) = $p.restricted {
            $qb.push(format!(
                " AND {org_id} IN (SELECT organization_id FROM \
                    user_organization_access WHERE user_id = "
            ))
            .push_bind(user)
            .push(")");
        }
    }};
}

/// A previewed item as the page queries read it (`SELECT {columns}` names each field).
#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: i64,
    name: String,
    organization: String,
    type_name: Option<String>,
    status_name: Option<String>,
    sync_state: Option<String>,
    orphan_reason: Option<String>,
    last_synced_at: Option<DateTime<Utc>>,
    had_data: bool,
    /// The sort column's value: the page's cursor.
    sort_key: String,
}

impl Row {
    fn item(self) -> anyhow::Result<PreviewItem> {
        Ok(PreviewItem {
            id: self.id,
            name: self.name,
            organization: self.organization,
            type_name: self.type_name,
            status_name: self.status_name,
            sync_state: self
                .sync_state
                .map(|s| parse_or(&s, SyncState::parse, "sync state"))
                .transpose()?,
            orphan_reason: self
                .orphan_reason
                .map(|r| parse_or(&r, OrphanReason::parse, "orphan reason"))
                .transpose()?,
            last_synced_at: self.last_synced_at,
            had_data_before_first_sync: self.had_data,
        })
    }

    fn cursor(&self) -> PreviewCursor {
        PreviewCursor {
            key: self.sort_key.clone(),
            id: self.id,
        }
    }
}

/// Where a kind's preview reads from, as SQL over `{table} i` (and `o`, its organization).
struct Shape {
    table: &'static str,
    name: &'static str,
    organization: &'static str,
    type_col: Option<&'static str>,
    status_col: Option<&'static str>,
    /// The item's organization's id (for a restricted user's access).
    org_id: &'static str,
    /// How the organization joins (`o`); none for organizations themselves.
    join: &'static str,
}

impl Shape {
    /// The SQL a sort orders by, never NULL (it is the page's cursor).
    fn sort_key(&self, sort: PreviewSort) -> String {
        match sort {
            PreviewSort::Name => self.name.to_string(),
            PreviewSort::Organization => format!("COALESCE({}, '')", self.organization),
            PreviewSort::Type => format!("COALESCE({}, '')", catalog_name(self.type_col)),
            PreviewSort::Status => format!("COALESCE({}, '')", catalog_name(self.status_col)),
            PreviewSort::SyncState => "COALESCE(i.sync_state, '')".into(),
            PreviewSort::OrphanReason => "COALESCE(i.orphan_reason, '')".into(),
            PreviewSort::LastSynced => "COALESCE(CAST(i.last_synced_at AS TEXT), '')".into(),
        }
    }

    /// `SELECT` and the columns of a `Row`, sorted by `key`.
    fn columns(&self, key: &str) -> String {
        format!(
            "SELECT i.id AS id, {} AS name, {} AS organization, {} AS type_name,
               {} AS status_name, i.sync_state AS sync_state, i.orphan_reason AS orphan_reason,
               i.last_synced_at AS last_synced_at, i.had_data_before_first_sync AS had_data,
               {key} AS sort_key",
            self.name,
            self.organization,
            catalog_name(self.type_col),
            catalog_name(self.status_col)
        )
    }
}

/// Whether a sort walks the row by groups (its kept count cells); the others read it sorted.
fn walked_by_groups(sort: PreviewSort, kind: ItemKind) -> bool {
    match sort {
        PreviewSort::Name | PreviewSort::LastSynced => false,
        PreviewSort::Organization => kind == ItemKind::Organization,
        PreviewSort::Type
        | PreviewSort::Status
        | PreviewSort::SyncState
        | PreviewSort::OrphanReason => true,
    }
}

fn shape(kind: ItemKind) -> Shape {
    let (table, name, organization, type_col, status_col, org_id) = match kind {
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
    };
    let join = if kind == ItemKind::Organization {
        ""
    } else {
        " JOIN organizations o ON o.id = i.organization_id"
    };
    Shape {
        table,
        name,
        organization,
        type_col,
        status_col,
        org_id,
        join,
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
        let sh = shape(kind);
        let Some((title, value_filter, kept_row)) =
            self.row_title(user, integration, q, &sh).await?
        else {
            return Ok(None);
        };
        // The row's total: kept (see `item_counts`) unless the user sees some organizations only.
        // A walk by groups reads the row's kept count cells; their sum is its kept total.
        let (account, iid) = (user.account_id.0, integration.0);
        // A reason filter reads the rows themselves: the kept counts do not split by reason.
        let filtered = q.reason.is_some() || q.state.is_some();
        let cells = if walked_by_groups(q.sort, kind) && !filtered {
            Some(self.kept_row_cells(account, iid, kind, kept_row).await?)
        } else {
            None
        };
        let kept_total = match (&cells, user.restricted || filtered) {
            (_, true) => None,
            (Some(cells), false) => Some(cells.iter().map(|c| c.4).sum()),
            (None, false) => Some(self.kept_row_count(account, iid, kind, kept_row).await?),
        };
        let key = sh.sort_key(q.sort);
        let (forward, cursor) = match &q.at {
            PreviewPageAt::First => (true, None),
            PreviewPageAt::Last => (false, None),
            PreviewPageAt::After(c) => (true, Some(c.clone())),
            PreviewPageAt::Before(c) => (false, Some(c.clone())),
        };
        // Reading backward flips the order; the rows are turned round afterwards.
        let ascending = forward != q.descending;
        let need = PREVIEW_PAGE_SIZE + 1;
        let Shape {
            table,
            type_col,
            status_col,
            org_id,
            ..
        } = sh;
        let columns = sh.columns(&key);
        let join = sh.join;
        let select = format!("{columns} FROM {table} i{join}");
        let sqlite_via =
            |index: &str| format!("{columns} FROM {table} i INDEXED BY {table}_{index}{join}");
        let page = PageQuery {
            select: &select,
            sqlite_via: &sqlite_via,
            account,
            integration: iid,
            value_filter,
            reason: q.reason.map(|r| r.as_str()),
            state: q.state.map(|s| s.as_str()),
            restricted: user.restricted.then_some((org_id, user.user_id.0)),
            ascending,
        };
        let total = match kept_total {
            Some(n) => n,
            None => on_db!(&self.db, |pool| {
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
                        "{columns} FROM organizations o CROSS JOIN {table} i \
                         INDEXED BY {table}_organization ON o.id = i.organization_id"
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
        let all = PageQuery {
            reason: None,
            state: None,
            ..page
        };
        let (reasons, states) = match q.row {
            PreviewRow::Orphans { .. } => (
                self.counted_by(&all, table, "orphan_reason", OrphanReason::parse)
                    .await?,
                Vec::new(),
            ),
            PreviewRow::Value { .. } => (
                Vec::new(),
                self.counted_by(&all, table, "sync_state", SyncState::parse)
                    .await?,
            ),
        };
        let page = page_of(rows, &q.at, forward)?;
        Ok(Some(PreviewPage {
            reasons,
            states,
            title,
            kind,
            total,
            items: page.items,
            first: page.first,
            last: page.last,
            has_previous: page.has_previous,
            has_next: page.has_next,
            rights: app::model::Rights::of(user),
        }))
    }

    /// A row's items counted by one of their columns (`orphan_reason` for an orphans row's
    /// chips, `sync_state` for a type's or status's), for the user, whatever the filter; the
    /// most first, read with `parse`.
    async fn counted_by<T>(
        &self,
        p: &PageQuery<'_>,
        table: &str,
        column: &str,
        parse: fn(&str) -> Option<T>,
    ) -> anyhow::Result<Vec<(T, i64)>> {
        let rows: Vec<(Option<String>, i64)> = on_db!(&self.db, |pool| {
            let mut qb =
                QueryBuilder::<DB>::new(format!("SELECT i.{column}, COUNT(*) FROM {table} i"));
            push_filter!(qb, p);
            qb.push(format!(" GROUP BY i.{column} ORDER BY COUNT(*) DESC"));
            qb.build_query_as().fetch_all(pool).await
        })?;
        rows.into_iter()
            .filter_map(|(v, n)| v.map(|v| (v, n)))
            .map(|(v, n)| Ok((parse_or(&v, parse, column)?, n)))
            .collect()
    }

    /// The row's title, its filter (the type or status column and value; None for orphans) and
    /// its key in the kept counts; None when the row's value is not the integration's, or the
    /// kind has no such column.
    async fn row_title(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        q: &PreviewQuery,
        sh: &Shape,
    ) -> anyhow::Result<Option<RowTitle>> {
        let kind = q.row.kind();
        let (category, value) = match q.row {
            PreviewRow::Orphans { kind } => {
                let title = format!("Orphaned {}", kind.plural().to_lowercase());
                return Ok(Some((title, None, None)));
            }
            PreviewRow::Value { category, value } => (category, value),
        };
        let col = match category {
            CatalogCategory::OrganizationType
            | CatalogCategory::ConfigurationType
            | CatalogCategory::ContactType => sh.type_col,
            CatalogCategory::OrganizationStatus | CatalogCategory::ConfigurationStatus => {
                sh.status_col
            }
        };
        let Some(col) = col else { return Ok(None) };
        let found: Option<String> = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT name FROM psa_catalog_values
                 WHERE id = $1 AND account_id = $2 AND integration_id = $3 AND category = $4",
            )
            .bind(value.0)
            .bind(user.account_id.0)
            .bind(integration.0)
            .bind(category.as_str())
            .fetch_optional(pool)
            .await
        })?;
        Ok(found.map(|value_name| {
            let title = format!("{} · {}: {value_name}", kind.plural(), category.dimension());
            (title, Some((col, value.0)), Some((category, value.0)))
        }))
    }
}

/// A row's title, its filter (column and value) and its key in the kept counts.
type RowTitle = (
    String,
    Option<(&'static str, i64)>,
    Option<(CatalogCategory, i64)>,
);

/// One page made of the rows read (one more than a page when there is more).
struct Paged {
    items: Vec<PreviewItem>,
    first: Option<PreviewCursor>,
    last: Option<PreviewCursor>,
    has_previous: bool,
    has_next: bool,
}

/// The page the rows read make: turned round when read backward, with its cursors and whether
/// there is a page before and after.
fn page_of(rows: Vec<Row>, at: &PreviewPageAt, forward: bool) -> anyhow::Result<Paged> {
    let more = rows.len() as i64 > PREVIEW_PAGE_SIZE;
    let mut rows: Vec<Row> = rows.into_iter().take(PREVIEW_PAGE_SIZE as usize).collect();
    if !forward {
        rows.reverse();
    }
    let first = rows.first().map(Row::cursor);
    let last = rows.last().map(Row::cursor);
    let (has_previous, has_next) = match at {
        PreviewPageAt::First => (false, more),
        PreviewPageAt::Last => (more, false),
        PreviewPageAt::After(_) => (true, more),
        PreviewPageAt::Before(_) => (more, true),
    };
    Ok(Paged {
        items: rows
            .into_iter()
            .map(Row::item)
            .collect::<anyhow::Result<_>>()?,
        first,
        last,
        has_previous,
        has_next,
    })
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
