//! Item lists: one page of organizations or configurations, searched by name, sync status, type
//! and status (the search grammar of `app::model::ItemSearch`).

use super::manage_data::{organization_column, table};
use super::{access_filter, parse_or, Repo};
use crate::db::Backend;
use crate::on_db;
use app::model::{
    CurrentUser, ItemKind, ItemPage, ItemRow, ItemSearch, OrphanReason, SyncState, ITEM_PAGE_SIZE,
};

type Row = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

/// A catalog category and the item column that holds it.
type Class = Option<(&'static str, &'static str)>;

/// The catalog categories of a kind's type and status, and the columns holding them.
fn classification(kind: ItemKind) -> (Class, Class) {
    match kind {
        ItemKind::Organization => (
            Some(("organization_type", "organization_type_id")),
            Some(("organization_status", "organization_status_id")),
        ),
        ItemKind::Configuration => (
            Some(("configuration_type", "configuration_type_id")),
            Some(("configuration_status", "configuration_status_id")),
        ),
        ItemKind::Contact => (Some(("contact_type", "contact_type_id")), None),
        ItemKind::Location => (None, None),
    }
}

/// A search's SQL condition and the values it binds. No text from the search is ever part of
/// `sql`: every value is a numbered parameter (`$first`, `$first + 1`, ...) that the caller binds,
/// in order, after its own parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchSql {
    pub sql: String,
    pub binds: Vec<String>,
}

impl SearchSql {
    fn param(&mut self, first: usize, value: String) -> String {
        self.binds.push(value);
        format!("${}", first + self.binds.len() - 1)
    }
}

/// Binds a `SearchSql`'s values, in order, onto a sqlx query of either backend.
#[macro_export]
macro_rules! bind_search {
    ($q:expr, $search:expr) => {{
        let mut q = $q;
        for value in &$search.binds {
            q = q.bind(value.clone());
        }
        q
    }};
}

/// An FTS5 query for the items whose name holds every trigram of `text` (at most 16 of them,
/// each a quoted string): a superset of the names holding `text`. None under three characters
/// (no trigram), or with a NUL (which ends an FTS5 string).
fn fts_trigrams(text: &str) -> Option<String> {
    if text.contains('\0') {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut trigrams: Vec<String> = Vec::new();
    for w in chars.windows(3) {
        let t: String = w.iter().collect();
        if !trigrams.contains(&t) {
            trigrams.push(t);
        }
    }
    if trigrams.is_empty() {
        return None;
    }
    // Spread over the text, so a long one is still narrowed along its whole length.
    let step = trigrams.len().div_ceil(16);
    Some(
        trigrams
            .iter()
            .step_by(step)
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" AND "),
    )
}

/// The condition a search puts on items of `kind` (table alias `alias`, account parameter $1):
/// the name contains the free text, and the sync status, type and status match. Values are bound
/// from parameter `first` on, so the same condition serves the list and a removal's frozen
/// selection and re-check. `fts`: SQLite's trigram tables (`{table}_name_fts`, migration 0014)
/// narrow a free text of three characters or more first; what matches is the same.
pub(crate) fn search_condition(
    kind: ItemKind,
    search: &ItemSearch,
    alias: &str,
    first: usize,
    fts: bool,
) -> SearchSql {
    let mut out = SearchSql::default();
    let name = match kind {
        ItemKind::Contact => format!("{alias}.first_name || ' ' || {alias}.last_name"),
        _ => format!("{alias}.name"),
    };
    let text = search.text.trim().to_lowercase();
    if !text.is_empty() {
        // '!' escapes LIKE's wildcards: a backslash would be read differently by a PostgreSQL
        // server whose standard_conforming_strings is off.
        let pattern = format!(
            "%{}%",
            text.replace('!', "!!")
                .replace('%', "!%")
                .replace('_', "!_")
        );
        // On PostgreSQL a trigram index (pg_trgm) serves this LIKE for three characters or more.
        // On SQLite the FTS5 trigram table finds the items holding each of the text's
        // trigrams (folding case as LIKE does, and more), so the LIKE decides among a few.
        if fts {
            if let Some(query) = fts_trigrams(&text) {
                let fts_table = format!("{}_name_fts", super::manage_data::table(kind));
                let query = out.param(first, query);
                out.sql.push_str(&format!(
                    " AND {alias}.id IN (SELECT rowid FROM {fts_table} WHERE \
                        {fts_table} MATCH {query})"
                ));
            }
        }
        let p = out.param(first, pattern);
        out.sql
            .push_str(&format!(" AND LOWER({name}) LIKE {p} ESCAPE '!'"));
    }
    match search.sync.map(|s| s.state()) {
        None => {}
        Some(None) => out
            .sql
            .push_str(&format!(" AND {alias}.integration_id IS NULL")),
        // A state from the enum, never from the request's text.
        Some(Some(state)) => out
            .sql
            .push_str(&format!(" AND {alias}.sync_state = '{state}'")),
    }
    let (type_of, status_of) = classification(kind);
    for (wanted, class) in [
        (&search.type_name, type_of),
        (&search.status_name, status_of),
    ] {
        let Some(wanted) = wanted else { continue };
        match class {
            // This kind has no such classification: nothing matches.
            None => out.sql.push_str(" AND 1 = 0"),
            Some((category, column)) => {
                let p = out.param(first, wanted.trim().to_lowercase());
                out.sql.push_str(&format!(
                    " AND {alias}.{column} IN (SELECT id FROM psa_catalog_values WHERE \
                        account_id = $1 AND category = '{category}' AND LOWER(name) = {p})"
                ))
            }
        }
    }
    out
}

