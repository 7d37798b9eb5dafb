//! The database: SQLite (embedded default) or PostgreSQL, behind one enum. Repository code is
//! written once inside `on_db!`, which expands it for each backend with its native driver and
//! types, so both databases run the same SQL text (`$1` placeholders work on both).

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken
/// first, so a transaction that reads before it writes waits its turn (`busy_timeout`) instead
/// of failing with SQLITE_BUSY_SNAPSHOT when another writer committed since its first read
/// (sqlx's `begin()` is a deferred BEGIN). PostgreSQL's plain `BEGIN` needs nothing more.
/// Every transaction that writes begins with this; a read-only one (the export's snapshot) with
/// `begin()`.
pub trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, Self::Database>, sqlx::Error>,
    > + Send;
}

impl BeginWrite for sqlx::SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>,
    > + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for sqlx::PgPool {
    type Database = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<
        Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>,
    > + Send {
        self.begin()
    }
}

/// A connection pool to one of the two supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code against whichever pool `$db` holds: `on_db!(db, |pool| query.fetch_all(pool))`.
/// The body is compiled once per backend, with `DB` naming that backend's `sqlx::Database`
/// (`QueryBuilder::<DB>::new(..)`). The body is written as a closure's so rustfmt reads it like
/// any other code; it is not a closure (`?` and `.await` act on the enclosing function).
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => {
                #[allow(dead_code)]
                type DB = sqlx::Sqlite;
                $body
            }
            $crate::db::Db::Postgres($pool) => {
                #[allow(dead_code)]
                type DB = sqlx::Postgres;
                $body
            }
        }
    };
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// SQLite's pool. A connection reads the planner's statistics (`sqlite_stat1`) when it opens
/// and never again (ANALYZE changes no schema), so connections last 5 minutes: statistics a
/// sync writes reach every connection within that.
fn sqlite_pool() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(8)
        .max_lifetime(Duration::from_secs(300))
}

impl Db {
    /// The same database through new connections, this pool closed: on SQLite every connection
    /// then plans with the statistics of the last ANALYZE (benchmarks, after loading a dataset).
    pub async fn reopened(self) -> anyhow::Result<Db> {
        match self {
            Db::Sqlite(pool) => {
                let opts = (*pool.connect_options()).clone();
                pool.close().await;
                Ok(Db::Sqlite(sqlite_pool().connect_with(opts).await?))
            }
            pg => Ok(pg),
        }
    }

    /// Connects to `sqlite://path` (created when missing) or `postgres://...`.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("DATABASE_URL {url:?} is not a valid SQLite URL"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // 64 MiB of page cache per connection (the default is 2 MiB): bulk loads and the
                // grouped counts of Manage Data touch large indexes.
                .pragma("cache_size", "-65536")
                // Reads go through a memory map of the file (up to 2 GiB) instead of a read()
                // per page missing from that cache: an XL cascade of every orphaned
                // organization took half the time (60 s to 33 s). (An I/O error on a mapped
                // page is then a signal, not an error code: SQLite's documented trade-off.)
                .pragma("mmap_size", "2147483648")
                // ANALYZE (after a sync, after a load) samples this many rows an index: a few
                // milliseconds at a million items, instead of seconds.
                .pragma("analysis_limit", "1000");
            let pool = sqlite_pool()
                .connect_with(opts)
                .await
                .with_context(|| format!("could not open the SQLite database {url:?}"))?;
            Ok(Db::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)
                .context("DATABASE_URL is not a valid PostgreSQL URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .context(
                    "could not connect to PostgreSQL (is the server running, and \
                    is DATABASE_URL right?)",
                )?;
            Ok(Db::Postgres(pool))
        } else {
            anyhow::bail!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
                url.split(':').next().unwrap_or_default()
            )
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Brings the schema up to date. Fails with a message naming the migration that failed.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let result = match self {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        };
        result.with_context(|| {
            format!(
                "database migrations failed on {:?}: Steward will not start on a \
                    schema it does not know",
                self.backend()
            )
        })?;
        if let Db::Sqlite(pool) = self {
            sqlite_item_ids_never_reused(pool)
                .await
                .context("could not make SQLite's item ids AUTOINCREMENT")?;
        }
        Ok(())
    }

    /// Brings the schema up to migration `version` and no further, as a server of that version
    /// left it: tests of what a later migration does to the data already there. (`Migrator`'s
    /// fields are public for `migrate!` but semver-exempt: sqlx is pinned in Cargo.lock.)
    pub async fn migrate_to(&self, version: i64) -> anyhow::Result<()> {
        fn upto(all: &sqlx::migrate::Migrator, version: i64) -> sqlx::migrate::Migrator {
            sqlx::migrate::Migrator {
                migrations: all
                    .migrations
                    .iter()
                    .filter(|m| m.version <= version)
                    .cloned()
                    .collect::<Vec<_>>()
                    .into(),
                ignore_missing: all.ignore_missing,
                locking: all.locking,
                no_tx: all.no_tx,
            }
        }
        match self {
            Db::Sqlite(pool) => {
                upto(&SQLITE_MIGRATIONS, version).run(pool).await?;
                sqlite_item_ids_never_reused(pool).await?;
            }
            Db::Postgres(pool) => upto(&POSTGRES_MIGRATIONS, version).run(pool).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        on_db!(self, |pool| pool.close().await)
    }
}

