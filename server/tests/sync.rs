//! The sync engine against the ConnectWise simulator over HTTP, on SQLite and on PostgreSQL:
//! each sync rule of DOMAIN.md, failed listings at any page, first-sync matching, runs and
//! events, Pause Sync, the scheduler, and one run per integration across app nodes.

#[macro_use]
mod common;

use app::model::{
    AccountId, CatalogCategory, CatalogValueId, EventLevel, IntegrationId, IntegrationState,
    ItemKind, OrphanReason, SyncMode, SyncOutcome, SyncSettingsChange, SyncTrigger,
};
use serde_json::json;
use server::dataset::{loader, Dataset, Expected, Fate, Size};
use server::db::Db;
use server::on_db;
use server::psa::connectwise::client::CwCredentials;
use server::psa::simulator::{Faults, PageFault, Records, Simulator};
use server::psa::RetryPolicy;
use server::repo::{NewIntegration, Repo};
use server::secrets::SecretBox;
use server::sync::{Scheduler, SyncEngine, SyncError};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

struct Ctx {
    repo: Repo,
    engine: SyncEngine,
    account: AccountId,
    integration: IntegrationId,
    sim: Arc<Simulator>,
    sim_url: String,
    d: Dataset,
    http: reqwest::Client,
}

/// The simulator's credentials, for a ConnectWise site at `site_url`.
fn cw_credentials(site_url: &str) -> CwCredentials {
    let c = common::sim_credentials();
    CwCredentials {
        site_url: site_url.to_string(),
        company_id: c.company_id,
        public_key: c.public_key,
        private_key: c.private_key,
        client_id: c.client_id,
    }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        timeout: Duration::from_secs(20),
        limit_patience: Duration::from_secs(1),
        reach: server::psa::net::Reach::LOOPBACK,
    }
}

/// An account with a ConnectWise integration whose credentials point at a fresh simulator of
/// the S dataset; with `loaded`, the dataset is also in Steward as the last full sync left it.
async fn setup(db: Db, loaded: bool) -> Ctx {
    db.migrate().await.expect("migrations apply");
    let repo = Repo::new(db);
    let account = repo.create_account("Alpha IT").await.unwrap();
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap();
    let d = Dataset::generate(Size::S, 1);
    if loaded {
        loader::load(&repo.db, account, integration, &d)
            .await
            .unwrap();
    }
    let (sim_url, sim) = common::spawn_simulator_with(Records::from_dataset(&d)).await;
    let credentials = cw_credentials(&sim_url);
    let secrets = Arc::new(SecretBox::new([7; 32]));
    repo.set_integration_credentials(
        account,
        integration,
        &secrets.seal_json(&credentials).unwrap(),
    )
    .await
    .unwrap();
    let engine = SyncEngine::new(repo.clone(), secrets).with_retry(fast_retry());
    Ctx {
        repo,
        engine,
        account,
        integration,
        sim,
        sim_url,
        d,
        http: reqwest::Client::new(),
    }
}

impl Ctx {
    /// An Administrator of the account who sees everything (not a stored user).
    fn admin(&self) -> app::model::CurrentUser {
        app::model::CurrentUser {
            user_id: app::model::UserId(0),
            account_id: self.account,
            account_name: "Alpha IT".into(),
            email: "admin@example.com".into(),
            name: "Admin".into(),
            role: app::model::Role::Administrator,
            restricted: false,
        }
    }

    async fn sync(&self, mode: SyncMode) -> server::sync::RunReport {
        self.engine
            .run(self.account, self.integration, mode, SyncTrigger::Manual)
            .await
            .expect("the run starts")
    }

    /// Changes the PSA's data through the simulator's control API.
    async fn psa(&self, method: reqwest::Method, path: &str, body: serde_json::Value) {
        let r = self
            .http
            .request(method, format!("{}/_sim/{path}", self.sim_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
    }

    fn faults(&self, f: Faults) {
        self.sim.faults.lock().unwrap().set(f);
    }

    /// Every linked item: (kind, PSA id) → (state, reason, name, active).
    async fn links(&self) -> BTreeMap<(ItemKind, i64), Item> {
        let mut all = BTreeMap::new();
        for (kind, table, name) in [
            (ItemKind::Organization, "organizations", "name"),
            (ItemKind::Configuration, "configurations", "name"),
            (
                ItemKind::Contact,
                "contacts",
                "first_name || ' ' || last_name",
            ),
            (ItemKind::Location, "locations", "name"),
        ] {
            let active = if kind == ItemKind::Configuration {
                "active"
            } else {
                "TRUE"
            };
            let sql = format!(
                "SELECT psa_id, sync_state, orphan_reason, {name}, {active}, had_data_before_first_sync, id
                 FROM {table} WHERE account_id = $1 AND integration_id IS NOT NULL"
            );
            let rows: Vec<ItemRow> =
                on_db!(&self.repo.db, pool => sqlx::query_as(&sql).bind(self.account.0).fetch_all(pool).await)
                    .unwrap();
            for (psa_id, state, reason, name, active, had_data, id) in rows {
                all.insert(
                    (kind, psa_id),
                    Item {
                        state,
                        reason,
                        name,
                        active,
                        had_data,
                        id,
                    },
                );
            }
        }
        all
    }

    /// What the admin does when setting the integration up: the PSA's catalog merged, every
    /// box checked (new values start unchecked).
    async fn check_every_value(&self) {
        let cw = self
            .engine
            .connector(self.account, self.integration)
            .await
            .unwrap();
        self.repo
            .merge_catalog(self.account, self.integration, &cw.catalog().await.unwrap())
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
        assert!(self
            .repo
            .change_sync_settings(
                self.account,
                self.integration,
                &SyncSettingsChange {
                    values: settings.values.iter().map(|v| (v.id, true)).collect(),
                    ..Default::default()
                }
            )
            .await
            .unwrap());
    }

    async fn count(&self, sql: &str) -> i64 {
        on_db!(&self.repo.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(self.account.0).fetch_one(pool).await)
            .unwrap()
    }

    async fn catalog_value(&self, category: CatalogCategory, name: &str) -> CatalogValueId {
        let settings = self
            .repo
            .sync_settings(self.account, self.integration)
            .await
            .unwrap()
            .unwrap();
        settings
            .values
            .iter()
            .find(|v| v.category == category && v.name == name)
            .map(|v| v.id)
            .unwrap_or_else(|| panic!("{name} is in the catalog"))
    }

    async fn set_synced(&self, value: CatalogValueId, checked: bool) {
        assert!(self
            .repo
            .change_sync_settings(
                self.account,
                self.integration,
                &SyncSettingsChange {
                    values: vec![(value, checked)],
                    ..Default::default()
                },
            )
            .await
            .unwrap());
    }

    async fn expected(&self) -> Expected {
        Expected::of(&self.d, &self.d.plan())
    }

    async fn manage_data(&self) -> Expected {
        let admin = self.admin();
        let summary = self
            .repo
            .integration(self.account, self.integration)
            .await
            .unwrap()
            .unwrap();
        Expected::from_manage_data(&self.repo.manage_data(&admin, summary).await.unwrap())
    }
}

/// psa_id, sync_state, orphan_reason, name, active, had data, id.
type ItemRow = (i64, String, Option<String>, String, bool, bool, i64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    state: String,
    reason: Option<String>,
    name: String,
    active: bool,
    had_data: bool,
    id: i64,
}

/// A company of the dataset with this fate whose own type and status sync, and its index.
fn company_with(d: &Dataset, fate: Fate) -> (usize, i64) {
    let plan = d.plan();
    d.companies
        .iter()
        .enumerate()
        .find(|(i, c)| {
            c.fate == fate
                && (fate != Fate::Normal
                    || plan.companies[*i].state == Some(app::model::SyncState::Enabled))
                && d.configurations.iter().any(|x| x.company == *i)
        })
        .map(|(i, c)| (i, c.psa_id))
        .expect("the S dataset has one")
}

fn catalog_psa_id(d: &Dataset, category: CatalogCategory, name: &str) -> i64 {
    d.catalog
        .iter()
        .find(|e| e.category == category && e.name == name)
        .unwrap()
        .psa_id
}

/// Rule 1 + 2 + 8 base case: a full sync of a PSA that matches Steward changes no state, writes
/// a succeeded run, and counts every item that cannot be stored as failed, with an event.
async fn full_sync_of_an_unchanged_psa_changes_nothing(db: Db) {
    let ctx = setup(db, true).await;
    let before = ctx.links().await;
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    assert_eq!(
        (report.counts.created, report.counts.orphaned),
        (0, 0),
        "{report:?}"
    );
    assert!(report.counts.unchanged > 3000, "{report:?}");
    let errors = before.values().filter(|i| i.state == "error").count() as i64;
    assert!(errors > 0);
    assert_eq!(report.counts.failed, errors, "items in error fail again");
    assert_eq!(ctx.links().await, before);
    assert_eq!(ctx.manage_data().await, ctx.expected().await);

    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 10)
        .await
        .unwrap();
    assert_eq!(runs[0].id, report.run_id);
    assert_eq!(runs[0].outcome, SyncOutcome::Succeeded);
    assert_eq!(runs[0].counts, report.counts);
    assert!(runs[0].finished_at.is_some());
    let events = ctx
        .repo
        .sync_events(&ctx.admin(), report.run_id, 1000, 0)
        .await
        .unwrap();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.level == EventLevel::Error)
        .collect();
    assert_eq!(failed.len() as i64, errors);
    assert!(failed[0].message.contains("without a name"), "{failed:?}");
    assert!(failed[0].psa_id.is_some() && failed[0].kind.is_some());
    // Nothing is left staged.
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM sync_staging WHERE $1 > 0")
            .await,
        0
    );
}
on_both!(full_sync_of_an_unchanged_psa_changes_nothing);

