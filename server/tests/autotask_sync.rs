//! An Autotask integration synced from the Autotask simulator through the same engine and rules
//! as ConnectWise, on SQLite and PostgreSQL: the catalog arrives unchecked and the admin's choice
//! decides; a first full sync links every listed record, orphans unchecked types and statuses
//! (Autotask's Inactive configurations included); a failed listing changes nothing (rule 1); a
//! company deleted in Autotask becomes an orphan at the next full sync (rule 3); an item whose
//! sync is off is never touched (rule 5); the first sync matches a stand-alone organization by
//! name and flags its data (rule 6); an incremental run picks up a change by its stamp (rule 7).

#[macro_use]
mod common;

use app::model::{
    CatalogCategory, IntegrationId, PsaKind, SyncMode, SyncOutcome, SyncSettingsChange, SyncTrigger,
};
use server::dataset::{Dataset, Size};
use server::db::Db;
use server::on_db;
use server::psa::autotask::client::AtCredentials;
use server::psa::autotask::records::AtRecords;
use server::psa::autotask::simulator::{router, AtSimulator};
use server::psa::connectwise::client::RetryPolicy;
use server::psa::simulator::faults::{Faults, PageFault};
use server::repo::{NewIntegration, Repo};
use server::secrets::SecretBox;
use server::sync::SyncEngine;
use std::sync::Arc;
use std::time::Duration;

struct Ctx {
    repo: Repo,
    engine: SyncEngine,
    account: app::model::AccountId,
    integration: IntegrationId,
    sim: Arc<AtSimulator>,
    d: Dataset,
}

async fn setup(db: Db) -> Ctx {
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let account = repo.create_account("Alpha IT").await.unwrap();
    let d = Dataset::generate(Size::S, 1);
    let sim = AtSimulator::new(
        server::psa::autotask::simulator::AtCredentials {
            username: "api@alpha.example".into(),
            secret: "s3cret".into(),
            integration_code: "CODE".into(),
        },
        AtRecords::from_dataset(&d),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let zone = format!("http://{}/atservicesrest", listener.local_addr().unwrap());
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let integration = repo
        .create_integration(NewIntegration {
            account,
            kind: PsaKind::Autotask,
            name: "Autotask",
            site_url: &zone,
        })
        .await
        .unwrap();
    let secrets = Arc::new(SecretBox::new([9; 32]));
    let credentials = AtCredentials {
        site_url: String::new(),
        zone_url: zone,
        username: "api@alpha.example".into(),
        secret: "s3cret".into(),
        integration_code: "CODE".into(),
    };
    repo.set_integration_credentials(
        account,
        integration,
        &secrets.seal_json(&credentials).unwrap(),
    )
    .await
    .unwrap();
    let engine = SyncEngine::new(repo.clone(), secrets).with_retry(RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        timeout: Duration::from_secs(20),
    });
    Ctx {
        repo,
        engine,
        account,
        integration,
        sim,
        d,
    }
}

impl Ctx {
    async fn count(&self, sql: &str) -> i64 {
        on_db!(&self.repo.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(self.account.0).fetch_one(pool).await)
            .unwrap()
    }

    async fn run(&self, mode: SyncMode) -> server::sync::RunReport {
        self.engine
            .run(self.account, self.integration, mode, SyncTrigger::Manual)
            .await
            .expect("the run starts")
    }

    /// The admin checks what the dataset syncs (the same choice as the ConnectWise demo), and
    /// Autotask's fixed values: configurations Active (not Inactive), the one contact type.
    async fn choose_settings(&self) {
        let connector = self
            .engine
            .connector(self.account, self.integration)
            .await
            .unwrap();
        assert_eq!(connector.kind(), PsaKind::Autotask);
        self.repo
            .merge_catalog(
                self.account,
                self.integration,
                &connector.catalog().await.unwrap(),
            )
            .await
            .unwrap();
        let settings = self
            .repo
            .sync_settings(self.account, self.integration)
            .await
            .unwrap()
            .unwrap();
        assert!(
            settings.values.iter().all(|v| !v.sync_enabled),
            "new values start unchecked"
        );
        let values = settings
            .values
            .iter()
            .map(|v| {
                let checked = match v.category {
                    CatalogCategory::ConfigurationStatus => v.name == "Active",
                    CatalogCategory::ContactType => true,
                    c => self
                        .d
                        .catalog
                        .iter()
                        .any(|e| e.category == c && e.name == v.name && e.sync_enabled),
                };
                (v.id, checked)
            })
            .collect();
        assert!(self
            .repo
            .change_sync_settings(
                self.account,
                self.integration,
                &SyncSettingsChange {
                    values,
                    ..Default::default()
                }
            )
            .await
            .unwrap());
    }