impl Repo {
    pub async fn items(
        &self,
        user: &CurrentUser,
        kind: ItemKind,
        search: &ItemSearch,
        page: u32,
        show_inactive_orphans: bool,
    ) -> anyhow::Result<ItemPage> {
        let (org_name, type_col, status_col, join_org) = match kind {
            ItemKind::Organization => {
                ("NULL", "organization_type_id", "organization_status_id", "")
            }
            ItemKind::Configuration => (
                "o.name",
                "configuration_type_id",
                "configuration_status_id",
                " JOIN organizations o ON o.id = i.organization_id",
            ),
            ItemKind::Contact => (
                "o.name",
                "contact_type_id",
                "NULL",
                " JOIN organizations o ON o.id = i.organization_id",
            ),
            ItemKind::Location => (
                "o.name",
                "NULL",
                "NULL",
                " JOIN organizations o ON o.id = i.organization_id",
            ),
        };
        let name = match kind {
            ItemKind::Contact => "i.first_name || ' ' || i.last_name",
            _ => "i.name",
        };
        let mut filter = "i.account_id = $1".to_string();
        if kind == ItemKind::Configuration && !show_inactive_orphans {
            // Rule 4: lists of configurations hide inactive orphans unless asked.
            filter.push_str(
                " AND NOT (i.active = FALSE AND COALESCE(i.sync_state, '') = \
                    'orphaned')",
            );
        }
        // $1 the account, $2 the user when restricted, then the search's values.
        let search_sql = search_condition(
            kind,
            search,
            "i",
            if user.restricted { 3 } else { 2 },
            matches!(self.db, crate::db::Db::Sqlite(_)),
        );
        filter.push_str(&search_sql.sql);
        filter.push_str(&access_filter(
            user,
            &format!("i.{}", organization_column(kind)),
            2,
        ));
        let from = format!("FROM {table} i{join_org}", table = table(kind));
        // The filter only reads the item's own columns: counting needs no join. Without free
        // text and without restrictions it only reads columns the kept counts hold (account,
        // link, sync state, type, status, active), so it sums them instead of counting rows.
        let kept = !user.restricted && search.text.trim().is_empty();
        let count_sql = if kept {
            format!(
                "SELECT CAST(COALESCE(SUM(i.n), 0) AS BIGINT), COUNT(*) FROM (
                     SELECT account_id, NULLIF(integration_id, 0) AS integration_id,
                            NULLIF(sync_state, '') AS sync_state, active,
                            NULLIF(type_id, 0) AS {t}, NULLIF(status_id, 0) AS {s}, n
                     FROM item_counts WHERE account_id = $1 AND item_kind = '{kind}'
                       AND sync_state <> 'disconnected') i
                 WHERE {filter}",
                t = if type_col == "NULL" {
                    "type_id"
                } else {
                    type_col
                },
                s = if status_col == "NULL" {
                    "status_id"
                } else {
                    status_col
                },
                kind = kind.as_str(),
            )
        } else {
            format!(
                "SELECT COUNT(*), CAST(0 AS BIGINT) FROM {table} i WHERE {filter}",
                table = table(kind)
            )
        };
        let type_join = if type_col == "NULL" {
            "NULL".to_string()
        } else {
            format!("(SELECT name FROM psa_catalog_values WHERE id = i.{type_col})")
        };
        let status_join = if status_col == "NULL" {
            "NULL".to_string()
        } else {
            format!("(SELECT name FROM psa_catalog_values WHERE id = i.{status_col})")
        };
        let page = page.max(1);
        let list_sql = format!(
            "SELECT i.id, {name}, {org_name}, {type_join}, {status_join}, \
                i.sync_state, i.orphan_reason, i.{org_id}
             {from} WHERE {filter} ORDER BY {order}, i.id LIMIT {limit} OFFSET {offset}",
            // With free text on PostgreSQL, order by an expression no index holds, so the
            // planner starts from the trigram index's matches rather than walking every name
            // in order until a page of them turns up (the order is the same).
            order = if search.text.trim().is_empty() || self.db.backend() == Backend::Sqlite {
                name.to_string()
            } else {
                format!("({name} || '')")
            },
            limit = ITEM_PAGE_SIZE,
            offset = (page as i64 - 1) * ITEM_PAGE_SIZE as i64,
            org_id = organization_column(kind),
        );
        let (total, kept_rows): (i64, i64) = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&count_sql).bind(user.account_id.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            crate::bind_search!(q, search_sql).fetch_one(pool).await
        })?;
        if kept && kept_rows > super::manage_data::COMPACT_ABOVE {
            self.compact_counts(user.account_id.0).await?;
        }
        let rows: Vec<Row> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&list_sql).bind(user.account_id.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            crate::bind_search!(q, search_sql).fetch_all(pool).await
        })?;
        let items = rows
            .into_iter()
            .map(
                |(id, name, org, type_name, status_name, state, reason, org_id)| {
                    Ok(ItemRow {
                        id,
                        name,
                        organization: org.unwrap_or_default(),
                        organization_id: org_id,
                        type_name,
                        status_name,
                        sync_state: state
                            .map(|s| parse_or(&s, SyncState::parse, "sync state"))
                            .transpose()?,
                        orphan_reason: reason
                            .map(|r| parse_or(&r, OrphanReason::parse, "orphan reason"))
                            .transpose()?,
                    })
                },
            )
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(ItemPage {
            kind,
            total,
            page,
            items,
            rights: app::model::Rights::of(user),
        })
    }
}
