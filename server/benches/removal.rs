//! Benchmarks a queued removal of every orphaned organization (with all their children) at XL on
//! SQLite and (with STEWARD_BENCH_POSTGRES_URL) PostgreSQL, beside a plain SQL cascade delete of
//! the same rows in a copy of the same database. The removal runs twice, each time on its own
//! copy: alone (its time is the one set beside the cascade's, which also runs alone), then with
//! Manage Data, View and two lists read one after another while it runs (their p50 and p99),
//! the same reads made idle just before it (50 of each) printed beside them as their floor.
//! Prints a table.
//!
//! `cargo bench -p server --bench removal` (size from STEWARD_BENCH_REMOVAL_SIZE: m, l or xl;
//! default xl; chunk sizes to compare from STEWARD_BENCH_REMOVAL_CHUNKS, e.g. "100,500,2000";
//! default the worker's default). Each chunk size runs on its own copy of the loaded database.
//! `STEWARD_BENCH_REMOVAL_PARALLEL` sets how many chunks run at once on PostgreSQL (default the
//! worker's default); the table's chunk column says it as "1000 ×2".
//! With `RUST_LOG=sqlx::query=debug` every statement is printed with its time (stderr); with
//! `STEWARD_BENCH_SQLITE_SQL` that SQL runs on the loaded SQLite database before it is copied.
//! `STEWARD_BENCH_REMOVAL_ON=postgres` (or `sqlite`) runs one database only;
//! `STEWARD_BENCH_POSTGRES_LOADED=<database>` copies that already loaded PostgreSQL database
//! (`steward load --size xl`; migrated to this build's schema first, nothing else changed)
//! instead of loading one.

use app::model::{CurrentUser, ItemKind, Role};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::on_db;
use server::repo::{NewIntegration, NewUser, Queued, RemovalArgs, Repo};
use server::worker::Worker;
use sqlx::Connection;
use std::time::{Duration, Instant};

async fn scalar(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(on_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await)?)
}

/// How many of each read are made idle before the removal runs with reads.
const IDLE_READS: usize = 50;

/// Prints each read's count, p50 and p99 (stderr: the table on stdout is the removals').
fn print_reads(label: &str, size: Size, when: &str, by_read: [Vec<Duration>; 4]) {
    for (name, mut l) in [
        "Manage Data",
        "View, first page",
        "Configurations page 1",
        "Organizations page 1, sync status: orphaned",
    ]
    .into_iter()
    .zip(by_read)
    {
        l.sort();
        if l.is_empty() {
            continue;
        }
        eprintln!(
            "| {label} | {size:?} | {name}, {when} | {} requests | p50 {:.1} ms | p99 {:.1} ms |",
            l.len(),
            l[l.len() / 2].as_secs_f64() * 1e3,
            l[(l.len() * 99 / 100).min(l.len() - 1)].as_secs_f64() * 1e3
        );
    }
}

