//! Queued removals (delete a kind's orphans, every item of a Synced Items row's type or status,
//! or the organizations a list search selected): the impact preview, queueing with a frozen
//! target list, and the chunk step a worker runs: in ONE transaction it re-checks each target
//! still qualifies, copies it and everything under it as they are into the archive tables
//! (`archived_<table>`; JSON only when an archive is read) and deletes it (on PostgreSQL one
//! delete of the targets, whose cascade deletes their children and whose statement triggers
//! archive every deleted row; on SQLite each kind copied, then deleted), records each target's
//! outcome and moves the job's progress. A chunk is wholly done or not at all.

use super::items::{search_condition, SearchSql};
use super::manage_data::{catalog_column, table};
use super::Repo;
use crate::db::{Backend, BeginWrite, Db};
use crate::on_db;
use app::model::JobId;
use app::model::{
    AccountId, CatalogCategory, CatalogValueId, CurrentUser, IntegrationId, ItemKind, ItemSearch,
    OrphanReason, RemovalImpact, HAD_DATA_LISTED,
};
use chrono::Utc;

use serde::{Deserialize, Serialize};
mod archive;
pub(super) use archive::*;
// A chunk's steps, compiled once per backend (`chunk.rs` is plain Rust against `super::DB`).
mod postgres;
mod sqlite;

/// One chunk of a removal job: its targets numbered `after + 1` to `upto`.
struct ChunkCtx<'a> {
    acc: i64,
    job: i64,
    worker: &'a str,
    args: &'a RemovalArgs,
    after: i64,
    upto: i64,
}

/// What a removal job works on (the job's `args`): the kind's orphans; with `row` every item
/// of that Synced Items row (linked to the integration, of that type or status); with `search`
/// the organizations a list search selected (Select All; `integration` is then 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalArgs {
    pub integration: IntegrationId,
    pub kind: ItemKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<ItemSearch>,
    /// A search removal may delete items the PSA still syncs (enabled or error) only on an
    /// account with bulk delete by type; without it they are kept (they would come back at the
    /// next sync, and deleting them is what the feature guards).
    #[serde(default)]
    pub include_syncing: bool,
    /// Only the targets of this orphan reason (View's filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<OrphanReason>,
    /// Only these items (ticked rows), still only while they qualify otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<Vec<i64>>,
}

/// A Synced Items row: a type or status of the PSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowTarget {
    pub category: CatalogCategory,
    pub value: CatalogValueId,
}

impl RemovalArgs {
    pub fn orphans(integration: IntegrationId, kind: ItemKind) -> RemovalArgs {
        RemovalArgs {
            integration,
            kind,
            row: None,
            search: None,
            include_syncing: false,
            reason: None,
            ids: None,
        }
    }

    /// What narrows any target further: the orphan reason and the ticked ids (inlined: an
    /// enum's stored name and integers).
    fn narrowed(&self) -> String {
        let mut sql = String::new();
        if let Some(r) = self.reason {
            sql.push_str(&format!(" AND t.orphan_reason = '{}'", r.as_str()));
        }
        if let Some(ids) = &self.ids {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>();
            // An empty list chooses nothing (never "everything").
            let list = if list.is_empty() {
                "NULL".to_string()
            } else {
                list.join(", ")
            };
            sql.push_str(&format!(" AND t.id IN ({list})"));
        }
        sql
    }

    /// What still qualifies a target of table alias `t` (besides its account, $1): still linked
    /// to the integration ($2) and orphaned, or of the row's type or status; or still matching
    /// the search (and, without `include_syncing`, not synced by the PSA). A search's values are
    /// bound from parameter `first` on.
    fn qualifies(&self, first: usize) -> SearchSql {
        let mut q = self.qualifies_unnarrowed(first);
        q.sql.push_str(&self.narrowed());
        q
    }

    fn qualifies_unnarrowed(&self, first: usize) -> SearchSql {
        match (&self.row, &self.search) {
            (Some(r), _) => SearchSql {
                sql: format!(
                    "t.integration_id = $2 AND t.{} = {}",
                    catalog_column(r.category),
                    r.value.0
                ),
                binds: Vec::new(),
            },
            (None, Some(search)) => {
                let mut cond = search_condition(self.kind, search, "t", first, false);
                let syncing = if self.include_syncing {
                    ""
                } else {
                    NOT_SYNCING
                };
                cond.sql = format!("$2 = $2{syncing}{}", cond.sql);
                cond
            }
            (None, None) => SearchSql {
                sql: "t.integration_id = $2 AND t.sync_state = 'orphaned'".to_string(),
                binds: Vec::new(),
            },
        }
    }

