//! Applying one kind's listing, a chunk of staged records at a time (see `steps.rs`).

use super::{Tx, DB};
use crate::repo::manage_data::table;
use crate::repo::sync_apply::chunk::{decide_chunk, Candidates, Outcome, Write};
use crate::repo::sync_apply::{bind, columns, state_of, Ctx, Local, Phases, Staged, Ty, CHUNK};
use crate::rules::decide::{self, Catalog, Parent, Planned, Val};
use app::model::ItemKind;
use sqlx::{QueryBuilder, Row};
use std::collections::{HashMap, HashSet};
use std::time::Instant;

/// One kind's listing as it is applied.
pub(super) struct Listing<'a> {
    pub(super) kind: ItemKind,
    pub(super) catalog: &'a Catalog,
    pub(super) tombstones: &'a HashSet<(ItemKind, i64)>,
    pub(super) candidates: Candidates,
    pub(super) any_linked: bool,
}

/// The kind's staged records, a chunk at a time: parsed, planned, decided against their local
/// copies, written.
pub(super) async fn apply_listing(
    tx: &mut Tx,
    c: &Ctx<'_>,
    l: &mut Listing<'_>,
    out: &mut Outcome,
    phases: &mut Phases,
) -> anyhow::Result<()> {
    let mut after = i64::MIN;
    loop {
        phases.at = Instant::now();
        let staged = staged_chunk(tx, c, l.kind, after).await?;
        let Some(last) = staged.last() else {
            return Ok(());
        };
        after = last.psa_id;
        phases.lap(0);

        let records = staged
            .iter()
            .map(|s| Staged::parse(l.kind, &s.record))
            .collect::<Result<Vec<_>, _>>()?;
        let parents = if l.kind == ItemKind::Organization {
            HashMap::new()
        } else {
            parents(tx, c, &records).await?
        };
        phases.lap(1);
        let planned = plan(&records, &parents, l.catalog);
        phases.lap(3);
        let psa_ids: Vec<i64> = staged.iter().map(|s| s.psa_id).collect();
        let locals = if l.any_linked {
            linked_items(tx, c, l.kind, &psa_ids).await?
        } else {
            HashMap::new()
        };
        phases.lap(2);

        let (mode, now) = (c.r.mode, c.now);
        decide_chunk(
            planned,
            &locals,
            l.tombstones,
            &mut l.candidates,
            mode,
            now,
            out,
        );
        phases.lap(3);
        let (creates, updates): (Vec<Write>, Vec<Write>) = std::mem::take(&mut out.writes)
            .into_iter()
            .partition(|w| matches!(w, Write::Create(_)));
        insert_created(tx, c, l.kind, creates).await?;
        phases.lap(4);
        write_updates(tx, c, l.kind, updates).await?;
        phases.lap(5);
    }
}

#[derive(sqlx::FromRow)]
struct StagedRow {
    psa_id: i64,
    record: String,
}

/// The next chunk of the kind's staged records after PSA id `after`.
async fn staged_chunk(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    after: i64,
) -> anyhow::Result<Vec<StagedRow>> {
    Ok(sqlx::query_as(
        "SELECT psa_id, record FROM sync_staging
         WHERE run_id = $1 AND item_kind = $2 AND psa_id > $3
         ORDER BY psa_id LIMIT $4",
    )
    .bind(c.run)
    .bind(kind.as_str())
    .bind(after)
    .bind(CHUNK)
    .fetch_all(&mut **tx)
    .await?)
}

#[derive(sqlx::FromRow)]
struct ParentRow {
    psa_id: i64,
    id: i64,
    sync_state: String,
}

/// The organizations a chunk of children names, as they stand after their own phase.
async fn parents(
    tx: &mut Tx,
    c: &Ctx<'_>,
    records: &[Staged],
) -> anyhow::Result<HashMap<i64, Parent>> {
    let mut ids: Vec<i64> = records.iter().filter_map(Staged::company).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    // `+account_id`: only the (integration, PSA id) index fits. Without statistics (a table this
    // run is filling, or a connection opened before them) SQLite took an index led by the
    // account and read every organization of the integration for each chunk.
    let mut qb = QueryBuilder::<DB>::new(
        "SELECT psa_id, id, sync_state FROM organizations WHERE +account_id = ",
    );
    qb.push_bind(c.acc)
        .push(" AND integration_id = ")
        .push_bind(c.iid)
        .push(" AND psa_id IN (");
    let mut sep = qb.separated(", ");
    for id in &ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    let rows: Vec<ParentRow> = qb.build_query_as().fetch_all(&mut **tx).await?;
    Ok(rows
        .into_iter()
        .map(|p| {
            let parent = if p.sync_state == "orphaned" {
                Parent::Orphaned(p.id)
            } else {
                Parent::Syncing(p.id)
            };
            (p.psa_id, parent)
        })
        .collect())
}

