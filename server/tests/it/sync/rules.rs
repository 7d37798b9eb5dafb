//! The sync rules of docs/DOMAIN.md one by one: the PSA wins for enabled items, unchecked types and
//! inactive configurations orphan, disabled items are never touched, disconnect and reconnect.

use super::*;

/// Rule 1 + 2 + 8 base case: a full sync of a PSA that matches Steward changes no state, writes
/// a succeeded run, and counts every item that cannot be stored as failed, with an event.
async fn full_sync_of_an_unchanged_psa_changes_nothing(db: Db) {
    let ctx = setup(db, true).await;
    let before = ctx.links().await;
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    assert_eq!(
        (report.counts.created, report.counts.orphaned),
        (0, 0),
        "{report:?}"
    );
    assert!(report.counts.unchanged > 3000, "{report:?}");
    let errors = before.values().filter(|i| i.state == "error").count() as i64;
    assert!(errors > 0);
    assert_eq!(report.counts.failed, errors, "items in error fail again");
    assert_eq!(ctx.links().await, before);
    assert_eq!(ctx.manage_data().await, ctx.expected().await);

    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 10)
        .await
        .unwrap();
    assert_eq!(runs[0].id, report.run_id);
    assert_eq!(runs[0].outcome, SyncOutcome::Succeeded);
    assert_eq!(runs[0].counts, report.counts);
    assert!(runs[0].finished_at.is_some());
    let events = ctx
        .repo
        .sync_events(&ctx.admin(), report.run_id, 1000, 0)
        .await
        .unwrap();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.level == EventLevel::Error)
        .collect();
    assert_eq!(failed.len() as i64, errors);
    assert!(failed[0].message.contains("without a name"), "{failed:?}");
    assert!(failed[0].psa_id.is_some() && failed[0].kind.is_some());
    // Nothing is left staged.
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM sync_staging WHERE $1 > 0")
            .await,
        0
    );
}
on_both!(full_sync_of_an_unchanged_psa_changes_nothing);

/// Rule 2: the PSA wins for enabled items; orphans keep their local fields.
async fn the_psa_wins_for_enabled_items(db: Db) {
    let ctx = setup(db, true).await;
    let plan = ctx.d.plan();
    let (i, enabled) = company_with(&ctx.d, Fate::Normal);
    let orphan = ctx
        .d
        .companies
        .iter()
        .zip(&plan.companies)
        .find(|(c, l)| c.fate == Fate::Normal && l.reason == Some(OrphanReason::TypeNotSynced))
        .unwrap()
        .0
        .psa_id;
    // A local edit of an enabled organization, and PSA renames of both.
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE organizations SET name = 'Edited In Steward' WHERE psa_id = $1"
    )
    .bind(enabled)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{orphan}"),
        json!({ "name": "Orphan Renamed" }),
    )
    .await;
    let before = ctx.links().await;
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let after = ctx.links().await;
    assert_eq!(
        after[&(ItemKind::Organization, enabled)].name,
        ctx.d.companies[i].name
    );
    assert_eq!(
        after[&(ItemKind::Organization, orphan)].name,
        before[&(ItemKind::Organization, orphan)].name
    );
    assert_eq!(report.counts.updated, 1, "{report:?}");
}
on_both!(the_psa_wins_for_enabled_items);

