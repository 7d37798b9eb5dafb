//! Account export and import at scale: `steward account export` of an account holding the XL
//! dataset (about 1,000,000 items) and `steward account import` of it, each run as its own
//! process so its peak memory (the kernel's `ru_maxrss` for it) is its own, on SQLite and (when
//! STEWARD_BENCH_POSTGRES_URL is set, as `make bench` does) PostgreSQL. Prints a table.
//!
//! `cargo bench -p server --bench export` (size from STEWARD_BENCH_SIZE: l or xl, default xl).

use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::repo::{NewIntegration, Repo};
use sqlx::Connection;
use std::process::Command;
use std::time::{Duration, Instant};

async fn fresh_postgres(base: &str) -> anyhow::Result<String> {
    let name = format!("steward_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
    let mut conn = sqlx::PgConnection::connect(base).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let (prefix, _) = base.rsplit_once('/').unwrap_or((base, ""));
    Ok(format!("{prefix}/{name}"))
}

/// Runs `steward args…`: wall time, peak resident memory in MiB (the kernel's own count for
/// that process, `ru_maxrss` from `wait4`), what it printed.
fn measured(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<(Duration, f64, String)> {
    use std::io::Read;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).map(|_| text)
        })
    };
    let out = read(Box::new(child.stdout.take().expect("piped")));
    let err = read(Box::new(child.stderr.take().expect("piped")));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing only into the two locals.
    if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } != pid {
        anyhow::bail!("could not wait for steward {args:?}");
    }
    let took = started.elapsed();
    let (out, err) = (out.join().expect("reader")?, err.join().expect("reader")?);
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        anyhow::bail!("steward {args:?} failed: {err}");
    }
    // Linux counts ru_maxrss in KiB.
    Ok((
        took,
        usage.ru_maxrss as f64 / 1024.0,
        out.trim().to_string(),
    ))
}

async fn bench(label: &str, url: &str, copy_url: &str, dataset: &Dataset) -> anyhow::Result<()> {
    let db = Db::connect(url).await?;
    db.migrate().await?;
    let repo = Repo::new(db);
    let account = repo.create_account("Bench MSP").await?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    let report = loader::load(&repo.db, account, integration, dataset).await?;
    repo.db.close().await;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let file = dir.path().join("export.zip");
    let data_s = data.display().to_string();
    let file_s = file.display().to_string();
    let env = [
        ("STEWARD_EXPORT_PASSPHRASE", "a benchmark passphrase"),
        ("STEWARD_DATA_DIR", data_s.as_str()),
        ("RUST_LOG", "error"),
    ];
    let (export_took, export_peak, said) = measured(
        &[
            "account",
            "--database-url",
            url,
            "export",
            "Bench MSP",
            "--out",
            &file_s,
        ],
        &env,
    )?;
    let bytes = std::fs::metadata(&file)?.len();
    println!("  {said}");
    let copy = Db::connect(copy_url).await?;
    copy.migrate().await?;
    copy.close().await;
    let (import_took, import_peak, _) = measured(
        &["account", "--database-url", copy_url, "import", &file_s],
        &env,
    )?;
    println!(
        "| {label} | {} | {:.1} s | {:.0} MiB | {:.1} MB | {:.1} s | {:.0} MiB |",
        report.items + report.steward_only,
        export_took.as_secs_f64(),
        export_peak,
        bytes as f64 / 1e6,
        import_took.as_secs_f64(),
        import_peak,
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let size = match std::env::var("STEWARD_BENCH_SIZE").as_deref() {
        Ok("l") => Size::L,
        _ => Size::Xl,
    };
    let dataset = Dataset::generate(size, 1);
    println!(
        "| database | records | export | export peak memory | file | import | import peak memory |"
    );
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let copy = format!("sqlite://{}", dir.path().join("copy.db").display());
    bench("SQLite", &url, &copy, &dataset).await?;
    if let Ok(base) = std::env::var("STEWARD_BENCH_POSTGRES_URL") {
        let url = fresh_postgres(&base).await?;
        let copy = fresh_postgres(&base).await?;
        bench("PostgreSQL", &url, &copy, &dataset).await?;
    }
    Ok(())
}
