//! The Manage Data summary's kept counts (`item_counts`, kept by database triggers) equal a
//! fresh COUNT after every kind of change, on SQLite and PostgreSQL: a load, a full sync that
//! orphans and re-links, the edit pencil, Disable sync, Pause, a permanent disconnect, Reconnect,
//! a removal, a restore, a catalog value deleted under its items, and disconnecting the
//! integration. Two accounts share the database; each keeps its own counts.

use crate::common;

use app::model::{
    CatalogCategory, CurrentUser, ItemKind, ItemSearch, PreviewPageAt, PreviewQuery, PreviewRow,
    PreviewSort, Role,
};
use app::services::prelude::*;
use common::fixture::{connect_psa, second_account, setup, Ctx};
use server::db::Db;
use server::on_db;
use server::psa::RetryPolicy;
use server::repo::JobState;
use std::collections::BTreeMap;

type Key = (i64, i64, String, i64, i64, String, String, bool);
/// A kept count row: its key and its count.
type KeptRow = (i64, i64, String, i64, i64, String, String, bool, i64);
/// A fresh count row of one kind: account, integration, type, status, state, reason, active, n.
type FreshRow = (i64, i64, i64, i64, String, String, bool, i64);

/// Every kept count of the database that is not zero, by key.
async fn kept(ctx: &Ctx) -> BTreeMap<Key, i64> {
    let rows: Vec<KeptRow> =
        on_db!(&ctx.repo.db, |pool| sqlx::query_as(
            "SELECT account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason,
                    active, CAST(SUM(n) AS BIGINT)
             FROM item_counts
             GROUP BY account_id, integration_id, item_kind, type_id, status_id, sync_state, orphan_reason, active")
            .fetch_all(pool).await)
        .unwrap();
    rows.into_iter()
        .filter(|r| r.8 != 0)
        .map(|(a, i, k, t, s, st, r, ac, n)| ((a, i, k, t, s, st, r, ac), n))
        .collect()
}

/// The same counts taken afresh from every item and tombstone of the database.
async fn fresh(ctx: &Ctx) -> BTreeMap<Key, i64> {
    let mut out = BTreeMap::new();
    for (kind, table, t, s, active) in [
        (
            "organization",
            "organizations",
            "organization_type_id",
            "organization_status_id",
            "TRUE",
        ),
        (
            "configuration",
            "configurations",
            "configuration_type_id",
            "configuration_status_id",
            "active",
        ),
        ("contact", "contacts", "contact_type_id", "0", "TRUE"),
        ("location", "locations", "0", "0", "TRUE"),
    ] {
        let sql = format!(
            "SELECT account_id, CAST(COALESCE(integration_id, 0) AS BIGINT), CAST(COALESCE({t}, 0) AS BIGINT),
                    CAST(COALESCE({s}, 0) AS BIGINT), COALESCE(sync_state, ''),
                    COALESCE(orphan_reason, ''), {active} = TRUE, COUNT(*)
             FROM {table}
             GROUP BY account_id, COALESCE(integration_id, 0), COALESCE({t}, 0), COALESCE({s}, 0),
                      COALESCE(sync_state, ''), COALESCE(orphan_reason, ''), {active} = TRUE"
        );
        let rows: Vec<FreshRow> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(&sql)
            .fetch_all(pool)
            .await)
        .unwrap();
        for (a, i, t, s, st, r, ac, n) in rows {
            out.insert((a, i, kind.to_string(), t, s, st, r, ac), n);
        }
    }
    let rows: Vec<(i64, i64, String, i64)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT account_id, integration_id, item_kind, COUNT(*) FROM disconnected_items
         GROUP BY account_id, integration_id, item_kind"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    for (a, i, k, n) in rows {
        out.insert(
            (a, i, k, 0, 0, "disconnected".into(), String::new(), true),
            n,
        );
    }
    out
}

