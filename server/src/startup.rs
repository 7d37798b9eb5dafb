//! Start-up you can drive from a test: `Application::build` opens and migrates the database,
//! bootstraps an empty one and binds the listener; `run_until` serves until shutdown.

use crate::bootstrap::{ensure_demo_account, Bootstrapped};
use crate::config::ServeConfig;
use crate::db::Db;
use crate::http::{build_router, AppState};
use crate::repo::Repo;
use crate::secrets::SecretBox;
use crate::services::AppServices;
use anyhow::Context;
use leptos::config::LeptosOptions;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    pub addr: SocketAddr,
    pub repo: Repo,
    pub secrets: Arc<SecretBox>,
    pub bootstrapped: Option<Bootstrapped>,
}

impl Application {
    pub async fn build(config: &ServeConfig) -> anyhow::Result<Application> {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "could not create the data directory {}",
                config.data_dir.display()
            )
        })?;
        let secrets = Arc::new(SecretBox::load_or_create(
            &config.data_dir,
            config.secret_key.as_deref(),
        )?);
        let db = Db::connect(&config.database_url()).await?;
        db.migrate().await?;
        let repo = Repo::new(db);
        let bootstrapped = ensure_demo_account(
            &repo,
            &config.admin_email,
            config.admin_password.as_deref(),
            !config.no_demo_data,
            &config.data_dir,
        )
        .await
        .context("could not set up the demo account")?;

        let listener = TcpListener::bind(config.addr).await.with_context(|| {
            format!(
                "could not listen on {} (is another Steward running?)",
                config.addr
            )
        })?;
        let addr = listener.local_addr()?;
        let leptos_options = LeptosOptions::builder()
            .output_name("steward")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let state = AppState {
            leptos_options,
            services: Arc::new(AppServices { repo: repo.clone() }),
        };
        Ok(Application {
            listener,
            router: build_router(state),
            addr,
            repo,
            secrets,
            bootstrapped,
        })
    }

    /// Serves until `shutdown` completes, then closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server stopped with an error")?;
        self.repo.db.close().await;
        Ok(())
    }
}
