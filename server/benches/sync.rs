//! Benchmarks the sync engine: the L dataset synced over HTTP from the ConnectWise simulator into
//! an empty SQLite and (with STEWARD_BENCH_POSTGRES_URL, as `make bench` sets it) PostgreSQL,
//! next to the floor measured in the same run: the same pages fetched and the same rows inserted
//! with a plain loop (no staging, no rules, no events). Then an incremental run with 1 % of the
//! PSA changed, and a full run over an unchanged PSA. Prints a table.
//!
//! `cargo bench -p server --bench sync` (size from STEWARD_BENCH_SYNC_SIZE: s, m, l or xl;
//! default l).

mod common;

use app::model::{AccountId, IntegrationId, SyncMode, SyncSettingsChange, SyncTrigger};
use chrono::Utc;
use futures_util::{stream, StreamExt, TryStreamExt};
use server::dataset::{Dataset, Size};
use server::db::Db;
use server::on_db;
use server::psa::connectwise::client::{CwClient, CwCredentials};
use server::psa::RetryPolicy;
use server::psa::{connectwise::ConnectWise, PsaConnector};
use server::repo::{NewIntegration, Repo};
use server::secrets::SecretBox;
use server::sync::SyncEngine;
use sim::connectwise::{router, Records, SimCredentials, Simulator};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn fresh_sqlite(dir: &tempfile::TempDir, name: &str) -> anyhow::Result<Db> {
    Db::connect(&format!(
        "sqlite://{}",
        dir.path().join(format!("{name}.db")).display()
    ))
    .await
}

fn credentials(url: &str) -> CwCredentials {
    let c = SimCredentials::demo();
    CwCredentials {
        site_url: url.to_string(),
        company_id: c.company_id,
        public_key: c.public_key,
        private_key: c.private_key,
        client_id: c.client_id,
    }
}

/// An account and integration whose catalog is the PSA's, checked as the dataset says.
async fn account(
    repo: &Repo,
    cw: &ConnectWise,
    d: &Dataset,
) -> anyhow::Result<(AccountId, IntegrationId)> {
    let account = repo.create_account("Bench MSP").await?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    repo.merge_catalog(account, integration, &cw.catalog().await?)
        .await?;
    let settings = repo
        .sync_settings(account, integration)
        .await?
        .expect("the integration");
    let values = settings
        .values
        .iter()
        .map(|v| {
            let synced = d
                .catalog
                .iter()
                .any(|e| e.category == v.category && e.psa_id == v.psa_id && e.sync_enabled);
            (v.id, synced)
        })
        .collect();
    repo.change_sync_settings(
        account,
        integration,
        &SyncSettingsChange {
            values,
            ..Default::default()
        },
    )
    .await?;
    Ok((account, integration))
}

/// The floor: the same listings through the same HTTP client, each page inserted as rows in a
/// plain loop. Returns the records fetched.
async fn floor(db: &Db, url: &str) -> anyhow::Result<usize> {
    db.migrate().await?;
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Floor MSP").await?.0;
    let client = CwClient::new(
        &credentials(url),
        RetryPolicy {
            reach: server::psa::net::Reach::LOOPBACK,
            ..RetryPolicy::default()
        },
    )?;
    let now = Utc::now();
    let mut orgs: HashMap<i64, i64> = HashMap::new();
    let mut records = 0;
    let mut pages = Vec::new();
    client
        .for_each_page("company/companies", None, false, |p| pages.push(p))
        .await?;
    for page in pages {
        records += page.len();
        on_db!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO organizations (account_id, name, created_at, updated_at) ",
            );
            qb.push_values(&page, |mut b, c| {
                b.push_bind(account)
                    .push_bind(c["name"].as_str().unwrap_or("").to_string())
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id");
            let ids: Vec<(i64,)> = qb.build_query_as().fetch_all(pool).await?;
            for (c, (id,)) in page.iter().zip(ids) {
                orgs.insert(c["id"].as_i64().unwrap_or_default(), id);
            }
        });
    }
    let company_ids: Vec<i64> = orgs.keys().copied().collect();
    let sites: Vec<(i64, Vec<serde_json::Value>)> = stream::iter(company_ids)
        .map(|id| {
            let client = &client;
            async move {
                let mut all = Vec::new();
                client
                    .for_each_page(&format!("company/companies/{id}/sites"), None, false, |p| {
                        all.extend(p)
                    })
                    .await
                    .map(|_| (id, all))
            }
        })
        .buffered(4)
        .try_collect()
        .await?;
    let sites: Vec<(i64, serde_json::Value)> = sites
        .into_iter()
        .flat_map(|(c, s)| s.into_iter().map(move |s| (c, s)))
        .collect();
    records += sites.len();
    for chunk in sites.chunks(1000) {
        on_db!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::<DB>::new("INSERT INTO locations (account_id, organization_id, name, city, created_at, updated_at) ");
            qb.push_values(chunk, |mut b, (c, s)| {
                b.push_bind(account)
                    .push_bind(orgs[c])
                    .push_bind(s["name"].as_str().unwrap_or("").to_string())
                    .push_bind(s["city"].as_str().map(str::to_string))
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(pool).await?;
        });
    }
    for (endpoint, table) in [
        ("company/configurations", "configurations"),
        ("company/contacts", "contacts"),
    ] {
        let mut pages = Vec::new();
        client
            .for_each_page(endpoint, None, true, |p| pages.push(p))
            .await?;
        for page in pages {
            records += page.len();
            let rows: Vec<(i64, String, String)> = page
                .iter()
                .filter_map(|r| {
                    let org = orgs.get(&r["company"]["id"].as_i64()?)?;
                    let (a, b) = if table == "contacts" {
                        (r["firstName"].as_str()?, r["lastName"].as_str()?)
                    } else {
                        (
                            r["name"].as_str()?,
                            r["serialNumber"].as_str().unwrap_or(""),
                        )
                    };
                    Some((*org, a.to_string(), b.to_string()))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let columns = if table == "contacts" {
                "first_name, last_name"
            } else {
                "name, serial_number"
            };
            on_db!(db, |pool| {
                let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
                    "INSERT INTO {table} (account_id, organization_id, {columns}, created_at, updated_at) "));
                qb.push_values(&rows, |mut b, (org, x, y)| {
                    b.push_bind(account)
                        .push_bind(*org)
                        .push_bind(x.as_str())
                        .push_bind(y.as_str())
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.build().execute(pool).await?;
            });
        }
    }
    Ok(records)
}

/// Changes 1 % of each PSA collection (a new name, lastUpdated now), as PSA users would.
fn change_one_percent(sim: &Simulator) -> usize {
    let mut guard = sim.records.write().unwrap_or_else(|e| e.into_inner());
    let r = &mut *guard;
    let stamp = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut changed = 0;
    for list in [&mut r.companies, &mut r.configurations] {
        let n = list.len() / 100;
        for id in list
            .ids()
            .iter()
            .step_by(100)
            .take(n)
            .copied()
            .collect::<Vec<_>>()
        {
            list.update(id, |rec| {
                let name = format!("{} (renamed)", rec["name"].as_str().unwrap_or(""));
                rec["name"] = name.into();
                rec["_info"]["lastUpdated"] = stamp.clone().into();
            });
            changed += 1;
        }
    }
    let n = r.contacts.len() / 100;
    for id in r
        .contacts
        .ids()
        .iter()
        .step_by(100)
        .take(n)
        .copied()
        .collect::<Vec<_>>()
    {
        r.contacts.update(id, |rec| {
            rec["lastName"] = format!("{}-Smith", rec["lastName"].as_str().unwrap_or("")).into();
            rec["_info"]["lastUpdated"] = stamp.clone().into();
        });
        changed += 1;
    }
    changed
}

fn per_second(n: usize, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64())
}

