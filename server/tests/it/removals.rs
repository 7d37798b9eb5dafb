//! Queued removals on SQLite and PostgreSQL: the impact preview, the frozen target list, chunks
//! that archive and delete together, items that changed in between are skipped, a worker that
//! dies is taken over and the result is exact, and Cancel.

use crate::common;

use app::model::{ItemKind, JobId};
use common::fixture::{inject_failure, remove_failure, setup, Ctx};
use server::db::Db;
use server::on_db;
use server::repo::{ArchiveCursor, JobState, Queued};
use std::time::Duration;

const ORPHAN_ORGS: &str =
    "SELECT id FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned' ORDER BY id";
const EVERYTHING: &str = "SELECT (SELECT COUNT(*) FROM organizations WHERE account_id = $1) + (SELECT COUNT(*) FROM configurations WHERE account_id = $1)
    + (SELECT COUNT(*) FROM contacts WHERE account_id = $1) + (SELECT COUNT(*) FROM locations WHERE account_id = $1)
    + (SELECT COUNT(*) FROM passwords WHERE account_id = $1) + (SELECT COUNT(*) FROM documents WHERE account_id = $1)";

/// How many records deleting these organizations removes: them and everything inside them.
async fn with_children(ctx: &Ctx, orgs: &[i64]) -> i64 {
    let list = orgs
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut n = orgs.len() as i64;
    for t in [
        "configurations",
        "contacts",
        "locations",
        "passwords",
        "documents",
    ] {
        n += ctx
            .count(&format!(
                "SELECT COUNT(*) FROM {t} WHERE account_id = $1 AND organization_id IN ({list})"
            ))
            .await;
    }
    n
}

/// Queues the removal of the kind's orphans, confirming `count` of them; the job's id.
async fn queued(ctx: &Ctx, kind: ItemKind, count: usize) -> JobId {
    match ctx
        .repo
        .queue_removal(&ctx.admin, &ctx.args(kind), count as i64)
        .await
        .unwrap()
    {
        Queued::Job(job) => job,
        other => panic!("not queued: {other:?}"),
    }
}

