//! The job queue on SQLite and PostgreSQL: unique keys, claims, heartbeats, takeover of a job
//! whose worker stopped, retries with backoff, cancel, and two nodes claiming at once.

use app::model::{AccountId, JobId};
use chrono::{Duration, Utc};
use server::db::Db;
use server::repo::{JobState, NewJob, Repo};
use std::collections::HashSet;

macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (db, dir) = crate::common::fresh_sqlite().await;
                let url = format!("sqlite://{}", dir.path().join("steward.db").display());
                let second = server::db::Db::connect(&url).await.unwrap();
                super::$name(db, second).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let url = crate::common::fresh_postgres_url().await;
                let db = server::db::Db::connect(&url).await.unwrap();
                let second = server::db::Db::connect(&url).await.unwrap();
                super::$name(db, second).await
            }
        }
    };
}

async fn setup(db: Db) -> (Repo, AccountId) {
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let account = repo.create_account("Alpha IT").await.unwrap();
    (repo, account)
}

fn job<'a>(account: AccountId, key: Option<&'a str>) -> NewJob<'a> {
    NewJob {
        account,
        kind: "removal",
        args: "{}",
        unique_key: key,
        total: 10,
        created_by: None,
    }
}

fn long_ago() -> chrono::DateTime<Utc> {
    Utc::now() - Duration::hours(1)
}

