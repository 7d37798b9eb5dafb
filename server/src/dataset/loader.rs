//! The fixture loader: writes a generated dataset straight into either database as if a full
//! sync had just run, in large multi-row inserts, one transaction per table.

use super::{Dataset, Fate, Link, Plan};
use crate::db::BeginWrite;
use crate::db::Db;
use crate::on_db;
use app::model::{AccountId, IntegrationId, ItemKind, SyncState};
use chrono::Utc;
use std::time::{Duration, Instant};

/// Rows per INSERT statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const CHUNK: usize = 1_000;

#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Organizations, configurations, contacts and locations written.
    pub items: usize,
    /// Passwords and documents written.
    pub steward_only: usize,
    /// Disconnected-item tombstones written.
    pub tombstones: usize,
    pub elapsed: Duration,
}

/// The error of an item whose last sync failed: the PSA sends it without a name (the simulator
/// serves it so), so the next sync fails it the same way.
fn sync_error(state: Option<SyncState>, kind: ItemKind, psa_id: i64) -> Option<String> {
    (state == Some(SyncState::Error)).then(|| crate::rules::decide::nameless(kind, psa_id))
}

/// One item row's PSA link columns: (integration_id, psa_id, sync_state, orphan_reason).
fn link_columns(
    integration: IntegrationId,
    psa_id: i64,
    link: &Link,
) -> (
    Option<i64>,
    Option<i64>,
    Option<&'static str>,
    Option<&'static str>,
) {
    match link.state {
        None => (None, None, None, None),
        Some(state) => (
            Some(integration.0),
            Some(psa_id),
            Some(state.as_str()),
            link.reason.map(|r| r.as_str()),
        ),
    }
}

/// Is the item written as a row (not only as a tombstone)?
fn is_local(fate: Fate, link: &Link) -> bool {
    !(fate == Fate::DisconnectedThenDeleted && link.state.is_some())
}

