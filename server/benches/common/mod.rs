//! What the benches share: a fresh PostgreSQL database each run.
#![allow(dead_code)]

use server::db::Db;
use sqlx::Connection;

/// A new, empty database on the server `base` points at; its URL.
pub async fn fresh_postgres_url(base: &str) -> anyhow::Result<String> {
    let name = format!("steward_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
    let mut conn = sqlx::PgConnection::connect(base).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let (prefix, _) = base.rsplit_once('/').unwrap_or((base, ""));
    Ok(format!("{prefix}/{name}"))
}

/// A new, empty database on the server `base` points at, connected.
pub async fn fresh_postgres(base: &str) -> anyhow::Result<Db> {
    Db::connect(&fresh_postgres_url(base).await?).await
}

/// The real server (`Application`, its job worker included; no scheduler, no demo data) on a
/// free port over the database at `url`, with `admin_email` as its Administrator.
pub struct Served {
    pub base: String,
    pub repo: server::repo::Repo,
    _dir: tempfile::TempDir,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Served {
    pub async fn start(url: String, admin_email: &str) -> anyhow::Result<Served> {
        let dir = tempfile::tempdir()?;
        let config = server::config::ServeConfig {
            addr: "127.0.0.1:0".parse()?,
            data_dir: dir.path().to_path_buf(),
            database_url: Some(url),
            admin_email: admin_email.into(),
            admin_password: None,
            no_demo_data: true,
            secret_key: None,
            demo_psa_addr: "127.0.0.1:0".parse()?,
            no_scheduler: true,
            psa_allow_loopback: true,
            no_worker: false,
            scheduler_tick_seconds: 30,
            worker: server::config::WorkerConfig::default(),
            public_url: None,
            sign_in_wait_seconds: 60,
            site_root: dir.path().join("site").display().to_string(),
        };
        let app = server::startup::Application::build(&config).await?;
        let base = format!("http://{}", app.addr);
        let repo = app.repo.clone();
        let (stop, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        Ok(Served {
            base,
            repo,
            _dir: dir,
            stop,
            server,
        })
    }

    /// Stops the server (it waits for its open connections).
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await?
    }
}
