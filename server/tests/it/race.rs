//! A removal racing a full sync that un-orphans its targets and an edit pencil that moves
//! targets out of the selection, many times with random timing, on SQLite and PostgreSQL.
//! Whatever the interleaving: what was deleted is exactly what the deletion archive holds, and
//! every item deleted still qualified when it went (orphaned, of the searched type), as its
//! archived row shows.

use crate::common;

use app::model::{IntegrationId, ItemKind, ItemSearch, JobId};
use common::fixture::{connect_psa, setup, Ctx};
use rand::Rng;
use server::db::Db;
use server::on_db;
use server::repo::{JobState, Queued, RemovalArgs};
use std::collections::BTreeSet;
use std::time::Duration;

const ROUNDS: usize = 12;
const TARGETS: i64 = 30;

/// A test-only log of every row any statement deletes (cascades included): the oracle the
/// deletion archive is compared with.
async fn log_deletes(db: &Db) {
    let tables = [
        ("organizations", "organization"),
        ("configurations", "configuration"),
        ("contacts", "contact"),
        ("locations", "location"),
        ("passwords", "password"),
        ("documents", "document"),
    ];
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("CREATE TABLE race_deleted (kind TEXT NOT NULL, id INTEGER NOT NULL)")
                .execute(pool)
                .await
                .unwrap();
            for (table, kind) in tables {
                sqlx::query(&format!(
                    "CREATE TRIGGER race_{table} AFTER DELETE ON {table} BEGIN
                     INSERT INTO race_deleted VALUES ('{kind}', OLD.id); END"
                ))
                .execute(pool)
                .await
                .unwrap();
            }
        }
        Db::Postgres(pool) => {
            sqlx::query("CREATE TABLE race_deleted (kind TEXT NOT NULL, id BIGINT NOT NULL)")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(
                "CREATE FUNCTION race_deleted() RETURNS trigger AS $$ BEGIN
                 INSERT INTO race_deleted VALUES (TG_ARGV[0], OLD.id); RETURN OLD; END $$ LANGUAGE plpgsql",
            )
            .execute(pool)
            .await
            .unwrap();
            for (table, kind) in tables {
                sqlx::query(&format!(
                    "CREATE TRIGGER race_{table} AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION race_deleted('{kind}')"
                ))
                .execute(pool)
                .await
                .unwrap();
            }
        }
    }
}

async fn pairs(ctx: &Ctx, sql: &str) -> BTreeSet<(String, i64)> {
    let rows: Vec<(String, i64)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(sql)
        .fetch_all(pool)
        .await)
    .unwrap();
    rows.into_iter().collect()
}

