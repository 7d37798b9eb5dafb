//! One item at a time, from View: its type and status (after the PSA took them), and turning its
//! sync off (red plug, listed under Disconnected Data).

use super::manage_data::table;
use super::Repo;
use crate::db::BeginWrite;
use crate::on_db;
use app::model::{AccountId, CatalogCategory, CurrentUser, IntegrationId, ItemKind, UserId};
use chrono::Utc;

/// What the edit pencil and Disable sync need to know about an item.
#[derive(Debug, Clone)]
pub struct ItemLink {
    pub psa_id: i64,
    pub sync_state: String,
    pub name: String,
    pub organization_id: i64,
    pub organization_name: String,
    /// Its type's and status's names now (for the activity log's before and after).
    pub type_name: Option<String>,
    pub status_name: Option<String>,
}

impl Repo {
    /// A PSA-linked item of the integration that the user may access.
    pub async fn item_link(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
    ) -> anyhow::Result<Option<ItemLink>> {
        let (name, org_id, join) = match kind {
            ItemKind::Organization => ("i.name", "i.id", " JOIN organizations o ON o.id = i.id"),
            ItemKind::Contact => (
                "i.first_name || ' ' || i.last_name",
                "i.organization_id",
                " JOIN organizations o ON o.id = i.organization_id",
            ),
            _ => (
                "i.name",
                "i.organization_id",
                " JOIN organizations o ON o.id = i.organization_id",
            ),
        };
        let access = if user.restricted {
            format!(
                " AND {org_id} IN (SELECT organization_id FROM \
                user_organization_access WHERE user_id = $4)"
            )
        } else {
            String::new()
        };
        let (type_col, status_col) = match kind {
            ItemKind::Organization => {
                (Some("organization_type_id"), Some("organization_status_id"))
            }
            ItemKind::Configuration => (
                Some("configuration_type_id"),
                Some("configuration_status_id"),
            ),
            ItemKind::Contact => (Some("contact_type_id"), None),
            ItemKind::Location => (None, None),
        };
        let value_name = |col: Option<&str>| {
            col.map_or("NULL".to_string(), |c| {
                format!("(SELECT v.name FROM psa_catalog_values v WHERE v.id = i.{c})")
            })
        };
        let sql = format!(
            "SELECT i.psa_id, i.sync_state, {name}, {org_id}, o.name, {}, {} FROM {} i{join}
             WHERE i.id = $1 AND i.account_id = $2 AND i.integration_id = $3{access}",
            value_name(type_col),
            value_name(status_col),
            table(kind)
        );
        type LinkRow = (
            i64,
            String,
            String,
            i64,
            String,
            Option<String>,
            Option<String>,
        );
        let row: Option<LinkRow> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql)
                .bind(id)
                .bind(user.account_id.0)
                .bind(integration.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            q.fetch_optional(pool).await
        })?;
        Ok(row.map(
            |(psa_id, sync_state, name, organization_id, organization_name, t, st)| ItemLink {
                psa_id,
                sync_state,
                name,
                organization_id,
                organization_name,
                type_name: t,
                status_name: st,
            },
        ))
    }

    /// A catalog value of the integration: its PSA id, if it is of `category`.
    pub async fn catalog_psa_id(
        &self,
        account: AccountId,
        integration: IntegrationId,
        category: CatalogCategory,
        value: i64,
    ) -> anyhow::Result<Option<i64>> {
        Ok(on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT psa_id FROM psa_catalog_values WHERE id = $1 AND account_id = \
                    $2 \
                AND integration_id = $3 AND category = $4",
            )
            .bind(value)
            .bind(account.0)
            .bind(integration.0)
            .bind(category.as_str())
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Sets an organization's or configuration's type and status locally.
    pub async fn set_item_classification(
        &self,
        account: AccountId,
        kind: ItemKind,
        id: i64,
        type_value: i64,
        status_value: i64,
    ) -> anyhow::Result<()> {
        let (t, s) = match kind {
            ItemKind::Organization => ("organization_type_id", "organization_status_id"),
            ItemKind::Configuration => ("configuration_type_id", "configuration_status_id"),
            _ => anyhow::bail!("{kind:?} has no type and status"),
        };
        let sql = format!(
            "UPDATE {} SET {t} = $1, {s} = $2, updated_at = $3 WHERE id = $4 AND \
                account_id = $5",
            table(kind)
        );
        on_db!(&self.db, |pool| sqlx::query(&sql)
            .bind(type_value)
            .bind(status_value)
            .bind(Utc::now())
            .bind(id)
            .bind(account.0)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Turns one item's sync off: red plug, and a Disconnected Data entry that keeps its PSA
    /// link for Reconnect. In one transaction.
    pub async fn disable_item_sync(
        &self,
        account: AccountId,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
        item: &ItemLink,
        by: UserId,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(&format!(
                "UPDATE {} SET sync_state = 'disabled', orphan_reason = NULL, \
                    sync_error = NULL, updated_at = $1
                 WHERE id = $2 AND account_id = $3",
                table(kind)
            ))
            .bind(now)
            .bind(id)
            .bind(account.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO disconnected_items (account_id, integration_id, \
                    item_kind, psa_id, item_id, organization_id,
                 name, organization_name, disconnected_by, disconnected_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (integration_id, item_kind, psa_id) DO UPDATE SET item_id = \
                 excluded.item_id,
                 disconnected_by = excluded.disconnected_by, disconnected_at = \
                 excluded.disconnected_at, deleted_locally_at = NULL",
            )
            .bind(account.0)
            .bind(integration.0)
            .bind(kind.as_str())
            .bind(item.psa_id)
            .bind(id)
            .bind(item.organization_id)
            .bind(&item.name)
            .bind(&item.organization_name)
            .bind(by.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(())
    }
}

/// A tombstone as Reconnect needs it.
#[derive(Debug, Clone)]
pub struct Tombstone {
    pub kind: ItemKind,
    pub psa_id: i64,
    pub item_id: Option<i64>,
    pub name: String,
    /// The PSA id of its organization, when that organization is still linked (sites are read
    /// through their company).
    pub company_psa_id: Option<i64>,
}

impl Repo {
    /// The individually disconnected items of a kind, newest first, page `page` (from 1) of
    /// `DISCONNECTED_PAGE`, with the total.
    pub async fn disconnected_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        page: u32,
    ) -> anyhow::Result<(i64, Vec<app::model::DisconnectedItem>)> {
        use app::model::DISCONNECTED_PAGE;
        let offset = (i64::from(page.max(1)) - 1) * DISCONNECTED_PAGE;
        let access = if user.restricted {
            " AND organization_id IN (SELECT organization_id FROM \
                user_organization_access WHERE user_id = $4)"
        } else {
            ""
        };
        let count_sql = format!(
            "SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1 AND \
                integration_id = $2 AND item_kind = $3{access}"
        );
        let list_sql = format!(
            "SELECT id, name, COALESCE(organization_name, ''), psa_id, \
                disconnected_at, item_id IS NULL FROM disconnected_items
             WHERE account_id = $1 AND integration_id = $2 AND item_kind = $3{access} ORDER BY \
             disconnected_at DESC, id DESC
             LIMIT {DISCONNECTED_PAGE} OFFSET {offset}"
        );
        type Row = (i64, String, String, i64, chrono::DateTime<Utc>, bool);
        let (total, rows): (i64, Vec<Row>) = on_db!(&self.db, |pool| {
            let q = sqlx::query_scalar(&count_sql)
                .bind(user.account_id.0)
                .bind(integration.0)
                .bind(kind.as_str());
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            let total = q.fetch_one(pool).await?;
            let q = sqlx::query_as(&list_sql)
                .bind(user.account_id.0)
                .bind(integration.0)
                .bind(kind.as_str());
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            Ok::<_, sqlx::Error>((total, q.fetch_all(pool).await?))
        })?;
        Ok((
            total,
            rows.into_iter()
                .map(
                    |(id, name, organization, psa_id, disconnected_at, deleted_locally)| {
                        app::model::DisconnectedItem {
                            id,
                            kind,
                            name,
                            organization,
                            psa_id,
                            disconnected_at,
                            deleted_locally,
                        }
                    },
                )
                .collect(),
        ))
    }

    pub async fn tombstone(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        id: i64,
    ) -> anyhow::Result<Option<Tombstone>> {
        let access = if user.restricted {
            " AND t.organization_id IN (SELECT organization_id FROM \
                user_organization_access WHERE user_id = $4)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT t.item_kind, t.psa_id, t.item_id, t.name, o.psa_id FROM \
                disconnected_items t
             LEFT JOIN organizations o ON o.id = t.organization_id AND o.integration_id = \
             t.integration_id
             WHERE t.id = $1 AND t.account_id = $2 AND t.integration_id = $3{access}"
        );
        type Row = (String, i64, Option<i64>, String, Option<i64>);
        let row: Option<Row> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql)
                .bind(id)
                .bind(user.account_id.0)
                .bind(integration.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            q.fetch_optional(pool).await
        })?;
        Ok(
            row.and_then(|(kind, psa_id, item_id, name, company_psa_id)| {
                Some(Tombstone {
                    kind: ItemKind::parse(&kind)?,
                    psa_id,
                    item_id,
                    name,
                    company_psa_id,
                })
            }),
        )
    }

    /// Reconnect: the tombstone goes and a kept item syncs again (its fields come from the PSA at
    /// the next sync); an item deleted since is recreated by the next full sync.
    pub async fn reconnect(
        &self,
        account: AccountId,
        integration: IntegrationId,
        id: i64,
        t: &Tombstone,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            if let Some(item) = t.item_id {
                sqlx::query(&format!(
                    "UPDATE {} SET sync_state = 'enabled', orphan_reason = NULL, \
                        sync_error = NULL, updated_at = $1
                     WHERE id = $2 AND account_id = $3 AND integration_id = $4",
                    table(t.kind)
                ))
                .bind(now)
                .bind(item)
                .bind(account.0)
                .bind(integration.0)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "DELETE FROM disconnected_items WHERE id = $1 AND account_id = \
                $2",
            )
            .bind(id)
            .bind(account.0)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(())
    }
}