    async fn snapshot(&self) -> Vec<(String, i64, Option<String>, Option<String>)> {
        let mut all = Vec::new();
        for table in ["organizations", "configurations", "contacts", "locations"] {
            let sql = format!(
                "SELECT '{table}', psa_id, sync_state, orphan_reason FROM {table} WHERE account_id = $1 ORDER BY psa_id"
            );
            let rows: Vec<(String, i64, Option<String>, Option<String>)> =
                on_db!(&self.repo.db, pool =>
                sqlx::query_as(&sql).bind(self.account.0).fetch_all(pool).await)
                .unwrap();
            all.extend(rows);
        }
        all
    }
}

/// Whether the dataset's catalog value (an Autotask picklist value) is one the admin checked.
fn d_checked(d: &Dataset, category: CatalogCategory, value: &serde_json::Value) -> bool {
    d.catalog.iter().any(|e| {
        e.category == category
            && Some(e.psa_id) == value.as_i64()
            && e.sync_enabled
            && e.name != "Vendor"
    })
}

/// A named company of a checked type and status (Vendor left out: the test unchecks it).
fn synced_company(d: &Dataset, c: &serde_json::Value) -> bool {
    c["companyName"] != ""
        && d_checked(d, CatalogCategory::OrganizationType, &c["companyType"])
        && d_checked(d, CatalogCategory::OrganizationStatus, &c["classification"])
}