/// A plain cascade DELETE of every orphaned organization, timed.
async fn plain_cascade(copy: &Db) -> anyhow::Result<Duration> {
    let t = Instant::now();
    on_db!(copy, |pool| sqlx::query(
        "DELETE FROM organizations WHERE sync_state = 'orphaned'"
    )
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(t.elapsed())
}

/// Runs the queued removal on `db`. With `alone` None, nothing else runs and its time is
/// returned; with the time of a lone run, it runs again while reads are made one after another
/// (on the same 2 cores), and the table row is printed.
async fn bench(
    label: &str,
    db: Db,
    plain: Duration,
    size: Size,
    chunk: i64,
    alone: Option<Duration>,
) -> anyhow::Result<Duration> {
    let repo = Repo::new(db.clone());
    let account = repo.account_ids().await?[0];
    let integration = repo.integrations(account).await?[0].id;
    let user_id = repo
        .create_user(NewUser {
            account,
            email: "bench@example.com",
            name: "B",
            password_hash: "x",
            role: Role::Manager,
            restricted: false,
        })
        .await?;
    let user = CurrentUser {
        user_id,
        account_id: account,
        account_name: "Bench".into(),
        email: "bench@example.com".into(),
        name: "B".into(),
        role: Role::Manager,
        restricted: false,
    };
    let orgs = scalar(
        &db,
        "SELECT COUNT(*) FROM organizations WHERE sync_state = 'orphaned'",
    )
    .await?;
    let records = orgs
        + scalar(&db, "SELECT (SELECT COUNT(*) FROM configurations c JOIN organizations o ON o.id = c.organization_id WHERE o.sync_state = 'orphaned')
            + (SELECT COUNT(*) FROM contacts c JOIN organizations o ON o.id = c.organization_id WHERE o.sync_state = 'orphaned')
            + (SELECT COUNT(*) FROM locations c JOIN organizations o ON o.id = c.organization_id WHERE o.sync_state = 'orphaned')
            + (SELECT COUNT(*) FROM passwords c JOIN organizations o ON o.id = c.organization_id WHERE o.sync_state = 'orphaned')
            + (SELECT COUNT(*) FROM documents c JOIN organizations o ON o.id = c.organization_id WHERE o.sync_state = 'orphaned')").await?;
    let Queued::Job(_) = repo
        .queue_removal(
            &user,
            &RemovalArgs::orphans(integration, ItemKind::Organization),
            orgs,
        )
        .await?
    else {
        anyhow::bail!("not queued")
    };
    let summary = repo
        .integration(account, integration)
        .await?
        .expect("integration");
    let mut worker = Worker::new(repo.clone());
    worker.chunk = chunk;
    if let Ok(parallel) = std::env::var("STEWARD_BENCH_REMOVAL_PARALLEL") {
        worker.parallel = parallel.parse()?;
    }
    let at_once = if label == "SQLite" {
        1
    } else {
        worker.parallel
    };
    // The reads made while the removal runs again, one after another: Manage Data, View of the
    // biggest row, the Configurations list and the Organizations list searched for orphans. In
    // that run they are first made idle, IDLE_READS of each: their floor in the same run.
    let biggest = repo
        .manage_data(&user, summary.clone())
        .await?
        .synced_items
        .into_iter()
        .max_by_key(|r| r.counts.total())
        .expect("rows");
    let view = app::model::PreviewQuery {
        reason: None,
        state: None,
        row: app::model::PreviewRow::Value {
            category: biggest.category,
            value: biggest.value_id,
        },
        sort: app::model::PreviewSort::Name,
        descending: false,
        at: app::model::PreviewPageAt::First,
    };
    let everything = app::model::ItemSearch::parse("").unwrap();
    let orphans = app::model::ItemSearch::parse("sync status: orphaned").unwrap();
    let read = async |n: usize| -> anyhow::Result<Duration> {
        let t = Instant::now();
        match n % 4 {
            0 => drop(repo.manage_data(&user, summary.clone()).await?),
            1 => drop(repo.preview(&user, integration, &view).await?),
            2 => drop(
                repo.items(&user, ItemKind::Configuration, &everything, 1, false)
                    .await?,
            ),
            _ => drop(
                repo.items(&user, ItemKind::Organization, &orphans, 1, false)
                    .await?,
            ),
        }
        Ok(t.elapsed())
    };
    if alone.is_some() {
        let mut idle: [Vec<Duration>; 4] = Default::default();
        for n in 0..IDLE_READS * 4 {
            idle[n % 4].push(read(n).await?);
        }
        print_reads(label, size, "idle", idle);
    }
    let started = Instant::now();
    let removal = tokio::spawn(async move { worker.run_one().await });
    let Some(alone) = alone else {
        let outcome = removal.await??;
        let took = started.elapsed();
        assert!(
            matches!(outcome, Some((_, server::repo::JobState::Succeeded))),
            "{outcome:?}"
        );
        // What was timed archived everything it deleted.
        assert_eq!(
            scalar(&db, "SELECT COUNT(*) FROM deletion_archive").await?,
            records,
            "every removed record archived"
        );
        return Ok(took);
    };
    let mut latencies = Vec::new();
    let mut by_read: [Vec<Duration>; 4] = Default::default();
    let mut n = 0usize;
    while !removal.is_finished() {
        let took = read(n).await?;
        by_read[n % 4].push(took);
        latencies.push(took);
        n += 1;
    }
    let outcome = removal.await??;
    let removal_time = started.elapsed();
    assert!(
        matches!(outcome, Some((_, server::repo::JobState::Succeeded))),
        "{outcome:?}"
    );
    print_reads(label, size, "during the removal", by_read);
    latencies.sort();
    let p99 = latencies
        .get((latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1)))
        .copied()
        .unwrap_or(Duration::ZERO);
    println!(
        "| {label} | {size:?} | {chunk} ×{at_once} | {orgs} organizations ({records} records) | {:.2} s | {:.0} organizations/s | {:.2} s | {:.2}× | {:.2} s | {} requests, p50 {:.1} ms, p99 {:.0} ms |",
        alone.as_secs_f64(),
        orgs as f64 / alone.as_secs_f64(),
        plain.as_secs_f64(),
        alone.as_secs_f64() / plain.as_secs_f64(),
        removal_time.as_secs_f64(),
        latencies.len(),
        latencies[latencies.len() / 2].as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3
    );
    Ok(removal_time)
}

async fn loaded(db: &Db, d: &Dataset) -> anyhow::Result<()> {
    db.migrate().await?;
    let repo = Repo::new(db.clone());
    let account = repo.create_account("Bench MSP").await?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    loader::load(db, account, integration, d).await?;
    Ok(())
}

/// A copy of a loaded SQLite database, through `VACUUM INTO`.
async fn sqlite_copy(template: &Db, dir: &std::path::Path, name: &str) -> anyhow::Result<Db> {
    let path = dir.join(name);
    let Db::Sqlite(pool) = template else {
        anyhow::bail!("not SQLite")
    };
    sqlx::query("VACUUM INTO ?")
        .bind(path.display().to_string())
        .execute(pool)
        .await?;
    Db::connect(&format!("sqlite://{}", path.display())).await
}

/// A copy of a loaded PostgreSQL database (`CREATE DATABASE … TEMPLATE`), retried while
/// autovacuum still visits the template.
async fn postgres_copy(
    conn: &mut sqlx::PgConnection,
    prefix: &str,
    template: &str,
    name: &str,
) -> anyhow::Result<Db> {
    let mut tries = 0;
    loop {
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
            .bind(template).execute(&mut *conn).await?;
        match sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut *conn)
            .await
        {
            Ok(_) => break,
            Err(e) if tries > 100 => return Err(e.into()),
            Err(_) => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    Db::connect(&format!("{prefix}/{name}")).await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // RUST_LOG=sqlx::query=debug prints every statement with its time, on stderr: where a
    // chunk's time goes.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let size = match std::env::var("STEWARD_BENCH_REMOVAL_SIZE").as_deref() {
        Ok("l") => Size::L,
        Ok("m") => Size::M,
        _ => Size::Xl,
    };
    let chunks: Vec<i64> = match std::env::var("STEWARD_BENCH_REMOVAL_CHUNKS") {
        Ok(list) => list
            .split(',')
            .map(|c| c.trim().parse())
            .collect::<Result<_, _>>()?,
        Err(_) => vec![server::config::DEFAULT_REMOVAL_CHUNK],
    };
    let only = std::env::var("STEWARD_BENCH_REMOVAL_ON").ok();
    let on = |db: &str| only.as_deref().is_none_or(|o| o == db);
    // Generated once, and only when something loads it (not for an already loaded PostgreSQL
    // database alone).
    let dataset = std::cell::OnceCell::new();
    let d = || dataset.get_or_init(|| Dataset::generate(size, 1));
    println!("| database | size | chunk | removed | queued removal (archived), alone | rate | plain cascade DELETE of the same rows | queued ÷ plain | the removal again, with reads made meanwhile | those reads (Manage Data, View, two lists) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    if on("sqlite") {
        sqlite_runs(d(), dir.path(), size, &chunks).await?;
    }
    if let (true, Ok(base)) = (on("postgres"), std::env::var("STEWARD_BENCH_POSTGRES_URL")) {
        postgres_runs(d, &base, size, &chunks).await?;
    }
    Ok(())
}

/// The cascade and each chunk size's two runs on SQLite.
async fn sqlite_runs(
    d: &Dataset,
    dir: &std::path::Path,
    size: Size,
    chunks: &[i64],
) -> anyhow::Result<()> {
    let template = Db::connect(&format!("sqlite://{}", dir.join("t.db").display())).await?;
    loaded(&template, d).await?;
    // An experiment's SQL (STEWARD_BENCH_SQLITE_SQL, `;`-separated), run on the loaded SQLite
    // database before it is copied: the cascade and the removals run with it alike.
    if let Ok(sql) = std::env::var("STEWARD_BENCH_SQLITE_SQL") {
        for statement in sql.split(';').filter(|s| !s.trim().is_empty()) {
            on_db!(&template, |pool| sqlx::query(statement)
                .execute(pool)
                .await
                .map(|_| ()))?;
        }
    }
    let plain = plain_cascade(&sqlite_copy(&template, dir, "plain.db").await?).await?;
    for (i, chunk) in chunks.iter().enumerate() {
        let mut alone = None;
        for pass in ["alone", "reads"] {
            let file = format!("run{i}-{pass}.db");
            let db = sqlite_copy(&template, dir, &file).await?;
            let took = bench("SQLite", db.clone(), plain, size, *chunk, alone).await?;
            alone = Some(took);
            db.close().await;
            std::fs::remove_file(dir.join(file))?;
        }
    }
    template.close().await;
    Ok(())
}

/// The cascade and each chunk size's two runs on PostgreSQL, each on a copy of one loaded
/// database (made here, or STEWARD_BENCH_POSTGRES_LOADED's).
async fn postgres_runs<'a>(
    d: impl FnOnce() -> &'a Dataset,
    base: &str,
    size: Size,
    chunks: &[i64],
) -> anyhow::Result<()> {
    let mut conn = sqlx::PgConnection::connect(base).await?;
    let (prefix, _) = base.rsplit_once('/').unwrap_or((base, ""));
    let given = std::env::var("STEWARD_BENCH_POSTGRES_LOADED").ok();
    let name = match &given {
        // Brought to this build's schema first: a copy of it is never migrated, so a database
        // loaded by an earlier build would run this removal on its old tables and triggers.
        Some(name) => {
            let db = Db::connect(&format!("{prefix}/{name}")).await?;
            db.migrate().await?;
            db.close().await;
            name.clone()
        }
        None => {
            let name = format!("steward_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let db = Db::connect(&format!("{prefix}/{name}")).await?;
            loaded(&db, d()).await?;
            db.close().await;
            name
        }
    };
    let copy = postgres_copy(&mut conn, prefix, &name, &format!("{name}_plain")).await?;
    let plain = plain_cascade(&copy).await?;
    copy.close().await;
    let mut made = vec![format!("{name}_plain")];
    for (i, chunk) in chunks.iter().enumerate() {
        let mut alone = None;
        for pass in ["alone", "reads"] {
            let run = format!("{name}_run{i}_{pass}");
            let db = postgres_copy(&mut conn, prefix, &name, &run).await?;
            let took = bench("PostgreSQL", db.clone(), plain, size, *chunk, alone).await?;
            alone = Some(took);
            db.close().await;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {run} WITH (FORCE)"))
                .execute(&mut conn)
                .await?;
        }
    }
    if given.is_none() {
        made.push(name);
    }
    for db in made {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}
