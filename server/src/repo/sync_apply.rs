//! Applying a complete listing: the staged records of a run are read back in chunks, planned by
//! the rules in `crate::rules::decide`, and written in ONE transaction: either the whole run lands
//! or none of it does. Memory stays flat: a chunk of records at a time.

use super::manage_data::table;
use super::sync::NewEvent;
use super::Repo;
use crate::db::BeginWrite;
use crate::on_db;
use crate::rules::decide::{self, Catalog, Link, Parent, Planned, Target, Transition, Val};
use crate::rules::records::{PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::{
    AccountId, CatalogCategory, EventLevel, IntegrationId, ItemKind, OrphanReason, SyncCounts,
    SyncMode, SyncState,
};
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};
use std::collections::{HashMap, HashSet};
mod chunk;
use chunk::*;

/// Staged records planned per chunk.
const CHUNK: i64 = 1_000;

/// A staged record, parsed once per apply.
enum Staged {
    Company(PsaCompany),
    Configuration(PsaConfiguration),
    Contact(PsaContact),
    Site(PsaSite),
}

impl Staged {
    fn parse(kind: ItemKind, record: &str) -> serde_json::Result<Self> {
        Ok(match kind {
            ItemKind::Organization => Staged::Company(serde_json::from_str(record)?),
            ItemKind::Configuration => Staged::Configuration(serde_json::from_str(record)?),
            ItemKind::Contact => Staged::Contact(serde_json::from_str(record)?),
            ItemKind::Location => Staged::Site(serde_json::from_str(record)?),
        })
    }

    /// The PSA company a child record names.
    fn company(&self) -> Option<i64> {
        match self {
            Staged::Company(_) => None,
            Staged::Configuration(c) => Some(c.company_psa_id),
            Staged::Contact(c) => c.company_psa_id,
            Staged::Site(s) => Some(s.company_psa_id),
        }
    }
}

/// Where an apply's time went, logged at debug level when it ends (for profiling at scale).
struct Phases {
    at: std::time::Instant,
    spent: [std::time::Duration; 7],
}

impl Phases {
    const NAMES: [&'static str; 7] = [
        "read staged",
        "parse, organizations of children",
        "linked items",
        "plan",
        "insert",
        "update",
        "analyze, not listed",
    ];

    fn new() -> Self {
        Phases {
            at: std::time::Instant::now(),
            spent: Default::default(),
        }
    }

    /// Adds the time since the last lap to phase `i`.
    fn lap(&mut self, i: usize) {
        let now = std::time::Instant::now();
        self.spent[i] += now - self.at;
        self.at = now;
    }

    fn report(&self) -> String {
        Self::NAMES
            .iter()
            .zip(self.spent)
            .map(|(n, d)| format!("{n} {} ms", d.as_millis()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub struct ApplyRun {
    pub account: AccountId,
    pub integration: IntegrationId,
    pub run: i64,
    pub mode: SyncMode,
    pub started_at: DateTime<Utc>,
    /// No successful full sync yet: stand-alone items are matched instead of duplicated (rule 6).
    pub first_sync: bool,
    /// The kinds whose listing this run made (contacts are left out when their switch is off).
    pub listed: Vec<ItemKind>,
    /// What the run's log says about the run itself, before anything it changed.
    pub notes: Vec<String>,
}

#[derive(Clone, Copy)]
enum Ty {
    Int,
    Text,
    Bool,
}

/// The columns a sync writes, per kind.
fn columns(kind: ItemKind) -> &'static [(&'static str, Ty)] {
    use Ty::*;
    match kind {
        ItemKind::Organization => &[
            ("name", Text),
            ("organization_type_id", Int),
            ("organization_status_id", Int),
        ],
        ItemKind::Configuration => &[
            ("name", Text),
            ("serial_number", Text),
            ("organization_id", Int),
            ("configuration_type_id", Int),
            ("configuration_status_id", Int),
            ("active", Bool),
        ],
        ItemKind::Contact => &[
            ("first_name", Text),
            ("last_name", Text),
            ("email", Text),
            ("organization_id", Int),
            ("contact_type_id", Int),
        ],
        ItemKind::Location => &[
            ("name", Text),
            ("address_line1", Text),
            ("city", Text),
            ("region", Text),
            ("postal_code", Text),
            ("country", Text),
            ("phone", Text),
            ("organization_id", Int),
        ],
    }
}

/// A linked item as it is in Steward now.
struct Local {
    id: i64,
    link: Link,
    error: Option<String>,
    values: HashMap<&'static str, Val>,
}

fn bind<'a, DB>(qb: &mut QueryBuilder<'a, DB>, v: Val)
where
    DB: sqlx::Database,
    Option<i64>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    match v {
        Val::Int(x) => qb.push_bind(x),
        Val::Text(x) => qb.push_bind(x),
        Val::Bool(x) => qb.push_bind(x),
    };
}