async fn claims_heartbeats_and_unique_keys(db: Db, _second: Db) {
    let (repo, account) = setup(db).await;
    let id = repo
        .enqueue_job(job(account, Some("row-1")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        repo.enqueue_job(job(account, Some("row-1"))).await.unwrap(),
        None,
        "one job per key"
    );
    let claimed = repo.claim_job("w1", long_ago()).await.unwrap().unwrap();
    assert_eq!(
        (claimed.id, claimed.state, claimed.attempt),
        (id, JobState::Running, 1)
    );
    assert_eq!(
        repo.claim_job("w2", long_ago()).await.unwrap(),
        None,
        "a claimed job is not claimed twice"
    );
    assert!(repo.job_heartbeat(id, "w1", 4).await.unwrap());
    assert!(
        !repo.job_heartbeat(id, "w2", 4).await.unwrap(),
        "only the claimant beats"
    );
    assert_eq!(
        repo.job(account, id).await.unwrap().unwrap().progress_done,
        4
    );
    assert!(repo
        .finish_job(id, "w1", JobState::Succeeded, None)
        .await
        .unwrap());
    assert_eq!(
        repo.job(account, id).await.unwrap().unwrap().state,
        JobState::Succeeded
    );
    assert!(
        repo.enqueue_job(job(account, Some("row-1")))
            .await
            .unwrap()
            .is_some(),
        "an ended job frees its key"
    );
}
on_both!(claims_heartbeats_and_unique_keys);

async fn a_stalled_job_is_taken_over_and_the_old_worker_stops(db: Db, _second: Db) {
    let (repo, account) = setup(db).await;
    let id = repo.enqueue_job(job(account, None)).await.unwrap().unwrap();
    repo.claim_job("w1", long_ago()).await.unwrap().unwrap();
    assert!(repo.job_heartbeat(id, "w1", 3).await.unwrap());
    // w1 died: its last heartbeat is older than w2's staleness bound.
    let taken = repo
        .claim_job("w2", Utc::now() + Duration::seconds(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (taken.id, taken.attempt, taken.progress_done),
        (id, 2, 3),
        "resumes from its last progress"
    );
    assert!(
        !repo.job_heartbeat(id, "w1", 5).await.unwrap(),
        "the old worker learns it lost the job"
    );
    assert!(!repo
        .finish_job(id, "w1", JobState::Succeeded, None)
        .await
        .unwrap());
    assert!(repo
        .finish_job(id, "w2", JobState::Succeeded, None)
        .await
        .unwrap());
}
on_both!(a_stalled_job_is_taken_over_and_the_old_worker_stops);

async fn retries_back_off_then_fail_for_good(db: Db, _second: Db) {
    let (repo, account) = setup(db).await;
    let id = repo
        .enqueue_job(job(account, Some("k")))
        .await
        .unwrap()
        .unwrap();
    repo.claim_job("w", long_ago()).await.unwrap().unwrap();
    assert_eq!(
        repo.retry_job(id, "w", "database busy", Duration::hours(1))
            .await
            .unwrap(),
        JobState::Queued
    );
    assert_eq!(
        repo.claim_job("w", long_ago()).await.unwrap(),
        None,
        "not before its backoff"
    );
    for attempt in 2..=5 {
        let j = repo.claim_job("w", long_ago()).await.unwrap();
        let j = match j {
            Some(j) => j,
            None => {
                // Make the backed-off job due now.
                server::on_db!(&repo.db, |pool| sqlx::query("UPDATE jobs SET run_at = $1")
                    .bind(long_ago())
                    .execute(pool)
                    .await
                    .map(|_| ()))
                .unwrap();
                repo.claim_job("w", long_ago()).await.unwrap().unwrap()
            }
        };
        assert_eq!(j.attempt, attempt);
        assert_eq!(j.last_error.as_deref(), Some("database busy"));
        let state = repo
            .retry_job(id, "w", "database busy", Duration::zero())
            .await
            .unwrap();
        assert_eq!(
            state,
            if attempt == 5 {
                JobState::Failed
            } else {
                JobState::Queued
            }
        );
    }
    assert_eq!(repo.claim_job("w", long_ago()).await.unwrap(), None);
    assert!(
        repo.enqueue_job(job(account, Some("k")))
            .await
            .unwrap()
            .is_some(),
        "a failed job frees its key"
    );
}
on_both!(retries_back_off_then_fail_for_good);

async fn cancel_ends_a_queued_job_and_asks_a_running_one(db: Db, _second: Db) {
    let (repo, account) = setup(db).await;
    let other = repo.create_account("Bravo IT").await.unwrap();
    let queued = repo.enqueue_job(job(account, None)).await.unwrap().unwrap();
    let running = repo.enqueue_job(job(account, None)).await.unwrap().unwrap();
    assert!(
        !repo.cancel_job(other, queued).await.unwrap(),
        "not another account's"
    );
    // Claim order is by run_at then id: the first claim takes `queued`; cancel it first.
    assert!(repo.cancel_job(account, queued).await.unwrap());
    assert_eq!(
        repo.job(account, queued).await.unwrap().unwrap().state,
        JobState::Cancelled
    );
    let claimed = repo.claim_job("w", long_ago()).await.unwrap().unwrap();
    assert_eq!(claimed.id, running);
    assert!(repo.cancel_job(account, running).await.unwrap());
    let j = repo.job(account, running).await.unwrap().unwrap();
    assert_eq!((j.state, j.cancel_requested), (JobState::Running, true));
    assert!(
        !repo.cancel_job(account, queued).await.unwrap(),
        "already ended"
    );
}
on_both!(cancel_ends_a_queued_job_and_asks_a_running_one);

async fn two_nodes_never_claim_the_same_job(db: Db, second: Db) {
    let (repo, account) = setup(db).await;
    let other = Repo::new(second);
    for _ in 0..40 {
        repo.enqueue_job(job(account, None)).await.unwrap().unwrap();
    }
    let drain = |repo: Repo, worker: &'static str| {
        tokio::spawn(async move {
            let mut ids = Vec::new();
            while let Some(j) = repo.claim_job(worker, long_ago()).await.unwrap() {
                ids.push(j.id);
                repo.finish_job(j.id, worker, JobState::Succeeded, None)
                    .await
                    .unwrap();
            }
            ids
        })
    };
    let (a, b) = (drain(repo.clone(), "node-a"), drain(other, "node-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let all: HashSet<JobId> = a.iter().chain(&b).copied().collect();
    assert_eq!(a.len() + b.len(), 40, "every job claimed exactly once");
    assert_eq!(all.len(), 40);
}
on_both!(two_nodes_never_claim_the_same_job);
