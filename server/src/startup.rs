//! Start-up you can drive from a test: `Application::build` opens and migrates the database,
//! bootstraps an empty one and binds the listener; `run_until` serves until shutdown.

use crate::bootstrap::{ensure_demo_account, Bootstrapped, DemoPsa, DEMO_PSA_FILE};
use crate::config::ServeConfig;
use crate::dataset::{Dataset, Size};
use crate::db::Db;
use crate::http::{build_router, AppState};
use crate::psa::connectwise::client::CwCredentials;
use crate::repo::Repo;
use crate::secrets::SecretBox;
use crate::services::AppServices;
use crate::sync::{Scheduler, SyncEngine};
use anyhow::Context;
use app::model::{SyncMode, SyncTrigger};
use leptos::config::LeptosOptions;
use sim::connectwise::{Records, SimCredentials, Simulator};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    pub addr: SocketAddr,
    pub repo: Repo,
    pub secrets: Arc<SecretBox>,
    pub sync: SyncEngine,
    pub bootstrapped: Option<Bootstrapped>,
    /// The demo's built-in ConnectWise simulator, when the demo data is on.
    pub demo_psa: Option<String>,
    /// This node's scheduler and how often it looks, unless `--no-scheduler`.
    scheduler: Option<Duration>,
    /// The job worker this node runs, unless `--no-worker`.
    worker: Option<crate::config::WorkerConfig>,
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
        let sync =
            SyncEngine::new(repo.clone(), secrets.clone()).with_retry(crate::psa::RetryPolicy {
                reach: crate::psa::net::Reach {
                    allow_loopback: config.psa_allow_loopback,
                },
                ..Default::default()
            });
        let demo_psa = if config.no_demo_data {
            None
        } else {
            start_demo_psa(config, &repo, &secrets).await?
        };

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
            services: Arc::new(AppServices {
                repo: repo.clone(),
                sync: sync.clone(),
                secrets: secrets.clone(),
                archive_retention: config.worker.archive_retention(),
                throttle: Arc::new(crate::services::throttle::SignInThrottle::new(
                    crate::services::throttle::ThrottleConfig {
                        wait: std::time::Duration::from_secs(config.sign_in_wait_seconds.max(1)),
                        ..Default::default()
                    },
                )),
                secure_cookies: config
                    .public_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://")),
                removal_streams: Default::default(),
            }),
        };
        Ok(Application {
            listener,
            router: build_router(state),
            addr,
            repo,
            secrets,
            sync,
            bootstrapped,
            demo_psa,
            scheduler: (!config.no_scheduler)
                .then(|| Duration::from_secs(config.scheduler_tick_seconds.max(1))),
            worker: (!config.no_worker).then(|| config.worker.clone()),
        })
    }

    /// Serves until `shutdown` completes, then closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // The demo's first full sync, from the simulator, right after the first start.
        if let (Some(b), Some(_)) = (&self.bootstrapped, &self.demo_psa) {
            match self
                .sync
                .start(
                    b.account,
                    b.integration,
                    SyncMode::Full,
                    SyncTrigger::Manual,
                )
                .await
            {
                Ok(started) => {
                    tracing::info!(run_id = %started.run_id, "demo: first full sync started")
                }
                Err(e) => tracing::error!(error = %e, "demo: the first full sync did not start"),
            }
        }
        let scheduler = self.scheduler.map(|tick| {
            let mut scheduler = Scheduler::new(self.sync.clone());
            scheduler.tick = tick;
            tokio::spawn(scheduler.run_forever())
        });
        let worker = self.worker.as_ref().map(|c| {
            tokio::spawn(
                crate::worker::Worker::with_config(self.repo.clone(), c)
                    .with_secrets(self.secrets.clone())
                    .run_forever(),
            )
        });
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("the HTTP server stopped with an error");
        if let Some(s) = scheduler {
            s.abort();
        }
        if let Some(w) = worker {
            w.abort();
        }
        served?;
        self.repo.db.close().await;
        Ok(())
    }
}

/// Starts the demo's ConnectWise simulator (the demo dataset, the simulator's default
/// credentials) and points the demo integration at it: its credentials are sealed again on each
/// start, since the simulator's port may change.
async fn start_demo_psa(
    config: &ServeConfig,
    repo: &Repo,
    secrets: &SecretBox,
) -> anyhow::Result<Option<String>> {
    let path = config.data_dir.join(DEMO_PSA_FILE);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(None);
    };
    let demo: DemoPsa = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not readable: delete it to skip the demo PSA",
            path.display()
        )
    })?;
    let dataset = Dataset::generate(Size::S, crate::bootstrap::DEMO_SEED);
    let credentials = SimCredentials::demo();
    let sim = Simulator::new(credentials.clone(), Records::from_dataset(&dataset));
    let listener = TcpListener::bind(config.demo_psa_addr)
        .await
        .with_context(|| format!("could not start the demo PSA on {}", config.demo_psa_addr))?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, sim::connectwise::router(sim)).await {
            tracing::error!(error = %e, "the demo PSA stopped");
        }
    });
    let sealed = secrets.seal_json(&CwCredentials {
        site_url: url.clone(),
        company_id: credentials.company_id,
        public_key: credentials.public_key,
        private_key: credentials.private_key,
        client_id: credentials.client_id,
    })?;
    repo.set_integration_credentials(demo.account, demo.integration, &sealed)
        .await?;
    // Where the demo PSA answers, for the browser tests (they slow it down or break it on purpose
    // through its /_sim control API).
    std::fs::write(config.data_dir.join("demo-psa-url"), &url)
        .context("could not write demo-psa-url into the data directory")?;
    tracing::info!(%url, "demo: the ConnectWise Manage simulator serves the demo PSA");
    Ok(Some(url))
}
