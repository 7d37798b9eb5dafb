//! A listing that fails at any page or runs past its time bound changes nothing, and a sync
//! running beside a removal.

use super::*;

/// Rule 1: a listing that fails at any page (catalog, companies, a company's sites, any page of
/// configurations or contacts; a 500, malformed JSON or a cut connection) changes no item, and
/// the run is logged as failed with the PSA's error.
async fn a_failed_listing_at_any_page_changes_nothing(db: Db) {
    let ctx = setup(db, true).await;
    // Changes a successful full run would apply.
    let (_, deleted) = company_with(&ctx.d, Fate::Normal);
    ctx.psa(
        reqwest::Method::DELETE,
        &format!("companies/{deleted}"),
        json!({}),
    )
    .await;
    let prospect = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Prospect");
    let moved = ctx
        .d
        .companies
        .iter()
        .rev()
        .find(|c| c.fate == Fate::Normal && c.psa_id != deleted)
        .unwrap()
        .psa_id;
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{moved}"),
        json!({ "type_id": prospect, "name": "Renamed In The PSA" }),
    )
    .await;
    let before = ctx.links().await;
    let listed_company = moved;
    let cases: Vec<(&str, String, usize)> = vec![
        ("server_error", "company/companies/types".into(), 1),
        ("server_error", "company/companies".into(), 1),
        (
            "malformed_json",
            format!("company/companies/{listed_company}/sites"),
            1,
        ),
        ("server_error", "company/configurations".into(), 1),
        ("drop_connection", "company/configurations".into(), 2),
        ("malformed_json", "company/configurations".into(), 3),
        ("server_error", "company/contacts".into(), 1),
    ];
    for (fault, endpoint, page) in cases {
        let f = PageFault {
            endpoint: endpoint.clone(),
            page,
            times: None,
        };
        ctx.faults(match fault {
            "server_error" => Faults {
                server_error: Some(f),
                ..Default::default()
            },
            "malformed_json" => Faults {
                malformed_json: Some(f),
                ..Default::default()
            },
            _ => Faults {
                drop_connection: Some(f),
                ..Default::default()
            },
        });
        let report = ctx.sync(SyncMode::Full).await;
        assert_eq!(
            report.outcome,
            SyncOutcome::Failed,
            "{fault} at {endpoint} page {page}"
        );
        let error = report.error.unwrap();
        assert!(
            error.contains(&endpoint),
            "the error names the endpoint: {error}"
        );
        if fault == "server_error" {
            assert!(
                error.contains("An unexpected error has occurred"),
                "and the PSA's message: {error}"
            );
        }
        assert_eq!(
            ctx.links().await,
            before,
            "{fault} at {endpoint} page {page} changed items"
        );
        let run = ctx
            .repo
            .sync_run(ctx.account, ctx.integration, report.run_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(run.outcome, SyncOutcome::Failed);
        assert_eq!(run.error_message.as_deref(), Some(error.as_str()));
        let events = ctx
            .repo
            .sync_events(&ctx.admin(), report.run_id, 10, 0)
            .await
            .unwrap();
        assert_eq!(events[0].level, EventLevel::Error);
        assert_eq!(events[0].message, error);
    }
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM sync_staging WHERE $1 > 0")
            .await,
        0,
        "failed runs leave nothing staged"
    );
    // With the PSA healthy again, the same changes land.
    ctx.faults(Faults::default());
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let after = ctx.links().await;
    let gone = &after[&(ItemKind::Organization, deleted)];
    assert_eq!(
        (gone.state.as_str(), gone.reason.as_deref()),
        ("orphaned", Some("deleted_in_psa"))
    );
    let moved_item = &after[&(ItemKind::Organization, moved)];
    assert_eq!(moved_item.reason.as_deref(), Some("type_not_synced"));
    assert!(
        report.counts.orphaned > 2,
        "the organizations and their children: {report:?}"
    );
}
on_both!(a_failed_listing_at_any_page_changes_nothing);

/// A run's listing has a time bound (issue 33, item 6): a PSA that answers every page, just
/// slowly, cannot hold a run for ever. Past the bound the run fails, says why, and changes
/// nothing.
async fn a_listing_past_its_time_bound_fails_and_changes_nothing(db: Db) {
    let ctx = setup(db, true).await;
    let before = ctx.links().await;
    ctx.faults(Faults {
        slow_millis: Some(300),
        ..Default::default()
    });
    let mut engine = ctx.engine.clone();
    engine.max_listing = Duration::from_secs(1);
    let report = engine
        .run(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Failed);
    let error = report.error.unwrap();
    assert!(error.contains("took longer than 1 second"), "{error}");
    assert!(error.contains("nothing was changed"), "{error}");
    assert_eq!(ctx.links().await, before, "nothing changed");
}
on_both!(a_listing_past_its_time_bound_fails_and_changes_nothing);

