//! Benchmarks a queued removal of every orphaned organization (with all their children) at XL on
//! SQLite and (with STEWARD_BENCH_POSTGRES_URL) PostgreSQL, beside a plain SQL cascade delete of
//! the same rows in a copy of the same database, and the p99 of Manage Data requests made while
//! the removal runs. Prints a table.
//!
//! `cargo bench -p server --bench removal` (size from STEWARD_BENCH_REMOVAL_SIZE: l or xl; default xl).

use app::model::{CurrentUser, ItemKind, Role};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::on_db;
use server::repo::{NewIntegration, NewUser, Queued, RemovalArgs, Repo};
use server::worker::Worker;
use sqlx::Connection;
use std::time::{Duration, Instant};

async fn scalar(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)?)
}

async fn bench(label: &str, db: Db, copy: Db, size: Size) -> anyhow::Result<()> {
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
            RemovalArgs {
                integration,
                kind: ItemKind::Organization,
            },
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
    worker.chunk = 500;
    let started = Instant::now();
    let removal = tokio::spawn(async move { worker.run_one().await });
    // Manage Data requests while it runs.
    let mut latencies = Vec::new();
    while !removal.is_finished() {
        let t = Instant::now();
        repo.manage_data(&user, summary.clone()).await?;
        latencies.push(t.elapsed());
    }
    let outcome = removal.await??;
    let removal_time = started.elapsed();
    assert!(
        matches!(outcome, Some((_, server::repo::JobState::Succeeded))),
        "{outcome:?}"
    );
    latencies.sort();
    let p99 = latencies
        .get((latencies.len() * 99 / 100).min(latencies.len().saturating_sub(1)))
        .copied()
        .unwrap_or(Duration::ZERO);

    let t = Instant::now();
    on_db!(&copy, pool => sqlx::query("DELETE FROM organizations WHERE sync_state = 'orphaned'").execute(pool).await.map(|_| ()))?;
    let plain = t.elapsed();
    println!(
        "| {label} | {size:?} | {orgs} organizations ({records} records) | {:.2} s | {:.0} organizations/s | {:.2} s | {} requests, p99 {:.0} ms |",
        removal_time.as_secs_f64(),
        orgs as f64 / removal_time.as_secs_f64(),
        plain.as_secs_f64(),
        latencies.len(),
        p99.as_secs_f64() * 1e3
    );
    Ok(())
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let size = match std::env::var("STEWARD_BENCH_REMOVAL_SIZE").as_deref() {
        Ok("l") => Size::L,
        Ok("m") => Size::M,
        _ => Size::Xl,
    };
    let d = Dataset::generate(size, 1);
    println!("| database | size | removed | queued removal (chunks of 500, archived) | rate | plain cascade DELETE of the same rows | Manage Data while it runs |");
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    let a = dir.path().join("a.db");
    let db = Db::connect(&format!("sqlite://{}", a.display())).await?;
    loaded(&db, &d).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(dir.path().join("b.db").display().to_string())
        .execute(match &db {
            Db::Sqlite(p) => p,
            Db::Postgres(_) => unreachable!(),
        })
        .await?;
    let copy = Db::connect(&format!("sqlite://{}", dir.path().join("b.db").display())).await?;
    bench("SQLite", db, copy, size).await?;
    if let Ok(base) = std::env::var("STEWARD_BENCH_POSTGRES_URL") {
        let name = format!("steward_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
        let mut conn = sqlx::PgConnection::connect(&base).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        let (prefix, _) = base.rsplit_once('/').unwrap_or((&base, ""));
        let db = Db::connect(&format!("{prefix}/{name}")).await?;
        loaded(&db, &d).await?;
        db.close().await;
        // Autovacuum may still be visiting the new database: end those sessions, and try the copy
        // again until it is free.
        let mut tries = 0;
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()")
            .bind(&name).execute(&mut conn).await?;
        while let Err(e) = sqlx::query(&format!("CREATE DATABASE {name}_copy TEMPLATE {name}"))
            .execute(&mut conn)
            .await
        {
            tries += 1;
            if tries > 100 {
                return Err(e.into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let db = Db::connect(&format!("{prefix}/{name}")).await?;
        let copy = Db::connect(&format!("{prefix}/{name}_copy")).await?;
        bench("PostgreSQL", db, copy, size).await?;
    }
    Ok(())
}
