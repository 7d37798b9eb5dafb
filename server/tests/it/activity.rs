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