/// Rule 3 (+ 7, 8): unchecking a type shows Sync Active: No at once; only the next FULL sync
/// orphans its items (and their children), with reasons and events; re-checking resumes them.
async fn unchecked_types_orphan_after_the_next_full_sync(db: Db) {
    let ctx = setup(db, true).await;
    let vendor = ctx
        .catalog_value(CatalogCategory::OrganizationType, "Vendor")
        .await;
    let vendor_psa = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Vendor");
    let plan = ctx.d.plan();
    let vendors: Vec<i64> = ctx
        .d
        .companies
        .iter()
        .zip(&plan.companies)
        .filter(|(c, l)| {
            c.type_idx
                == ctx
                    .d
                    .catalog
                    .iter()
                    .position(|e| {
                        e.category == CatalogCategory::OrganizationType && e.psa_id == vendor_psa
                    })
                    .unwrap()
                && l.state == Some(app::model::SyncState::Enabled)
        })
        .map(|(c, _)| c.psa_id)
        .collect();
    assert!(!vendors.is_empty());
    ctx.set_synced(vendor, false).await;
    let md = ctx.manage_data().await;
    assert!(md
        .synced_items
        .iter()
        .any(|r| r.type_or_status == "Type: Vendor" && r.sync_active == "No"));
    let before = ctx.links().await;

    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    assert_eq!(
        ctx.links().await,
        before,
        "an incremental run orphans nothing"
    );

    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let after = ctx.links().await;
    for v in &vendors {
        let org = &after[&(ItemKind::Organization, *v)];
        assert_eq!(
            (org.state.as_str(), org.reason.as_deref()),
            ("orphaned", Some("type_not_synced"))
        );
    }
    let newly_orphaned = after
        .iter()
        .filter(|(k, i)| i.state == "orphaned" && before[*k].state != "orphaned")
        .count();
    let children_orphaned = newly_orphaned - vendors.len();
    assert!(
        children_orphaned > 0,
        "their configurations, contacts and locations too"
    );
    assert!(after
        .iter()
        .filter(|((k, _), i)| *k != ItemKind::Organization && i.state == "orphaned")
        .all(|(_, i)| i.reason.is_some()));
    assert_eq!(
        report.counts.orphaned as usize,
        vendors.len() + children_orphaned,
        "{report:?}"
    );
    let events = ctx
        .repo
        .sync_events(&ctx.admin(), report.run_id, 10_000, 0)
        .await
        .unwrap();
    let orphan_events = events
        .iter()
        .filter(|e| e.level == EventLevel::Warning && e.message.contains("became an orphan"))
        .count();
    assert_eq!(orphan_events as i64, report.counts.orphaned);
    // Children that were orphans for their own reason now say their organization stopped syncing.
    assert!(events
        .iter()
        .any(|e| e.reason == Some(OrphanReason::ParentNotSyncing)
            && e.message.contains("still an orphan, now because")));
    assert!(events
        .iter()
        .any(|e| e.reason == Some(OrphanReason::TypeNotSynced)
            && e.message.contains("became an orphan: Type not synced")));

    // Re-checking resumes them at the next full sync.
    ctx.set_synced(vendor, true).await;
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    assert_eq!(ctx.links().await, before);
    assert_eq!(ctx.manage_data().await, ctx.expected().await);
}
on_both!(unchecked_types_orphan_after_the_next_full_sync);

/// Rule 4: a configuration that turns inactive is marked inactive whatever the settings, and
/// orphaned (with its own reason) when its status is not synced.
async fn inactive_configurations(db: Db) {
    let ctx = setup(db, true).await;
    let plan = ctx.d.plan();
    let mut enabled = ctx
        .d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .filter(|(_, l)| l.state == Some(app::model::SyncState::Enabled))
        .map(|(c, _)| c.psa_id);
    let (a, b) = (enabled.next().unwrap(), enabled.next().unwrap());
    let retired = catalog_psa_id(&ctx.d, CatalogCategory::ConfigurationStatus, "Retired");
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("configurations/{a}"),
        json!({ "active": false }),
    )
    .await;
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("configurations/{b}"),
        json!({ "active": false, "status_id": retired }),
    )
    .await;

    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    assert_eq!(report.counts.updated, 2, "{report:?}");
    let links = ctx.links().await;
    let (ia, ib) = (
        &links[&(ItemKind::Configuration, a)],
        &links[&(ItemKind::Configuration, b)],
    );
    assert!(
        !ia.active && !ib.active,
        "inactive at once, whatever the settings"
    );
    assert_eq!(
        (ia.state.as_str(), ib.state.as_str()),
        ("enabled", "enabled")
    );

    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.counts.orphaned, 1, "{report:?}");
    let links = ctx.links().await;
    assert_eq!(links[&(ItemKind::Configuration, a)].state, "enabled");
    let ib = &links[&(ItemKind::Configuration, b)];
    assert_eq!(
        (ib.state.as_str(), ib.reason.as_deref()),
        ("orphaned", Some("inactive_status_not_synced"))
    );
}
on_both!(inactive_configurations);

/// Rule 5: items with sync disabled are never touched, and disconnected items deleted since are
/// never recreated.
async fn disabled_items_are_never_touched(db: Db) {
    let ctx = setup(db, true).await;
    let (_, disabled) = company_with(&ctx.d, Fate::Disabled);
    let prospect = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Prospect");
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{disabled}"),
        json!({ "type_id": prospect, "name": "Renamed" }),
    )
    .await;
    let before = ctx.links().await;
    let tombstones = ctx
        .count("SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1 AND item_id IS NULL")
        .await;
    assert!(tombstones > 0);
    for mode in [SyncMode::Incremental, SyncMode::Full] {
        let report = ctx.sync(mode).await;
        assert_eq!(report.outcome, SyncOutcome::Succeeded);
        assert_eq!(
            report.counts.created, 0,
            "nothing disconnected is recreated: {report:?}"
        );
        assert_eq!(ctx.links().await, before);
    }
    let type_id: Option<i64> = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT v.psa_id FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id WHERE o.psa_id = $1")
        .bind(disabled).fetch_one(pool).await).unwrap();
    assert_ne!(type_id, Some(prospect), "not even its type changed");
}
on_both!(disabled_items_are_never_touched);

