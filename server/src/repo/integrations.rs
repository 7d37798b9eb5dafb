//! PSA integrations, their catalog of types and statuses, and their sync runs.

use super::{parse_or, Repo};
use crate::db::BeginWrite;
use crate::on_db;
use app::model::{
    AccountId, IntegrationId, IntegrationState, IntegrationSummary, LastSync, PsaKind,
};
use chrono::{DateTime, Utc};

pub struct NewIntegration<'a> {
    pub account: AccountId,
    pub kind: PsaKind,
    pub name: &'a str,
    pub site_url: &'a str,
}

impl NewIntegration<'static> {
    /// The ConnectWise Manage integration of the demo and fixture accounts.
    pub fn connectwise(account: AccountId) -> Self {
        NewIntegration {
            account,
            kind: PsaKind::ConnectwiseManage,
            name: "ConnectWise Manage",
            site_url: "https://na.myconnectwise.net",
        }
    }
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

const SELECT: &str = "SELECT i.id, i.kind, i.name, i.site_url, i.state,
        r.started_at, r.finished_at, r.outcome, r.created_count, r.updated_count, \
        r.orphaned_count, r.failed_count
    FROM psa_integrations i
    LEFT JOIN sync_runs r ON r.id = (
        SELECT MAX(r2.id) FROM sync_runs r2 WHERE r2.integration_id = i.id AND r2.account_id = \
        i.account_id)
    WHERE i.account_id = $1 AND i.disconnected_at IS NULL";