    /// At most one removal of the same targets is queued or running in an account.
    fn unique_key(&self, account: AccountId) -> String {
        let key = self.unique_key_unnarrowed(account);
        let narrowed = self.narrowed();
        if narrowed.is_empty() {
            return key;
        }
        // FNV-1a of the narrowing: two different choices of one row may run at once.
        let hash = narrowed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{key}:{hash:016x}")
    }

    fn unique_key_unnarrowed(&self, account: AccountId) -> String {
        match (&self.row, &self.search) {
            (Some(r), _) => format!("removal:{}:value:{}", self.integration.0, r.value.0),
            (None, Some(s)) => format!(
                "removal:{}:search:{}:{}",
                account.0,
                self.kind.as_str(),
                s.describe()
            ),
            (None, None) => format!("removal:{}:{}", self.integration.0, self.kind.as_str()),
        }
    }
}

/// What the impact says of an organization that had data before the first sync: "12
/// configurations, 3 contacts, 0 passwords, 1 documents".
const HAD_DATA_WHAT: &str = "CAST((SELECT COUNT(*) FROM configurations c WHERE c.organization_id \
    = t.id) AS TEXT) || ' configurations, ' || CAST((SELECT COUNT(*) FROM contacts c WHERE \
    c.organization_id = t.id) AS TEXT) || ' contacts, ' || CAST((SELECT COUNT(*) FROM passwords c \
    WHERE c.organization_id = t.id) AS TEXT) || ' passwords, ' || CAST((SELECT COUNT(*) FROM \
    documents c WHERE c.organization_id = t.id) AS TEXT) || ' documents'";

/// Items the PSA does not sync: orphaned, disabled or stand-alone (no link).
const NOT_SYNCING: &str = " AND (t.sync_state IS NULL OR t.sync_state NOT IN \
    ('enabled', 'error'))";

pub const REMOVAL_JOB: &str = "removal";

/// Every kind of record that lives inside an organization and goes with it (ON DELETE CASCADE):
/// (table, the kind written in the deletion archive). The impact preview counts them and a
/// removal archives them. A schema test on both databases checks that this list holds every
/// table that cascades from organizations, and that none of them has children of its own (were
/// one added, the impact and the archive would have to follow it a level down).
pub const ORGANIZATION_CHILDREN: [(&str, &str); 5] = [
    ("configurations", "configuration"),
    ("contacts", "contact"),
    ("locations", "location"),
    ("passwords", "password"),
    ("documents", "document"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queued {
    Job(JobId),
    /// The orphans changed since the preview: the typed count no longer matches.
    CountChanged(i64),
    /// A removal of this row is already queued or running.
    AlreadyQueued,
}

/// Where a page of a deletion archive starts: after record `id` of organization `organization`
/// in the `table`-th archive table of `ARCHIVED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveCursor {
    table: usize,
    organization: i64,
    id: i64,
}

impl Default for ArchiveCursor {
    fn default() -> Self {
        ArchiveCursor {
            table: 0,
            organization: i64::MIN,
            id: i64::MIN,
        }
    }
}

/// One chunk's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub deleted: i64,
    pub skipped: i64,
    /// Targets left after this chunk.
    pub remaining: i64,
    /// The claim was lost (another worker took the job over): nothing of this chunk was written.
    pub lost: bool,
}

/// `AND <org column> IN (organizations the user may see)` for restricted users.
fn access(user: &CurrentUser, kind: ItemKind, param: usize) -> String {
    if !user.restricted {
        return String::new();
    }
    let col = if kind == ItemKind::Organization {
        "t.id"
    } else {
        "t.organization_id"
    };
    format!(
        " AND {col} IN (SELECT organization_id FROM user_organization_access WHERE \
        user_id = ${param})"
    )
}

