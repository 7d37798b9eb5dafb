//! Applying a complete listing: the staged records of a run are read back in chunks, planned by
//! the rules in `crate::rules::decide`, and written in ONE transaction: either the whole run lands
//! or none of it does. Memory stays flat: a chunk of records at a time.

use super::sync::NewEvent;
use super::Repo;
use crate::db::{Backend, Db};
use crate::rules::decide::{self, Link, Planned, Target, Transition, Val};
use crate::rules::records::{PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::{
    AccountId, EventLevel, IntegrationId, ItemKind, OrphanReason, RunId, SyncCounts, SyncMode,
    SyncState,
};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
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
    pub run: RunId,
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

/// What every step of one apply knows.
pub(super) struct Ctx<'a> {
    r: &'a ApplyRun,
    /// `r.run`, as bound in SQL.
    run: i64,
    acc: i64,
    iid: i64,
    now: DateTime<Utc>,
    backend: Backend,
}

// The steps, compiled once per backend: `steps.rs` is plain Rust against `super::DB`.
mod postgres;
mod sqlite;

impl Repo {
    /// Applies run `r`'s complete listing and closes the run as succeeded, in one transaction.
    pub async fn apply_sync_run(&self, r: &ApplyRun) -> anyhow::Result<SyncCounts> {
        let c = Ctx {
            r,
            run: r.run.0,
            acc: r.account.0,
            iid: r.integration.0,
            now: Utc::now(),
            backend: self.db.backend(),
        };
        let mut out = Outcome::noting(&r.notes);
        if let Db::Postgres(pool) = &self.db {
            // The staging rows (and, on a first sync, most items) arrived since the last
            // statistics: without fresh ones the planner takes the tables for empty, and the
            // "not listed" anti-joins and the lookups by PSA id scan whole tables per chunk.
            // The staged JSON is never searched: its column is left out (sampling it cost
            // about a fifth of a second at L).
            sqlx::query(
                "ANALYZE sync_staging (run_id, item_kind, psa_id), organizations, \
                 configurations, contacts, locations",
            )
            .execute(pool)
            .await?;
        }
        let mut phases = Phases::new();
        match &self.db {
            Db::Sqlite(pool) => sqlite::steps::apply(pool, &c, &mut out, &mut phases).await?,
            Db::Postgres(pool) => postgres::steps::apply(pool, &c, &mut out, &mut phases).await?,
        }
        if let Db::Sqlite(pool) = &self.db {
            // Statistics for the planner, where they went stale: `PRAGMA optimize` analyzes
            // (sampled: `analysis_limit`) a table never analyzed or whose size changed tenfold
            // since, and 0x10000 makes it look at every table, not only those this connection
            // read. A first sync analyzes what it filled; a small incremental one, nothing.
            // `sqlite_stat1` exists since migration 0014, so this changes no schema beside
            // live writers.
            sqlx::query("PRAGMA optimize=0x10002").execute(pool).await?;
        }
        tracing::debug!(run_id = %r.run, phases = %phases.report(), "sync apply phases");
        Ok(out.counts)
    }
}
