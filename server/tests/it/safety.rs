//! What a removal may delete, and what no request can do to SQL, on SQLite and PostgreSQL:
//! a search removal without bulk delete by type keeps every item the PSA still syncs (an empty
//! search included), says so in its impact, and deletes with the feature; search removals are
//! unique per account; search values are bound parameters, even on a PostgreSQL server whose
//! `standard_conforming_strings` is off.

use crate::common;

use app::model::{Feature, IntegrationId, ItemKind, ItemSearch, JobId};
use common::fixture::{setup, Ctx};
use server::db::Db;
use server::on_db;
use server::repo::{JobState, Queued, RemovalArgs};

const SYNCING_ORGS: &str = "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state IN ('enabled', 'error')";

fn search_args(text: &str, include_syncing: bool) -> RemovalArgs {
    RemovalArgs {
        integration: IntegrationId(0),
        kind: ItemKind::Organization,
        row: None,
        search: Some(ItemSearch::parse(text).unwrap()),
        include_syncing,
        reason: None,
        ids: None,
    }
}

async fn queue(ctx: &Ctx, args: &RemovalArgs, typed: i64) -> JobId {
    match ctx
        .repo
        .queue_removal(&ctx.admin, args, typed)
        .await
        .unwrap()
    {
        Queued::Job(job) => job,
        other => panic!("not queued: {other:?}"),
    }
}

/// Without the feature, "type: Customer" (a synced type) and an empty search delete only what the
/// PSA does not sync; the impact counts what is kept and why, and the typed count is what goes.
async fn a_search_removal_without_the_feature_keeps_what_the_psa_syncs(db: Db) {
    let ctx = setup(db).await;
    let syncing_before = ctx.count(SYNCING_ORGS).await;
    assert!(syncing_before > 0);
    let customers_syncing = ctx
        .count(
            "SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
             WHERE o.account_id = $1 AND v.name = 'Customer' AND o.sync_state IN ('enabled', 'error')",
        )
        .await;
    let customers_other = ctx
        .count(
            "SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
             WHERE o.account_id = $1 AND v.name = 'Customer' AND (o.sync_state IS NULL OR o.sync_state NOT IN ('enabled', 'error'))",
        )
        .await;
    assert!(customers_syncing > 0 && customers_other > 0);

    let args = search_args("type: Customer", false);
    let impact = ctx.repo.removal_impact(&ctx.admin, &args).await.unwrap();
    assert_eq!(
        impact.items, customers_other,
        "only what the PSA does not sync"
    );
    assert_eq!(impact.kept, customers_syncing);
    let note = impact.note.expect("the impact says why items are kept");
    assert!(
        note.contains("still syncing from ConnectWise Manage are not deleted: pause or disconnect their type first"),
        "{note}"
    );
    // Typing the number of every matching organization is refused: that is not what goes.
    assert_eq!(
        ctx.repo
            .queue_removal(&ctx.admin, &args, customers_syncing + customers_other)
            .await
            .unwrap(),
        Queued::CountChanged(customers_other)
    );
    let job = queue(&ctx, &args, impact.items).await;
    assert_eq!(ctx.finish_job(job).await, JobState::Succeeded);
    assert_eq!(
        ctx.count(SYNCING_ORGS).await,
        syncing_before,
        "no synced organization deleted"
    );

    // An empty search (Select All of the whole list) still keeps every synced organization.
    let args = search_args("", false);
    let impact = ctx.repo.removal_impact(&ctx.admin, &args).await.unwrap();
    let not_syncing = ctx
        .count("SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND (sync_state IS NULL OR sync_state NOT IN ('enabled', 'error'))")
        .await;
    assert_eq!(impact.items, not_syncing);
    assert_eq!(impact.kept, syncing_before);
    let job = queue(&ctx, &args, impact.items).await;
    assert_eq!(ctx.finish_job(job).await, JobState::Succeeded);
    assert_eq!(ctx.count(SYNCING_ORGS).await, syncing_before);
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM organizations WHERE account_id = $1")
            .await,
        syncing_before
    );
}
on_both!(a_search_removal_without_the_feature_keeps_what_the_psa_syncs);

