//! The real server on port 0 with a fresh database, driven over HTTP: sign-in, the session
//! cookie, CSRF refusal, the JSON API's Manage Data against the loaded dataset, and the
//! server-rendered page.

use crate::common;

use common::app::{config, error_code, TestApp, EMAIL, PASSWORD};
use serde_json::{json, Value};
use server::bootstrap::DEMO_SEED;
use server::dataset::{Dataset, Expected, Size};
use server::startup::Application;
use std::collections::BTreeSet;

async fn drive(app: &TestApp) {
    let anon = app.client();

    // Without a session: pages go to the login page, the API answers 401.
    let page = anon
        .get(app.url("/account/integrations"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 303);
    assert_eq!(page.headers()["location"], "/login");
    let login = anon.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status().as_u16(), 200);
    let html = login.text().await.unwrap();
    assert!(html.contains("Email") && html.contains("Password") && html.contains("Sign in"));
    assert_eq!(
        error_code(
            anon.get(app.url("/api/v1/integrations"))
                .send()
                .await
                .unwrap()
        )
        .await,
        (401, "unauthenticated".into())
    );
    // Server functions resolve the user too.
    let sfn = anon
        .post(app.url("/api/integrations"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    let body: Value = sfn.json().await.unwrap();
    assert_eq!(body["code"], "unauthenticated");

    // Wrong password; bad body; another origin.
    let wrong = anon
        .post(app.url("/api/v1/session"))
        .json(&json!({"email": EMAIL, "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(wrong).await, (401, "invalid_credentials".into()));
    let bad = anon
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(bad).await, (422, "invalid_input".into()));
    let forged = anon
        .post(app.url("/api/v1/session"))
        .header("origin", "http://evil.example")
        .json(&json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(forged.headers().get("set-cookie").is_none());
    assert_eq!(error_code(forged).await, (403, "cross_origin".into()));

    // Sign in: an HttpOnly, SameSite=Strict cookie.
    let client = app.client();
    let resp = app.sign_in(&client).await;
    assert_eq!(resp.status().as_u16(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("steward_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let me: Value = resp.json().await.unwrap();
    assert_eq!(me["role"], "administrator");
    assert_eq!(me["email"], EMAIL);

    // The JSON API's Manage Data matches the demo dataset the server loaded.
    let integrations: Value = app.get_as(&client, "/api/v1/integrations").await;
    assert_eq!(integrations.as_array().unwrap().len(), 1);
    let id = integrations[0]["id"].as_i64().unwrap();
    assert_eq!(integrations[0]["kind"], "connectwise_manage");
    let md: app::model::ManageData = app
        .get_as(&client, &format!("/api/v1/integrations/{id}/manage-data"))
        .await;
    let dataset = Dataset::generate(Size::S, DEMO_SEED);
    let expected = Expected::of(&dataset, &dataset.plan());
    assert_eq!(Expected::from_manage_data(&md), expected);
    assert_eq!(
        app.get_error(&client, "/api/v1/integrations/999/manage-data")
            .await,
        (404, "not_found".into())
    );
    assert_eq!(
        app.get_error(&client, "/api/v1/integrations/abc/manage-data")
            .await,
        (422, "invalid_input".into())
    );
    // The activity log, a page at a time.
    let newest: Vec<app::model::ActivityEntry> = app.get_as(&client, "/api/v1/activity").await;
    assert!(!newest.is_empty() && (newest.len() as i64) < app::model::ACTIVITY_PAGE);
    let older: Vec<app::model::ActivityEntry> = app
        .get_as(
            &client,
            &format!("/api/v1/activity?before={}", newest[0].id),
        )
        .await;
    assert_eq!(older, newest[1..]);
    // Disconnected Data, a page at a time: pages start at 1. The activity log's `before` is an
    // entry id, nothing else.
    let queries = ["0", "-1", "abc"]
        .map(|bad| format!("/api/v1/integrations/{id}/disconnected?kind=configuration&page={bad}"))
        .into_iter()
        .chain(
            ["abc", "1.5", "99999999999999999999", ""]
                .map(|bad| format!("/api/v1/activity?before={bad}")),
        );
    for url in queries {
        let resp = client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(
            error_code(resp).await,
            (422, "invalid_input".into()),
            "{url}"
        );
    }
    assert_eq!(
        app.get_error(&client, "/api/v1/nothing-here").await,
        (404, "not_found".into())
    );

    // The page is rendered on the server with its three sections and the counts in it.
    let html = client
        .get(app.url(&format!("/account/integrations/{id}/manage-data")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for heading in [
        "Synced Items",
        "Orphaned Data",
        "Disconnected Data",
        "Plug legend",
    ] {
        assert!(html.contains(heading), "{heading} missing from the page");
    }
    assert!(
        !html.contains("Loading Manage Data"),
        "the page arrives complete, not as a loading state"
    );
    let customers = &expected
        .synced_items
        .iter()
        .find(|r| r.type_or_status == "Type: Customer")
        .unwrap();
    assert!(html.contains(&customers.enabled.to_string()));

    // The OpenAPI document describes every route with its methods, and nothing else.
    let spec: Value = app.get_as(&anon, "/api/v1/openapi.json").await;
    assert_eq!(spec["openapi"], "3.1.0");
    let routed: BTreeSet<(String, String)> = server::http::API_V1
        .iter()
        .flat_map(|(path, methods)| methods.iter().map(|m| (path.to_string(), m.to_string())))
        .collect();
    let described: BTreeSet<(String, String)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(|m| (path.clone(), m.clone()))
        })
        .collect();
    assert!(routed.len() > 20, "{routed:?}");
    assert_eq!(
        routed.difference(&described).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes the OpenAPI document does not describe"
    );
    assert_eq!(
        described.difference(&routed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "described in the OpenAPI document but not routed"
    );
    // And each described route answers as routed: not the fallback's "no such API route".
    for (path, method) in &routed {
        let url = app.url(&format!("/api/v1{}", path.replace(['{', '}'], "")));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let resp = anon.request(method.clone(), &url).send().await.unwrap();
        let body = resp.text().await.unwrap();
        assert!(
            !body.contains("There is no such API route"),
            "{method} {path}: {body}"
        );
    }

    // No cache on the way may keep an answer holding an account's data: pages, the JSON API,
    // its errors, server functions, and the login page.
    let answers = [
        client.get(app.url(&format!("/account/integrations/{id}/manage-data"))),
        client.get(app.url("/api/v1/integrations")),
        client.get(app.url("/api/v1/integrations/999/manage-data")),
        client
            .post(app.url("/api/current_user"))
            .header("origin", &app.base),
        anon.get(app.url("/login")),
    ];
    for request in answers {
        let resp = request.send().await.unwrap();
        let url = resp.url().to_string();
        assert_eq!(
            resp.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{url}"
        );
    }

    // Sign out ends the session on the server, not only in the browser.
    let out = client
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 204);
    let replay = anon
        .get(app.url("/api/v1/integrations"))
        .header("cookie", cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(replay).await, (401, "unauthenticated".into()));
}

#[tokio::test]
async fn steward_serves_the_demo_over_http_on_sqlite() {
    let app = TestApp::spawn(None).await;
    drive(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn steward_serves_the_demo_over_http_on_postgres() {
    let app = TestApp::spawn(Some(common::fresh_postgres_url().await)).await;
    drive(&app).await;
    app.stop().await;
}

#[tokio::test]
async fn a_second_start_keeps_the_data_and_creates_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir, None, None, false);
    let first = Application::build(&config).await.unwrap();
    let generated = first
        .bootstrapped
        .as_ref()
        .and_then(|b| b.generated_password.clone());
    assert!(
        generated.is_some_and(|p| p.len() >= 16),
        "a password is generated when none is given"
    );
    first.repo.db.close().await;
    let second = Application::build(&config).await.unwrap();
    assert!(second.bootstrapped.is_none());
    assert!(
        dir.path().join("secret.key").exists(),
        "the credentials key is generated once into the data directory"
    );
    assert_eq!(second.repo.account_ids().await.unwrap().len(), 1);
}

/// Polls a run until it ends.
async fn finished_run(app: &TestApp, client: &reqwest::Client, run: i64) -> Value {
    loop {
        let runs: Value = app.get_as(client, "/api/v1/integrations/1/sync-runs").await;
        let this = runs
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == run)
            .cloned()
            .expect("the run is listed");
        if this["outcome"] != "running" {
            return this;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Start Manual Sync, its dedupe, Pause / Resume, runs and events, and the sync settings, over
/// /api/v1 against the demo's simulator.
async fn drive_sync_api(app: &TestApp) {
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    let http = reqwest::Client::new();

    // The demo's first full sync from its simulator, started at boot, succeeds.
    let runs: Value = app.get_as(&admin, "/api/v1/integrations/1/sync-runs").await;
    let first = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trigger"] == "manual")
        .expect("the demo's first sync")
        .clone();
    let first = finished_run(app, &admin, first["id"].as_i64().unwrap()).await;
    assert_eq!(first["outcome"], "succeeded", "{first}");
    assert_eq!(first["mode"], "full");
    assert_eq!(first["counts"]["created"], 0, "{first}");

    // A slow PSA keeps the next run going long enough to ask twice.
    let r = http
        .put(format!("{}/_sim/faults", app.demo_psa))
        .json(&json!({ "slow_millis": 40 }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let start = admin
        .post(app.url("/api/v1/integrations/1/sync"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status().as_u16(), 202);
    let started: Value = start.json().await.unwrap();
    assert_eq!(started["started"], true);
    let again: Value = admin
        .post(app.url("/api/v1/integrations/1/sync"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&again["run_id"], &again["started"]),
        (&started["run_id"], &json!(false)),
        "a second request joins the running run"
    );
    http.delete(format!("{}/_sim/faults", app.demo_psa))
        .send()
        .await
        .unwrap();
    let run = finished_run(app, &admin, started["run_id"].as_i64().unwrap()).await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    let events: Value = app
        .get_as(
            &admin,
            &format!(
                "/api/v1/integrations/1/sync-runs/{}/events?page=1",
                run["id"]
            ),
        )
        .await;
    let events = events.as_array().unwrap();
    assert_eq!(
        events.len() as i64,
        run["counts"]["failed"].as_i64().unwrap().min(100)
    );
    assert!(events.iter().all(
        |e| e["level"] == "error" && e["message"].as_str().unwrap().contains("without a name")
    ));
    assert_eq!(
        app.get_error(&admin, "/api/v1/integrations/1/sync-runs/999999/events")
            .await,
        (404, "not_found".into())
    );
    assert_eq!(
        app.get_error(&admin, "/api/v1/integrations/1/sync-runs/x/events")
            .await,
        (422, "invalid_input".into())
    );

    // Pause Sync: the next run does not start; Resume Sync lets it.
    let paused: Value = admin
        .post(app.url("/api/v1/integrations/1/pause"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paused["state"], "paused");
    let refused = admin
        .post(app.url("/api/v1/integrations/1/sync"))
        .send()
        .await
        .unwrap();
    let (status, code) = error_code(refused).await;
    assert_eq!((status, code.as_str()), (409, "conflict"));
    let resumed: Value = admin
        .post(app.url("/api/v1/integrations/1/resume"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(resumed["state"], "active");

    // Sync settings: read, uncheck a type (Sync Active: No at once), refuse bad changes.
    let settings: Value = app
        .get_as(&admin, "/api/v1/integrations/1/sync-settings")
        .await;
    assert_eq!(settings["schedule_minutes"], 60);
    let vendor = settings["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["category"] == "organization_type" && v["name"] == "Vendor")
        .unwrap()
        .clone();
    assert_eq!(vendor["sync_enabled"], true);
    let changed: Value = admin
        .patch(app.url("/api/v1/integrations/1/sync-settings"))
        .json(&json!({ "values": [[vendor["id"], false]], "schedule_minutes": 30 }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changed["schedule_minutes"], 30);
    assert!(changed["values"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["id"] == vendor["id"] && v["sync_enabled"] == false));
    let md: Value = app
        .get_as(&admin, "/api/v1/integrations/1/manage-data")
        .await;
    assert!(md["synced_items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["value_name"] == "Vendor" && r["sync_active"] == false));
    for bad in [
        json!({ "schedule_minutes": 0 }),
        json!({ "values": [[999999, true]] }),
        json!({ "values": "all" }),
    ] {
        let resp = admin
            .patch(app.url("/api/v1/integrations/1/sync-settings"))
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(resp).await,
            (422, "invalid_input".into()),
            "{bad}"
        );
    }
    let unchanged: Value = app
        .get_as(&admin, "/api/v1/integrations/1/sync-settings")
        .await;
    assert_eq!(
        unchanged["schedule_minutes"], 30,
        "a refused change changes nothing"
    );

    // An Editor may read but not start, pause or change.
    let account = app.repo.account_ids().await.unwrap()[0];
    let hash = server::auth::hash_password("editor-password-1").unwrap();
    app.repo
        .create_user(server::repo::NewUser {
            account,
            email: "editor@steward.test",
            name: "Eddie",
            password_hash: &hash,
            role: app::model::Role::Editor,
            restricted: false,
        })
        .await
        .unwrap();
    let editor = app.client();
    let r = editor
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": "editor@steward.test", "password": "editor-password-1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        editor
            .get(app.url("/api/v1/integrations/1/sync-runs"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    for (method, path) in [
        ("POST", "sync"),
        ("POST", "pause"),
        ("POST", "resume"),
        ("PATCH", "sync-settings"),
    ] {
        let req = editor.request(
            method.parse().unwrap(),
            app.url(&format!("/api/v1/integrations/1/{path}")),
        );
        let resp = req.json(&json!({})).send().await.unwrap();
        assert_eq!(
            error_code(resp).await,
            (403, "forbidden".into()),
            "{method} {path}"
        );
    }
    // Deleting is for Managers and Administrators: an Editor is refused and nothing is queued.
    let jobs = |repo: server::repo::Repo| async move {
        server::on_db!(&repo.db, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM jobs"
        )
        .fetch_one(pool)
        .await)
        .unwrap()
    };
    let before = jobs(app.repo.clone()).await;
    let refused = editor
        .post(app.url("/api/start_removal"))
        .json(&json!({ "integration": 1, "target": { "orphans": "organization" }, "typed": "5" }))
        .send()
        .await
        .unwrap();
    // Server functions answer an error with the status of its code, like the JSON API.
    assert_eq!(error_code(refused).await, (403, "forbidden".into()));
    assert_eq!(jobs(app.repo.clone()).await, before, "nothing queued");
    let archive = editor
        .get(app.url("/api/v1/removals/1/archive"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(archive).await, (403, "forbidden".into()));

    // Another account's integration does not exist for this one.
    assert_eq!(
        error_code(
            admin
                .post(app.url("/api/v1/integrations/999/sync"))
                .send()
                .await
                .unwrap()
        )
        .await,
        (404, "not_found".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_api_on_sqlite() {
    let app = TestApp::spawn(None).await;
    drive_sync_api(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_api_on_postgres() {
    let app = TestApp::spawn(Some(common::fresh_postgres_url().await)).await;
    drive_sync_api(&app).await;
    app.stop().await;
}

/// Sends `GET path` as written (no client tidies `..` away) and returns the whole answer.
async fn raw_get(app: &TestApp, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn the_sites_files_go_out_compressed_revalidated_and_nothing_else() {
    // A site of its own: a module with its gzip copy beside it, and secrets one and two levels
    // up from pkg/ that no request may reach.
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("site/pkg")).unwrap();
    let module: &[u8] = b"\0asm\x01\0\0\0 a module";
    std::fs::write(site.path().join("site/pkg/app.wasm"), module).unwrap();
    std::fs::write(site.path().join("site/pkg/app.wasm.gz"), b"the gzip copy").unwrap();
    std::fs::write(site.path().join("site/secret.txt"), "SITE-SECRET").unwrap();
    std::fs::write(site.path().join("outside.txt"), "OUTSIDE-SECRET").unwrap();
    let root = site.path().join("site").display().to_string();
    let app = TestApp::spawn_configured(None, |c| c.site_root = root).await;
    let client = reqwest::Client::new();
    let get = |headers: &[(&str, &str)]| {
        let mut req = client.get(app.url("/pkg/app.wasm"));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };

    // Compressed to a client that takes gzip, whole to one that takes nothing.
    let gz = get(&[("accept-encoding", "gzip")]).await.unwrap();
    assert_eq!(gz.status().as_u16(), 200);
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.headers()["content-type"], "application/wasm");
    assert_eq!(gz.headers()["vary"], "accept-encoding");
    assert_eq!(gz.headers()["cache-control"], "no-cache");
    assert_eq!(&gz.bytes().await.unwrap()[..], b"the gzip copy");
    let plain = get(&[("accept-encoding", "identity")]).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let modified = plain.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(&plain.bytes().await.unwrap()[..], module);
    // A copy the browser holds is confirmed with a 304, not sent again.
    let again = get(&[("if-modified-since", &modified)]).await.unwrap();
    assert_eq!(again.status().as_u16(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    // Out of pkg/ by any spelling: never a secret, never a 200.
    for path in [
        "/pkg/../secret.txt",
        "/pkg/../../outside.txt",
        "/pkg/%2e%2e/secret.txt",
        "/pkg/..%2fsecret.txt",
        "/pkg/..%5csecret.txt",
        "/pkg//../secret.txt",
        "/pkg/app.wasm/../../secret.txt",
    ] {
        let answer = raw_get(&app, path).await;
        assert!(!answer.contains("SECRET"), "{path}: {answer}");
        assert!(!answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
    }
    app.stop().await;
}
