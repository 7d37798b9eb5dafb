//! Load: many signed-in clients at once on Manage Data, View and the lists, over HTTP against
//! the real server (`Application`, its job worker included), first idle and then while a queued
//! removal of every orphaned organization of the dataset runs. Counts errors and prints the p50
//! and p99 of each read, on SQLite and (with STEWARD_BENCH_POSTGRES_URL) PostgreSQL.
//!
//! `cargo bench -p server --bench load` (STEWARD_BENCH_LOAD_SIZE: s, m, l or xl, default xl;
//! STEWARD_BENCH_LOAD_CLIENTS, default 200).

mod common;

use app::model::Role;
use serde_json::json;
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::repo::{NewIntegration, NewUser, Repo};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EMAIL: &str = "load@steward.test";
const PASSWORD: &str = "load-bench-password";
const READS: [&str; 4] = [
    "Manage Data",
    "View, first page",
    "Configurations page 1",
    "Organizations, sync status: orphaned",
];

/// One read, by number: (its index in READS, the request).
fn read(
    client: &reqwest::Client,
    base: &str,
    n: usize,
    view: &serde_json::Value,
) -> (usize, reqwest::RequestBuilder) {
    let i = n % READS.len();
    let req = match i {
        0 => client
            .post(format!("{base}/api/manage_data"))
            .form(&[("integration", "1")]),
        1 => client.post(format!("{base}/api/preview")).json(view),
        2 => client.post(format!("{base}/api/items")).form(&[
            ("kind", "configuration"),
            ("search", ""),
            ("page", "1"),
            ("show_inactive_orphans", "false"),
        ]),
        _ => client.post(format!("{base}/api/items")).form(&[
            ("kind", "organization"),
            ("search", "sync status: orphaned"),
            ("page", "1"),
            ("show_inactive_orphans", "false"),
        ]),
    };
    (i, req)
}

