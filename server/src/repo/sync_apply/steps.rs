//! The steps of applying a run, in plain Rust against one backend's types: `sync_apply.rs`
//! compiles this file, `listing.rs` and `finish.rs` once per database (`sqlite::steps`,
//! `postgres::steps`, where `super::DB` names the backend) and picks one at its edge. Every step
//! runs in the run's one transaction. Here: the run's start, what it reads once, and the order of
//! the rest.

use super::finish::{close_run, orphan_unlisted, write_events};
use super::listing::{apply_listing, Listing};
use super::{Tx, DB};
use crate::db::{Backend, BeginWrite};
use crate::repo::manage_data::table;
use crate::repo::sync_apply::chunk::{Candidates, Outcome};
use crate::repo::sync_apply::{Ctx, Phases};
use crate::rules::decide::{self, Catalog};
use app::model::{CatalogCategory, ItemKind, SyncMode};
use std::collections::HashSet;
use std::time::Instant;

/// Kinds in the order they are applied: children find the organizations their phase left.
const ORDER: [ItemKind; 4] = [
    ItemKind::Organization,
    ItemKind::Location,
    ItemKind::Configuration,
    ItemKind::Contact,
];

/// Applies run `c.r`'s complete listing and closes the run as succeeded: all of it lands, or
/// (on any error) none of it does.
pub(in crate::repo::sync_apply) async fn apply(
    pool: &sqlx::Pool<DB>,
    c: &Ctx<'_>,
    out: &mut Outcome,
    phases: &mut Phases,
) -> anyhow::Result<()> {
    let mut tx = pool.begin_write().await?;
    // Take the write lock first (SQLite upgrades a reading transaction badly under load).
    sqlx::query("UPDATE sync_runs SET heartbeat_at = $1 WHERE id = $2")
        .bind(c.now)
        .bind(c.run)
        .execute(&mut *tx)
        .await?;
    ensure_connected(&mut tx, c).await?;
    let hold = hold_share(&mut tx, c).await?;
    if c.r.mode == SyncMode::Full {
        // Rule 1b: what an earlier run held is looked at again by this one, so whatever is held
        // was held by the latest full run (Confirm and Discard name it).
        sqlx::query("DELETE FROM held_orphanings WHERE account_id = $1 AND integration_id = $2")
            .bind(c.acc)
            .bind(c.iid)
            .execute(&mut *tx)
            .await?;
    }
    let catalog = catalog(&mut tx, c).await?;
    let rechecked = rechecked_values(&mut tx, c).await?;
    let tombstones = tombstones(&mut tx, c).await?;
    for kind in ORDER {
        if !c.r.listed.contains(&kind) {
            continue;
        }
        // A type or status checked again after a permanent disconnect: this run matches the
        // stand-alone items by the first-sync rules instead of creating duplicates.
        let candidates = if c.r.first_sync || rechecked {
            candidates(&mut tx, c, kind, rechecked).await?
        } else {
            Candidates::new()
        };
        let any_linked = any_linked(&mut tx, c, kind).await?;
        let mut listing = Listing {
            kind,
            catalog: &catalog,
            tombstones: &tombstones,
            candidates,
            any_linked,
        };
        apply_listing(&mut tx, c, &mut listing, out, phases).await?;

        phases.at = Instant::now();
        if c.backend == Backend::Postgres && !any_linked {
            // Statistics for the rows this run just filled the table with (ANALYZE in a
            // transaction counts its own rows), so the next kind's lookups and the first
            // screens use the indexes. A table that held linked items already has them.
            sqlx::query(&format!("ANALYZE {}", table(kind)))
                .execute(&mut *tx)
                .await?;
        }
        // A complete full listing that did not return a linked item: gone from the PSA. With
        // nothing of this kind linked before, every linked item of it came from this listing:
        // none can be missing from it.
        if c.r.mode == SyncMode::Full && any_linked {
            orphan_unlisted(&mut tx, c, kind, hold, out).await?;
        }
        phases.lap(6);
    }
    write_events(&mut tx, c, &out.events).await?;
    close_run(&mut tx, c, out.counts).await?;
    tx.commit().await?;
    Ok(())
}

/// Disconnected while this run listed: it must not link anything again.
async fn ensure_connected(tx: &mut Tx, c: &Ctx<'_>) -> anyhow::Result<()> {
    let live: bool = sqlx::query_scalar(
        "SELECT COUNT(*) > 0 FROM psa_integrations
         WHERE id = $1 AND account_id = $2 AND disconnected_at IS NULL",
    )
    .bind(c.iid)
    .bind(c.acc)
    .fetch_one(&mut **tx)
    .await?;
    if !live {
        anyhow::bail!(
            "integration {} was disconnected while run {} listed",
            c.iid,
            c.run
        );
    }
    Ok(())
}

/// Rule 1b: the share of an integration's linked items of a kind (percent, and a minimum count)
/// above which a full sync holds its new deletions for an Administrator.
async fn hold_share(tx: &mut Tx, c: &Ctx<'_>) -> anyhow::Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT CAST(hold_orphans_percent AS BIGINT), CAST(hold_orphans_min AS BIGINT)
         FROM psa_integrations WHERE id = $1 AND account_id = $2",
    )
    .bind(c.iid)
    .bind(c.acc)
    .fetch_one(&mut **tx)
    .await?)
}

