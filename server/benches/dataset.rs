//! Benchmarks the fixture loader and the Manage Data summary at the L and XL sizes on SQLite and
//! (when STEWARD_BENCH_POSTGRES_URL is set, as `make bench` does) PostgreSQL. Prints a table.
//!
//! `cargo bench -p server --bench dataset` (sizes from STEWARD_BENCH_SIZES, default "l,xl").

mod common;

use app::model::{
    AccountId, CurrentUser, ItemKind, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, Role,
    UserId,
};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::repo::{NewIntegration, Repo};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn bench(label: &str, db: Db, dataset: &Dataset) -> anyhow::Result<()> {
    db.migrate().await?;
    let repo = Repo::new(db);
    let account = repo.create_account("Bench MSP").await?;
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await?;
    let report = loader::load(&repo.db, account, integration, dataset).await?;
    // SQLite's connections plan with the statistics they opened with: measure through ones
    // opened after the load's ANALYZE, as a server's are within minutes (`db::sqlite_pool`).
    let repo = Repo::new(repo.db.reopened().await?);
    let user = CurrentUser {
        user_id: UserId(0),
        account_id: AccountId(account.0),
        account_name: "Bench MSP".into(),
        email: "bench@steward.test".into(),
        name: "Bench".into(),
        role: Role::Administrator,
        restricted: false,
    };
    let summary = repo
        .integration(account, integration)
        .await?
        .expect("integration");
    // The floor: one round trip that reads nothing.
    let mut floor = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        server::on_db!(&repo.db, |pool| sqlx::query_scalar::<_, i32>("SELECT 1")
            .fetch_one(pool)
            .await)?;
        floor.push(t.elapsed());
    }
    // The summary from the kept counts (what the screen reads), and counted afresh (what it
    // read before issue 14; what a restricted user's reads).
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        let md = repo.manage_data(&user, summary.clone()).await?;
        times.push(t.elapsed());
        assert!(!md.synced_items.is_empty());
    }
    let mut recounted = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let md = repo.manage_data_recounted(&user, summary.clone()).await?;
        recounted.push(t.elapsed());
        assert_eq!(md, repo.manage_data(&user, summary.clone()).await?);
    }
    let mut list = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        repo.items(
            &user,
            ItemKind::Configuration,
            &app::model::ItemSearch::parse("").unwrap(),
            1,
            false,
        )
        .await?;
        list.push(t.elapsed());
    }
    // View of the largest Synced Items row (configurations of the most common type), sorted by
    // name: its first and its last page, keyset-paged.
    let biggest = repo
        .manage_data(&user, summary.clone())
        .await?
        .synced_items
        .into_iter()
        .max_by_key(|r| r.counts.total())
        .expect("rows");
    let row = PreviewRow::Value {
        category: biggest.category,
        value: biggest.value_id,
    };
    let preview = |sort: PreviewSort, at: PreviewPageAt| {
        let repo = repo.clone();
        let user = user.clone();
        async move {
            let mut times = Vec::new();
            for _ in 0..5 {
                let t = Instant::now();
                let page = repo
                    .preview(
                        &user,
                        integration,
                        &PreviewQuery {
                            reason: None,
                            state: None,
                            row,
                            sort,
                            descending: false,
                            at: at.clone(),
                        },
                    )
                    .await?
                    .expect("the row");
                assert_eq!(page.items.len(), 50);
                times.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(median(times))
        }
    };
    let first_page = preview(PreviewSort::Name, PreviewPageAt::First).await?;
    let last_page = preview(PreviewSort::Name, PreviewPageAt::Last).await?;
    // Every other sort of View, and the lists with and without a search.
    let mut extra = Vec::new();
    for sort in PreviewSort::ALL {
        extra.push(format!(
            "| {label} | {:?} | View, sorted by {sort:?} | {:.1} ms | {:.1} ms |",
            dataset.size,
            preview(sort, PreviewPageAt::First).await?.as_secs_f64() * 1e3,
            preview(sort, PreviewPageAt::Last).await?.as_secs_f64() * 1e3,
        ));
    }
    let biggest_type = repo
        .manage_data(&user, summary.clone())
        .await?
        .synced_items
        .into_iter()
        .filter(|r| r.category == app::model::CatalogCategory::ConfigurationType)
        .max_by_key(|r| r.counts.total())
        .expect("a configuration type")
        .value_name;
    // A free text that names some hundreds of configurations: four characters of one's name.
    let some_name: String = server::on_db!(&repo.db, |pool| sqlx::query_scalar(
        "SELECT name FROM configurations ORDER BY id LIMIT 1 OFFSET 1000"
    )
    .fetch_one(pool)
    .await)?;
    let text: String = some_name.chars().skip(3).take(4).collect();
    for (kind, searches) in [
        (
            ItemKind::Organization,
            vec![
                String::new(),
                "acme".to_string(),
                "type: Prospect".to_string(),
                "sync status: orphaned".to_string(),
            ],
        ),
        (
            ItemKind::Configuration,
            vec![
                String::new(),
                text.to_lowercase(),
                format!("type: \"{biggest_type}\""),
                "sync status: orphaned".to_string(),
            ],
        ),
    ] {
        for search in searches {
            let parsed = app::model::ItemSearch::parse(&search).unwrap();
            let mut times = Vec::new();
            let mut total = 0;
            for _ in 0..5 {
                let t = Instant::now();
                total = repo.items(&user, kind, &parsed, 1, false).await?.total;
                times.push(t.elapsed());
            }
            extra.push(format!(
                "| {label} | {:?} | {} page 1, search {search:?} ({total} items) | {:.1} ms | |",
                dataset.size,
                kind.plural(),
                median(times).as_secs_f64() * 1e3,
            ));
        }
    }
    println!(
        "| {label} | {:?} | {} | {:.2} s | {:.0} | {:.2} ms | {:.1} ms | {:.2} ms | {:.1} ms | {} ({} items): {:.1} ms / {:.1} ms |",
        dataset.size,
        report.items,
        report.elapsed.as_secs_f64(),
        report.items as f64 / report.elapsed.as_secs_f64(),
        median(times).as_secs_f64() * 1e3,
        median(recounted).as_secs_f64() * 1e3,
        median(floor).as_secs_f64() * 1e3,
        median(list).as_secs_f64() * 1e3,
        biggest.value_name,
        biggest.counts.total(),
        first_page.as_secs_f64() * 1e3,
        last_page.as_secs_f64() * 1e3,
    );
    for line in extra {
        eprintln!("{line}");
    }
    repo.db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes = std::env::var("STEWARD_BENCH_SIZES").unwrap_or_else(|_| "l,xl".into());
    let pg = std::env::var("STEWARD_BENCH_POSTGRES_URL").ok();
    println!("| database | size | items loaded | load time | items/s | Manage Data summary, kept counts (p50 of 21) | the same counted afresh (p50 of 5) | floor: `SELECT 1` (p50 of 21) | configurations page 1 (median of 5) | View of the biggest row, first / last page (median of 5) |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes.split(',') {
        let size = match size.trim().to_ascii_lowercase().as_str() {
            "s" => Size::S,
            "m" => Size::M,
            "l" => Size::L,
            "xl" => Size::Xl,
            other => anyhow::bail!("unknown size {other:?}: use s, m, l or xl"),
        };
        let t = Instant::now();
        let dataset = Dataset::generate(size, 1);
        eprintln!(
            "generated {:?} ({} items) in {:.2?}",
            size,
            dataset.item_count(),
            t.elapsed()
        );
        let dir = tempfile::tempdir()?;
        let sqlite = Db::connect(&format!(
            "sqlite://{}",
            dir.path().join("bench.db").display()
        ))
        .await?;
        bench("SQLite", sqlite, &dataset).await?;
        if let Some(url) = &pg {
            bench("PostgreSQL", common::fresh_postgres(url).await?, &dataset).await?;
        }
    }
    Ok(())
}