fn state_of(state: &str, reason: Option<&str>) -> anyhow::Result<Link> {
    Ok(Link {
        state: SyncState::parse(state)
            .ok_or_else(|| anyhow::anyhow!("unknown sync state {state:?} in the database"))?,
        reason: reason.and_then(OrphanReason::parse),
    })
}

impl Repo {
    /// Applies run `r`'s complete listing and closes the run as succeeded, in one transaction.
    pub async fn apply_sync_run(&self, r: &ApplyRun) -> anyhow::Result<SyncCounts> {
        let now = Utc::now();
        let acc = r.account.0;
        let iid = r.integration.0;
        let mut out = Outcome {
            counts: SyncCounts::default(),
            events: r
                .notes
                .iter()
                .map(|message| NewEvent {
                    level: EventLevel::Info,
                    kind: None,
                    item_id: None,
                    psa_id: None,
                    reason: None,
                    message: message.clone(),
                })
                .collect(),
            writes: Vec::new(),
        };
        if let crate::db::Db::Postgres(pool) = &self.db {
            // The staging rows (and, on a first sync, most items) arrived since the last
            // statistics: without fresh ones the planner takes the tables for empty, and the
            // "not listed" anti-joins and the lookups by PSA id scan whole tables per chunk.
            // The staged JSON is never searched: its column is left out (sampling it cost
            // about a fifth of a second at L).
            sqlx::query("ANALYZE sync_staging (run_id, item_kind, psa_id), organizations, configurations, contacts, locations")
                .execute(pool)
                .await?;
        }
        let mut phases = Phases::new();
        on_db!(&self.db, pool as DB => {
            let mut tx = pool.begin_write().await?;
            // Take the write lock first (SQLite upgrades a reading transaction badly under load).
            sqlx::query("UPDATE sync_runs SET heartbeat_at = $1 WHERE id = $2")
                .bind(now).bind(r.run).execute(&mut *tx).await?;

            // Disconnected while this run listed: it must not link anything again.
            let live: bool = sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM psa_integrations WHERE id = $1 AND account_id = $2 AND disconnected_at IS NULL")
                .bind(iid).bind(acc).fetch_one(&mut *tx).await?;
            if !live {
                anyhow::bail!("integration {iid} was disconnected while run {} listed", r.run);
            }
            // Rule 1b: the share of an integration's linked items of a kind above which a full
            // sync holds its new deletions for an Administrator.
            let hold_share: (i64, i64) = sqlx::query_as(
                "SELECT CAST(hold_orphans_percent AS BIGINT), CAST(hold_orphans_min AS BIGINT) FROM psa_integrations WHERE id = $1 AND account_id = $2")
                .bind(iid).bind(acc).fetch_one(&mut *tx).await?;
            if r.mode == SyncMode::Full {
                // Rule 1b: what an earlier run held is looked at again by this one, so whatever
                // is held was held by the latest full run (Confirm and Discard name it).
                sqlx::query("DELETE FROM held_orphanings WHERE account_id = $1 AND integration_id = $2")
                    .bind(acc).bind(iid).execute(&mut *tx).await?;
            }
            let mut catalog = Catalog::default();
            let rows: Vec<(i64, String, i64, String, bool)> = sqlx::query_as(
                "SELECT id, category, psa_id, name, sync_enabled FROM psa_catalog_values WHERE account_id = $1 AND integration_id = $2")
                .bind(acc).bind(iid).fetch_all(&mut *tx).await?;
            for (id, category, psa_id, name, synced) in rows {
                if let Some(c) = CatalogCategory::parse(&category) {
                    catalog.insert(c, psa_id, id, name, synced);
                }
            }
            // A type or status checked again after a permanent disconnect: this run matches the
            // stand-alone items by the first-sync rules instead of creating duplicates.
            let rechecked: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM psa_catalog_values WHERE account_id = $1 AND integration_id = $2
                   AND disconnected_at IS NOT NULL AND sync_enabled = TRUE")
                .bind(acc).bind(iid).fetch_one(&mut *tx).await?;
            let matching = r.first_sync || rechecked > 0;
            let stones: Vec<(String, i64)> = sqlx::query_as(
                "SELECT item_kind, psa_id FROM disconnected_items WHERE account_id = $1 AND integration_id = $2 AND item_id IS NULL")
                .bind(acc).bind(iid).fetch_all(&mut *tx).await?;
            let tombstones: HashSet<(ItemKind, i64)> = stones.into_iter()
                .filter_map(|(k, p)| ItemKind::parse(&k).map(|k| (k, p))).collect();

            for kind in [ItemKind::Organization, ItemKind::Location, ItemKind::Configuration, ItemKind::Contact] {
                if !r.listed.contains(&kind) {
                    continue;
                }
                let mut candidates: Candidates = HashMap::new();
                let candidate_sql = match kind {
                        ItemKind::Organization => Some("SELECT o.id, o.name, '', '', '',
                            (EXISTS (SELECT 1 FROM passwords x WHERE x.organization_id = o.id)
                             OR EXISTS (SELECT 1 FROM documents x WHERE x.organization_id = o.id)
                             OR EXISTS (SELECT 1 FROM configurations x WHERE x.organization_id = o.id)
                             OR EXISTS (SELECT 1 FROM contacts x WHERE x.organization_id = o.id)
                             OR EXISTS (SELECT 1 FROM locations x WHERE x.organization_id = o.id))
                            FROM organizations o WHERE o.account_id = $1 AND o.integration_id IS NULL"),
                        ItemKind::Configuration => Some("SELECT c.id, CAST(c.organization_id AS TEXT), COALESCE(v.name, ''), c.name,
                            COALESCE(c.serial_number, ''), TRUE FROM configurations c
                            LEFT JOIN psa_catalog_values v ON v.id = c.configuration_type_id
                            WHERE c.account_id = $1 AND c.integration_id IS NULL AND v.name IS NOT NULL"),
                        ItemKind::Contact => Some("SELECT id, CAST(organization_id AS TEXT), first_name, last_name, '', TRUE
                            FROM contacts WHERE account_id = $1 AND integration_id IS NULL"),
                        // Sites are matched only for a type or status checked again after a
                        // permanent disconnect (rule 6 names the other three for a first sync).
                        ItemKind::Location => (rechecked > 0).then_some("SELECT id, CAST(organization_id AS TEXT), name, '', '', TRUE
                            FROM locations WHERE account_id = $1 AND integration_id IS NULL"),
                };
                if let Some(sql) = candidate_sql.filter(|_| matching) {
                    let rows: Vec<(i64, String, String, String, String, bool)> =
                        sqlx::query_as(sql).bind(acc).fetch_all(&mut *tx).await?;
                    for (id, a, b, c, d, had_data) in rows {
                        let key = match kind {
                            ItemKind::Organization => a.trim().to_lowercase(),
                            ItemKind::Configuration => decide::configuration_key(a.parse().unwrap_or(-1), &b, &c, &d),
                            ItemKind::Contact => decide::contact_key(a.parse().unwrap_or(-1), &b, &c),
                            ItemKind::Location => decide::site_key(a.parse().unwrap_or(-1), &b),
                        };
                        // "Had data before the first sync" describes a first sync only.
                        candidates.entry(key).or_default().push((id, had_data && r.first_sync));
                    }
                }

                let cols = columns(kind);
                let col_list = cols.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
                // Nothing of this kind linked yet (a first sync): every record is new, and looking
                // each chunk up in a table this run is filling would only cost time.
                let any_linked: bool = sqlx::query_scalar(&format!(
                    "SELECT EXISTS (SELECT 1 FROM {} WHERE account_id = $1 AND integration_id = $2)", table(kind)))
                    .bind(acc).bind(iid).fetch_one(&mut *tx).await?;
                let mut after = i64::MIN;
                loop {
                    phases.at = std::time::Instant::now();
                    let staged: Vec<(i64, String)> = sqlx::query_as(
                        "SELECT psa_id, record FROM sync_staging WHERE run_id = $1 AND item_kind = $2 AND psa_id > $3
                         ORDER BY psa_id LIMIT $4")
                        .bind(r.run).bind(kind.as_str()).bind(after).bind(CHUNK)
                        .fetch_all(&mut *tx).await?;
                    let Some(last) = staged.last() else { break };
                    after = last.0;
                    phases.lap(0);

                    let records = staged.iter().map(|(_, record)| Staged::parse(kind, record))
                        .collect::<Result<Vec<_>, _>>()?;
                    // The organizations of a chunk of children, as they stand after their own phase.
                    let mut parents: HashMap<i64, Parent> = HashMap::new();
                    if kind != ItemKind::Organization {
                        let mut ids: Vec<i64> = records.iter().filter_map(Staged::company).collect();
                        ids.sort_unstable();
                        ids.dedup();
                        if !ids.is_empty() {
                            // `+account_id`: only the (integration, PSA id) index fits. Without
                            // statistics (a table this run is filling, or a connection opened
                            // before them) SQLite took an index led by the account and read every
                            // organization of the integration for each chunk.
                            let mut qb = QueryBuilder::<DB>::new(
                                "SELECT psa_id, id, sync_state FROM organizations WHERE +account_id = ");
                            qb.push_bind(acc).push(" AND integration_id = ").push_bind(iid).push(" AND psa_id IN (");
                            let mut sep = qb.separated(", ");
                            for id in &ids { sep.push_bind(*id); }
                            qb.push(")");
                            let rows: Vec<(i64, i64, String)> = qb.build_query_as().fetch_all(&mut *tx).await?;
                            for (psa, id, state) in rows {
                                parents.insert(psa, if state == "orphaned" { Parent::Orphaned(id) } else { Parent::Syncing(id) });
                            }
                        }
                    }
                    phases.lap(1);
                    let parent = |company: Option<i64>| company.and_then(|c| parents.get(&c).copied()).unwrap_or(Parent::Missing);
                    let mut planned = Vec::with_capacity(staged.len());
                    for record in &records {
                        let p = match record {
                            Staged::Company(c) => decide::company(c, &catalog),
                            Staged::Configuration(c) => decide::configuration(c, parent(Some(c.company_psa_id)), &catalog),
                            Staged::Contact(c) => decide::contact(c, parent(c.company_psa_id), &catalog),
                            Staged::Site(s) => decide::site(s, parent(Some(s.company_psa_id))),
                        };
                        planned.push(p);
                    }

                    let mut qb = QueryBuilder::<DB>::new(format!(
                        "SELECT id, psa_id, sync_state, orphan_reason, sync_error, {col_list} FROM {} WHERE +account_id = ", table(kind)));
                    qb.push_bind(acc).push(" AND integration_id = ").push_bind(iid).push(" AND psa_id IN (");
                    let mut sep = qb.separated(", ");
                    for (psa, _) in &staged { sep.push_bind(*psa); }
                    qb.push(")");
                    phases.lap(3);
                    let rows = if any_linked { qb.build().fetch_all(&mut *tx).await? } else { Vec::new() };
                    phases.lap(2);
                    let mut locals = HashMap::with_capacity(rows.len());
                    for row in rows {
                        let state: String = row.try_get(2)?;
                        let reason: Option<String> = row.try_get(3)?;
                        let mut values = HashMap::new();
                        for (i, (col, ty)) in cols.iter().enumerate() {
                            let v = match ty {
                                Ty::Int => Val::Int(row.try_get(5 + i)?),
                                Ty::Text => Val::Text(row.try_get(5 + i)?),
                                Ty::Bool => Val::Bool(row.try_get(5 + i)?),
                            };
                            values.insert(*col, v);
                        }
                        locals.insert(row.try_get::<i64, _>(1)?, Local {
                            id: row.try_get(0)?,
                            link: state_of(&state, reason.as_deref())?,
                            error: row.try_get(4)?,
                            values,
                        });
                    }

                    decide_chunk(planned, &locals, &tombstones, &mut candidates, r.mode, now, &mut out);

                    phases.lap(3);
                    let (creates, updates): (Vec<Write>, Vec<Write>) = std::mem::take(&mut out.writes)
                        .into_iter().partition(|w| matches!(w, Write::Create(_)));
                    if !creates.is_empty() {
                        let mut qb = QueryBuilder::<DB>::new(format!(
                            "INSERT INTO {} (account_id, integration_id, psa_id, sync_state, last_synced_at, created_at, updated_at, {col_list}) VALUES ",
                            table(kind)));
                        for (n, w) in creates.into_iter().enumerate() {
                            let Write::Create(p) = w else { continue };
                            if n > 0 { qb.push(", "); }
                            qb.push("(").push_bind(acc).push(", ").push_bind(iid).push(", ").push_bind(p.psa_id)
                                .push(", 'enabled', ").push_bind(now).push(", ").push_bind(now).push(", ").push_bind(now);
                            let mut vals: HashMap<&str, Val> = p.fields.into_iter().chain(p.class).collect();
                            for (col, ty) in cols {
                                qb.push(", ");
                                let v = vals.remove(col).unwrap_or(match ty {
                                    Ty::Int => Val::Int(None),
                                    Ty::Text => Val::Text(None),
                                    Ty::Bool => Val::Bool(true),
                                });
                                bind(&mut qb, v);
                            }
                            qb.push(")");
                        }
                        qb.build().execute(&mut *tx).await?;
                    }
                    phases.lap(4);
                    for w in updates {
                        let Write::Update { id, sets } = w else { continue };
                        let mut qb = QueryBuilder::<DB>::new(format!("UPDATE {} SET ", table(kind)));
                        for (n, (col, val)) in sets.into_iter().enumerate() {
                            if n > 0 { qb.push(", "); }
                            qb.push(col).push(" = ");
                            match (col, val) {
                                ("last_synced_at" | "updated_at", _) => { qb.push_bind(now); }
                                ("integration_id", _) => { qb.push_bind(iid); }
                                (_, v) => bind(&mut qb, v),
                            }
                        }
                        qb.push(" WHERE id = ").push_bind(id).push(" AND account_id = ").push_bind(acc);
                        qb.build().execute(&mut *tx).await?;
                    }
                    phases.lap(5);
                }

                phases.at = std::time::Instant::now();
                if self.db.backend() == crate::db::Backend::Postgres && !any_linked {
                    // Statistics for the rows this run just filled the table with (ANALYZE in a
                    // transaction counts its own rows), so the next kind's lookups and the first
                    // screens use the indexes. A table that held linked items already has them.
                    sqlx::query(&format!("ANALYZE {}", table(kind))).execute(&mut *tx).await?;
                }
                // A complete full listing that did not return a linked item: gone from the PSA.
                // With nothing of this kind linked before, every linked item of it came from
                // this listing: none can be missing from it.
                if r.mode == SyncMode::Full && any_linked {
                    let parent_reason = if kind == ItemKind::Organization {
                        "NULL"
                    } else {
                        "(SELECT p.orphan_reason FROM organizations p WHERE p.id = t.organization_id)"
                    };
                    let sql = format!(
                        "SELECT t.id, t.psa_id, t.sync_state, t.orphan_reason, {parent_reason}, {} FROM {} t
                         WHERE t.account_id = $1 AND t.integration_id = $2 AND t.sync_state IN ('enabled', 'error', 'orphaned')
                           AND NOT EXISTS (SELECT 1 FROM sync_staging s WHERE s.run_id = $3 AND s.item_kind = $4 AND s.psa_id = t.psa_id)",
                        if kind == ItemKind::Contact { "t.first_name || ' ' || t.last_name" } else { "t.name" },
                        table(kind));
                    let gone: Vec<Unlisted> = sqlx::query_as(&sql)
                        .bind(acc).bind(iid).bind(r.run).bind(kind.as_str()).fetch_all(&mut *tx).await?;
                    // Linked items newly missing, as deletions in the PSA (not children of an
                    // organization that went).
                    let newly_deleted: Vec<&Unlisted> = gone.iter()
                        .filter(|(_, _, state, _, parent_reason, _)| state != "orphaned"
                            && decide::unlisted_reason(parent_reason.as_deref().and_then(OrphanReason::parse))
                                == OrphanReason::DeletedInPsa)
                        .collect();
                    let new_deletions = newly_deleted.len() as i64;
                    // The kind's linked items are counted only when the deletions pass the minimum.
                    let linked: i64 = if new_deletions > hold_share.1 {
                        sqlx::query_scalar(&format!(
                            "SELECT COUNT(*) FROM {} WHERE account_id = $1 AND integration_id = $2", table(kind)))
                            .bind(acc).bind(iid).fetch_one(&mut *tx).await?
                    } else {
                        0
                    };
                    let mut held_ids = HashSet::new();
                    if decide::holds_orphanings(new_deletions, linked, hold_share) {
                        let mut held = 0;
                        for chunk in newly_deleted.chunks(500) {
                            let mut qb = QueryBuilder::<DB>::new(
                                "INSERT INTO held_orphanings (account_id, integration_id, run_id, item_kind, item_id, psa_id, held_at) ");
                            qb.push_values(chunk, |mut b, (id, psa_id, ..)| {
                                b.push_bind(acc).push_bind(iid).push_bind(r.run).push_bind(kind.as_str())
                                    .push_bind(*id).push_bind(*psa_id).push_bind(now);
                            });
                            qb.build().execute(&mut *tx).await?;
                            held += chunk.len();
                            held_ids.extend(chunk.iter().map(|u| u.0));
                        }
                        out.counts.unchanged += held as i64;
                        out.events.push(NewEvent {
                            level: EventLevel::Warning,
                            kind: Some(kind),
                            item_id: None,
                            psa_id: None,
                            reason: Some(OrphanReason::DeletedInPsa),
                            message: format!(
                                "{held} of {linked} linked {} were missing from the PSA's listing: more than {}% (and more than {}) at once, so they were held, not orphaned. An Administrator confirms or discards them on Manage Data",
                                kind.plural().to_lowercase(), hold_share.0, hold_share.1),
                        });
                    }
                    for (id, psa_id, state, reason, parent_reason, label) in gone {
                        if held_ids.contains(&id) {
                            continue;
                        }
                        let why = decide::unlisted_reason(parent_reason.as_deref().and_then(OrphanReason::parse));
                        if state == "orphaned" && reason.as_deref() == Some(why.as_str()) {
                            out.counts.unchanged += 1;
                            continue;
                        }
                        sqlx::query(&format!(
                            "UPDATE {} SET sync_state = 'orphaned', orphan_reason = $1, sync_error = NULL, updated_at = $2 WHERE id = $3",
                            table(kind)))
                            .bind(why.as_str()).bind(now).bind(id).execute(&mut *tx).await?;
                        let message = if state == "orphaned" {
                            out.counts.updated += 1;
                            format!("{} \"{label}\" is still an orphan, now because: {}", kind_word(kind), why.label())
                        } else {
                            out.counts.orphaned += 1;
                            format!("{} \"{label}\" became an orphan: {}", kind_word(kind), why.label())
                        };
                        out.events.push(NewEvent { level: EventLevel::Warning, kind: Some(kind), item_id: Some(id),
                            psa_id: Some(psa_id), reason: Some(why), message });
                    }
                }
                phases.lap(6);
            }

            for chunk in out.events.chunks(500) {
                let mut qb = QueryBuilder::<DB>::new(
                    "INSERT INTO sync_events (account_id, run_id, level, item_kind, item_id, psa_id, reason, message, created_at) ");
                qb.push_values(chunk, |mut b, e| {
                    b.push_bind(acc).push_bind(r.run).push_bind(e.level.as_str()).push_bind(e.kind.map(|k| k.as_str()))
                        .push_bind(e.item_id).push_bind(e.psa_id).push_bind(e.reason.map(|x| x.as_str()))
                        .push_bind(e.message.as_str()).push_bind(now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            let c = out.counts;
            sqlx::query("UPDATE sync_runs SET outcome = 'succeeded', finished_at = $1, created_count = $2, updated_count = $3,
                         orphaned_count = $4, unchanged_count = $5, failed_count = $6 WHERE id = $7 AND account_id = $8")
                .bind(Utc::now()).bind(c.created).bind(c.updated).bind(c.orphaned).bind(c.unchanged).bind(c.failed)
                .bind(r.run).bind(acc).execute(&mut *tx).await?;
            if r.mode == SyncMode::Full {
                sqlx::query("UPDATE psa_integrations SET last_full_sync_at = $1 WHERE id = $2 AND account_id = $3")
                    .bind(r.started_at).bind(iid).bind(acc).execute(&mut *tx).await?;
                // A complete listing has matched what it could of the re-checked values.
                sqlx::query("UPDATE psa_catalog_values SET disconnected_at = NULL
                             WHERE account_id = $1 AND integration_id = $2 AND sync_enabled = TRUE AND disconnected_at IS NOT NULL")
                    .bind(acc).bind(iid).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM sync_staging WHERE run_id = $1").bind(r.run).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<(), anyhow::Error>(())
        })?;
        if let crate::db::Db::Sqlite(pool) = &self.db {
            // Statistics for the planner, where they went stale: `PRAGMA optimize` analyzes
            // (sampled: `analysis_limit`) a table never analyzed or whose size changed tenfold
            // since, and 0x10000 makes it look at every table, not only those this connection
            // read. A first sync analyzes what it filled; a small incremental one, nothing.
            // `sqlite_stat1` exists since migration 0014, so this changes no schema beside
            // live writers.
            sqlx::query("PRAGMA optimize=0x10002").execute(pool).await?;
        }
        tracing::debug!(run_id = r.run, phases = %phases.report(), "sync apply phases");
        Ok(out.counts)
    }
}