/// Rule 1: a listing that fails at any page (catalog, companies, a company's sites, any page of
/// configurations or contacts; a 500, malformed JSON or a cut connection) changes no item, and
/// the run is logged as failed with the PSA's error.
async fn a_failed_listing_at_any_page_changes_nothing(db: Db) {
    let ctx = setup(db, true).await;
    // Changes a successful full run would apply.
    let (_, deleted) = company_with(&ctx.d, Fate::Normal);
    ctx.psa(
        reqwest::Method::DELETE,
        &format!("companies/{deleted}"),
        json!({}),
    )
    .await;
    let prospect = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Prospect");
    let moved = ctx
        .d
        .companies
        .iter()
        .rev()
        .find(|c| c.fate == Fate::Normal && c.psa_id != deleted)
        .unwrap()
        .psa_id;
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{moved}"),
        json!({ "type_id": prospect, "name": "Renamed In The PSA" }),
    )
    .await;
    let before = ctx.links().await;
    let listed_company = moved;
    let cases: Vec<(&str, String, usize)> = vec![
        ("server_error", "company/companies/types".into(), 1),
        ("server_error", "company/companies".into(), 1),
        (
            "malformed_json",
            format!("company/companies/{listed_company}/sites"),
            1,
        ),
        ("server_error", "company/configurations".into(), 1),
        ("drop_connection", "company/configurations".into(), 2),
        ("malformed_json", "company/configurations".into(), 3),
        ("server_error", "company/contacts".into(), 1),
    ];
    for (fault, endpoint, page) in cases {
        let f = PageFault {
            endpoint: endpoint.clone(),
            page,
            times: None,
        };
        ctx.faults(match fault {
            "server_error" => Faults {
                server_error: Some(f),
                ..Default::default()
            },
            "malformed_json" => Faults {
                malformed_json: Some(f),
                ..Default::default()
            },
            _ => Faults {
                drop_connection: Some(f),
                ..Default::default()
            },
        });
        let report = ctx.sync(SyncMode::Full).await;
        assert_eq!(
            report.outcome,
            SyncOutcome::Failed,
            "{fault} at {endpoint} page {page}"
        );
        let error = report.error.unwrap();
        assert!(
            error.contains(&endpoint),
            "the error names the endpoint: {error}"
        );
        if fault == "server_error" {
            assert!(
                error.contains("An unexpected error has occurred"),
                "and the PSA's message: {error}"
            );
        }
        assert_eq!(
            ctx.links().await,
            before,
            "{fault} at {endpoint} page {page} changed items"
        );
        let run = ctx
            .repo
            .sync_run(ctx.account, ctx.integration, report.run_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(run.outcome, SyncOutcome::Failed);
        assert_eq!(run.error_message.as_deref(), Some(error.as_str()));
        let events = ctx
            .repo
            .sync_events(&ctx.admin(), report.run_id, 10, 0)
            .await
            .unwrap();
        assert_eq!(events[0].level, EventLevel::Error);
        assert_eq!(events[0].message, error);
    }
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM sync_staging WHERE $1 > 0")
            .await,
        0,
        "failed runs leave nothing staged"
    );
    // With the PSA healthy again, the same changes land.
    ctx.faults(Faults::default());
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let after = ctx.links().await;
    let gone = &after[&(ItemKind::Organization, deleted)];
    assert_eq!(
        (gone.state.as_str(), gone.reason.as_deref()),
        ("orphaned", Some("deleted_in_psa"))
    );
    let moved_item = &after[&(ItemKind::Organization, moved)];
    assert_eq!(moved_item.reason.as_deref(), Some("type_not_synced"));
    assert!(
        report.counts.orphaned > 2,
        "the organizations and their children: {report:?}"
    );
}
on_both!(a_failed_listing_at_any_page_changes_nothing);

/// Rule 2: the PSA wins for enabled items; orphans keep their local fields.
async fn the_psa_wins_for_enabled_items(db: Db) {
    let ctx = setup(db, true).await;
    let plan = ctx.d.plan();
    let (i, enabled) = company_with(&ctx.d, Fate::Normal);
    let orphan = ctx
        .d
        .companies
        .iter()
        .zip(&plan.companies)
        .find(|(c, l)| c.fate == Fate::Normal && l.reason == Some(OrphanReason::TypeNotSynced))
        .unwrap()
        .0
        .psa_id;
    // A local edit of an enabled organization, and PSA renames of both.
    on_db!(&ctx.repo.db, pool => sqlx::query("UPDATE organizations SET name = 'Edited In Steward' WHERE psa_id = $1")
        .bind(enabled).execute(pool).await.map(|_| ())).unwrap();
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{orphan}"),
        json!({ "name": "Orphan Renamed" }),
    )
    .await;
    let before = ctx.links().await;
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let after = ctx.links().await;
    assert_eq!(
        after[&(ItemKind::Organization, enabled)].name,
        ctx.d.companies[i].name
    );
    assert_eq!(
        after[&(ItemKind::Organization, orphan)].name,
        before[&(ItemKind::Organization, orphan)].name
    );
    assert_eq!(report.counts.updated, 1, "{report:?}");
}
on_both!(the_psa_wins_for_enabled_items);

