//! Benchmarks a first full sync of the L dataset from each PSA's simulator (ConnectWise Manage,
//! Autotask, HaloPSA), each through its own connector over HTTP, into an empty SQLite and (with
//! STEWARD_BENCH_POSTGRES_URL, as `make bench` sets it) PostgreSQL, beside the floor measured in
//! the same run: the same listings read through the same connector and inserted as rows with a
//! plain loop (no staging, no rules, no events). Prints a table; then, for each PSA, the
//! requests a full and an incremental sync made (every request the simulator answered, counted
//! by a layer in front of it) beside the least the PSA's page cap allows, and the wall time the
//! real PSA's published limits would impose on them (issue 33).
//!
//! `cargo bench -p server --bench psa_sync` (size from STEWARD_BENCH_SYNC_SIZE: s, m or l;
//! default l).

mod common;

use app::model::{
    AccountId, CatalogCategory, IntegrationId, PsaKind, SyncMode, SyncSettingsChange, SyncTrigger,
};
use chrono::Utc;
use futures_util::{stream, StreamExt, TryStreamExt};
use server::dataset::{Dataset, Size};
use server::db::Db;
use server::on_db;
use server::psa::autotask::client::AtCredentials;
use server::psa::connectwise::client::CwCredentials;
use server::psa::credentials::PsaCredentials;
use server::psa::halo::client::HaloCredentials;
use server::psa::PsaConnector;
use server::psa::RetryPolicy;
use server::repo::{NewIntegration, Repo};
use server::secrets::SecretBox;
use server::sync::SyncEngine;
use sim::autotask::records::AtRecords;
use sim::connectwise::{Records, SimCredentials};
use sim::halo::records::HaloRecords;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Requests a simulator answered, counted in front of it.
type Hits = Arc<std::sync::atomic::AtomicU64>;

fn hits(h: &Hits) -> u64 {
    h.load(std::sync::atomic::Ordering::Relaxed)
}