async fn bench(label: &str, db: Db, floor_db: Db, size: Size) -> anyhow::Result<()> {
    let d = Dataset::generate(size, 1);
    let records = Records::from_dataset(&d);
    let served = records.item_count();
    let sim = Simulator::new(SimCredentials::demo(), records);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let t = Instant::now();
    let floor_records = floor(&floor_db, &url).await?;
    let floor_time = t.elapsed();

    db.migrate().await?;
    let repo = Repo::new(db);
    let cw = ConnectWise::new(
        &credentials(&url),
        RetryPolicy {
            reach: server::psa::net::Reach::LOOPBACK,
            ..RetryPolicy::default()
        },
    )?;
    let (account, integration) = account(&repo, &cw, &d).await?;
    let engine = SyncEngine::new(repo.clone(), Arc::new(SecretBox::new([1; 32])));
    let t = Instant::now();
    let first = engine
        .run_with(
            &cw,
            account,
            integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await?;
    let first_time = t.elapsed();
    assert!(first.error.is_none(), "{first:?}");

    let t = Instant::now();
    let again = engine
        .run_with(
            &cw,
            account,
            integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await?;
    let again_time = t.elapsed();

    let changed = change_one_percent(&sim);
    let t = Instant::now();
    let incremental = engine
        .run_with(
            &cw,
            account,
            integration,
            SyncMode::Incremental,
            SyncTrigger::Manual,
        )
        .await?;
    let incremental_time = t.elapsed();

    println!(
        "| {label} | {size:?} | first full sync (empty database) | {served} | {:.2} s | {} | {:?} |",
        first_time.as_secs_f64(),
        per_second(served, first_time),
        first.counts
    );
    println!(
        "| {label} | {size:?} | floor: same pages, plain insert loop | {floor_records} | {:.2} s | {} | |",
        floor_time.as_secs_f64(),
        per_second(floor_records, floor_time)
    );
    println!(
        "| {label} | {size:?} | full sync, PSA unchanged | {served} | {:.2} s | {} | {:?} |",
        again_time.as_secs_f64(),
        per_second(served, again_time),
        again.counts
    );
    println!(
        "| {label} | {size:?} | incremental, 1 % changed ({changed} records) | {changed} | {:.2} s | {} | {:?} |",
        incremental_time.as_secs_f64(),
        per_second(changed, incremental_time),
        incremental.counts
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // RUST_LOG=info shows each run's listing and apply times.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let size = match std::env::var("STEWARD_BENCH_SYNC_SIZE").as_deref() {
        Ok("s") => Size::S,
        Ok("m") => Size::M,
        Ok("xl") => Size::Xl,
        _ => Size::L,
    };
    println!("| database | size | run | records | time | records/s | counts |");
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    bench(
        "SQLite",
        fresh_sqlite(&dir, "sync").await?,
        fresh_sqlite(&dir, "floor").await?,
        size,
    )
    .await?;
    if let Ok(base) = std::env::var("STEWARD_BENCH_POSTGRES_URL") {
        bench(
            "PostgreSQL",
            common::fresh_postgres(&base).await?,
            common::fresh_postgres(&base).await?,
            size,
        )
        .await?;
    } else {
        println!("(PostgreSQL skipped: set STEWARD_BENCH_POSTGRES_URL, as `make bench` does)");
    }
    // The whole process: the engine, the in-process simulator and the generated dataset.
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(peak) = status.lines().find(|l| l.starts_with("VmHWM:")) {
        println!("(peak memory of the bench process, simulator and dataset included: {peak})");
    }
    Ok(())
}
