//! The end of a run (see `steps.rs`): what a complete full listing did not return, the run's
//! log, and the run closed.

use super::{Tx, DB};
use crate::repo::manage_data::table;
use crate::repo::sync::NewEvent;
use crate::repo::sync_apply::chunk::{kind_word, Outcome};
use crate::repo::sync_apply::Ctx;
use crate::rules::decide;
use app::model::{EventLevel, ItemKind, OrphanReason, SyncCounts, SyncMode};
use sqlx::QueryBuilder;
use std::collections::HashSet;

/// A linked item a full listing did not return.
#[derive(sqlx::FromRow)]
struct Unlisted {
    id: i64,
    psa_id: i64,
    sync_state: String,
    orphan_reason: Option<String>,
    /// Its organization's orphan reason (children only).
    parent_reason: Option<String>,
    label: String,
}

impl Unlisted {
    /// Why it is missing: deleted in the PSA, or its organization went.
    fn reason(&self) -> OrphanReason {
        decide::unlisted_reason(self.parent_reason.as_deref().and_then(OrphanReason::parse))
    }
}

/// The kind's linked items this complete full listing did not return become orphans (rule 1),
/// unless there are so many new deletions at once that they are held for an Administrator
/// (rule 1b).
pub(super) async fn orphan_unlisted(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    hold: (i64, i64),
    out: &mut Outcome,
) -> anyhow::Result<()> {
    let gone = unlisted(tx, c, kind).await?;
    // Linked items newly missing, as deletions in the PSA (not children of an organization that
    // went).
    let newly_deleted: Vec<&Unlisted> = gone
        .iter()
        .filter(|u| u.sync_state != "orphaned" && u.reason() == OrphanReason::DeletedInPsa)
        .collect();
    let new_deletions = newly_deleted.len() as i64;
    // The kind's linked items are counted only when the deletions pass the minimum.
    let linked: i64 = if new_deletions > hold.1 {
        sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {} WHERE account_id = $1 AND integration_id = $2",
            table(kind)
        ))
        .bind(c.acc)
        .bind(c.iid)
        .fetch_one(&mut **tx)
        .await?
    } else {
        0
    };
    let mut held_ids = HashSet::new();
    if decide::holds_orphanings(new_deletions, linked, hold) {
        held_ids = hold_orphanings(tx, c, kind, &newly_deleted).await?;
        let held = held_ids.len();
        out.counts.unchanged += held as i64;
        out.events.push(NewEvent {
            level: EventLevel::Warning,
            kind: Some(kind),
            item_id: None,
            psa_id: None,
            reason: Some(OrphanReason::DeletedInPsa),
            message: format!(
                "{held} of {linked} linked {} were missing from the PSA's listing: more than \
                 {}% (and more than {}) at once, so they were held, not orphaned. An \
                 Administrator confirms or discards them on Manage Data",
                kind.plural().to_lowercase(),
                hold.0,
                hold.1
            ),
        });
    }
    for u in gone {
        if held_ids.contains(&u.id) {
            continue;
        }
        let why = u.reason();
        if u.sync_state == "orphaned" && u.orphan_reason.as_deref() == Some(why.as_str()) {
            out.counts.unchanged += 1;
            continue;
        }
        sqlx::query(&format!(
            "UPDATE {} SET sync_state = 'orphaned', orphan_reason = $1, sync_error = NULL, \
             updated_at = $2 WHERE id = $3",
            table(kind)
        ))
        .bind(why.as_str())
        .bind(c.now)
        .bind(u.id)
        .execute(&mut **tx)
        .await?;
        let (word, label) = (kind_word(kind), &u.label);
        let message = if u.sync_state == "orphaned" {
            out.counts.updated += 1;
            format!(
                "{word} \"{label}\" is still an orphan, now because: {}",
                why.label()
            )
        } else {
            out.counts.orphaned += 1;
            format!("{word} \"{label}\" became an orphan: {}", why.label())
        };
        out.events.push(NewEvent {
            level: EventLevel::Warning,
            kind: Some(kind),
            item_id: Some(u.id),
            psa_id: Some(u.psa_id),
            reason: Some(why),
            message,
        });
    }
    Ok(())
}