async fn serve(app: axum::Router, counter: Hits) -> anyhow::Result<String> {
    let app = app.layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                next.run(req).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

/// A simulator of `kind` serving `d` on a free port.
struct Served {
    /// What opens it.
    credentials: PsaCredentials,
    /// Records it serves.
    records: usize,
    /// Requests it answered.
    hits: Hits,
    /// The fewest list requests a full listing can take: every listing in pages as large as
    /// the PSA allows (ConnectWise 1,000, Autotask 500, HaloPSA 100), and ConnectWise's sites
    /// a request per company (it lists them only by company).
    least: u64,
}

fn pages(n: usize, cap: usize) -> u64 {
    n.div_ceil(cap).max(1) as u64
}

async fn simulator(kind: PsaKind, d: &Dataset) -> anyhow::Result<Served> {
    let counter = Hits::default();
    let (credentials, records, least) = match kind {
        PsaKind::ConnectwiseManage => {
            let r = Records::from_dataset(d);
            let served = r.item_count();
            let least = pages(r.companies.len(), 1000)
                + pages(r.configurations.len(), 1000)
                + pages(r.contacts.len(), 1000)
                + r.companies.len() as u64;
            let sim = sim::connectwise::Simulator::new(SimCredentials::demo(), r);
            let url = serve(sim::connectwise::router(sim), counter.clone()).await?;
            let c = SimCredentials::demo();
            let creds = CwCredentials {
                site_url: url,
                company_id: c.company_id,
                public_key: c.public_key,
                private_key: c.private_key,
                client_id: c.client_id,
            };
            (PsaCredentials::ConnectWise(creds), served, least)
        }
        PsaKind::Autotask => {
            let r = AtRecords::from_dataset(d);
            let served = r.companies.len()
                + r.configuration_items.len()
                + r.contacts.len()
                + r.company_locations.len();
            let least = pages(r.companies.len(), 500)
                + pages(r.configuration_items.len(), 500)
                + pages(r.contacts.len(), 500)
                + pages(r.company_locations.len(), 500);
            let sim = sim::autotask::AtSimulator::new(
                sim::autotask::AtCredentials {
                    username: "bench@msp.example".into(),
                    secret: "s".into(),
                    integration_code: "C".into(),
                },
                r,
            );
            let url = serve(sim::autotask::router(sim), counter.clone()).await?;
            let creds = AtCredentials {
                site_url: url.clone(),
                zone_url: format!("{url}/atservicesrest"),
                username: "bench@msp.example".into(),
                secret: "s".into(),
                integration_code: "C".into(),
            };
            (PsaCredentials::Autotask(creds), served, least)
        }
        PsaKind::Halopsa => {
            let r = HaloRecords::from_dataset(d);
            let served = r.clients.len() + r.assets.len() + r.users.len() + r.sites.len();
            let least = pages(r.clients.len(), 100)
                + pages(r.assets.len(), 100)
                + pages(r.users.len(), 100)
                + pages(r.sites.len(), 100);
            let sim = sim::halo::HaloSimulator::new(
                sim::halo::HaloCredentials {
                    client_id: "bench".into(),
                    client_secret: "s".into(),
                    tenant: None,
                },
                r,
            );
            // Steward's own pace is measured here, not hosted Halo's 300 requests in 5 minutes
            // (pages of 100 make an L sync about 1,400 requests): the limit and the connector's
            // budget are lifted together (`connector` below).
            sim.set_request_limit(usize::MAX, sim::halo::WINDOW);
            let url = serve(sim::halo::router(sim), counter.clone()).await?;
            let creds = HaloCredentials {
                site_url: url,
                tenant: String::new(),
                client_id: "bench".into(),
                client_secret: "s".into(),
            };
            (PsaCredentials::Halo(creds), served, least)
        }
    };
    Ok(Served {
        credentials,
        records,
        hits: counter,
        least,
    })
}

/// The wall time `requests` take at least under the real PSA's published limits.
fn under_limits(kind: PsaKind, requests: u64) -> String {
    match kind {
        // Hosted Halo: 300 requests in a rolling 5 minutes (Steward keeps to 270).
        PsaKind::Halopsa => {
            let minutes = |per: u64| requests.saturating_sub(per) as f64 / per as f64 * 5.0;
            format!(
                "{:.0} min at 300 in 5 min ({:.0} min at Steward's 270)",
                minutes(300),
                minutes(270)
            )
        }
        // Autotask: 10,000 requests an hour per database, shared with every other integration;
        // answers slow by 0.5 s past half of it and 1 s past three quarters.
        PsaKind::Autotask => {
            let over = |from: u64| requests.saturating_sub(from) as f64;
            let hours = requests as f64 / 10_000.0;
            let slowed = over(5_000).min(2_500.0) * 0.5 + over(7_500) * 1.0;
            format!(
                "{:.1} % of the hour's 10,000 ({:.0} s added by slowed answers, {:.1} h of the threshold)",
                100.0 * requests as f64 / 10_000.0,
                slowed,
                hours
            )
        }
        PsaKind::ConnectwiseManage => "no published limit".into(),
    }
}

/// An account and integration whose catalog is the PSA's, checked by name as the dataset says
/// (values only one PSA has: "Active" and every contact type).
async fn account(
    repo: &Repo,
    kind: PsaKind,
    connector: &dyn PsaConnector,
    d: &Dataset,
) -> anyhow::Result<(AccountId, IntegrationId)> {
    let account = repo.create_account("Bench MSP").await?;
    let integration = repo
        .create_integration(NewIntegration {
            account,
            kind,
            name: kind.label(),
            site_url: "http://127.0.0.1",
        })
        .await?;
    repo.merge_catalog(account, integration, &connector.catalog().await?)
        .await?;
    let settings = repo
        .sync_settings(account, integration)
        .await?
        .expect("the integration");
    let values = settings
        .values
        .iter()
        .map(|v| {
            let checked = match d
                .catalog
                .iter()
                .find(|e| e.category == v.category && e.name == v.name)
            {
                Some(e) => e.sync_enabled,
                None => v.name == "Active" || v.category == CatalogCategory::ContactType,
            };
            (v.id, checked)
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

/// The floor: the same listings through the same connector, each page inserted as rows in a
/// plain loop. The records read.
async fn floor(db: &Db, connector: &dyn PsaConnector) -> anyhow::Result<usize> {
    db.migrate().await?;
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Floor MSP").await?.0;
    let now = Utc::now();
    let mut orgs: HashMap<i64, i64> = HashMap::new();
    let mut records = 0;
    let mut companies = connector.companies(None);
    while let Some(page) = companies.next_page().await? {
        records += page.len();
        on_db!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO organizations (account_id, name, created_at, updated_at) ",
            );
            qb.push_values(&page, |mut b, c| {
                b.push_bind(account)
                    .push_bind(c.name.clone())
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id");
            let ids: Vec<(i64,)> = qb.build_query_as().fetch_all(pool).await?;
            for (c, (id,)) in page.iter().zip(ids) {
                orgs.insert(c.psa_id, id);
            }
        });
    }
    drop(companies);
    let ids: Vec<i64> = orgs.keys().copied().collect();
    let sites: Vec<Vec<server::rules::records::PsaSite>> = stream::iter(ids)
        .map(|id| connector.sites(id))
        .buffered(4)
        .try_collect()
        .await?;
    let sites: Vec<_> = sites.into_iter().flatten().collect();
    records += sites.len();
    for chunk in sites.chunks(1000) {
        on_db!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::<DB>::new("INSERT INTO locations (account_id, organization_id, name, city, created_at, updated_at) ");
            qb.push_values(chunk, |mut b, s| {
                b.push_bind(account)
                    .push_bind(orgs[&s.company_psa_id])
                    .push_bind(s.name.clone())
                    .push_bind(s.city.clone())
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(pool).await?;
        });
    }
    let mut configurations = connector.configurations(None);
    while let Some(page) = configurations.next_page().await? {
        records += page.len();
        let rows: Vec<(i64, String, String)> = page
            .iter()
            .filter_map(|c| {
                Some((
                    *orgs.get(&c.company_psa_id)?,
                    c.name.clone(),
                    c.serial_number.clone().unwrap_or_default(),
                ))
            })
            .collect();
        insert(
            db,
            account,
            "configurations",
            "name, serial_number",
            &rows,
            now,
        )
        .await?;
    }
    drop(configurations);
    let mut contacts = connector.contacts(None);
    while let Some(page) = contacts.next_page().await? {
        records += page.len();
        let rows: Vec<(i64, String, String)> = page
            .iter()
            .filter_map(|c| {
                Some((
                    *orgs.get(&c.company_psa_id?)?,
                    c.first_name.clone(),
                    c.last_name.clone(),
                ))
            })
            .collect();
        insert(db, account, "contacts", "first_name, last_name", &rows, now).await?;
    }
    Ok(records)
}

async fn insert(
    db: &Db,
    account: i64,
    table: &str,
    columns: &str,
    rows: &[(i64, String, String)],
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    on_db!(db, |pool| {
        let mut qb = sqlx::QueryBuilder::<DB>::new(format!(
            "INSERT INTO {table} (account_id, organization_id, {columns}, created_at, updated_at) "
        ));
        qb.push_values(rows, |mut b, (org, x, y)| {
            b.push_bind(account)
                .push_bind(*org)
                .push_bind(x.as_str())
                .push_bind(y.as_str())
                .push_bind(now)
                .push_bind(now);
        });
        qb.build().execute(pool).await?;
    });
    Ok(())
}

fn per_second(n: usize, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64())
}

/// The PSA's connector; HaloPSA's without its request budget (the simulator's limit is lifted
/// too), so the bench measures Steward rather than hosted Halo's rate limit.
fn connector(credentials: &PsaCredentials) -> anyhow::Result<Box<dyn PsaConnector>> {
    Ok(match credentials {
        PsaCredentials::Halo(c) => Box::new(
            server::psa::halo::connector::HaloPsa::new(
                c,
                RetryPolicy {
                    reach: server::psa::net::Reach::LOOPBACK,
                    ..RetryPolicy::default()
                },
            )?
            .with_budget(usize::MAX, server::psa::halo::client::WINDOW),
        ),
        other => other.connector(RetryPolicy {
            reach: server::psa::net::Reach::LOOPBACK,
            ..RetryPolicy::default()
        })?,
    })
}

async fn bench(
    label: &str,
    kind: PsaKind,
    db: Db,
    floor_db: Db,
    d: &Dataset,
) -> anyhow::Result<Requests> {
    let served = simulator(kind, d).await?;
    let credentials = &served.credentials;
    let t = Instant::now();
    let floor_records = floor(&floor_db, &*connector(credentials)?).await?;
    let floor_time = t.elapsed();

    db.migrate().await?;
    let repo = Repo::new(db);
    let connector = connector(credentials)?;
    let (account, integration) = account(&repo, kind, &*connector, d).await?;
    let engine = SyncEngine::new(repo.clone(), Arc::new(SecretBox::new([1; 32])));
    let before = hits(&served.hits);
    let t = Instant::now();
    let first = engine
        .run_with(
            &*connector,
            account,
            integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await?;
    let first_time = t.elapsed();
    assert!(first.error.is_none(), "{first:?}");
    let full_requests = hits(&served.hits) - before;
    // An incremental run right after: what a scheduled run of an unchanged PSA costs.
    let before = hits(&served.hits);
    let incremental = engine
        .run_with(
            &*connector,
            account,
            integration,
            SyncMode::Incremental,
            SyncTrigger::Manual,
        )
        .await?;
    assert!(incremental.error.is_none(), "{incremental:?}");
    let incremental_requests = hits(&served.hits) - before;
    let served_records = served.records;
    println!(
        "| {label} | {} | {:?} | {served_records} | {:.2} s ({} /s) | {floor_records} | {:.2} s ({} /s) | {:.0} % | {:?} |",
        kind.label(),
        d.size,
        first_time.as_secs_f64(),
        per_second(served_records, first_time),
        floor_time.as_secs_f64(),
        per_second(floor_records, floor_time),
        100.0 * floor_time.as_secs_f64() / first_time.as_secs_f64(),
        first.counts
    );
    Ok(Requests {
        kind,
        records: served_records,
        full: full_requests,
        incremental: incremental_requests,
        least: served.least,
    })
}

/// What one PSA's syncs asked of it.
struct Requests {
    kind: PsaKind,
    records: usize,
    full: u64,
    incremental: u64,
    least: u64,
}

fn print_requests(all: &[Requests]) {
    println!();
    println!("| PSA | records | full sync: requests | least at the page cap | incremental sync: requests | full sync under the real limits | incremental under the real limits |");
    println!("|---|---|---|---|---|---|---|");
    for r in all {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.kind.label(),
            r.records,
            r.full,
            r.least,
            r.incremental,
            under_limits(r.kind, r.full),
            under_limits(r.kind, r.incremental)
        );
    }
    // A million records at the page cap, under the same limits.
    println!();
    println!("| PSA | least requests for 1,000,000 records | under the real limits |");
    println!("|---|---|---|");
    for (kind, cap) in [
        (PsaKind::ConnectwiseManage, 1000),
        (PsaKind::Autotask, 500),
        (PsaKind::Halopsa, 100),
    ] {
        let least = pages(1_000_000, cap);
        println!(
            "| {} | {least} | {} |",
            kind.label(),
            under_limits(kind, least)
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let size = match std::env::var("STEWARD_BENCH_SYNC_SIZE").as_deref() {
        Ok("s") => Size::S,
        Ok("m") => Size::M,
        _ => Size::L,
    };
    let d = Dataset::generate(size, 1);
    println!("| database | PSA | size | records served | first full sync | floor records | floor | sync speed (% of floor) | counts |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    let pg = std::env::var("STEWARD_BENCH_POSTGRES_URL").ok();
    let mut requests = Vec::new();
    for kind in PsaKind::ALL {
        let sqlite = |name: &str| {
            let url = format!(
                "sqlite://{}",
                dir.path()
                    .join(format!("{}-{name}.db", kind.as_str()))
                    .display()
            );
            async move { Db::connect(&url).await }
        };
        requests.push(
            bench(
                "SQLite",
                kind,
                sqlite("sync").await?,
                sqlite("floor").await?,
                &d,
            )
            .await?,
        );
        if let Some(base) = &pg {
            bench(
                "PostgreSQL",
                kind,
                common::fresh_postgres(base).await?,
                common::fresh_postgres(base).await?,
                &d,
            )
            .await?;
        }
    }
    if pg.is_none() {
        println!("(PostgreSQL skipped: set STEWARD_BENCH_POSTGRES_URL, as `make bench` does)");
    }
    print_requests(&requests);
    Ok(())
}
