//! Undo a removal on SQLite and PostgreSQL: a restore brings back exactly what the removal
//! deleted, record for record (ids, PSA links, sync states, orphan reasons, sealed secrets,
//! disconnected-item tombstones), all at once or some organizations at a time; what cannot come
//! back (an organization whose name exists again, a PSA record linked to another item now) is
//! listed and nothing is overwritten; a record comes back once; only unrestricted
//! Administrators restore, only finished removals of their own account; the next sync treats
//! restored items as any linked item.

use crate::common;

use app::error::ErrorCode;
use app::model::{ItemKind, JobId, Role};
use app::services::prelude::*;
use common::fixture::{setup, Ctx};
use server::db::{Backend, Db};
use server::on_db;
use server::psa::RetryPolicy;
use server::repo::{JobState, Queued};
use std::collections::BTreeMap;

/// Runs restore `job` to its end, which must be a success, and returns it as Account >
/// Removals lists it (to the account's Administrator).
async fn finished_restore(
    ctx: &Ctx,
    s: &impl RestoreServices,
    job: JobId,
) -> app::model::RestoreJob {
    assert_eq!(ctx.finish_job(job).await, JobState::Succeeded);
    s.restores(&ctx.admin)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == job)
        .unwrap()
}

/// Every record of the account, each row as text, by table: what a restore must give back.
async fn snapshot(ctx: &Ctx) -> BTreeMap<&'static str, Vec<String>> {
    let hex = match ctx.repo.db.backend() {
        Backend::Sqlite => "hex(secret_ciphertext)",
        Backend::Postgres => "encode(secret_ciphertext,'hex')",
    };
    let tables: [(&str, String); 7] = [
        ("organizations", "id, name, organization_type_id, organization_status_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, had_data_before_first_sync, last_synced_at, created_at, updated_at".into()),
        ("configurations", "id, organization_id, name, serial_number, configuration_type_id, configuration_status_id, active, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at".into()),
        ("contacts", "id, organization_id, first_name, last_name, email, contact_type_id, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at".into()),
        ("locations", "id, organization_id, name, address_line1, city, region, postal_code, country, phone, integration_id, psa_id, sync_state, orphan_reason, sync_error, last_synced_at, created_at, updated_at".into()),
        // New ids for these two (nothing refers to them): compared without.
        ("passwords", format!("organization_id, name, username, url, {hex}, created_at, updated_at")),
        ("documents", "organization_id, title, body, created_at, updated_at".into()),
        ("disconnected_items", "item_kind, psa_id, item_id, deleted_locally_at".into()),
    ];
    let mut out = BTreeMap::new();
    for (table, cols) in tables {
        let text = cols
            .split(", ")
            .map(|c| format!("COALESCE(CAST({c} AS TEXT), '∅')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {text} FROM {table} WHERE account_id = $1");
        let mut rows: Vec<String> = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(&sql)
            .bind(ctx.admin.account_id.0)
            .fetch_all(pool)
            .await)
        .unwrap();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

/// Removes every orphan of `kind` and waits for the end: the removal's id.
async fn a_restore_brings_back_exactly_what_was_removed(db: Db) {
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, RetryPolicy::default());
    let admin = &ctx.admin;
    let before = snapshot(&ctx).await;
    let removal = ctx.remove_orphans(ItemKind::Organization).await;
    let removed = snapshot(&ctx).await;
    assert_ne!(before, removed);

    // What can come back: every removed organization, with its records.
    let choices = s.restore_choices(admin, removal).await.unwrap();
    let archived = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM deletion_archive WHERE account_id = $1 AND job_id = {removal}"
        ))
        .await;
    assert_eq!(choices.iter().map(|c| c.records).sum::<i64>(), archived);
    assert!(choices.iter().all(|c| c.removed));
    assert!(choices.len() >= 3, "{choices:?}");

    // Some: two organizations and what was inside them, nothing else.
    let (a, b) = (&choices[0], &choices[1]);
    let job = s
        .start_restore(
            admin,
            removal,
            Some(vec![a.organization, b.organization, a.organization]),
        )
        .await
        .unwrap();
    assert_eq!(job.total, 2);
    let partly = finished_restore(&ctx, &s, job.id).await;
    assert_eq!(partly.restored, a.records + b.records);
    assert!(partly.not_restored.is_empty(), "{:?}", partly.not_restored);
    let left = s.restore_choices(admin, removal).await.unwrap();
    assert_eq!(left.len(), choices.len() - 2);
    // Part restored: Restore is still offered, and the removal still counts what went inside.
    let shown = s.removal(admin, removal).await.unwrap();
    assert!(!shown.fully_restored);
    assert_eq!(shown.inside + shown.deleted, archived);
    assert!(!left
        .iter()
        .any(|c| c.organization == a.organization || c.organization == b.organization));

    // The rest: the account is as it was before the removal, record for record.
    let job = s.start_restore(admin, removal, None).await.unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    assert_eq!(snapshot(&ctx).await, before);
    // All of it came back: the removal says so, and Restore is no longer offered.
    assert!(s.removal(admin, removal).await.unwrap().fully_restored);
    // A record comes back once.
    let e = s.start_restore(admin, removal, None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains("Nothing"), "{}", e.message);
    let log = s.activity(admin, None).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == "restore.finished")
            .count(),
        2
    );

    // Removed again; meanwhile an organization of one of the names is made again (any case):
    // it is listed, not overwritten, and nothing is added to the new one.
    let removal = ctx.remove_orphans(ItemKind::Organization).await;
    let choices = s.restore_choices(admin, removal).await.unwrap();
    let taken = &choices[0];
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
        .bind(admin.account_id.0).bind(taken.name.to_uppercase()).bind(chrono::Utc::now()).execute(pool).await.map(|_| ()))
    .unwrap();
    let job = s.start_restore(admin, removal, None).await.unwrap();
    let done = finished_restore(&ctx, &s, job.id).await;
    assert_eq!(done.not_restored.len(), 1, "{:?}", done.not_restored);
    assert_eq!(done.not_restored_count, 1);
    assert_eq!(done.not_restored[0].name, taken.name);
    assert!(done.not_restored[0].reason.contains("exists again"));
    assert_eq!(done.restored, archived - taken.records);
    let new_one = ctx
        .ids(&format!(
            "SELECT id FROM organizations WHERE account_id = $1 AND name = '{}'",
            taken.name.to_uppercase().replace('\'', "''")
        ))
        .await;
    assert_eq!(new_one.len(), 1);
    assert_eq!(
        ctx.count(&format!(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND organization_id = {}",
            new_one[0]
        ))
        .await,
        0
    );
    // What was not restored can still be, once the name is free again.
    assert_eq!(s.restore_choices(admin, removal).await.unwrap().len(), 1);
}
on_both!(a_restore_brings_back_exactly_what_was_removed);