/// The item tables whose ids must never be reused.
const ITEM_TABLES: [&str; 4] = ["organizations", "configurations", "contacts", "locations"];

/// Item ids are never reused: a stale id (a removal's frozen target, a tombstone) can never
/// point at a new item. SQLite hands out the largest rowid + 1 after a delete unless the key is
/// AUTOINCREMENT, so an item table created without it is rebuilt once with it (SQLite's
/// documented table change: foreign keys off so that dropping the old table cascades nothing;
/// its indexes and triggers re-created from the schema). This cannot be a sqlx migration:
/// those run inside a transaction, where foreign keys cannot be switched off. All in one
/// transaction; a no-op once done.
async fn sqlite_item_ids_never_reused(pool: &sqlx::SqlitePool) -> anyhow::Result<()> {
    use sqlx::Connection;
    let mut conn = pool.acquire().await?;
    let mut todo = Vec::new();
    for table in ITEM_TABLES {
        let sql: String = sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND \
                name = $1",
        )
        .bind(table)
        .fetch_one(&mut *conn)
        .await?;
        if !sql.contains("AUTOINCREMENT") {
            todo.push((table, sql));
        }
    }
    if todo.is_empty() {
        return Ok(());
    }
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    let rebuilt = async {
        let mut tx = conn.begin().await?;
        for (table, sql) in &todo {
            let (head, rest) = sql
                .split_once("id                          INTEGER PRIMARY KEY,")
                .with_context(|| format!("{table}: an id column of an unknown shape"))?;
            let head = head.replacen(
                &format!("CREATE TABLE {table}"),
                &format!("CREATE TABLE {table}_autoincrement"),
                1,
            );
            let create = format!(
                "{head}id                          INTEGER PRIMARY KEY \
                    AUTOINCREMENT,{rest}"
            );
            let dependents: Vec<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE tbl_name = $1 AND type IN \
                    ('index', 'trigger') AND sql IS NOT NULL",
            )
            .bind(*table)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query(&create).execute(&mut *tx).await?;
            sqlx::query(&format!(
                "INSERT INTO {table}_autoincrement SELECT * FROM {table}"
            ))
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!("DROP TABLE {table}"))
                .execute(&mut *tx)
                .await?;
            sqlx::query(&format!(
                "ALTER TABLE {table}_autoincrement RENAME TO {table}"
            ))
            .execute(&mut *tx)
            .await?;
            for dependent in dependents {
                sqlx::query(&dependent).execute(&mut *tx).await?;
            }
        }
        let broken: Vec<(String,)> = sqlx::query_as(
            "SELECT \"table\" FROM \
            pragma_foreign_key_check",
        )
        .fetch_all(&mut *tx)
        .await?;
        anyhow::ensure!(
            broken.is_empty(),
            "foreign keys broken by the rebuild: {broken:?}"
        );
        tx.commit().await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    // The connection goes back to the pool with foreign keys on, or not at all.
    match sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await
    {
        Ok(_) => {}
        Err(_) => drop(conn.detach()),
    }
    rebuilt
}
