//! Migration 0017 moves every deletion archive written as JSON rows (`deletion_archive`, up to
//! migration 0016) into the typed archive tables, on SQLite and PostgreSQL: an archive left by
//! the earlier version reads the same afterwards, and a restore queued before the upgrade
//! brings back every record with every archived column, a password's sealed secret included.

use crate::common;
use app::model::JobId;

use common::fixture::{setup_at, Ctx};
use server::db::{Backend, Db};
use server::on_db;
use server::repo::{JobState, ORGANIZATION_CHILDREN};
use std::collections::BTreeMap;

/// Each archived record as (kind, id) → its JSON, the way the earlier version wrote it.
type Records = BTreeMap<(String, i64), serde_json::Value>;

/// A row of `table` (alias `t`) as the earlier version archived it: its export columns, and a
/// password's secret as hex.
fn old_json(table: &str, backend: Backend) -> String {
    let kind = server::repo::schema::KINDS
        .iter()
        .find(|k| k.table == table)
        .unwrap();
    let mut pairs: Vec<String> = kind
        .columns
        .iter()
        .map(|c| format!("'{c}', t.{c}"))
        .collect();
    let (f, hex) = match backend {
        Backend::Sqlite => ("json_object", "hex(t.secret_ciphertext)"),
        Backend::Postgres => ("json_build_object", "encode(t.secret_ciphertext, 'hex')"),
    };
    if table == "passwords" {
        pairs.push(format!("'secret_ciphertext_hex', {hex}"));
    }
    format!("CAST({f}({}) AS TEXT)", pairs.join(", "))
}

async fn exec(ctx: &Ctx, sql: &str) {
    on_db!(&ctx.repo.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap();
}

/// Every record of the organizations `list` and inside them, as JSON, read now.
async fn records(ctx: &Ctx, list: &str) -> Records {
    let backend = ctx.repo.db.backend();
    let mut out = Records::new();
    for (table, kind) in [("organizations", "organization")]
        .into_iter()
        .chain(ORGANIZATION_CHILDREN)
    {
        let org = if table == "organizations" {
            "id"
        } else {
            "organization_id"
        };
        let sql = format!(
            "SELECT t.id, {} FROM {table} t WHERE t.{org} IN ({list})",
            old_json(table, backend)
        );
        let rows: Vec<(i64, String)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)
        .unwrap();
        for (id, json) in rows {
            out.insert((kind.to_string(), id), serde_json::from_str(&json).unwrap());
        }
    }
    out
}

/// Passwords and documents come back with new ids: compare them by everything else.
fn comparable(records: &Records) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = records
        .iter()
        .map(|((kind, id), v)| {
            let mut v = v.clone();
            let keeps_id = !matches!(kind.as_str(), "password" | "document");
            if !keeps_id {
                v.as_object_mut().unwrap().remove("id");
            }
            (
                kind.clone(),
                format!("{}{v}", if keeps_id { id.to_string() } else { "".into() }),
            )
        })
        .collect();
    out.sort();
    out
}

/// The sealed secrets of the passwords in the organizations `list`, as hex, by name.
async fn secrets(ctx: &Ctx, list: &str) -> Vec<String> {
    let hex = match ctx.repo.db.backend() {
        Backend::Sqlite => "hex(t.secret_ciphertext)",
        Backend::Postgres => "encode(t.secret_ciphertext, 'hex')",
    };
    let sql = format!(
        "SELECT {hex} FROM passwords t WHERE t.organization_id IN ({list}) ORDER BY t.name, t.id"
    );
    on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(&sql)
        .fetch_all(pool)
        .await)
    .unwrap()
}

