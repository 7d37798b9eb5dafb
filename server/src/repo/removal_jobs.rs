//! Removal jobs as people follow them: one query for the Removals page, the Manage Data
//! progress bar and the progress stream (who queued it, how far it is, what it deleted and
//! skipped), and the purge of deletion archives past their retention period.

use super::{parse_or, JobState, RemovalArgs, Repo, REMOVAL_JOB};
use crate::on_db;
use app::model::{AccountId, JobId};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Which removal jobs to read.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    One(JobId),
    /// Queued or running ones, and those that ended at or after this moment.
    LiveSince(DateTime<Utc>),
    /// The newest ones, current and past.
    Newest(i64),
}

/// A removal job with what its targets' outcomes say.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovalRow {
    pub id: i64,
    pub args: RemovalArgs,
    /// "orphaned organizations", "organizations of Type: Prospect".
    pub what: String,
    pub state: JobState,
    pub started_by: Option<String>,
    pub done: i64,
    pub total: i64,
    pub deleted: i64,
    pub skipped: i64,
    /// Records inside the deleted organizations that went too (counted once it has ended).
    pub inside: i64,
    /// Its archive holds records and every one of them has been restored.
    pub fully_restored: bool,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub cancel_requested: bool,
    pub error: Option<String>,
}

type Row = (
    i64,
    String,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
    bool,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    bool,
    Option<String>,
);

fn to_row(r: Row) -> anyhow::Result<RemovalRow> {
    let (
        id,
        args,
        state,
        by,
        done,
        total,
        deleted,
        skipped,
        inside,
        fully_restored,
        created,
        started,
        finished,
        cancel,
        error,
    ) = r;
    let args: RemovalArgs = serde_json::from_str(&args)?;
    // Only organizations hold records; a configuration's archive rows are its targets.
    let inside = if args.kind == app::model::ItemKind::Organization {
        inside
    } else {
        0
    };
    Ok(RemovalRow {
        id,
        what: String::new(),
        args,
        state: parse_or(&state, JobState::parse, "job state")?,
        started_by: by,
        done,
        total,
        deleted,
        skipped,
        inside,
        fully_restored,
        created_at: created,
        started_at: started,
        finished_at: finished,
        cancel_requested: cancel,
        error,
    })
}

/// The records inside a removal's organizations that its archive holds (organizations have
/// children; the other kinds none), once the job has ended.
fn inside_sql() -> String {
    let counts = super::removals::ORGANIZATION_CHILDREN
        .iter()
        .map(|(table, _)| {
            format!("(SELECT COUNT(*) FROM archived_{table} a WHERE a.job_id = j.id)")
        })
        .collect::<Vec<_>>()
        .join(" + ");
    format!("CASE WHEN j.finished_at IS NULL THEN 0 ELSE {counts} END")
}

