//! Removals over HTTP against the real server on SQLite and PostgreSQL: the impact, the typed
//! confirmation, the live progress stream (server-sent events, resumable with Last-Event-ID),
//! the Removals list, the activity log entry, the deletion archive and its retention, and who
//! may do what (every role below Manager is refused and nothing is queued).

use crate::common;

use app::model::Role;
use common::app::{error_code, TestApp, EMAIL};
use serde_json::{json, Value};
use server::config::WorkerConfig;
use server::on_db;
use std::time::{Duration, Instant};

/// One `removal` event of the stream: its id and the removal.
#[derive(Debug)]
struct Sent {
    id: String,
    job: Value,
}

/// Reads server-sent events from `resp` until `stop` says so (or a minute passes).
async fn read_events(resp: &mut reqwest::Response, stop: impl Fn(&Sent) -> bool) -> Vec<Sent> {
    let started = Instant::now();
    let mut buffer = String::new();
    let mut events = Vec::new();
    while started.elapsed() < Duration::from_secs(60) {
        let chunk = tokio::time::timeout(Duration::from_secs(30), resp.chunk())
            .await
            .expect("the stream sends events or keep-alives")
            .expect("the stream stays open")
            .expect("the stream is not closed");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let (mut event, mut id, mut data) = (None, String::new(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                }
            }
            if event.as_deref() == Some("removal") {
                let sent = Sent {
                    id,
                    job: serde_json::from_str(&data).expect("a removal as JSON"),
                };
                let done = stop(&sent);
                events.push(sent);
                if done {
                    return events;
                }
            }
        }
    }
    panic!("the stream did not say what was expected within a minute: {events:?}");
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> Value {
    app.get_json(client, path).await
}

