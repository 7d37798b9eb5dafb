//! `steward`: one binary, several roles. `main` only reads configuration and wires.

use anyhow::Context;
use clap::Parser;
use server::config::ServeConfig;
use server::dataset::{loader, Dataset};
use server::db::Db;
use server::repo::{NewIntegration, Repo};
use server::startup::Application;

mod cli;
mod commands;
mod psa_sim;

use cli::{Cli, Command, ServeDefaults};
use commands::{account_command, user_command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let command = match Cli::parse().command {
        Some(c) => c,
        // cargo-leptos starts the binary without arguments: that means serve.
        None => Command::Serve(ServeDefaults::parse_from(["steward"]).config),
    };
    match command {
        Command::Serve(config) => serve(config).await,
        Command::Worker {
            database_url,
            secret_key,
            config,
        } => {
            let db = Db::connect(&database_url).await?;
            db.migrate().await?;
            let mut worker = server::worker::Worker::with_config(Repo::new(db), &config);
            if let Some(key) = secret_key {
                worker = worker.with_secrets(std::sync::Arc::new(
                    server::secrets::SecretBox::load_or_create(
                        std::path::Path::new("."),
                        Some(&key),
                    )?,
                ));
            }
            println!("Steward worker {} is working the job queue", worker.id);
            tokio::select! {
                _ = worker.run_forever() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            Ok(())
        }
        Command::Account {
            database_url,
            command,
        } => account_command(&database_url, command).await,
        Command::User {
            database_url,
            command,
        } => user_command(&database_url, command).await,
        Command::Migrate { database_url } => {
            let db = Db::connect(&database_url).await?;
            db.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        command @ Command::PsaSim { .. } => psa_sim::run(command).await,
        Command::Load {
            database_url,
            size,
            seed,
            account,
            psa_url,
            data_dir,
            secret_key,
            expected,
        } => {
            let db = Db::connect(&database_url).await?;
            db.migrate().await?;
            let repo = Repo::new(db);
            let account_id = repo.create_account(&account).await?;
            let integration = repo
                .create_integration(NewIntegration::connectwise(account_id))
                .await?;
            let dataset = Dataset::generate(size, seed);
            let report = loader::load(&repo.db, account_id, integration, &dataset).await?;
            if let Some(url) = psa_url {
                std::fs::create_dir_all(&data_dir)?;
                let secrets =
                    server::secrets::SecretBox::load_or_create(&data_dir, secret_key.as_deref())?;
                let c = sim::connectwise::SimCredentials::demo();
                let sealed =
                    secrets.seal_json(&server::psa::connectwise::client::CwCredentials {
                        site_url: url.trim_end_matches('/').to_string(),
                        company_id: c.company_id,
                        public_key: c.public_key,
                        private_key: c.private_key,
                        client_id: c.client_id,
                    })?;
                repo.set_integration_credentials(account_id, integration, &sealed)
                    .await?;
            }
            if let Some(path) = expected {
                let want = server::dataset::Expected::of(&dataset, &dataset.plan());
                std::fs::write(&path, serde_json::to_vec_pretty(&want)?)
                    .with_context(|| format!("could not write {}", path.display()))?;
            }
            println!(
                "loaded {} items, {} passwords and documents, {} disconnected-item \
                    tombstones into account {} (integration {}) in {:.1?}",
                report.items,
                report.steward_only,
                report.tombstones,
                account_id,
                integration,
                report.elapsed
            );
            Ok(())
        }
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    let app = Application::build(&config)
        .await
        .context("Steward could not start")?;
    if let Some(b) = &app.bootstrapped {
        match &b.generated_password {
            Some(p) => println!(
                "Created the demo account. Sign in as {} with the generated password: \
                    {p}",
                b.admin_email
            ),
            None => println!(
                "Created the demo account. Sign in as {} with STEWARD_ADMIN_PASSWORD",
                b.admin_email
            ),
        }
    }
    println!("Steward is listening on http://{}", app.addr);
    app.run_until(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