async fn a_removal_deletes_exactly_its_frozen_orphans_with_their_children_and_archives_them(
    db: Db,
) {
    let ctx = setup(db).await;
    let orphans = ctx.ids(ORPHAN_ORGS).await;
    let impact = ctx
        .repo
        .removal_impact(&ctx.admin, &ctx.args(ItemKind::Organization))
        .await
        .unwrap();
    assert_eq!(impact.items, orphans.len() as i64);
    let removed = with_children(&ctx, &orphans).await;
    assert_eq!(
        impact.items + impact.children.iter().map(|(_, n)| n).sum::<i64>(),
        removed
    );
    assert!(impact
        .children
        .iter()
        .any(|(k, n)| k == "passwords" && *n > 0));

    let args = ctx.args(ItemKind::Organization);
    assert_eq!(
        ctx.repo
            .queue_removal(&ctx.admin, &args, impact.items + 1)
            .await
            .unwrap(),
        Queued::CountChanged(impact.items)
    );
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(&ctx.admin, &args, impact.items)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    assert_eq!(
        ctx.repo
            .queue_removal(&ctx.admin, &args, impact.items)
            .await
            .unwrap(),
        Queued::AlreadyQueued
    );

    // An organization re-synced after the list was frozen must not be deleted.
    let resynced = orphans[0];
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE organizations SET sync_state = 'enabled', orphan_reason = NULL WHERE id = $1"
    )
    .bind(resynced)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let kept = with_children(&ctx, &orphans[..1]).await;
    let before = ctx.count(EVERYTHING).await;

    let worker = ctx.worker();
    assert_eq!(
        worker.run_one().await.unwrap(),
        Some((job, JobState::Succeeded))
    );
    assert_eq!(worker.run_one().await.unwrap(), None);
    assert_eq!(
        ctx.count(EVERYTHING).await,
        before - (removed - kept),
        "exactly the frozen orphans and their children"
    );
    assert_eq!(ctx.ids(ORPHAN_ORGS).await, Vec::<i64>::new());
    assert_eq!(
        ctx.count(&format!(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id = {resynced}"
        ))
        .await,
        1
    );
    assert_eq!(
        ctx.repo.removal_outcomes(job).await.unwrap(),
        (impact.items - 1, 1)
    );
    let archive = ctx
        .repo
        .deletion_archive(ctx.admin.account_id, job)
        .await
        .unwrap();
    assert_eq!(
        archive.len() as i64,
        removed - kept,
        "everything removed is archived"
    );
    let org: serde_json::Value = serde_json::from_str(
        &archive
            .iter()
            .find(|(k, _, _)| k == "organization")
            .unwrap()
            .2,
    )
    .unwrap();
    assert!(org["name"].is_string() && org["sync_state"] == "orphaned");
    assert!(archive
        .iter()
        .any(|(k, _, p)| k == "password" && p.contains("secret_ciphertext_hex")));
    // Read three records a page, the archive is the same: every record once, the organizations
    // before anything that was inside them; another account reads nothing of it.
    let mut paged = Vec::new();
    let mut at = ArchiveCursor::default();
    loop {
        let (page, next) = ctx
            .repo
            .deletion_archive_page(ctx.admin.account_id, job, at, 3)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 3);
        paged.extend(page);
        at = next;
    }
    assert_eq!(paged, archive);
    let organizations = paged
        .iter()
        .take_while(|(k, _, _)| k == "organization")
        .count();
    assert_eq!(organizations as i64, impact.items - 1);
    let mut listed: Vec<(String, i64)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT item_kind, item_id FROM deletion_archive WHERE job_id = $1"
    )
    .bind(job.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    listed.sort();
    let mut read: Vec<(String, i64)> = paged.iter().map(|(k, id, _)| (k.clone(), *id)).collect();
    read.sort();
    read.dedup();
    assert_eq!(read, listed);
    let other = app::model::AccountId(ctx.admin.account_id.0 + 1);
    assert_eq!(
        ctx.repo
            .deletion_archive_page(other, job, ArchiveCursor::default(), 100)
            .await
            .unwrap()
            .0,
        Vec::new()
    );
    let j = ctx
        .repo
        .job(ctx.admin.account_id, job)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (j.progress_done, j.progress_total),
        (impact.items, impact.items)
    );
    let log = ctx
        .repo
        .activity_log(ctx.admin.account_id, None, None, 5)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|a| a.3 == "removal.finished" && a.5 == "succeeded"),
        "{log:?}"
    );
}
on_both!(a_removal_deletes_exactly_its_frozen_orphans_with_their_children_and_archives_them);

/// Only a removal's chunk archives what it deletes: once it has committed, a configuration
/// deleted on any connection the pool can hold (one of them ran the chunks) leaves no copy. On
/// PostgreSQL the archive is written by the tables' delete triggers while the chunk's
/// transaction names its job; the name must not outlive that transaction.
async fn only_a_removal_archives_what_it_deletes(db: Db) {
    let ctx = setup(db).await;
    let orphans = ctx.ids(ORPHAN_ORGS).await;
    let job = queued(&ctx, ItemKind::Organization, orphans.len()).await;
    assert_eq!(
        ctx.worker().run_one().await.unwrap(),
        Some((job, JobState::Succeeded))
    );
    const ARCHIVED: &str = "SELECT COUNT(*) FROM deletion_archive WHERE account_id = $1";
    let archived = ctx.count(ARCHIVED).await;
    assert!(archived > orphans.len() as i64, "children archived too");
    let left = ctx
        .ids("SELECT id FROM configurations WHERE account_id = $1 ORDER BY id")
        .await;
    let before = ctx.count(EVERYTHING).await;
    let deleted = on_db!(&ctx.repo.db, |pool| async {
        // As many connections as the pool may open, at once: the chunks' is among them.
        let mut conns = Vec::new();
        for _ in 0..pool.options().get_max_connections() {
            conns.push(pool.acquire().await?);
        }
        assert!(
            left.len() >= conns.len(),
            "a configuration for every connection"
        );
        for (id, conn) in left.iter().zip(conns.iter_mut()) {
            sqlx::query("DELETE FROM configurations WHERE id = $1")
                .bind(id)
                .execute(&mut **conn)
                .await?;
        }
        Ok::<i64, sqlx::Error>(conns.len() as i64)
    }
    .await)
    .unwrap();
    assert_eq!(ctx.count(EVERYTHING).await, before - deleted, "deleted");
    assert_eq!(ctx.count(ARCHIVED).await, archived, "and not archived");
}
on_both!(only_a_removal_archives_what_it_deletes);

