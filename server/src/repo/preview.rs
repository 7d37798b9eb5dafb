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

/// What every query for one page of a View shares.
struct PageQuery<'a> {
    /// `SELECT <the Row's columns> FROM {table} i [JOIN organizations o]`.
    select: &'a str,
    /// The same through `{table}_<index>` (`INDEXED BY`), for SQLite: its planner, given
    /// sampled statistics, can take an index that reads most of a row to find a few of it.
    sqlite_via: &'a (dyn Fn(&str) -> String + Sync),
    account: i64,
    integration: i64,
    /// The row's catalog column and value, or None for the orphans.
    value_filter: Option<(&'static str, i64)>,
    /// (the organization id column, the user) for a user who sees some organizations only.
    restricted: Option<(&'static str, i64)>,
    /// The order the rows are read in (descending when reading backward an ascending sort).
    ascending: bool,
}

impl PageQuery<'_> {
    fn order(&self) -> (&'static str, &'static str) {
        if self.ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        }
    }
}

/// A value a cell fixes a column to.
#[derive(Clone, Debug, PartialEq)]
enum CellValue {
    Null,
    Int(i64),
    Text(String),
}

impl CellValue {
    fn id(v: i64) -> Self {
        if v == 0 {
            CellValue::Null
        } else {
            CellValue::Int(v)
        }
    }
    fn text(v: String) -> Self {
        if v.is_empty() {
            CellValue::Null
        } else {
            CellValue::Text(v)
        }
    }
}

/// A View's items that share one sort key: the union of its cells, each a set of column
/// equalities that one index serves in id order (`*_by_type` and `*_by_status`: type or status
/// and sync state; `*_orphans`: sync state and orphan reason; each ending in the id, which
/// SQLite's indexes hold anyway and PostgreSQL's gained in migration 0012), so a page reads
/// about as many index entries as it shows.
struct Group {
    key: String,
    cells: Vec<Vec<(&'static str, CellValue)>>,
}

impl Repo {
    /// A page sorted as the database sorts the key: fast where an index holds the key (name),
    /// a sort of the whole row otherwise (a small row by last synced on SQLite).
    async fn page_sorted_whole(
        &self,
        page: &PageQuery<'_>,
        key: &str,
        cursor: Option<&PreviewCursor>,
        need: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let (cmp, dir) = page.order();
        Ok(on_db!(&self.db, pool as DB => {
            let mut list = QueryBuilder::<DB>::new(page.select);
            push_filter!(list, page);
            if let Some(c) = cursor {
                list.push(format!(" AND ({key}, i.id) {cmp} (")).push_bind(c.key.clone()).push(", ").push_bind(c.id).push(")");
            }
            list.push(format!(" ORDER BY {key} {dir}, i.id {dir} LIMIT {need}"));
            list.build_query_as::<Row>().fetch_all(pool).await
        })?)
    }

