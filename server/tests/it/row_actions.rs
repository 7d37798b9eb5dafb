//! The Synced Items row actions on SQLite and PostgreSQL: Pause unchecks exactly its type or
//! status; a permanent disconnect makes exactly the row's items (and the items inside its
//! organizations) stand-alone; a removal of a row deletes exactly its items. Each with a failure
//! injected midway (a database trigger that refuses the statement) that leaves everything as it
//! was.

use crate::common;

use app::model::{CatalogCategory, CatalogValueId, ItemKind};
use common::fixture::{inject_failure, remove_failure, setup, Ctx};
use server::db::Db;
use server::on_db;
use server::repo::{CatalogValue, JobState, Queued, RemovalArgs, RowTarget};
use std::collections::BTreeMap;

/// An item's PSA link: integration, PSA id, sync state.
type Link = (Option<i64>, Option<i64>, Option<String>);

/// Every item's PSA link and state, every catalog checkbox, the tombstones and the archive: what
/// a row action may change.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    items: BTreeMap<(String, i64), Link>,
    checkboxes: BTreeMap<i64, bool>,
    tombstones: i64,
    archived: i64,
    jobs_progress: i64,
}

async fn snapshot(ctx: &Ctx) -> Snapshot {
    let mut items = BTreeMap::new();
    for t in ["organizations", "configurations", "contacts", "locations"] {
        let rows: Vec<(i64, Link)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as::<
            _,
            (i64, Option<i64>, Option<i64>, Option<String>),
        >(&format!(
            "SELECT id, integration_id, psa_id, sync_state FROM {t} WHERE account_id = $1"
        ))
        .bind(ctx.admin.account_id.0)
        .fetch_all(pool)
        .await)
        .unwrap()
        .into_iter()
        .map(|(id, i, p, s)| (id, (i, p, s)))
        .collect();
        for (id, link) in rows {
            items.insert((t.to_string(), id), link);
        }
    }
    let checkboxes: Vec<(i64, bool)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT id, sync_enabled FROM psa_catalog_values WHERE account_id = $1"
    )
    .bind(ctx.admin.account_id.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    Snapshot {
        items,
        checkboxes: checkboxes.into_iter().collect(),
        tombstones: ctx
            .count("SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1")
            .await,
        archived: ctx
            .count("SELECT COUNT(*) FROM deletion_archive WHERE account_id = $1")
            .await,
        jobs_progress: ctx
            .count("SELECT CAST(COALESCE(SUM(progress_done), 0) AS BIGINT) FROM jobs WHERE account_id = $1")
            .await,
    }
}

/// The organization type whose linked organizations hold the most linked locations (so a
/// disconnect of it touches every kind).
async fn busiest_organization_type(ctx: &Ctx) -> CatalogValue {
    let id: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT o.organization_type_id FROM organizations o JOIN locations l ON l.organization_id = o.id
         WHERE o.account_id = $1 AND o.integration_id IS NOT NULL AND l.integration_id IS NOT NULL
           AND o.organization_type_id IS NOT NULL
         GROUP BY o.organization_type_id ORDER BY COUNT(*) DESC, o.organization_type_id LIMIT 1")
        .bind(ctx.admin.account_id.0).fetch_one(pool).await)
    .unwrap();
    ctx.repo
        .catalog_value(ctx.admin.account_id, ctx.integration, CatalogValueId(id))
        .await
        .unwrap()
        .unwrap()
}

