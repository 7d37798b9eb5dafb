//! Undo a removal: a restore job brings the records of a removal's deletion archive back, all of
//! them or those of some organizations, a chunk of the removal's records at a time (each chunk
//! one transaction with its progress, as removals run). A removed organization comes back with
//! everything that was archived under it; each record keeps its id, its PSA link, its sync state
//! and orphan reason, so the next sync treats it as any linked item. What cannot come back is
//! noted, never overwritten: an organization whose name exists again, a record whose PSA record
//! is linked to another item now, a record whose organization is gone. A record comes back once.

use super::manage_data::{organization_column, table};
use super::removals::{
    archived_columns, json_columns, RemovalArgs, ARCHIVED, ORGANIZATION_CHILDREN, REMOVAL_JOB,
};
use super::Repo;
use crate::db::Backend;
use crate::db::BeginWrite;
use crate::on_db;
use app::model::JobId;
use app::model::{
    AccountId, JobState, NotRestored, RestoreChoice, RestoreJob, UserId, NOT_RESTORED_LISTED,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
mod chunk;
// A chunk's steps, compiled once per backend (`steps.rs` is plain Rust against `super::DB`).
mod postgres;
mod sqlite;

pub const RESTORE_JOB: &str = "restore";

/// What a restore job brings back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreArgs {
    /// The removal job whose archive it reads.
    pub removal: JobId,
    /// Only the records in these organizations; every record when `None`.
    pub organizations: Option<Vec<i64>>,
}

/// Why a restore was not queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreQueued {
    Job(JobId),
    /// No removal of that id in the account.
    NotFound,
    /// The removal has not ended yet.
    NotFinished,
    /// Nothing of the choice is left to restore (restored already, or past retention).
    Nothing,
    /// A restore of this removal is queued or running.
    AlreadyQueued,
}

/// One chunk's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreChunk {
    pub restored: i64,
    pub not_restored: i64,
    pub remaining: i64,
    /// The claim was lost: nothing of this chunk was written.
    pub lost: bool,
}

/// Items keep their ids (they are never reused, and tombstones and frozen targets name them);
/// passwords and documents, which nothing refers to, get new ones.
fn keeps_id(table: &str) -> bool {
    matches!(
        table,
        "organizations" | "configurations" | "contacts" | "locations"
    )
}

/// The INSERT that puts an archived record (JSON in `$2`) back into `table` of account `$1`. A
/// type or status that no longer exists in the catalog comes back empty.
fn insert_sql(table: &str, backend: Backend) -> String {
    let mut cols: Vec<&str> = archived_columns(table)
        .iter()
        .copied()
        .filter(|c| *c != "id" || keeps_id(table))
        .collect();
    if table == "passwords" {
        cols.push("secret_ciphertext");
    }
    super::schema::insert_from_json(table, &cols, backend, true, false)
}

/// What people call an archived record.
fn record_name(kind: &str, v: &serde_json::Value) -> String {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    match kind {
        "contact" => format!("{} {}", s("first_name"), s("last_name"))
            .trim()
            .to_string(),
        "document" => s("title"),
        _ => s("name"),
    }
}

/// The record's PSA link: (integration, PSA id), when it had one.
fn link(v: &serde_json::Value) -> Option<(i64, i64)> {
    Some((
        v.get("integration_id")?.as_i64()?,
        v.get("psa_id")?.as_i64()?,
    ))
}

/// Makes a record stand-alone (its integration is gone).
fn unlink(v: &mut serde_json::Value) {
    for k in [
        "integration_id",
        "psa_id",
        "sync_state",
        "orphan_reason",
        "sync_error",
        "last_synced_at",
    ] {
        if let Some(x) = v.get_mut(k) {
            *x = serde_json::Value::Null;
        }
    }
}

const NAME_TAKEN: &str = "An organization with this name exists again; it was not \
    overwritten";
const LINK_TAKEN: &str = "Its PSA record is linked to another item now; that item was \
    kept";
const NO_ORGANIZATION: &str =
    "Its organization is not here any more: restore the removal of that organization \
        first";
const DONE_ALREADY: &str = "It was restored already";

