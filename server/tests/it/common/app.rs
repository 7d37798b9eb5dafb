//! The real server on port 0 with its own data directory and a fresh database (the demo
//! account, its Administrator and the demo PSA), and helpers to talk to it over HTTP.

use serde_json::{json, Value};
use server::config::{ServeConfig, WorkerConfig};
use server::startup::Application;

pub const EMAIL: &str = "admin@steward.test";
pub const PASSWORD: &str = "integration-test-pw";

pub struct TestApp {
    pub base: String,
    pub repo: server::repo::Repo,
    /// The demo's ConnectWise simulator.
    pub demo_psa: String,
    /// Where its database is (for operator commands run beside it).
    pub database_url: String,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// A server on a free port with its own data directory.
pub fn config(
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
        demo_psa_addr: "127.0.0.1:0".parse().unwrap(),
        no_scheduler: false,
        // The demo's simulator is on this machine: the operator's setting the demo turns on.
        psa_allow_loopback: true,
        no_worker: false,
        scheduler_tick_seconds: 30,
        worker: WorkerConfig::default(),
        public_url: None,
        sign_in_wait_seconds: 60,
        site_root: dir.path().join("site").display().to_string(),
    }
}

impl TestApp {
    pub async fn spawn(database_url: Option<String>) -> TestApp {
        TestApp::spawn_with(database_url, WorkerConfig::default()).await
    }

    /// The demo server with its job worker configured.
    pub async fn spawn_with(database_url: Option<String>, worker: WorkerConfig) -> TestApp {
        TestApp::spawn_configured(database_url, |c| c.worker = worker).await
    }

    /// The demo server with its configuration changed by `change`.
    pub async fn spawn_configured(
        database_url: Option<String>,
        change: impl FnOnce(&mut ServeConfig),
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(&dir, database_url, Some(PASSWORD), true);
        change(&mut config);
        let database_url = config.database_url();
        let app = Application::build(&config).await.expect("Steward starts");
        let base = format!("http://{}", app.addr);
        let repo = app.repo.clone();
        let demo_psa = app
            .demo_psa
            .clone()
            .expect("the demo starts its PSA simulator");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        TestApp {
            base,
            repo,
            demo_psa,
            database_url,
            _dir: dir,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn sign_in(&self, client: &reqwest::Client) -> reqwest::Response {
        client
            .post(self.url("/api/v1/session"))
            .json(&json!({ "email": EMAIL, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
    }

    /// GET `path` as `client`, expecting 200 and JSON.
    pub async fn get_json(&self, client: &reqwest::Client, path: &str) -> Value {
        self.get_as(client, path).await
    }

    /// GET `path` as `client`, expecting 200 and JSON of type `T`.
    pub async fn get_as<T: serde::de::DeserializeOwned>(
        &self,
        client: &reqwest::Client,
        path: &str,
    ) -> T {
        let resp = client.get(self.url(path)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "GET {path}");
        resp.json().await.unwrap()
    }

    /// GET `path` as `client`, expecting an error: its status and the error's `code`.
    pub async fn get_error(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        error_code(client.get(self.url(path)).send().await.unwrap()).await
    }

    /// Polls until no sync run of the demo integration is running (the demo's first full sync
    /// starts with the server).
    pub async fn syncs_settled(&self, client: &reqwest::Client) {
        loop {
            let runs = self
                .get_json(client, "/api/v1/integrations/1/sync-runs")
                .await;
            let runs = runs.as_array().expect("a list of runs");
            if !runs.is_empty() && runs.iter().all(|r| r["outcome"] != "running") {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// A signed-in client for a new user of the demo account with this role.
    pub async fn user_with_role(&self, role: app::model::Role) -> reqwest::Client {
        self.user_restricted_to(role, None).await
    }

    /// A signed-in client for a new user with this role; with `organizations`, restricted to
    /// them.
    pub async fn user_restricted_to(
        &self,
        role: app::model::Role,
        organizations: Option<&[i64]>,
    ) -> reqwest::Client {
        let account = self.repo.account_ids().await.unwrap()[0];
        let prefix = if organizations.is_some() {
            "restricted-"
        } else {
            ""
        };
        let email = format!("{prefix}{}@steward.test", role.as_str());
        let password = format!("{}-password-1", role.as_str());
        let hash = server::auth::hash_password(&password).unwrap();
        let user = self
            .repo
            .create_user(server::repo::NewUser {
                account,
                email: &email,
                name: role.label(),
                password_hash: &hash,
                role,
                restricted: organizations.is_some(),
            })
            .await
            .unwrap();
        for org in organizations.unwrap_or_default() {
            self.repo
                .grant_organization_access(account, user, app::model::OrganizationId(*org))
                .await
                .unwrap();
        }
        let client = self.client();
        let r = client
            .post(self.url("/api/v1/session"))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{email} signs in");
        client
    }

    pub async fn stop(mut self) {
        let _ = self.shutdown.take().unwrap().send(());
        self.server
            .take()
            .unwrap()
            .await
            .unwrap()
            .expect("the server shuts down cleanly");
    }
}

pub async fn error_code(resp: reqwest::Response) -> (u16, String) {
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
