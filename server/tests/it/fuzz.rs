//! Fuzzing, as a careless or hostile client would: every `/api/v1` route from the OpenAPI
//! document through schemathesis (from PyPI; `make test` installs it and names it in
//! `STEWARD_SCHEMATHESIS`), signed in as a Read-only user and as an Administrator, every answer
//! checked against the document (status, content type, schema), and every
//! server function with random and hostile input. No answer is a 5xx (every refusal is a
//! documented wire error), the server never falls over, and the Read-only user's refused requests
//! change nothing.

use crate::common;

use common::app::TestApp;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use server::on_db;

/// What a request could have changed: jobs, checkboxes, links, items, settings, the log.
async fn state(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM jobs",
        "SELECT COUNT(*) FROM psa_catalog_values WHERE sync_enabled = TRUE",
        "SELECT COUNT(*) FROM organizations WHERE integration_id IS NOT NULL",
        "SELECT COUNT(*) FROM organizations",
        "SELECT COUNT(*) FROM configurations",
        "SELECT COUNT(*) FROM configurations WHERE sync_state = 'disabled'",
        "SELECT COUNT(*) FROM disconnected_items",
        "SELECT COUNT(*) FROM activity_log",
        "SELECT COUNT(*) FROM psa_integrations WHERE state = 'paused' OR disconnected_at IS NOT NULL",
        "SELECT COUNT(*) FROM sync_runs",
    ] {
        let n: i64 = on_db!(&app.repo.db, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)
            .unwrap();
        out.push(n);
    }
    out
}

/// A new user of the demo account with this role, signed in: its session token.
async fn token(app: &TestApp, role: app::model::Role) -> String {
    let account = app.repo.account_ids().await.unwrap()[0];
    let email = format!("fuzz-{}@steward.test", role.as_str());
    let password = "fuzzing-password-1";
    app.repo
        .create_user(server::repo::NewUser {
            account,
            email: &email,
            name: "Fuzz",
            password_hash: &server::auth::hash_password(password).unwrap(),
            role,
            restricted: false,
        })
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("steward_session=")
        .to_string()
}

/// Runs schemathesis against every JSON API route as the holder of `token`; its output on failure.
fn schemathesis(app: &TestApp, token: &str, seed: u64) {
    let st = std::env::var("STEWARD_SCHEMATHESIS").expect(
        "STEWARD_SCHEMATHESIS is not set: run the tests with `make test`, which installs schemathesis \
         (or point it at a schemathesis executable, e.g. .venv/bin/st)",
    );
    let report = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(st)
        // Whatever it keeps between runs (a cache of crashes) stays out of the checkout.
        .current_dir(report.path())
        .args(["run", &app.url("/api/v1/openapi.json")])
        .args(["--url", &app.url("/api/v1")])
        .args(["--header", &format!("Cookie: steward_session={token}")])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
        ])
        // Signing out would end the run's own session; the event stream never ends (it is
        // checked by the removal API tests).
        .args(["--exclude-method", "DELETE"])
        .args(["--exclude-path", "/events"])
        .args([
            "--max-examples",
            "25",
            "--workers",
            "1",
            "--request-timeout",
            "30",
        ])
        .args(["--seed", &seed.to_string(), "--no-color"])
        .args(["--generation-database", "none"])
        .args(["--report-dir", &report.path().display().to_string()])
        .output()
        .expect("schemathesis runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_under_schemathesis_as_read_only_and_administrator() {
    let app = TestApp::spawn(None).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    app.syncs_settled(&admin).await;
    let read_only = token(&app, app::model::Role::ReadOnly).await;
    let before = state(&app).await;
    let seed: u64 = rand::random();
    schemathesis(&app, &read_only, seed);
    assert_eq!(
        state(&app).await,
        before,
        "a Read-only user's requests change nothing (seed {seed})"
    );
    let administrator = token(&app, app::model::Role::Administrator).await;
    schemathesis(&app, &administrator, seed);
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200
    );
    app.stop().await;
}

/// Strings a careless or hostile client sends.
const HOSTILE: &[&str] = &[
    "",
    " ",
    "\u{212A}type: x",
    "sync status: orphaned",
    "type: \"",
    "'; DROP TABLE organizations; --",
    "\\' OR 1=1 --",
    "%_%",
    "\u{0}",
    "\u{202E}evil",
    "😀",
    "null",
    "-1",
    "0",
    "9223372036854775807",
    "99999999999999999999",
    "1.5",
    "true",
    "https://evil.example/?",
    "<script>alert(1)</script>",
    "organization",
    "configuration",
];

