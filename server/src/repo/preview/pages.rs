//! One page of a View, by the sort asked for: a small row sorted whole, last synced through its
//! index, the catalog-named columns by their groups, organization by name.

use super::*;

/// What every query for one page of a View shares.
pub(super) struct PageQuery<'a> {
    /// `SELECT <the Row's columns> FROM {table} i [JOIN organizations o]`.
    pub(super) select: &'a str,
    /// The same through `{table}_<index>` (`INDEXED BY`), for SQLite: its planner, given
    /// sampled statistics, can take an index that reads most of a row to find a few of it.
    pub(super) sqlite_via: &'a (dyn Fn(&str) -> String + Sync),
    pub(super) account: i64,
    pub(super) integration: i64,
    /// The row's catalog column and value, or None for the orphans.
    pub(super) value_filter: Option<(&'static str, i64)>,
    /// Only the items of this orphan reason (its stored name).
    pub(super) reason: Option<&'static str>,
    /// Only the items in this sync state (its stored name).
    pub(super) state: Option<&'static str>,
    /// (the organization id column, the user) for a user who sees some organizations only.
    pub(super) restricted: Option<(&'static str, i64)>,
    /// The order the rows are read in (descending when reading backward an ascending sort).
    pub(super) ascending: bool,
}

impl PageQuery<'_> {
    pub(super) fn order(&self) -> (&'static str, &'static str) {
        if self.ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        }
    }
}

/// A value a cell fixes a column to.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum CellValue {
    Null,
    Int(i64),
    Text(String),
}

impl CellValue {
    pub(super) fn id(v: i64) -> Self {
        if v == 0 {
            CellValue::Null
        } else {
            CellValue::Int(v)
        }
    }
    pub(super) fn text(v: String) -> Self {
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
pub(super) struct Group {
    pub(super) key: String,
    pub(super) cells: Vec<Vec<(&'static str, CellValue)>>,
}

impl Repo {
    /// A page sorted as the database sorts the key: fast where an index holds the key (name),
    /// a sort of the whole row otherwise (a small row by last synced on SQLite).
    pub(super) async fn page_sorted_whole(
        &self,
        page: &PageQuery<'_>,
        key: &str,
        cursor: Option<&PreviewCursor>,
        need: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let (cmp, dir) = page.order();
        Ok(on_db!(&self.db, |pool| {
            let mut list = QueryBuilder::<DB>::new(page.select);
            push_filter!(list, page);
            if let Some(c) = cursor {
                list.push(format!(" AND ({key}, i.id) {cmp} ("))
                    .push_bind(c.key.clone())
                    .push(", ")
                    .push_bind(c.id)
                    .push(")");
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
    pub(super) async fn page_by_synced(
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
                const KEY: &str = "COALESCE(i.last_synced_at, \
                    '-infinity'::timestamptz)";
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
    pub(super) async fn groups(
        &self,
        account: i64,
        sort: PreviewSort,
        type_col: Option<&'static str>,
        status_col: Option<&'static str>,
        cells: Vec<(i64, i64, String, String, i64)>,
    ) -> anyhow::Result<Vec<Group>> {
        let names: HashMap<i64, String> = if matches!(sort, PreviewSort::Type | PreviewSort::Status)
        {
            on_db!(&self.db, |pool| sqlx::query_as::<_, (i64, String)>(
                "SELECT id, name FROM psa_catalog_values WHERE account_id = $1"
            )
            .bind(account)
            .fetch_all(pool)
            .await)?
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
    pub(super) async fn database_order(&self, texts: Vec<String>) -> anyhow::Result<Vec<String>> {
        if texts.len() < 2 {
            return Ok(texts);
        }
        Ok(on_db!(&self.db, |pool| {
            let mut qb = QueryBuilder::<DB>::new("SELECT column1 FROM (VALUES ");
            let mut values = qb.separated(", ");
            for t in texts {
                values
                    .push("(")
                    .push_bind_unseparated(t)
                    .push_unseparated(")");
            }
            qb.push(") AS v ORDER BY column1");
            qb.build_query_scalar::<String>().fetch_all(pool).await
        })?)
    }

    /// A page walked group by group in key order, each group's rows in id order: the same
    /// page `ORDER BY key, id` gives, without sorting the row.
    pub(super) async fn page_by_groups(
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
    pub(super) async fn group_rows(
        &self,
        page: &PageQuery<'_>,
        group: &Group,
        after: Option<i64>,
        limit: i64,
    ) -> anyhow::Result<Vec<Row>> {
        let (cmp, dir) = page.order();
        let several = group.cells.len() > 1;
        let is_sqlite = matches!(self.db, crate::db::Db::Sqlite(_));
        Ok(on_db!(&self.db, |pool| {
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
                        CellValue::Null => {
                            qb.push(format!(" AND i.{col} IS NULL"));
                        }
                        CellValue::Int(v) => {
                            qb.push(format!(" AND i.{col} = ")).push_bind(*v);
                        }
                        CellValue::Text(v) => {
                            qb.push(format!(" AND i.{col} = ")).push_bind(v.clone());
                        }
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
    pub(super) async fn page_by_organization(
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
            let names: Vec<String> = on_db!(&self.db, |pool| {
                let mut qb = QueryBuilder::<DB>::new(
                    "SELECT DISTINCT name FROM organizations WHERE account_id = ",
                );
                qb.push_bind(page.account);
                if let Some((name, read)) = &from {
                    qb.push(format!(
                        " AND name {} ",
                        if *read { from_incl } else { from_excl }
                    ))
                    .push_bind(name.clone());
                }
                qb.push(format!(" ORDER BY name {dir} LIMIT {batch}"));
                qb.build_query_scalar::<String>().fetch_all(pool).await
            })?;
            let Some(last) = names.last().cloned() else {
                break;
            };
            let left = need - rows.len() as i64;
            let got: Vec<Row> = on_db!(&self.db, |pool| {
                let mut qb = QueryBuilder::<DB>::new(select);
                push_filter!(qb, page);
                qb.push(" AND o.account_id = ").push_bind(page.account);
                if let Some((name, read)) = &from {
                    qb.push(format!(
                        " AND o.name {} ",
                        if *read { from_incl } else { from_excl }
                    ))
                    .push_bind(name.clone());
                }
                qb.push(format!(" AND o.name {to_incl} "))
                    .push_bind(last.clone());
                if let (true, Some(c)) = (first, cursor) {
                    qb.push(format!(" AND (o.name, i.id) {cmp} ("))
                        .push_bind(c.key.clone())
                        .push(", ")
                        .push_bind(c.id)
                        .push(")");
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