    /// A page sorted by last synced, in the order of `*_by_synced`'s key (never synced first).
    /// PostgreSQL: one query; its planner walks the index for a large row and sorts a small
    /// one. SQLite: `walk` (the select through that index) for a large row: the cursor's key
    /// after its id, then the keys past it, each an index range; a small row is sorted whole by
    /// the same text (a key the index does not hold, so the planner starts from the row).
    async fn page_by_synced(
        &self,
        page: &PageQuery<'_>,
        walk: Option<&str>,
        key: &str,
        cursor: Option<&PreviewCursor>,
        need: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let (cmp, dir) = page.order();
        match (&self.db, walk) {
            (crate::db::Db::Postgres(pool), _) => {
                const KEY: &str = "COALESCE(i.last_synced_at, '-infinity'::timestamptz)";
                let mut qb = QueryBuilder::<sqlx::Postgres>::new(page.select);
                push_filter!(qb, page);
                if let Some(c) = cursor {
                    let at = synced_key(&c.key).ok_or_else(|| {
                        anyhow::anyhow!("a last-synced page position that is not a time")
                    })?;
                    qb.push(format!(" AND ({KEY}, i.id) {cmp} (COALESCE("))
                        .push_bind(at)
                        .push("::timestamptz, '-infinity'::timestamptz), ")
                        .push_bind(c.id)
                        .push(")");
                }
                qb.push(format!(" ORDER BY {KEY} {dir}, i.id {dir} LIMIT {need}"));
                Ok(qb.build_query_as::<Row>().fetch_all(pool).await?)
            }
            (crate::db::Db::Sqlite(pool), Some(walk)) => {
                const KEY: &str = "COALESCE(i.last_synced_at, '')";
                let mut rows = Vec::new();
                if let Some(c) = cursor {
                    let mut qb = QueryBuilder::<sqlx::Sqlite>::new(walk);
                    push_filter!(qb, page);
                    qb.push(format!(" AND {KEY} = "))
                        .push_bind(c.key.clone())
                        .push(format!(" AND i.id {cmp} "))
                        .push_bind(c.id)
                        .push(format!(" ORDER BY i.id {dir} LIMIT {need}"));
                    rows = qb.build_query_as::<Row>().fetch_all(pool).await?;
                }
                let left = need - rows.len() as i64;
                if left > 0 {
                    let mut qb = QueryBuilder::<sqlx::Sqlite>::new(walk);
                    push_filter!(qb, page);
                    if let Some(c) = cursor {
                        qb.push(format!(" AND {KEY} {cmp} "))
                            .push_bind(c.key.clone());
                    }
                    qb.push(format!(" ORDER BY {KEY} {dir}, i.id {dir} LIMIT {left}"));
                    rows.extend(qb.build_query_as::<Row>().fetch_all(pool).await?);
                }
                Ok(rows)
            }
            (crate::db::Db::Sqlite(_), None) => {
                self.page_sorted_whole(page, key, cursor, need).await
            }
        }
    }

    /// The groups of a View sorted by type, status, sync state or orphan reason (or of
    /// organizations sorted by organization, whose key is '' for all), from the row's kept
    /// count cells: each key's cells, the keys in no particular order.
    async fn groups(
        &self,
        account: i64,
        sort: PreviewSort,
        type_col: Option<&'static str>,
        status_col: Option<&'static str>,
        cells: Vec<(i64, i64, String, String, i64)>,
    ) -> anyhow::Result<Vec<Group>> {
        let names: HashMap<i64, String> = if matches!(sort, PreviewSort::Type | PreviewSort::Status)
        {
            on_db!(&self.db, pool => sqlx::query_as::<_, (i64, String)>(
                "SELECT id, name FROM psa_catalog_values WHERE account_id = $1")
                .bind(account).fetch_all(pool).await)?
            .into_iter()
            .collect()
        } else {
            HashMap::new()
        };
        let mut groups: BTreeMap<String, Vec<Vec<(&'static str, CellValue)>>> = BTreeMap::new();
        for (type_id, status_id, state, reason, _) in cells {
            let state_cell = vec![
                ("sync_state", CellValue::text(state.clone())),
                ("orphan_reason", CellValue::text(reason.clone())),
            ];
            let by_catalog = |col: Option<&'static str>, id: i64| match col {
                Some(col) => (
                    names.get(&id).cloned().unwrap_or_default(),
                    vec![
                        (col, CellValue::id(id)),
                        ("sync_state", CellValue::text(state.clone())),
                    ],
                ),
                None => (String::new(), state_cell.clone()),
            };
            let (key, cell) = match sort {
                PreviewSort::Type => by_catalog(type_col, type_id),
                PreviewSort::Status => by_catalog(status_col, status_id),
                PreviewSort::SyncState => (state, state_cell),
                PreviewSort::OrphanReason => (reason, state_cell),
                PreviewSort::Organization | PreviewSort::Name | PreviewSort::LastSynced => {
                    (String::new(), state_cell)
                }
            };
            let cells = groups.entry(key).or_default();
            if !cells.contains(&cell) {
                cells.push(cell);
            }
        }
        Ok(groups
            .into_iter()
            .map(|(key, cells)| Group { key, cells })
            .collect())
    }

