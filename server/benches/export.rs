//! Account export and import at scale: `steward account export` of an account holding the XL
//! dataset (about 1,000,000 items) and `steward account import` of it, each run as its own
//! process, which reports its own peak memory (VmHWM), on SQLite and (when
//! STEWARD_BENCH_POSTGRES_URL is set, as `make bench` does) PostgreSQL. Prints a table.
//!
//! `cargo bench -p server --bench export` (size from STEWARD_BENCH_SIZE: l or xl, default xl).

mod common;

use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::repo::{NewIntegration, Repo};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `steward args…`: wall time, its peak resident memory in MiB (which the export and
/// import commands report on stderr, from their own VmHWM), what it printed.
fn measured(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<(Duration, f64, String)> {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .envs(env.iter().copied())
        .output()?;
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        anyhow::bail!("steward {args:?} failed: {err}");
    }
    let kib: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("peak memory: "))
        .and_then(|l| l.trim_end_matches(" KiB").parse().ok())
        .ok_or_else(|| anyhow::anyhow!("steward {args:?} did not report its peak memory"))?;
    Ok((
        took,
        kib as f64 / 1024.0,
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
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
        let url = common::fresh_postgres_url(&base).await?;
        let copy = common::fresh_postgres_url(&base).await?;
        bench("PostgreSQL", &url, &copy, &dataset).await?;
    }
    Ok(())
}