/// Rule 3 (+ 7, 8): unchecking a type shows Sync Active: No at once; only the next FULL sync
/// orphans its items (and their children), with reasons and events; re-checking resumes them.
async fn unchecked_types_orphan_after_the_next_full_sync(db: Db) {
    let ctx = setup(db, true).await;
    let vendor = ctx
        .catalog_value(CatalogCategory::OrganizationType, "Vendor")
        .await;
    let vendor_psa = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Vendor");
    let plan = ctx.d.plan();
    let vendors: Vec<i64> = ctx
        .d
        .companies
        .iter()
        .zip(&plan.companies)
        .filter(|(c, l)| {
            c.type_idx
                == ctx
                    .d
                    .catalog
                    .iter()
                    .position(|e| {
                        e.category == CatalogCategory::OrganizationType && e.psa_id == vendor_psa
                    })
                    .unwrap()
                && l.state == Some(app::model::SyncState::Enabled)
        })
        .map(|(c, _)| c.psa_id)
        .collect();
    assert!(!vendors.is_empty());
    ctx.set_synced(vendor, false).await;
    let md = ctx.manage_data().await;
    assert!(md
        .synced_items
        .iter()
        .any(|r| r.type_or_status == "Type: Vendor" && r.sync_active == "No"));
    let before = ctx.links().await;

    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    assert_eq!(
        ctx.links().await,
        before,
        "an incremental run orphans nothing"
    );

    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let after = ctx.links().await;
    for v in &vendors {
        let org = &after[&(ItemKind::Organization, *v)];
        assert_eq!(
            (org.state.as_str(), org.reason.as_deref()),
            ("orphaned", Some("type_not_synced"))
        );
    }
    let newly_orphaned = after
        .iter()
        .filter(|(k, i)| i.state == "orphaned" && before[*k].state != "orphaned")
        .count();
    let children_orphaned = newly_orphaned - vendors.len();
    assert!(
        children_orphaned > 0,
        "their configurations, contacts and locations too"
    );
    assert!(after
        .iter()
        .filter(|((k, _), i)| *k != ItemKind::Organization && i.state == "orphaned")
        .all(|(_, i)| i.reason.is_some()));
    assert_eq!(
        report.counts.orphaned as usize,
        vendors.len() + children_orphaned,
        "{report:?}"
    );
    let events = ctx
        .repo
        .sync_events(&ctx.admin(), report.run_id, 10_000, 0)
        .await
        .unwrap();
    let orphan_events = events
        .iter()
        .filter(|e| e.level == EventLevel::Warning && e.message.contains("became an orphan"))
        .count();
    assert_eq!(orphan_events as i64, report.counts.orphaned);
    // Children that were orphans for their own reason now say their organization stopped syncing.
    assert!(events
        .iter()
        .any(|e| e.reason == Some(OrphanReason::ParentNotSyncing)
            && e.message.contains("still an orphan, now because")));
    assert!(events
        .iter()
        .any(|e| e.reason == Some(OrphanReason::TypeNotSynced)
            && e.message.contains("became an orphan: Type not synced")));

    // Re-checking resumes them at the next full sync.
    ctx.set_synced(vendor, true).await;
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    assert_eq!(ctx.links().await, before);
    assert_eq!(ctx.manage_data().await, ctx.expected().await);
}
on_both!(unchecked_types_orphan_after_the_next_full_sync);

/// Rule 4: a configuration that turns inactive is marked inactive whatever the settings, and
/// orphaned (with its own reason) when its status is not synced.
async fn inactive_configurations(db: Db) {
    let ctx = setup(db, true).await;
    let plan = ctx.d.plan();
    let mut enabled = ctx
        .d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .filter(|(_, l)| l.state == Some(app::model::SyncState::Enabled))
        .map(|(c, _)| c.psa_id);
    let (a, b) = (enabled.next().unwrap(), enabled.next().unwrap());
    let retired = catalog_psa_id(&ctx.d, CatalogCategory::ConfigurationStatus, "Retired");
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("configurations/{a}"),
        json!({ "active": false }),
    )
    .await;
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("configurations/{b}"),
        json!({ "active": false, "status_id": retired }),
    )
    .await;

    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    assert_eq!(report.counts.updated, 2, "{report:?}");
    let links = ctx.links().await;
    let (ia, ib) = (
        &links[&(ItemKind::Configuration, a)],
        &links[&(ItemKind::Configuration, b)],
    );
    assert!(
        !ia.active && !ib.active,
        "inactive at once, whatever the settings"
    );
    assert_eq!(
        (ia.state.as_str(), ib.state.as_str()),
        ("enabled", "enabled")
    );

    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.counts.orphaned, 1, "{report:?}");
    let links = ctx.links().await;
    assert_eq!(links[&(ItemKind::Configuration, a)].state, "enabled");
    let ib = &links[&(ItemKind::Configuration, b)];
    assert_eq!(
        (ib.state.as_str(), ib.reason.as_deref()),
        ("orphaned", Some("inactive_status_not_synced"))
    );
}
on_both!(inactive_configurations);

/// Rule 5: items with sync disabled are never touched, and disconnected items deleted since are
/// never recreated.
async fn disabled_items_are_never_touched(db: Db) {
    let ctx = setup(db, true).await;
    let (_, disabled) = company_with(&ctx.d, Fate::Disabled);
    let prospect = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Prospect");
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{disabled}"),
        json!({ "type_id": prospect, "name": "Renamed" }),
    )
    .await;
    let before = ctx.links().await;
    let tombstones = ctx
        .count("SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1 AND item_id IS NULL")
        .await;
    assert!(tombstones > 0);
    for mode in [SyncMode::Incremental, SyncMode::Full] {
        let report = ctx.sync(mode).await;
        assert_eq!(report.outcome, SyncOutcome::Succeeded);
        assert_eq!(
            report.counts.created, 0,
            "nothing disconnected is recreated: {report:?}"
        );
        assert_eq!(ctx.links().await, before);
    }
    let type_id: Option<i64> = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "SELECT v.psa_id FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id WHERE o.psa_id = $1")
        .bind(disabled).fetch_one(pool).await).unwrap();
    assert_ne!(type_id, Some(prospect), "not even its type changed");
}
on_both!(disabled_items_are_never_touched);