async fn a_record_whose_psa_record_is_linked_again_is_listed_and_the_new_item_kept(db: Db) {
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, RetryPolicy::default());
    let admin = &ctx.admin;
    let removal = ctx.remove_orphans(ItemKind::Configuration).await;
    let archive = ctx
        .repo
        .deletion_archive(admin.account_id, removal)
        .await
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(&archive[0].2).unwrap();
    // The PSA's configuration came back as a new item of the same organization.
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO configurations (account_id, organization_id, name, integration_id, psa_id, sync_state, created_at, updated_at)
         VALUES ($1, $2, 'Synced again', $3, $4, 'enabled', $5, $5)")
        .bind(admin.account_id.0).bind(first["organization_id"].as_i64()).bind(ctx.integration.0)
        .bind(first["psa_id"].as_i64()).bind(chrono::Utc::now()).execute(pool).await.map(|_| ()))
    .unwrap();
    let job = s.start_restore(admin, removal, None).await.unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    let done = s.restores(admin).await.unwrap().pop().unwrap();
    assert_eq!(done.not_restored.len(), 1);
    assert_eq!(done.not_restored_count, 1);
    assert_eq!(done.not_restored[0].name, first["name"].as_str().unwrap());
    assert!(done.not_restored[0]
        .reason
        .contains("linked to another item"));
    assert_eq!(done.restored, archive.len() as i64 - 1);
    assert_eq!(
        ctx.count(&format!(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND psa_id = {} AND name = 'Synced again'",
            first["psa_id"]
        ))
        .await,
        1
    );
}
on_both!(a_record_whose_psa_record_is_linked_again_is_listed_and_the_new_item_kept);