async fn a_dead_worker_is_taken_over_and_the_result_is_exact(db: Db) {
    let ctx = setup(db).await;
    let orphans = ctx
        .ids("SELECT id FROM configurations WHERE account_id = $1 AND sync_state = 'orphaned'")
        .await;
    let before = ctx.count(EVERYTHING).await;
    let job = queued(&ctx, ItemKind::Configuration, orphans.len()).await;
    // Worker A claims and does two chunks, then dies (it never beats again).
    let claimed = ctx
        .repo
        .claim_job("worker-a", chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    for _ in 0..2 {
        ctx.repo
            .removal_chunk(
                ctx.admin.account_id,
                job,
                "worker-a",
                &ctx.args(ItemKind::Configuration),
                7,
            )
            .await
            .unwrap();
    }
    assert_eq!(claimed.id, job);
    assert_eq!(ctx.count(EVERYTHING).await, before - 14, "two whole chunks");
    // Worker B takes the stale job over and finishes it from there.
    let mut b = ctx.worker();
    b.stale_after = Duration::ZERO;
    assert_eq!(b.run_one().await.unwrap(), Some((job, JobState::Succeeded)));
    // A wakes up: its claim is gone, it writes nothing.
    let late = ctx
        .repo
        .removal_chunk(
            ctx.admin.account_id,
            job,
            "worker-a",
            &ctx.args(ItemKind::Configuration),
            7,
        )
        .await
        .unwrap();
    assert!(late.lost);
    assert_eq!(ctx.count(EVERYTHING).await, before - orphans.len() as i64);
    assert_eq!(
        ctx.repo
            .deletion_archive(ctx.admin.account_id, job)
            .await
            .unwrap()
            .len(),
        orphans.len()
    );
    assert_eq!(
        ctx.repo
            .job(ctx.admin.account_id, job)
            .await
            .unwrap()
            .unwrap()
            .attempt,
        2
    );
}
on_both!(a_dead_worker_is_taken_over_and_the_result_is_exact);

/// The job's progress and each target's outcome, as a watcher and the worker read them.
async fn progress(ctx: &Ctx, job: JobId) -> (i64, i64, i64) {
    let j = ctx
        .repo
        .job(ctx.admin.account_id, job)
        .await
        .unwrap()
        .unwrap();
    let reached = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM removal_targets WHERE job_id = {job} AND outcome IS NOT NULL AND $1 > 0"
        ))
        .await;
    (j.progress_done, reached, j.progress_total)
}

async fn a_chunk_committed_ahead_of_one_that_died_is_neither_redone_nor_skipped(db: Db) {
    let ctx = setup(db).await;
    let orphans = ctx
        .ids("SELECT id FROM configurations WHERE account_id = $1 AND sync_state = 'orphaned'")
        .await;
    assert!(orphans.len() > 14, "three chunks of 7 at least");
    let before = ctx.count(EVERYTHING).await;
    let job = queued(&ctx, ItemKind::Configuration, orphans.len()).await;
    ctx.repo
        .claim_job("worker-a", chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    // Worker A ran two chunks at once; the second (targets 8 to 14) committed, the first
    // (1 to 7) died with its worker.
    let second = ctx
        .repo
        .removal_chunk_after(
            ctx.admin.account_id,
            job,
            "worker-a",
            &ctx.args(ItemKind::Configuration),
            7,
            7,
        )
        .await
        .unwrap();
    assert_eq!((second.deleted, second.skipped, second.lost), (7, 0, false));
    assert_eq!(progress(&ctx, job).await, (7, 7, orphans.len() as i64));
    assert_eq!(ctx.repo.removal_frontier(job).await.unwrap(), Some(0));
    let mut b = ctx.worker();
    b.stale_after = Duration::ZERO;
    assert_eq!(b.run_one().await.unwrap(), Some((job, JobState::Succeeded)));
    assert_eq!(ctx.count(EVERYTHING).await, before - orphans.len() as i64);
    let total = orphans.len() as i64;
    assert_eq!(progress(&ctx, job).await, (total, total, total));
    assert_eq!(
        ctx.repo.removal_outcomes(job).await.unwrap(),
        (total, 0),
        "every target deleted once, none skipped"
    );
    assert_eq!(
        ctx.repo
            .deletion_archive(ctx.admin.account_id, job)
            .await
            .unwrap()
            .len(),
        orphans.len(),
        "archived once each"
    );
    assert_eq!(ctx.repo.removal_frontier(job).await.unwrap(), None);
}
on_both!(a_chunk_committed_ahead_of_one_that_died_is_neither_redone_nor_skipped);

async fn two_chunks_racing_over_the_same_targets_delete_and_count_them_once(db: Db) {
    let ctx = setup(db).await;
    let orphans = ctx.ids(ORPHAN_ORGS).await;
    let removed = with_children(&ctx, &orphans[..orphans.len().min(5)]).await;
    let before = ctx.count(EVERYTHING).await;
    let job = queued(&ctx, ItemKind::Organization, orphans.len()).await;
    ctx.repo
        .claim_job("w", chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    // A worker taken over at the wrong moment and its successor: the same five targets at once.
    let args = ctx.args(ItemKind::Organization);
    let run = || {
        ctx.repo
            .removal_chunk_after(ctx.admin.account_id, job, "w", &args, 0, 5)
    };
    let (a, b) = tokio::join!(run(), run());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.deleted + b.deleted, 5, "{a:?} {b:?}");
    assert_eq!(a.skipped + b.skipped, 0, "{a:?} {b:?}");
    assert_eq!(ctx.count(EVERYTHING).await, before - removed);
    assert_eq!(progress(&ctx, job).await.0, 5, "counted once");
    assert_eq!(ctx.repo.removal_outcomes(job).await.unwrap(), (5, 0));
    let archived = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM deletion_archive WHERE account_id = $1 AND job_id = {job}"
        ))
        .await;
    assert_eq!(archived, removed, "archived once");
}
on_both!(two_chunks_racing_over_the_same_targets_delete_and_count_them_once);

