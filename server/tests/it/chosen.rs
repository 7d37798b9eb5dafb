//! Choosing exactly what goes, on SQLite and PostgreSQL: View's Delete of one orphan reason's
//! items or of the ticked ones, and the Organizations list's ticked organizations. Each takes
//! only what the admin saw: never an item of another reason, an item still syncing (without the
//! feature), another account's item, or anything when nothing is ticked; and the result counts
//! the records inside the organizations that went with them.

use crate::common;

use app::error::ErrorCode;
use app::model::{ItemKind, OrphanReason, RemovalTarget, MAX_PICKED};
use app::services::prelude::*;
use common::fixture::{second_account, setup, Ctx};
use server::db::Db;
use server::repo::JobState;

fn services(ctx: &Ctx) -> server::services::AppServices {
    common::services(&ctx.repo, server::psa::RetryPolicy::default())
}

/// Orphaned configurations of the account by reason, most first.
async fn orphans_by_reason(ctx: &Ctx) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for r in [
        OrphanReason::TypeNotSynced,
        OrphanReason::StatusNotSynced,
        OrphanReason::DeletedInPsa,
        OrphanReason::ParentNotSyncing,
        OrphanReason::InactiveStatusNotSynced,
    ] {
        let n = ctx
            .count(&format!(
                "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND \
                 sync_state = 'orphaned' AND orphan_reason = '{}'",
                r.as_str()
            ))
            .await;
        if n > 0 {
            out.push((r.as_str().to_string(), n));
        }
    }
    out.sort_by_key(|(_, n)| -n);
    out
}

async fn view_deletes_only_the_orphans_of_the_chosen_reason(db: Db) {
    let ctx = setup(db).await;
    let s = services(&ctx);
    let before = orphans_by_reason(&ctx).await;
    assert!(
        before.len() >= 2,
        "the dataset has orphans of several reasons: {before:?}"
    );
    let (chosen, n) = before[0].clone();
    let reason = OrphanReason::parse(&chosen).unwrap();
    let target = RemovalTarget::ChosenOrphans {
        kind: ItemKind::Configuration,
        reason: Some(reason),
        ids: None,
    };
    let impact = s
        .removal_impact(&ctx.admin, ctx.integration, target.clone())
        .await
        .unwrap();
    assert_eq!(impact.items, n);
    assert!(impact.what.contains(reason.label()), "{}", impact.what);
    assert!(impact.restorable_until.is_some());
    let job = s
        .start_removal(&ctx.admin, ctx.integration, target.clone(), n.to_string())
        .await
        .unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    let after = orphans_by_reason(&ctx).await;
    assert!(after.iter().all(|(r, _)| *r != chosen), "{after:?}");
    assert_eq!(
        after,
        before[1..].to_vec(),
        "every other reason's orphans stay"
    );
    let done = s.removal(&ctx.admin, job.id).await.unwrap();
    assert_eq!((done.deleted, done.inside), (n, 0));
}
on_both!(view_deletes_only_the_orphans_of_the_chosen_reason);

