//! An organization's page: the organization (type, status, sync state, integration) and what
//! is inside it, each kind with its count and the first records by name. A restricted user
//! reads only their organizations; another account's organization is not found.

use super::{access_filter, parse_or, Repo};
use crate::on_db;
use app::model::{
    ContentItem, CurrentUser, OrganizationContents, OrganizationDetail, OrphanReason, SyncState,
    CONTENTS_SHOWN,
};

/// (kind as people read it, table, name, detail, has a sync state, Steward only).
const CONTENTS: [(&str, &str, &str, &str, bool, bool); 5] = [
    (
        "Configurations",
        "configurations",
        "t.name",
        "(SELECT name FROM psa_catalog_values WHERE id = t.configuration_type_id)",
        true,
        false,
    ),
    (
        "Contacts",
        "contacts",
        "t.first_name || ' ' || t.last_name",
        "t.email",
        true,
        false,
    ),
    ("Locations", "locations", "t.name", "t.city", true, false),
    (
        "Passwords",
        "passwords",
        "t.name",
        "t.username",
        false,
        true,
    ),
    ("Documents", "documents", "t.title", "NULL", false, true),
];

fn state(s: Option<String>) -> anyhow::Result<Option<SyncState>> {
    s.map(|s| parse_or(&s, SyncState::parse, "sync state"))
        .transpose()
}

impl Repo {
    pub async fn organization_detail(
        &self,
        user: &CurrentUser,
        id: i64,
    ) -> anyhow::Result<Option<OrganizationDetail>> {
        let sql = format!(
            "SELECT o.id, o.name,
                (SELECT name FROM psa_catalog_values WHERE id = o.organization_type_id),
                (SELECT name FROM psa_catalog_values WHERE id = o.organization_status_id),
                o.sync_state, o.orphan_reason,
                (SELECT name FROM psa_integrations WHERE id = o.integration_id)
             FROM organizations o WHERE o.id = $1 AND o.account_id = $2{}",
            access_filter(user, "o.id", 3)
        );
        type Head = (
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let head: Option<Head> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql).bind(id).bind(user.account_id.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            q.fetch_optional(pool).await
        })?;
        let Some((id, name, type_name, status_name, sync_state, reason, integration)) = head else {
            return Ok(None);
        };
        let mut contents = Vec::new();
        for (kind, table, label, detail, synced, steward_only) in CONTENTS {
            let total: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE organization_id = $1 AND \
                    account_id = $2"
            ))
            .bind(id)
            .bind(user.account_id.0)
            .fetch_one(pool)
            .await)?;
            let state_col = if synced { "t.sync_state" } else { "NULL" };
            let rows: Vec<(String, Option<String>, Option<String>)> = on_db!(&self.db, |pool| {
                sqlx::query_as(&format!(
                    "SELECT {label}, {detail}, {state_col} FROM {table} t
                 WHERE t.organization_id = $1 AND t.account_id = $2 ORDER BY {label}, t.id LIMIT \
                 {CONTENTS_SHOWN}"
                ))
                .bind(id)
                .bind(user.account_id.0)
                .fetch_all(pool)
                .await
            })?;
            contents.push(OrganizationContents {
                kind: kind.to_string(),
                steward_only,
                total,
                items: rows
                    .into_iter()
                    .map(|(name, detail, s)| {
                        Ok(ContentItem {
                            name,
                            detail,
                            sync_state: state(s)?,
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
            });
        }
        Ok(Some(OrganizationDetail {
            id,
            name,
            type_name,
            status_name,
            sync_state: state(sync_state)?,
            orphan_reason: reason
                .map(|r| parse_or(&r, OrphanReason::parse, "orphan reason"))
                .transpose()?,
            integration,
            contents,
        }))
    }
}
