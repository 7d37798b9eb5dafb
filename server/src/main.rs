//! `steward`: one binary, several roles. `main` only reads configuration and wires.

use anyhow::Context;
use clap::{Parser, Subcommand};
use server::config::ServeConfig;
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::repo::{NewIntegration, Repo};
use server::startup::Application;

#[derive(Parser)]
#[command(
    name = "steward",
    version,
    about = "Steward keeps the data your PSA syncs clean and safe"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// `steward` with no subcommand: serve, configured from the environment.
#[derive(Parser)]
struct ServeDefaults {
    #[command(flatten)]
    config: ServeConfig,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default). On an empty database it creates the demo account,
    /// its Administrator and the demo data.
    Serve(ServeConfig),
    /// Run a job worker alone (removals), without the web server: for nodes that only work the
    /// queue. `steward serve` runs one too unless `--no-worker`.
    Worker {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// The key the web nodes seal secrets with (exports need it; without it this worker
        /// leaves exports to the nodes).
        #[arg(long, env = "STEWARD_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
        #[command(flatten)]
        config: server::config::WorkerConfig,
    },
    /// Operator commands on an account (what support does when asked).
    Account {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Operator commands on users (what support does when asked).
    User {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Apply the database migrations and exit.
    Migrate {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
    },
    /// Run the ConnectWise Manage simulator alone, serving a generated dataset over the real REST API.
    PsaSim {
        /// Address to listen on.
        #[arg(long, env = "STEWARD_SIM_ADDR", default_value = "127.0.0.1:3100")]
        addr: std::net::SocketAddr,
        /// The dataset the simulated PSA holds.
        #[arg(long, value_enum, default_value = "s")]
        size: Size,
        /// The same seed gives the same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Which PSA to simulate.
        #[arg(long, value_enum, default_value = "connectwise")]
        psa: SimPsa,
        #[command(flatten)]
        credentials: sim::connectwise::SimCredentials,
        /// Autotask: the API user's username.
        #[arg(
            long,
            env = "STEWARD_SIM_USERNAME",
            default_value = "steward-api@demo-msp.example"
        )]
        username: String,
        /// Autotask: the API user's secret.
        #[arg(
            long,
            env = "STEWARD_SIM_SECRET",
            default_value = "demo-secret",
            hide_env_values = true
        )]
        secret: String,
        /// Autotask: the API tracking identifier (integration code) every request carries.
        #[arg(
            long,
            env = "STEWARD_SIM_INTEGRATION_CODE",
            default_value = "STEWARDDEMOCODE"
        )]
        integration_code: String,
        /// HaloPSA: the API application's client secret (its client ID is --client-id).
        #[arg(
            long,
            env = "STEWARD_SIM_CLIENT_SECRET",
            default_value = "demo-client-secret",
            hide_env_values = true
        )]
        client_secret: String,
        /// HaloPSA: the hosted tenant the token request must name (`?tenant=`); none by default.
        #[arg(long, env = "STEWARD_SIM_TENANT")]
        tenant: Option<String>,
    },
    /// Generate a dataset and load it into a new account, as if synced (tests, demos, benchmarks).
    Load {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// S (demo), M (10 × S), L (~143,000 items) or XL (~1,000,000 items).
        #[arg(long, value_enum, default_value = "s")]
        size: Size,
        /// The same seed gives the same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Name of the account to create.
        #[arg(long, default_value = "Fixture MSP")]
        account: String,
        /// Point the account's ConnectWise integration at a simulator serving the same size and
        /// seed (`steward psa-sim`), with the simulator's default credentials sealed with the
        /// server's key (from `--data-dir` or `STEWARD_SECRET_KEY`), as the demo does.
        #[arg(long)]
        psa_url: Option<String>,
        /// Where the server keeps its key (`secret.key`), for `--psa-url`.
        #[arg(long, env = "STEWARD_DATA_DIR", default_value = "data")]
        data_dir: std::path::PathBuf,
        /// The server's key, when given this way to `steward serve`.
        #[arg(long, env = "STEWARD_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
        /// Write what Manage Data must show for the loaded account here (JSON), as the demo's
        /// `demo-dataset.json`.
        #[arg(long)]
        expected: Option<std::path::PathBuf>,
    },
}