/// Rule 6: the first sync links existing stand-alone items instead of duplicating them, and flags
/// those that already had data.
async fn the_first_sync_matches_stand_alone_items(db: Db) {
    let ctx = setup(db, false).await;
    ctx.check_every_value().await;

    // Stand-alone items typed in before the integration existed.
    let (with_data, _) = company_with(&ctx.d, Fate::Normal);
    let c = &ctx.d.companies[with_data];
    let without = ctx
        .d
        .companies
        .iter()
        .rposition(|x| x.fate == Fate::Normal)
        .unwrap();
    let cfg = ctx
        .d
        .configurations
        .iter()
        .find(|x| x.company == with_data && x.fate == Fate::Normal)
        .unwrap();
    let server_type = ctx
        .catalog_value(
            CatalogCategory::ConfigurationType,
            ctx.d.catalog[cfg.type_idx].name,
        )
        .await;
    let contact = ctx
        .d
        .contacts
        .iter()
        .find(|x| x.company == with_data && x.fate == Fate::Normal);
    on_db!(&ctx.repo.db, pool => {
        let now = chrono::Utc::now();
        let org: i64 = sqlx::query_scalar("INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(ctx.account.0).bind(c.name.to_uppercase()).bind(now).fetch_one(pool).await.unwrap();
        sqlx::query("INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)")
            .bind(ctx.account.0).bind(&ctx.d.companies[without].name).bind(now).execute(pool).await.unwrap();
        sqlx::query("INSERT INTO configurations (account_id, organization_id, name, serial_number, configuration_type_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)")
            .bind(ctx.account.0).bind(org).bind(&cfg.name).bind(&cfg.serial_number).bind(server_type.0).bind(now).execute(pool).await.unwrap();
        if let Some(p) = contact {
            sqlx::query("INSERT INTO contacts (account_id, organization_id, first_name, last_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
                .bind(ctx.account.0).bind(org).bind(p.first_name).bind(p.last_name).bind(now).execute(pool).await.unwrap();
        }
        sqlx::query("INSERT INTO documents (account_id, organization_id, title, body, created_at, updated_at) VALUES ($1, $2, 'Network', 'VLANs', $3, $3)")
            .bind(ctx.account.0).bind(org).bind(now).execute(pool).await.unwrap();
    });

    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    assert!(report.counts.created > 3000, "{report:?}");
    let links = ctx.links().await;
    let org = &links[&(ItemKind::Organization, c.psa_id)];
    assert!(org.had_data, "it had a document and a configuration");
    assert!(!links[&(ItemKind::Organization, ctx.d.companies[without].psa_id)].had_data);
    assert!(links[&(ItemKind::Configuration, cfg.psa_id)].had_data);
    if let Some(p) = contact {
        assert!(links[&(ItemKind::Contact, p.psa_id)].had_data);
    }
    // No duplicates, no stand-alone leftovers of the matched ones.
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND integration_id IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND integration_id IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM documents WHERE account_id = $1")
            .await,
        1
    );
    let matched = ctx
        .repo
        .sync_events(&ctx.admin(), report.run_id, 100, 0)
        .await
        .unwrap();
    assert!(matched.iter().any(
        |e| e.message.contains("matched an existing stand-alone item")
            && e.message.contains("had data")
    ));
    // Prospects and other unsynced values would not have been created had they been unchecked;
    // here everything is checked, so the whole PSA arrived, minus the nameless records.
    let nameless = report.counts.failed;
    assert!(nameless > 0);
    let second = ctx.sync(SyncMode::Full).await;
    assert_eq!(second.counts.created, 0, "{second:?}");
}
on_both!(the_first_sync_matches_stand_alone_items);

/// Rule 7: incremental runs fetch only what changed; Pause Sync stops the next run (manual or
/// scheduled) from starting; the scheduler runs what is due.
async fn incremental_runs_pause_and_the_scheduler(db: Db) {
    let ctx = setup(db, true).await;
    let (i, company) = company_with(&ctx.d, Fate::Normal);
    ctx.psa(
        reqwest::Method::PATCH,
        &format!("companies/{company}"),
        json!({ "name": "New Name Ltd" }),
    )
    .await;
    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    // Only the changed company was fetched, with its sites (ConnectWise lists sites per company).
    let sites = ctx
        .links()
        .await
        .keys()
        .filter(|(k, _)| *k == ItemKind::Location)
        .count();
    assert!(sites > 100);
    let its_sites = ctx
        .d
        .sites
        .iter()
        .filter(|s| s.company == i && s.fate == Fate::Normal)
        .count() as i64;
    assert_eq!(
        (report.counts.updated, report.counts.created),
        (1, 0),
        "{report:?}"
    );
    assert!(report.counts.unchanged <= its_sites + 1, "{report:?}");
    assert_eq!(
        ctx.links().await[&(ItemKind::Organization, company)].name,
        "New Name Ltd"
    );
    assert_ne!(ctx.d.companies[i].name, "New Name Ltd");
    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 1)
        .await
        .unwrap();
    assert_eq!(runs[0].mode, SyncMode::Incremental);

    assert!(ctx
        .repo
        .set_integration_state(ctx.account, ctx.integration, IntegrationState::Paused)
        .await
        .unwrap());
    let n_runs = ctx
        .count("SELECT COUNT(*) FROM sync_runs WHERE account_id = $1")
        .await;
    assert!(matches!(
        ctx.engine
            .run(
                ctx.account,
                ctx.integration,
                SyncMode::Full,
                SyncTrigger::Manual
            )
            .await,
        Err(SyncError::Paused)
    ));
    assert!(matches!(
        ctx.engine
            .start(
                ctx.account,
                ctx.integration,
                SyncMode::Full,
                SyncTrigger::Manual
            )
            .await,
        Err(SyncError::Paused)
    ));
    // Make the integration overdue: a paused one still does not run.
    on_db!(&ctx.repo.db, pool => sqlx::query("UPDATE sync_runs SET started_at = $1")
        .bind(chrono::Utc::now() - chrono::Duration::hours(3)).execute(pool).await.map(|_| ()))
    .unwrap();
    let scheduler = Scheduler::new(ctx.engine.clone());
    assert_eq!(scheduler.run_due().await.unwrap(), 0);
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM sync_runs WHERE account_id = $1")
            .await,
        n_runs
    );

    assert!(ctx
        .repo
        .set_integration_state(ctx.account, ctx.integration, IntegrationState::Active)
        .await
        .unwrap());
    // What every node's scheduler saw before any of them started the due run.
    let seen = ctx
        .repo
        .sync_target(ctx.account, ctx.integration)
        .await
        .unwrap()
        .unwrap()
        .last_started_at
        .unwrap();
    assert_eq!(
        scheduler.run_due().await.unwrap(),
        1,
        "an overdue integration runs"
    );
    // Another node's scheduler that found it due at the same moment, asking once the first
    // run is over: the run is not started again.
    assert!(matches!(
        ctx.engine
            .run_scheduled(ctx.account, ctx.integration, SyncMode::Incremental, seen)
            .await,
        Err(SyncError::AlreadyRan)
    ));
    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 1)
        .await
        .unwrap();
    assert_eq!(
        (runs[0].trigger, runs[0].outcome),
        (SyncTrigger::Schedule, SyncOutcome::Succeeded)
    );
    assert_eq!(
        scheduler.run_due().await.unwrap(),
        0,
        "not due again before its interval"
    );
    // An integration just added, with working credentials, is never started by the scheduler:
    // its first sync is the admin's, after they chose what syncs.
    let added = ctx
        .repo
        .create_integration(NewIntegration {
            account: ctx.account,
            kind: app::model::PsaKind::ConnectwiseManage,
            name: "Just added",
            site_url: "http://127.0.0.1",
        })
        .await
        .unwrap();
    let sealed = ctx
        .repo
        .integration_credentials(ctx.account, ctx.integration)
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .set_integration_credentials(ctx.account, added, &sealed)
        .await
        .unwrap();
    assert_eq!(scheduler.run_due().await.unwrap(), 0);
    assert!(ctx
        .repo
        .sync_runs(ctx.account, added, 1)
        .await
        .unwrap()
        .is_empty());
}
on_both!(incremental_runs_pause_and_the_scheduler);

/// Each scheduled run is a task of its own (issue 33, item 6): an integration whose PSA accepts
/// the connection and never answers (a hostile or broken site its Manager chose) holds up no
/// other account's due run. The stalled one is the first the scheduler finds.
async fn a_stalled_scheduled_sync_holds_up_no_other_account(db: Db) {
    let ctx = setup(db, false).await;
    ctx.sync(SyncMode::Full).await;
    // A second account, synced once from the same (healthy) simulator.
    let beta = ctx.repo.create_account("Beta IT").await.unwrap();
    let beta_integration = ctx
        .repo
        .create_integration(NewIntegration::connectwise(beta))
        .await
        .unwrap();
    let secrets = SecretBox::new([7; 32]);
    let healthy = cw_credentials(&ctx.sim_url);
    ctx.repo
        .set_integration_credentials(
            beta,
            beta_integration,
            &secrets.seal_json(&healthy).unwrap(),
        )
        .await
        .unwrap();
    ctx.engine
        .run(beta, beta_integration, SyncMode::Full, SyncTrigger::Manual)
        .await
        .unwrap();
    // The first account's PSA now accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let stalled = CwCredentials {
        site_url: silent_url,
        ..healthy
    };
    ctx.repo
        .set_integration_credentials(
            ctx.account,
            ctx.integration,
            &secrets.seal_json(&stalled).unwrap(),
        )
        .await
        .unwrap();
    // Both overdue.
    on_db!(&ctx.repo.db, pool => sqlx::query("UPDATE sync_runs SET started_at = $1")
        .bind(chrono::Utc::now() - chrono::Duration::hours(3)).execute(pool).await.map(|_| ()))
    .unwrap();

    let mut scheduler = Scheduler::new(ctx.engine.clone());
    scheduler.tick = Duration::from_millis(100);
    let running = tokio::spawn(scheduler.run_forever());
    // The stalled run waits at least its time-out (20 s) twice; the other account's run starts
    // and ends long before that.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let runs = ctx.repo.sync_runs(beta, beta_integration, 1).await.unwrap();
        if runs[0].trigger == SyncTrigger::Schedule && runs[0].outcome == SyncOutcome::Succeeded {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the other account's due run did not run while one run stalled: {:?}",
            (runs[0].trigger, runs[0].outcome)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stuck = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 1)
        .await
        .unwrap();
    assert_eq!(
        stuck[0].trigger,
        SyncTrigger::Schedule,
        "the stalled run had started first"
    );
    running.abort();
}
on_both!(a_stalled_scheduled_sync_holds_up_no_other_account);

