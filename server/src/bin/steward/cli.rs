//! The command line: `steward serve` (the default), `worker`, `migrate`, `account`, `user`,
//! `psa-sim` and `load`, with their options and environment variables.

use clap::{Parser, Subcommand};
use server::config::ServeConfig;
use server::dataset::Size;

#[derive(Parser)]
#[command(
    name = "steward",
    version,
    about = "Steward keeps the data your PSA syncs clean and safe"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `steward` with no subcommand: serve, configured from the environment.
#[derive(Parser)]
pub struct ServeDefaults {
    #[command(flatten)]
    pub config: ServeConfig,
}

#[derive(Subcommand)]
pub enum Command {
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
pub enum SimPsa {
    Connectwise,
    Autotask,
    Halopsa,
}

#[derive(Subcommand)]
pub enum AccountCommand {
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
pub enum UserCommand {
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