async fn an_autotask_integration_syncs_by_the_same_rules(db: Db) {
    let ctx = setup(db).await;
    ctx.choose_settings().await;
    // Rule 6: a stand-alone organization typed in before the first sync, with a document, is
    // matched by name instead of duplicated, and flagged as having had data.
    let (typed_in, typed_name) = {
        let r = ctx.sim.records();
        let c = r
            .companies
            .iter()
            .find(|c| synced_company(&ctx.d, c))
            .unwrap();
        (
            c["id"].as_i64().unwrap(),
            c["companyName"].as_str().unwrap().to_string(),
        )
    };
    let now = chrono::Utc::now();
    let local: i64 = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
        .bind(ctx.account.0).bind(&typed_name).bind(now).fetch_one(pool).await)
    .unwrap();
    on_db!(&ctx.repo.db, pool => sqlx::query(
        "INSERT INTO documents (account_id, organization_id, title, body, created_at, updated_at) VALUES ($1, $2, 'Runbook', 'x', $3, $3)")
        .bind(ctx.account.0).bind(local).bind(now).execute(pool).await.map(|_| ()))
    .unwrap();
    let report = ctx.run(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");

    let records = ctx.sim.records().clone();
    let checked = |category: CatalogCategory, value: &serde_json::Value| {
        ctx.d
            .catalog
            .iter()
            .any(|e| e.category == category && Some(e.psa_id) == value.as_i64() && e.sync_enabled)
    };
    // Every company of a checked type and status is linked (one Autotask has without a name
    // cannot be stored: its run logs it as failed); a first sync does not create what is not
    // synced.
    let synced = records
        .companies
        .iter()
        .filter(|c| {
            c["companyName"] != ""
                && checked(CatalogCategory::OrganizationType, &c["companyType"])
                && checked(CatalogCategory::OrganizationStatus, &c["classification"])
        })
        .count() as i64;
    assert!(synced > 0);
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND integration_id IS NOT NULL").await,
        synced
    );
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
                   WHERE o.account_id = $1 AND v.name = 'Prospect'").await,
        0,
        "an unchecked type is not brought in"
    );
    // Autotask's inactive configuration items have the Inactive status, which is not checked.
    assert!(
        ctx.count("SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND active = TRUE")
            .await
            > 0
    );
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND active = FALSE")
            .await,
        0
    );
    assert!(
        ctx.count("SELECT COUNT(*) FROM contacts WHERE account_id = $1")
            .await
            > 0
    );
    assert!(
        ctx.count("SELECT COUNT(*) FROM locations WHERE account_id = $1")
            .await
            > 0
    );

    // Rule 3's other half: a type unchecked later orphans its companies at the next full sync.
    let vendor = ctx
        .repo
        .sync_settings(ctx.account, ctx.integration)
        .await
        .unwrap()
        .unwrap()
        .values
        .into_iter()
        .find(|v| v.category == CatalogCategory::OrganizationType && v.name == "Vendor")
        .unwrap();
    let vendors = ctx
        .count("SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
                WHERE o.account_id = $1 AND v.name = 'Vendor'")
        .await;
    assert!(vendors > 0);
    ctx.repo
        .change_sync_settings(
            ctx.account,
            ctx.integration,
            &SyncSettingsChange {
                values: vec![(vendor.id, false)],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ctx.run(SyncMode::Full).await.outcome,
        SyncOutcome::Succeeded
    );
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
                   WHERE o.account_id = $1 AND v.name = 'Vendor' AND o.sync_state = 'orphaned' AND o.orphan_reason = 'type_not_synced'")
            .await,
        vendors
    );

    let matched: (i64, bool) = on_db!(&ctx.repo.db, pool => sqlx::query_as(
        "SELECT psa_id, had_data_before_first_sync FROM organizations WHERE id = $1")
        .bind(local).fetch_one(pool).await)
    .unwrap();
    assert_eq!(matched, (typed_in, true));
    assert_eq!(
        ctx.count(&format!(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND psa_id = {typed_in}"
        ))
        .await,
        1,
        "matched, not duplicated"
    );

    // Rule 5: an item whose sync was turned off is never touched, whatever Autotask says.
    let user_id = ctx
        .repo
        .create_user(server::repo::NewUser {
            account: ctx.account,
            email: "admin@alpha.example",
            name: "Admin",
            password_hash: "x",
            role: app::model::Role::Administrator,
            restricted: false,
        })
        .await
        .unwrap();
    let admin = app::model::CurrentUser {
        user_id,
        account_id: ctx.account,
        account_name: "Alpha IT".into(),
        email: "admin@example.com".into(),
        name: "Admin".into(),
        role: app::model::Role::Administrator,
        restricted: false,
    };
    let link = ctx
        .repo
        .item_link(
            &admin,
            ctx.integration,
            app::model::ItemKind::Organization,
            local,
        )
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .disable_item_sync(
            ctx.account,
            ctx.integration,
            app::model::ItemKind::Organization,
            local,
            &link,
            admin.user_id,
        )
        .await
        .unwrap();
    {
        let mut r = ctx.sim.records();
        let c = r
            .companies
            .iter_mut()
            .find(|c| c["id"] == typed_in)
            .unwrap();
        c["companyName"] = "Changed In Autotask".into();
    }
    assert_eq!(
        ctx.run(SyncMode::Full).await.outcome,
        SyncOutcome::Succeeded
    );
    let kept: (String, String) = on_db!(&ctx.repo.db, pool => sqlx::query_as(
        "SELECT name, sync_state FROM organizations WHERE id = $1")
        .bind(local).fetch_one(pool).await)
    .unwrap();
    assert_eq!(kept, (typed_name.clone(), "disabled".to_string()));

    // Rule 1: a listing that fails half-way changes nothing.
    let before = ctx.snapshot().await;
    ctx.sim.set_faults(Faults {
        server_error: Some(PageFault {
            endpoint: "ConfigurationItems".into(),
            page: 2,
            times: None,
        }),
        ..Default::default()
    });
    let failed = ctx.run(SyncMode::Full).await;
    assert_eq!(failed.outcome, SyncOutcome::Failed);
    assert!(failed
        .error
        .unwrap()
        .contains("Autotask answered 500 at ConfigurationItems"));
    assert_eq!(ctx.snapshot().await, before);
    ctx.sim.set_faults(Faults::default());

    // Rule 3: a company deleted in Autotask is an orphan after the next full sync.
    let gone = {
        let mut r = ctx.sim.records();
        let at = r
            .companies
            .iter()
            .position(|c| synced_company(&ctx.d, c) && c["id"] != typed_in)
            .unwrap();
        r.companies.remove(at)["id"].as_i64().unwrap()
    };
    // Rule 7: an incremental run picks up what changed after the last run, by its stamp.
    let renamed = {
        let mut r = ctx.sim.records();
        let c = r
            .companies
            .iter_mut()
            .find(|c| synced_company(&ctx.d, c) && c["id"] != typed_in)
            .unwrap();
        c["companyName"] = "Renamed In Autotask LLC".into();
        c["lastTrackedModifiedDateTime"] = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
            .into();
        c["id"].as_i64().unwrap()
    };
    let incremental = ctx.run(SyncMode::Incremental).await;
    assert_eq!(
        incremental.outcome,
        SyncOutcome::Succeeded,
        "{incremental:?}"
    );
    let name: String = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "SELECT name FROM organizations WHERE account_id = $1 AND psa_id = $2")
        .bind(ctx.account.0).bind(renamed).fetch_one(pool).await)
    .unwrap();
    assert_eq!(name, "Renamed In Autotask LLC");
    let full = ctx.run(SyncMode::Full).await;
    assert_eq!(full.outcome, SyncOutcome::Succeeded, "{full:?}");
    let reason: Option<String> = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "SELECT orphan_reason FROM organizations WHERE account_id = $1 AND psa_id = $2")
        .bind(ctx.account.0).bind(gone).fetch_one(pool).await)
    .unwrap();
    assert_eq!(reason.as_deref(), Some("deleted_in_psa"));
}
on_both!(an_autotask_integration_syncs_by_the_same_rules);