    /// Texts in the order the database sorts them (its collation, as `ORDER BY` on a name).
    async fn database_order(&self, texts: Vec<String>) -> anyhow::Result<Vec<String>> {
        if texts.len() < 2 {
            return Ok(texts);
        }
        Ok(on_db!(&self.db, pool as DB => {
            let mut qb = QueryBuilder::<DB>::new("SELECT column1 FROM (VALUES ");
            let mut values = qb.separated(", ");
            for t in texts {
                values.push("(").push_bind_unseparated(t).push_unseparated(")");
            }
            qb.push(") AS v ORDER BY column1");
            qb.build_query_scalar::<String>().fetch_all(pool).await
        })?)
    }

    /// A page walked group by group in key order, each group's rows in id order: the same
    /// page `ORDER BY key, id` gives, without sorting the row.
    async fn page_by_groups(
        &self,
        page: &PageQuery<'_>,
        mut groups: Vec<Group>,
        cursor: Option<&PreviewCursor>,
        need: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let mut texts: Vec<String> = groups.iter().map(|g| g.key.clone()).collect();
        texts.extend(cursor.map(|c| c.key.clone()));
        let mut rank: HashMap<String, usize> = HashMap::new();
        for (i, t) in self.database_order(texts).await?.into_iter().enumerate() {
            rank.entry(t).or_insert(i);
        }
        groups.sort_by_key(|g| rank[&g.key]);
        if !page.ascending {
            groups.reverse();
        }
        // The cursor's group (its rows after the cursor's id), or the first group past its key.
        let (start, after) = match cursor {
            None => (0, None),
            Some(c) => {
                let at = rank[&c.key];
                let start = groups
                    .iter()
                    .position(|g| {
                        if page.ascending {
                            rank[&g.key] >= at
                        } else {
                            rank[&g.key] <= at
                        }
                    })
                    .unwrap_or(groups.len());
                let after = groups.get(start).filter(|g| g.key == c.key).map(|_| c.id);
                (start, after)
            }
        };
        let mut rows = Vec::new();
        for (n, group) in groups.iter().skip(start).enumerate() {
            let after = if n == 0 { after } else { None };
            let left = need - rows.len() as i64;
            rows.extend(self.group_rows(page, group, after, left).await?);
            if rows.len() as i64 >= need {
                break;
            }
        }
        Ok(rows)
    }

    /// Up to `limit` rows of one group in id order (after `after`), one index range per cell.
    async fn group_rows(
        &self,
        page: &PageQuery<'_>,
        group: &Group,
        after: Option<i64>,
        limit: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let (cmp, dir) = page.order();
        let several = group.cells.len() > 1;
        let is_sqlite = matches!(self.db, crate::db::Db::Sqlite(_));
        Ok(on_db!(&self.db, pool as DB => {
            let mut qb = QueryBuilder::<DB>::new("");
            for (n, cell) in group.cells.iter().enumerate() {
                if n > 0 {
                    qb.push(" UNION ALL ");
                }
                if several {
                    qb.push("SELECT * FROM (");
                }
                // An index whose every column the cell and the row fix, up to the id: the
                // sort key's own (a type or status), else the row's value's, else the orphans'.
                if is_sqlite {
                    let index_of = |col: &str| {
                        if col.ends_with("_type_id") {
                            Some("by_type")
                        } else if col.ends_with("_status_id") {
                            Some("by_status")
                        } else {
                            None
                        }
                    };
                    let index = cell
                        .iter()
                        .map(|(col, _)| *col)
                        .chain(page.value_filter.map(|(col, _)| col))
                        .find_map(index_of)
                        .unwrap_or("orphans");
                    qb.push((page.sqlite_via)(index));
                } else {
                    qb.push(page.select);
                }
                push_filter!(qb, page);
                // A column the row's filter already fixes is not repeated: SQLite's planner,
                // given two equalities on one column, skip-scanned the index and sorted.
                let fixed = page.value_filter.map_or("sync_state", |(col, _)| col);
                for (col, value) in cell.iter().filter(|(col, _)| *col != fixed) {
                    match value {
                        CellValue::Null => { qb.push(format!(" AND i.{col} IS NULL")); }
                        CellValue::Int(v) => { qb.push(format!(" AND i.{col} = ")).push_bind(*v); }
                        CellValue::Text(v) => { qb.push(format!(" AND i.{col} = ")).push_bind(v.clone()); }
                    }
                }
                if let Some(id) = after {
                    qb.push(format!(" AND i.id {cmp} ")).push_bind(id);
                }
                qb.push(format!(" ORDER BY i.id {dir} LIMIT {limit}"));
                if several {
                    qb.push(format!(") AS c{n}"));
                }
            }
            if several {
                qb.push(format!(" ORDER BY 1 {dir} LIMIT {limit}"));
            }
            qb.build_query_as::<Row>().fetch_all(pool).await
        })?)
    }

