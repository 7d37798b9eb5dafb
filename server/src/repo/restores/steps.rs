//! One chunk of a restore, in plain Rust against one backend's types: `sqlite.rs` and
//! `postgres.rs` compile this file with their own `DB` (decision 0024), and `restore_chunk`
//! picks one. In ONE transaction: the claim proved, each target checked (its name or its PSA
//! link may be taken again, its organization gone), brought back with everything archived under
//! it or noted as not restored, and the job's progress moved.

use super::{Tx, DB};
use crate::db::BeginWrite;
use crate::repo::removals::{archived_organization_column, ORGANIZATION_CHILDREN};
use crate::repo::restores::chunk::ChunkCtx;
use crate::repo::restores::{
    insert_sql, keeps_id, link, record_name, unlink, RestoreChunk, DONE_ALREADY, LINK_TAKEN,
    NAME_TAKEN, NO_ORGANIZATION,
};

/// An archived target of the chunk.
#[derive(sqlx::FromRow)]
struct Target {
    seq: i64,
    id: i64,
    organization: i64,
    /// The archived record, as JSON.
    payload: String,
    /// The restore that brought it back already, if one did.
    restored_by: Option<i64>,
}

/// A record to put back: the target, or something archived under an organization.
struct Record {
    kind: &'static str,
    table: &'static str,
    id: i64,
    organization: i64,
    value: serde_json::Value,
}

/// Runs the chunk; wholly done or not at all.
pub(in crate::repo::restores) async fn run(
    pool: &sqlx::Pool<DB>,
    c: &ChunkCtx<'_>,
) -> anyhow::Result<RestoreChunk> {
    let mut tx = pool.begin_write().await?;
    // The progress update first: it takes the write lock, and proves the claim.
    let done: Option<i64> = sqlx::query_scalar(crate::repo::jobs::STEP_CLAIM)
        .bind(c.now)
        .bind(c.job)
        .bind(c.worker)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(done) = done else {
        return Ok(RestoreChunk {
            restored: 0,
            not_restored: 0,
            remaining: 0,
            lost: true,
        });
    };
    let targets: Vec<Target> = sqlx::query_as(&c.read_targets)
        .bind(c.job)
        .bind(done)
        .bind(c.acc)
        .bind(c.size)
        .bind(c.removal)
        .fetch_all(&mut *tx)
        .await?;
    let Some(last_seq) = targets.last().map(|t| t.seq) else {
        return Ok(RestoreChunk {
            restored: 0,
            not_restored: 0,
            remaining: 0,
            lost: false,
        });
    };
    let (mut restored, mut refused) = (0i64, 0i64);
    for target in targets {
        let seq = target.seq;
        let outcome = if restore_target(&mut tx, c, target).await? {
            restored += 1;
            "restored"
        } else {
            refused += 1;
            "not_restored"
        };
        sqlx::query("UPDATE restore_targets SET outcome = $1 WHERE job_id = $2 AND seq = $3")
            .bind(outcome)
            .bind(c.job)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE jobs SET progress_done = $1 WHERE id = $2")
        .bind(last_seq)
        .bind(c.job)
        .execute(&mut *tx)
        .await?;
    let remaining: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM restore_targets WHERE job_id = $1 AND seq > $2")
            .bind(c.job)
            .bind(last_seq)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    Ok(RestoreChunk {
        restored,
        not_restored: refused,
        remaining,
        lost: false,
    })
}

/// Brings one target back with everything archived under it; false when it cannot come back
/// (noted in the restore's notes, with nothing under it brought back either).
async fn restore_target(tx: &mut Tx, c: &ChunkCtx<'_>, t: Target) -> anyhow::Result<bool> {
    let value: serde_json::Value = serde_json::from_str(&t.payload)?;
    let why = match t.restored_by {
        Some(_) => Some(DONE_ALREADY),
        None => refusal(tx, c, &value, t.organization).await?,
    };
    let mut records = vec![Record {
        kind: c.kind,
        table: c.table,
        id: t.id,
        organization: t.organization,
        value,
    }];
    if why.is_none() && c.kind == "organization" {
        records.extend(archived_under(tx, c, t.id).await?);
    }
    for (n, record) in records.into_iter().enumerate() {
        let is_root = n == 0;
        if !put_back(tx, c, record, if is_root { why } else { None }).await? && is_root {
            // Nothing under a refused organization comes back either.
            break;
        }
    }
    Ok(why.is_none())
}

/// Why the target cannot come back, if it cannot: an organization's name is taken again, or a
/// record's organization is gone.
async fn refusal(
    tx: &mut Tx,
    c: &ChunkCtx<'_>,
    value: &serde_json::Value,
    organization: i64,
) -> anyhow::Result<Option<&'static str>> {
    if c.kind == "organization" {
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND LOWER(name) = LOWER($2)",
        )
        .bind(c.acc)
        .bind(record_name(c.kind, value))
        .fetch_one(&mut **tx)
        .await?;
        return Ok((taken > 0).then_some(NAME_TAKEN));
    }
    let here: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id = $2")
            .bind(c.acc)
            .bind(organization)
            .fetch_one(&mut **tx)
            .await?;
    Ok((here == 0).then_some(NO_ORGANIZATION))
}