/// With bulk delete by type the same search deletes synced organizations too, and says so.
async fn a_search_removal_with_the_feature_deletes_synced_items_and_says_so(db: Db) {
    let ctx = setup(db).await;
    ctx.repo
        .set_feature(
            ctx.admin.account_id,
            Feature::BulkDeleteByType,
            true,
            "test",
        )
        .await
        .unwrap();
    let customers = ctx
        .count(
            "SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
             WHERE o.account_id = $1 AND v.name = 'Customer'",
        )
        .await;
    let args = search_args("type: Customer", true);
    let impact = ctx.repo.removal_impact(&ctx.admin, &args).await.unwrap();
    assert_eq!(impact.items, customers);
    assert_eq!(impact.kept, 0);
    assert!(impact.note.unwrap().contains("are deleted too"));
    let job = queue(&ctx, &args, customers).await;
    assert_eq!(ctx.finish_job(job).await, JobState::Succeeded);
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
             WHERE o.account_id = $1 AND v.name = 'Customer'"
        )
        .await,
        0
    );
}
on_both!(a_search_removal_with_the_feature_deletes_synced_items_and_says_so);

/// Two accounts may each run a removal of the same search at once.
async fn search_removals_are_unique_per_account_not_across_accounts(db: Db) {
    let ctx = setup(db.clone()).await;
    let other = common::fixture::second_account(&ctx).await;
    let args = search_args("sync status: orphaned", false);
    let n = ctx
        .repo
        .removal_impact(&ctx.admin, &args)
        .await
        .unwrap()
        .items;
    let m = ctx.repo.removal_impact(&other, &args).await.unwrap().items;
    assert!(n > 0 && m > 0);
    assert!(matches!(
        ctx.repo.queue_removal(&ctx.admin, &args, n).await.unwrap(),
        Queued::Job(_)
    ));
    assert!(
        matches!(
            ctx.repo.queue_removal(&other, &args, m).await.unwrap(),
            Queued::Job(_)
        ),
        "another account's removal of the same search does not block this one"
    );
    assert_eq!(
        ctx.repo.queue_removal(&ctx.admin, &args, n).await.unwrap(),
        Queued::AlreadyQueued,
        "the same account's second one is refused"
    );
}
on_both!(search_removals_are_unique_per_account_not_across_accounts);

