//! The settings preview of the next full sync and the paged preview of a row's items.

use super::*;

/// The Configuration screen's preview: what a settings change will do at the next full sync,
/// computed from Steward's data, is what the next full sync does.
async fn a_settings_preview_predicts_the_next_full_sync(db: Db) {
    let ctx = setup(db, true).await;
    let vendor = ctx
        .catalog_value(CatalogCategory::OrganizationType, "Vendor")
        .await;
    let prospect = ctx
        .catalog_value(CatalogCategory::OrganizationType, "Prospect")
        .await;
    let laptop = ctx
        .catalog_value(CatalogCategory::ConfigurationType, "Laptop")
        .await;
    let change = SyncSettingsChange {
        values: vec![(vendor, false), (prospect, true), (laptop, false)],
        ..Default::default()
    };
    let effect = ctx
        .repo
        .preview_sync_settings(ctx.account, ctx.integration, &change)
        .await
        .unwrap();
    let before = ctx.links().await;
    assert!(ctx
        .repo
        .change_sync_settings(ctx.account, ctx.integration, &change)
        .await
        .unwrap());
    let report = ctx.sync(SyncMode::Full).await;
    let after = ctx.links().await;
    for kind in ItemKind::ALL {
        let orphaned = after
            .iter()
            .filter(|((k, p), i)| {
                k == kind && i.state == "orphaned" && before[&(*k, *p)].state != "orphaned"
            })
            .count() as i64;
        let resumed = after
            .iter()
            .filter(|((k, p), i)| {
                k == kind && i.state == "enabled" && before[&(*k, *p)].state == "orphaned"
            })
            .count() as i64;
        assert_eq!(
            effect.orphaned.iter().find(|(k, _)| k == kind).unwrap().1,
            orphaned,
            "{kind:?} orphaned"
        );
        assert_eq!(
            effect.resumed.iter().find(|(k, _)| k == kind).unwrap().1,
            resumed,
            "{kind:?} resumed"
        );
    }
    let predicted: i64 = effect.orphaned.iter().map(|(_, n)| n).sum();
    assert!(
        predicted > 0 && effect.resumed.iter().any(|(_, n)| *n > 0),
        "{effect:?}"
    );
    assert_eq!(predicted, report.counts.orphaned);
}
on_both!(a_settings_preview_predicts_the_next_full_sync);

/// The text View sorts an item by, as the item shows it.
fn sort_key(sort: app::model::PreviewSort, i: &app::model::PreviewItem) -> String {
    use app::model::PreviewSort;
    match sort {
        PreviewSort::Name => i.name.clone(),
        PreviewSort::Organization => i.organization.clone(),
        PreviewSort::Type => i.type_name.clone().unwrap_or_default(),
        PreviewSort::Status => i.status_name.clone().unwrap_or_default(),
        PreviewSort::SyncState => i
            .sync_state
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        PreviewSort::OrphanReason => i
            .orphan_reason
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        // Never synced first, then in time.
        PreviewSort::LastSynced => i
            .last_synced_at
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.9f").to_string())
            .unwrap_or_default(),
    }
}

