//! First-sync matching of stand-alone items, rechecking after a permanent disconnect, and the
//! planner statistics a first sync leaves on SQLite.

use super::*;

/// Rule 6: the first sync links existing stand-alone items instead of duplicating them, and flags
/// those that already had data.
async fn the_first_sync_matches_stand_alone_items(db: Db) {
    let ctx = setup(db, false).await;
    ctx.check_every_value().await;

    // Stand-alone items typed in before the integration existed.
    let (with_data, _) = company_with(&ctx.d, Fate::Normal);
    let c = &ctx.d.companies[with_data];
    let without = ctx
        .d
        .companies
        .iter()
        .rposition(|x| x.fate == Fate::Normal)
        .unwrap();
    let cfg = ctx
        .d
        .configurations
        .iter()
        .find(|x| x.company == with_data && x.fate == Fate::Normal)
        .unwrap();
    let server_type = ctx
        .catalog_value(
            CatalogCategory::ConfigurationType,
            ctx.d.catalog[cfg.type_idx].name,
        )
        .await;
    let contact = ctx
        .d
        .contacts
        .iter()
        .find(|x| x.company == with_data && x.fate == Fate::Normal);
    on_db!(&ctx.repo.db, |pool| {
        let now = chrono::Utc::now();
        let org: i64 = sqlx::query_scalar("INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(ctx.account.0).bind(c.name.to_uppercase()).bind(now).fetch_one(pool).await.unwrap();
        sqlx::query("INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(ctx.account.0).bind(&ctx.d.companies[without].name).bind(now).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO configurations (account_id, organization_id, name, serial_number, configuration_type_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(ctx.account.0).bind(org).bind(&cfg.name).bind(&cfg.serial_number).bind(server_type.0).bind(now).execute(pool).await.unwrap();
        if let Some(p) = contact {
            sqlx::query("INSERT INTO contacts (account_id, organization_id, first_name, last_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
                .bind(ctx.account.0).bind(org).bind(p.first_name).bind(p.last_name).bind(now).execute(pool).await.unwrap();
        }
        sqlx::query("INSERT INTO documents (account_id, organization_id, title, body, created_at, updated_at) VALUES ($1, $2, 'Network', 'VLANs', $3, $3)")
            .bind(ctx.account.0).bind(org).bind(now).execute(pool).await.unwrap();
    });

    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    assert!(report.counts.created > 3000, "{report:?}");
    let links = ctx.links().await;
    let org = &links[&(ItemKind::Organization, c.psa_id)];
    assert!(org.had_data, "it had a document and a configuration");
    assert!(!links[&(ItemKind::Organization, ctx.d.companies[without].psa_id)].had_data);
    assert!(links[&(ItemKind::Configuration, cfg.psa_id)].had_data);
    if let Some(p) = contact {
        assert!(links[&(ItemKind::Contact, p.psa_id)].had_data);
    }
    // No duplicates, no stand-alone leftovers of the matched ones.
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND integration_id IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND integration_id IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM documents WHERE account_id = $1")
            .await,
        1
    );
    let matched = ctx
        .repo
        .sync_events(&ctx.admin(), report.run_id, 100, 0)
        .await
        .unwrap();
    assert!(matched.iter().any(
        |e| e.message.contains("matched an existing stand-alone item")
            && e.message.contains("had data")
    ));
    // Prospects and other unsynced values would not have been created had they been unchecked;
    // here everything is checked, so the whole PSA arrived, minus the nameless records.
    let nameless = report.counts.failed;
    assert!(nameless > 0);
    let second = ctx.sync(SyncMode::Full).await;
    assert_eq!(second.counts.created, 0, "{second:?}");
}
on_both!(the_first_sync_matches_stand_alone_items);

/// Re-checking a type after "Permanently disconnect records … but keep all data": the next full
/// sync matches the stand-alone items (organizations by name, and the items inside them)
/// instead of creating duplicates, and its log lists what it matched; later runs match nothing.
async fn rechecking_after_a_permanent_disconnect_matches_instead_of_duplicating(db: Db) {
    let ctx = setup(db, true).await;
    let first = ctx.sync(SyncMode::Full).await;
    assert_eq!(first.outcome, SyncOutcome::Succeeded, "{first:?}");
    let value: i64 = on_db!(&ctx.repo.db, |pool| {
        sqlx::query_scalar(
        "SELECT v.id FROM psa_catalog_values v JOIN organizations o ON o.organization_type_id = v.id
         WHERE v.account_id = $1 AND v.category = 'organization_type' AND v.sync_enabled = TRUE
           AND o.sync_state = 'enabled'
         GROUP BY v.id ORDER BY COUNT(*) DESC, v.id LIMIT 1")
        .bind(ctx.account.0).fetch_one(pool).await
    })
    .unwrap();
    let cv = ctx
        .repo
        .catalog_value(ctx.account, ctx.integration, CatalogValueId(value))
        .await
        .unwrap()
        .unwrap();
    let totals = "SELECT (SELECT COUNT(*) FROM organizations WHERE account_id = $1) || ',' ||
        (SELECT COUNT(*) FROM configurations WHERE account_id = $1) || ',' ||
        (SELECT COUNT(*) FROM contacts WHERE account_id = $1) || ',' ||
        (SELECT COUNT(*) FROM locations WHERE account_id = $1)";
    let text = |sql: &'static str| {
        let db = ctx.repo.db.clone();
        let account = ctx.account.0;
        async move {
            on_db!(&db, |pool| sqlx::query_scalar::<_, String>(sql)
                .bind(account)
                .fetch_one(pool)
                .await)
            .unwrap()
        }
    };
    let before = text(totals).await;
    let links_before = ctx.links().await;

    let unlinked = ctx
        .repo
        .disconnect_row(ctx.account, ctx.integration, &cv, None, "admin@example.com")
        .await
        .unwrap()
        .expect("no sync runs");
    let orgs = unlinked[0].1;
    assert!(orgs > 0, "{unlinked:?}");
    let links_mid = ctx.links().await;
    assert!(links_mid.len() < links_before.len());
    // Unchecked, the type's companies are not synced: nothing is created or linked again.
    let unchecked = ctx.sync(SyncMode::Full).await;
    assert_eq!(unchecked.counts.created, 0, "{unchecked:?}");
    assert_eq!(text(totals).await, before);

    // Checked again: matched, not duplicated.
    assert!(ctx
        .repo
        .change_sync_settings(
            ctx.account,
            ctx.integration,
            &SyncSettingsChange {
                values: vec![(CatalogValueId(value), true)],
                ..Default::default()
            },
        )
        .await
        .unwrap());
    let rechecked = ctx.sync(SyncMode::Full).await;
    assert_eq!(rechecked.outcome, SyncOutcome::Succeeded, "{rechecked:?}");
    assert_eq!(rechecked.counts.created, 0, "no duplicates: {rechecked:?}");
    let links_after = ctx.links().await;
    assert_eq!(text(totals).await, before, "as many items as before");
    // Every item that synced before is linked again, the same local item; those that were
    // orphans (status not synced, deleted in the PSA) stay stand-alone; nothing new appears.
    let lost: Vec<_> = links_before
        .iter()
        .filter(|(k, b)| b.state == "enabled" && links_after.get(k).map(|a| a.id) != Some(b.id))
        .collect();
    let gained: Vec<_> = links_after
        .keys()
        .filter(|k| !links_before.contains_key(k))
        .collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "lost {lost:?}, gained {gained:?}"
    );
    let relinked = links_after
        .keys()
        .filter(|k| !links_mid.contains_key(k))
        .count();
    assert!(relinked > 0);
    let events = ctx
        .repo
        .sync_events(&ctx.admin(), rechecked.run_id, 10_000, 0)
        .await
        .unwrap();
    let matched = events
        .iter()
        .filter(|e| {
            e.message
                .contains("matched an existing stand-alone item instead of a duplicate")
        })
        .count();
    assert_eq!(matched, relinked, "the run's log lists each match");
    // Done: the next run matches nothing and creates nothing.
    let after = ctx.sync(SyncMode::Full).await;
    assert_eq!(
        (after.counts.created, after.counts.updated),
        (0, 0),
        "{after:?}"
    );
}
on_both!(rechecking_after_a_permanent_disconnect_matches_instead_of_duplicating);

/// A SQLite server filled by syncing from its PSA (never by the dataset loader) has planner
/// statistics for what the sync filled: without them View by organization took 5 s at XL
/// instead of 1 ms. The first full sync leaves them, and an incremental run after it leaves
/// them as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_leaves_sqlite_planner_statistics() {
    let (db, _dir) = common::fresh_sqlite().await;
    let ctx = setup(db, false).await;
    ctx.check_every_value().await;
    let analyzed = || async {
        let Db::Sqlite(pool) = &ctx.repo.db else {
            unreachable!()
        };
        sqlx::query_as::<_, (String, String)>(
            "SELECT tbl, stat FROM sqlite_stat1 WHERE tbl IN ('organizations', 'configurations', 'contacts', 'locations')
             AND idx = tbl || '_orphans' ORDER BY tbl",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    assert_eq!(analyzed().await, Vec::new(), "nothing analyzed before");
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    let after_full = analyzed().await;
    let tables: Vec<&str> = after_full.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        tables,
        ["configurations", "contacts", "locations", "organizations"],
        "{after_full:?}"
    );
    // Each row's statistics start with the table's row count, as the sync left it.
    let configurations = ctx
        .count("SELECT COUNT(*) FROM configurations WHERE account_id = $1")
        .await;
    assert!(
        after_full[0].1.starts_with(&format!("{configurations} ")),
        "{after_full:?} against {configurations} configurations"
    );
    // An incremental run over an unchanged PSA leaves them as they were.
    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    assert_eq!(analyzed().await, after_full);
}