async fn only_unrestricted_administrators_restore_finished_removals_of_their_account(db: Db) {
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, RetryPolicy::default());
    let removal = ctx.remove_orphans(ItemKind::Location).await;
    for (email, role, restricted) in [
        ("m@example.com", Role::Manager, false),
        ("r@example.com", Role::Administrator, true),
    ] {
        let u = common::user(&ctx.repo, ctx.admin.account_id, email, role, restricted).await;
        assert_eq!(
            s.restore_choices(&u, removal).await.unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            s.start_restore(&u, removal, None).await.unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(s.restores(&u).await.unwrap_err().code, ErrorCode::Forbidden);
    }
    // Another account's Administrator: not found, nothing restored.
    let other = common::fixture::second_account(&ctx).await;
    assert_eq!(
        s.restore_choices(&other, removal).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        s.start_restore(&other, removal, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert!(s.restores(&ctx.admin).await.unwrap().is_empty());
    // Nothing chosen, and a removal that has not run yet.
    assert_eq!(
        s.start_restore(&ctx.admin, removal, Some(vec![]))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let args = ctx.args(ItemKind::Contact);
    let impact = ctx.repo.removal_impact(&ctx.admin, &args).await.unwrap();
    let Queued::Job(queued) = ctx
        .repo
        .queue_removal(&ctx.admin, &args, impact.items)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    assert_eq!(
        s.start_restore(&ctx.admin, queued, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // Organizations that were not in the removal restore nothing.
    assert_eq!(
        s.start_restore(&ctx.admin, removal, Some(vec![i64::MAX]))
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // Two restores of one removal asked at once: one is queued, the other told why.
    let (a, b) = tokio::join!(
        s.start_restore(&ctx.admin, removal, None),
        s.start_restore(&ctx.admin, removal, None)
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    assert_eq!(a.err().or(b.err()).unwrap().code, ErrorCode::Conflict);
}
on_both!(only_unrestricted_administrators_restore_finished_removals_of_their_account);

async fn the_next_sync_treats_restored_items_as_any_linked_item(db: Db) {
    let ctx = setup(db).await;
    let (engine, _url, _sim) = common::fixture::connect_psa(&ctx).await;
    ctx.full_sync(&engine).await;
    let orphaned =
        "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'";
    let synced =
        "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'enabled'";
    let (orphans, enabled) = (ctx.count(orphaned).await, ctx.count(synced).await);
    assert!(orphans > 0);
    let s = common::services(&ctx.repo, RetryPolicy::default());
    let removal = ctx.remove_orphans(ItemKind::Organization).await;
    let job = s.start_restore(&ctx.admin, removal, None).await.unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    // Still orphaned, with their reasons: the PSA does not have them; nothing was duplicated.
    ctx.full_sync(&engine).await;
    assert_eq!(ctx.count(orphaned).await, orphans);
    assert_eq!(ctx.count(synced).await, enabled);
}
on_both!(the_next_sync_treats_restored_items_as_any_linked_item);

async fn a_record_whose_organization_was_removed_after_it_comes_back_once_the_organization_does(
    db: Db,
) {
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, RetryPolicy::default());
    let admin = &ctx.admin;
    let before = snapshot(&ctx).await;
    // First the orphaned configurations, then the orphaned organizations: some of those
    // configurations were in those organizations.
    let configurations = ctx.remove_orphans(ItemKind::Configuration).await;
    let archived: i64 = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM deletion_archive WHERE account_id = $1 AND job_id = {configurations}"
        ))
        .await;
    let organizations = ctx.remove_orphans(ItemKind::Organization).await;
    let stranded = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM deletion_archive a WHERE a.account_id = $1 AND a.job_id = {configurations}
             AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = a.organization_id)"
        ))
        .await;
    assert!(
        stranded > 0 && stranded < archived,
        "{stranded} of {archived}"
    );

    // Restoring the configurations first: those whose organization is gone are listed with
    // what to do, nothing of theirs is written anywhere, and the rest come back.
    let job = s.start_restore(admin, configurations, None).await.unwrap();
    let first = finished_restore(&ctx, &s, job.id).await;
    assert_eq!(first.restored, archived - stranded);
    // All of them counted, the first ones listed with why.
    assert_eq!(first.not_restored_count, stranded);
    assert_eq!(
        first.not_restored.len() as i64,
        stranded.min(app::model::NOT_RESTORED_LISTED)
    );
    // The activity log says the same.
    let logged = s
        .activity(admin, None)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.action == "restore.finished")
        .unwrap();
    assert!(
        logged
            .details
            .contains(&("not restored".to_string(), stranded.to_string())),
        "{:?}",
        logged.details
    );
    assert!(first.not_restored.iter().all(|n| n
        .reason
        .contains("restore the removal of that organization first")));
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM configurations c WHERE c.account_id = $1
             AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.organization_id)"
        )
        .await,
        0
    );

    // The organizations, then what is left of the configurations: the account is as it was
    // before both removals, record for record, and nothing comes back twice.
    let job = s.start_restore(admin, organizations, None).await.unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    let left = s.restore_choices(admin, configurations).await.unwrap();
    assert_eq!(left.iter().map(|c| c.records).sum::<i64>(), stranded);
    let job = s.start_restore(admin, configurations, None).await.unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    assert_eq!(snapshot(&ctx).await, before);
    let e = s
        .start_restore(admin, configurations, None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
}
on_both!(a_record_whose_organization_was_removed_after_it_comes_back_once_the_organization_does);