/// Writes `dataset` into `account`, linked to `integration`.
pub async fn load(
    db: &Db,
    account: AccountId,
    integration: IntegrationId,
    d: &Dataset,
) -> anyhow::Result<LoadReport> {
    let started = Instant::now();
    let plan: Plan = d.plan();
    let now = Utc::now();
    let acc = account.0;
    let mut items = 0usize;
    let mut steward_only = 0usize;
    let mut tombstones = 0usize;

    on_db!(db, |pool| {
        // Each table's ids are reserved first, past every id it ever handed out (ids are never
        // reused), in one transaction that keeps other writers out meanwhile: a load beside
        // another load, or beside a sync creating items, never picks an id another takes.
        // SQLite: its one write lock (the first statement writes) and AUTOINCREMENT's
        // `sqlite_sequence`, moved past the range; PostgreSQL: the tables locked against inserts
        // and their identity sequences moved past the range.
        let backend = db.backend();
        let mut tx = pool.begin_write().await?;
        let mut reserve = Vec::new();
        for (table, n) in [
            ("organizations", d.companies.len()),
            ("configurations", d.configurations.len()),
            ("contacts", d.contacts.len()),
            ("locations", d.sites.len()),
            ("psa_catalog_values", d.catalog.len()),
        ] {
            let top: i64 = match backend {
                crate::db::Backend::Sqlite if table == "psa_catalog_values" => {
                    // Not AUTOINCREMENT: the write lock already held keeps its largest id still.
                    sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) + $1 FROM {table}"))
                        .bind(n as i64)
                        .fetch_one(&mut *tx)
                        .await?
                }
                crate::db::Backend::Sqlite => {
                    sqlx::query(
                        "INSERT INTO sqlite_sequence (name, seq) SELECT $1, 0
                                 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $1)",
                    )
                    .bind(table)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query_scalar(&format!(
                        "UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT \
                            COALESCE(MAX(id), 0) FROM {table})) + $2
                         WHERE name = $1 RETURNING seq"
                    ))
                    .bind(table)
                    .bind(n as i64)
                    .fetch_one(&mut *tx)
                    .await?
                }
                crate::db::Backend::Postgres => {
                    sqlx::query(&format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query_scalar(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                            GREATEST(1, GREATEST(COALESCE(MAX(id), 0),
                         COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', \
                         'id')::regclass), 0)) + $1)) FROM {table}"
                    ))
                    .bind(n as i64)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            reserve.push(top - n as i64);
        }
        let (org_base, cfg_base, contact_base, site_base, catalog_base) =
            (reserve[0], reserve[1], reserve[2], reserve[3], reserve[4]);
        let catalog_id = |idx: usize| catalog_base + idx as i64 + 1;
        let org_id = |idx: usize| org_base + idx as i64 + 1;

        let mut qb = sqlx::QueryBuilder::<DB>::new(
            "INSERT INTO psa_catalog_values (id, account_id, integration_id, category, \
                psa_id, name, sync_enabled) ",
        );
        qb.push_values(d.catalog.iter().enumerate(), |mut b, (i, e)| {
            b.push_bind(catalog_id(i))
                .push_bind(acc)
                .push_bind(integration.0)
                .push_bind(e.category.as_str())
                .push_bind(e.psa_id)
                .push_bind(e.name)
                .push_bind(e.sync_enabled);
        });
        qb.build().execute(&mut *tx).await?;

        for (chunk_no, chunk) in d.companies.chunks(CHUNK).enumerate() {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO organizations (id, account_id, name, \
                    organization_type_id, organization_status_id,
                 integration_id, psa_id, sync_state, orphan_reason, sync_error, \
                 had_data_before_first_sync,
                 last_synced_at, created_at, updated_at) ",
            );
            qb.push_values(chunk.iter().enumerate(), |mut b, (j, c)| {
                let i = chunk_no * CHUNK + j;
                let link = &plan.companies[i];
                let (iid, psa, state, reason) = link_columns(integration, c.psa_id, link);
                b.push_bind(org_id(i))
                    .push_bind(acc)
                    .push_bind(c.name.as_str())
                    .push_bind(catalog_id(c.type_idx))
                    .push_bind(catalog_id(c.status_idx))
                    .push_bind(iid)
                    .push_bind(psa)
                    .push_bind(state)
                    .push_bind(reason)
                    .push_bind(sync_error(link.state, ItemKind::Organization, c.psa_id))
                    .push_bind(c.had_data_before_first_sync && link.state.is_some())
                    .push_bind(link.state.map(|_| now))
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            items += chunk.len();
        }
        tx.commit().await?;

        let mut tx = pool.begin_write().await?;
        let rows: Vec<(usize, &super::Configuration)> = d
            .configurations
            .iter()
            .enumerate()
            .filter(|(i, c)| is_local(c.fate, &plan.configurations[*i]))
            .collect();
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO configurations (id, account_id, organization_id, name, \
                    serial_number,
                 configuration_type_id, configuration_status_id, active, integration_id, psa_id, \
                 sync_state,
                 orphan_reason, sync_error, last_synced_at, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (i, c)| {
                let link = &plan.configurations[*i];
                let (iid, psa, state, reason) = link_columns(integration, c.psa_id, link);
                b.push_bind(cfg_base + *i as i64 + 1)
                    .push_bind(acc)
                    .push_bind(org_id(c.company))
                    .push_bind(c.name.as_str())
                    .push_bind(c.serial_number.as_str())
                    .push_bind(catalog_id(c.type_idx))
                    .push_bind(catalog_id(c.status_idx))
                    .push_bind(c.active)
                    .push_bind(iid)
                    .push_bind(psa)
                    .push_bind(state)
                    .push_bind(reason)
                    .push_bind(sync_error(link.state, ItemKind::Configuration, c.psa_id))
                    .push_bind(link.state.map(|_| now))
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            items += chunk.len();
        }
        tx.commit().await?;

        let mut tx = pool.begin_write().await?;
        let rows: Vec<(usize, &super::Contact)> = d
            .contacts
            .iter()
            .enumerate()
            .filter(|(i, c)| is_local(c.fate, &plan.contacts[*i]))
            .collect();
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO contacts (id, account_id, organization_id, first_name, \
                    last_name, email,
                 contact_type_id, integration_id, psa_id, sync_state, orphan_reason, sync_error,
                 last_synced_at, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (i, c)| {
                let link = &plan.contacts[*i];
                let (iid, psa, state, reason) = link_columns(integration, c.psa_id, link);
                b.push_bind(contact_base + *i as i64 + 1)
                    .push_bind(acc)
                    .push_bind(org_id(c.company))
                    .push_bind(c.first_name)
                    .push_bind(c.last_name)
                    .push_bind(c.email.as_str())
                    .push_bind(catalog_id(c.type_idx))
                    .push_bind(iid)
                    .push_bind(psa)
                    .push_bind(state)
                    .push_bind(reason)
                    .push_bind(sync_error(link.state, ItemKind::Contact, c.psa_id))
                    .push_bind(link.state.map(|_| now))
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            items += chunk.len();
        }
        tx.commit().await?;

        let mut tx = pool.begin_write().await?;
        let rows: Vec<(usize, &super::Site)> = d
            .sites
            .iter()
            .enumerate()
            .filter(|(i, s)| is_local(s.fate, &plan.sites[*i]))
            .collect();
        for chunk in rows.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO locations (id, account_id, organization_id, name, \
                    address_line1, city, region,
                 postal_code, country, phone, integration_id, psa_id, sync_state, orphan_reason, \
                 sync_error,
                 last_synced_at, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (i, s)| {
                let link = &plan.sites[*i];
                let (iid, psa, state, reason) = link_columns(integration, s.psa_id, link);
                b.push_bind(site_base + *i as i64 + 1)
                    .push_bind(acc)
                    .push_bind(org_id(s.company))
                    .push_bind(s.name.as_str())
                    .push_bind(s.address_line1.as_str())
                    .push_bind(s.city.as_str())
                    .push_bind(s.region.as_str())
                    .push_bind(s.postal_code.as_str())
                    .push_bind(s.country)
                    .push_bind(s.phone.as_str())
                    .push_bind(iid)
                    .push_bind(psa)
                    .push_bind(state)
                    .push_bind(reason)
                    .push_bind(sync_error(link.state, ItemKind::Location, s.psa_id))
                    .push_bind(link.state.map(|_| now))
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            items += chunk.len();
        }
        tx.commit().await?;

        let mut tx = pool.begin_write().await?;
        for chunk in d.passwords.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO passwords (account_id, organization_id, name, username, \
                    url, secret_ciphertext, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(acc)
                    .push_bind(org_id(p.company))
                    .push_bind(p.name)
                    .push_bind(p.username.as_str())
                    .push_bind(p.url.as_str())
                    .push_bind(p.secret_ciphertext.as_slice())
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            steward_only += chunk.len();
        }
        for chunk in d.documents.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO documents (account_id, organization_id, title, body, \
                    created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, doc| {
                b.push_bind(acc)
                    .push_bind(org_id(doc.company))
                    .push_bind(doc.title)
                    .push_bind(doc.body.as_str())
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            steward_only += chunk.len();
        }

        // Tombstones of individually disconnected items: the disabled ones, and those deleted since.
        let mut stones: Vec<(&'static str, i64, Option<i64>, usize, String)> = Vec::new();
        let mut add = |kind: &'static str,
                       psa_id: i64,
                       id: i64,
                       company: usize,
                       fate: Fate,
                       link: &Link,
                       name: String| {
            if link.state == Some(SyncState::Disabled) {
                stones.push((kind, psa_id, Some(id), company, name));
            } else if fate == Fate::DisconnectedThenDeleted && link.state.is_some() {
                stones.push((kind, psa_id, None, company, name));
            }
        };
        for (i, c) in d.companies.iter().enumerate() {
            add(
                "organization",
                c.psa_id,
                org_id(i),
                i,
                c.fate,
                &plan.companies[i],
                c.name.clone(),
            );
        }
        for (i, c) in d.configurations.iter().enumerate() {
            add(
                "configuration",
                c.psa_id,
                cfg_base + i as i64 + 1,
                c.company,
                c.fate,
                &plan.configurations[i],
                c.name.clone(),
            );
        }
        for (i, c) in d.contacts.iter().enumerate() {
            add(
                "contact",
                c.psa_id,
                contact_base + i as i64 + 1,
                c.company,
                c.fate,
                &plan.contacts[i],
                format!("{} {}", c.first_name, c.last_name),
            );
        }
        for (i, s) in d.sites.iter().enumerate() {
            add(
                "location",
                s.psa_id,
                site_base + i as i64 + 1,
                s.company,
                s.fate,
                &plan.sites[i],
                s.name.clone(),
            );
        }
        for chunk in stones.chunks(CHUNK) {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO disconnected_items (account_id, integration_id, \
                    item_kind, psa_id, item_id,
                 organization_id, name, organization_name, disconnected_at, deleted_locally_at) ",
            );
            qb.push_values(chunk, |mut b, (kind, psa_id, item_id, company, name)| {
                b.push_bind(acc)
                    .push_bind(integration.0)
                    .push_bind(*kind)
                    .push_bind(*psa_id)
                    .push_bind(*item_id)
                    .push_bind(org_id(*company))
                    .push_bind(name.as_str())
                    .push_bind(d.companies[*company].name.as_str())
                    .push_bind(now)
                    .push_bind(item_id.is_none().then_some(now));
            });
            qb.build().execute(&mut *tx).await?;
            tombstones += chunk.len();
        }

        // The run that "made" this data, so the integration shows a last sync.
        let linked = |links: &[Link]| links.iter().filter(|l| l.state.is_some()).count() as i64;
        let orphans = |links: &[Link]| {
            links
                .iter()
                .filter(|l| l.state == Some(SyncState::Orphaned))
                .count() as i64
        };
        let all = [
            &plan.companies[..],
            &plan.configurations[..],
            &plan.contacts[..],
            &plan.sites[..],
        ];
        sqlx::query(
            "INSERT INTO sync_runs (account_id, integration_id, mode, trigger_source, \
                outcome, created_count,
             orphaned_count, started_at, finished_at) VALUES ($1, $2, 'full', 'fixture', \
             'succeeded', $3, $4, $5, $6)",
        )
        .bind(acc)
        .bind(integration.0)
        .bind(all.iter().map(|l| linked(l)).sum::<i64>())
        .bind(all.iter().map(|l| orphans(l)).sum::<i64>())
        .bind(now)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE psa_integrations SET last_full_sync_at = $1 WHERE id = $2 AND \
                account_id = $3",
        )
        .bind(now)
        .bind(integration.0)
        .bind(acc)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });

    if let Db::Postgres(pool) = db {
        // Explicit ids were written: move the identity sequences past them.
        for table in [
            "psa_catalog_values",
            "organizations",
            "configurations",
            "contacts",
            "locations",
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                    GREATEST((SELECT COALESCE(MAX(id), 1) FROM {table}),
                   COALESCE(pg_sequence_last_value(pg_get_serial_sequence('{table}', \
                   'id')::regclass), 1)))"
            ))
            .execute(pool)
            .await?;
        }
        // VACUUM sets the visibility map, so the grouped counts can be index-only scans.
        sqlx::query("VACUUM ANALYZE").execute(pool).await?;
    } else if let Db::Sqlite(pool) = db {
        sqlx::query("ANALYZE").execute(pool).await?;
    }

    Ok(LoadReport {
        items,
        steward_only,
        tombstones,
        elapsed: started.elapsed(),
    })
}
