//! Several nodes on one PostgreSQL database, as an operator deploys them: two `steward serve`
//! nodes (each with its job worker and sync scheduler) and one `steward worker`, as separate
//! processes. A session opened on one node works on the other; a removal queued on node A is
//! watched live from node B; the process running it is killed with SIGKILL mid-way and another
//! finishes it with exactly the frozen targets removed, each archived once, nothing else
//! touched; two nodes asked to sync the same integration at the same moment start one run; the
//! schedulers of both nodes start a due run once.

use crate::common;

use common::{scalar, ORGANIZATION_TABLES};

use app::model::Role;
use base64::Engine;
use serde_json::{json, Value};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::on_db;
use server::psa::connectwise::client::CwCredentials;
use server::repo::{NewIntegration, NewUser, Repo};
use std::collections::BTreeSet;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EMAIL: &str = "admin@nodes.test";
const PASSWORD: &str = "nodes-password-1";
const KEY: [u8; 32] = [9; 32];

/// What each node is started with: the shared database and key, quick takeover of a dead
/// node's job (2 s), a slow removal (a target a chunk, 60 ms between chunks) that can be killed
/// mid-way, a scheduler that looks every second, and the PSA simulator on this machine allowed.
fn steward(args: &[&str], url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_steward"));
    c.args(args)
        .args(["--database-url", url])
        .env(
            "STEWARD_SECRET_KEY",
            base64::engine::general_purpose::STANDARD.encode(KEY),
        )
        .env("STEWARD_JOB_STALE_SECONDS", "2")
        .env("STEWARD_REMOVAL_CHUNK", "1")
        .env("STEWARD_REMOVAL_PAUSE_MS", "60")
        .env("STEWARD_SCHEDULER_TICK_SECONDS", "1")
        // The demo's PSA simulator is on this machine (the operator's setting the demo needs).
        .env("STEWARD_PSA_ALLOW_LOOPBACK", "true")
        .env("RUST_LOG", "error")
        .stderr(Stdio::null());
    c
}

/// A running process and, for a web node, its base URL.
struct Node {
    name: &'static str,
    child: Child,
    base: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `steward serve` on a free port; returns once it says where it listens.
fn serve(name: &'static str, dir: &std::path::Path, url: &str) -> Node {
    let mut child = steward(&["serve", "--addr", "127.0.0.1:0", "--no-demo-data"], url)
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("steward serve starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("steward serve says where it listens")
            .unwrap();
        if let Some(addr) = line.strip_prefix("Steward is listening on ") {
            break addr.trim().to_string();
        }
    };
    // Whatever it prints later goes nowhere, without ever filling the pipe.
    std::thread::spawn(move || for _ in lines {});
    Node { name, child, base }
}

fn worker(url: &str) -> Node {
    let child = steward(&["worker"], url)
        .stdout(Stdio::null())
        .spawn()
        .expect("steward worker starts");
    Node {
        name: "worker",
        child,
        base: String::new(),
    }
}

async fn ids(db: &Db, sql: &str) -> BTreeSet<i64> {
    on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_all(pool)
        .await)
    .unwrap()
    .into_iter()
    .collect()
}

