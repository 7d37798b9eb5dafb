//! Account features (bulk delete by type or status, full delete): switched on and off per
//! account by an operator, each change recorded in the account's activity log.

use super::{Activity, Repo};
use crate::db::BeginWrite;
use crate::on_db;
use app::model::{AccountId, Feature};
use chrono::Utc;

impl Repo {
    /// The account's id from its id or its exact name; None when there is no such account.
    pub async fn find_account(&self, id_or_name: &str) -> anyhow::Result<Option<AccountId>> {
        let id: Option<i64> = match id_or_name.parse::<i64>() {
            Ok(id) => on_db!(&self.db, |pool| sqlx::query_scalar(
                "SELECT id FROM accounts WHERE id = $1"
            )
            .bind(id)
            .fetch_optional(pool)
            .await)?,
            Err(_) => on_db!(&self.db, |pool| sqlx::query_scalar(
                "SELECT id FROM accounts WHERE name = $1 ORDER BY id LIMIT 1"
            )
            .bind(id_or_name)
            .fetch_optional(pool)
            .await)?,
        };
        Ok(id.map(AccountId))
    }

    pub async fn has_feature(&self, account: AccountId, feature: Feature) -> anyhow::Result<bool> {
        let n: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM account_features WHERE account_id = $1 AND feature = \
                $2"
        )
        .bind(account.0)
        .bind(feature.as_str())
        .fetch_one(pool)
        .await)?;
        Ok(n > 0)
    }

    pub async fn features(&self, account: AccountId) -> anyhow::Result<Vec<Feature>> {
        let names: Vec<String> = on_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT feature FROM account_features WHERE account_id = $1 ORDER BY \
                feature"
        )
        .bind(account.0)
        .fetch_all(pool)
        .await)?;
        Ok(names.iter().filter_map(|n| Feature::parse(n)).collect())
    }

    /// Switches a feature on or off for an account, with its activity log entry, in one
    /// transaction. False when it already was so (nothing is written then).
    pub async fn set_feature(
        &self,
        account: AccountId,
        feature: Feature,
        enabled: bool,
        actor: &str,
    ) -> anyhow::Result<bool> {
        let now = Utc::now();
        let changed = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let n = if enabled {
                sqlx::query(
                    "INSERT INTO account_features (account_id, feature, \
                    enabled_at) VALUES ($1, $2, $3)
                             ON CONFLICT (account_id, feature) DO NOTHING",
                )
                .bind(account.0)
                .bind(feature.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                sqlx::query(
                    "DELETE FROM account_features WHERE account_id = $1 AND \
                    feature = $2",
                )
                .bind(account.0)
                .bind(feature.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
            };
            if n > 0 {
                let entry = Activity {
                    account,
                    user: None,
                    actor,
                    action: if enabled {
                        "feature.enabled"
                    } else {
                        "feature.disabled"
                    },
                    subject: feature.as_str(),
                    details: serde_json::json!({}),
                    outcome: "succeeded",
                };
                insert_activity!(&mut *tx, entry, now).await?;
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(n > 0)
        })?;
        Ok(changed)
    }
}
