//! Sync runs (one running per integration, across app nodes), the staging of a run's listing,
//! and run events. The integration's sync settings are in `sync/settings.rs`.

use super::{parse_or, Repo};
use crate::db::BeginWrite;
use crate::on_db;
use crate::rules::records::PsaCatalogValue;
use app::model::RunId;
use app::model::{
    AccountId, CatalogCategory, CatalogSetting, CatalogValueId, EventLevel, IntegrationId,
    IntegrationState, ItemKind, OrphanReason, SyncCounts, SyncEvent, SyncMode, SyncOutcome,
    SyncRun, SyncSettings, SyncSettingsChange, SyncTrigger,
};
use chrono::{DateTime, Utc};
mod settings;

/// Rows per multi-row INSERT.
const CHUNK: usize = 500;

/// The answer to "start a run".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStart {
    Started(RunId),
    /// Another run of the integration is going (on this node or another).
    AlreadyRunning(RunId),
    /// A scheduled run that another node's scheduler started (and perhaps finished) since this
    /// scheduler looked: not started again.
    AlreadyRan,
}

/// What the engine needs to know about an integration before a run.
#[derive(Debug, Clone)]
pub struct SyncTarget {
    pub state: IntegrationState,
    pub sync_contacts: bool,
    pub schedule_minutes: i64,
    pub last_full_sync_at: Option<DateTime<Utc>>,
    /// Start of the last successful run, any mode: incremental runs fetch what changed since.
    pub last_success_started_at: Option<DateTime<Utc>>,
    /// Start of the last run, whatever its outcome: the scheduler waits `schedule_minutes` from it.
    pub last_started_at: Option<DateTime<Utc>>,
}

/// An event to record.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub level: EventLevel,
    pub kind: Option<ItemKind>,
    pub item_id: Option<i64>,
    pub psa_id: Option<i64>,
    pub reason: Option<OrphanReason>,
    pub message: String,
}

pub(crate) const INTERRUPTED: &str =
    "The run was cut off (the server stopped while it ran); nothing it listed was \
        applied. The next run starts over.";

/// A `sync_runs` row as `RUN_COLUMNS` reads it.
#[derive(sqlx::FromRow)]
struct RunRow {
    id: i64,
    mode: String,
    trigger_source: String,
    outcome: String,
    error_message: Option<String>,
    created_count: i64,
    updated_count: i64,
    orphaned_count: i64,
    unchanged_count: i64,
    failed_count: i64,
    listed: i64,
    started_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

/// The columns of `RunRow`; `listed` counts the staged records of a running run (its progress).
const RUN_COLUMNS: &str = "id, mode, trigger_source, outcome, error_message,
    created_count, updated_count, orphaned_count, unchanged_count, failed_count,
    CASE WHEN outcome = 'running'
        THEN (SELECT COUNT(*) FROM sync_staging s WHERE s.run_id = sync_runs.id)
        ELSE 0 END AS listed,
    started_at, finished_at";

fn to_run(r: RunRow) -> anyhow::Result<SyncRun> {
    Ok(SyncRun {
        id: RunId(r.id),
        mode: parse_or(&r.mode, SyncMode::parse, "sync mode")?,
        trigger: parse_or(&r.trigger_source, SyncTrigger::parse, "sync trigger")?,
        outcome: parse_or(&r.outcome, SyncOutcome::parse, "sync outcome")?,
        error_message: r.error_message,
        counts: SyncCounts {
            created: r.created_count,
            updated: r.updated_count,
            orphaned: r.orphaned_count,
            unchanged: r.unchanged_count,
            failed: r.failed_count,
        },
        listed: r.listed,
        started_at: r.started_at,
        finished_at: r.finished_at,
    })
}

impl Repo {
    /// The integrations of every account, for the scheduler.
    pub async fn all_integrations(&self) -> anyhow::Result<Vec<(AccountId, IntegrationId)>> {
        let rows: Vec<(i64, i64)> = on_db!(&self.db, |pool| sqlx::query_as(
            "SELECT account_id, id FROM psa_integrations WHERE disconnected_at IS NULL \
                ORDER BY id"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(a, i)| (AccountId(a), IntegrationId(i)))
            .collect())
    }