async fn a_permanent_disconnect_unlinks_exactly_its_row_and_a_failure_changes_nothing(db: Db) {
    let ctx = setup(db).await;
    let value = busiest_organization_type(&ctx).await;
    assert_eq!(value.category, CatalogCategory::OrganizationType);
    let before = snapshot(&ctx).await;
    let orgs: Vec<i64> = ctx
        .ids(&format!(
            "SELECT id FROM organizations WHERE account_id = $1 AND integration_id IS NOT NULL AND organization_type_id = {}",
            value.id.0
        ))
        .await;
    assert!(!orgs.is_empty());
    let in_orgs = orgs
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let preview = ctx
        .repo
        .row_disconnect_counts(ctx.admin.account_id, ctx.integration, &value)
        .await
        .unwrap();

    // A failure at the last statement of the transaction (locations are unlinked last of the
    // items inside): nothing changed.
    inject_failure(&ctx.repo.db, "UPDATE", "locations").await;
    let failed = ctx
        .repo
        .disconnect_row(
            ctx.admin.account_id,
            ctx.integration,
            &value,
            Some(ctx.admin.user_id),
            "a@example.com",
        )
        .await;
    assert!(failed.is_err());
    assert_eq!(
        snapshot(&ctx).await,
        before,
        "a failure midway changes nothing"
    );
    remove_failure(&ctx.repo.db, "locations").await;

    let counts = ctx
        .repo
        .disconnect_row(
            ctx.admin.account_id,
            ctx.integration,
            &value,
            Some(ctx.admin.user_id),
            "a@example.com",
        )
        .await
        .unwrap()
        .expect("no sync runs");
    assert_eq!(counts, preview, "the preview said what happened");
    let after = snapshot(&ctx).await;
    // Exactly the row's organizations and the linked items inside them lost their link.
    let mut inside: std::collections::HashSet<(String, i64)> = orgs
        .iter()
        .map(|id| ("organizations".to_string(), *id))
        .collect();
    for t in ["configurations", "contacts", "locations"] {
        for id in ctx
            .ids(&format!(
                "SELECT id FROM {t} WHERE account_id = $1 AND organization_id IN ({in_orgs})"
            ))
            .await
        {
            inside.insert((t.to_string(), id));
        }
    }
    let mut expected = before.clone();
    for (key, link) in expected.items.iter_mut() {
        if inside.contains(key) {
            *link = (None, None, None);
        }
    }
    expected.checkboxes.insert(value.id.0, false);
    let tombstones_inside = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1 AND item_id IS NOT NULL AND organization_id IN ({in_orgs})"
        ))
        .await;
    assert_eq!(
        tombstones_inside, 0,
        "nothing inside them can be reconnected"
    );
    expected.tombstones = after.tombstones;
    assert_eq!(after, expected);
    let unlinked = after.items.values().filter(|l| l.0.is_none()).count()
        - before.items.values().filter(|l| l.0.is_none()).count();
    assert_eq!(
        unlinked as i64,
        counts.iter().map(|(_, n)| n).sum::<i64>(),
        "{counts:?}"
    );
    let marked: i64 = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM psa_catalog_values WHERE account_id = $1 AND id = {} AND disconnected_at IS NOT NULL",
            value.id.0
        ))
        .await;
    assert_eq!(marked, 1);
    let log = ctx
        .repo
        .activity_log(ctx.admin.account_id, None, None, 1)
        .await
        .unwrap();
    assert_eq!(log[0].3, "row.disconnected");
}
on_both!(a_permanent_disconnect_unlinks_exactly_its_row_and_a_failure_changes_nothing);

async fn pause_unchecks_exactly_its_type_or_status(db: Db) {
    let ctx = setup(db).await;
    let value = busiest_organization_type(&ctx).await;
    let before = snapshot(&ctx).await;
    assert!(before.checkboxes[&value.id.0] || !value.sync_enabled);
    ctx.repo
        .pause_row(
            ctx.admin.account_id,
            ctx.integration,
            &value,
            Some(ctx.admin.user_id),
            "a@example.com",
        )
        .await
        .unwrap();
    let mut expected = before;
    expected.checkboxes.insert(value.id.0, false);
    assert_eq!(
        snapshot(&ctx).await,
        expected,
        "only the checkbox; the items wait for the next full sync"
    );
}
on_both!(pause_unchecks_exactly_its_type_or_status);

async fn a_removal_of_a_row_deletes_exactly_its_items_and_a_failing_chunk_changes_nothing(db: Db) {
    let ctx = setup(db).await;
    let value: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT configuration_type_id FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL
           AND configuration_type_id IS NOT NULL
         GROUP BY configuration_type_id ORDER BY COUNT(*) DESC, configuration_type_id LIMIT 1")
        .bind(ctx.admin.account_id.0).fetch_one(pool).await)
    .unwrap();
    let targets = ctx
        .ids(&format!(
            "SELECT id FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL AND configuration_type_id = {value} ORDER BY id"
        ))
        .await;
    let args = RemovalArgs {
        integration: ctx.integration,
        kind: ItemKind::Configuration,
        row: Some(RowTarget {
            category: CatalogCategory::ConfigurationType,
            value: CatalogValueId(value),
        }),
        search: None,
        include_syncing: false,
        reason: None,
        ids: None,
    };
    let impact = ctx.repo.removal_impact(&ctx.admin, &args).await.unwrap();
    assert_eq!(impact.items, targets.len() as i64);
    assert!(
        impact.what.starts_with("configurations of Type: "),
        "{}",
        impact.what
    );
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(&ctx.admin, &args, impact.items)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    let before = snapshot(&ctx).await;

    // Every chunk's delete fails: the chunk rolls back whole (no archive, no progress) and the
    // job waits for its retry.
    inject_failure(&ctx.repo.db, "DELETE", "configurations").await;
    let worker = ctx.worker();
    assert_eq!(
        worker.run_one().await.unwrap(),
        Some((job, JobState::Queued))
    );
    assert_eq!(
        snapshot(&ctx).await,
        before,
        "a failing chunk changes nothing"
    );
    remove_failure(&ctx.repo.db, "configurations").await;
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
        worker.run_one().await.unwrap(),
        Some((job, JobState::Succeeded))
    );
    let after = snapshot(&ctx).await;
    let mut expected = before.items.clone();
    for id in &targets {
        expected.remove(&("configurations".to_string(), *id));
    }
    assert_eq!(after.items, expected, "exactly the row's items are gone");
    assert_eq!(after.checkboxes, before.checkboxes);
    assert_eq!(after.archived - before.archived, targets.len() as i64);
}
on_both!(a_removal_of_a_row_deletes_exactly_its_items_and_a_failing_chunk_changes_nothing);

