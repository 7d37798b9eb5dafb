//! The live job stream's cost: 200 open streams (`/api/v1/events`, 25 users with 8 tabs each)
//! on the real server (`Application`, its job worker included), first idle and then while a
//! removal of every orphaned organization runs. Prints the server process's CPU time in each
//! phase, the events delivered, and how far behind the first stream the others got each event
//! (p50 / p99 / max), on SQLite and (with STEWARD_BENCH_POSTGRES_URL) PostgreSQL.
//!
//! `cargo bench -p server --bench events` (STEWARD_BENCH_EVENTS_SIZE: s, m or l, default m).

mod common;

use app::model::Role;
use serde_json::json;
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::repo::{NewIntegration, NewUser, Repo};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USERS: usize = 25;
const TABS: usize = 8;
const PASSWORD: &str = "events-bench-password";
/// How long the idle phase lasts.
const IDLE: Duration = Duration::from_secs(10);

/// CPU time this process has used (user + system), from /proc.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are the 14th and 15th fields; after the name, the 12th and 13th.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// When each stream received each event (its kind, id, state and progress).
type Seen = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

/// Reads one stream until it is dropped, noting every event.
async fn read_stream(
    mut resp: reqwest::Response,
    seen: Seen,
    opened: tokio::sync::mpsc::Sender<()>,
) {
    let mut buffer = String::new();
    let mut said_open = false;
    while let Ok(Some(chunk)) = resp.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if !said_open {
                said_open = true;
                let _ = opened.send(()).await;
            }
            let name = block.lines().find_map(|l| l.strip_prefix("event: "));
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            if let (Some(name), Some(data)) = (name, data) {
                let v: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
                let key = format!("{name} {} {} {}", v["id"], v["state"], v["done"]);
                seen.lock()
                    .unwrap()
                    .entry(key)
                    .or_default()
                    .push(Instant::now());
            }
        }
    }
}

/// How far behind the first stream the others got each event: p50, p99, max (ms).
fn spread(seen: &Seen) -> (usize, f64, f64, f64) {
    let seen = seen.lock().unwrap();
    let mut lags: Vec<Duration> = Vec::new();
    let mut delivered = 0;
    for times in seen.values() {
        delivered += times.len();
        let first = *times.iter().min().unwrap();
        lags.extend(times.iter().map(|t| *t - first));
    }
    lags.sort();
    let at = |p: usize| {
        lags.get((lags.len() * p / 100).min(lags.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    (
        delivered,
        at(50),
        at(99),
        lags.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    )
}

async fn bench(label: &str, url: String, size: Size) -> anyhow::Result<()> {
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Events MSP").await?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    loader::load(&db, account, integration, &Dataset::generate(size, 1)).await?;
    let hash = server::auth::hash_password(PASSWORD)?;
    let emails: Vec<String> = (0..USERS).map(|u| format!("tab{u}@steward.test")).collect();
    for email in &emails {
        repo.create_user(NewUser {
            account,
            email,
            name: "Events",
            password_hash: &hash,
            role: Role::Administrator,
            restricted: false,
        })
        .await?;
    }
    db.close().await;

    let served = common::Served::start(url, &emails[0]).await?;
    let base = served.base.clone();

    // Every user signs in once and opens eight tabs.
    let mut clients = Vec::new();
    for email in &emails {
        let client = reqwest::Client::builder().cookie_store(true).build()?;
        let r = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await?;
        anyhow::ensure!(r.status().is_success(), "sign-in: {}", r.status());
        clients.push(client);
    }
    let seen: Seen = Arc::default();
    let (opened_tx, mut opened) = tokio::sync::mpsc::channel(USERS * TABS);
    let mut streams = Vec::new();
    for client in &clients {
        for _ in 0..TABS {
            let resp = client.get(format!("{base}/api/v1/events")).send().await?;
            anyhow::ensure!(resp.status().is_success(), "a stream: {}", resp.status());
            streams.push(tokio::spawn(read_stream(
                resp,
                seen.clone(),
                opened_tx.clone(),
            )));
        }
    }
    for _ in 0..USERS * TABS {
        opened.recv().await;
    }
    let streams_n = streams.len();

    // Idle: nothing runs.
    let (c, t) = (cpu(), Instant::now());
    tokio::time::sleep(IDLE).await;
    let idle_cpu = cpu() - c;
    let (idle_events, ..) = spread(&seen);
    println!(
        "| {label} | {streams_n} | idle {:.0} s | {:.2} s ({:.1} %) | {idle_events} | — |",
        t.elapsed().as_secs_f64(),
        idle_cpu.as_secs_f64(),
        idle_cpu.as_secs_f64() / t.elapsed().as_secs_f64() * 100.0
    );

    // A removal of every orphaned organization, followed by all of them.
    seen.lock().unwrap().clear();
    let admin = &clients[0];
    let impact: serde_json::Value = admin
        .get(format!(
            "{base}/api/v1/integrations/1/removals/impact?kind=organization"
        ))
        .send()
        .await?
        .json()
        .await?;
    let n = impact["items"].as_i64().expect("an impact");
    let (c, t) = (cpu(), Instant::now());
    let queued: serde_json::Value = admin
        .post(format!("{base}/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "organization", "confirm": n.to_string() }))
        .send()
        .await?
        .json()
        .await?;
    let job = queued["id"].as_i64().expect("queued");
    // Until every stream has seen it succeed.
    let ended = format!("removal {job} \"succeeded\"");
    loop {
        let all = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.starts_with(&ended))
            .map(|(_, v)| v.len())
            .max()
            .unwrap_or(0);
        if all >= streams_n {
            break;
        }
        anyhow::ensure!(
            t.elapsed() < Duration::from_secs(600),
            "the removal did not end"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let busy_cpu = cpu() - c;
    let (events, p50, p99, max) = spread(&seen);
    println!(
        "| {label} | {streams_n} | removal of {n} organizations, {:.1} s | {:.2} s | {events} ({} each) | {p50:.0} / {p99:.0} / {max:.0} ms |",
        t.elapsed().as_secs_f64(),
        busy_cpu.as_secs_f64(),
        events / streams_n,
    );
    for s in streams {
        s.abort();
    }
    served.stop().await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let size = match std::env::var("STEWARD_BENCH_EVENTS_SIZE").as_deref() {
        Ok("s") => Size::S,
        Ok("l") => Size::L,
        _ => Size::M,
    };
    println!("| database | streams | phase | server CPU | events delivered | behind the first stream, p50 / p99 / max |");
    println!("|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    bench(
        &format!("SQLite {size:?}"),
        format!("sqlite://{}", dir.path().join("events.db").display()),
        size,
    )
    .await?;
    if let Ok(pg) = std::env::var("STEWARD_BENCH_POSTGRES_URL") {
        bench(
            &format!("PostgreSQL {size:?}"),
            common::fresh_postgres_url(&pg).await?,
            size,
        )
        .await?;
    }
    Ok(())
}