/// Polls `f` every 20 ms until it holds, for at most `limit`.
async fn until<F, Fut>(what: &str, limit: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !f().await {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads node B's removal stream until it has shown `job` making progress twice.
async fn watch_from(client: &reqwest::Client, base: &str, job: i64) -> Vec<i64> {
    let mut resp = client
        .get(format!("{base}/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut buffer = String::new();
    let mut progress: Vec<i64> = Vec::new();
    let until = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let chunk = tokio::time::timeout_at(until, resp.chunk())
            .await
            .expect("node B streams the removal within a minute")
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if !block.lines().any(|l| l.trim() == "event: removal") {
                continue;
            }
            for data in block.lines().filter_map(|l| l.strip_prefix("data:")) {
                let Ok(v) = serde_json::from_str::<Value>(data.trim()) else {
                    continue;
                };
                if v["id"].as_i64() == Some(job) {
                    let done = v["done"].as_i64().unwrap();
                    if done > 0 && progress.last() != Some(&done) {
                        progress.push(done);
                    }
                }
            }
        }
        if progress.len() >= 2 {
            return progress;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_web_nodes_and_a_worker_share_one_postgres() {
    let url = common::fresh_postgres_url().await;
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Nodes MSP").await.unwrap();
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap();
    loader::load(&db, account, integration, &Dataset::generate(Size::S, 1))
        .await
        .unwrap();
    repo.create_user(NewUser {
        account,
        email: EMAIL,
        name: "Admin",
        password_hash: &server::auth::hash_password(PASSWORD).unwrap(),
        role: Role::Administrator,
        restricted: false,
    })
    .await
    .unwrap();
    // The integration syncs from a simulator of the same dataset; its credentials are sealed
    // with the key every node shares.
    let sim = common::spawn_simulator().await;
    let c = common::sim_credentials();
    let sealed = server::secrets::SecretBox::new(KEY)
        .seal_json(&CwCredentials {
            site_url: sim,
            company_id: c.company_id,
            public_key: c.public_key,
            private_key: c.private_key,
            client_id: c.client_id,
        })
        .unwrap();
    repo.set_integration_credentials(account, integration, &sealed)
        .await
        .unwrap();

    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let a = serve("node A", dir_a.path(), &url);
    let b = serve("node B", dir_b.path(), &url);
    let w = worker(&url);
    let mut nodes = vec![a, b, w];

    // One sign-in, on node A; the session is the database's, so node B knows it too.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let signed_in = client
        .post(format!("{}/api/v1/session", nodes[0].base))
        .json(&json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 200);
    let me = client
        .get(format!("{}/api/v1/integrations", nodes[1].base))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status().as_u16(), 200, "node B knows node A's session");

    // What must be left: everything but the orphaned organizations and what is inside them.
    let targets = ids(
        &db,
        "SELECT id FROM organizations WHERE sync_state = 'orphaned'",
    )
    .await;
    let in_targets = "(SELECT id FROM organizations WHERE sync_state = 'orphaned')";
    let mut expected_left = Vec::new();
    let mut removed = 0;
    for t in ORGANIZATION_TABLES {
        let going = if t == "organizations" {
            format!("id IN {in_targets}")
        } else {
            format!("organization_id IN {in_targets}")
        };
        let left = ids(&db, &format!("SELECT id FROM {t} WHERE NOT ({going})")).await;
        removed += scalar(&db, &format!("SELECT COUNT(*) FROM {t} WHERE {going}")).await;
        expected_left.push((t, left));
    }
    assert!(
        targets.len() >= 10,
        "{} orphaned organizations",
        targets.len()
    );

    // Node A queues the removal of every orphaned organization.
    let queued: Value = client
        .post(format!(
            "{}/api/v1/integrations/{}/removals",
            nodes[0].base, integration.0
        ))
        .json(&json!({ "kind": "organization", "confirm": targets.len().to_string() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job = queued["id"].as_i64().unwrap_or_else(|| panic!("{queued}"));

    // Node B's stream shows it going, live.
    let progress = watch_from(&client, &nodes[1].base, job).await;
    assert!(progress.windows(2).all(|p| p[0] < p[1]), "{progress:?}");

    // Whichever process runs it is killed, mid-way.
    let locked_by: String = on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT locked_by FROM jobs WHERE id = $1"
    )
    .bind(job)
    .fetch_one(pool)
    .await)
    .unwrap();
    let pid: u32 = locked_by.split('-').next().unwrap().parse().unwrap();
    let at = nodes
        .iter()
        .position(|n| n.child.id() == pid)
        .unwrap_or_else(|| panic!("{locked_by} is one of the nodes"));
    let killed = nodes.remove(at);
    let killed_name = killed.name;
    drop(killed); // SIGKILL
    let (done, state): (i64, String) = on_db!(&db, |pool| sqlx::query_as(
        "SELECT progress_done, state FROM jobs WHERE id = $1"
    )
    .bind(job)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(
        state,
        "running",
        "{killed_name} killed mid-way, at {done} of {}",
        targets.len()
    );

    // Another node takes it over and finishes it.
    until("the removal ends", Duration::from_secs(120), || async {
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM jobs WHERE id = {job} AND state <> 'running' AND state <> 'queued'"),
        )
        .await
            == 1
    })
    .await;
    let state: String = on_db!(&db, |pool| sqlx::query_scalar(
        "SELECT state FROM jobs WHERE id = $1"
    )
    .bind(job)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(state, "succeeded", "after {killed_name} was killed");
    for (t, left) in expected_left {
        assert_eq!(
            ids(&db, &format!("SELECT id FROM {t}")).await,
            left,
            "{t}: exactly the frozen targets and what was inside them are gone"
        );
    }
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM deletion_archive WHERE job_id = {job}")
        )
        .await,
        removed,
        "each removed record archived once"
    );

    // Two web nodes again (one may have been the one killed).
    let dir_c = tempfile::tempdir().unwrap();
    if !killed_name.starts_with("node") {
        assert_eq!(nodes.len(), 2);
    } else {
        nodes.insert(0, serve("node C", dir_c.path(), &url));
    }
    let webs: Vec<String> = nodes
        .iter()
        .filter(|n| !n.base.is_empty())
        .map(|n| n.base.clone())
        .collect();
    assert_eq!(webs.len(), 2);

    // Two nodes asked to sync at the same moment: one run.
    let runs_before = scalar(&db, "SELECT COUNT(*) FROM sync_runs").await;
    let ask = |base: &str| {
        client
            .post(format!("{base}/api/v1/integrations/{}/sync", integration.0))
            .send()
    };
    let (one, two) = tokio::join!(ask(&webs[0]), ask(&webs[1]));
    let one: Value = one.unwrap().json().await.unwrap();
    let two: Value = two.unwrap().json().await.unwrap();
    assert_eq!(one["run_id"], two["run_id"], "{one} {two}");
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM sync_runs").await,
        runs_before + 1,
        "one run started"
    );
    until("the sync ends", Duration::from_secs(60), || async {
        scalar(
            &db,
            "SELECT COUNT(*) FROM sync_runs WHERE outcome = 'running'",
        )
        .await
            == 0
    })
    .await;

    // A due run: both nodes' schedulers look every second; one run starts.
    on_db!(&db, |pool| sqlx::query(
        "UPDATE sync_runs SET started_at = started_at - INTERVAL '2 days', heartbeat_at = heartbeat_at - INTERVAL '2 days'")
        .execute(pool).await.map(|_| ()))
    .unwrap();
    until(
        "a scheduled run starts and ends",
        Duration::from_secs(60),
        || async {
            scalar(
                &db,
                "SELECT COUNT(*) FROM sync_runs WHERE trigger_source = 'schedule' AND outcome <> 'running'",
            )
            .await
                >= 1
        },
    )
    .await;
    // Both schedulers look at least three more times; none starts the run again.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(3) {
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM sync_runs WHERE trigger_source = 'schedule'"
            )
            .await,
            1,
            "each due run starts once"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