/// Disconnect (the whole integration): every item becomes stand-alone in one transaction, nothing
/// is deleted, no run starts afterwards; refused while a sync runs.
async fn disconnect_makes_every_item_stand_alone(db: Db) {
    let ctx = setup(db, true).await;
    let items = "SELECT (SELECT COUNT(*) FROM organizations WHERE account_id = $1) + (SELECT COUNT(*) FROM configurations WHERE account_id = $1)
        + (SELECT COUNT(*) FROM contacts WHERE account_id = $1) + (SELECT COUNT(*) FROM locations WHERE account_id = $1)
        + (SELECT COUNT(*) FROM passwords WHERE account_id = $1) + (SELECT COUNT(*) FROM documents WHERE account_id = $1)";
    let before = ctx.count(items).await;
    let linked = ctx.links().await.len() as i64;

    // While a run is going, it is refused and nothing changes.
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO sync_runs (account_id, integration_id, mode, trigger_source, outcome, started_at, heartbeat_at) VALUES ($1, $2, 'full', 'manual', 'running', $3, $3)")
        .bind(ctx.account.0).bind(ctx.integration.0).bind(chrono::Utc::now()).execute(pool).await.map(|_| ())).unwrap();
    assert_eq!(
        ctx.repo
            .disconnect_integration(ctx.account, ctx.integration, None)
            .await
            .unwrap(),
        server::repo::Disconnected::SyncRunning
    );
    assert_eq!(ctx.links().await.len() as i64, linked);
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE sync_runs SET outcome = 'failed' WHERE outcome = 'running'"
    )
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();

    let server::repo::Disconnected::Done(counts) = ctx
        .repo
        .disconnect_integration(ctx.account, ctx.integration, None)
        .await
        .unwrap()
    else {
        panic!("disconnected")
    };
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), linked);
    assert!(ctx.links().await.is_empty(), "every item is stand-alone");
    assert_eq!(ctx.count(items).await, before, "nothing was deleted");
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1")
            .await,
        0
    );
    assert!(ctx.repo.integrations(ctx.account).await.unwrap().is_empty());
    assert!(matches!(
        ctx.engine
            .run(
                ctx.account,
                ctx.integration,
                SyncMode::Full,
                SyncTrigger::Manual
            )
            .await,
        Err(SyncError::NotFound | SyncError::NoCredentials)
    ));
    assert_eq!(
        ctx.repo
            .disconnect_integration(ctx.account, ctx.integration, None)
            .await
            .unwrap(),
        server::repo::Disconnected::NotFound
    );
    // Types and statuses keep their names on the stand-alone items.
    assert!(ctx.count("SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND organization_type_id IS NOT NULL").await > 0);
}
on_both!(disconnect_makes_every_item_stand_alone);

/// Reconnect of an item deleted in Steward after it was disconnected: the next full sync
/// recreates it from the PSA (until then, the tombstone kept the sync from recreating it).
async fn a_reconnected_deleted_item_is_recreated_by_the_next_full_sync(db: Db) {
    let ctx = setup(db, true).await;
    let plan = ctx.d.plan();
    let cfg = ctx
        .d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .find(|(c, l)| {
            c.fate == Fate::DisconnectedThenDeleted
                && l.state == Some(app::model::SyncState::Enabled)
        })
        .map(|(c, _)| c.psa_id)
        .expect("the S dataset has one");
    let admin = ctx.admin();
    let tombstone: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT id FROM disconnected_items WHERE item_kind = 'configuration' AND psa_id = $1"
    )
    .bind(cfg)
    .fetch_one(pool)
    .await)
    .unwrap();
    ctx.sync(SyncMode::Full).await;
    assert!(
        !ctx.links()
            .await
            .contains_key(&(ItemKind::Configuration, cfg)),
        "not recreated while disconnected"
    );
    let t = ctx
        .repo
        .tombstone(&admin, ctx.integration, tombstone)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.item_id, None);
    ctx.repo
        .reconnect(ctx.account, ctx.integration, tombstone, &t)
        .await
        .unwrap();
    let report = ctx.sync(SyncMode::Full).await;
    assert!(report.counts.created >= 1, "{report:?}");
    assert_eq!(
        ctx.links().await[&(ItemKind::Configuration, cfg)].state,
        "enabled"
    );
}
on_both!(a_reconnected_deleted_item_is_recreated_by_the_next_full_sync);