async fn orphaned_locations(client: &reqwest::Client, app: &TestApp) -> i64 {
    let md = get(client, app, "/api/v1/integrations/1/manage-data").await;
    md["orphaned_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "location")
        .map(|r| r["count"].as_i64().unwrap())
        .unwrap_or(0)
}

async fn a_removal_is_followed_live_listed_logged_and_archived(database_url: Option<String>) {
    // One target a chunk with a pause between chunks: the removal lasts long enough for the
    // stream to show it part-way.
    let app = TestApp::spawn_with(
        database_url,
        WorkerConfig {
            removal_chunk: 1,
            removal_pause_ms: 150,
            ..WorkerConfig::default()
        },
    )
    .await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;

    let mut stream = admin.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));

    let impact = get(
        &admin,
        &app,
        "/api/v1/integrations/1/removals/impact?kind=location",
    )
    .await;
    let n = impact["items"].as_i64().unwrap();
    assert!(
        n >= 3,
        "the demo has orphaned locations to delete: {impact}"
    );
    assert_eq!(n, orphaned_locations(&admin, &app).await);

    // A wrong count is refused and queues nothing.
    let wrong = admin
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "location", "confirm": (n + 1).to_string() }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(wrong).await, (422, "invalid_input".into()));
    assert_eq!(
        get(&admin, &app, "/api/v1/removals").await,
        json!([]),
        "nothing queued"
    );

    let queued = admin
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "location", "confirm": n.to_string() }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 202);
    let job: Value = queued.json().await.unwrap();
    let id = job["id"].as_i64().unwrap();
    assert_eq!(job["total"], n);
    assert_eq!(job["started_by"], EMAIL);

    // The stream follows it to its end: progress only goes forward, some of it part-way, the
    // last event is the end with everything deleted.
    let events = read_events(&mut stream, |e| {
        e.job["id"] == id && e.job["state"] == "succeeded"
    })
    .await;
    let mine: Vec<&Sent> = events.iter().filter(|e| e.job["id"] == id).collect();
    let done: Vec<i64> = mine
        .iter()
        .map(|e| e.job["done"].as_i64().unwrap())
        .collect();
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "{done:?}");
    assert!(
        done.iter().any(|d| *d > 0 && *d < n),
        "the stream showed the removal part-way: {done:?}"
    );
    let last = &mine.last().unwrap().job;
    assert_eq!(
        (last["done"].as_i64(), last["deleted"].as_i64()),
        (Some(n), Some(n))
    );
    assert_eq!(last["eta_seconds"], Value::Null);
    assert!(mine.iter().any(|e| e.job["state"] == "running"
        && e.job["rate"].as_f64().unwrap() > 0.0
        && e.job["eta_seconds"].as_i64().is_some()));
    let stream_id = mine[0].id.clone();
    assert!(!stream_id.is_empty() && mine.iter().all(|e| e.id == stream_id));
    drop(stream);

    // The counts dropped.
    assert_eq!(orphaned_locations(&admin, &app).await, 0);

    // A stream resumed with Last-Event-ID reports the removal that ended since it first opened.
    let mut resumed = admin
        .get(app.url("/api/v1/events"))
        .header("last-event-id", &stream_id)
        .send()
        .await
        .unwrap();
    let again = read_events(&mut resumed, |e| e.job["id"] == id).await;
    assert_eq!(again.last().unwrap().job["state"], "succeeded");
    drop(resumed);

    // A Last-Event-ID from long ago, or one that is not a moment at all, still opens the
    // stream: the first reads back at most an hour, the others start from now.
    for hostile in [
        "0",
        "-9223372036854775808",
        "not a moment",
        "\u{e9}\u{200b}",
    ] {
        let mut odd = admin
            .get(app.url("/api/v1/events"))
            .header("last-event-id", hostile)
            .send()
            .await
            .unwrap();
        assert_eq!(odd.status().as_u16(), 200, "{hostile}");
        if hostile == "0" {
            let seen = read_events(&mut odd, |e| e.job["id"] == id).await;
            assert_eq!(seen.last().unwrap().job["state"], "succeeded");
        }
    }

    // Signing out ends the stream.
    let mut open = admin.get(app.url("/api/v1/events")).send().await.unwrap();
    let signed_out = admin
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status().as_u16(), 204);
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(_chunk) = open.chunk().await.unwrap() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended with the session");
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);

    // The Removals list and the activity log.
    let list = get(&admin, &app, "/api/v1/removals").await;
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["state"], "succeeded");
    assert_eq!(list[0]["deleted"], n);
    assert_eq!(list[0]["archive_available"], true);
    let log = get(&admin, &app, "/api/v1/activity").await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "removal.finished")
        .unwrap_or_else(|| panic!("a removal entry in {log}"));
    assert_eq!(entry["actor"], EMAIL, "who started it");
    assert_eq!(entry["subject"], "orphaned locations");
    assert_eq!(entry["outcome"], "succeeded");
    let details: std::collections::HashMap<String, String> = entry["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(details["deleted"], n.to_string());
    assert_eq!(details["items"], n.to_string());
    // Durations read in seconds ("0.8 s"), not milliseconds.
    let secs = details["duration"].strip_suffix(" s").expect("in seconds");
    assert!(secs.parse::<f64>().unwrap() >= 0.0);

    // The archive holds every deleted location...
    let archive: Value = get(&admin, &app, &format!("/api/v1/removals/{id}/archive")).await;
    assert_eq!(archive["records"].as_array().unwrap().len() as i64, n);

    // ...until the retention period after the removal ended: then it is refused, and the
    // worker's purge deletes it.
    let old = chrono::Utc::now() - chrono::Duration::days(31);
    on_db!(&app.repo.db, |pool| sqlx::query(
        "UPDATE jobs SET finished_at = $1 WHERE id = $2"
    )
    .bind(old)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let expired = admin
        .get(app.url(&format!("/api/v1/removals/{id}/archive")))
        .send()
        .await
        .unwrap();
    let status = expired.status().as_u16();
    let body: Value = expired.json().await.unwrap();
    assert_eq!(status, 404);
    assert!(
        body["message"].as_str().unwrap().contains("expired")
            && body["message"].as_str().unwrap().contains("30 days"),
        "{body}"
    );
    assert_eq!(
        get(&admin, &app, "/api/v1/removals").await[0]["archive_available"],
        false
    );
    let worker = server::worker::Worker::new(app.repo.clone());
    assert_eq!(worker.purge_archives().await.unwrap() as i64, n);
    let left: i64 = on_db!(&app.repo.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM deletion_archive WHERE job_id = $1"
    )
    .bind(id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(left, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_over_http_on_sqlite() {
    a_removal_is_followed_live_listed_logged_and_archived(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_over_http_on_postgres() {
    a_removal_is_followed_live_listed_logged_and_archived(Some(common::fresh_postgres_url().await))
        .await;
}

async fn jobs(app: &TestApp) -> i64 {
    on_db!(&app.repo.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM jobs"
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

/// Every role × every removal action: Editor, Creator, Lite and Read-only are refused and
/// nothing changes; a Manager may delete and cancel but not download an archive (Administrators
/// only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_below_manager_are_refused_every_removal_action_and_nothing_is_queued() {
    // A slow removal, so that Cancel finds it running.
    let app = TestApp::spawn_with(
        None,
        WorkerConfig {
            removal_chunk: 1,
            removal_pause_ms: 300,
            ..WorkerConfig::default()
        },
    )
    .await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;
    let n = orphaned_locations(&admin, &app).await;
    let manager = app.user_with_role(Role::Manager).await;

    let mut below = Vec::new();
    for role in [Role::Editor, Role::Creator, Role::Lite, Role::ReadOnly] {
        below.push((role, app.user_with_role(role).await));
    }
    for (role, user) in &below {
        let before = jobs(&app).await;
        let calls = [
            user.get(app.url("/api/v1/integrations/1/removals/impact?kind=location")),
            user.post(app.url("/api/v1/integrations/1/removals"))
                .json(&json!({ "kind": "location", "confirm": n.to_string() })),
            user.get(app.url("/api/v1/removals")),
            user.get(app.url("/api/v1/activity")),
        ];
        for call in calls {
            let resp = call.send().await.unwrap();
            let url = resp.url().path().to_string();
            assert_eq!(
                error_code(resp).await,
                (403, "forbidden".into()),
                "{role:?} {url}"
            );
        }
        // The browser's server function refuses too.
        let refused = user
            .post(app.url("/api/start_removal"))
            .json(&json!({ "integration": 1, "target": { "orphans": "location" }, "typed": n.to_string() }))
            .send()
            .await
            .unwrap();
        assert_eq!(error_code(refused).await.1, "forbidden", "{role:?}");
        assert_eq!(jobs(&app).await, before, "{role:?}: nothing queued");
        assert_eq!(orphaned_locations(&admin, &app).await, n);
    }

    // A Manager queues one; the roles below cannot cancel it; the Manager can.
    let queued = manager
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "kind": "location", "confirm": n.to_string() }))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 202);
    let id = queued.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let refused = below[0]
        .1
        .post(app.url(&format!("/api/v1/removals/{id}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(refused).await, (403, "forbidden".into()));
    let cancelled: Value = manager
        .post(app.url(&format!("/api/v1/removals/{id}/cancel")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        cancelled["state"] == "cancelled" || cancelled["cancel_requested"] == true,
        "{cancelled}"
    );
    // It ends cancelled, with part of the orphans left.
    let ended = loop {
        let list = get(&manager, &app, "/api/v1/removals").await;
        if list[0]["state"] != "queued" && list[0]["state"] != "running" {
            break list[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(ended["state"], "cancelled");
    let deleted = ended["deleted"].as_i64().unwrap();
    assert!(deleted < n, "{ended}");
    assert_eq!(orphaned_locations(&admin, &app).await, n - deleted);
    // Only an Administrator downloads archives.
    let archive = manager
        .get(app.url(&format!("/api/v1/removals/{id}/archive")))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(archive).await, (403, "forbidden".into()));
    app.stop().await;
}

/// The JSON API chooses what goes as the screen does: a kind's orphans of one reason, ticked
/// ids of its orphans, or ticked organizations; a bad reason, bad ids or no ids are refused with
/// what to do, and nothing is queued.
async fn narrowed_targets_over_http(database_url: Option<String>) {
    let app = TestApp::spawn_with(database_url, WorkerConfig::default()).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;
    let md = get(&admin, &app, "/api/v1/integrations/1/manage-data").await;
    let configurations = md["orphaned_data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "configuration")
        .unwrap()
        .clone();
    let deleted_in_psa = configurations["by_reason"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == "deleted_in_psa")
        .map(|p| p[1].as_i64().unwrap())
        .expect("the demo has configurations deleted in the PSA");
    let impact = get(
        &admin,
        &app,
        "/api/v1/integrations/1/removals/impact?kind=configuration&reason=deleted_in_psa",
    )
    .await;
    assert_eq!(impact["items"], deleted_in_psa, "{impact}");

    let before = jobs(&app).await;
    for bad in [
        "kind=configuration&reason=gone",
        "kind=configuration&ids=1,x",
        "ids=",
        "reason=deleted_in_psa",
        "search=acme&ids=1",
    ] {
        let resp = admin
            .get(app.url(&format!("/api/v1/integrations/1/removals/impact?{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(resp).await,
            (422, "invalid_input".into()),
            "{bad}"
        );
    }
    let queued = admin
        .post(app.url("/api/v1/integrations/1/removals"))
        .json(&json!({ "ids": "", "confirm": "0" }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(queued).await, (422, "invalid_input".into()));
    assert_eq!(jobs(&app).await, before, "nothing queued");

    // Ticked organizations, by id: the impact counts exactly those that may go.
    let orphaned: Vec<i64> = on_db!(&app.repo.db, |pool| sqlx::query_scalar(
        "SELECT id FROM organizations WHERE sync_state = 'orphaned' ORDER BY id LIMIT 2"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    let ids = orphaned
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let impact = get(
        &admin,
        &app,
        &format!("/api/v1/integrations/0/removals/impact?ids={ids}"),
    )
    .await;
    assert_eq!(impact["items"], 2, "{impact}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn narrowed_removal_targets_over_http_on_sqlite() {
    narrowed_targets_over_http(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn narrowed_removal_targets_over_http_on_postgres() {
    narrowed_targets_over_http(Some(common::fresh_postgres_url().await)).await;
}