impl Repo {
    pub async fn removal_impact(
        &self,
        user: &CurrentUser,
        args: &RemovalArgs,
    ) -> anyhow::Result<RemovalImpact> {
        let (integration, kind) = (args.integration, args.kind);
        let first = if user.restricted { 4 } else { 3 };
        let qualifies = args.qualifies(first);
        let orphans = format!(
            "FROM {} t WHERE t.account_id = $1 AND {}{}",
            table(kind),
            qualifies.sql,
            access(user, kind, 3)
        );
        let count = |sql: String| {
            let db = self.db.clone();
            let user = user.clone();
            let binds = qualifies.clone();
            async move {
                let n: i64 = on_db!(&db, |pool| {
                    let q = sqlx::query_scalar(&sql)
                        .bind(user.account_id.0)
                        .bind(integration.0);
                    let q = if user.restricted {
                        q.bind(user.user_id.0)
                    } else {
                        q
                    };
                    crate::bind_search!(q, binds).fetch_one(pool).await
                })?;
                Ok::<i64, anyhow::Error>(n)
            }
        };
        // The first `HAD_DATA_LISTED` targets matching `filter` by name, each with what the
        // dialog says of it (`what`, SQL), and how many match in all.
        let named = |what: &'static str, filter: &'static str| {
            let (db, user, binds) = (self.db.clone(), user.clone(), qualifies.clone());
            let sql = format!(
                "SELECT t.name, {what} {orphans} AND {filter} ORDER BY t.name LIMIT \
                    {HAD_DATA_LISTED}"
            );
            let all = format!("SELECT COUNT(*) {orphans} AND {filter}");
            let count = &count;
            async move {
                let rows: Vec<(String, String)> = on_db!(&db, |pool| {
                    let q = sqlx::query_as(&sql)
                        .bind(user.account_id.0)
                        .bind(integration.0);
                    let q = if user.restricted {
                        q.bind(user.user_id.0)
                    } else {
                        q
                    };
                    crate::bind_search!(q, binds).fetch_all(pool).await
                })?;
                // A list shorter than its limit is all of them; only a full one is counted.
                let n = if (rows.len() as i64) < HAD_DATA_LISTED {
                    rows.len() as i64
                } else {
                    count(all).await?
                };
                Ok::<_, anyhow::Error>((rows, n))
            }
        };
        let items = count(format!("SELECT COUNT(*) {orphans}")).await?;
        let mut children = Vec::new();
        let (mut had_data, mut had_data_count) = (Vec::new(), 0);
        if kind == ItemKind::Organization {
            for (child, _) in ORGANIZATION_CHILDREN {
                let n = count(format!(
                    "SELECT COUNT(*) FROM {child} c WHERE c.organization_id IN (SELECT \
                        t.id {orphans})"
                ))
                .await?;
                children.push((child.to_string(), n));
            }
            (had_data, had_data_count) =
                named(HAD_DATA_WHAT, "t.had_data_before_first_sync = TRUE").await?;
        }
        // A search or ticked organizations may take items no PSA sync made: each is named.
        let (mut unusual, mut unusual_count) = (Vec::new(), 0);
        if args.search.is_some() {
            (unusual, unusual_count) = named(
                "CASE WHEN t.sync_state IS NULL THEN 'stand-alone (not linked to a PSA)' ELSE \
                    'sync turned off' END",
                "(t.sync_state IS NULL OR t.sync_state = 'disabled')",
            )
            .await?;
        }
        let (kept, note) = self.syncing_note(user, args).await?;
        let what = self.removal_label(user.account_id, args).await?;
        Ok(RemovalImpact {
            kind,
            what,
            items,
            children,
            had_data,
            had_data_count,
            kept,
            note,
            unusual,
            unusual_count,
            restorable_until: None,
        })
    }

    /// For a search removal: how many matching items the PSA still syncs, and what the dialog
    /// says of them (kept without bulk delete by type, deleted too with it).
    async fn syncing_note(
        &self,
        user: &CurrentUser,
        args: &RemovalArgs,
    ) -> anyhow::Result<(i64, Option<String>)> {
        let Some(search) = &args.search else {
            return Ok((0, None));
        };
        let first = if user.restricted { 3 } else { 2 };
        let mut cond = search_condition(args.kind, search, "t", first, false);
        cond.sql.push_str(&args.narrowed());
        let sql = format!(
            "SELECT COUNT(*), COUNT(DISTINCT t.integration_id), MIN(p.kind) FROM {} t
             JOIN psa_integrations p ON p.id = t.integration_id
             WHERE t.account_id = $1 AND t.sync_state IN ('enabled', 'error'){}{}",
            table(args.kind),
            cond.sql,
            access(user, args.kind, 2)
        );
        let (syncing, psas, psa): (i64, i64, Option<String>) = on_db!(&self.db, |pool| {
            let q = sqlx::query_as(&sql).bind(user.account_id.0);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            crate::bind_search!(q, cond).fetch_one(pool).await
        })?;
        if syncing == 0 {
            return Ok((0, None));
        }
        let from = match psa.as_deref().and_then(app::model::PsaKind::parse) {
            Some(kind) if psas == 1 => kind.label(),
            _ => "your PSA",
        };
        let what = args.kind.plural().to_lowercase();
        let n = app::components::fmt_count(syncing);
        Ok(if args.include_syncing {
            (
                0,
                Some(format!(
                    "{n} of these {what} still sync from {from}: your account has bulk \
                        delete by type, so they are deleted too and come back at the next sync \
                        unless their type or status is paused first"
                )),
            )
        } else {
            (
                syncing,
                Some(format!(
                    "{n} {what} still syncing from {from} are not deleted: pause or \
                        disconnect their type first"
                )),
            )
        })
    }