/// Whether an ended removal's archive holds records and none is left unrestored.
fn fully_restored_sql() -> String {
    let archived = |restored: bool| {
        super::removals::ARCHIVED
            .iter()
            .map(|(table, _)| {
                let cond = if restored {
                    ""
                } else {
                    " AND a.restored_by IS NULL"
                };
                format!("EXISTS (SELECT 1 FROM archived_{table} a WHERE a.job_id = j.id{cond})")
            })
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    format!(
        "(j.finished_at IS NOT NULL AND ({}) AND NOT ({}))",
        archived(true),
        archived(false)
    )
}

/// A removal's words, given the name of its row's type or status (if it has a row).
fn label(args: &RemovalArgs, row_name: Option<&str>) -> String {
    let plural = args.kind.plural().to_lowercase();
    match (&args.row, &args.search) {
        (Some(row), _) => format!(
            "{plural} of {}: {}",
            row.category.dimension(),
            row_name.map_or_else(|| format!("#{}", row.value.0), str::to_string)
        ),
        (None, Some(_)) if args.ids.is_some() => format!("ticked {plural}"),
        (None, Some(search)) => format!("{plural} matching “{}”", search.describe()),
        (None, None) => {
            let ticked = if args.ids.is_some() { "ticked " } else { "" };
            match args.reason {
                Some(r) => format!("{ticked}orphaned {plural} ({})", r.label()),
                None => format!("{ticked}orphaned {plural}"),
            }
        }
    }
}

impl Repo {
    /// Removal jobs of an account, newest first.
    /// Removal jobs of the account; with `only_by`, only those that user queued (what a user
    /// restricted to some organizations may see: their own removals touched only their
    /// organizations).
    pub async fn removal_rows(
        &self,
        account: AccountId,
        only_by: Option<app::model::UserId>,
        which: Which,
    ) -> anyhow::Result<Vec<RemovalRow>> {
        let (filter, limit) = match which {
            Which::One(_) => ("j.id = $3", 1),
            Which::LiveSince(_) => (
                "(j.state IN ('queued', 'running') OR j.finished_at >= $3)",
                100,
            ),
            Which::Newest(n) => ("$3 = $3", n.clamp(1, 500)),
        };
        let sql = format!(
            "SELECT j.id, j.args, j.state, u.email, j.progress_done, j.progress_total,
                (SELECT COUNT(*) FROM removal_targets r WHERE r.job_id = j.id AND r.outcome = \
                'deleted'),
                (SELECT COUNT(*) FROM removal_targets r WHERE r.job_id = j.id AND r.outcome = \
                'skipped'),
                {inside}, {restored},
                j.created_at, j.started_at, j.finished_at, j.cancel_requested, j.last_error
             FROM jobs j LEFT JOIN users u ON u.id = j.created_by
             WHERE j.account_id = $1 AND j.kind = $2 AND {filter} AND ($4 IS NULL OR j.created_by \
             = $4)
             ORDER BY j.id DESC LIMIT {limit}",
            inside = inside_sql(),
            restored = fully_restored_sql()
        );
        let by: Option<i64> = only_by.map(|u| u.0);
        let rows: Vec<Row> = match which {
            Which::One(id) => on_db!(&self.db, |pool| sqlx::query_as(&sql)
                .bind(account.0)
                .bind(REMOVAL_JOB)
                .bind(id.0)
                .bind(by)
                .fetch_all(pool)
                .await)?,
            Which::LiveSince(at) => on_db!(&self.db, |pool| sqlx::query_as(&sql)
                .bind(account.0)
                .bind(REMOVAL_JOB)
                .bind(at)
                .bind(by)
                .fetch_all(pool)
                .await)?,
            Which::Newest(_) => on_db!(&self.db, |pool| sqlx::query_as(&sql)
                .bind(account.0)
                .bind(REMOVAL_JOB)
                .bind(0i64)
                .bind(by)
                .fetch_all(pool)
                .await)?,
        };
        let mut rows = rows
            .into_iter()
            .map(to_row)
            .collect::<anyhow::Result<Vec<_>>>()?;
        // The names of the rows' types and statuses, in one query.
        let values: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.args.row.map(|t| t.value.0))
            .collect();
        let names = self.catalog_names(account, &values).await?;
        for r in rows.iter_mut() {
            let name = r.args.row.and_then(|t| names.get(&t.value.0));
            r.what = label(&r.args, name.map(String::as_str));
        }
        Ok(rows)
    }

    /// What a removal deletes, in words: "orphaned organizations", "organizations of Type:
    /// Prospect", "organizations matching “sync status: orphaned”".
    pub async fn removal_label(
        &self,
        account: AccountId,
        args: &RemovalArgs,
    ) -> anyhow::Result<String> {
        let values: Vec<i64> = args.row.iter().map(|t| t.value.0).collect();
        let names = self.catalog_names(account, &values).await?;
        let name = args.row.and_then(|t| names.get(&t.value.0));
        Ok(label(args, name.map(String::as_str)))
    }

    /// The names of these types and statuses of the account.
    async fn catalog_names(
        &self,
        account: AccountId,
        values: &[i64],
    ) -> anyhow::Result<HashMap<i64, String>> {
        if values.is_empty() {
            return Ok(HashMap::new());
        }
        let list = values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let rows: Vec<(i64, String)> = on_db!(&self.db, |pool| sqlx::query_as(&format!(
            "SELECT id, name FROM psa_catalog_values WHERE account_id = $1 AND id IN \
                ({list})"
        ))
        .bind(account.0)
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().collect())
    }

    /// Deletes the deletion archives of jobs that ended before `cutoff` (the retention period),
    /// in every account. Returns how many archived records went.
    pub async fn purge_deletion_archives(&self, cutoff: DateTime<Utc>) -> anyhow::Result<u64> {
        let mut purged = 0;
        for (table, _) in super::removals::ARCHIVED {
            let sql = format!(
                "DELETE FROM archived_{table} WHERE job_id IN
                    (SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $1)"
            );
            purged += on_db!(&self.db, |pool| sqlx::query(&sql)
                .bind(cutoff)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(purged)
    }
}