/// The kept counts equal fresh ones, and the screen read from them equals the screen counted
/// afresh (also after folding the kept rows).
async fn check(ctx: &Ctx, everywhere: &CurrentUser, after: &str) {
    let fresh = fresh(ctx).await;
    // The lists' totals from the kept counts equal those counted for a user restricted to
    // every organization (whose lists count rows).
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO user_organization_access (account_id, user_id, organization_id)
         SELECT $2, $1, id FROM organizations o WHERE account_id = $2
           AND NOT EXISTS (SELECT 1 FROM user_organization_access a WHERE a.user_id = $1 AND a.organization_id = o.id)")
        .bind(everywhere.user_id.0).bind(ctx.admin.account_id.0).execute(pool).await.map(|_| ()))
    .unwrap();
    let names: Vec<(String, String)> = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT category, name FROM psa_catalog_values WHERE account_id = $1 ORDER BY id"
    )
    .bind(ctx.admin.account_id.0)
    .fetch_all(pool)
    .await)
    .unwrap();
    let mut searches: Vec<String> = [
        "",
        "sync status: orphaned",
        "sync status: enabled",
        "sync status: disabled",
        "sync status: stand-alone",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (category, name) in names.iter().step_by(3) {
        let key = if category.ends_with("status") {
            "status"
        } else {
            "type"
        };
        searches.push(format!("{key}: \"{}\"", name.to_uppercase()));
    }
    for kind in ItemKind::ALL {
        for search in &searches {
            let parsed = ItemSearch::parse(search).unwrap();
            for inactive in [false, true] {
                let kept = ctx
                    .repo
                    .items(&ctx.admin, *kind, &parsed, 1, inactive)
                    .await
                    .unwrap();
                let counted = ctx
                    .repo
                    .items(everywhere, *kind, &parsed, 1, inactive)
                    .await
                    .unwrap();
                assert_eq!(
                    (kept.total, kept.items.len()),
                    (counted.total, counted.items.len()),
                    "{kind:?} list, {search:?}, inactive orphans {inactive}, after {after}"
                );
            }
        }
    }
    assert_eq!(kept(ctx).await, fresh, "kept counts after {after}");
    if let Some(integration) = ctx
        .repo
        .integrations(ctx.admin.account_id)
        .await
        .unwrap()
        .into_iter()
        .next()
    {
        let screen = ctx
            .repo
            .manage_data(&ctx.admin, integration.clone())
            .await
            .unwrap();
        let recounted = ctx
            .repo
            .manage_data_recounted(&ctx.admin, integration.clone())
            .await
            .unwrap();
        assert_eq!(screen, recounted, "Manage Data after {after}");
        // View's totals, read from the kept counts, are the screen's numbers.
        let rows = screen
            .synced_items
            .iter()
            .map(|r| {
                (
                    PreviewRow::Value {
                        category: r.category,
                        value: r.value_id,
                    },
                    r.counts.total(),
                )
            })
            .chain(
                screen
                    .orphaned_data
                    .iter()
                    .map(|k| (PreviewRow::Orphans { kind: k.kind }, k.count)),
            );
        for (row, expected) in rows {
            let page = ctx
                .repo
                .preview(
                    &ctx.admin,
                    integration.id,
                    &PreviewQuery {
                        reason: None,
                        state: None,
                        row,
                        sort: PreviewSort::Name,
                        descending: false,
                        at: PreviewPageAt::First,
                    },
                )
                .await
                .unwrap()
                .expect("the row");
            assert_eq!(page.total, expected, "View of {row:?} after {after}");
        }
        assert!(
            screen.synced_items.iter().any(|r| r.counts.enabled > 0),
            "a screen with counts in it"
        );
        ctx.repo
            .compact_counts(ctx.admin.account_id.0)
            .await
            .unwrap();
        assert_eq!(kept(ctx).await, fresh, "folded counts after {after}");
    }
}

async fn an_id(ctx: &Ctx, sql: &str) -> i64 {
    ctx.ids(sql).await[0]
}

/// The catalog value `sql` names first (the fixture's integration's).
async fn least_used(ctx: &Ctx, sql: &str) -> server::repo::CatalogValue {
    let id = an_id(ctx, sql).await;
    ctx.repo
        .catalog_value(
            ctx.admin.account_id,
            ctx.integration,
            app::model::CatalogValueId(id),
        )
        .await
        .unwrap()
        .expect("the integration's value")
}

