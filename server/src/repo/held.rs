//! Held orphanings (docs/DOMAIN.md, sync rule 1b): what a full sync would have orphaned as "deleted
//! in PSA" all at once, held until an Administrator confirms (they become orphans) or discards
//! them (they stay as they were; the next full sync looks again). `sync_apply` holds them; this
//! is what Manage Data reads and what Confirm and Discard write. A held item counts only while
//! it still syncs (enabled or error): one deleted, disabled or orphaned since has nothing left
//! to hold.

use super::manage_data::{organization_column, table};
use super::{access_filter, Activity, Repo};
use crate::db::BeginWrite;
use crate::on_db;
use app::model::{CurrentUser, HeldItem, IntegrationId, ItemKind, RunId};
use chrono::Utc;

/// Held items shown on one page of their View.
pub const HELD_PAGE: i64 = 100;

/// The join of held rows with the items they still hold, for a kind, as `h` and `t`.
fn held_from(kind: ItemKind) -> String {
    format!(
        "held_orphanings h JOIN {} t ON t.id = h.item_id AND t.account_id = h.account_id
           AND t.integration_id = h.integration_id AND t.sync_state IN ('enabled', 'error')
         WHERE h.account_id = $1 AND h.integration_id = $2 AND h.item_kind = '{}'",
        table(kind),
        kind.as_str()
    )
}

/// What Confirm or Discard did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeldDecision {
    /// Items that became orphans (Confirm) or were let be (Discard).
    pub items: i64,
}

impl Repo {
    /// How many items of each kind are held, over the user's organizations if restricted.
    pub async fn held_counts(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> anyhow::Result<Vec<(ItemKind, i64)>> {
        let mut out = Vec::new();
        for &kind in ItemKind::ALL {
            let sql = format!(
                "SELECT COUNT(*) FROM {}{}",
                held_from(kind),
                access_filter(user, &format!("t.{}", organization_column(kind)), 3)
            );
            let n: i64 = on_db!(&self.db, |pool| {
                let q = sqlx::query_scalar(&sql)
                    .bind(user.account_id.0)
                    .bind(integration.0);
                let q = if user.restricted {
                    q.bind(user.user_id.0)
                } else {
                    q
                };
                q.fetch_one(pool).await
            })?;
            if n > 0 {
                out.push((kind, n));
            }
        }
        Ok(out)
    }

    /// One page (by name, then id, from `offset`) of the held items of a kind that the user may
    /// see, and how many there are.
    pub async fn held_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        offset: i64,
    ) -> anyhow::Result<(Vec<HeldItem>, i64)> {
        let name = match kind {
            ItemKind::Contact => "t.first_name || ' ' || t.last_name",
            _ => "t.name",
        };
        let organization = match kind {
            ItemKind::Organization => "t.name".to_string(),
            _ => "(SELECT o.name FROM organizations o WHERE o.id = t.organization_id)".to_string(),
        };
        let access = access_filter(user, &format!("t.{}", organization_column(kind)), 3);
        let page_sql = format!(
            "SELECT t.id, {name}, {organization}, h.psa_id, t.last_synced_at FROM \
                {}{access}
             ORDER BY {name}, t.id LIMIT {HELD_PAGE} OFFSET {}",
            held_from(kind),
            offset.max(0)
        );
        let count_sql = format!("SELECT COUNT(*) FROM {}{access}", held_from(kind));
        type Held = (
            i64,
            String,
            Option<String>,
            i64,
            Option<chrono::DateTime<Utc>>,
        );
        let (rows, total): (Vec<Held>, i64) = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&page_sql)
                .bind(user.account_id.0)
                .bind(integration.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            let rows = q.fetch_all(pool).await?;
            let c = sqlx::query_scalar(&count_sql)
                .bind(user.account_id.0)
                .bind(integration.0);
            let c = if user.restricted {
                c.bind(user.user_id.0)
            } else {
                c
            };
            Ok::<_, sqlx::Error>((rows, c.fetch_one(pool).await?))
        })?;
        let items = rows
            .into_iter()
            .map(|(id, name, organization, psa_id, last_synced)| HeldItem {
                id,
                kind,
                name,
                organization,
                psa_id,
                last_synced_at: last_synced,
            })
            .collect();
        Ok((items, total))
    }

    /// The sync run whose held items these are, if any are held.
    pub async fn held_run(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> anyhow::Result<Option<i64>> {
        Ok(on_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT MAX(run_id) FROM held_orphanings WHERE account_id = $1 AND \
                integration_id = $2"
        )
        .bind(user.account_id.0)
        .bind(integration.0)
        .fetch_one(pool)
        .await)?)
    }

    /// Confirm (`orphan`: the held items of `kind` become orphans, "deleted in PSA") or Discard
    /// (they stay as they were), in one transaction with its activity log entry. An item that
    /// stopped syncing meanwhile is left alone either way. None, and nothing done, unless what
    /// is held of `kind` is exactly what run `run` held (what the Administrator saw).
    pub async fn decide_held(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        orphan: bool,
        run: RunId,
    ) -> anyhow::Result<Option<HeldDecision>> {
        let run = run.0;
        let now = Utc::now();
        let acc = user.account_id.0;
        let iid = integration.0;
        let items = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let (of_run, others): (i64, i64) = sqlx::query_as(
                "SELECT COALESCE(SUM(CASE WHEN run_id = $4 THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN run_id = $4 THEN 0 ELSE 1 END), 0)
                 FROM held_orphanings WHERE account_id = $1 AND integration_id = $2 AND item_kind \
                 = $3",
            )
            .bind(acc)
            .bind(iid)
            .bind(kind.as_str())
            .bind(run)
            .fetch_one(&mut *tx)
            .await?;
            if of_run == 0 || others > 0 {
                tx.rollback().await?;
                return Ok(None);
            }
            let n: i64 = if orphan {
                sqlx::query(&format!(
                    "UPDATE {t} SET sync_state = 'orphaned', orphan_reason = \
                        'deleted_in_psa', sync_error = NULL, updated_at = $3
                     WHERE account_id = $1 AND integration_id = $2 AND sync_state IN ('enabled', \
                     'error')
                       AND id IN (SELECT item_id FROM held_orphanings WHERE account_id = $1 AND \
                       integration_id = $2 AND item_kind = $4)",
                    t = table(kind)
                ))
                .bind(acc)
                .bind(iid)
                .bind(now)
                .bind(kind.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64
            } else {
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", held_from(kind)))
                    .bind(acc)
                    .bind(iid)
                    .fetch_one(&mut *tx)
                    .await?
            };
            sqlx::query(
                "DELETE FROM held_orphanings WHERE account_id = $1 AND \
                integration_id = $2 AND item_kind = $3",
            )
            .bind(acc)
            .bind(iid)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
            let action = if orphan {
                "confirm held orphanings"
            } else {
                "discard held orphanings"
            };
            let subject = format!("held {}", kind.plural().to_lowercase());
            let a = Activity {
                account: user.account_id,
                user: Some(user.user_id),
                actor: &user.email,
                action,
                subject: &subject,
                details: serde_json::json!({
                    "integration_id": iid,
                    "kind": kind.as_str(),
                    "items": n,
                }),
                outcome: "succeeded",
            };
            insert_activity!(&mut *tx, a, now).await?;
            tx.commit().await?;
            Ok::<i64, anyhow::Error>(n)
        })?;
        Ok(Some(HeldDecision { items }))
    }
}
