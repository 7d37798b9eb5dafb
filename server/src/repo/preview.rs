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
        let kept_total = if user.restricted {
            None
        } else {
            Some(
                self.kept_row_count(user.account_id.0, integration.0, kind, kept_row)
                    .await?,
            )
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
        let (cmp, dir) = if ascending {
            (">", "ASC")
        } else {
            ("<", "DESC")
        };
        let restricted = user.restricted;
        let (total, rows): (i64, Vec<Row>) = on_db!(&self.db, pool as DB => {
            // The filter, pushed with its binds (the builder numbers them for each database).
            let filter = |qb: &mut QueryBuilder<'_, DB>| {
                qb.push(" WHERE i.account_id = ").push_bind(user.account_id.0)
                    .push(" AND i.integration_id = ").push_bind(integration.0);
                match value_filter {
                    Some((col, v)) => { qb.push(format!(" AND i.{col} = ")).push_bind(v); }
                    None => { qb.push(" AND i.sync_state = 'orphaned'"); }
                }
                if restricted {
                    qb.push(format!(" AND {org_id} IN (SELECT organization_id FROM user_organization_access WHERE user_id = "))
                        .push_bind(user.user_id.0).push(")");
                }
            };
            let total: i64 = match kept_total {
                Some(n) => n,
                None => {
                    let mut count = QueryBuilder::<DB>::new(format!("SELECT COUNT(*) FROM {table} i"));
                    filter(&mut count);
                    count.build_query_scalar().fetch_one(pool).await?
                }
            };
            let mut list = QueryBuilder::<DB>::new(format!(
                "SELECT i.id, {name}, {org}, {}, {}, i.sync_state, i.orphan_reason, i.last_synced_at,
                 i.had_data_before_first_sync, {key} FROM {table} i{join}",
                catalog_name(type_col), catalog_name(status_col)));
            filter(&mut list);
            if let Some(c) = &cursor {
                list.push(format!(" AND ({key}, i.id) {cmp} (")).push_bind(c.key.clone()).push(", ").push_bind(c.id).push(")");
            }
            list.push(format!(" ORDER BY {key} {dir}, i.id {dir} LIMIT {}", PREVIEW_PAGE_SIZE + 1));
            let rows: Vec<Row> = list.build_query_as().fetch_all(pool).await?;
            Ok::<_, sqlx::Error>((total, rows))
        })?;
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