async fn kept_counts_equal_a_fresh_count_after_every_change(db: Db) {
    let ctx = setup(db).await;
    second_account(&ctx).await;
    let everywhere = common::user(
        &ctx.repo,
        ctx.admin.account_id,
        "everywhere@example.com",
        Role::Administrator,
        true,
    )
    .await;
    check(&ctx, &everywhere, "the loads").await;
    let account = ctx.admin.account_id;
    let integration = ctx.integration;

    // A full sync after the PSA deleted two companies and a configuration and after a type was
    // unchecked (Pause): orphans by three reasons, with their children.
    let (engine, _url, sim) = connect_psa(&ctx).await;
    {
        let mut r = sim.records.write().unwrap();
        let first_two: Vec<i64> = r.companies.ids().iter().take(2).copied().collect();
        for id in first_two {
            r.companies.remove(id);
        }
        let first = r.configurations.ids()[0];
        r.configurations.remove(first);
    }
    let value = least_used(
        &ctx,
        "SELECT organization_type_id FROM organizations WHERE account_id = $1 AND sync_state = 'enabled'
         AND organization_type_id IS NOT NULL GROUP BY organization_type_id ORDER BY COUNT(*), organization_type_id",
    )
    .await;
    ctx.repo
        .pause_row(
            account,
            integration,
            &value,
            Some(ctx.admin.user_id),
            "a@example.com",
        )
        .await
        .unwrap();
    check(&ctx, &everywhere, "Pause").await;
    let report = ctx.full_sync(&engine).await;
    assert_eq!(
        report.outcome,
        app::model::SyncOutcome::Succeeded,
        "{report:?}"
    );
    assert!(report.counts.orphaned > 0, "{report:?}");
    check(&ctx, &everywhere, "a full sync").await;

    // The edit pencil: an organization's and a configuration's type and status.
    for (kind, category_t, category_s, sql) in [
        (
            ItemKind::Organization,
            CatalogCategory::OrganizationType,
            CatalogCategory::OrganizationStatus,
            "SELECT id FROM organizations WHERE account_id = $1 AND sync_state = 'enabled' ORDER BY id",
        ),
        (
            ItemKind::Configuration,
            CatalogCategory::ConfigurationType,
            CatalogCategory::ConfigurationStatus,
            "SELECT id FROM configurations WHERE account_id = $1 AND sync_state = 'enabled' ORDER BY id",
        ),
    ] {
        let item = an_id(&ctx, sql).await;
        let pick = |c: CatalogCategory| {
            format!(
                "SELECT id FROM psa_catalog_values WHERE account_id = $1 AND category = '{}' ORDER BY id DESC",
                c.as_str()
            )
        };
        let t = an_id(&ctx, &pick(category_t)).await;
        let s = an_id(&ctx, &pick(category_s)).await;
        ctx.repo
            .set_item_classification(account, kind, item, t, s)
            .await
            .unwrap();
        check(&ctx, &everywhere, "the edit pencil").await;
    }

    // Disable sync on a contact: red plug and a tombstone.
    let contact = an_id(
        &ctx,
        "SELECT id FROM contacts WHERE account_id = $1 AND sync_state = 'enabled' ORDER BY id",
    )
    .await;
    let link = ctx
        .repo
        .item_link(&ctx.admin, integration, ItemKind::Contact, contact)
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .disable_item_sync(
            account,
            integration,
            ItemKind::Contact,
            contact,
            &link,
            ctx.admin.user_id,
        )
        .await
        .unwrap();
    check(&ctx, &everywhere, "Disable sync").await;

    // A permanent disconnect of a configuration type.
    let value = least_used(
        &ctx,
        "SELECT configuration_type_id FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL
         AND configuration_type_id IS NOT NULL GROUP BY configuration_type_id ORDER BY COUNT(*), configuration_type_id",
    )
    .await;
    ctx.repo
        .disconnect_row(
            account,
            integration,
            &value,
            Some(ctx.admin.user_id),
            "a@example.com",
        )
        .await
        .unwrap();
    check(&ctx, &everywhere, "a permanent disconnect").await;

    // Reconnect of the contact.
    let tombstone = an_id(
        &ctx,
        &format!(
            "SELECT id FROM disconnected_items WHERE account_id = $1 AND item_kind = 'contact' AND item_id = {contact}"
        ),
    )
    .await;
    let t = ctx
        .repo
        .tombstone(&ctx.admin, integration, tombstone)
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .reconnect(account, integration, tombstone, &t)
        .await
        .unwrap();
    check(&ctx, &everywhere, "Reconnect").await;

    // A removal of every orphaned organization (with their children), then its restore.
    let job = ctx.remove_orphans(ItemKind::Organization).await;
    check(&ctx, &everywhere, "a removal").await;
    let s = common::services(&ctx.repo, RetryPolicy::default());
    let restore = s.start_restore(&ctx.admin, job, None).await.unwrap();
    assert_eq!(ctx.finish_job(restore.id).await, JobState::Succeeded);
    check(&ctx, &everywhere, "a restore").await;

    // A catalog value deleted under its items (ON DELETE SET NULL).
    let value = an_id(
        &ctx,
        "SELECT configuration_status_id FROM configurations WHERE account_id = $1 AND configuration_status_id IS NOT NULL
         ORDER BY id",
    )
    .await;
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "DELETE FROM psa_catalog_values WHERE id = $1"
    )
    .bind(value)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    check(&ctx, &everywhere, "a catalog value's deletion").await;

    // Disconnecting the integration: every item stand-alone, no tombstone left.
    ctx.repo
        .disconnect_integration(account, integration, None)
        .await
        .unwrap();
    check(&ctx, &everywhere, "disconnecting the integration").await;
    assert!(
        kept(&ctx)
            .await
            .keys()
            .all(|k| k.0 != account.0 || k.1 != integration.0),
        "nothing counted for a disconnected integration"
    );
}
on_both!(kept_counts_equal_a_fresh_count_after_every_change);