    pub async fn sync_target(
        &self,
        account: AccountId,
        integration: IntegrationId,
    ) -> anyhow::Result<Option<SyncTarget>> {
        type Row = (
            String,
            bool,
            i64,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        let row: Option<Row> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT i.state, i.sync_contacts, i.schedule_minutes, \
                    i.last_full_sync_at,
                (SELECT MAX(r.started_at) FROM sync_runs r WHERE r.integration_id = i.id AND \
                r.outcome = 'succeeded'),
                (SELECT MAX(r.started_at) FROM sync_runs r WHERE r.integration_id = i.id)
             FROM psa_integrations i WHERE i.id = $1 AND i.account_id = $2 AND i.disconnected_at \
             IS NULL",
            )
            .bind(integration.0)
            .bind(account.0)
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(state, contacts, minutes, full, success, last)| {
            Ok(SyncTarget {
                state: parse_or(&state, IntegrationState::parse, "integration state")?,
                sync_contacts: contacts,
                schedule_minutes: minutes,
                last_full_sync_at: full,
                last_success_started_at: success,
                last_started_at: last,
            })
        })
        .transpose()
    }

    /// Starts a run unless one is going. A run whose heartbeat is older than `stale_before` was
    /// cut off (its node stopped): it is closed as failed first. The unique index on running runs
    /// makes this safe across app nodes sharing one database. With `unless_started_after` (a
    /// scheduler's view of the last start), not if a run started after it: every node's
    /// scheduler may find a run due at the same moment, and the first one's run may be over
    /// before the next one asks.
    pub async fn begin_sync_run(
        &self,
        account: AccountId,
        integration: IntegrationId,
        mode: SyncMode,
        trigger: SyncTrigger,
        stale_before: DateTime<Utc>,
        unless_started_after: Option<DateTime<Utc>>,
    ) -> anyhow::Result<RunStart> {
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let stale: Vec<(i64,)> = sqlx::query_as(
                "UPDATE sync_runs SET outcome = 'failed', error_message = $1, \
                    finished_at = $2
                 WHERE integration_id = $3 AND account_id = $4 AND outcome = 'running'
                   AND COALESCE(heartbeat_at, started_at) < $5 RETURNING id",
            )
            .bind(INTERRUPTED)
            .bind(now)
            .bind(integration.0)
            .bind(account.0)
            .bind(stale_before)
            .fetch_all(pool)
            .await?;
            for (id,) in stale {
                sqlx::query("DELETE FROM sync_staging WHERE run_id = $1")
                    .bind(id)
                    .execute(pool)
                    .await?;
            }
            let inserted: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO sync_runs (account_id, integration_id, mode, \
                    trigger_source, outcome, started_at, heartbeat_at)
                 SELECT $1, $2, $3, $4, 'running', $5, $5
                 WHERE $6 IS NULL OR NOT EXISTS (
                     SELECT 1 FROM sync_runs WHERE integration_id = $2 AND started_at > $6)
                 RETURNING id",
            )
            .bind(account.0)
            .bind(integration.0)
            .bind(mode.as_str())
            .bind(trigger.as_str())
            .bind(now)
            .bind(unless_started_after)
            .fetch_optional(pool)
            .await;
            match inserted {
                Ok(Some(id)) => Ok(RunStart::Started(RunId(id))),
                Ok(None) => Ok(RunStart::AlreadyRan),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    let running: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM sync_runs WHERE integration_id = $1 AND \
                            outcome = 'running'",
                    )
                    .bind(integration.0)
                    .fetch_optional(pool)
                    .await?;
                    // It may have finished between the two statements: then try again later.
                    Ok(RunStart::AlreadyRunning(RunId(running.unwrap_or_default())))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Keeps a running run alive (its listing is making progress); its account.
    pub async fn touch_sync_run(&self, run: RunId) -> anyhow::Result<AccountId> {
        let run = run.0;
        let account: i64 = on_db!(&self.db, |pool| sqlx::query_scalar(
            "UPDATE sync_runs SET heartbeat_at = $1 WHERE id = $2 RETURNING account_id"
        )
        .bind(Utc::now())
        .bind(run)
        .fetch_one(pool)
        .await)?;
        Ok(AccountId(account))
    }

