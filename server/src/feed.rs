//! The job change feed: whoever changes a job or a sync run (a worker, the sync engine, a
//! request that queues or cancels) says so here once its change is committed, naming the
//! account; the live job streams of that account's users read again. Nothing polls the job
//! table per open stream.
//!
//! - On PostgreSQL the change goes out as `NOTIFY steward_jobs, '<account>'`, so every node
//!   that shares the database hears it: one `LISTEN` connection per node (started by its first
//!   subscriber, closed when its last one leaves) hands it to that node's subscribers.
//! - On SQLite (one node) it goes to the process's subscribers of that database file directly.
//!
//! Subscribers are told "something of account A changed", never what: they read what they may
//! see through the services, so the feed carries no data and no access decisions.

use crate::db::Db;
use app::model::AccountId;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// The PostgreSQL channel.
const CHANNEL: &str = "steward_jobs";

/// What subscribers hear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A job or sync run of this account changed.
    Account(AccountId),
    /// Anything may have changed (the node lost its `LISTEN` connection for a moment and may
    /// have missed notifications): every stream reads again.
    All,
}

impl Change {
    /// Whether a stream of `account` should read again.
    pub fn concerns(self, account: AccountId) -> bool {
        match self {
            Change::Account(a) => a == account,
            Change::All => true,
        }
    }
}

/// Changes a subscriber may fall behind by before it is told to read everything again.
const BACKLOG: usize = 1024;

/// This process's subscribers, by database (its file, or its PostgreSQL server and name).
static FEEDS: LazyLock<Mutex<HashMap<String, broadcast::Sender<Change>>>> =
    LazyLock::new(Default::default);

fn key(db: &Db) -> String {
    match db {
        Db::Sqlite(pool) => format!("sqlite:{}", pool.connect_options().get_filename().display()),
        Db::Postgres(pool) => {
            let o = pool.connect_options();
            format!(
                "postgres:{}:{}/{}",
                o.get_host(),
                o.get_port(),
                o.get_database().unwrap_or_default()
            )
        }
    }
}

/// Says that a job or sync run of `account` changed (call it after the change is committed).
/// A failure to say so is logged and otherwise ignored: the change itself stands, and a page
/// shows it when it is next read.
pub async fn changed(db: &Db, account: AccountId) {
    match db {
        Db::Sqlite(_) => {
            if let Some(tx) = FEEDS.lock().expect("feeds").get(&key(db)) {
                let _ = tx.send(Change::Account(account));
            }
        }
        Db::Postgres(pool) => {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(account.0.to_string())
                .execute(pool)
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, account = account.0, "could not notify the job feed");
            }
        }
    }
}

/// Hears every change to the jobs and sync runs of `db` from now on.
pub fn subscribe(db: &Db) -> broadcast::Receiver<Change> {
    let mut feeds = FEEDS.lock().expect("feeds");
    let key = key(db);
    if let Some(tx) = feeds.get(&key) {
        return tx.subscribe();
    }
    let (tx, rx) = broadcast::channel(BACKLOG);
    if let Db::Postgres(pool) = db {
        tokio::spawn(listen(pool.clone(), key.clone(), tx.clone()));
    }
    feeds.insert(key, tx);
    rx
}

/// How often a node's `LISTEN` task looks whether anyone still listens.
const STILL_HEARD: Duration = Duration::from_secs(5);

/// Hands `NOTIFY steward_jobs` to this node's subscribers until the last one has gone.
async fn listen(pool: sqlx::PgPool, key: String, tx: broadcast::Sender<Change>) {
    let mut listener: Option<sqlx::postgres::PgListener> = None;
    loop {
        if tx.receiver_count() == 0 {
            let mut feeds = FEEDS.lock().expect("feeds");
            // A subscriber may have come between the count and the lock.
            if tx.receiver_count() == 0 {
                feeds.remove(&key);
                return;
            }
        }
        let l = match listener.as_mut() {
            Some(l) => l,
            None => match connect(&pool).await {
                Ok(l) => {
                    // Whatever changed while no one listened: read everything again.
                    let _ = tx.send(Change::All);
                    listener.insert(l)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not listen to the job feed; trying again");
                    tokio::time::sleep(STILL_HEARD).await;
                    continue;
                }
            },
        };
        match tokio::time::timeout(STILL_HEARD, l.try_recv()).await {
            Err(_) => {}
            Ok(Ok(Some(n))) => {
                let change = n
                    .payload()
                    .parse::<i64>()
                    .map(|a| Change::Account(AccountId(a)))
                    .unwrap_or(Change::All);
                let _ = tx.send(change);
            }
            // The connection was lost (notifications may have been missed): connect again.
            Ok(Ok(None)) | Ok(Err(_)) => listener = None,
        }
    }
}

async fn connect(pool: &sqlx::PgPool) -> Result<sqlx::postgres::PgListener, sqlx::Error> {
    let mut l = sqlx::postgres::PgListener::connect_with(pool).await?;
    l.listen(CHANNEL).await?;
    Ok(l)
}