    /// Queues the removal of a row's orphans, freezing exactly the ids counted now. Refused when
    /// the count is not the one the user confirmed.
    pub async fn queue_removal(
        &self,
        user: &CurrentUser,
        args: &RemovalArgs,
        confirmed: i64,
    ) -> anyhow::Result<Queued> {
        let now = Utc::now();
        let key = args.unique_key(user.account_id);
        let args_json = serde_json::to_string(args)?;
        let qualifies = args.qualifies(if user.restricted { 5 } else { 4 });
        let freeze = format!(
            "INSERT INTO removal_targets (job_id, seq, item_id)
             SELECT $3, ROW_NUMBER() OVER (ORDER BY t.id), t.id FROM {} t
             WHERE t.account_id = $1 AND {}{}",
            table(args.kind),
            qualifies.sql,
            access(user, args.kind, 4)
        );
        let result = on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let job: Option<i64> = sqlx::query_scalar(
                "INSERT INTO jobs (account_id, kind, state, unique_key, args, run_at, \
                    created_by, created_at)
                 VALUES ($1, $2, 'queued', $3, $4, $5, $6, $5) ON CONFLICT (unique_key) DO NOTHING \
                 RETURNING id",
            )
            .bind(user.account_id.0)
            .bind(REMOVAL_JOB)
            .bind(&key)
            .bind(&args_json)
            .bind(now)
            .bind(user.user_id.0)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(job) = job else {
                return Ok(Queued::AlreadyQueued);
            };
            let q = sqlx::query(&freeze)
                .bind(user.account_id.0)
                .bind(args.integration.0)
                .bind(job);
            let q = if user.restricted {
                q.bind(user.user_id.0)
            } else {
                q
            };
            let n = crate::bind_search!(q, qualifies)
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64;
            if n != confirmed {
                tx.rollback().await?;
                return Ok(Queued::CountChanged(n));
            }
            sqlx::query("UPDATE jobs SET progress_total = $1 WHERE id = $2")
                .bind(n)
                .bind(job)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<Queued, anyhow::Error>(Queued::Job(JobId(job)))
        })?;
        Ok(result)
    }

    /// Runs the next chunk of a claimed removal job: the `size` targets from the first one not
    /// reached yet.
    pub async fn removal_chunk(
        &self,
        account: AccountId,
        job: JobId,
        worker: &str,
        args: &RemovalArgs,
        size: i64,
    ) -> anyhow::Result<Chunk> {
        let job = job.0;
        let after = self
            .removal_frontier(JobId(job))
            .await?
            .unwrap_or(i64::MAX - size);
        self.removal_chunk_after(account, JobId(job), worker, args, after, size)
            .await
    }

    /// The `seq` just before a removal's first target not reached yet (every target before it
    /// has its outcome); None when every target has one.
    pub async fn removal_frontier(&self, job: JobId) -> anyhow::Result<Option<i64>> {
        let job = job.0;
        let first: Option<i64> = on_db!(&self.db, |pool| sqlx::query_scalar(
            "SELECT MIN(seq) FROM removal_targets WHERE job_id = $1 AND outcome IS \
                NULL"
        )
        .bind(job)
        .fetch_one(pool)
        .await)?;
        Ok(first.map(|seq| seq - 1))
    }

    /// Runs one chunk of a claimed removal job: the targets numbered `after + 1` to
    /// `after + size` not reached yet. Chunks of one job over different numbers may run at the
    /// same time (PostgreSQL): each locks only its own targets, and the job's row only in its
    /// last statement, which adds what it reached to the progress and proves the claim.
    pub async fn removal_chunk_after(
        &self,
        account: AccountId,
        job: JobId,
        worker: &str,
        args: &RemovalArgs,
        after: i64,
        size: i64,
    ) -> anyhow::Result<Chunk> {
        let job = job.0;
        let c = ChunkCtx {
            acc: account.0,
            job,
            worker,
            args,
            after,
            upto: after.saturating_add(size.max(1)),
        };
        match &self.db {
            Db::Sqlite(pool) => sqlite::chunk::run(pool, &c).await,
            Db::Postgres(pool) => postgres::chunk::run(pool, &c).await,
        }
    }
}