    /// A page of configurations, contacts or locations sorted by organization: the
    /// organizations' names walked in order through their index, a batch at a time (64, then
    /// four times more while the row's items are sparse), each batch's items read through
    /// their organization (`select`: the page's columns from organizations `o` joined to
    /// the items `i`).
    async fn page_by_organization(
        &self,
        page: &PageQuery<'_>,
        select: &str,
        cursor: Option<&PreviewCursor>,
        need: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let (cmp, dir) = page.order();
        let (from_incl, from_excl, to_incl) = if page.ascending {
            (">=", ">", "<=")
        } else {
            ("<=", "<", ">=")
        };
        let mut rows = Vec::new();
        // The first name to read from, and whether it is read (the cursor's) or passed.
        let mut from: Option<(String, bool)> = cursor.map(|c| (c.key.clone(), true));
        let mut batch: i64 = 64;
        let mut first = true;
        loop {
            let names: Vec<String> = on_db!(&self.db, pool as DB => {
                let mut qb = QueryBuilder::<DB>::new("SELECT DISTINCT name FROM organizations WHERE account_id = ");
                qb.push_bind(page.account);
                if let Some((name, read)) = &from {
                    qb.push(format!(" AND name {} ", if *read { from_incl } else { from_excl })).push_bind(name.clone());
                }
                qb.push(format!(" ORDER BY name {dir} LIMIT {batch}"));
                qb.build_query_scalar::<String>().fetch_all(pool).await
            })?;
            let Some(last) = names.last().cloned() else {
                break;
            };
            let left = need - rows.len() as i64;
            let got: Vec<Row> = on_db!(&self.db, pool as DB => {
                let mut qb = QueryBuilder::<DB>::new(select);
                push_filter!(qb, page);
                qb.push(" AND o.account_id = ").push_bind(page.account);
                if let Some((name, read)) = &from {
                    qb.push(format!(" AND o.name {} ", if *read { from_incl } else { from_excl })).push_bind(name.clone());
                }
                qb.push(format!(" AND o.name {to_incl} ")).push_bind(last.clone());
                if let (true, Some(c)) = (first, cursor) {
                    qb.push(format!(" AND (o.name, i.id) {cmp} (")).push_bind(c.key.clone()).push(", ").push_bind(c.id).push(")");
                }
                qb.push(format!(" ORDER BY o.name {dir}, i.id {dir} LIMIT {left}"));
                qb.build_query_as::<Row>().fetch_all(pool).await
            })?;
            rows.extend(got);
            if rows.len() as i64 >= need || (names.len() as i64) < batch {
                break;
            }
            from = Some((last, false));
            batch *= 4;
            first = false;
        }
        Ok(rows)
    }
}
