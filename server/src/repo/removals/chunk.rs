//! One chunk of a removal, in plain Rust against one backend's types: `sqlite.rs` and
//! `postgres.rs` compile this file with their own `DB`, `LOCK` and `delete_archived` (how the
//! deleted rows reach the archive), and `removal_chunk_after` picks one. In ONE transaction: the
//! claim proved, each target re-checked, what still qualifies archived and deleted, every
//! target's outcome recorded, the job's progress moved.

use super::{delete_archived, Tx, DB, LOCK};
use crate::db::BeginWrite;
use crate::repo::manage_data::table;
use crate::repo::removals::{Chunk, ChunkCtx};

/// What a worker whose claim is gone reports: nothing done.
const LOST: Chunk = Chunk {
    deleted: 0,
    skipped: 0,
    remaining: 0,
    lost: true,
};

/// Runs the chunk; wholly done or not at all.
pub(in crate::repo::removals) async fn run(
    pool: &sqlx::Pool<DB>,
    c: &ChunkCtx<'_>,
) -> anyhow::Result<Chunk> {
    let mut tx = pool.begin_write().await?;
    // Nothing is done for a worker whose claim is gone. (The claim is proved again, and kept,
    // by the progress update that ends the chunk.)
    if !claimed(&mut tx, c).await? {
        return Ok(LOST);
    }
    let targets = targets(&mut tx, c).await?;
    let qualifying = still_qualifying(&mut tx, c, &targets).await?;
    let mut deleted = 0;
    if !qualifying.is_empty() {
        let ids = id_list(&qualifying);
        delete_archived(&mut tx, c, &ids).await?;
        deleted = mark(&mut tx, c, "deleted", Some(&ids)).await?;
    }
    let skipped = mark(&mut tx, c, "skipped", None).await?;
    let Some(remaining) = progress(&mut tx, c, deleted + skipped).await? else {
        tx.rollback().await?;
        return Ok(LOST);
    };
    tx.commit().await?;
    Ok(Chunk {
        deleted,
        skipped,
        remaining,
        lost: false,
    })
}

/// Whether the job is still this worker's.
async fn claimed(tx: &mut Tx, c: &ChunkCtx<'_>) -> anyhow::Result<bool> {
    let claimed: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE id = $1 AND locked_by = $2 AND state = 'running'",
    )
    .bind(c.job)
    .bind(c.worker)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(claimed.is_some())
}

/// The chunk's targets not reached yet (their item ids).
async fn targets(tx: &mut Tx, c: &ChunkCtx<'_>) -> anyhow::Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT item_id FROM removal_targets
         WHERE job_id = $1 AND seq > $2 AND seq <= $3 AND outcome IS NULL ORDER BY seq",
    )
    .bind(c.job)
    .bind(c.after)
    .bind(c.upto)
    .fetch_all(&mut **tx)
    .await?)
}

/// The targets that still qualify: still in the account, still linked to the integration, still
/// orphaned (or still of the row's type or status, or still matching the search). PostgreSQL
/// locks what it re-checks (a sync or an edit committed meanwhile is seen, and one that comes
/// later waits for this chunk); SQLite's transaction already holds the database's one write lock
/// since its first statement.
async fn still_qualifying(
    tx: &mut Tx,
    c: &ChunkCtx<'_>,
    targets: &[i64],
) -> anyhow::Result<Vec<i64>> {
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let qualifies = c.args.qualifies(3);
    let recheck = format!(
        "SELECT t.id FROM {} t WHERE t.id IN ({}) AND t.account_id = $1 AND {}{LOCK}",
        table(c.args.kind),
        id_list(targets),
        qualifies.sql
    );
    Ok(crate::bind_search!(
        sqlx::query_scalar(&recheck)
            .bind(c.acc)
            .bind(c.args.integration.0),
        qualifies
    )
    .fetch_all(&mut **tx)
    .await?)
}

/// Records the outcome of the chunk's targets not reached yet (only those of `ids` when given);
/// returns how many.
async fn mark(
    tx: &mut Tx,
    c: &ChunkCtx<'_>,
    outcome: &str,
    ids: Option<&str>,
) -> anyhow::Result<i64> {
    let only = ids
        .map(|ids| format!(" AND item_id IN ({ids})"))
        .unwrap_or_default();
    let n = sqlx::query(&format!(
        "UPDATE removal_targets SET outcome = $4
         WHERE job_id = $1 AND seq > $2 AND seq <= $3 AND outcome IS NULL{only}"
    ))
    .bind(c.job)
    .bind(c.after)
    .bind(c.upto)
    .bind(outcome)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n as i64)
}

/// Adds what the chunk reached to the job's progress and proves the claim; the targets left,
/// or None when the claim was lost. Last, so a chunk running beside this one waits for the job's
/// row only while this one commits. Counted from the outcomes this chunk wrote: the progress is
/// the number of targets reached, whatever order the chunks commit in.
async fn progress(tx: &mut Tx, c: &ChunkCtx<'_>, reached: i64) -> anyhow::Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE jobs SET heartbeat_at = $1, progress_done = progress_done + $2
         WHERE id = $3 AND locked_by = $4 AND state = 'running'
         RETURNING progress_total - progress_done",
    )
    .bind(chrono::Utc::now())
    .bind(reached)
    .bind(c.job)
    .bind(c.worker)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Ids as SQL's list: `1, 2, 3` (numbers only, so never a string from outside).
fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
