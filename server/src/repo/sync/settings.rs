//! An integration's sync settings: what it syncs (contacts, each type and status), how often,
//! and when a full sync holds its deletions (rule 1b).

use super::*;

impl Repo {
    pub async fn sync_settings(
        &self,
        account: AccountId,
        integration: IntegrationId,
    ) -> anyhow::Result<Option<SyncSettings>> {
        let head: Option<(bool, i64, i64, i64)> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT sync_contacts, schedule_minutes, CAST(hold_orphans_percent AS \
                BIGINT), CAST(hold_orphans_min AS BIGINT)
             FROM psa_integrations WHERE id = $1 AND account_id = $2",
            )
            .bind(integration.0)
            .bind(account.0)
            .fetch_optional(pool)
            .await
        })?;
        let Some((sync_contacts, schedule_minutes, hold_orphans_percent, hold_orphans_min)) = head
        else {
            return Ok(None);
        };
        let rows: Vec<(i64, String, i64, String, bool)> = on_db!(&self.db, |pool| sqlx::query_as(
            "SELECT id, category, psa_id, name, sync_enabled FROM psa_catalog_values
             WHERE account_id = $1 AND integration_id = $2 ORDER BY category, name, id"
        )
        .bind(account.0)
        .bind(integration.0)
        .fetch_all(pool)
        .await)?;
        let values = rows
            .into_iter()
            .map(|(id, category, psa_id, name, sync_enabled)| {
                Ok(CatalogSetting {
                    id: CatalogValueId(id),
                    category: parse_or(&category, CatalogCategory::parse, "catalog category")?,
                    psa_id,
                    name,
                    sync_enabled,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Some(SyncSettings {
            sync_contacts,
            schedule_minutes,
            values,
            hold_orphans_percent,
            hold_orphans_min,
        }))
    }

    /// Applies a settings change all or nothing. False when a catalog value is not the
    /// integration's (nothing is changed then).
    pub async fn change_sync_settings(
        &self,
        account: AccountId,
        integration: IntegrationId,
        change: &SyncSettingsChange,
    ) -> anyhow::Result<bool> {
        let now = Utc::now();
        let ok = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let mut ok = true;
            for (value, checked) in &change.values {
                let n = sqlx::query(
                    "UPDATE psa_catalog_values SET sync_enabled = $1
                                     WHERE id = $2 AND account_id = $3 AND integration_id = $4",
                )
                .bind(*checked)
                .bind(value.0)
                .bind(account.0)
                .bind(integration.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                ok &= n == 1;
            }
            if let Some(contacts) = change.sync_contacts {
                sqlx::query(
                    "UPDATE psa_integrations SET sync_contacts = $1, \
                    updated_at = $2 WHERE id = $3 AND account_id = $4",
                )
                .bind(contacts)
                .bind(now)
                .bind(integration.0)
                .bind(account.0)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(minutes) = change.schedule_minutes {
                sqlx::query(
                    "UPDATE psa_integrations SET schedule_minutes = $1, \
                    updated_at = $2 WHERE id = $3 AND account_id = $4",
                )
                .bind(minutes)
                .bind(now)
                .bind(integration.0)
                .bind(account.0)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(percent) = change.hold_orphans_percent {
                sqlx::query(
                    "UPDATE psa_integrations SET hold_orphans_percent = $1, \
                    updated_at = $2 WHERE id = $3 AND account_id = $4",
                )
                .bind(percent as i32)
                .bind(now)
                .bind(integration.0)
                .bind(account.0)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(min) = change.hold_orphans_min {
                sqlx::query(
                    "UPDATE psa_integrations SET hold_orphans_min = $1, \
                    updated_at = $2 WHERE id = $3 AND account_id = $4",
                )
                .bind(min as i32)
                .bind(now)
                .bind(integration.0)
                .bind(account.0)
                .execute(&mut *tx)
                .await?;
            }
            if ok {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            Ok::<bool, sqlx::Error>(ok)
        })?;
        Ok(ok)
    }
}