fn to_summary(r: Row) -> anyhow::Result<IntegrationSummary> {
    let (id, kind, name, site_url, state, started, finished, outcome, c, u, o, f) = r;
    let last_sync = match (started, outcome) {
        (Some(started_at), Some(outcome)) => Some(LastSync {
            started_at,
            finished_at: finished,
            outcome,
            created: c.unwrap_or_default(),
            updated: u.unwrap_or_default(),
            orphaned: o.unwrap_or_default(),
            failed: f.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(IntegrationSummary {
        id: IntegrationId(id),
        kind: parse_or(&kind, PsaKind::parse, "PSA kind")?,
        name,
        site_url,
        state: parse_or(&state, IntegrationState::parse, "integration state")?,
        last_sync,
    })
}

impl Repo {
    pub async fn create_integration(&self, n: NewIntegration<'_>) -> anyhow::Result<IntegrationId> {
        let now = Utc::now();
        let id: i64 = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO psa_integrations (account_id, kind, name, site_url, \
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(n.account.0)
            .bind(n.kind.as_str())
            .bind(n.name)
            .bind(n.site_url)
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        Ok(IntegrationId(id))
    }

    /// Adds an integration with its sealed credentials, in one insert.
    pub async fn create_integration_with_credentials(
        &self,
        n: NewIntegration<'_>,
        sealed: &[u8],
    ) -> anyhow::Result<IntegrationId> {
        let now = Utc::now();
        let id: i64 = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO psa_integrations (account_id, kind, name, site_url, \
                credentials_ciphertext, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(n.account.0)
            .bind(n.kind.as_str())
            .bind(n.name)
            .bind(n.site_url)
            .bind(sealed)
            .bind(now)
            .fetch_one(pool)
            .await
        })?;
        Ok(IntegrationId(id))
    }

    pub async fn integrations(
        &self,
        account: AccountId,
    ) -> anyhow::Result<Vec<IntegrationSummary>> {
        let sql = format!("{SELECT} ORDER BY i.name, i.id");
        let rows: Vec<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(account.0)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(to_summary).collect()
    }

    pub async fn integration(
        &self,
        account: AccountId,
        id: IntegrationId,
    ) -> anyhow::Result<Option<IntegrationSummary>> {
        let sql = format!("{SELECT} AND i.id = $2");
        let row: Option<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(account.0)
            .bind(id.0)
            .fetch_optional(pool)
            .await)?;
        row.map(to_summary).transpose()
    }

    /// Stores an integration's sealed credentials; false when the integration is not the account's.
    pub async fn set_integration_credentials(
        &self,
        account: AccountId,
        id: IntegrationId,
        sealed: &[u8],
    ) -> anyhow::Result<bool> {
        let now = Utc::now();
        let updated = on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE psa_integrations SET credentials_ciphertext = $1, updated_at = \
                    $2 \
                WHERE id = $3 AND account_id = $4",
            )
            .bind(sealed)
            .bind(now)
            .bind(id.0)
            .bind(account.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(updated == 1)
    }

    /// The site an integration's PSA answers at, as the screens show it.
    pub async fn set_integration_site(
        &self,
        account: AccountId,
        id: IntegrationId,
        site_url: &str,
    ) -> anyhow::Result<()> {
        on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE psa_integrations SET site_url = $1, updated_at = $2 WHERE id = \
                    $3 \
                AND account_id = $4",
            )
            .bind(site_url)
            .bind(Utc::now())
            .bind(id.0)
            .bind(account.0)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// An integration's sealed credentials, if any were stored.
    pub async fn integration_credentials(
        &self,
        account: AccountId,
        id: IntegrationId,
    ) -> anyhow::Result<Option<Vec<u8>>> {
        let row: Option<Option<Vec<u8>>> = on_db!(&self.db, |pool| {
            sqlx::query_scalar(
                "SELECT credentials_ciphertext FROM psa_integrations WHERE id = $1 AND \
                account_id = $2",
            )
            .bind(id.0)
            .bind(account.0)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.flatten())
    }
}

/// The refusal or the result of disconnecting an integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disconnected {
    /// Per kind, how many items became stand-alone.
    Done(Vec<(app::model::ItemKind, i64)>),
    /// A sync is running: disconnecting under it would race its apply.
    SyncRunning,
    NotFound,
}

impl Repo {
    /// How many items each kind has linked to the integration.
    pub async fn linked_counts(
        &self,
        account: AccountId,
        id: IntegrationId,
    ) -> anyhow::Result<Vec<(app::model::ItemKind, i64)>> {
        let mut out = Vec::new();
        for &kind in app::model::ItemKind::ALL {
            let table = super::manage_data::table(kind);
            let n: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE account_id = $1 AND integration_id \
                    = $2"
            ))
            .bind(account.0)
            .bind(id.0)
            .fetch_one(pool)
            .await)?;
            out.push((kind, n));
        }
        Ok(out)
    }

    /// Disconnect: in one transaction every linked item becomes stand-alone (nothing is deleted),
    /// the tombstones of individually disconnected items go (nothing is left to reconnect to), the
    /// credentials are dropped and the integration is marked disconnected.
    pub async fn disconnect_integration(
        &self,
        account: AccountId,
        id: IntegrationId,
        user: Option<app::model::UserId>,
    ) -> anyhow::Result<Disconnected> {
        let now = Utc::now();
        let result = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let marked = sqlx::query(
                "UPDATE psa_integrations SET disconnected_at = $1, \
                    credentials_ciphertext = NULL, state = 'paused', updated_at = $1
                 WHERE id = $2 AND account_id = $3 AND disconnected_at IS NULL",
            )
            .bind(now)
            .bind(id.0)
            .bind(account.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if marked == 0 {
                return Ok(Disconnected::NotFound);
            }
            let running: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sync_runs WHERE integration_id = $1 AND outcome \
                    = 'running'",
            )
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await?;
            if running > 0 {
                tx.rollback().await?;
                return Ok(Disconnected::SyncRunning);
            }
            let mut counts = Vec::new();
            for &kind in app::model::ItemKind::ALL {
                let table = super::manage_data::table(kind);
                let n = sqlx::query(&format!(
                    "UPDATE {table} SET integration_id = NULL, psa_id = NULL, \
                        sync_state = NULL, orphan_reason = NULL,
                     sync_error = NULL, updated_at = $1 WHERE account_id = $2 AND integration_id = \
                     $3"
                ))
                .bind(now)
                .bind(account.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                counts.push((kind, n as i64));
            }
            sqlx::query(
                "DELETE FROM disconnected_items WHERE account_id = $1 AND \
                    integration_id = $2",
            )
            .bind(account.0)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
            let details = serde_json::json!(counts
                .iter()
                .map(|(k, n)| (k.as_str(), n))
                .collect::<std::collections::BTreeMap<_, _>>());
            let entry = super::Activity {
                account,
                user,
                actor: "user",
                action: "integration.disconnected",
                subject: &format!("integration {}", id.0),
                details,
                outcome: "succeeded",
            };
            insert_activity!(&mut *tx, entry, now).await?;
            tx.commit().await?;
            Ok::<Disconnected, anyhow::Error>(Disconnected::Done(counts))
        })?;
        Ok(result)
    }
}