async fn pause_and_reconnect_change_nothing_when_a_statement_fails(db: Db) {
    let ctx = setup(db).await;
    let value = busiest_organization_type(&ctx).await;
    let before = snapshot(&ctx).await;

    // Pause: its activity entry fails, so its checkbox stays.
    inject_failure(&ctx.repo.db, "INSERT", "activity_log").await;
    assert!(ctx
        .repo
        .pause_row(
            ctx.admin.account_id,
            ctx.integration,
            &value,
            Some(ctx.admin.user_id),
            "a@example.com",
        )
        .await
        .is_err());
    assert_eq!(snapshot(&ctx).await, before);
    remove_failure(&ctx.repo.db, "activity_log").await;

    // Reconnect (the PSA was asked already): the tombstone cannot go, so the item stays
    // disconnected.
    let tombstone = ctx
        .count(
            "SELECT MIN(id) FROM disconnected_items WHERE account_id = $1 AND item_id IS NOT NULL",
        )
        .await;
    let t = ctx
        .repo
        .tombstone(&ctx.admin, ctx.integration, tombstone)
        .await
        .unwrap()
        .unwrap();
    let item = t.item_id.unwrap();
    let table = match t.kind {
        ItemKind::Organization => "organizations",
        ItemKind::Configuration => "configurations",
        ItemKind::Contact => "contacts",
        ItemKind::Location => "locations",
    };
    inject_failure(&ctx.repo.db, "DELETE", "disconnected_items").await;
    assert!(ctx
        .repo
        .reconnect(ctx.admin.account_id, ctx.integration, tombstone, &t)
        .await
        .is_err());
    assert_eq!(
        snapshot(&ctx).await,
        before,
        "the item is still disconnected"
    );
    remove_failure(&ctx.repo.db, "disconnected_items").await;

    // Without the fault: exactly the item syncs again and its tombstone goes.
    ctx.repo
        .reconnect(ctx.admin.account_id, ctx.integration, tombstone, &t)
        .await
        .unwrap();
    let mut expected = before;
    let key = (table.to_string(), item);
    let (i, p, _) = expected.items[&key].clone();
    expected.items.insert(key, (i, p, Some("enabled".into())));
    expected.tombstones -= 1;
    assert_eq!(snapshot(&ctx).await, expected);
}
on_both!(pause_and_reconnect_change_nothing_when_a_statement_fails);

/// The operator's feature switch and its activity entry commit together.
async fn a_feature_switch_is_all_or_nothing(db: Db) {
    use app::model::Feature;
    let ctx = setup(db).await;
    let account = ctx.admin.account_id;
    let entries = || ctx.count("SELECT COUNT(*) FROM activity_log WHERE account_id = $1");
    let before = entries().await;
    inject_failure(&ctx.repo.db, "INSERT", "activity_log").await;
    assert!(ctx
        .repo
        .set_feature(account, Feature::FullDelete, true, "operator")
        .await
        .is_err());
    assert!(ctx.repo.features(account).await.unwrap().is_empty());
    remove_failure(&ctx.repo.db, "activity_log").await;
    assert!(ctx
        .repo
        .set_feature(account, Feature::FullDelete, true, "operator")
        .await
        .unwrap());
    assert_eq!(
        ctx.repo.features(account).await.unwrap(),
        vec![Feature::FullDelete]
    );
    assert_eq!(entries().await, before + 1);
}
on_both!(a_feature_switch_is_all_or_nothing);