/// A run's listing has a time bound (issue 33, item 6): a PSA that answers every page, just
/// slowly, cannot hold a run for ever. Past the bound the run fails, says why, and changes
/// nothing.
async fn a_listing_past_its_time_bound_fails_and_changes_nothing(db: Db) {
    let ctx = setup(db, true).await;
    let before = ctx.links().await;
    ctx.faults(Faults {
        slow_millis: Some(300),
        ..Default::default()
    });
    let mut engine = ctx.engine.clone();
    engine.max_listing = Duration::from_secs(1);
    let report = engine
        .run(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Failed);
    let error = report.error.unwrap();
    assert!(error.contains("took longer than 1 second"), "{error}");
    assert!(error.contains("nothing was changed"), "{error}");
    assert_eq!(ctx.links().await, before, "nothing changed");
}
on_both!(a_listing_past_its_time_bound_fails_and_changes_nothing);

/// One run per integration at a time, across app nodes sharing the database; a second Start
/// Manual Sync joins the running one; a run cut off by a crash does not block the next.
async fn one_run_per_integration_across_nodes(db: Db, second: Db) {
    let ctx = setup(db, true).await;
    // A second app node: its own pool on the same database, its own engine.
    let other = SyncEngine::new(Repo::new(second), Arc::new(SecretBox::new([7; 32])))
        .with_retry(fast_retry());
    ctx.faults(Faults {
        slow_millis: Some(150),
        ..Default::default()
    });
    let started = ctx
        .engine
        .start(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert!(started.started);
    let again = other
        .start(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert_eq!((again.run_id, again.started), (started.run_id, false));
    let joined = other
        .run(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Schedule,
        )
        .await
        .unwrap();
    assert_eq!(
        (joined.run_id, joined.outcome),
        (started.run_id, SyncOutcome::Running)
    );
    ctx.faults(Faults::default());
    // Poll until the background run ends.
    let run = loop {
        let run = ctx
            .repo
            .sync_run(ctx.account, ctx.integration, started.run_id)
            .await
            .unwrap()
            .unwrap();
        if run.outcome != SyncOutcome::Running {
            break run;
        }
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(run.outcome, SyncOutcome::Succeeded);

    // A node died mid-run: its run stays "running" with an old heartbeat.
    let old = chrono::Utc::now() - chrono::Duration::hours(1);
    on_db!(&ctx.repo.db, pool => sqlx::query(
        "INSERT INTO sync_runs (account_id, integration_id, mode, trigger_source, outcome, started_at, heartbeat_at) VALUES ($1, $2, 'full', 'schedule', 'running', $3, $3)")
        .bind(ctx.account.0).bind(ctx.integration.0).bind(old).execute(pool).await.map(|_| ())).unwrap();
    let report = other
        .run(
            ctx.account,
            ctx.integration,
            SyncMode::Full,
            SyncTrigger::Manual,
        )
        .await
        .unwrap();
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    let runs = ctx
        .repo
        .sync_runs(ctx.account, ctx.integration, 3)
        .await
        .unwrap();
    let cut = runs
        .iter()
        .find(|r| r.started_at < old + chrono::Duration::seconds(1))
        .unwrap();
    assert_eq!(cut.outcome, SyncOutcome::Failed);
    assert!(cut.error_message.as_deref().unwrap().contains("cut off"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_per_integration_across_nodes_sqlite() {
    let (db, dir) = common::fresh_sqlite().await;
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    let second = Db::connect(&url).await.unwrap();
    one_run_per_integration_across_nodes(db, second).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_run_per_integration_across_nodes_postgres() {
    let url = common::fresh_postgres_url().await;
    let db = Db::connect(&url).await.unwrap();
    let second = Db::connect(&url).await.unwrap();
    one_run_per_integration_across_nodes(db, second).await
}

/// The Configuration screen's preview: what a settings change will do at the next full sync,
/// computed from Steward's data, is what the next full sync does.
async fn a_settings_preview_predicts_the_next_full_sync(db: Db) {
    let ctx = setup(db, true).await;
    let vendor = ctx
        .catalog_value(CatalogCategory::OrganizationType, "Vendor")
        .await;
    let prospect = ctx
        .catalog_value(CatalogCategory::OrganizationType, "Prospect")
        .await;
    let laptop = ctx
        .catalog_value(CatalogCategory::ConfigurationType, "Laptop")
        .await;
    let change = SyncSettingsChange {
        values: vec![(vendor, false), (prospect, true), (laptop, false)],
        ..Default::default()
    };
    let effect = ctx
        .repo
        .preview_sync_settings(ctx.account, ctx.integration, &change)
        .await
        .unwrap();
    let before = ctx.links().await;
    assert!(ctx
        .repo
        .change_sync_settings(ctx.account, ctx.integration, &change)
        .await
        .unwrap());
    let report = ctx.sync(SyncMode::Full).await;
    let after = ctx.links().await;
    for kind in ItemKind::ALL {
        let orphaned = after
            .iter()
            .filter(|((k, p), i)| {
                k == kind && i.state == "orphaned" && before[&(*k, *p)].state != "orphaned"
            })
            .count() as i64;
        let resumed = after
            .iter()
            .filter(|((k, p), i)| {
                k == kind && i.state == "enabled" && before[&(*k, *p)].state == "orphaned"
            })
            .count() as i64;
        assert_eq!(
            effect.orphaned.iter().find(|(k, _)| k == kind).unwrap().1,
            orphaned,
            "{kind:?} orphaned"
        );
        assert_eq!(
            effect.resumed.iter().find(|(k, _)| k == kind).unwrap().1,
            resumed,
            "{kind:?} resumed"
        );
    }
    let predicted: i64 = effect.orphaned.iter().map(|(_, n)| n).sum();
    assert!(
        predicted > 0 && effect.resumed.iter().any(|(_, n)| *n > 0),
        "{effect:?}"
    );
    assert_eq!(predicted, report.counts.orphaned);
}
on_both!(a_settings_preview_predicts_the_next_full_sync);

/// Disconnect (the whole integration): every item becomes stand-alone in one transaction, nothing
/// is deleted, no run starts afterwards; refused while a sync runs.
async fn disconnect_makes_every_item_stand_alone(db: Db) {
    let ctx = setup(db, true).await;
    let items = "SELECT (SELECT COUNT(*) FROM organizations WHERE account_id = $1) + (SELECT COUNT(*) FROM configurations WHERE account_id = $1)
        + (SELECT COUNT(*) FROM contacts WHERE account_id = $1) + (SELECT COUNT(*) FROM locations WHERE account_id = $1)
        + (SELECT COUNT(*) FROM passwords WHERE account_id = $1) + (SELECT COUNT(*) FROM documents WHERE account_id = $1)";
    let before = ctx.count(items).await;
    let linked = ctx.links().await.len() as i64;

    // While a run is going, it is refused and nothing changes.
    on_db!(&ctx.repo.db, pool => sqlx::query(
        "INSERT INTO sync_runs (account_id, integration_id, mode, trigger_source, outcome, started_at, heartbeat_at) VALUES ($1, $2, 'full', 'manual', 'running', $3, $3)")
        .bind(ctx.account.0).bind(ctx.integration.0).bind(chrono::Utc::now()).execute(pool).await.map(|_| ())).unwrap();
    assert_eq!(
        ctx.repo
            .disconnect_integration(ctx.account, ctx.integration, None)
            .await
            .unwrap(),
        server::repo::Disconnected::SyncRunning
    );
    assert_eq!(ctx.links().await.len() as i64, linked);
    on_db!(&ctx.repo.db, pool => sqlx::query("UPDATE sync_runs SET outcome = 'failed' WHERE outcome = 'running'")
        .execute(pool).await.map(|_| ())).unwrap();

    let server::repo::Disconnected::Done(counts) = ctx
        .repo
        .disconnect_integration(ctx.account, ctx.integration, None)
        .await
        .unwrap()
    else {
        panic!("disconnected")
    };
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), linked);
    assert!(ctx.links().await.is_empty(), "every item is stand-alone");
    assert_eq!(ctx.count(items).await, before, "nothing was deleted");
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM disconnected_items WHERE account_id = $1")
            .await,
        0
    );
    assert!(ctx.repo.integrations(ctx.account).await.unwrap().is_empty());
    assert!(matches!(
        ctx.engine
            .run(
                ctx.account,
                ctx.integration,
                SyncMode::Full,
                SyncTrigger::Manual
            )
            .await,
        Err(SyncError::NotFound | SyncError::NoCredentials)
    ));
    assert_eq!(
        ctx.repo
            .disconnect_integration(ctx.account, ctx.integration, None)
            .await
            .unwrap(),
        server::repo::Disconnected::NotFound
    );
    // Types and statuses keep their names on the stand-alone items.
    assert!(ctx.count("SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND organization_type_id IS NOT NULL").await > 0);
}
on_both!(disconnect_makes_every_item_stand_alone);

/// The text View sorts an item by, as the item shows it.
fn sort_key(sort: app::model::PreviewSort, i: &app::model::PreviewItem) -> String {
    use app::model::PreviewSort;
    match sort {
        PreviewSort::Name => i.name.clone(),
        PreviewSort::Organization => i.organization.clone(),
        PreviewSort::Type => i.type_name.clone().unwrap_or_default(),
        PreviewSort::Status => i.status_name.clone().unwrap_or_default(),
        PreviewSort::SyncState => i
            .sync_state
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        PreviewSort::OrphanReason => i
            .orphan_reason
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        // Never synced first, then in time.
        PreviewSort::LastSynced => i
            .last_synced_at
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.9f").to_string())
            .unwrap_or_default(),
    }
}

/// View: keyset pages cover exactly a row's items, forward and backward, in the chosen order.
async fn the_preview_pages_through_exactly_a_rows_items(db: Db) {
    use app::model::{PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort};
    let ctx = setup(db, true).await;
    let admin = ctx.admin();
    let workstation = ctx
        .catalog_value(CatalogCategory::ConfigurationType, "Workstation")
        .await;
    let expected = ctx
        .count(&format!(
            "SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL AND configuration_type_id = {}",
            workstation.0
        ))
        .await;
    assert!(expected > 100, "more than two pages");
    let orphans = ctx
        .count("SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND integration_id IS NOT NULL AND sync_state = 'orphaned'")
        .await;
    assert!(orphans > 100, "more than two pages of orphans");
    // Three last-synced times (never, a year ago, the load's), so that order means something.
    for sql in [
        "UPDATE configurations SET last_synced_at = NULL WHERE id % 3 = 0",
        "UPDATE configurations SET last_synced_at = '2025-11-02T03:04:05.5+00:00' WHERE id % 3 = 1",
    ] {
        on_db!(&ctx.repo.db, pool => sqlx::query(sql).execute(pool).await.map(|_| ())).unwrap();
    }
    // SQLite sorts a small row whole by last synced and walks an index for a large one: both.
    let walking = ctx.repo.clone().with_view_sort_whole_below(0);
    let rows = [
        (
            PreviewRow::Value {
                category: CatalogCategory::ConfigurationType,
                value: workstation,
            },
            expected,
        ),
        (
            PreviewRow::Orphans {
                kind: ItemKind::Configuration,
            },
            orphans,
        ),
    ];
    let plain = &ctx.repo;
    let walking = &walking;
    for ((row, expected), sort, repo) in rows.into_iter().flat_map(|r| {
        PreviewSort::ALL
            .into_iter()
            .map(move |s| (r, s, plain))
            .chain([(r, PreviewSort::LastSynced, walking)])
    }) {
        for descending in [false, true] {
            let page = |at| PreviewQuery {
                row,
                sort,
                descending,
                at,
            };
            let mut forward = Vec::new();
            let mut keyed = Vec::new();
            let mut p = repo
                .preview(&admin, ctx.integration, &page(PreviewPageAt::First))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(p.total, expected);
            assert!(!p.has_previous);
            loop {
                forward.extend(p.items.iter().map(|i| i.id));
                keyed.extend(p.items.iter().map(|i| (sort_key(sort, i), i.id)));
                if !p.has_next {
                    break;
                }
                p = ctx
                    .repo
                    .preview(
                        &admin,
                        ctx.integration,
                        &page(PreviewPageAt::After(p.last.clone().unwrap())),
                    )
                    .await
                    .unwrap()
                    .unwrap();
            }
            assert_eq!(forward.len() as i64, expected, "{sort:?} {descending}");
            // In the order ORDER BY key, id gives (the test database sorts text bytewise).
            let mut sorted = keyed.clone();
            sorted.sort();
            if descending {
                sorted.reverse();
            }
            assert_eq!(
                keyed, sorted,
                "{row:?} by {sort:?}, descending {descending}"
            );
            let unique: std::collections::HashSet<_> = forward.iter().collect();
            assert_eq!(
                unique.len(),
                forward.len(),
                "no item twice: {sort:?} {descending}"
            );
            let mut backward = Vec::new();
            let mut p = repo
                .preview(&admin, ctx.integration, &page(PreviewPageAt::Last))
                .await
                .unwrap()
                .unwrap();
            assert!(!p.has_next);
            loop {
                backward.splice(0..0, p.items.iter().map(|i| i.id));
                if !p.has_previous {
                    break;
                }
                p = ctx
                    .repo
                    .preview(
                        &admin,
                        ctx.integration,
                        &page(PreviewPageAt::Before(p.first.clone().unwrap())),
                    )
                    .await
                    .unwrap()
                    .unwrap();
            }
            assert_eq!(
                backward, forward,
                "the same order backward: {sort:?} {descending}"
            );
        }
    }
    let by_name = ctx
        .repo
        .preview(
            &admin,
            ctx.integration,
            &PreviewQuery {
                row: PreviewRow::Orphans {
                    kind: ItemKind::Configuration,
                },
                sort: PreviewSort::Name,
                descending: true,
                at: PreviewPageAt::First,
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_name.title, "Orphaned configurations");
    assert!(by_name.items.iter().all(
        |i| i.sync_state == Some(app::model::SyncState::Orphaned) && i.orphan_reason.is_some()
    ));
    assert!(by_name
        .items
        .windows(2)
        .all(|w| w[0].name >= w[1].name || w[0].name.to_lowercase() >= w[1].name.to_lowercase()));
    // Another integration's value is not found.
    let other = PreviewQuery {
        row: PreviewRow::Value {
            category: CatalogCategory::OrganizationType,
            value: workstation,
        },
        sort: PreviewSort::Name,
        descending: false,
        at: PreviewPageAt::First,
    };
    assert!(
        ctx.repo
            .preview(&admin, ctx.integration, &other)
            .await
            .unwrap()
            .is_none(),
        "a value of another category"
    );
}
on_both!(the_preview_pages_through_exactly_a_rows_items);

/// View's page position is the client's to send back: a hostile one is refused in words, or
/// read as a position like any other; never an error, and never an item from outside the row.
async fn a_hostile_page_position_is_refused_or_harmless(db: Db) {
    use app::error::ErrorCode;
    use app::model::{
        PreviewCursor, PreviewPageAt, PreviewQuery, PreviewRow, PreviewSort, PREVIEW_PAGE_SIZE,
    };
    use app::services::ItemServices;
    let ctx = setup(db, true).await;
    let admin = ctx.admin();
    let services = common::services(&ctx.repo, RetryPolicy::default());
    let workstation = ctx
        .catalog_value(CatalogCategory::ConfigurationType, "Workstation")
        .await;
    let row = PreviewRow::Value {
        category: CatalogCategory::ConfigurationType,
        value: workstation,
    };
    let query = |sort, descending, at| PreviewQuery {
        row,
        sort,
        descending,
        at,
    };
    for key in ["x".repeat(10_001), "a\0b".to_string()] {
        let at = PreviewPageAt::After(PreviewCursor { key, id: 1 });
        let err = services
            .preview(&admin, ctx.integration, query(PreviewSort::Name, false, at))
            .await
            .expect_err("refused");
        assert_eq!(err.code, ErrorCode::InvalidInput, "{}", err.message);
    }
    let keys = [
        String::new(),
        "'; DROP TABLE configurations; --".to_string(),
        "\u{202e}\u{1d11e}e\u{301}".to_string(),
        "%_\\\"".to_string(),
        "\u{e9}".repeat(10_000),
        // Times, as each database writes them, and at the ends of the calendar.
        "2026-11-30T08:19:06.007102786+00:00".to_string(),
        "2026-11-30 08:19:06.007102+00".to_string(),
        "0001-01-01T00:00:00Z".to_string(),
        "9999-12-31 23:59:59.999999-12".to_string(),
    ];
    for sort in PreviewSort::ALL {
        for descending in [false, true] {
            for key in &keys {
                for id in [i64::MIN, 0, i64::MAX] {
                    let cursor = PreviewCursor {
                        key: key.clone(),
                        id,
                    };
                    for at in [
                        PreviewPageAt::After(cursor.clone()),
                        PreviewPageAt::Before(cursor),
                    ] {
                        let page = match services
                            .preview(&admin, ctx.integration, query(sort, descending, at))
                            .await
                        {
                            Ok(page) => page,
                            // Sorted by last synced, a position's key is a time or ''.
                            Err(e) if sort == PreviewSort::LastSynced && !key.is_empty() => {
                                assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
                                continue;
                            }
                            Err(e) => panic!("{sort:?} {descending} {id}: {e:?}"),
                        };
                        assert!(page.items.len() as i64 <= PREVIEW_PAGE_SIZE);
                        assert!(
                            page.items
                                .iter()
                                .all(|i| i.type_name.as_deref() == Some("Workstation")),
                            "only the row's items: {sort:?}"
                        );
                    }
                }
            }
        }
    }
}
on_both!(a_hostile_page_position_is_refused_or_harmless);

/// Reconnect of an item deleted in Steward after it was disconnected: the next full sync
/// recreates it from the PSA (until then, the tombstone kept the sync from recreating it).
async fn a_reconnected_deleted_item_is_recreated_by_the_next_full_sync(db: Db) {
    let ctx = setup(db, true).await;
    let plan = ctx.d.plan();
    let cfg = ctx
        .d
        .configurations
        .iter()
        .zip(&plan.configurations)
        .find(|(c, l)| {
            c.fate == Fate::DisconnectedThenDeleted
                && l.state == Some(app::model::SyncState::Enabled)
        })
        .map(|(c, _)| c.psa_id)
        .expect("the S dataset has one");
    let admin = ctx.admin();
    let tombstone: i64 = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "SELECT id FROM disconnected_items WHERE item_kind = 'configuration' AND psa_id = $1")
        .bind(cfg).fetch_one(pool).await)
    .unwrap();
    ctx.sync(SyncMode::Full).await;
    assert!(
        !ctx.links()
            .await
            .contains_key(&(ItemKind::Configuration, cfg)),
        "not recreated while disconnected"
    );
    let t = ctx
        .repo
        .tombstone(&admin, ctx.integration, tombstone)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.item_id, None);
    ctx.repo
        .reconnect(ctx.account, ctx.integration, tombstone, &t)
        .await
        .unwrap();
    let report = ctx.sync(SyncMode::Full).await;
    assert!(report.counts.created >= 1, "{report:?}");
    assert_eq!(
        ctx.links().await[&(ItemKind::Configuration, cfg)].state,
        "enabled"
    );
}
on_both!(a_reconnected_deleted_item_is_recreated_by_the_next_full_sync);

/// A sync that runs in the middle of a removal neither brings back what the removal deleted nor
/// lets the removal delete what the sync made non-orphan.
async fn a_sync_during_a_removal(db: Db) {
    use server::repo::{Queued, RemovalArgs};
    let ctx = setup(db, true).await;
    let user_id = ctx
        .repo
        .create_user(server::repo::NewUser {
            account: ctx.account,
            email: "m@example.com",
            name: "M",
            password_hash: "x",
            role: app::model::Role::Manager,
            restricted: false,
        })
        .await
        .unwrap();
    let manager = app::model::CurrentUser {
        user_id,
        account_id: ctx.account,
        account_name: "Alpha IT".into(),
        email: "m@example.com".into(),
        name: "M".into(),
        role: app::model::Role::Manager,
        restricted: false,
    };
    // Orphans whose company the PSA still lists (type or status not synced), in id order.
    let orphans: Vec<(i64, i64)> = on_db!(&ctx.repo.db, pool => sqlx::query_as(
        "SELECT id, psa_id FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'
           AND orphan_reason IN ('type_not_synced', 'status_not_synced') ORDER BY id")
        .bind(ctx.account.0).fetch_all(pool).await)
    .unwrap();
    let total = ctx
        .count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'",
        )
        .await;
    let args = RemovalArgs::orphans(ctx.integration, ItemKind::Organization);
    let Queued::Job(job) = ctx
        .repo
        .queue_removal(&manager, &args, total)
        .await
        .unwrap()
    else {
        panic!("queued")
    };
    ctx.repo
        .claim_job("w", chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    // A first chunk goes.
    ctx.repo
        .removal_chunk(ctx.account, job, "w", &args, 5)
        .await
        .unwrap();
    let deleted: Vec<i64> = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "SELECT t.item_id FROM removal_targets t WHERE t.job_id = $1 AND t.outcome = 'deleted'")
        .bind(job).fetch_all(pool).await)
    .unwrap();
    assert!(!deleted.is_empty());
    // In the PSA, two companies further down the list become customers in an active status.
    let customer = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationType, "Customer");
    let active = catalog_psa_id(&ctx.d, CatalogCategory::OrganizationStatus, "Active");
    let rescued: Vec<(i64, i64)> = orphans.iter().rev().take(2).copied().collect();
    for (_, psa) in &rescued {
        ctx.psa(
            reqwest::Method::PATCH,
            &format!("companies/{psa}"),
            json!({ "type_id": customer, "status_id": active }),
        )
        .await;
    }
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded);
    for id in &deleted {
        assert_eq!(
            ctx.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id = {id}"
            ))
            .await,
            0
        );
    }
    let deleted_psa: Vec<i64> = orphans
        .iter()
        .filter(|(id, _)| deleted.contains(id))
        .map(|(_, p)| *p)
        .collect();
    let links = ctx.links().await;
    assert!(
        deleted_psa
            .iter()
            .all(|p| !links.contains_key(&(ItemKind::Organization, *p))),
        "nothing deleted came back"
    );
    // What is inside the rescued two, before the removal goes on: it must all stay (SQLite
    // deletes the children by kind in statements of their own, PostgreSQL through the deleted
    // organizations' cascade; either way only a deleted organization's children may go).
    let inside = |id: i64| {
        format!(
            "SELECT (SELECT COUNT(*) FROM configurations WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM locations WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM passwords WHERE account_id = $1 AND organization_id = {id})
                  + (SELECT COUNT(*) FROM documents WHERE account_id = $1 AND organization_id = {id})"
        )
    };
    let mut kept_inside = Vec::new();
    for (id, _) in &rescued {
        kept_inside.push(ctx.count(&inside(*id)).await);
    }
    assert!(
        kept_inside.iter().sum::<i64>() > 0,
        "the rescued hold records"
    );
    // The removal finishes (another worker takes it over): the rescued two are skipped and kept.
    let mut worker = server::worker::Worker::new(ctx.repo.clone());
    worker.chunk = 50;
    worker.stale_after = std::time::Duration::ZERO;
    assert_eq!(
        worker.run_one().await.unwrap(),
        Some((job, server::repo::JobState::Succeeded))
    );
    for (id, psa) in &rescued {
        assert_eq!(
            ctx.count(&format!(
                "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND id = {id}"
            ))
            .await,
            1
        );
        assert_eq!(
            ctx.links().await[&(ItemKind::Organization, *psa)].state,
            "enabled"
        );
    }
    for ((id, _), before) in rescued.iter().zip(&kept_inside) {
        assert_eq!(ctx.count(&inside(*id)).await, *before, "inside {id}");
    }
    let (d, s) = ctx.repo.removal_outcomes(job).await.unwrap();
    assert_eq!((d + s, s >= 2), (total, true));
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'orphaned'"
        )
        .await,
        0
    );
}
on_both!(a_sync_during_a_removal);