/// Quotes, backslashes, LIKE wildcards and SQL in a search are values, never SQL: they match
/// literally, and the count of an injection attempt is zero, not everything.
async fn search_text_is_bound_never_sql(db: Db) {
    let ctx = setup(db).await;
    let acc = ctx.admin.account_id.0;
    for name in ["O'Brien \\ Sons", "100% Uptime_Co", "x' OR '1'='1"] {
        on_db!(&ctx.repo.db, |pool| sqlx::query(
            "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(acc).bind(name).bind(chrono::Utc::now()).execute(pool).await.map(|_| ()))
        .unwrap();
    }
    let total = |s: &str| {
        let ctx = &ctx;
        let search = ItemSearch::parse(s).unwrap();
        async move {
            ctx.repo
                .items(&ctx.admin, ItemKind::Organization, &search, 1, false)
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(total("o'brien \\ sons").await, 1);
    assert_eq!(total("100%").await, 1);
    assert_eq!(total("uptime_co").await, 1);
    assert_eq!(total("%").await, 1, "a % is a character, not a wildcard");
    assert_eq!(total("_").await, 1);
    assert_eq!(total("x' OR '1'='1").await, 1);
    assert_eq!(total("type: x' OR '1'='1").await, 0);
    assert_eq!(total("type: \\' OR 1=1 --").await, 0);
    assert_eq!(total("status: ') OR (1=1").await, 0);
    // The same values in a removal's impact and frozen selection.
    let args = search_args("x' OR '1'='1", false);
    assert_eq!(
        ctx.repo
            .removal_impact(&ctx.admin, &args)
            .await
            .unwrap()
            .items,
        1
    );
    let args = search_args("type: \\' OR 1=1 --", false);
    assert_eq!(
        ctx.repo
            .removal_impact(&ctx.admin, &args)
            .await
            .unwrap()
            .items,
        0
    );
}
on_both!(search_text_is_bound_never_sql);

/// On a PostgreSQL server whose standard_conforming_strings is off a backslash in a string
/// literal is an escape: anything inlined would be an injection (or a syntax error). Searches
/// and search removals work exactly the same there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn searches_hold_on_postgres_without_standard_conforming_strings() {
    let url = common::fresh_postgres_url().await;
    {
        let db = Db::connect(&url).await.unwrap();
        let Db::Postgres(pool) = &db else {
            unreachable!()
        };
        let name: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(pool)
            .await
            .unwrap();
        sqlx::query("SET escape_string_warning = off")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(&format!(
            "ALTER DATABASE {name} SET standard_conforming_strings = off"
        ))
        .execute(pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let db = Db::connect(&url).await.unwrap();
    let scs: String = on_db!(&db, |pool| sqlx::query_scalar(
        "SHOW standard_conforming_strings"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(scs, "off");
    search_text_is_bound_never_sql(db).await;
}

/// Disable an item's sync, then delete it by any path (a search removal of its organization, a
/// row removal): its tombstone says "deleted locally", the next full sync does not bring it back
/// (sync rule 5), Disconnected Data lists it as deleted, and Reconnect lets the next full sync
/// recreate it from the PSA. Ids are never reused.
async fn a_disconnected_item_deleted_by_any_path_stays_deleted_until_reconnected(db: Db) {
    let ctx = setup(db).await;
    let (engine, _url, _sim) = common::fixture::connect_psa(&ctx).await;
    let acc = ctx.admin.account_id;
    let (ii, admin) = (ctx.integration, ctx.admin.clone());
    // An enabled organization with an enabled configuration, and another enabled configuration
    // of a type, elsewhere.
    let pair: (i64, i64) = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT o.id, c.id FROM organizations o JOIN configurations c ON c.organization_id = o.id
         WHERE o.account_id = $1 AND o.sync_state = 'enabled' AND c.sync_state = 'enabled' ORDER BY o.id, c.id LIMIT 1")
        .bind(acc.0).fetch_one(pool).await).unwrap();
    let (org, cfg) = pair;
    let lone: (i64, i64) = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT id, configuration_type_id FROM configurations
         WHERE account_id = $1 AND sync_state = 'enabled' AND organization_id <> $2 ORDER BY id DESC LIMIT 1")
        .bind(acc.0).bind(org).fetch_one(pool).await).unwrap();
    let (lone, lone_type) = lone;
    let mut psa_ids = Vec::new();
    for (kind, id) in [
        (ItemKind::Organization, org),
        (ItemKind::Configuration, cfg),
        (ItemKind::Configuration, lone),
    ] {
        let link = ctx
            .repo
            .item_link(&admin, ii, kind, id)
            .await
            .unwrap()
            .unwrap();
        psa_ids.push((kind, link.psa_id));
        ctx.repo
            .disable_item_sync(acc, ii, kind, id, &link, admin.user_id)
            .await
            .unwrap();
    }
    let exists = |kind: ItemKind, psa_id: i64| {
        let ctx = &ctx;
        let table = if kind == ItemKind::Organization {
            "organizations"
        } else {
            "configurations"
        };
        async move {
            ctx.count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE account_id = $1 AND psa_id = {psa_id}"
            ))
            .await
        }
    };

    // The organization (and its configuration, by cascade) through a search removal.
    let name: String = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT name FROM organizations WHERE id = $1"
    )
    .bind(org)
    .fetch_one(pool)
    .await)
    .unwrap();
    let args = RemovalArgs {
        search: Some(ItemSearch {
            text: name.clone(),
            sync: Some(app::model::SyncFilter::Disabled),
            ..ItemSearch::default()
        }),
        ..search_args("", false)
    };
    let impact = ctx.repo.removal_impact(&admin, &args).await.unwrap();
    assert!(impact.items >= 1);
    let job = queue(&ctx, &args, impact.items).await;
    assert_eq!(ctx.finish_job(job).await, JobState::Succeeded);
    // The lone configuration through a row removal of its type (the feature is on).
    ctx.repo
        .set_feature(acc, Feature::BulkDeleteByType, true, "test")
        .await
        .unwrap();
    let row = RemovalArgs {
        integration: ii,
        kind: ItemKind::Configuration,
        row: Some(server::repo::RowTarget {
            category: app::model::CatalogCategory::ConfigurationType,
            value: app::model::CatalogValueId(lone_type),
        }),
        search: None,
        include_syncing: false,
        reason: None,
        ids: None,
    };
    let n = ctx.repo.removal_impact(&admin, &row).await.unwrap().items;
    let job = queue(&ctx, &row, n).await;
    assert_eq!(ctx.finish_job(job).await, JobState::Succeeded);
    for (kind, psa_id) in &psa_ids {
        assert_eq!(exists(*kind, *psa_id).await, 0, "{kind:?} {psa_id} deleted");
    }

    // Every tombstone says "deleted locally", and a full sync recreates none of them.
    for kind in [ItemKind::Organization, ItemKind::Configuration] {
        let (_, listed) = ctx
            .repo
            .disconnected_items(&admin, ii, kind, 1)
            .await
            .unwrap();
        for (k, psa_id) in psa_ids.iter().filter(|(k, _)| *k == kind) {
            let t = listed
                .iter()
                .find(|t| t.psa_id == *psa_id)
                .unwrap_or_else(|| panic!("{k:?} {psa_id} listed"));
            assert!(t.deleted_locally, "{k:?} {psa_id} shows as deleted");
        }
    }
    let report = ctx.full_sync(&engine).await;
    assert_eq!(
        report.outcome,
        app::model::SyncOutcome::Succeeded,
        "{report:?}"
    );
    for (kind, psa_id) in &psa_ids {
        assert_eq!(
            exists(*kind, *psa_id).await,
            0,
            "{kind:?} {psa_id} did not come back"
        );
    }

    // Reconnect the lone configuration: the next full sync recreates it from the PSA, with a
    // new id (ids are never reused).
    let (_, listed) = ctx
        .repo
        .disconnected_items(&admin, ii, ItemKind::Configuration, 1)
        .await
        .unwrap();
    let entry = listed.iter().find(|t| t.psa_id == psa_ids[2].1).unwrap();
    let stone = ctx
        .repo
        .tombstone(&admin, ii, entry.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stone.item_id, None);
    ctx.repo.reconnect(acc, ii, entry.id, &stone).await.unwrap();
    let report = ctx.full_sync(&engine).await;
    assert_eq!(
        report.outcome,
        app::model::SyncOutcome::Succeeded,
        "{report:?}"
    );
    let new_id: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "SELECT id FROM configurations WHERE account_id = $1 AND psa_id = $2"
    )
    .bind(acc.0)
    .bind(psa_ids[2].1)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(
        new_id > lone,
        "a recreated item gets a new id, never a used one"
    );
    assert_eq!(exists(ItemKind::Organization, psa_ids[0].1).await, 0);
}
on_both!(a_disconnected_item_deleted_by_any_path_stays_deleted_until_reconnected);