/// The PSAs `steward psa-sim` can simulate.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SimPsa {
    Connectwise,
    Autotask,
    Halopsa,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account with its first Administrator; prints the one-time password.
    Create {
        /// The account's name (an MSP's company name); no other account may have it.
        #[arg(long)]
        name: String,
        /// The first Administrator's email (their sign-in).
        #[arg(long)]
        admin_email: String,
        /// The first Administrator's name.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
    },
    /// Switch a feature on for an account: bulk-delete-by-type or full-delete.
    EnableFeature {
        /// The account's id or exact name.
        account: String,
        /// bulk-delete-by-type or full-delete.
        feature: String,
    },
    /// Switch a feature off for an account.
    DisableFeature { account: String, feature: String },
    /// List an account's features.
    Features { account: String },
    /// List the accounts: id, name, number of users.
    List,
    /// Export an account to a file, as Account > Export does (support's backup before a large
    /// change): one ZIP of JSON Lines; the passphrase seals the password entries' secrets.
    Export {
        /// The account's id or exact name.
        account: String,
        /// Where to write the ZIP.
        #[arg(long)]
        out: std::path::PathBuf,
        /// Seals the password entries' secrets; `import` asks for it (at least 12 characters).
        #[arg(long, env = "STEWARD_EXPORT_PASSPHRASE", hide_env_values = true)]
        passphrase: String,
        /// Where the server keeps its key (`secret.key`), as `steward serve` is given it.
        #[arg(long, env = "STEWARD_DATA_DIR", default_value = "data")]
        data_dir: std::path::PathBuf,
        /// The server's key, when given this way to `steward serve`.
        #[arg(long, env = "STEWARD_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
    },
    /// Load an export (Account > Export) into a new account: prints each user's one-time
    /// password. The passphrase chosen at export time opens the password secrets, which are
    /// sealed again with this server's key; integrations need their PSA keys entered again.
    Import {
        /// The export's ZIP file.
        file: std::path::PathBuf,
        /// The passphrase chosen at export time.
        #[arg(long, env = "STEWARD_EXPORT_PASSPHRASE", hide_env_values = true)]
        passphrase: String,
        /// The new account's name (the exported account's when not given).
        #[arg(long)]
        name: Option<String>,
        /// Where the server keeps its key (`secret.key`), as `steward serve` is given it.
        #[arg(long, env = "STEWARD_DATA_DIR", default_value = "data")]
        data_dir: std::path::PathBuf,
        /// The server's key, when given this way to `steward serve`.
        #[arg(long, env = "STEWARD_SECRET_KEY", hide_env_values = true)]
        secret_key: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user to an account with a role; prints a one-time password.
    Add {
        /// The account's id or exact name.
        #[arg(long)]
        account: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// administrator, manager, editor, creator, lite or read-only.
        #[arg(long)]
        role: String,
    },
    /// Change a user's role (the last active Administrator keeps theirs).
    SetRole {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
    },
    /// Deactivate a user: they cannot sign in, their sessions end.
    Deactivate {
        #[arg(long)]
        email: String,
    },
    /// Reactivate a deactivated user.
    Reactivate {
        #[arg(long)]
        email: String,
    },
    /// Give a user a new one-time password (printed); their sessions end.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

/// `steward account ...`: switch account features, recorded in the account's activity log.
/// A simulator's listener on `addr`.
async fn listen(addr: std::net::SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("could not listen on {addr}"))
}

/// Says on stderr how much memory this process held at most (Linux's VmHWM, which `exec`
/// starts afresh): an export or import of a large account shows what it needed.
fn report_peak_memory() {
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<u64>().ok())
        });
    if let Some(kib) = peak {
        eprintln!("peak memory: {kib} KiB");
    }
}

