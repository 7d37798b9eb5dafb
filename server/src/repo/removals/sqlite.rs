//! A removal's chunk on SQLite.

use super::{archive_copy, ChunkCtx, ORGANIZATION_CHILDREN};
use crate::repo::manage_data::table;
use app::model::ItemKind;

type DB = sqlx::Sqlite;
type Tx = sqlx::Transaction<'static, DB>;

/// The transaction holds the database's one write lock already: nothing more to lock.
const LOCK: &str = "";

#[path = "chunk.rs"]
pub(super) mod chunk;

/// Archives and deletes the targets `ids` and, for organizations, everything under them. SQLite
/// has no transition tables; its transaction holds the database's one write lock, so what is
/// copied here is what the deletes remove.
async fn delete_archived(tx: &mut Tx, c: &ChunkCtx<'_>, ids: &str) -> anyhow::Result<()> {
    let t = table(c.args.kind);
    let (into, select) = archive_copy(t);
    sqlx::query(&format!(
        "{into} {select} FROM {t} t WHERE t.id IN ({ids}) AND t.account_id = $1"
    ))
    .bind(c.acc)
    .bind(c.job)
    .execute(&mut **tx)
    .await?;
    if c.args.kind == ItemKind::Organization {
        for (child, _) in ORGANIZATION_CHILDREN {
            // Found through their organization: without statistics it read the whole account
            // through the name index, per chunk.
            let (into, select) = archive_copy(child);
            sqlx::query(&format!(
                "{into} {select} FROM {child} t INDEXED BY {child}_organization
                 WHERE t.organization_id IN ({ids})"
            ))
            .bind(c.acc)
            .bind(c.job)
            .execute(&mut **tx)
            .await?;
            // Deleted here in one statement, not by the organizations' cascade: SQLite runs a
            // cascade as one delete per organization, which took twice as long for the same
            // rows (docs/BENCHMARKS.md, the removal's log).
            sqlx::query(&format!(
                "DELETE FROM {child} INDEXED BY {child}_organization
                 WHERE organization_id IN ({ids})"
            ))
            .execute(&mut **tx)
            .await?;
        }
    }
    sqlx::query(&format!(
        "DELETE FROM {t} WHERE id IN ({ids}) AND account_id = $1"
    ))
    .bind(c.acc)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