#[derive(sqlx::FromRow)]
struct CatalogRow {
    id: i64,
    category: String,
    psa_id: i64,
    name: String,
    sync_enabled: bool,
}

/// The integration's types and statuses, and which of them are synced.
async fn catalog(tx: &mut Tx, c: &Ctx<'_>) -> anyhow::Result<Catalog> {
    let rows: Vec<CatalogRow> = sqlx::query_as(
        "SELECT id, category, psa_id, name, sync_enabled FROM psa_catalog_values
         WHERE account_id = $1 AND integration_id = $2",
    )
    .bind(c.acc)
    .bind(c.iid)
    .fetch_all(&mut **tx)
    .await?;
    let mut catalog = Catalog::default();
    for v in rows {
        if let Some(category) = CatalogCategory::parse(&v.category) {
            catalog.insert(category, v.psa_id, v.id, v.name, v.sync_enabled);
        }
    }
    Ok(catalog)
}

/// Whether a type or status was checked again after a permanent disconnect.
async fn rechecked_values(tx: &mut Tx, c: &Ctx<'_>) -> anyhow::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM psa_catalog_values WHERE account_id = $1 AND integration_id = $2
           AND disconnected_at IS NOT NULL AND sync_enabled = TRUE",
    )
    .bind(c.acc)
    .bind(c.iid)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// The PSA records disconnected one by one whose item is gone: never linked again.
async fn tombstones(tx: &mut Tx, c: &Ctx<'_>) -> anyhow::Result<HashSet<(ItemKind, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT item_kind, psa_id FROM disconnected_items
         WHERE account_id = $1 AND integration_id = $2 AND item_id IS NULL",
    )
    .bind(c.acc)
    .bind(c.iid)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(k, p)| ItemKind::parse(&k).map(|k| (k, p)))
        .collect())
}

/// A stand-alone item a sync may match, with the parts of its matching key.
#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: i64,
    a: String,
    b: String,
    c: String,
    d: String,
    had_data: bool,
}

/// Stand-alone items of `kind` by matching key (rule 6). Sites are matched only for a type or
/// status checked again after a permanent disconnect (rule 6 names the other three for a first
/// sync).
async fn candidates(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    rechecked: bool,
) -> anyhow::Result<Candidates> {
    let sql = match kind {
        ItemKind::Organization => {
            "SELECT o.id, o.name AS a, '' AS b, '' AS c, '' AS d,
               (EXISTS (SELECT 1 FROM passwords x WHERE x.organization_id = o.id)
                OR EXISTS (SELECT 1 FROM documents x WHERE x.organization_id = o.id)
                OR EXISTS (SELECT 1 FROM configurations x WHERE x.organization_id = o.id)
                OR EXISTS (SELECT 1 FROM contacts x WHERE x.organization_id = o.id)
                OR EXISTS (SELECT 1 FROM locations x WHERE x.organization_id = o.id)) AS had_data
             FROM organizations o WHERE o.account_id = $1 AND o.integration_id IS NULL"
        }
        ItemKind::Configuration => {
            "SELECT c.id, CAST(c.organization_id AS TEXT) AS a, COALESCE(v.name, '') AS b,
               c.name AS c, COALESCE(c.serial_number, '') AS d, TRUE AS had_data
             FROM configurations c
             LEFT JOIN psa_catalog_values v ON v.id = c.configuration_type_id
             WHERE c.account_id = $1 AND c.integration_id IS NULL AND v.name IS NOT NULL"
        }
        ItemKind::Contact => {
            "SELECT id, CAST(organization_id AS TEXT) AS a, first_name AS b, last_name AS c,
               '' AS d, TRUE AS had_data
             FROM contacts WHERE account_id = $1 AND integration_id IS NULL"
        }
        ItemKind::Location if rechecked => {
            "SELECT id, CAST(organization_id AS TEXT) AS a, name AS b, '' AS c, '' AS d,
               TRUE AS had_data
             FROM locations WHERE account_id = $1 AND integration_id IS NULL"
        }
        ItemKind::Location => return Ok(Candidates::new()),
    };
    let rows: Vec<CandidateRow> = sqlx::query_as(sql).bind(c.acc).fetch_all(&mut **tx).await?;
    let mut candidates = Candidates::new();
    for row in rows {
        let org = || row.a.parse().unwrap_or(-1);
        let key = match kind {
            ItemKind::Organization => row.a.trim().to_lowercase(),
            ItemKind::Configuration => decide::configuration_key(org(), &row.b, &row.c, &row.d),
            ItemKind::Contact => decide::contact_key(org(), &row.b, &row.c),
            ItemKind::Location => decide::site_key(org(), &row.b),
        };
        // "Had data before the first sync" describes a first sync only.
        candidates
            .entry(key)
            .or_default()
            .push((row.id, row.had_data && c.r.first_sync));
    }
    Ok(candidates)
}

/// Whether anything of `kind` is linked yet. Nothing on a first sync: every record is new, and
/// looking each chunk up in a table this run is filling would only cost time.
async fn any_linked(tx: &mut Tx, c: &Ctx<'_>, kind: ItemKind) -> anyhow::Result<bool> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE account_id = $1 AND integration_id = $2)",
        table(kind)
    ))
    .bind(c.acc)
    .bind(c.iid)
    .fetch_one(&mut **tx)
    .await?)
}