impl Repo {
    /// The organizations whose archived records a removal can still bring back, by name; None
    /// when the account has no such removal.
    pub async fn restore_choices(
        &self,
        account: AccountId,
        removal: JobId,
    ) -> anyhow::Result<Option<Vec<RestoreChoice>>> {
        let removal = removal.0;
        let Some(job) = self.job(account, JobId(removal)).await? else {
            return Ok(None);
        };
        if job.kind != REMOVAL_JOB {
            return Ok(None);
        }
        // Every archived record not yet restored, by organization; an archived organization
        // gives its own name.
        let arms = ARCHIVED
            .iter()
            .map(|(table, _)| {
                let (org, name) = if *table == "organizations" {
                    ("t.id", "t.name")
                } else {
                    ("t.organization_id", "NULL")
                };
                format!(
                    "SELECT {org} AS organization_id, {name} AS archived_name FROM \
                        archived_{table} t
                     WHERE t.account_id = $1 AND t.job_id = $2 AND t.restored_by IS NULL"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let sql = format!(
            "SELECT a.organization_id, COUNT(*), MAX(a.archived_name), MAX(o.name)
             FROM ({arms}) a LEFT JOIN organizations o ON o.id = a.organization_id AND \
             o.account_id = $1
             GROUP BY a.organization_id"
        );
        let rows: Vec<(i64, i64, Option<String>, Option<String>)> =
            on_db!(&self.db, |pool| sqlx::query_as(&sql)
                .bind(account.0)
                .bind(removal)
                .fetch_all(pool)
                .await)?;
        let mut choices: Vec<RestoreChoice> = rows
            .into_iter()
            .map(|(organization, records, archived, here)| RestoreChoice {
                organization,
                removed: archived.is_some(),
                name: archived
                    .or(here)
                    .unwrap_or_else(|| format!("Organization {organization} (not here any more)")),
                records,
            })
            .collect();
        choices.sort_by_key(|c| c.name.to_lowercase());
        Ok(Some(choices))
    }

    /// Queues a restore of a finished removal, freezing the archived records of the removed
    /// kind that it will bring back (in the chosen organizations only, when chosen).
    pub async fn queue_restore(
        &self,
        account: AccountId,
        by: Option<UserId>,
        args: &RestoreArgs,
    ) -> anyhow::Result<RestoreQueued> {
        let Some(job) = self.job(account, args.removal).await? else {
            return Ok(RestoreQueued::NotFound);
        };
        if job.kind != REMOVAL_JOB {
            return Ok(RestoreQueued::NotFound);
        }
        if !matches!(
            job.state,
            super::JobState::Succeeded | super::JobState::Cancelled | super::JobState::Failed
        ) {
            return Ok(RestoreQueued::NotFinished);
        }
        let removal: RemovalArgs = serde_json::from_str(&job.args)?;
        let (table, org) = (table(removal.kind), organization_column(removal.kind));
        let only = match &args.organizations {
            Some(ids) if ids.is_empty() => return Ok(RestoreQueued::Nothing),
            // Numbers only: safe to spell out.
            Some(ids) => format!(
                " AND {org} IN ({})",
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => String::new(),
        };
        let freeze = format!(
            "INSERT INTO restore_targets (job_id, seq, item_id, organization_id)
             SELECT $1, ROW_NUMBER() OVER (ORDER BY {org}, id), id, {org} FROM archived_{table}
             WHERE account_id = $2 AND job_id = $3 AND restored_by IS NULL{only}"
        );
        let now = Utc::now();
        let key = format!("restore:{}", args.removal);
        let args_json = serde_json::to_string(args)?;
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            let job: Option<i64> = sqlx::query_scalar(
                "INSERT INTO jobs (account_id, kind, state, unique_key, args, run_at, \
                    created_by, created_at)
                 VALUES ($1, $2, 'queued', $3, $4, $5, $6, $5) ON CONFLICT (unique_key) DO NOTHING \
                 RETURNING id",
            )
            .bind(account.0)
            .bind(RESTORE_JOB)
            .bind(&key)
            .bind(&args_json)
            .bind(now)
            .bind(by.map(|u| u.0))
            .fetch_optional(&mut *tx)
            .await?;
            let Some(job) = job else {
                return Ok(RestoreQueued::AlreadyQueued);
            };
            let n = sqlx::query(&freeze)
                .bind(job)
                .bind(account.0)
                .bind(args.removal.0)
                .execute(&mut *tx)
                .await?
                .rows_affected() as i64;
            if n == 0 {
                tx.rollback().await?;
                return Ok(RestoreQueued::Nothing);
            }
            sqlx::query("UPDATE jobs SET progress_total = $1 WHERE id = $2")
                .bind(n)
                .bind(job)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<RestoreQueued, anyhow::Error>(RestoreQueued::Job(JobId(job)))
        })
    }

    /// The account's restore jobs, newest first (or the one asked for), with what each brought
    /// back and what it could not.
    pub async fn restore_jobs(
        &self,
        account: AccountId,
        one: Option<JobId>,
    ) -> anyhow::Result<Vec<RestoreJob>> {
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            i64,
            i64,
            i64,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<String>,
            i64,
        );
        // What each brought back: its records in every archive table (each through its index
        // on `restored_by`).
        let restored = ARCHIVED
            .iter()
            .map(|(table, _)| {
                format!(
                    "(SELECT COUNT(*) FROM archived_{table} a WHERE a.restored_by \
                    = j.id)"
                )
            })
            .collect::<Vec<_>>()
            .join(" + ");
        let sql = format!(
            "SELECT j.id, j.args, j.state, u.email, j.progress_done, j.progress_total, \
                {restored},
                j.created_at, j.finished_at, j.last_error,
                (SELECT COUNT(*) FROM restore_notes n WHERE n.job_id = j.id)
             FROM jobs j LEFT JOIN users u ON u.id = j.created_by
             WHERE j.account_id = $1 AND j.kind = $2 AND ($3 = 0 OR j.id = $3)
             ORDER BY j.id DESC LIMIT 50"
        );
        let rows: Vec<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
            .bind(account.0)
            .bind(RESTORE_JOB)
            .bind(one.map_or(0, |j| j.0))
            .fetch_all(pool)
            .await)?;
        // What each removal deleted, read once per removal (restores of one removal share it),
        // and the notes of every listed restore in one query (the first NOT_RESTORED_LISTED
        // each; the count above is of all of them).
        let mut labels: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        let mut notes: std::collections::HashMap<i64, Vec<NotRestored>> =
            std::collections::HashMap::new();
        if !rows.is_empty() {
            let ids = rows
                .iter()
                .map(|r| r.0.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let found: Vec<(i64, String, String, String)> =
                on_db!(&self.db, |pool| sqlx::query_as(&format!(
                    "SELECT job_id, item_kind, name, reason FROM (
                    SELECT n.job_id, n.item_kind, n.name, n.reason, n.id,
                           ROW_NUMBER() OVER (PARTITION BY n.job_id ORDER BY n.id) AS k
                    FROM restore_notes n WHERE n.job_id IN ({ids})) x
                 WHERE k <= {NOT_RESTORED_LISTED} ORDER BY job_id, id"
                ))
                .fetch_all(pool)
                .await)?;
            for (job, kind, name, reason) in found {
                notes
                    .entry(job)
                    .or_default()
                    .push(NotRestored { kind, name, reason });
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for (id, args, state, by, done, total, restored, created, finished, error, refused) in rows
        {
            let args: RestoreArgs = serde_json::from_str(&args)?;
            let what = match labels.get(&args.removal.0) {
                Some(w) => w.clone(),
                None => {
                    let w = match self.job(account, args.removal).await? {
                        Some(r) => {
                            let removal: RemovalArgs = serde_json::from_str(&r.args)?;
                            self.removal_label(account, &removal).await?
                        }
                        None => "a removal".to_string(),
                    };
                    labels.insert(args.removal.0, w.clone());
                    w
                }
            };
            out.push(RestoreJob {
                id: JobId(id),
                removal: args.removal,
                what,
                state: super::parse_or(&state, JobState::parse, "job state")?,
                started_by: by,
                done,
                total,
                restored,
                not_restored_count: refused,
                not_restored: notes.remove(&id).unwrap_or_default(),
                created_at: created,
                finished_at: finished,
                error,
            });
        }
        Ok(out)
    }
}