/// The item with the largest id is deleted, then a new item is created: it never gets the
/// deleted one's id (SQLite reuses it without AUTOINCREMENT).
async fn item_ids_are_never_reused(db: Db) {
    let ctx = setup(db).await;
    let acc = ctx.admin.account_id.0;
    for table in ["organizations", "configurations", "contacts", "locations"] {
        let max = ctx
            .count(&format!(
                "SELECT MAX(id) FROM {table} WHERE account_id = $1"
            ))
            .await;
        on_db!(&ctx.repo.db, |pool| sqlx::query(&format!(
            "DELETE FROM {table} WHERE id = $1"
        ))
        .bind(max)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let org = ctx
            .count("SELECT MIN(id) FROM organizations WHERE account_id = $1")
            .await;
        let now = chrono::Utc::now();
        let sql = match table {
            "organizations" => "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, 'New', $2, $2) RETURNING id",
            "configurations" => "INSERT INTO configurations (account_id, organization_id, name, created_at, updated_at) VALUES ($1, $2, 'New', $3, $3) RETURNING id",
            "contacts" => "INSERT INTO contacts (account_id, organization_id, first_name, last_name, created_at, updated_at) VALUES ($1, $2, 'N', 'W', $3, $3) RETURNING id",
            _ => "INSERT INTO locations (account_id, organization_id, name, created_at, updated_at) VALUES ($1, $2, 'New', $3, $3) RETURNING id",
        };
        let new: i64 = on_db!(&ctx.repo.db, |pool| {
            let q = sqlx::query_scalar(sql).bind(acc);
            let q = if table == "organizations" {
                q
            } else {
                q.bind(org)
            };
            q.bind(now).fetch_one(pool).await
        })
        .unwrap_or_else(|e| panic!("{table}: {e}"));
        assert!(new > max, "{table}: new id {new} after deleting {max}");
    }
}
on_both!(item_ids_are_never_reused);

/// Free text finds an item by any part of its name, in the list (which SQLite narrows through
/// its trigram tables first) exactly as a removal's selection (which scans) does: quotes, odd
/// Unicode, searches shorter than a trigram, a renamed item under its new name only, a deleted
/// one no more, and a contact by its first and last name together.
async fn free_text_finds_the_same_items_as_a_removal_selects(db: Db) {
    let ctx = setup(db).await;
    let acc = ctx.admin.account_id.0;
    let now = chrono::Utc::now();
    let mut ids = Vec::new();
    for name in [
        "Zeta \"Quoted\" Ltd",
        "Ünïcødé Straße GmbH",
        "ΑΒΓ Systems",
        "Rocket 🚀 Launch",
        "O'Brien & Daughters",
        "qxqx qxqx",
        "Longname Consolidated Holdings International",
    ] {
        let id: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
            "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(acc).bind(name).bind(now).fetch_one(pool).await)
        .unwrap();
        ids.push(id);
    }
    let list = |s: &str| {
        let ctx = &ctx;
        let search = ItemSearch::parse(s).unwrap();
        async move {
            let page = ctx
                .repo
                .items(&ctx.admin, ItemKind::Organization, &search, 1, false)
                .await
                .unwrap();
            (
                page.total,
                page.items.into_iter().map(|i| i.name).collect::<Vec<_>>(),
            )
        }
    };
    let selected = |s: &str| {
        let ctx = &ctx;
        let args = search_args(s, true);
        async move {
            ctx.repo
                .removal_impact(&ctx.admin, &args)
                .await
                .unwrap()
                .items
        }
    };
    for (search, expected) in [
        ("\"quoted\" l", 1),
        ("zeta \"quo", 1),
        ("straße gmbh", 1),
        ("ïcødé str", 1),
        ("🚀 la", 1),
        ("rocket 🚀", 1),
        ("o'brien &", 1),
        ("qx", 1),
        ("xqx", 1),
        ("qxqx qxqx", 1),
        // Every trigram of it is in the name, but not the text itself.
        ("xqxq", 0),
        // Longer than 16 trigrams: some of them narrow, the text decides.
        ("consolidated holdings international", 1),
        ("consolidated holdings internationalx", 0),
        ("zzz-not-there", 0),
    ] {
        let (total, names) = list(search).await;
        assert_eq!(total, expected, "list {search:?}: {names:?}");
        assert_eq!(names.len() as i64, expected, "{search:?}");
        assert_eq!(selected(search).await, expected, "removal {search:?}");
    }
    // Upper-case Greek is not folded by SQLite's LIKE: neither path finds it, alike.
    assert_eq!(list("αβγ sys").await.0, selected("αβγ sys").await);
    // Renamed: found by its new name only. Deleted: found no more.
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "UPDATE organizations SET name = 'Renamed Widgets' WHERE id = $1"
    )
    .bind(ids[0])
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(list("quoted").await.0, 0);
    assert_eq!(list("named widg").await.0, 1);
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "DELETE FROM organizations WHERE id = $1"
    )
    .bind(ids[0])
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(list("named widg").await.0, 0);
    // A contact is found across its first and last name.
    let org = ids[1];
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO contacts (account_id, organization_id, first_name, last_name, created_at, updated_at) VALUES ($1, $2, 'Marguerite', 'Quillfeather', $3, $3)")
        .bind(acc).bind(org).bind(now).execute(pool).await.map(|_| ()))
    .unwrap();
    let search = ItemSearch::parse("rite quill").unwrap();
    let contacts = ctx
        .repo
        .items(&ctx.admin, ItemKind::Contact, &search, 1, false)
        .await
        .unwrap();
    assert_eq!(contacts.total, 1);
    assert_eq!(contacts.items[0].name, "Marguerite Quillfeather");
}
on_both!(free_text_finds_the_same_items_as_a_removal_selects);

