//! The real server on port 0 with a fresh database, driven over HTTP: sign-in, the session
//! cookie, CSRF refusal, the JSON API's Manage Data against the loaded dataset, and the
//! server-rendered page.

mod common;

use serde_json::{json, Value};
use server::bootstrap::DEMO_SEED;
use server::config::ServeConfig;
use server::dataset::{Dataset, Expected, Size};
use server::startup::Application;

const EMAIL: &str = "admin@steward.test";
const PASSWORD: &str = "integration-test-pw";

struct TestApp {
    base: String,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// A server on a free port with its own data directory.
fn config(
    dir: &tempfile::TempDir,
    database_url: Option<String>,
    admin_password: Option<&str>,
    demo: bool,
) -> ServeConfig {
    ServeConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir.path().to_path_buf(),
        database_url,
        admin_email: EMAIL.into(),
        admin_password: admin_password.map(str::to_string),
        no_demo_data: !demo,
        secret_key: None,
        site_root: dir.path().join("site").display().to_string(),
    }
}

impl TestApp {
    async fn spawn(database_url: Option<String>) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let config = config(&dir, database_url, Some(PASSWORD), true);
        let app = Application::build(&config).await.expect("Steward starts");
        let base = format!("http://{}", app.addr);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            base,
            _dir: dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn sign_in(&self, client: &reqwest::Client) -> reqwest::Response {
        client
            .post(self.url("/api/v1/session"))
            .json(&json!({ "email": EMAIL, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
    }

    async fn stop(mut self) {
        let _ = self.shutdown.take().unwrap().send(());
        self.server
            .take()
            .unwrap()
            .await
            .unwrap()
            .expect("the server shuts down cleanly");
    }
}

async fn error_code(resp: reqwest::Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("errors are JSON");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

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
    let integrations: Value = client
        .get(app.url("/api/v1/integrations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(integrations.as_array().unwrap().len(), 1);
    let id = integrations[0]["id"].as_i64().unwrap();
    assert_eq!(integrations[0]["kind"], "connectwise_manage");
    let md: app::model::ManageData = client
        .get(app.url(&format!("/api/v1/integrations/{id}/manage-data")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dataset = Dataset::generate(Size::S, DEMO_SEED);
    let expected = Expected::of(&dataset, &dataset.plan());
    assert_eq!(Expected::from_manage_data(&md), expected);
    assert_eq!(
        error_code(
            client
                .get(app.url("/api/v1/integrations/999/manage-data"))
                .send()
                .await
                .unwrap()
        )
        .await,
        (404, "not_found".into())
    );
    assert_eq!(
        error_code(
            client
                .get(app.url("/api/v1/integrations/abc/manage-data"))
                .send()
                .await
                .unwrap()
        )
        .await,
        (422, "invalid_input".into())
    );
    assert_eq!(
        error_code(
            client
                .get(app.url("/api/v1/nothing-here"))
                .send()
                .await
                .unwrap()
        )
        .await,
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

    // The OpenAPI document describes the routes.
    let spec: Value = anon
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    for path in [
        "/session",
        "/integrations",
        "/integrations/{id}/manage-data",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} undocumented");
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