async fn cancel_stops_a_removal_after_its_current_chunk(db: Db) {
    let ctx = setup(db).await;
    let orphans = ctx
        .ids("SELECT id FROM contacts WHERE account_id = $1 AND sync_state = 'orphaned'")
        .await;
    let args = ctx.args(ItemKind::Contact);
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(&ctx.admin, &args, orphans.len() as i64)
        .await
        .unwrap()
    else {
        panic!()
    };
    ctx.repo
        .claim_job("w", chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .removal_chunk(ctx.admin.account_id, job, "w", &args, 7)
        .await
        .unwrap();
    assert!(ctx
        .repo
        .cancel_job(ctx.admin.account_id, job)
        .await
        .unwrap());
    // The worker that holds it notices at its next step.
    let mut w = ctx.worker();
    w.id = "w".into();
    w.stale_after = Duration::ZERO;
    assert_eq!(w.run_one().await.unwrap(), Some((job, JobState::Cancelled)));
    let left = ctx
        .ids("SELECT id FROM contacts WHERE account_id = $1 AND sync_state = 'orphaned'")
        .await;
    assert_eq!(
        left.len(),
        orphans.len() - 7,
        "what was deleted stays deleted; the rest stays"
    );
    assert_eq!(
        ctx.repo
            .deletion_archive(ctx.admin.account_id, job)
            .await
            .unwrap()
            .len(),
        7
    );
    // A new removal of the row may be queued again.
    assert!(matches!(
        ctx.repo
            .queue_removal(&ctx.admin, &args, left.len() as i64)
            .await
            .unwrap(),
        Queued::Job(_)
    ));
}
on_both!(cancel_stops_a_removal_after_its_current_chunk);

/// `steward worker` alone (no web server) picks up a queued removal and finishes it, with its
/// activity log entry naming who queued it.
async fn a_lone_worker_process_runs_a_queued_removal(url: String) {
    let ctx = setup(Db::connect(&url).await.unwrap()).await;
    let orphans = ctx.ids(ORPHAN_ORGS).await;
    let everything = ctx.count(EVERYTHING).await;
    let gone = with_children(&ctx, &orphans).await;
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(
            &ctx.admin,
            &ctx.args(ItemKind::Organization),
            orphans.len() as i64,
        )
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["worker", "--database-url", &url, "--removal-chunk", "4"])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("steward worker starts");
    let started = std::time::Instant::now();
    let state = loop {
        let j = ctx
            .repo
            .job(ctx.admin.account_id, job)
            .await
            .unwrap()
            .unwrap();
        if !matches!(j.state, JobState::Queued | JobState::Running)
            || started.elapsed() > Duration::from_secs(120)
        {
            break j.state;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(state, JobState::Succeeded);
    assert!(ctx.ids(ORPHAN_ORGS).await.is_empty());
    assert_eq!(ctx.count(EVERYTHING).await, everything - gone);
    let log = ctx
        .repo
        .activity_log(ctx.admin.account_id, None, None, 5)
        .await
        .unwrap();
    let entry = log
        .iter()
        .find(|a| a.3 == "removal.finished")
        .expect("an activity entry");
    assert_eq!(
        (entry.2.as_str(), entry.4.as_str(), entry.5.as_str()),
        ("a@example.com", "orphaned organizations", "succeeded")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_worker_process_runs_a_queued_removal_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    a_lone_worker_process_runs_a_queued_removal(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lone_worker_process_runs_a_queued_removal_on_postgres() {
    a_lone_worker_process_runs_a_queued_removal(common::fresh_postgres_url().await).await;
}

/// The impact preview and the archive follow `ORGANIZATION_CHILDREN`: it must hold every table
/// that cascades from organizations (besides the user access grants, which are not records),
/// and none of those may have cascading children of its own.
async fn every_record_kind_inside_an_organization_is_counted_and_archived(db: Db) {
    db.migrate().await.unwrap();
    // (table, referenced table, cascades) for every foreign key.
    let keys: Vec<(String, String, bool)> = match &db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, f.\"table\", f.on_delete = 'CASCADE' FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT conrelid::regclass::text, confrelid::regclass::text, confdeltype = 'c' FROM pg_constraint WHERE contype = 'f'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let cascading_from = |parent: &str| {
        let mut t: Vec<String> = keys
            .iter()
            .filter(|(_, p, cascade)| p == parent && *cascade)
            .map(|(t, _, _)| t.clone())
            .collect();
        t.sort();
        t
    };
    let mut expected: Vec<String> = server::repo::ORGANIZATION_CHILDREN
        .iter()
        .map(|(t, _)| t.to_string())
        .chain(["user_organization_access".to_string()])
        .collect();
    expected.sort();
    assert_eq!(cascading_from("organizations"), expected);
    for (child, _) in server::repo::ORGANIZATION_CHILDREN {
        assert_eq!(cascading_from(child), Vec::<String>::new(), "{child}");
    }
}
on_both!(every_record_kind_inside_an_organization_is_counted_and_archived);

/// Deleting an organization (a removal, Delete, a cascade) makes the database find every row
/// that refers to it, once per organization deleted: each such foreign key needs an index led
/// by its column, or every organization deleted reads that whole table (the disconnected
/// items' did, about 2 ms per organization at XL, a third of an XL removal).
async fn every_reference_to_an_organization_is_found_through_an_index(db: Db) {
    db.migrate().await.unwrap();
    let unindexed: Vec<(String, String)> = match &db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND f.\"table\" = 'organizations' AND NOT EXISTS (
                SELECT 1 FROM pragma_index_list(m.name) il, pragma_index_info(il.name) ii
                WHERE ii.seqno = 0 AND ii.name = f.\"from\")",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT c.conrelid::regclass::text, a.attname::text FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             WHERE c.contype = 'f' AND c.confrelid = 'organizations'::regclass AND NOT EXISTS (
                SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    assert_eq!(unindexed, Vec::<(String, String)>::new());
}
on_both!(every_reference_to_an_organization_is_found_through_an_index);

/// The Organizations list's search grammar, and Select All > Delete of what it matches: exactly
/// the matching organizations go, each re-checked against the search when its chunk runs.
async fn a_list_search_selects_and_deletes_exactly_what_it_matches(db: Db) {
    use app::model::ItemSearch;
    let ctx = setup(db).await;
    let search = |s: &str| ItemSearch::parse(s).unwrap();
    let total = |s: &'static str| {
        let ctx = &ctx;
        async move {
            ctx.repo
                .items(&ctx.admin, ItemKind::Organization, &search(s), 1, false)
                .await
                .unwrap()
                .total
        }
    };
    let orphans = ctx.ids(ORPHAN_ORGS).await;
    assert_eq!(total("sync status: orphaned").await, orphans.len() as i64);
    assert_eq!(
        total("sync status: stand-alone").await,
        ctx.count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND integration_id IS NULL"
        )
        .await
    );
    let customers = ctx
        .count(
            "SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
             WHERE o.account_id = $1 AND v.name = 'Customer' AND o.sync_state = 'orphaned'",
        )
        .await;
    assert_eq!(
        total("SYNC STATUS: Orphaned type: customer").await,
        customers
    );
    assert_eq!(total("type: nothing-like-this").await, 0);

    // Select All > Delete of "sync status: orphaned type: Customer".
    let args = server::repo::RemovalArgs {
        integration: app::model::IntegrationId(0),
        kind: ItemKind::Organization,
        row: None,
        search: Some(search("sync status: orphaned type: Customer")),
        include_syncing: false,
        reason: None,
        ids: None,
    };
    let impact = ctx.repo.removal_impact(&ctx.admin, &args).await.unwrap();
    assert_eq!(impact.items, customers);
    assert_eq!(
        impact.what,
        "organizations matching “sync status: orphaned type: Customer”"
    );
    let everything = ctx.count(EVERYTHING).await;
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(&ctx.admin, &args, customers)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    // A chunk whose delete fails changes nothing (no archive either) and is retried.
    inject_failure(&ctx.repo.db, "DELETE", "organizations").await;
    assert_eq!(
        ctx.worker().run_one().await.unwrap(),
        Some((job, JobState::Queued))
    );
    assert_eq!(ctx.count(EVERYTHING).await, everything);
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM deletion_archive WHERE account_id = $1")
            .await,
        0
    );
    remove_failure(&ctx.repo.db, "organizations").await;
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE jobs SET run_at = $1 WHERE id = $2"
    )
    .bind(chrono::Utc::now())
    .bind(job.0)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        ctx.worker().run_one().await.unwrap(),
        Some((job, JobState::Succeeded))
    );
    assert_eq!(total("sync status: orphaned type: Customer").await, 0);
    assert_eq!(
        total("sync status: orphaned").await,
        orphans.len() as i64 - customers,
        "the other orphans stay"
    );
    assert!(ctx.count(EVERYTHING).await < everything);
}
on_both!(a_list_search_selects_and_deletes_exactly_what_it_matches);