async fn an_archive_written_before_migration_17_reads_and_restores_the_same(db: Db) {
    let ctx = setup_at(db, 16).await;
    let acc = ctx.admin.account_id.0;
    let backend = ctx.repo.db.backend();
    // Two orphaned organizations with something of every kind inside, as the earlier version
    // removed them: archived as JSON rows, then deleted (their children by cascade).
    let orgs = ctx
        .ids(
            "SELECT o.id FROM organizations o WHERE o.account_id = $1 AND o.sync_state = 'orphaned'
               AND EXISTS (SELECT 1 FROM passwords p WHERE p.organization_id = o.id)
               AND EXISTS (SELECT 1 FROM configurations c WHERE c.organization_id = o.id)
             ORDER BY o.id LIMIT 2",
        )
        .await;
    assert_eq!(orgs.len(), 2, "the S dataset has orphans with passwords");
    let list = orgs
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let before = records(&ctx, &list).await;
    assert!(before.keys().any(|(k, _)| k == "password"));
    assert!(before.keys().any(|(k, _)| k == "configuration"));
    let secrets_before = secrets(&ctx, &list).await;

    let args = serde_json::json!({ "integration": ctx.integration.0, "kind": "organization" });
    let removal: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "INSERT INTO jobs (account_id, kind, state, unique_key, args, run_at, created_by, created_at, finished_at, progress_done, progress_total)
         VALUES ($1, 'removal', 'succeeded', 'removal:old', $2, $3, $4, $3, $3, 2, 2) RETURNING id")
        .bind(acc).bind(args.to_string()).bind(chrono::Utc::now()).bind(ctx.admin.user_id.0)
        .fetch_one(pool).await)
    .unwrap();
    for (table, kind) in [("organizations", "organization")]
        .into_iter()
        .chain(ORGANIZATION_CHILDREN)
    {
        let org = if table == "organizations" {
            "t.id"
        } else {
            "t.organization_id"
        };
        exec(&ctx, &format!(
            "INSERT INTO deletion_archive (account_id, job_id, item_kind, item_id, organization_id, payload, created_at)
             SELECT {acc}, {removal}, '{kind}', t.id, {org}, {}, t.created_at FROM {table} t WHERE {org} IN ({list}) ORDER BY t.id",
            old_json(table, backend))).await;
    }
    exec(
        &ctx,
        &format!("DELETE FROM organizations WHERE id IN ({list})"),
    )
    .await;
    assert_eq!(records(&ctx, &list).await.len(), 0);
    // A restore of the first organization, queued before the upgrade: its target names the
    // archive row.
    let restore: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "INSERT INTO jobs (account_id, kind, state, unique_key, args, run_at, created_by, created_at, progress_total)
         VALUES ($1, 'restore', 'queued', $2, $3, $4, $5, $4, 1) RETURNING id")
        .bind(acc).bind(format!("restore:{removal}"))
        .bind(serde_json::json!({ "removal": removal, "organizations": [orgs[0]] }).to_string())
        .bind(chrono::Utc::now()).bind(ctx.admin.user_id.0)
        .fetch_one(pool).await)
    .unwrap();
    exec(&ctx, &format!(
        "INSERT INTO restore_targets (job_id, seq, archive_id)
         SELECT {restore}, 1, id FROM deletion_archive WHERE job_id = {removal} AND item_kind = 'organization' AND item_id = {}",
        orgs[0])).await;

    ctx.repo.db.migrate().await.unwrap();

    // The archive reads as before: every record, the same JSON.
    let archived: Records = ctx
        .repo
        .deletion_archive(ctx.admin.account_id, JobId(removal))
        .await
        .unwrap()
        .into_iter()
        .map(|(k, id, json)| ((k, id), serde_json::from_str(&json).unwrap()))
        .collect();
    assert_eq!(archived, before);
    let choices = ctx
        .repo
        .restore_choices(ctx.admin.account_id, JobId(removal))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(choices.len(), 2);
    assert!(choices.iter().all(|c| c.removed));

    // The restore queued before the upgrade brings the first organization back with everything
    // inside it; the other stays archived, and a restore of it brings it back too.
    assert_eq!(ctx.finish_job(JobId(restore)).await, JobState::Succeeded);
    let first = records(&ctx, &orgs[0].to_string()).await;
    let expected: Records = before
        .iter()
        .filter(|((k, id), v)| {
            if k == "organization" {
                *id == orgs[0]
            } else {
                v["organization_id"] == orgs[0]
            }
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(comparable(&first), comparable(&expected));
    let left = ctx
        .repo
        .restore_choices(ctx.admin.account_id, JobId(removal))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        left.iter().map(|c| c.organization).collect::<Vec<_>>(),
        vec![orgs[1]]
    );
    exec(
        &ctx,
        &format!("UPDATE jobs SET unique_key = 'restore:done' WHERE id = {restore}"),
    )
    .await;
    let server::repo::RestoreQueued::Job(again) = ctx
        .repo
        .queue_restore(
            ctx.admin.account_id,
            Some(ctx.admin.user_id),
            &server::repo::RestoreArgs {
                removal: JobId(removal),
                organizations: None,
            },
        )
        .await
        .unwrap()
    else {
        panic!("the second organization can still be restored")
    };
    assert_eq!(ctx.finish_job(again).await, JobState::Succeeded);
    assert_eq!(comparable(&records(&ctx, &list).await), comparable(&before));
    let secrets_after = secrets(&ctx, &list).await;
    assert_eq!(secrets_after, secrets_before);
}
on_both!(an_archive_written_before_migration_17_reads_and_restores_the_same);
