//! The Synced Items row actions that are not deletes: Pause (uncheck the type or status at once)
//! and "Permanently disconnect records … but keep all data" (uncheck it, and make its items
//! stand-alone in one transaction), and the lookup of a row's catalog value.

use super::manage_data::{catalog_column, table};
use super::{parse_or, Activity, Repo};
use crate::db::BeginWrite;
use crate::on_db;
use app::model::{AccountId, CatalogCategory, CatalogValueId, IntegrationId, ItemKind, UserId};
use chrono::Utc;

/// A Synced Items row's type or status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogValue {
    pub id: CatalogValueId,
    pub category: CatalogCategory,
    pub name: String,
    pub sync_enabled: bool,
}

impl CatalogValue {
    /// "Type: Prospect".
    pub fn label(&self) -> String {
        format!("{}: {}", self.category.dimension(), self.name)
    }
}

impl Repo {
    /// A type or status of the integration; None when it is not the account's.
    pub async fn catalog_value(
        &self,
        account: AccountId,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> anyhow::Result<Option<CatalogValue>> {
        let row: Option<(String, String, bool)> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT category, name, sync_enabled FROM psa_catalog_values WHERE id \
                    = $1 \
                AND account_id = $2 AND integration_id = $3",
            )
            .bind(value.0)
            .bind(account.0)
            .bind(integration.0)
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(category, name, sync_enabled)| {
            Ok(CatalogValue {
                id: value,
                category: parse_or(&category, CatalogCategory::parse, "catalog category")?,
                name,
                sync_enabled,
            })
        })
        .transpose()
    }

    /// What a permanent disconnect of a row makes stand-alone: (kind, how many), the row's
    /// items and, for organizations, the linked items inside them.
    pub async fn row_disconnect_counts(
        &self,
        account: AccountId,
        integration: IntegrationId,
        value: &CatalogValue,
    ) -> anyhow::Result<Vec<(ItemKind, i64)>> {
        let kind = value.category.kind();
        let col = catalog_column(value.category);
        let mut sqls = vec![(
            kind,
            format!(
                "SELECT COUNT(*) FROM {} t WHERE t.account_id = $1 AND \
                    t.integration_id = $2 AND t.{col} = $3",
                table(kind)
            ),
        )];
        if kind == ItemKind::Organization {
            for child in [
                ItemKind::Configuration,
                ItemKind::Contact,
                ItemKind::Location,
            ] {
                sqls.push((
                    child,
                    format!(
                        "SELECT COUNT(*) FROM {} c WHERE c.account_id = $1 AND \
                        c.integration_id = $2 AND c.organization_id IN
                       (SELECT t.id FROM organizations t WHERE t.account_id = $1 AND \
                       t.integration_id = $2 AND t.{col} = $3)",
                        table(child)
                    ),
                ));
            }
        }
        let mut out = Vec::new();
        for (kind, sql) in sqls {
            let n: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(&sql)
                .bind(account.0)
                .bind(integration.0)
                .bind(value.id.0)
                .fetch_one(pool)
                .await)?;
            out.push((kind, n));
        }
        Ok(out)
    }

    /// Pause (a Synced Items row): unchecks the type or status, with its activity entry.
    pub async fn pause_row(
        &self,
        account: AccountId,
        integration: IntegrationId,
        value: &CatalogValue,
        user: Option<UserId>,
        actor: &str,
    ) -> anyhow::Result<()> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query(
                "UPDATE psa_catalog_values SET sync_enabled = FALSE WHERE id = \
                $1 AND account_id = $2 AND integration_id = $3",
            )
            .bind(value.id.0)
            .bind(account.0)
            .bind(integration.0)
            .execute(&mut *tx)
            .await?;
            let entry = Activity {
                account,
                user,
                actor,
                action: "row.paused",
                subject: &value.label(),
                details: serde_json::json!({}),
                outcome: "succeeded",
            };
            insert_activity!(&mut *tx, entry, now).await?;
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        })?;
        Ok(())
    }

    /// "Permanently disconnect records … but keep all data": in ONE transaction the type or
    /// status is unchecked and marked permanently disconnected (a later re-check matches
    /// instead of duplicating), the row's items (and, for organizations, the items inside them)
    /// lose their PSA link and the tombstone of any whose sync was turned off (the tombstones of
    /// items deleted since stay: a sync never recreates those), and the activity entry is
    /// written.
    /// Returns what became stand-alone; None (nothing changed) while a sync of the integration
    /// runs, since its apply would race the change.
    pub async fn disconnect_row(
        &self,
        account: AccountId,
        integration: IntegrationId,
        value: &CatalogValue,
        user: Option<UserId>,
        actor: &str,
    ) -> anyhow::Result<Option<Vec<(ItemKind, i64)>>> {
        let now = Utc::now();
        let kind = value.category.kind();
        let col = catalog_column(value.category);
        let unlink = "SET integration_id = NULL, psa_id = NULL, sync_state = NULL, \
            orphan_reason = NULL, sync_error = NULL, updated_at = $4";
        let in_row = format!(
            "SELECT t.id FROM organizations t WHERE t.account_id = $1 AND \
                t.integration_id = $2 AND t.{col} = $3"
        );
        let counts = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // The integration's row first: it serialises this with a sync run's start.
            sqlx::query(
                "UPDATE psa_integrations SET updated_at = $1 WHERE id = $2 AND \
                    account_id = $3",
            )
            .bind(now)
            .bind(integration.0)
            .bind(account.0)
            .execute(&mut *tx)
            .await?;
            let running: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sync_runs WHERE integration_id = $1 AND outcome \
                    = 'running'",
            )
            .bind(integration.0)
            .fetch_one(&mut *tx)
            .await?;
            if running > 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            let mut counts = Vec::new();
            if kind == ItemKind::Organization {
                // The items inside first, while their organizations are still linked.
                for child in [
                    ItemKind::Configuration,
                    ItemKind::Contact,
                    ItemKind::Location,
                ] {
                    let n = sqlx::query(&format!(
                        "UPDATE {} {unlink} WHERE account_id = $1 AND integration_id = \
                            $2 AND organization_id IN ({in_row})",
                        table(child)
                    ))
                    .bind(account.0)
                    .bind(integration.0)
                    .bind(value.id.0)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    counts.push((child, n as i64));
                }
                sqlx::query(&format!(
                    "DELETE FROM disconnected_items WHERE account_id = $1 AND \
                        integration_id = $2 AND item_id IS NOT NULL
                       AND organization_id IN ({in_row})"
                ))
                .bind(account.0)
                .bind(integration.0)
                .bind(value.id.0)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(&format!(
                "DELETE FROM disconnected_items WHERE account_id = $1 AND \
                    integration_id = $2 AND item_kind = '{}' AND item_id IN
                   (SELECT t.id FROM {} t WHERE t.account_id = $1 AND t.integration_id = $2 AND \
                   t.{col} = $3)",
                kind.as_str(),
                table(kind)
            ))
            .bind(account.0)
            .bind(integration.0)
            .bind(value.id.0)
            .execute(&mut *tx)
            .await?;
            let n = sqlx::query(&format!(
                "UPDATE {} {unlink} WHERE account_id = $1 AND integration_id = $2 AND \
                    {col} = $3",
                table(kind)
            ))
            .bind(account.0)
            .bind(integration.0)
            .bind(value.id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            counts.insert(0, (kind, n as i64));
            sqlx::query(
                "UPDATE psa_catalog_values SET sync_enabled = FALSE, disconnected_at = \
                    $4
                         WHERE id = $1 AND account_id = $2 AND integration_id = $3",
            )
            .bind(value.id.0)
            .bind(account.0)
            .bind(integration.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let details = serde_json::json!(counts
                .iter()
                .map(|(k, n)| (k.as_str(), n))
                .collect::<std::collections::BTreeMap<_, _>>());
            let entry = Activity {
                account,
                user,
                actor,
                action: "row.disconnected",
                subject: &value.label(),
                details,
                outcome: "succeeded",
            };
            insert_activity!(&mut *tx, entry, now).await?;
            tx.commit().await?;
            Ok::<Option<Vec<(ItemKind, i64)>>, sqlx::Error>(Some(counts))
        })?;
        Ok(counts)
    }
}
