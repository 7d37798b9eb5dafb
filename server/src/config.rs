//! Configuration of `steward serve`: flags and environment variables, with defaults that run
//! the demo on a fresh machine.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "STEWARD_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder for Steward's own files (the embedded SQLite database, the demo dataset's summary).
    #[arg(long, env = "STEWARD_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// sqlite://PATH or postgres://... (default: SQLite in the data directory).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Email of the Administrator created on an empty database.
    #[arg(
        long,
        env = "STEWARD_ADMIN_EMAIL",
        default_value = "admin@steward.local"
    )]
    pub admin_email: String,

    /// Password of that Administrator (generated and printed when unset).
    #[arg(long, env = "STEWARD_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Do not load the demo dataset into an empty database.
    #[arg(long)]
    pub no_demo_data: bool,

    /// The key that seals PSA credentials at rest: 32 bytes, base64 (generated into the data
    /// directory as secret.key when unset).
    #[arg(long, env = "STEWARD_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// With the demo data: where the built-in ConnectWise Manage simulator the demo integration
    /// syncs from listens (port 0: any free port).
    #[arg(long, env = "STEWARD_DEMO_PSA_ADDR", default_value = "127.0.0.1:0")]
    pub demo_psa_addr: SocketAddr,

    /// Let integrations connect to a PSA on this machine (loopback addresses and `localhost`):
    /// the demo's built-in simulator and the tests need it. Private networks are refused
    /// whatever this says: an integration's Manager chooses the site.
    #[arg(long, env = "STEWARD_PSA_ALLOW_LOOPBACK")]
    pub psa_allow_loopback: bool,

    /// Do not start scheduled syncs on this node.
    #[arg(long, env = "STEWARD_NO_SCHEDULER")]
    pub no_scheduler: bool,

    /// Seconds between two looks of this node's scheduler for integrations that are due.
    #[arg(long, env = "STEWARD_SCHEDULER_TICK_SECONDS", default_value_t = 30)]
    pub scheduler_tick_seconds: u64,

    /// Do not run a job worker on this node (run `steward worker` elsewhere).
    #[arg(long, env = "STEWARD_NO_WORKER")]
    pub no_worker: bool,

    #[command(flatten)]
    pub worker: WorkerConfig,

    /// The address people reach Steward at, e.g. https://steward.example.com behind a TLS
    /// proxy. An https URL makes the session cookie `Secure`.
    #[arg(long, env = "STEWARD_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// How long an email or client address waits after too many failed sign-ins (5 for an
    /// email, 20 for an address, within 15 minutes), in seconds.
    #[arg(long, env = "STEWARD_SIGN_IN_WAIT_SECONDS", default_value_t = 60)]
    pub sign_in_wait_seconds: u64,

    /// Where the built site (JS, WASM, CSS) is served from.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
}

impl ServeConfig {
    /// The database URL: given, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("steward.db").display()))
    }
}

/// How a job worker runs: inside `steward serve`, or alone as `steward worker`.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerConfig {
    /// A running job whose worker has not beaten for this many seconds is taken over.
    #[arg(long, env = "STEWARD_JOB_STALE_SECONDS", default_value_t = 60)]
    pub job_stale_seconds: u64,

    /// Targets per removal chunk (one transaction each).
    #[arg(long, env = "STEWARD_REMOVAL_CHUNK", default_value_t = DEFAULT_REMOVAL_CHUNK)]
    pub removal_chunk: i64,

    /// Chunks of one removal run at once on PostgreSQL, each over its own targets, in its own
    /// transaction (SQLite has one writer: one at a time).
    #[arg(long, env = "STEWARD_REMOVAL_PARALLEL", default_value_t = DEFAULT_REMOVAL_PARALLEL)]
    pub removal_parallel: usize,

    /// Milliseconds a removal waits between chunks, leaving the database to other writers
    /// (SQLite has one writer at a time). 0: none.
    #[arg(long, env = "STEWARD_REMOVAL_PAUSE_MS", default_value_t = 0)]
    pub removal_pause_ms: u64,

    /// Days a removal's deletion archive can be downloaded after the removal ended; older
    /// archives are deleted.
    #[arg(long, env = "STEWARD_ARCHIVE_RETENTION_DAYS", default_value_t = 30)]
    pub archive_retention_days: u32,
}

/// Targets per removal chunk, chosen by measurement (docs/BENCHMARKS.md).
pub const DEFAULT_REMOVAL_CHUNK: i64 = 1000;

/// Chunks of one removal at once on PostgreSQL, chosen by measurement (docs/BENCHMARKS.md).
pub const DEFAULT_REMOVAL_PARALLEL: usize = 2;

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            job_stale_seconds: 60,
            removal_chunk: DEFAULT_REMOVAL_CHUNK,
            removal_parallel: DEFAULT_REMOVAL_PARALLEL,
            removal_pause_ms: 0,
            archive_retention_days: 30,
        }
    }
}

impl WorkerConfig {
    pub fn archive_retention(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.archive_retention_days))
    }
}