/// A sync that runs in the middle of a removal neither brings back what the removal deleted nor
/// lets the removal delete what the sync made non-orphan.
async fn a_sync_during_a_removal(db: Db) {
    use server::repo::{Queued, RemovalArgs};
    let ctx = setup(db, true).await;
    let user_id = ctx
        .repo
        .create_user(server::repo::NewUser {
            account: ctx.account,
            email: "m@example.com",
            name: "M",
            password_hash: "x",
            role: app::model::Role::Manager,
            restricted: false,
        })
        .await
        .unwrap();
    let manager = app::model::CurrentUser {
        user_id,
        account_id: ctx.account,
        account_name: "Alpha IT".into(),
        email: "m@example.com".into(),
        name: "M".into(),
        role: app::model::Role::Manager,
        restricted: false,
    };
    // Orphans whose company the PSA still lists (type or status not synced), in id order.
    let orphans: Vec<(i64, i64)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT id, psa_id FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'
           AND orphan_reason IN ('type_not_synced', 'status_not_synced') ORDER BY id"
    )
    .bind(ctx.account.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    let total = ctx
        .count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'",
        )
        .await;
    let args = RemovalArgs::orphans(ctx.integration, ItemKind::Organization);
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(&manager, &args, total)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    ctx.repo
        .claim_job("w", chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    // A first chunk goes.
    ctx.repo
        .removal_chunk(ctx.account, job, "w", &args, 5)
        .await
        .unwrap();
    let deleted: Vec<i64> = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT t.item_id FROM removal_targets t WHERE t.job_id = $1 AND t.outcome = 'deleted'"
    )
    .bind(job.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert!(!deleted.is_empty());
    // In the PSA, two companies further down the list become customers in an active status.
    let customer = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Customer");
    let active = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationStatus, "Active");
    let rescued: Vec<(i64, i64)> = orphans.iter().rev().take(2).copied().collect();
    for (_, psa) in &rescued {
        ctx.psa(
            reqwest::Method::PATCH,
            &format!("companies/{psa}"),
            json!({ "type_id": customer, "status_id": active }),
        )
        .await;
    }
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    for id in &deleted {
        assert_eq!(
            ctx.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id = {id}"
            ))
            .await,
            0
        );
    }
    let deleted_psa: Vec<i64> = orphans
        .iter()
        .filter(|(id, _)| deleted.contains(id))
        .map(|(_, p)| *p)
        .collect();
    let links = ctx.links().await;
    assert!(
        deleted_psa
            .iter()
            .all(|p| !links.contains_key(&(ItemKind::Organization, *p))),
        "nothing deleted came back"
    );
    // What is inside the rescued two, before the removal goes on: it must all stay (SQLite
    // deletes the children by kind in statements of their own, PostgreSQL through the deleted
    // organizations' cascade; either way only a deleted organization's children may go).
    let inside = |id: i64| {
        format!(
            "SELECT (SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM locations WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM passwords WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM documents WHERE account_id = $1 AND organization_id = {id})"
        )
    };
    let mut kept_inside = Vec::new();
    for (id, _) in &rescued {
        kept_inside.push(ctx.count(&inside(*id)).await);
    }
    assert!(
        kept_inside.iter().sum::<i64>() > 0,
        "the rescued hold records"
    );
    // The removal finishes (another worker takes it over): the rescued two are skipped and kept.
    let mut worker = server::worker::Worker::new(ctx.repo.clone());
    worker.chunk = 50;
    worker.stale_after = std::time::Duration::ZERO;
    assert_eq!(
        worker.run_one().await.unwrap(),
        Some((job, server::repo::JobState::Succeeded))
    );
    for (id, psa) in &rescued {
        assert_eq!(
            ctx.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id = {id}"
            ))
            .await,
            1
        );
        assert_eq!(
            ctx.links().await[&(ItemKind::Organization, *psa)].state,
            "enabled"
        );
    }
    for ((id, _), before) in rescued.iter().zip(&kept_inside) {
        assert_eq!(ctx.count(&inside(*id)).await, *before, "inside {id}");
    }
    let (d, s) = ctx.repo.removal_outcomes(job).await.unwrap();
    assert_eq!((d + s, s >= 2), (total, true));
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'"
        )
        .await,
        0
    );
}
on_both!(a_sync_during_a_removal);