#[derive(Default)]
struct Tally {
    by_read: [Vec<Duration>; 4],
    errors: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (a, b) in self.by_read.iter_mut().zip(other.by_read) {
            a.extend(b);
        }
        self.errors += other.errors;
    }

    fn print(&self, label: &str, phase: &str, clients: usize, took: Duration) {
        let mut all: Vec<Duration> = self.by_read.iter().flatten().copied().collect();
        all.sort();
        let pct = |v: &[Duration], p: usize| {
            v.get((v.len() * p / 100).min(v.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        let mut reads = Vec::new();
        for (name, v) in READS.iter().zip(&self.by_read) {
            let mut v = v.clone();
            v.sort();
            reads.push(format!("{name} {:.0} / {:.0} ms", pct(&v, 50), pct(&v, 99)));
        }
        println!(
            "| {label} | {clients} | {phase} ({:.1} s) | {} requests, {} errors | {:.0} ms | {:.0} ms | {} |",
            took.as_secs_f64(),
            all.len(),
            self.errors,
            pct(&all, 50),
            pct(&all, 99),
            reads.join("; ")
        );
    }
}

/// Every client reads, one request after another, until `stop` says so or it has made
/// `rounds` requests.
async fn hammer(
    clients: &[reqwest::Client],
    base: &str,
    view: &serde_json::Value,
    stop: Arc<AtomicBool>,
    rounds: usize,
) -> Tally {
    let mut tasks = Vec::new();
    for (c, client) in clients.iter().enumerate() {
        let client = client.clone();
        let base = base.to_string();
        let view = view.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut n = c;
            while !stop.load(Ordering::Relaxed) && n - c < rounds {
                let (i, req) = read(&client, &base, n, &view);
                let t = Instant::now();
                match req.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        tally.by_read[i].push(t.elapsed());
                    }
                    _ => tally.errors += 1,
                }
                n += 1;
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for t in tasks {
        total.merge(t.await.expect("a client task"));
    }
    total
}

async fn bench(label: &str, url: String, size: Size, clients: usize) -> anyhow::Result<()> {
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Load MSP").await?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    loader::load(&db, account, integration, &Dataset::generate(size, 1)).await?;
    repo.create_user(NewUser {
        account,
        email: EMAIL,
        name: "Load",
        password_hash: &server::auth::hash_password(PASSWORD)?,
        role: Role::Administrator,
        restricted: false,
    })
    .await?;
    db.close().await;

    let served = common::Served::start(url, EMAIL).await?;
    let base = served.base.clone();
    let repo = served.repo.clone();

    // Every client signs in with its own session.
    let mut all = Vec::new();
    for _ in 0..clients {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(1)
            .build()?;
        let r = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({ "email": EMAIL, "password": PASSWORD }))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "sign-in: {}", r.status());
        all.push(client);
    }
    // View of the biggest row.
    let md: app::model::ManageData = all[0]
        .get(format!("{base}/api/v1/integrations/1/manage-data"))
        .send()
        .await?
        .json()
        .await?;
    let biggest = md
        .synced_items
        .into_iter()
        .max_by_key(|r| r.counts.total())
        .expect("a row");
    let view = json!({
        "integration": md.integration.id,
        "query": app::model::PreviewQuery {
            reason: None,
            state: None,
            row: app::model::PreviewRow::Value {
                category: biggest.category,
                value: biggest.value_id,
            },
            sort: app::model::PreviewSort::Name,
            descending: false,
            at: app::model::PreviewPageAt::First,
        },
    });
    let probe = all[0]
        .post(format!("{base}/api/preview"))
        .json(&view)
        .send()
        .await?;
    anyhow::ensure!(
        probe.status().is_success(),
        "View answers: {} {}",
        probe.status(),
        probe.text().await?
    );

    // Idle: ten requests a client.
    let t = Instant::now();
    let idle = hammer(&all, &base, &view, Arc::new(AtomicBool::new(false)), 10).await;
    idle.print(label, "idle, 10 requests a client", clients, t.elapsed());

    // During a removal of every orphaned organization.
    let impact: serde_json::Value = all[0]
        .get(format!(
            "{base}/api/v1/integrations/1/removals/impact?kind=organization"
        ))
        .send()
        .await?
        .json()
        .await?;
    let n = impact["items"].as_i64().expect("an impact");
    let queued: serde_json::Value = all[0]
        .post(format!("{base}/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "organization", "confirm": n.to_string() }))
        .send()
        .await?
        .json()
        .await?;
    let job = queued["id"].as_i64().expect("queued");
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        let repo = repo.clone();
        tokio::spawn(async move {
            loop {
                let state: String = server::on_db!(&repo.db, |pool| sqlx::query_scalar(
                    "SELECT state FROM jobs WHERE id = $1"
                )
                .bind(job)
                .fetch_one(pool)
                .await)
                .unwrap_or_default();
                if state != "queued" && state != "running" {
                    stop.store(true, Ordering::Relaxed);
                    return state;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let t = Instant::now();
    let busy = hammer(&all, &base, &view, stop, usize::MAX).await;
    let state = watcher.await?;
    busy.print(
        label,
        &format!("during the removal of {n} organizations ({state})"),
        clients,
        t.elapsed(),
    );
    served.stop().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let size = match std::env::var("STEWARD_BENCH_LOAD_SIZE").as_deref() {
        Ok("s") => Size::S,
        Ok("m") => Size::M,
        Ok("l") => Size::L,
        _ => Size::Xl,
    };
    let clients: usize = std::env::var("STEWARD_BENCH_LOAD_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    println!("| database | clients | phase | requests | p50 | p99 | each read, p50 / p99 |");
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    bench(
        &format!("SQLite {size:?}"),
        format!("sqlite://{}", dir.path().join("load.db").display()),
        size,
        clients,
    )
    .await?;
    if let Ok(pg) = std::env::var("STEWARD_BENCH_POSTGRES_URL") {
        bench(
            &format!("PostgreSQL {size:?}"),
            common::fresh_postgres_url(&pg).await?,
            size,
            clients,
        )
        .await?;
    }
    Ok(())
}