/// Serves a simulator until Ctrl-C.
async fn serve_until_ctrl_c(
    listener: tokio::net::TcpListener,
    app: axum::Router,
) -> anyhow::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn user_command(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    use server::operator;
    let db = Db::connect(database_url).await?;
    db.migrate().await?;
    let repo = Repo::new(db);
    match command {
        UserCommand::Add {
            account,
            email,
            name,
            role,
        } => {
            let id = repo.find_account(&account).await?.ok_or_else(|| {
                anyhow::anyhow!("there is no account {account:?}: give its id or exact name")
            })?;
            let password = operator::add_user(&repo, id, &email, &name, &role).await?;
            println!(
                "{} added; their one-time password (they choose their own at first sign-in):",
                email.trim().to_lowercase()
            );
            println!("{password}");
        }
        UserCommand::SetRole { email, role } => {
            operator::set_role(&repo, &email, &role).await?;
            println!("{email} is now {role}");
        }
        UserCommand::Deactivate { email } => {
            operator::set_active(&repo, &email, false).await?;
            println!("{email} is deactivated; their sessions ended");
        }
        UserCommand::Reactivate { email } => {
            operator::set_active(&repo, &email, true).await?;
            println!("{email} is active again");
        }
        UserCommand::ResetPassword { email } => {
            let password = operator::reset_password(&repo, &email).await?;
            println!("{email} has a new one-time password; their sessions ended:");
            println!("{password}");
        }
    }
    Ok(())
}

