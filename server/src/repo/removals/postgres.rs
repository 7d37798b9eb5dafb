//! A removal's chunk on PostgreSQL.

use super::ChunkCtx;
use crate::repo::manage_data::table;

type DB = sqlx::Postgres;
type Tx = sqlx::Transaction<'static, DB>;

/// The re-check locks what it reads.
const LOCK: &str = " FOR UPDATE";

#[allow(clippy::duplicate_mod)]
#[path = "chunk.rs"]
pub(super) mod chunk;

/// Deletes the targets `ids`; the delete archives itself. With `steward.archive_job` set for
/// this transaction, each table's statement trigger copies the rows the statement deleted (the
/// targets, and their children through the organizations' cascade) into `archived_<table>`
/// (migration 0018). What the re-check locked is what is deleted; a child added to a locked
/// organization meanwhile waits for this chunk (its foreign key check needs the organization).
/// Copying each kind with `DELETE ... RETURNING` first, as before, made the cascade look for
/// every deleted child again (docs/BENCHMARKS.md, the removal's log).
async fn delete_archived(tx: &mut Tx, c: &ChunkCtx<'_>, ids: &str) -> anyhow::Result<()> {
    sqlx::query("SELECT set_config('steward.archive_job', $1, true)")
        .bind(c.job.to_string())
        .execute(&mut **tx)
        .await?;
    let t = table(c.args.kind);
    sqlx::query(&format!(
        "DELETE FROM {t} WHERE id IN ({ids}) AND account_id = $1"
    ))
    .bind(c.acc)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