#[derive(sqlx::FromRow)]
struct Child {
    /// Which of `ORGANIZATION_CHILDREN`.
    n: i64,
    id: i64,
    payload: String,
}

/// Everything the removal archived under organization `organization` and not brought back yet.
async fn archived_under(
    tx: &mut Tx,
    c: &ChunkCtx<'_>,
    organization: i64,
) -> anyhow::Result<Vec<Record>> {
    let children: Vec<Child> = sqlx::query_as(&c.read_children)
        .bind(c.removal)
        .bind(organization)
        .fetch_all(&mut **tx)
        .await?;
    children
        .into_iter()
        .map(|ch| {
            let (table, kind) = ORGANIZATION_CHILDREN[ch.n as usize];
            Ok(Record {
                kind,
                table,
                id: ch.id,
                organization,
                value: serde_json::from_str(&ch.payload)?,
            })
        })
        .collect()
}

/// Puts one record back, unless `why` (or its PSA link, taken by another item now) says it
/// cannot: then it is noted. A link to an integration that is gone makes it stand-alone. False
/// when it did not come back.
async fn put_back(
    tx: &mut Tx,
    c: &ChunkCtx<'_>,
    mut r: Record,
    mut why: Option<&'static str>,
) -> anyhow::Result<bool> {
    if why.is_none() {
        if let Some((integration, psa_id)) = link(&r.value) {
            let ours: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM psa_integrations WHERE id = $1 AND account_id = $2",
            )
            .bind(integration)
            .bind(c.acc)
            .fetch_one(&mut **tx)
            .await?;
            if ours == 0 {
                unlink(&mut r.value);
            } else {
                let taken: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM {} WHERE integration_id = $1 AND psa_id = $2",
                    r.table
                ))
                .bind(integration)
                .bind(psa_id)
                .fetch_one(&mut **tx)
                .await?;
                if taken > 0 {
                    why = Some(LINK_TAKEN);
                }
            }
        }
    }
    if let Some(reason) = why {
        sqlx::query(
            "INSERT INTO restore_notes (job_id, item_kind, name, reason) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.job)
        .bind(r.kind)
        .bind(record_name(r.kind, &r.value))
        .bind(reason)
        .execute(&mut **tx)
        .await?;
        return Ok(false);
    }
    sqlx::query(&insert_sql(r.table, c.backend))
        .bind(c.acc)
        .bind(r.value.to_string())
        .execute(&mut **tx)
        .await?;
    // A disconnected item's tombstone points at it again (the next sync keeps it disconnected,
    // as before the removal).
    if let (true, Some((integration, psa_id))) = (keeps_id(r.table), link(&r.value)) {
        sqlx::query(
            "UPDATE disconnected_items SET item_id = $1, organization_id = $2,
               deleted_locally_at = NULL
             WHERE account_id = $3 AND integration_id = $4 AND item_kind = $5 AND psa_id = $6
               AND item_id IS NULL",
        )
        .bind(r.id)
        .bind(r.organization)
        .bind(c.acc)
        .bind(integration)
        .bind(r.kind)
        .bind(psa_id)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(&format!(
        "UPDATE archived_{} SET restored_by = $1 WHERE job_id = $2 AND {} = $3 AND id = $4",
        r.table,
        archived_organization_column(r.table)
    ))
    .bind(c.job)
    .bind(c.removal)
    .bind(r.organization)
    .bind(r.id)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}