/// Re-checking a type after "Permanently disconnect records … but keep all data": the next full
/// sync matches the stand-alone items (organizations by name, and the items inside them)
/// instead of creating duplicates, and its log lists what it matched; later runs match nothing.
async fn rechecking_after_a_permanent_disconnect_matches_instead_of_duplicating(db: Db) {
    let ctx = setup(db, true).await;
    let first = ctx.sync(SyncMode::Full).await;
    assert_eq!(first.outcome, SyncOutcome::Succeeded, "{first:?}");
    let value: i64 = on_db!(&ctx.repo.db, pool => sqlx::query_scalar(
        "SELECT v.id FROM psa_catalog_values v JOIN organizations o ON o.organization_type_id = v.id
         WHERE v.account_id = $1 AND v.category = 'organization_type' AND v.sync_enabled = TRUE
           AND o.sync_state = 'enabled'
         GROUP BY v.id ORDER BY COUNT(*) DESC, v.id LIMIT 1")
        .bind(ctx.account.0).fetch_one(pool).await)
    .unwrap();
    let cv = ctx
        .repo
        .catalog_value(ctx.account, ctx.integration, CatalogValueId(value))
        .await
        .unwrap()
        .unwrap();
    let totals = "SELECT (SELECT COUNT(*) FROM organizations WHERE account_id = $1) || ',' ||
        (SELECT COUNT(*) FROM configurations WHERE account_id = $1) || ',' ||
        (SELECT COUNT(*) FROM contacts WHERE account_id = $1) || ',' ||
        (SELECT COUNT(*) FROM locations WHERE account_id = $1)";
    let text = |sql: &'static str| {
        let db = ctx.repo.db.clone();
        let account = ctx.account.0;
        async move {
            on_db!(&db, pool => sqlx::query_scalar::<_, String>(sql).bind(account).fetch_one(pool).await)
                .unwrap()
        }
    };
    let before = text(totals).await;
    let links_before = ctx.links().await;

    let unlinked = ctx
        .repo
        .disconnect_row(ctx.account, ctx.integration, &cv, None, "admin@example.com")
        .await
        .unwrap()
        .expect("no sync runs");
    let orgs = unlinked[0].1;
    assert!(orgs > 0, "{unlinked:?}");
    let links_mid = ctx.links().await;
    assert!(links_mid.len() < links_before.len());
    // Unchecked, the type's companies are not synced: nothing is created or linked again.
    let unchecked = ctx.sync(SyncMode::Full).await;
    assert_eq!(unchecked.counts.created, 0, "{unchecked:?}");
    assert_eq!(text(totals).await, before);

    // Checked again: matched, not duplicated.
    assert!(ctx
        .repo
        .change_sync_settings(
            ctx.account,
            ctx.integration,
            &SyncSettingsChange {
                values: vec![(CatalogValueId(value), true)],
                ..Default::default()
            },
        )
        .await
        .unwrap());
    let rechecked = ctx.sync(SyncMode::Full).await;
    assert_eq!(rechecked.outcome, SyncOutcome::Succeeded, "{rechecked:?}");
    assert_eq!(rechecked.counts.created, 0, "no duplicates: {rechecked:?}");
    let links_after = ctx.links().await;
    assert_eq!(text(totals).await, before, "as many items as before");
    // Every item that synced before is linked again, the same local item; those that were
    // orphans (status not synced, deleted in the PSA) stay stand-alone; nothing new appears.
    let lost: Vec<_> = links_before
        .iter()
        .filter(|(k, b)| b.state == "enabled" && links_after.get(k).map(|a| a.id) != Some(b.id))
        .collect();
    let gained: Vec<_> = links_after
        .keys()
        .filter(|k| !links_before.contains_key(k))
        .collect();
    assert!(
        lost.is_empty() && gained.is_empty(),
        "lost {lost:?}, gained {gained:?}"
    );
    let relinked = links_after
        .keys()
        .filter(|k| !links_mid.contains_key(k))
        .count();
    assert!(relinked > 0);
    let events = ctx
        .repo
        .sync_events(&ctx.admin(), rechecked.run_id, 10_000, 0)
        .await
        .unwrap();
    let matched = events
        .iter()
        .filter(|e| {
            e.message
                .contains("matched an existing stand-alone item instead of a duplicate")
        })
        .count();
    assert_eq!(matched, relinked, "the run's log lists each match");
    // Done: the next run matches nothing and creates nothing.
    let after = ctx.sync(SyncMode::Full).await;
    assert_eq!(
        (after.counts.created, after.counts.updated),
        (0, 0),
        "{after:?}"
    );
}
on_both!(rechecking_after_a_permanent_disconnect_matches_instead_of_duplicating);

