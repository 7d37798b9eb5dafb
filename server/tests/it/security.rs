//! What an attacker tries over HTTP against the real server: the saved PSA keys sent to another
//! host, a site URL that reaches any path, remote error pages echoed back, a flood of sign-ins,
//! a search that panics the server, framing and script injection (headers), cookies and sessions,
//! and too many live removal streams.

use crate::common;

use common::app::{error_code, TestApp, EMAIL, PASSWORD};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A server that records every request it gets (method, path, Authorization) and answers with
/// an HTML page: a host an attacker controls.
async fn spy() -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::extract::Request;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: Request| {
        let log = log.clone();
        async move {
            let auth = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_string();
            log.lock()
                .unwrap()
                .push(format!("{} {} {auth}", req.method(), req.uri()));
            (
                http::StatusCode::UNAUTHORIZED,
                "<html><body>internal admin console: db password hunter2</body></html>",
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    function: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/{function}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Test connection's and Save's arguments, with the demo integration's company and client id.
async fn input_for(app: &TestApp, client: &reqwest::Client) -> impl Fn(&str, &str, &str) -> Value {
    let saved: Value = client
        .post(app.url("/api/credentials"))
        .form(&[("integration", "1")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (company, client_id) = (
        saved["company_id"].as_str().unwrap().to_string(),
        saved["client_id"].as_str().unwrap().to_string(),
    );
    move |site: &str, public: &str, private: &str| {
        json!({ "integration": 1, "input": {
            "site_url": site, "company_id": company, "client_id": client_id,
            "public_key": public, "private_key": private } })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_keys_never_leave_for_another_site() {
    let app = TestApp::spawn(None).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    let (evil, seen) = spy().await;
    let input = input_for(&app, &admin).await;

    // Another site with the keys left empty: refused before any request goes out.
    for function in ["test_credentials", "save_credentials"] {
        let resp = call(&app, &admin, function, input(&evil, "", "")).await;
        let (_, code) = error_code(resp).await;
        assert_eq!(code, "invalid_input", "{function}");
    }
    assert!(
        seen.lock().unwrap().is_empty(),
        "no request reached the other host: {:?}",
        seen.lock().unwrap()
    );
    // The saved site still works with its kept keys (the demo simulator's own address).
    let resp = call(
        &app,
        &admin,
        "test_credentials",
        input(&app.demo_psa, "", ""),
    )
    .await;
    assert_eq!(
        resp.status().as_u16(),
        200,
        "{}",
        resp.text().await.unwrap()
    );

    // Sites with a path, a query, a fragment, credentials, or plain http off loopback.
    for site in [
        format!("{}/v4_6_release/apis/3.0/system/info?", app.demo_psa),
        format!("{}?", app.demo_psa),
        format!("{}#", app.demo_psa),
        format!("{}/anything", app.demo_psa),
        "http://na.myconnectwise.net".to_string(),
        "https://user:pw@na.myconnectwise.net".to_string(),
        "ftp://na.myconnectwise.net".to_string(),
        "javascript:alert(1)".to_string(),
        String::new(),
        "https://".to_string() + &"a".repeat(300) + ".example",
    ] {
        let resp = call(
            &app,
            &admin,
            "test_credentials",
            input(&site, "pub", "priv"),
        )
        .await;
        let (_, code) = error_code(resp).await;
        assert_eq!(code, "invalid_input", "{site}");
    }

    // New keys for the other host go there (that is what the admin typed), but what it answers
    // is not repeated: only a PSA's own error message would be.
    let resp = call(
        &app,
        &admin,
        "test_credentials",
        input(&evil, "pub2", "priv2"),
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    let message = body["message"].as_str().unwrap_or_default().to_string();
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!message.contains("<html"), "{message}");
    // Two requests: the site's company info, which carries no credentials (it names the API's
    // codebase), then the call with the new keys.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(seen[0].starts_with("GET /login/companyinfo/"), "{seen:?}");
    assert!(
        seen[0].ends_with(" -"),
        "no credentials to company info: {seen:?}"
    );
    assert!(!seen[1].contains("priv:"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_throttled_and_works_again_after_the_wait() {
    let app = TestApp::spawn_configured(None, |c| c.sign_in_wait_seconds = 1).await;
    let client = app.client();
    for _ in 0..5 {
        let r = client
            .post(app.url("/api/v1/session"))
            .json(&json!({ "email": EMAIL, "password": "wrong password" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401);
    }
    // Now even the right password waits, and the answer says for how long.
    let r = app.sign_in(&client).await;
    assert_eq!(r.status().as_u16(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");
    assert!(body["message"].as_str().unwrap().contains("seconds"));
    // Once the wait is over the right password works (polled, not slept).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = app.sign_in(&client).await.status().as_u16();
        if status == 200 {
            break;
        }
        assert_eq!(status, 429);
        assert!(Instant::now() < deadline, "still throttled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A flood from one address with many emails: every answer a refusal, never a fault, and the
    // server keeps serving.
    let attempts = (0..60).map(|n| {
        let client = reqwest::Client::new();
        let url = app.url("/api/v1/session");
        async move {
            client
                .post(url)
                .json(&json!({ "email": format!("nobody{n}@steward.test"), "password": "x".repeat(1000) }))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 429),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&429),
        "the address was throttled: {statuses:?}"
    );
    assert_eq!(
        reqwest::get(app.url("/healthz"))
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_api_carry_security_headers() {
    let app = TestApp::spawn(None).await;
    let client = app.client();
    let page = client.get(app.url("/login")).send().await.unwrap();
    let h = page.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h.contains_key("referrer-policy"));
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap()
        .to_string();
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    assert!(
        !script_src.split_whitespace().any(|t| t == "'unsafe-eval'"),
        "{csp}"
    );
    let nonce = script_src
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("a nonce")
        .to_string();
    let html = page.text().await.unwrap();
    // Every inline script of the page carries the nonce.
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the nonce: <script{tag}>"
        );
    }
    // Pages asked for many at once each carry their own page's policy, never the one that lets
    // nothing run (which would block the page's own scripts).
    let pages = futures_util::future::join_all((0..40).map(|_| {
        let client = client.clone();
        let url = app.url("/login");
        async move { client.get(url).send().await.unwrap() }
    }))
    .await;
    for p in pages {
        let csp = p.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = p.text().await.unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .unwrap_or_else(|| panic!("a page without its policy: {csp}"));
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "the policy's nonce is not the page's"
        );
    }
    // A second request gets another nonce.
    let again = client.get(app.url("/login")).send().await.unwrap();
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));
    let api = client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert!(api.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(api.headers()["x-frame-options"], "DENY");
    // Over plain http without a public URL the cookie is not Secure (it could not be sent back),
    // and no answer asks for https.
    assert!(api.headers().get("strict-transport-security").is_none());
    let r = app.sign_in(&client).await;
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!cookie.contains("Secure"), "{cookie}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_secure_behind_https_and_sessions_end_when_idle() {
    let app = TestApp::spawn_configured(None, |c| {
        c.public_url = Some("https://steward.example.com".into())
    })
    .await;
    let client = app.client();
    let r = client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Browsers are told to come back only over https, for a year: on answers and pages alike.
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let login = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(
        login.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let token = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("steward_session=")
        .to_string();
    let with_cookie = |path: &str| {
        reqwest::Client::new()
            .get(app.url(path))
            .header("cookie", format!("steward_session={token}"))
            .send()
    };
    let expires = || {
        let db = app.repo.db.clone();
        async move {
            server::on_db!(&db, |pool| sqlx::query_scalar::<
                _,
                chrono::DateTime<chrono::Utc>,
            >(
                "SELECT MAX(expires_at) FROM sessions"
            )
            .fetch_one(pool)
            .await)
            .unwrap()
        }
    };
    // Used with ten minutes left: the session lasts 12 hours from now again.
    server::on_db!(&app.repo.db, |pool| sqlx::query(
        "UPDATE sessions SET expires_at = $1"
    )
    .bind(chrono::Utc::now() + chrono::Duration::minutes(10))
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        with_cookie("/api/v1/integrations").await.unwrap().status(),
        200
    );
    // (Extended off the request's path: polled.)
    let deadline = Instant::now() + Duration::from_secs(20);
    while expires().await < chrono::Utc::now() + chrono::Duration::hours(11) {
        assert!(Instant::now() < deadline, "the session was extended");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Idle past its end: refused, and purged.
    server::on_db!(&app.repo.db, |pool| sqlx::query(
        "UPDATE sessions SET expires_at = $1"
    )
    .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    assert_eq!(
        with_cookie("/api/v1/integrations").await.unwrap().status(),
        401
    );
    // The app's own worker purges expired sessions on its schedule too, and may get there
    // first (issue 34: this raced on a fresh machine): whoever purges, none is left after.
    app.repo.purge_sessions(chrono::Utc::now()).await.unwrap();
    let left = server::on_db!(&app.repo.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM sessions"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(left, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_searches_answer_without_a_fault() {
    let app = TestApp::spawn(None).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    for search in [
        "\u{212A}type: x",
        "İstanbul type: ẞ",
        "type: \"",
        "sync status:",
        "\u{0}",
        "'; DROP TABLE organizations; --",
        "type: x' OR '1'='1",
        "%_\\",
        &"é".repeat(600),
    ] {
        // The Organizations list (a form-encoded server function) answers the page or a
        // clear error, never a fault.
        let r = admin
            .post(app.url("/api/items"))
            .form(&[
                ("kind", "organization"),
                ("search", search),
                ("page", "1"),
                ("show_inactive_orphans", "false"),
            ])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!(
            status == 200 || text.contains("\"invalid_input\""),
            "items {search:?}: {status} {text}"
        );
        let r = call(
            &app,
            &admin,
            "removal_impact",
            json!({ "integration": 1, "target": { "search": search } }),
        )
        .await;
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        assert!(
            status == 200 || text.contains("\"invalid_input\""),
            "removal_impact {search:?}: {status} {text}"
        );
        let r = admin
            .post(app.url("/api/v1/integrations/1/removals"))
            .json(&json!({ "search": search, "confirm": "1" }))
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{search:?}: {}", r.status());
    }
    let count: i64 = server::on_db!(&app.repo.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM organizations"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(count > 0, "nothing was dropped");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_job_streams_are_capped_per_user() {
    let app = TestApp::spawn(None).await;
    let admin = app.client();
    assert_eq!(app.sign_in(&admin).await.status().as_u16(), 200);
    let mut open = Vec::new();
    for _ in 0..server::services::STREAMS_PER_USER {
        let r = admin.get(app.url("/api/v1/events")).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 200);
        open.push(r);
    }
    let r = admin.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(error_code(r).await, (429, "too_many_requests".into()));
    // Closing one frees its place (the server notices the closed connection: polled).
    drop(open.pop());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = admin.get(app.url("/api/v1/events")).send().await.unwrap();
        if r.status().as_u16() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream's place came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server stops once the open streams are closed (it waits for its connections).
    drop(open);
    app.stop().await;
}

/// A Manager's job stream ends once their role changes (checked with the session, at least
/// every 15 seconds), without waiting for them to sign out: what it may carry changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_stream_ends_when_its_users_role_is_lowered() {
    let app = TestApp::spawn(None).await;
    let manager = app.user_with_role(app::model::Role::Manager).await;
    let mut stream = manager.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    server::on_db!(&app.repo.db, |pool| sqlx::query(
        "UPDATE users SET role = 'editor' WHERE email = 'manager@steward.test'"
    )
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    // The stream ends (polled until its end, bounded).
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "the stream ended after the role changed");
    // A new one follows what an Editor may see (sync runs; no removals).
    let again = manager.get(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 200);
    // The server stops once its streams are closed.
    drop((stream, again));
    app.stop().await;
}