/// Runs the worker until `job` ends, making a retry (after a chunk lost a deadlock or a lock
/// wait) due at once instead of after its backoff.
async fn drain(ctx: &Ctx, job: JobId) -> JobState {
    loop {
        match ctx.worker().run_one().await.unwrap() {
            Some((j, state @ (JobState::Succeeded | JobState::Failed | JobState::Cancelled)))
                if j == job =>
            {
                return state
            }
            Some(_) => {}
            None => {
                on_db!(&ctx.repo.db, |pool| sqlx::query(
                    "UPDATE jobs SET run_at = $1 WHERE id = $2 AND state = 'queued'"
                )
                .bind(chrono::Utc::now())
                .bind(job.0)
                .execute(pool)
                .await
                .map(|_| ()))
                .unwrap();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
}

async fn a_removal_racing_a_sync_and_the_edit_pencil_deletes_only_what_still_qualifies(db: Db) {
    let ctx = setup(db).await;
    let (engine, _url, _sim) = connect_psa(&ctx).await;
    log_deletes(&ctx.repo.db).await;
    let acc = ctx.admin.account_id.0;
    let customer: i64 = ctx
        .count("SELECT id FROM psa_catalog_values WHERE account_id = $1 AND category = 'organization_type' AND name = 'Customer'")
        .await;
    let vendor: i64 = ctx
        .count("SELECT id FROM psa_catalog_values WHERE account_id = $1 AND category = 'organization_type' AND name = 'Vendor'")
        .await;
    let args = RemovalArgs {
        integration: IntegrationId(0),
        kind: ItemKind::Organization,
        row: None,
        search: Some(ItemSearch::parse("sync status: orphaned type: Customer").unwrap()),
        include_syncing: false,
        reason: None,
        ids: None,
    };
    let mut checked = 0usize;
    for round in 0..ROUNDS {
        // Customers the PSA still lists and syncs, orphaned locally (as a full sync that saw
        // Customer unchecked would have left them): the next full sync un-orphans them.
        let targets = ctx
            .ids(&format!(
                "SELECT id FROM organizations WHERE account_id = $1 AND sync_state = 'enabled'
                 AND organization_type_id = {customer} ORDER BY id LIMIT {TARGETS}"
            ))
            .await;
        assert!(!targets.is_empty(), "round {round}: enabled customers left");
        let list = targets
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        on_db!(&ctx.repo.db, |pool| sqlx::query(&format!(
            "UPDATE organizations SET sync_state = 'orphaned', orphan_reason = 'type_not_synced' WHERE id IN ({list})"))
            .execute(pool).await.map(|_| ()))
        .unwrap();
        let n = ctx
            .repo
            .removal_impact(&ctx.admin, &args)
            .await
            .unwrap()
            .items;
        let job = match ctx.repo.queue_removal(&ctx.admin, &args, n).await.unwrap() {
            Queued::Job(job) => job,
            other => panic!("{other:?}"),
        };
        let (sync_delay, pencil_delay) = {
            let mut rng = rand::thread_rng();
            (rng.gen_range(0..40u64), rng.gen_range(0..40u64))
        };
        let removal = drain(&ctx, job);
        let sync = async {
            tokio::time::sleep(Duration::from_millis(sync_delay)).await;
            // A sync may lose a lock wait to the removal: a failed run changes nothing.
            ctx.full_sync(&engine).await
        };
        let pencil = async {
            tokio::time::sleep(Duration::from_millis(pencil_delay)).await;
            for id in targets.iter().rev().step_by(3) {
                // Moved out of the searched type; it may already be gone.
                let _ = ctx
                    .repo
                    .set_item_classification(
                        ctx.admin.account_id,
                        ItemKind::Organization,
                        *id,
                        vendor,
                        ctx.count(&format!("SELECT COALESCE(MAX(organization_status_id), 0) FROM organizations WHERE account_id = $1 AND id = {id}")).await,
                    )
                    .await;
            }
        };
        let (state, _report, ()) = tokio::join!(removal, sync, pencil);
        assert_eq!(state, JobState::Succeeded, "round {round}");

        let deleted = pairs(&ctx, "SELECT kind, id FROM race_deleted").await;
        let archived = pairs(&ctx, "SELECT item_kind, item_id FROM deletion_archive").await;
        assert_eq!(deleted, archived, "round {round}: deleted = archived");
        // Every organization deleted was, in the row the archive kept of it, still orphaned
        // and still a Customer: the archive is written under the same lock as the delete.
        let rows: Vec<(i64, Option<String>, Option<i64>)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
            "SELECT id, sync_state, organization_type_id FROM archived_organizations WHERE account_id = $1")
            .bind(acc).fetch_all(pool).await)
        .unwrap();
        for (id, sync_state, organization_type) in rows {
            assert_eq!(
                sync_state.as_deref(),
                Some("orphaned"),
                "round {round}: organization {id}"
            );
            assert_eq!(
                organization_type,
                Some(customer),
                "round {round}: organization {id}"
            );
            checked += 1;
        }
        // Anything left of the targets that the sync did not un-orphan is tidied for the next
        // round; types back to Customer where the pencil moved them (the PSA's value wins at
        // the next sync anyway).
        on_db!(&ctx.repo.db, |pool| sqlx::query(&format!(
            "UPDATE organizations SET sync_state = 'enabled', orphan_reason = NULL, organization_type_id = {customer}
             WHERE id IN ({list})"))
            .execute(pool).await.map(|_| ()))
        .unwrap();
    }
    // The races did delete something (else this proved nothing).
    assert!(checked > 0, "some removals deleted targets");
}
on_both!(a_removal_racing_a_sync_and_the_edit_pencil_deletes_only_what_still_qualifies);

/// Two dataset loads at once, beside items created one by one (as a sync creates them), into
/// one database: every load and every insert succeeds (each reserves its ids first), and each
/// account holds exactly its own items.
async fn loads_at_once_never_take_each_others_ids(db: Db) {
    use server::dataset::{loader, Dataset, Size};
    use server::repo::{NewIntegration, Repo};
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let mut accounts = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie"] {
        let a = repo.create_account(name).await.unwrap();
        let i = repo
            .create_integration(NewIntegration::connectwise(a))
            .await
            .unwrap();
        accounts.push((a, i));
    }
    let d = Dataset::generate(Size::S, 1);
    let one_by_one = async {
        let (a, _) = accounts[2];
        let org: i64 = on_db!(&repo.db, |pool| sqlx::query_scalar(
            "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, 'Solo', $2, $2) RETURNING id")
            .bind(a.0).bind(chrono::Utc::now()).fetch_one(pool).await)
        .unwrap();
        for n in 0..200 {
            on_db!(&repo.db, |pool| sqlx::query(
                "INSERT INTO contacts (account_id, organization_id, first_name, last_name, created_at, updated_at)
                 VALUES ($1, $2, 'One', $3, $4, $4)")
                .bind(a.0).bind(org).bind(format!("By one {n}")).bind(chrono::Utc::now()).execute(pool).await.map(|_| ()))
            .unwrap();
        }
    };
    let (first, second, ()) = tokio::join!(
        loader::load(&repo.db, accounts[0].0, accounts[0].1, &d),
        loader::load(&repo.db, accounts[1].0, accounts[1].1, &d),
        one_by_one,
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.items, second.items);
    for (a, _) in &accounts[..2] {
        let n: i64 = on_db!(&repo.db, |pool| sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM organizations WHERE account_id = $1) + (SELECT COUNT(*) FROM configurations WHERE account_id = $1)
             + (SELECT COUNT(*) FROM contacts WHERE account_id = $1) + (SELECT COUNT(*) FROM locations WHERE account_id = $1)")
            .bind(a.0).fetch_one(pool).await)
        .unwrap();
        assert_eq!(n as usize, first.items);
    }
    let solo: i64 = on_db!(&repo.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM contacts WHERE account_id = $1"
    )
    .bind(accounts[2].0 .0)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(solo, 200);
}
on_both!(loads_at_once_never_take_each_others_ids);