/// The kind's linked (or orphaned) items that this run's staged listing does not hold.
async fn unlisted(tx: &mut Tx, c: &Ctx<'_>, kind: ItemKind) -> anyhow::Result<Vec<Unlisted>> {
    let parent_reason = if kind == ItemKind::Organization {
        "NULL"
    } else {
        "(SELECT p.orphan_reason FROM organizations p WHERE p.id = t.organization_id)"
    };
    let label = if kind == ItemKind::Contact {
        "t.first_name || ' ' || t.last_name"
    } else {
        "t.name"
    };
    let sql = format!(
        "SELECT t.id, t.psa_id, t.sync_state, t.orphan_reason, {parent_reason} AS parent_reason,
           {label} AS label
         FROM {} t
         WHERE t.account_id = $1 AND t.integration_id = $2
           AND t.sync_state IN ('enabled', 'error', 'orphaned')
           AND NOT EXISTS (SELECT 1 FROM sync_staging s
                           WHERE s.run_id = $3 AND s.item_kind = $4 AND s.psa_id = t.psa_id)",
        table(kind)
    );
    Ok(sqlx::query_as(&sql)
        .bind(c.acc)
        .bind(c.iid)
        .bind(c.run)
        .bind(kind.as_str())
        .fetch_all(&mut **tx)
        .await?)
}

/// Rule 1b: records the new deletions as held; returns the held items' ids.
async fn hold_orphanings(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    newly_deleted: &[&Unlisted],
) -> anyhow::Result<HashSet<i64>> {
    let mut held = HashSet::new();
    for chunk in newly_deleted.chunks(500) {
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO held_orphanings (account_id, integration_id, run_id, item_kind, \
             item_id, psa_id, held_at) ",
        );
        qb.push_values(chunk, |mut b, u| {
            b.push_bind(c.acc)
                .push_bind(c.iid)
                .push_bind(c.run)
                .push_bind(kind.as_str())
                .push_bind(u.id)
                .push_bind(u.psa_id)
                .push_bind(c.now);
        });
        qb.build().execute(&mut **tx).await?;
        held.extend(chunk.iter().map(|u| u.id));
    }
    Ok(held)
}

/// The run's log, 500 events per INSERT.
pub(super) async fn write_events(
    tx: &mut Tx,
    c: &Ctx<'_>,
    events: &[NewEvent],
) -> anyhow::Result<()> {
    for chunk in events.chunks(500) {
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO sync_events (account_id, run_id, level, item_kind, item_id, psa_id, \
             reason, message, created_at) ",
        );
        qb.push_values(chunk, |mut b, e| {
            b.push_bind(c.acc)
                .push_bind(c.run)
                .push_bind(e.level.as_str())
                .push_bind(e.kind.map(|k| k.as_str()))
                .push_bind(e.item_id)
                .push_bind(e.psa_id)
                .push_bind(e.reason.map(|x| x.as_str()))
                .push_bind(e.message.as_str())
                .push_bind(c.now);
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Closes the run as succeeded with its counts; a full run also marks the integration's last
/// full sync and ends the matching of re-checked values, and the staged listing goes.
pub(super) async fn close_run(tx: &mut Tx, c: &Ctx<'_>, counts: SyncCounts) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE sync_runs SET outcome = 'succeeded', finished_at = $1, created_count = $2,
           updated_count = $3, orphaned_count = $4, unchanged_count = $5, failed_count = $6
         WHERE id = $7 AND account_id = $8",
    )
    .bind(chrono::Utc::now())
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.orphaned)
    .bind(counts.unchanged)
    .bind(counts.failed)
    .bind(c.run)
    .bind(c.acc)
    .execute(&mut **tx)
    .await?;
    if c.r.mode == SyncMode::Full {
        sqlx::query(
            "UPDATE psa_integrations SET last_full_sync_at = $1 WHERE id = $2 AND account_id = $3",
        )
        .bind(c.r.started_at)
        .bind(c.iid)
        .bind(c.acc)
        .execute(&mut **tx)
        .await?;
        // A complete listing has matched what it could of the re-checked values.
        sqlx::query(
            "UPDATE psa_catalog_values SET disconnected_at = NULL
             WHERE account_id = $1 AND integration_id = $2 AND sync_enabled = TRUE
               AND disconnected_at IS NOT NULL",
        )
        .bind(c.acc)
        .bind(c.iid)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM sync_staging WHERE run_id = $1")
        .bind(c.run)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