async fn view_deletes_only_ticked_orphans_and_nothing_else_it_is_handed(db: Db) {
    let ctx = setup(db).await;
    let s = services(&ctx);
    let other = second_account(&ctx).await;
    let orphans = ctx
        .ids(
            "SELECT id FROM configurations WHERE account_id = $1 AND sync_state = 'orphaned' \
             ORDER BY id LIMIT 3",
        )
        .await;
    let syncing = ctx
        .ids(
            "SELECT id FROM configurations WHERE account_id = $1 AND sync_state = 'enabled' \
             ORDER BY id LIMIT 1",
        )
        .await;
    let theirs: Vec<i64> = server::on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT id FROM configurations WHERE account_id = $1 AND sync_state = 'orphaned' \
         ORDER BY id LIMIT 1"
    )
    .bind(other.account_id.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!((orphans.len(), syncing.len(), theirs.len()), (3, 1, 1));
    let handed: Vec<i64> = [orphans.clone(), syncing.clone(), theirs.clone()].concat();
    let target = RemovalTarget::ChosenOrphans {
        kind: ItemKind::Configuration,
        reason: None,
        ids: Some(handed),
    };
    let impact = s
        .removal_impact(&ctx.admin, ctx.integration, target.clone())
        .await
        .unwrap();
    assert_eq!(impact.items, 3, "only this account's ticked orphans");
    let job = s
        .start_removal(&ctx.admin, ctx.integration, target, "3".into())
        .await
        .unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    let still = |ids: &[i64]| {
        format!(
            "SELECT COUNT(*) FROM configurations WHERE id IN ({}) AND $1 = $1",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    assert_eq!(ctx.count(&still(&orphans)).await, 0);
    assert_eq!(ctx.count(&still(&syncing)).await, 1);
    let theirs_left: i64 = server::on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(&still(&theirs))
        .bind(other.account_id.0)
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(theirs_left, 1, "another account's item is never touched");

    // Nothing ticked is refused, never read as "everything"; too many ticks are refused too.
    for ids in [Vec::new(), (1..=MAX_PICKED as i64 + 1).collect()] {
        let e = s
            .removal_impact(
                &ctx.admin,
                ctx.integration,
                RemovalTarget::ChosenOrphans {
                    kind: ItemKind::Configuration,
                    reason: None,
                    ids: Some(ids),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
        let e = s
            .removal_impact(
                &ctx.admin,
                ctx.integration,
                RemovalTarget::Picked(Vec::new()),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }
}
on_both!(view_deletes_only_ticked_orphans_and_nothing_else_it_is_handed);

async fn ticked_organizations_go_with_what_is_inside_and_the_result_counts_it(db: Db) {
    let ctx = setup(db).await;
    let s = services(&ctx);
    let other = second_account(&ctx).await;
    // Orphaned organizations with records inside, one still syncing, one stand-alone, and one
    // of another account.
    let orphaned = ctx
        .ids(
            "SELECT o.id FROM organizations o WHERE o.account_id = $1 AND o.sync_state = \
             'orphaned' AND EXISTS (SELECT 1 FROM configurations c WHERE c.organization_id = \
             o.id) ORDER BY o.id LIMIT 2",
        )
        .await;
    let syncing = ctx
        .ids(
            "SELECT id FROM organizations WHERE account_id = $1 AND sync_state = 'enabled' \
             ORDER BY id LIMIT 1",
        )
        .await;
    let alone = ctx
        .ids(
            "SELECT id FROM organizations WHERE account_id = $1 AND sync_state IS NULL \
             ORDER BY id LIMIT 1",
        )
        .await;
    let theirs: Vec<i64> = server::on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT id FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned' \
         ORDER BY id LIMIT 1"
    )
    .bind(other.account_id.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(
        (orphaned.len(), syncing.len(), alone.len(), theirs.len()),
        (2, 1, 1, 1)
    );
    let alone_name: String = server::on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT name FROM organizations WHERE id = $1"
    )
    .bind(alone[0])
    .fetch_one(pool)
    .await)
    .unwrap();
    let target = RemovalTarget::Picked([&orphaned[..], &syncing, &alone, &theirs].concat());
    let impact = s
        .removal_impact(&ctx.admin, app::model::IntegrationId(0), target.clone())
        .await
        .unwrap();
    // Without bulk delete by type, the syncing one is kept and said so; the stand-alone one is
    // named; another account's is not there at all.
    assert_eq!(impact.items, 3);
    assert_eq!(impact.kept, 1);
    assert!(impact.note.is_some());
    assert_eq!(impact.unusual_count, 1);
    assert_eq!(impact.unusual[0].0, alone_name);
    assert!(impact.unusual[0].1.starts_with("stand-alone"));
    let inside = impact.inside();
    assert!(inside > 0);
    let job = s
        .start_removal(&ctx.admin, app::model::IntegrationId(0), target, "3".into())
        .await
        .unwrap();
    assert_eq!(ctx.finish_job(job.id).await, JobState::Succeeded);
    let done = s.removal(&ctx.admin, job.id).await.unwrap();
    assert_eq!((done.deleted, done.inside), (3, inside));
    assert_eq!(done.what, "ticked organizations");
    let left = |ids: &[i64]| {
        format!(
            "SELECT COUNT(*) FROM organizations WHERE id IN ({}) AND $1 = $1",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    assert_eq!(ctx.count(&left(&orphaned)).await, 0);
    assert_eq!(ctx.count(&left(&syncing)).await, 1);
    let theirs_left: i64 = server::on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(&left(&theirs))
        .bind(other.account_id.0)
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(theirs_left, 1);
}
on_both!(ticked_organizations_go_with_what_is_inside_and_the_result_counts_it);

/// View's chips: a type's items by sync state add up to the row, and a chip shows exactly its
/// items (the total, and every row of the page); an orphans row's reasons likewise.
async fn views_filter_chips_show_exactly_their_items(db: Db) {
    use app::model::{
        CatalogValueId, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, SyncState,
    };
    let ctx = setup(db).await;
    let s = services(&ctx);
    let value = ctx
        .ids(
            "SELECT configuration_type_id FROM configurations WHERE account_id = $1 AND \
             sync_state = 'orphaned' GROUP BY configuration_type_id ORDER BY COUNT(*) DESC \
             LIMIT 1",
        )
        .await[0];
    let query = |state| PreviewQuery {
        row: PreviewRow::Value {
            category: app::model::CatalogCategory::ConfigurationType,
            value: CatalogValueId(value),
        },
        sort: PreviewSort::Name,
        descending: false,
        at: PreviewPageAt::First,
        reason: None,
        state,
    };
    let all = s
        .preview(&ctx.admin, ctx.integration, query(None))
        .await
        .unwrap();
    assert!(all.reasons.is_empty());
    assert_eq!(all.states.iter().map(|(_, n)| n).sum::<i64>(), all.total);
    let orphaned = all
        .states
        .iter()
        .find(|(st, _)| *st == SyncState::Orphaned)
        .unwrap()
        .1;
    let page = s
        .preview(
            &ctx.admin,
            ctx.integration,
            query(Some(SyncState::Orphaned)),
        )
        .await
        .unwrap();
    assert_eq!(page.total, orphaned);
    assert!(!page.items.is_empty());
    assert!(page
        .items
        .iter()
        .all(|i| i.sync_state == Some(SyncState::Orphaned)));
    assert_eq!(
        page.states, all.states,
        "the chips stay whatever the filter"
    );

    let orphans = PreviewQuery {
        row: PreviewRow::Orphans {
            kind: ItemKind::Configuration,
        },
        ..query(None)
    };
    let all = s
        .preview(&ctx.admin, ctx.integration, orphans.clone())
        .await
        .unwrap();
    assert_eq!(all.reasons.iter().map(|(_, n)| n).sum::<i64>(), all.total);
    let (reason, n) = all.reasons[0];
    let page = s
        .preview(
            &ctx.admin,
            ctx.integration,
            PreviewQuery {
                reason: Some(reason),
                ..orphans
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, n);
    assert!(page.items.iter().all(|i| i.orphan_reason == Some(reason)));
}
on_both!(views_filter_chips_show_exactly_their_items);
