//! A real crash: `steward serve` runs a removal of every orphaned organization of the L dataset
//! as a child process, is killed with SIGKILL at random moments mid-job, and started again; the
//! job must finish and the database must hold exactly what it should: every frozen organization
//! gone with all its children and archived once, nothing else touched.

use crate::common;

use common::{scalar, ORGANIZATION_TABLES};

use app::model::{CurrentUser, ItemKind, JobId, Role};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::on_db;
use server::repo::{NewIntegration, NewUser, Queued, RemovalArgs, Repo};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn serve(dir: &std::path::Path, url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-demo-data",
            "--no-scheduler",
        ])
        .arg("--data-dir")
        .arg(dir)
        .args(["--database-url", url])
        .env("STEWARD_JOB_STALE_SECONDS", "1")
        .env("STEWARD_REMOVAL_CHUNK", "40")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("steward starts")
}

/// Polls the job until `done` reaches `at` (or it ends), for at most `limit`.
async fn wait_for_progress(db: &Db, job: JobId, at: i64, limit: Duration) -> (i64, String) {
    let start = Instant::now();
    loop {
        let (done, state): (i64, String) = on_db!(db, |pool| sqlx::query_as(
            "SELECT progress_done, state FROM jobs WHERE id = $1"
        )
        .bind(job.0)
        .fetch_one(pool)
        .await)
        .unwrap();
        if done >= at || state == "succeeded" || start.elapsed() > limit {
            return (done, state);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_killed_mid_way_finishes_exactly_after_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Crash MSP").await.unwrap();
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap();
    loader::load(
        &repo.db,
        account,
        integration,
        &Dataset::generate(Size::L, 1),
    )
    .await
    .unwrap();
    let user_id = repo
        .create_user(NewUser {
            account,
            email: "m@example.com",
            name: "M",
            password_hash: "x",
            role: Role::Manager,
            restricted: false,
        })
        .await
        .unwrap();
    let manager = CurrentUser {
        user_id,
        account_id: account,
        account_name: "Crash MSP".into(),
        email: "m@example.com".into(),
        name: "M".into(),
        role: Role::Manager,
        restricted: false,
    };

    // What must be left: everything but the orphaned organizations and what is inside them.
    let targets = "SELECT id FROM organizations WHERE sync_state = 'orphaned'";
    let total = scalar(&db, &format!("SELECT COUNT(*) FROM ({targets}) t")).await;
    let mut removed = total;
    let mut expected_left = Vec::new();
    for t in ORGANIZATION_TABLES {
        let all = scalar(&db, &format!("SELECT COUNT(*) FROM {t}")).await;
        let going = if t == "organizations" {
            total
        } else {
            scalar(
                &db,
                &format!("SELECT COUNT(*) FROM {t} WHERE organization_id IN ({targets})"),
            )
            .await
        };
        if t != "organizations" {
            removed += going;
        }
        expected_left.push((t, all - going));
    }
    assert!(total > 1000, "{total} orphaned organizations");
    let Queued::Job(job) = repo
        .queue_removal(
            &manager,
            &RemovalArgs::orphans(integration, ItemKind::Organization),
            total,
        )
        .await
        .unwrap()
    else {
        panic!("queued")
    };

    // Kill it at three random moments, each further on.
    let mut seen = Vec::new();
    for band in [(0.05, 0.3), (0.35, 0.6), (0.65, 0.9)] {
        let point = band.0 + rand::random::<f64>() * (band.1 - band.0);
        let mut child = serve(dir.path(), &url);
        let (done, state) = wait_for_progress(
            &db,
            job,
            (point * total as f64) as i64,
            Duration::from_secs(120),
        )
        .await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        assert_eq!(state, "running", "killed mid-job, at {done} of {total}");
        seen.push(done);
        // Every committed chunk is whole: its deletes, archive rows and progress together.
        let deleted = scalar(
            &db,
            &format!(
                "SELECT COUNT(*) FROM removal_targets WHERE job_id = {job} AND outcome IS NOT NULL"
            ),
        )
        .await;
        assert_eq!(
            deleted,
            scalar(
                &db,
                &format!("SELECT progress_done FROM jobs WHERE id = {job}")
            )
            .await
        );
    }
    let mut child = serve(dir.path(), &url);
    let (_, state) = wait_for_progress(&db, job, i64::MAX, Duration::from_secs(180)).await;
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert_eq!(state, "succeeded", "killed at {seen:?} of {total}");

    for (t, left) in expected_left {
        assert_eq!(
            scalar(&db, &format!("SELECT COUNT(*) FROM {t}")).await,
            left,
            "{t}"
        );
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM organizations WHERE sync_state = 'orphaned'"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &db,
            &format!("SELECT COUNT(*) FROM deletion_archive WHERE job_id = {job}")
        )
        .await,
        removed,
        "each removed record archived"
    );
    assert_eq!(
        scalar(&db, &format!("SELECT COUNT(*) FROM (SELECT item_kind, item_id FROM deletion_archive WHERE job_id = {job} GROUP BY item_kind, item_id HAVING COUNT(*) > 1) d")).await,
        0,
        "and only once"
    );
    assert!(
        scalar(&db, &format!("SELECT attempt FROM jobs WHERE id = {job}")).await >= 4,
        "taken over after each kill"
    );
}
