//! Item lists: one page of organizations or configurations, searched by name, sync status, type
//! and status (the search grammar of `app::model::ItemSearch`).

use super::manage_data::{organization_column, table};
use super::{access_filter, parse_or, Repo};
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
);

/// A SQL string literal (quotes doubled), for values inlined into a search condition.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

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

/// The condition a search puts on items of `kind` (table alias `alias`, account parameter $1):
/// the name contains the free text, and the sync status, type and status match. Values are
/// inlined as escaped literals, so the same condition serves the list and a removal's frozen
/// selection and re-check.
pub(crate) fn search_condition(kind: ItemKind, search: &ItemSearch, alias: &str) -> String {
    let mut cond = String::new();
    let name = match kind {
        ItemKind::Contact => format!("{alias}.first_name || ' ' || {alias}.last_name"),
        _ => format!("{alias}.name"),
    };
    let text = search.text.trim().to_lowercase();
    if !text.is_empty() {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        cond.push_str(&format!(
            " AND LOWER({name}) LIKE {} ESCAPE '\\'",
            literal(&pattern)
        ));
    }
    match search.sync.map(|s| s.state()) {
        None => {}
        Some(None) => cond.push_str(&format!(" AND {alias}.integration_id IS NULL")),
        Some(Some(state)) => cond.push_str(&format!(" AND {alias}.sync_state = '{state}'")),
    }
    let (type_of, status_of) = classification(kind);
    for (wanted, class) in [
        (&search.type_name, type_of),
        (&search.status_name, status_of),
    ] {
        let Some(wanted) = wanted else { continue };
        match class {
            // This kind has no such classification: nothing matches.
            None => cond.push_str(" AND 1 = 0"),
            Some((category, column)) => cond.push_str(&format!(
                " AND {alias}.{column} IN (SELECT id FROM psa_catalog_values WHERE account_id = $1 AND category = '{category}' AND LOWER(name) = {})",
                literal(&wanted.trim().to_lowercase())
            )),
        }
    }
    cond
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
                " AND NOT (i.active = FALSE AND COALESCE(i.sync_state, '') = 'orphaned')",
            );
        }
        filter.push_str(&search_condition(kind, search, "i"));
        filter.push_str(&access_filter(
            user,
            &format!("i.{}", organization_column(kind)),
            2,
        ));
        let from = format!("FROM {table} i{join_org}", table = table(kind));
        // The filter only reads the item's own columns: counting needs no join.
        let count_sql = format!(
            "SELECT COUNT(*) FROM {table} i WHERE {filter}",
            table = table(kind)
        );
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
            "SELECT i.id, {name}, {org_name}, {type_join}, {status_join}, i.sync_state, i.orphan_reason
             {from} WHERE {filter} ORDER BY {name}, i.id LIMIT {limit} OFFSET {offset}",
            limit = ITEM_PAGE_SIZE,
            offset = (page as i64 - 1) * ITEM_PAGE_SIZE as i64,
        );
        let total: i64 = on_db!(&self.db, pool => {
            let q = sqlx::query_scalar(&count_sql).bind(user.account_id.0);
            let q = if user.restricted { q.bind(user.user_id.0) } else { q };
            q.fetch_one(pool).await
        })?;
        let rows: Vec<Row> = on_db!(&self.db, pool => {
            let q = sqlx::query_as(&list_sql).bind(user.account_id.0);
            let q = if user.restricted { q.bind(user.user_id.0) } else { q };
            q.fetch_all(pool).await
        })?;
        let items = rows
            .into_iter()
            .map(|(id, name, org, type_name, status_name, state, reason)| {
                Ok(ItemRow {
                    id,
                    name,
                    organization: org.unwrap_or_default(),
                    type_name,
                    status_name,
                    sync_state: state
                        .map(|s| parse_or(&s, SyncState::parse, "sync state"))
                        .transpose()?,
                    orphan_reason: reason
                        .map(|r| parse_or(&r, OrphanReason::parse, "orphan reason"))
                        .transpose()?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(ItemPage {
            kind,
            total,
            page,
            items,
        })
    }
}
