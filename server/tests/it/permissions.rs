//! Who may do what, over HTTP against the real server: six roles × every bulk action of Manage
//! Data (removal impact and queueing of orphans, of a type or status and of an Organizations
//! search, cancel, the Removals list, the activity log, the deletion archive, Pause,
//! Disconnect's preview and action, Reconnect).
//! Refused requests change nothing. And the account features: delete by type or status answers
//! "unavailable" until an operator enables it with `steward account enable-feature`.

use crate::common;

use app::model::Role;
use common::app::{error_code, TestApp};
use serde_json::{json, Value};
use server::on_db;

/// What a refused request could have changed: jobs, checkboxes, links, the activity log.
async fn state(app: &TestApp) -> (i64, i64, i64, i64) {
    let q = |sql: &'static str| {
        let db = app.repo.db.clone();
        async move {
            on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await)
            .unwrap()
        }
    };
    (
        q("SELECT COUNT(*) FROM jobs").await,
        q("SELECT COUNT(*) FROM psa_catalog_values WHERE sync_enabled = TRUE").await,
        q("SELECT COUNT(*) FROM organizations WHERE integration_id IS NOT NULL").await,
        q("SELECT COUNT(*) FROM activity_log").await,
    )
}

/// Waits for a removal to end; its final state.
async fn ended(app: &TestApp, client: &reqwest::Client, job: i64) -> String {
    loop {
        let list = app.get_json(client, "/api/v1/removals").await;
        let mine = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"].as_i64() == Some(job))
            .cloned()
            .expect("the removal is listed");
        let state = mine["state"].as_str().unwrap().to_string();
        if state != "queued" && state != "running" {
            return state;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The organization types of the demo integration with linked organizations, most first.
async fn organization_types(app: &TestApp) -> Vec<i64> {
    on_db!(&app.repo.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT organization_type_id FROM organizations WHERE integration_id IS NOT NULL AND organization_type_id IS NOT NULL
         GROUP BY organization_type_id ORDER BY COUNT(*) DESC, organization_type_id")
        .fetch_all(pool).await)
    .unwrap()
}

/// `steward account <args>` against the app's database, as an operator runs it.
fn operator(app: &TestApp, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("account")
        .args(["--database-url", &app.database_url])
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .expect("steward runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_roles_by_every_bulk_action() {
    let app = TestApp::spawn(None).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;
    operator(&app, &["enable-feature", "1", "bulk-delete-by-type"]);
    operator(&app, &["enable-feature", "1", "full-delete"]);
    let types = organization_types(&app).await;
    assert!(types.len() >= 3, "{types:?}");

    // Every action a role may be refused: (name, method, path, body).
    let actions = |value: i64,
                   job: i64,
                   item: i64|
     -> Vec<(&'static str, &'static str, String, Option<Value>)> {
        vec![
            (
                "impact of orphans",
                "GET",
                "/api/v1/integrations/1/removals/impact?kind=location".into(),
                None,
            ),
            (
                "impact of a type",
                "GET",
                format!("/api/v1/integrations/1/removals/impact?value={value}"),
                None,
            ),
            (
                "queue orphans",
                "POST",
                "/api/v1/integrations/1/removals".into(),
                Some(json!({ "kind": "location", "confirm": "1" })),
            ),
            (
                "queue a type",
                "POST",
                "/api/v1/integrations/1/removals".into(),
                Some(json!({ "value": value, "confirm": "1" })),
            ),
            (
                "queue a full delete",
                "POST",
                "/api/v1/integrations/1/removals".into(),
                Some(json!({ "value": value, "full_delete": true, "confirm": "1" })),
            ),
            (
                "cancel",
                "POST",
                format!("/api/v1/removals/{job}/cancel"),
                None,
            ),
            ("removals", "GET", "/api/v1/removals".into(), None),
            ("activity log", "GET", "/api/v1/activity".into(), None),
            (
                "archive",
                "GET",
                format!("/api/v1/removals/{job}/archive"),
                None,
            ),
            (
                "pause",
                "POST",
                format!("/api/v1/integrations/1/values/{value}/pause"),
                None,
            ),
            (
                "disconnect preview",
                "GET",
                format!("/api/v1/integrations/1/values/{value}/disconnect"),
                None,
            ),
            (
                "disconnect",
                "POST",
                format!("/api/v1/integrations/1/values/{value}/disconnect"),
                None,
            ),
            (
                "queue a search delete",
                "POST",
                "/api/v1/integrations/1/removals".into(),
                Some(json!({ "search": "sync status: orphaned", "confirm": "1" })),
            ),
            (
                "reconnect",
                "POST",
                format!("/api/v1/integrations/1/disconnected/{item}/reconnect"),
                None,
            ),
        ]
    };
    let send = |client: &reqwest::Client, method: &str, path: &str, body: &Option<Value>| {
        let req = client.request(method.parse().unwrap(), app.url(path));
        match body {
            Some(b) => req.json(b),
            None => req,
        }
    };

    // A removal that ended, for cancel and archive.
    let n = get_orphans(&admin, &app).await;
    let queued: Value = admin
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "location", "confirm": n.to_string() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job = queued["id"].as_i64().expect("queued");
    // It ends before the roles are tried: its activity entry must not land mid-check.
    assert_eq!(ended(&app, &admin, job).await, "succeeded");

    // Disconnected Data's items, to reconnect.
    let disconnected: Value = app
        .get_json(&admin, "/api/v1/integrations/1/disconnected?kind=contact")
        .await;
    let items: Vec<i64> = disconnected["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert!(items.len() >= 2, "{disconnected}");

    // The four roles below Manager: everything refused, nothing changed.
    for role in [Role::Editor, Role::Creator, Role::Lite, Role::ReadOnly] {
        let user = app.user_with_role(role).await;
        let before = state(&app).await;
        for (name, method, path, body) in actions(types[0], job, items[0]) {
            let resp = send(&user, method, &path, &body).send().await.unwrap();
            assert_eq!(
                error_code(resp).await,
                (403, "forbidden".into()),
                "{role:?} may not: {name}"
            );
        }
        assert_eq!(
            state(&app).await,
            before,
            "{role:?}: refused requests change nothing"
        );
    }

    // A Manager may do every action but download an archive; an Administrator every one.
    for (role, value, item) in [
        (Role::Manager, types[1], items[0]),
        (Role::Administrator, types[2], items[1]),
    ] {
        // Reconnect starts a sync; Disconnect waits for none to run.
        app.syncs_settled(&admin).await;
        let user = if role == Role::Administrator {
            admin.clone()
        } else {
            app.user_with_role(role).await
        };
        for (name, method, path, body) in actions(value, job, item) {
            let resp = send(&user, method, &path, &body).send().await.unwrap();
            let status = resp.status().as_u16();
            if name == "archive" && role == Role::Manager {
                assert_eq!(error_code(resp).await, (403, "forbidden".into()));
            } else if name.starts_with("queue") {
                // Allowed; refused only for the count typed ("1"), not for the role.
                let (status, code) = error_code(resp).await;
                assert!(
                    status == 422 && code == "invalid_input",
                    "{role:?} {name}: {status} {code}"
                );
            } else if name == "reconnect" {
                // Allowed: done, or refused by the PSA (the item is gone from it), not the role.
                assert!(
                    status == 200 || status == 409,
                    "{role:?} may: {name} ({status})"
                );
            } else {
                assert!(
                    (200..300).contains(&status),
                    "{role:?} may: {name} ({status})"
                );
            }
        }
    }
    app.stop().await;
}

async fn get_orphans(client: &reqwest::Client, app: &TestApp) -> i64 {
    let impact: Value = app
        .get_json(
            client,
            "/api/v1/integrations/1/removals/impact?kind=location",
        )
        .await;
    impact["items"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_by_type_is_unavailable_until_an_operator_enables_it() {
    let app = TestApp::spawn(None).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;
    let value = organization_types(&app).await[0];
    let jobs = || async {
        on_db!(&app.repo.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM jobs"
        )
        .fetch_one(pool)
        .await)
        .unwrap()
    };

    for (path, body, message) in [
        (
            format!("/api/v1/integrations/1/removals/impact?value={value}"),
            None,
            "Bulk delete by type or status is unavailable on your account",
        ),
        (
            "/api/v1/integrations/1/removals".to_string(),
            Some(json!({ "value": value, "confirm": "1" })),
            "Bulk delete by type or status is unavailable on your account",
        ),
        (
            format!("/api/v1/integrations/1/removals/impact?value={value}&full_delete=true"),
            None,
            "Permanently deleting all data of a type or status is unavailable on your account",
        ),
    ] {
        let req = match &body {
            Some(b) => admin.post(app.url(&path)).json(b),
            None => admin.get(app.url(&path)),
        };
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 403);
        let err: Value = resp.json().await.unwrap();
        assert_eq!(err["code"], "feature_unavailable");
        assert!(
            err["message"].as_str().unwrap().starts_with(message),
            "{err}"
        );
    }
    assert_eq!(jobs().await, 0, "nothing queued");

    // The operator enables it; the action works; the change is in the activity log.
    assert!(operator(&app, &["enable-feature", "1", "bulk-delete-by-type"]).contains("now on"));
    assert!(operator(&app, &["enable-feature", "1", "bulk-delete-by-type"]).contains("already on"));
    assert_eq!(
        operator(&app, &["features", "1"]).trim(),
        "bulk-delete-by-type"
    );
    let impact: Value = app
        .get_json(
            &admin,
            &format!("/api/v1/integrations/1/removals/impact?value={value}"),
        )
        .await;
    let n = impact["items"].as_i64().unwrap();
    assert!(n > 0, "{impact}");
    assert!(impact["what"]
        .as_str()
        .unwrap()
        .starts_with("organizations of Type: "));
    let queued = admin
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "value": value, "confirm": n.to_string() }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 202);
    let log: Value = app.get_json(&admin, "/api/v1/activity").await;
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "feature.enabled"
            && e["actor"] == "operator"
            && e["subject"] == "bulk-delete-by-type"));

    // Disabled again, it is unavailable again.
    assert!(operator(&app, &["disable-feature", "1", "bulk-delete-by-type"]).contains("now off"));
    let resp = admin
        .get(app.url(&format!(
            "/api/v1/integrations/1/removals/impact?value={value}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(resp).await, (403, "feature_unavailable".into()));

    // An unknown feature or account is refused with what to do.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "account",
            "--database-url",
            &app.database_url,
            "enable-feature",
            "1",
            "everything",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bulk-delete-by-type, full-delete"));
    app.stop().await;
}

/// Reads the job event stream for a moment: the ids of the removals it reported.
async fn streamed_removals(client: &reqwest::Client, app: &TestApp) -> Vec<i64> {
    let mut resp = client.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut text = String::new();
    let until = tokio::time::Instant::now() + std::time::Duration::from_millis(1500);
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout_at(until, resp.chunk()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    text.split("\n\n")
        .filter(|block| block.lines().any(|l| l.trim() == "event: removal"))
        .flat_map(|block| block.lines().filter_map(|l| l.strip_prefix("data:")))
        .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
        .filter_map(|v| v["id"].as_i64())
        .collect()
}

/// A Manager and an Administrator restricted to one organization: removals, their stream, the
/// activity log and archives are theirs alone; sync events name only their items; impact counts
/// only their organizations; a Synced Items row's Pause and Disconnect and the integration's
/// settings, which reach every organization, are refused; refused requests change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restricted_managers_and_administrators_reach_only_their_organizations() {
    // Slow removals: the Administrator's stays running while the others look.
    let app = TestApp::spawn_with(
        None,
        server::config::WorkerConfig {
            removal_chunk: 1,
            removal_pause_ms: 1000,
            ..server::config::WorkerConfig::default()
        },
    )
    .await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;
    let one = |sql: &'static str| {
        let db = app.repo.db.clone();
        async move {
            on_db!(&db, |pool| sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(pool)
                .await)
            .unwrap()
        }
    };
    // Their organization: one with orphaned locations, and others that have some too; the one
    // whose locations the running removal (which goes in id order) reaches last.
    let org = one("SELECT organization_id FROM locations WHERE sync_state = 'orphaned' GROUP BY organization_id ORDER BY MIN(id) DESC LIMIT 1").await;
    let theirs = on_db!(&app.repo.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM locations WHERE sync_state = 'orphaned' AND organization_id = $1"
    )
    .bind(org)
    .fetch_one(pool)
    .await)
    .unwrap();
    let all = one("SELECT COUNT(*) FROM locations WHERE sync_state = 'orphaned'").await;
    assert!(theirs > 0 && all > theirs, "{theirs} of {all}");
    let value = organization_types(&app).await[0];

    // The Administrator's removal of every orphaned location, running.
    let queued: Value = admin
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "location", "confirm": all.to_string() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job = queued["id"].as_i64().expect("queued");
    assert!(streamed_removals(&admin, &app).await.contains(&job));

    // A run with events naming items of other organizations.
    let runs = app
        .get_json(&admin, "/api/v1/integrations/1/sync-runs")
        .await;
    let run = runs[0]["id"].as_i64().unwrap();
    let every_event = app
        .get_json(
            &admin,
            &format!("/api/v1/integrations/1/sync-runs/{run}/events"),
        )
        .await;
    assert!(every_event
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["item_id"].is_i64()));

    for role in [Role::Manager, Role::Administrator] {
        let user = app.user_restricted_to(role, Some(&[org])).await;
        let before = state(&app).await;

        // Impact: their organization's orphans only.
        let impact = app
            .get_json(
                &user,
                "/api/v1/integrations/1/removals/impact?kind=location",
            )
            .await;
        assert_eq!(impact["items"], theirs, "{role:?}");
        // Removals, their stream, cancel and the archive: the Administrator's is not theirs.
        let removals = app.get_json(&user, "/api/v1/removals").await;
        assert!(
            removals.as_array().unwrap().iter().all(|r| r["id"] != job),
            "{role:?}: {removals}"
        );
        assert!(
            !streamed_removals(&user, &app).await.contains(&job),
            "{role:?}"
        );
        let cancel = user
            .post(app.url(&format!("/api/v1/removals/{job}/cancel")))
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(cancel).await.0, 404, "{role:?}");
        let archive = user
            .get(app.url(&format!("/api/v1/removals/{job}/archive")))
            .send()
            .await
            .unwrap();
        let expected = if role == Role::Manager { 403 } else { 404 };
        assert_eq!(error_code(archive).await.0, expected, "{role:?}");
        // The activity log: only what they did (nothing yet).
        let activity = app.get_json(&user, "/api/v1/activity").await;
        assert_eq!(activity, json!([]), "{role:?}");
        // Sync events: only those of items in their organization, or of no item.
        let events = app
            .get_json(
                &user,
                &format!("/api/v1/integrations/1/sync-runs/{run}/events"),
            )
            .await;
        for e in events.as_array().unwrap() {
            let Some(id) = e["item_id"].as_i64() else {
                continue;
            };
            let table = match e["kind"].as_str().unwrap() {
                "organization" => "SELECT id AS organization_id FROM organizations WHERE id = $1",
                "configuration" => "SELECT organization_id FROM configurations WHERE id = $1",
                "contact" => "SELECT organization_id FROM contacts WHERE id = $1",
                _ => "SELECT organization_id FROM locations WHERE id = $1",
            };
            let owner = on_db!(&app.repo.db, |pool| sqlx::query_scalar::<_, i64>(table)
                .bind(id)
                .fetch_optional(pool)
                .await)
            .unwrap();
            assert_eq!(
                owner,
                Some(org),
                "{role:?} sees an event of another organization: {e}"
            );
        }
        // What reaches every organization is refused.
        for (method, path) in [
            (
                "POST",
                format!("/api/v1/integrations/1/values/{value}/pause"),
            ),
            (
                "GET",
                format!("/api/v1/integrations/1/values/{value}/disconnect"),
            ),
            (
                "POST",
                format!("/api/v1/integrations/1/values/{value}/disconnect"),
            ),
            ("PATCH", "/api/v1/integrations/1/sync-settings".to_string()),
            // A sync, and pausing or resuming it, reach every organization too.
            ("POST", "/api/v1/integrations/1/sync".to_string()),
            ("POST", "/api/v1/integrations/1/pause".to_string()),
            ("POST", "/api/v1/integrations/1/resume".to_string()),
        ] {
            let resp = user
                .request(method.parse().unwrap(), app.url(&path))
                .json(&json!({ "values": [[value, false]] }))
                .send()
                .await
                .unwrap();
            assert_eq!(
                error_code(resp).await,
                (403, "forbidden".into()),
                "{role:?} {method} {path}"
            );
        }
        // Reconnect of an item outside their organization: not found for them.
        let disconnected: Value = app
            .get_json(&admin, "/api/v1/integrations/1/disconnected?kind=contact")
            .await;
        let outside = disconnected["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["organization"].is_string())
            .map(|i| i["id"].as_i64().unwrap())
            .unwrap();
        let visible: Value = app
            .get_json(&user, "/api/v1/integrations/1/disconnected?kind=contact")
            .await;
        if !visible["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == outside)
        {
            let resp = user
                .post(app.url(&format!(
                    "/api/v1/integrations/1/disconnected/{outside}/reconnect"
                )))
                .send()
                .await
                .unwrap();
            assert_eq!(error_code(resp).await.0, 404, "{role:?}");
        }
        assert_eq!(state(&app).await.0, before.0, "{role:?}: no job queued");
        assert_eq!(
            state(&app).await.1,
            before.1,
            "{role:?}: no checkbox changed"
        );
        assert_eq!(state(&app).await.2, before.2, "{role:?}: no link changed");
    }
    // The Administrator's removal is left to run out before the server stops.
    let cancel = admin
        .post(app.url(&format!("/api/v1/removals/{job}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status().as_u16(), 200);
    app.stop().await;
}