    /// Adds listed records to a run's staging area (the same record twice: the later wins).
    pub async fn stage_records(
        &self,
        run: RunId,
        kind: ItemKind,
        records: &[(i64, String)],
    ) -> anyhow::Result<()> {
        let run = run.0;
        on_db!(&self.db, |pool| {
            for chunk in records.chunks(CHUNK) {
                let mut qb = sqlx::QueryBuilder::<DB>::new(
                    "INSERT INTO sync_staging (run_id, item_kind, psa_id, record) ",
                );
                qb.push_values(chunk, |mut b, (psa_id, record)| {
                    b.push_bind(run)
                        .push_bind(kind.as_str())
                        .push_bind(*psa_id)
                        .push_bind(record.as_str());
                });
                qb.push(
                    " ON CONFLICT (run_id, item_kind, psa_id) DO UPDATE SET record \
                    = excluded.record",
                );
                qb.build().execute(pool).await?;
            }
            Ok::<(), sqlx::Error>(())
        })?;
        Ok(())
    }

    /// Closes a run as failed: its staged listing is dropped, no item was touched.
    pub async fn fail_sync_run(
        &self,
        account: AccountId,
        run: RunId,
        message: &str,
    ) -> anyhow::Result<()> {
        let run = run.0;
        let now = Utc::now();
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM sync_staging WHERE run_id = $1")
                .bind(run)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE sync_runs SET outcome = 'failed', error_message = $1, \
                    finished_at = $2
                         WHERE id = $3 AND account_id = $4",
            )
            .bind(message)
            .bind(now)
            .bind(run)
            .bind(account.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO sync_events (account_id, run_id, level, message, \
                    created_at)
                         VALUES ($1, $2, 'error', $3, $4)",
            )
            .bind(account.0)
            .bind(run)
            .bind(message)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// An integration's runs, newest first.
    pub async fn sync_runs(
        &self,
        account: AccountId,
        integration: IntegrationId,
        limit: i64,
    ) -> anyhow::Result<Vec<SyncRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE account_id = $1 AND \
                integration_id = $2
             ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<RunRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(account.0)
            .bind(integration.0)
            .bind(limit)
            .fetch_all(pool)
            .await)?;
        rows.into_iter().map(to_run).collect()
    }

    pub async fn sync_run(
        &self,
        account: AccountId,
        integration: IntegrationId,
        run: RunId,
    ) -> anyhow::Result<Option<SyncRun>> {
        let run = run.0;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE account_id = $1 AND \
                integration_id = $2 AND id = $3"
        );
        let row: Option<RunRow> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(account.0)
            .bind(integration.0)
            .bind(run)
            .fetch_optional(pool)
            .await)?;
        row.map(to_run).transpose()
    }

    /// The account's runs going on now and those that ended since `since`, oldest first, each
    /// with its integration: what the live job stream follows.
    pub async fn live_sync_runs(
        &self,
        account: AccountId,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<(IntegrationId, SyncRun)>> {
        let ids: Vec<(i64, i64)> = on_db!(&self.db, |pool| sqlx::query_as(
            "SELECT id, integration_id FROM sync_runs
             WHERE account_id = $1 AND (outcome = 'running' OR finished_at >= $2) ORDER BY id"
        )
        .bind(account.0)
        .bind(since)
        .fetch_all(pool)
        .await)?;
        let mut runs = Vec::with_capacity(ids.len());
        for (run, integration) in ids {
            let integration = IntegrationId(integration);
            if let Some(r) = self.sync_run(account, integration, RunId(run)).await? {
                runs.push((integration, r));
            }
        }
        Ok(runs)
    }

    /// A run's events, errors first, then in the order they happened.
    /// A run's events, errors first. For a user restricted to some organizations, only the
    /// events of items inside them (and those naming no item).
    pub async fn sync_events(
        &self,
        user: &app::model::CurrentUser,
        run: RunId,
        limit: i64,
        offset: i64,
    ) -> anyhow::Result<Vec<SyncEvent>> {
        let run = run.0;
        let account = user.account_id;
        let access = if user.restricted {
            " AND (item_id IS NULL OR CASE item_kind
                 WHEN 'organization' THEN item_id IN (SELECT organization_id FROM \
                 user_organization_access WHERE user_id = $5)
                 WHEN 'configuration' THEN item_id IN (SELECT id FROM configurations WHERE \
                 organization_id IN (SELECT organization_id FROM user_organization_access WHERE \
                 user_id = $5))
                 WHEN 'contact' THEN item_id IN (SELECT id FROM contacts WHERE organization_id IN \
                 (SELECT organization_id FROM user_organization_access WHERE user_id = $5))
                 WHEN 'location' THEN item_id IN (SELECT id FROM locations WHERE organization_id \
                 IN (SELECT organization_id FROM user_organization_access WHERE user_id = $5))
                 ELSE FALSE END)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT level, item_kind, item_id, psa_id, reason, message, created_at \
                FROM sync_events
             WHERE account_id = $1 AND run_id = $2{access}
             ORDER BY CASE level WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, id
             LIMIT $3 OFFSET $4"
        );
        type Row = (
            String,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            String,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql)
                .bind(account.0)
                .bind(run)
                .bind(limit)
                .bind(offset);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            q.fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(
                |(level, kind, item_id, psa_id, reason, message, created_at)| {
                    Ok(SyncEvent {
                        level: parse_or(&level, EventLevel::parse, "event level")?,
                        kind: kind
                            .map(|k| parse_or(&k, ItemKind::parse, "item kind"))
                            .transpose()?,
                        item_id,
                        psa_id,
                        reason: reason
                            .map(|r| parse_or(&r, OrphanReason::parse, "orphan reason"))
                            .transpose()?,
                        message,
                        created_at,
                    })
                },
            )
            .collect()
    }

    /// Adds the PSA's catalog values the integration does not have yet (unchecked: nothing new
    /// syncs until an admin says so) and renames the ones the PSA renamed.
    pub async fn merge_catalog(
        &self,
        account: AccountId,
        integration: IntegrationId,
        values: &[PsaCatalogValue],
    ) -> anyhow::Result<()> {
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            for v in values {
                sqlx::query(
                    "INSERT INTO psa_catalog_values (account_id, integration_id, \
                        category, psa_id, name, sync_enabled)
                     VALUES ($1, $2, $3, $4, $5, FALSE)
                     ON CONFLICT (integration_id, category, psa_id) DO UPDATE SET name = \
                     excluded.name",
                )
                .bind(account.0)
                .bind(integration.0)
                .bind(v.category.as_str())
                .bind(v.psa_id)
                .bind(v.name.as_str())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Pause Sync / Resume Sync. False when the integration is not the account's.
    pub async fn set_integration_state(
        &self,
        account: AccountId,
        integration: IntegrationId,
        state: IntegrationState,
    ) -> anyhow::Result<bool> {
        let n = on_db!(&self.db, |pool| {
            sqlx::query(
                "UPDATE psa_integrations SET state = $1, updated_at = $2 WHERE id = $3 \
                    AND \
                account_id = $4",
            )
            .bind(state.as_str())
            .bind(Utc::now())
            .bind(integration.0)
            .bind(account.0)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }
}