/// View: keyset pages cover exactly a row's items, forward and backward, in the chosen order.
async fn the_preview_pages_through_exactly_a_rows_items(db: Db) {
    use app::model::{PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort};
    let ctx = setup(db, true).await;
    let admin = ctx.admin();
    let workstation = ctx
        .catalog_value(CatalogCategory::ConfigurationType, "Workstation")
        .await;
    let expected = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL AND configuration_type_id = {}",
            workstation.0
        ))
        .await;
    assert!(expected > 100, "more than two pages");
    let orphans = ctx
        .count("SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL AND sync_state = 'orphaned'")
        .await;
    assert!(orphans > 100, "more than two pages of orphans");
    // Three last-synced times (never, a year ago, the load's), so that order means something.
    for sql in [
        "UPDATE configurations SET last_synced_at = NULL WHERE id % 3 = 0",
        "UPDATE configurations SET last_synced_at = '2025-11-02T03:04:05.5+00:00' WHERE id % 3 = 1",
    ] {
        on_db!(&ctx.repo.db, |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
    }
    // SQLite sorts a small row whole by last synced and walks an index for a large one: both.
    let walking = ctx.repo.clone().with_view_sort_whole_below(0);
    let rows = [
        (
            PreviewRow::Value {
                category: CatalogCategory::ConfigurationType,
                value: workstation,
            },
            expected,
        ),
        (
            PreviewRow::Orphans {
                kind: ItemKind::Configuration,
            },
            orphans,
        ),
    ];
    let plain = &ctx.repo;
    let walking = &walking;
    for ((row, expected), sort, repo) in rows.into_iter().flat_map(|r| {
        PreviewSort::ALL
            .into_iter()
            .map(move |s| (r, s, plain))
            .chain([(r, PreviewSort::LastSynced, walking)])
    }) {
        for descending in [false, true] {
            let page = |at| PreviewQuery {
                reason: None,
                state: None,
                row,
                sort,
                descending,
                at,
            };
            let mut forward = Vec::new();
            let mut keyed = Vec::new();
            let mut p = repo
                .preview(&admin, ctx.integration, &page(PreviewPageAt::First))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(p.total, expected);
            assert!(!p.has_previous);
            loop {
                forward.extend(p.items.iter().map(|i| i.id));
                keyed.extend(p.items.iter().map(|i| (sort_key(sort, i), i.id)));
                if !p.has_next {
                    break;
                }
                p = ctx
                    .repo
                    .preview(
                        &admin,
                        ctx.integration,
                        &page(PreviewPageAt::After(p.last.clone().unwrap())),
                    )
                    .await
                    .unwrap()
                    .unwrap();
            }
            assert_eq!(forward.len() as i64, expected, "{sort:?} {descending}");
            // In the order ORDER BY key, id gives (the test database sorts text bytewise).
            let mut sorted = keyed.clone();
            sorted.sort();
            if descending {
                sorted.reverse();
            }
            assert_eq!(
                keyed, sorted,
                "{row:?} by {sort:?}, descending {descending}"
            );
            let unique: std::collections::HashSet<_> = forward.iter().collect();
            assert_eq!(
                unique.len(),
                forward.len(),
                "no item twice: {sort:?} {descending}"
            );
            let mut backward = Vec::new();
            let mut p = repo
                .preview(&admin, ctx.integration, &page(PreviewPageAt::Last))
                .await
                .unwrap()
                .unwrap();
            assert!(!p.has_next);
            loop {
                backward.splice(0..0, p.items.iter().map(|i| i.id));
                if !p.has_previous {
                    break;
                }
                p = ctx
                    .repo
                    .preview(
                        &admin,
                        ctx.integration,
                        &page(PreviewPageAt::Before(p.first.clone().unwrap())),
                    )
                    .await
                    .unwrap()
                    .unwrap();
            }
            assert_eq!(
                backward, forward,
                "the same order backward: {sort:?} {descending}"
            );
        }
    }
    let by_name = ctx
        .repo
        .preview(
            &admin,
            ctx.integration,
            &PreviewQuery {
                reason: None,
                state: None,
                row: PreviewRow::Orphans {
                    kind: ItemKind::Configuration,
                },
                sort: PreviewSort::Name,
                descending: true,
                at: PreviewPageAt::First,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_name.title, "Orphaned configurations");
    assert!(by_name.items.iter().all(
        |i| i.sync_state == Some(app::model::SyncState::Orphaned) && i.orphan_reason.is_some()
    ));
    assert!(by_name
        .items
        .windows(2)
        .all(|w| w[0].name >= w[1].name || w[0].name.to_lowercase() >= w[1].name.to_lowercase()));
    // Another integration's value is not found.
    let other = PreviewQuery {
        reason: None,
        state: None,
        row: PreviewRow::Value {
            category: CatalogCategory::OrganizationType,
            value: workstation,
        },
        sort: PreviewSort::Name,
        descending: false,
        at: PreviewPageAt::First,
    };
    assert!(
        ctx.repo
            .preview(&admin, ctx.integration, &other)
            .await
            .unwrap()
            .is_none(),
        "a value of another category"
    );
}
on_both!(the_preview_pages_through_exactly_a_rows_items);

/// View's page position is the client's to send back: a hostile one is refused in words, or
/// read as a position like any other; never an error, and never an item from outside the row.
async fn a_hostile_page_position_is_refused_or_harmless(db: Db) {
    use app::error::ErrorCode;
    use app::model::{
        PreviewCursor, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, PREVIEW_PAGE_SIZE,
    };
    use app::services::ItemServices;
    let ctx = setup(db, true).await;
    let admin = ctx.admin();
    let services = common::services(&ctx.repo, RetryPolicy::default());
    let workstation = ctx
        .catalog_value(CatalogCategory::ConfigurationType, "Workstation")
        .await;
    let row = PreviewRow::Value {
        category: CatalogCategory::ConfigurationType,
        value: workstation,
    };
    let query = |sort, descending, at| PreviewQuery {
        reason: None,
        state: None,
        row,
        sort,
        descending,
        at,
    };
    for key in ["x".repeat(10_001), "a\0b".to_string()] {
        let at = PreviewPageAt::After(PreviewCursor { key, id: 1 });
        let err = services
            .preview(&admin, ctx.integration, query(PreviewSort::Name, false, at))
            .await
            .expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    }
    let keys = [
        String::new(),
        "'; DROP TABLE configurations; --".to_string(),
        "\u{202e}\u{1d11e}e\u{301}".to_string(),
        "%_\\\"".to_string(),
        "\u{e9}".repeat(10_000),
        // Times, as each database writes them, and at the ends of the calendar.
        "2026-11-30T08:19:06.007102786+00:00".to_string(),
        "2026-11-30 08:19:06.007102+00".to_string(),
        "0001-01-01T00:00:00Z".to_string(),
        "9999-12-31 23:59:59.999999-12".to_string(),
    ];
    for sort in PreviewSort::ALL {
        for descending in [false, true] {
            for key in &keys {
                for id in [i64::MIN, 0, i64::MAX] {
                    let cursor = PreviewCursor {
                        key: key.clone(),
                        id,
                    };
                    for at in [
                        PreviewPageAt::After(cursor.clone()),
                        PreviewPageAt::Before(cursor),
                    ] {
                        let page = match services
                            .preview(&admin, ctx.integration, query(sort, descending, at))
                            .await
                        {
                            Ok(page) => page,
                            // Sorted by last synced, a position's key is a time or ''.
                            Err(e) if sort == PreviewSort::LastSynced && !key.is_empty() => {
                                assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
                                continue;
                            }
                            Err(e) => panic!("{sort:?} {descending} {id}: {e:?}"),
                        };
                        assert!(page.items.len() as i64 <= PREVIEW_PAGE_SIZE);
                        assert!(
                            page.items
                                .iter()
                                .all(|i| i.type_name.as_deref() == Some("Workstation")),
                            "only the row's items: {sort:?}"
                        );
                    }
                }
            }
        }
    }
}
on_both!(a_hostile_page_position_is_refused_or_harmless);
