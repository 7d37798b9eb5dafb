//! The activity log records a person's changes in plain words, on SQLite and PostgreSQL: Pause
//! Sync and Resume Sync with the state before and after (the pencil's edits are checked against
//! each PSA in `psa_contract.rs`), and durations read in seconds.

use crate::common;

use app::services::prelude::*;
use common::fixture::setup;
use server::db::Db;

async fn pausing_and_resuming_sync_are_in_the_activity_log(db: Db) {
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, server::psa::RetryPolicy::default());
    s.set_sync_paused(&ctx.admin, ctx.integration, true)
        .await
        .unwrap();
    // Pausing what is paused changes nothing and records nothing.
    s.set_sync_paused(&ctx.admin, ctx.integration, true)
        .await
        .unwrap();
    s.set_sync_paused(&ctx.admin, ctx.integration, false)
        .await
        .unwrap();
    let log = s.activity(&ctx.admin, None).await.unwrap();
    let ours: Vec<_> = log
        .iter()
        .filter(|e| e.action.starts_with("integration.sync_"))
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_eq!(ours[0].action, "integration.sync_resumed");
    assert_eq!(ours[1].action, "integration.sync_paused");
    assert_eq!(ours[0].actor, ctx.admin.email);
    assert_eq!(
        ours[1].details,
        vec![("state".to_string(), "Active → Paused".to_string())]
    );
}
on_both!(pausing_and_resuming_sync_are_in_the_activity_log);

async fn a_sync_settings_change_is_logged_before_and_after(db: Db) {
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, server::psa::RetryPolicy::default());
    let settings = s.sync_settings(&ctx.admin, ctx.integration).await.unwrap();
    let value = settings
        .values
        .iter()
        .find(|v| v.sync_enabled && v.category == app::model::CatalogCategory::OrganizationType)
        .unwrap();
    let change = app::model::SyncSettingsChange {
        values: vec![(value.id, false)],
        schedule_minutes: Some(settings.schedule_minutes + 5),
        ..Default::default()
    };
    s.change_sync_settings(&ctx.admin, ctx.integration, change)
        .await
        .unwrap();
    let log = s.activity(&ctx.admin, None).await.unwrap();
    let entry = &log[0];
    assert_eq!(entry.action, "integration.settings_changed");
    let mut details = entry.details.clone();
    details.sort();
    let mut want = vec![
        (
            format!("organization type {}", value.name),
            "synced → not synced".to_string(),
        ),
        (
            "sync every".to_string(),
            format!(
                "{} → {} minutes",
                settings.schedule_minutes,
                settings.schedule_minutes + 5
            ),
        ),
    ];
    want.sort();
    assert_eq!(details, want);
    // A change that changes nothing records nothing.
    let before = log.len();
    s.change_sync_settings(&ctx.admin, ctx.integration, Default::default())
        .await
        .unwrap();
    assert_eq!(s.activity(&ctx.admin, None).await.unwrap().len(), before);
}
on_both!(a_sync_settings_change_is_logged_before_and_after);

/// Previewing a sync settings change counts over every organization of the integration: a
/// Read-only user and a user restricted to some organizations are refused it (as they are the
/// change itself).
async fn only_those_who_may_change_the_settings_preview_a_change(db: Db) {
    use app::error::ErrorCode;
    use app::model::{Role, SyncSettingsChange};
    let ctx = setup(db).await;
    let s = common::services(&ctx.repo, server::psa::RetryPolicy::default());
    let settings = s.sync_settings(&ctx.admin, ctx.integration).await.unwrap();
    let change = SyncSettingsChange {
        values: vec![(settings.values[0].id, !settings.values[0].sync_enabled)],
        ..Default::default()
    };
    s.preview_sync_settings(&ctx.admin, ctx.integration, change.clone())
        .await
        .unwrap();
    let read_only = app::model::CurrentUser {
        role: Role::ReadOnly,
        ..ctx.admin.clone()
    };
    let restricted = app::model::CurrentUser {
        role: Role::Manager,
        restricted: true,
        ..ctx.admin.clone()
    };
    for user in [read_only, restricted] {
        let e = s
            .preview_sync_settings(&user, ctx.integration, change.clone())
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Forbidden, "{:?}", user.role);
    }
}
on_both!(only_those_who_may_change_the_settings_preview_a_change);