async fn the_preview_counts_every_organization_that_had_data_and_lists_the_first_by_name(db: Db) {
    let ctx = setup(db).await;
    let had_data_now =
        "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'
             AND had_data_before_first_sync = TRUE";
    // Fewer than the preview lists: all of them, and the count says so.
    let few = ctx
        .repo
        .removal_impact(&ctx.admin, &ctx.args(ItemKind::Organization))
        .await
        .unwrap();
    assert!((few.had_data.len() as i64) < app::model::HAD_DATA_LISTED);
    assert_eq!(few.had_data_count, few.had_data.len() as i64);
    assert_eq!(few.had_data_count, ctx.count(had_data_now).await);
    // More orphaned organizations that had data before the first sync than the preview lists.
    let extra = app::model::HAD_DATA_LISTED + 37;
    let now = chrono::Utc::now();
    for i in 0..extra {
        on_db!(&ctx.repo.db, |pool| sqlx::query(
            "INSERT INTO organizations (account_id, name, integration_id, psa_id, sync_state, orphan_reason,
                had_data_before_first_sync, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'orphaned', 'deleted_in_psa', TRUE, $5, $5)")
            .bind(ctx.admin.account_id.0).bind(format!("Kept Before Sync {i:04}")).bind(ctx.integration.0)
            .bind(9_000_000 + i).bind(now).execute(pool).await.map(|_| ()))
        .unwrap();
    }
    let had_data = ctx.count(had_data_now).await;
    assert!(had_data >= extra);
    let impact = ctx
        .repo
        .removal_impact(&ctx.admin, &ctx.args(ItemKind::Organization))
        .await
        .unwrap();
    assert_eq!(impact.had_data_count, had_data);
    assert_eq!(impact.had_data.len() as i64, app::model::HAD_DATA_LISTED);
    let names: Vec<&String> = impact.had_data.iter().map(|(n, _)| n).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    // Every one of them is among what the removal deletes.
    assert_eq!(impact.items, ctx.ids(ORPHAN_ORGS).await.len() as i64);
}
on_both!(the_preview_counts_every_organization_that_had_data_and_lists_the_first_by_name);