/// A SQLite server filled by syncing from its PSA (never by the dataset loader) has planner
/// statistics for what the sync filled: without them View by organization took 5 s at XL
/// instead of 1 ms. The first full sync leaves them, and an incremental run after it leaves
/// them as they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_leaves_sqlite_planner_statistics() {
    let (db, _dir) = common::fresh_sqlite().await;
    let ctx = setup(db, false).await;
    ctx.check_every_value().await;
    let analyzed = || async {
        let Db::Sqlite(pool) = &ctx.repo.db else {
            unreachable!()
        };
        sqlx::query_as::<_, (String, String)>(
            "SELECT tbl, stat FROM sqlite_stat1 WHERE tbl IN ('organizations', 'configurations', 'contacts', 'locations')
             AND idx = tbl || '_orphans' ORDER BY tbl",
        )
        .fetch_all(pool)
        .await
        .unwrap()
    };
    assert_eq!(analyzed().await, Vec::new(), "nothing analyzed before");
    let report = ctx.sync(SyncMode::Full).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    let after_full = analyzed().await;
    let tables: Vec<&str> = after_full.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        tables,
        ["configurations", "contacts", "locations", "organizations"],
        "{after_full:?}"
    );
    // Each row's statistics start with the table's row count, as the sync left it.
    let configurations = ctx
        .count("SELECT COUNT(*) FROM configurations WHERE account_id = $1")
        .await;
    assert!(
        after_full[0].1.starts_with(&format!("{configurations} ")),
        "{after_full:?} against {configurations} configurations"
    );
    // An incremental run over an unchanged PSA leaves them as they were.
    let report = ctx.sync(SyncMode::Incremental).await;
    assert_eq!(report.outcome, SyncOutcome::Succeeded, "{report:?}");
    assert_eq!(analyzed().await, after_full);
}