fn hostile_string(rng: &mut impl Rng) -> String {
    match rng.gen_range(0..4) {
        0 => "x".repeat(rng.gen_range(0..70_000)),
        1 => (0..rng.gen_range(0..40))
            .map(|_| char::from_u32(rng.gen_range(0..0x11_0000)).unwrap_or('?'))
            .collect(),
        _ => HOSTILE[rng.gen_range(0..HOSTILE.len())].to_string(),
    }
}

fn hostile_value(rng: &mut impl Rng, depth: u32) -> Value {
    match rng.gen_range(0..if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.gen::<bool>()),
        2 => json!([0i64, 1, -1, i64::MAX, i64::MIN, 2][rng.gen_range(0..6)]),
        3 => json!(rng.gen::<f64>() * 1e12),
        4 | 5 => json!(hostile_string(rng)),
        6 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| hostile_value(rng, depth + 1))
                .collect(),
        ),
        _ => hostile_object(rng, depth + 1),
    }
}

/// The argument names server functions take, so that random bodies reach past parsing.
const ARGS: &[&str] = &[
    "integration",
    "id",
    "kind",
    "search",
    "page",
    "show_inactive_orphans",
    "target",
    "typed",
    "input",
    "value",
    "job",
    "run",
    "item",
    "query",
    "change",
    "paused",
    "email",
    "password",
    "orphans",
    "row",
    "level",
    "sort",
    "direction",
    "after",
    "before",
    "site_url",
    "category",
];

fn hostile_object(rng: &mut impl Rng, depth: u32) -> Value {
    let mut m = serde_json::Map::new();
    for _ in 0..rng.gen_range(0..6) {
        let key = ARGS[rng.gen_range(0..ARGS.len())].to_string();
        m.insert(key, hostile_value(rng, depth));
    }
    Value::Object(m)
}

/// Every server function (`/api/<name>`), each sent random and hostile JSON and form bodies:
/// no fault, the server stays up, and a Read-only user changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_with_random_and_hostile_input() {
    let app = TestApp::spawn(None).await;
    let admin_client = app.client();
    assert_eq!(app.sign_in(&admin_client).await.status().as_u16(), 200);
    app.syncs_settled(&admin_client).await;
    let mut functions: Vec<(String, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_string(), method.to_string()))
        .filter(|(path, _)| path != "/api/sign_out")
        .collect();
    functions.sort();
    functions.dedup();
    assert!(functions.len() >= 20, "{functions:?}");
    let seed: u64 = rand::random();
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let http = reqwest::Client::new();
    for role in [app::model::Role::ReadOnly, app::model::Role::Administrator] {
        let token = token(&app, role).await;
        let before = state(&app).await;
        for (path, method) in &functions {
            for round in 0..30 {
                let req = http
                    .request(method.parse().unwrap(), app.url(path))
                    .header("cookie", format!("steward_session={token}"));
                let req = match round % 3 {
                    0 => req.json(&hostile_object(&mut rng, 0)),
                    1 => {
                        let pairs: Vec<(String, String)> = (0..rng.gen_range(0..5))
                            .map(|_| {
                                (
                                    ARGS[rng.gen_range(0..ARGS.len())].to_string(),
                                    hostile_string(&mut rng),
                                )
                            })
                            .collect();
                        req.form(&pairs)
                    }
                    _ => req
                        .header("content-type", "application/json")
                        .body(hostile_string(&mut rng)),
                };
                let resp = req.send().await.unwrap();
                let status = resp.status().as_u16();
                let body = resp.text().await.unwrap_or_default();
                assert!(
                    status < 500,
                    "{role:?} {method} {path} answered {status} (seed {seed}): {body}"
                );
            }
        }
        if role == app::model::Role::ReadOnly {
            assert_eq!(
                state(&app).await,
                before,
                "a Read-only user's requests change nothing (seed {seed})"
            );
        }
        assert_eq!(
            reqwest::get(app.url("/healthz")).await.unwrap().status(),
            200
        );
    }
    app.stop().await;
}