async fn disconnected_data_pages_through_every_disconnected_item(db: Db) {
    use app::error::ErrorCode;
    use app::model::DISCONNECTED_PAGE;
    use app::services::prelude::*;
    let ctx = setup(db).await;
    let s = common::services(
        &ctx.repo,
        server::psa::RetryPolicy {
            reach: server::psa::net::Reach::LOOPBACK,
            ..server::psa::RetryPolicy::default()
        },
    );
    let admin = &ctx.admin;
    // More disconnected contacts than a page lists, a minute apart.
    let start = chrono::Utc::now() - chrono::Duration::days(30);
    for i in 0..DISCONNECTED_PAGE + 10 {
        on_db!(&ctx.repo.db, |pool| sqlx::query(
            "INSERT INTO disconnected_items (account_id, integration_id, item_kind, psa_id, name, disconnected_at)
             VALUES ($1, $2, 'contact', $3, $4, $5)")
            .bind(admin.account_id.0).bind(ctx.integration.0).bind(8_000_000 + i)
            .bind(format!("Old contact {i}")).bind(start + chrono::Duration::minutes(i))
            .execute(pool).await.map(|_| ()))
        .unwrap();
    }
    let total = ctx
        .count("SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1 AND item_kind = 'contact'")
        .await;
    assert!(total > DISCONNECTED_PAGE);

    // Page after page, newest first, every one of them once.
    let (mut seen, mut page) = (Vec::new(), 1);
    loop {
        let (t, list) = s
            .disconnected_items(admin, ctx.integration, ItemKind::Contact, page)
            .await
            .unwrap();
        assert_eq!(t, total);
        if list.is_empty() {
            break;
        }
        assert!(list.len() as i64 <= DISCONNECTED_PAGE);
        seen.extend(list.into_iter().map(|i| (i.disconnected_at, i.id)));
        page += 1;
    }
    assert_eq!(
        i64::from(page - 1),
        (total + DISCONNECTED_PAGE - 1) / DISCONNECTED_PAGE
    );
    assert_eq!(seen.len() as i64, total);
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, each once"
    );

    // Pages start at 1; one far past the end is empty, with the total.
    let e = s
        .disconnected_items(admin, ctx.integration, ItemKind::Contact, 0)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    let (t, far) = s
        .disconnected_items(admin, ctx.integration, ItemKind::Contact, u32::MAX)
        .await
        .unwrap();
    assert_eq!((t, far.len()), (total, 0));
}
on_both!(disconnected_data_pages_through_every_disconnected_item);