async fn account_command(database_url: &str, command: AccountCommand) -> anyhow::Result<()> {
    use app::model::Feature;
    let db = Db::connect(database_url).await?;
    db.migrate().await?;
    let repo = Repo::new(db);
    let find = |name: String| {
        let repo = repo.clone();
        async move {
            repo.find_account(&name).await?.ok_or_else(|| {
                anyhow::anyhow!("there is no account {name:?}: give its id or exact name")
            })
        }
    };
    let feature = |name: &str| {
        Feature::parse(name).ok_or_else(|| {
            anyhow::anyhow!(
                "there is no feature {name:?}: use one of {}",
                Feature::ALL.map(|f| f.as_str()).join(", ")
            )
        })
    };
    match command {
        AccountCommand::Create {
            name,
            admin_email,
            admin_name,
        } => {
            let (id, password) =
                server::operator::create_account(&repo, &name, &admin_email, &admin_name).await?;
            println!(
                "account {id} {:?} created; its Administrator {} signs in with this one-time password (and chooses their own):",
                name.trim(),
                admin_email.trim().to_lowercase()
            );
            println!("{password}");
        }
        AccountCommand::Export {
            account,
            out,
            passphrase,
            data_dir,
            secret_key,
        } => {
            if passphrase.chars().count() < server::export::MIN_PASSPHRASE {
                anyhow::bail!(
                    "choose a passphrase of at least {} characters",
                    server::export::MIN_PASSPHRASE
                );
            }
            let id = find(account).await?;
            std::fs::create_dir_all(&data_dir)?;
            let secrets =
                server::secrets::SecretBox::load_or_create(&data_dir, secret_key.as_deref())?;
            let salt: [u8; 16] = rand::random();
            let key = server::export::derive_key(&passphrase, &salt)?;
            let args = server::export::write::ExportArgs {
                salt: server::export::b64(&salt),
                key_sealed: server::export::b64(&secrets.seal(&key)),
            };
            let started = std::time::Instant::now();
            let Some((mut file, bytes, records)) =
                server::export::write::write_zip(&repo, &secrets, id, &args, None).await?
            else {
                anyhow::bail!("the export was interrupted");
            };
            let mut to = std::fs::File::create(&out)
                .map_err(|e| anyhow::anyhow!("could not create {}: {e}", out.display()))?;
            std::io::copy(&mut file, &mut to)?;
            println!(
                "account {id} exported to {}: {records} records, {bytes} bytes in {:.1?}",
                out.display(),
                started.elapsed()
            );
            report_peak_memory();
        }
        AccountCommand::Import {
            file,
            passphrase,
            name,
            data_dir,
            secret_key,
        } => {
            std::fs::create_dir_all(&data_dir)?;
            let secrets =
                server::secrets::SecretBox::load_or_create(&data_dir, secret_key.as_deref())?;
            let imported = server::export::import::import(
                &repo.db,
                &file,
                &passphrase,
                &secrets,
                name.as_deref(),
            )
            .await?;
            let records: i64 = imported.counts.values().sum();
            println!(
                "account {} {:?} imported: {records} records; integrations need their PSA keys entered again (Edit Credentials)",
                imported.account, imported.name
            );
            for (email, password) in imported.users {
                println!("{email}\t{password}");
            }
            report_peak_memory();
        }
        AccountCommand::List => {
            for (id, name, users) in repo.account_list().await? {
                println!("{id}\t{name}\t{users} users");
            }
        }
        AccountCommand::EnableFeature {
            account,
            feature: f,
        } => {
            let f = feature(&f)?;
            let id = find(account).await?;
            let changed = repo.set_feature(id, f, true, "operator").await?;
            println!(
                "{} is {}on for account {id}",
                f.as_str(),
                if changed { "now " } else { "already " }
            );
        }
        AccountCommand::DisableFeature {
            account,
            feature: f,
        } => {
            let f = feature(&f)?;
            let id = find(account).await?;
            let changed = repo.set_feature(id, f, false, "operator").await?;
            println!(
                "{} is {}off for account {id}",
                f.as_str(),
                if changed { "now " } else { "already " }
            );
        }
        AccountCommand::Features { account } => {
            let id = find(account).await?;
            for f in repo.features(id).await? {
                println!("{}", f.as_str());
            }
        }
    }
    Ok(())
}

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
        Command::PsaSim {
            addr,
            size,
            seed,
            psa: SimPsa::Autotask,
            username,
            secret,
            integration_code,
            ..
        } => {
            use sim::autotask::records::AtRecords;
            use sim::autotask::{router, AtCredentials, AtSimulator, ROOT};
            let records = AtRecords::from_dataset(&Dataset::generate(size, seed));
            let sim = AtSimulator::new(
                AtCredentials {
                    username: username.clone(),
                    secret,
                    integration_code: integration_code.clone(),
                },
                records,
            );
            let listener = listen(addr).await?;
            let at = listener.local_addr()?;
            println!("Autotask simulator on http://{at}{ROOT}/v1.0/ (zone information at http://{at}{ROOT}/v1.0/zoneInformation?user={username})");
            println!("Username {username}, integration code {integration_code}; the secret is the --secret given (default demo-secret)");
            serve_until_ctrl_c(listener, router(sim)).await
        }
        Command::PsaSim {
            addr,
            size,
            seed,
            psa: SimPsa::Halopsa,
            credentials,
            client_secret,
            tenant,
            ..
        } => {
            use sim::halo::records::HaloRecords;
            use sim::halo::{router, HaloCredentials, HaloSimulator};
            let records = HaloRecords::from_dataset(&Dataset::generate(size, seed));
            let client_id = credentials.client_id;
            let sim = HaloSimulator::new(
                HaloCredentials {
                    client_id: client_id.clone(),
                    client_secret,
                    tenant: tenant.clone(),
                },
                records,
            );
            let listener = listen(addr).await?;
            let at = listener.local_addr()?;
            println!("HaloPSA simulator on http://{at} (token at http://{at}/auth/token, API under http://{at}/api/)");
            println!(
                "Client ID {client_id}{}; the client secret is the --client-secret given (default demo-client-secret)",
                tenant.map(|t| format!(", tenant {t}")).unwrap_or_default()
            );
            serve_until_ctrl_c(listener, router(sim)).await
        }
        Command::PsaSim {
            addr,
            size,
            seed,
            credentials,
            ..
        } => {
            use sim::connectwise::{router, Records, Simulator, BASE};
            let records = Records::from_dataset(&Dataset::generate(size, seed));
            let sim = Simulator::new(credentials, records);
            let listener = listen(addr).await?;
            println!(
                "ConnectWise Manage simulator on http://{}{BASE}",
                listener.local_addr()?
            );
            serve_until_ctrl_c(listener, router(sim)).await
        }
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
                "loaded {} items, {} passwords and documents, {} disconnected-item tombstones into account {} (integration {}) in {:.1?}",
                report.items, report.steward_only, report.tombstones, account_id, integration, report.elapsed
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
                "Created the demo account. Sign in as {} with the generated password: {p}",
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