/// What the PSA says each record of a chunk should be (the rules of `decide`).
fn plan(records: &[Staged], parents: &HashMap<i64, Parent>, catalog: &Catalog) -> Vec<Planned> {
    let parent = |company: Option<i64>| {
        company
            .and_then(|c| parents.get(&c).copied())
            .unwrap_or(Parent::Missing)
    };
    records
        .iter()
        .map(|record| match record {
            Staged::Company(c) => decide::company(c, catalog),
            Staged::Configuration(c) => {
                decide::configuration(c, parent(Some(c.company_psa_id)), catalog)
            }
            Staged::Contact(c) => decide::contact(c, parent(c.company_psa_id), catalog),
            Staged::Site(s) => decide::site(s, parent(Some(s.company_psa_id))),
        })
        .collect()
}

/// The linked items of a chunk's PSA ids, as they are in Steward now, by PSA id.
async fn linked_items(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    psa_ids: &[i64],
) -> anyhow::Result<HashMap<i64, Local>> {
    let cols = columns(kind);
    let col_list = cols.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
    let mut qb = QueryBuilder::<DB>::new(format!(
        "SELECT id, psa_id, sync_state, orphan_reason, sync_error, {col_list} FROM {} \
         WHERE +account_id = ",
        table(kind)
    ));
    qb.push_bind(c.acc)
        .push(" AND integration_id = ")
        .push_bind(c.iid)
        .push(" AND psa_id IN (");
    let mut sep = qb.separated(", ");
    for psa in psa_ids {
        sep.push_bind(*psa);
    }
    qb.push(")");
    let rows = qb.build().fetch_all(&mut **tx).await?;
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
        let local = Local {
            id: row.try_get(0)?,
            link: state_of(&state, reason.as_deref())?,
            error: row.try_get(4)?,
            values,
        };
        locals.insert(row.try_get::<i64, _>(1)?, local);
    }
    Ok(locals)
}

/// New linked items, one INSERT per chunk.
async fn insert_created(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    creates: Vec<Write>,
) -> anyhow::Result<()> {
    if creates.is_empty() {
        return Ok(());
    }
    let cols = columns(kind);
    let col_list = cols.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
    let mut qb = QueryBuilder::<DB>::new(format!(
        "INSERT INTO {} (account_id, integration_id, psa_id, sync_state, last_synced_at, \
         created_at, updated_at, {col_list}) VALUES ",
        table(kind)
    ));
    for (n, w) in creates.into_iter().enumerate() {
        let Write::Create(p) = w else { continue };
        if n > 0 {
            qb.push(", ");
        }
        qb.push("(")
            .push_bind(c.acc)
            .push(", ")
            .push_bind(c.iid)
            .push(", ")
            .push_bind(p.psa_id)
            .push(", 'enabled', ")
            .push_bind(c.now)
            .push(", ")
            .push_bind(c.now)
            .push(", ")
            .push_bind(c.now);
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
    qb.build().execute(&mut **tx).await?;
    Ok(())
}

/// Changed linked items, one UPDATE each (only the columns that changed).
async fn write_updates(
    tx: &mut Tx,
    c: &Ctx<'_>,
    kind: ItemKind,
    updates: Vec<Write>,
) -> anyhow::Result<()> {
    for w in updates {
        let Write::Update { id, sets } = w else {
            continue;
        };
        let mut qb = QueryBuilder::<DB>::new(format!("UPDATE {} SET ", table(kind)));
        for (n, (col, val)) in sets.into_iter().enumerate() {
            if n > 0 {
                qb.push(", ");
            }
            qb.push(col).push(" = ");
            match (col, val) {
                ("last_synced_at" | "updated_at", _) => {
                    qb.push_bind(c.now);
                }
                ("integration_id", _) => {
                    qb.push_bind(c.iid);
                }
                (_, v) => bind(&mut qb, v),
            }
        }
        qb.push(" WHERE id = ")
            .push_bind(id)
            .push(" AND account_id = ")
            .push_bind(c.acc);
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}
