//! One contract of sync rules, run against each PSA's connector and simulator (ConnectWise
//! Manage, Autotask, HaloPSA) on SQLite and on PostgreSQL. Each integration is added the way an
//! admin adds one (the Add integration service: wrong credentials refused with the PSA's own
//! message, the catalog read unchecked), then:
//! - the admin's choice decides: exactly the PSA's named companies of a checked type and status
//!   are linked, nothing of an unchecked type is brought in (rules 2 and 4);
//! - first-sync matching links a stand-alone organization of the same name and flags its data
//!   (rule 6);
//! - unchecking a type orphans its organizations with that reason (rule 3);
//! - the edit pencil writes the new type back to the PSA, and the next sync agrees;
//! - an item whose sync is off is never touched (rule 5);
//! - a listing that fails (500 at page 2, malformed JSON, a cut connection, 429 that does not
//!   clear, refused credentials) changes nothing (rule 1);
//! - an incremental run picks up a renamed company, and a company deleted in the PSA is an
//!   orphan after the next full sync (rules 7 and 3).

use crate::common;

use app::model::{
    CatalogCategory, CatalogValueId, CredentialsInput, CurrentUser, IntegrationId, ItemKind,
    NewIntegrationInput, PsaKind, Role, RunId, SyncMode, SyncOutcome, SyncSettingsChange,
    SyncTrigger,
};
use app::services::prelude::*;
use serde_json::Value;
use server::dataset::{Dataset, Size};
use server::db::Db;
use server::on_db;
use server::psa::RetryPolicy;
use server::repo::Repo;
use server::services::AppServices;
use sim::autotask::records::AtRecords;
use sim::autotask::AtSimulator;
use sim::connectwise::{Records, Simulator};
use sim::faults::{Faults, PageFault, RateLimit};
use sim::halo::records::HaloRecords;
use sim::halo::HaloSimulator;
use std::sync::Arc;
use std::time::Duration;

/// A PSA simulator on a free port, and what the contract needs to know of its shapes.
enum Sim {
    Cw(Arc<Simulator>),
    At(Arc<AtSimulator>),
    Halo(Arc<HaloSimulator>),
}

struct Psa {
    base: String,
    sim: Sim,
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A company as the contract compares it: id, name, type and status in the PSA's ids (as the
/// connector maps them).
struct Company {
    id: i64,
    name: String,
    type_id: i64,
    status_id: i64,
}

fn now_stamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

impl Psa {
    async fn spawn(kind: PsaKind, d: &Dataset) -> Psa {
        match kind {
            PsaKind::ConnectwiseManage => {
                let sim = Simulator::new(common::sim_credentials(), Records::from_dataset(d));
                let base = serve(sim::connectwise::router(sim.clone())).await;
                Psa {
                    base,
                    sim: Sim::Cw(sim),
                }
            }
            PsaKind::Autotask => {
                let sim = AtSimulator::new(
                    sim::autotask::AtCredentials {
                        username: "api@alpha.example".into(),
                        secret: "at-s3cret".into(),
                        integration_code: "CODE".into(),
                    },
                    AtRecords::from_dataset(d),
                );
                let base = serve(sim::autotask::router(sim.clone())).await;
                Psa {
                    base,
                    sim: Sim::At(sim),
                }
            }
            PsaKind::Halopsa => {
                let sim = HaloSimulator::new(
                    sim::halo::HaloCredentials {
                        client_id: "halo-client".into(),
                        client_secret: "halo-s3cret".into(),
                        tenant: None,
                    },
                    HaloRecords::from_dataset(d),
                );
                // The contract runs a dozen full syncs in a minute, each with a connector of its
                // own: hosted Halo's 300 requests in 5 minutes is tested in halo_connector.rs.
                sim.set_request_limit(100_000, sim::halo::WINDOW);
                let base = serve(sim::halo::router(sim.clone())).await;
                Psa {
                    base,
                    sim: Sim::Halo(sim),
                }
            }
        }
    }

    fn kind(&self) -> PsaKind {
        match self.sim {
            Sim::Cw(_) => PsaKind::ConnectwiseManage,
            Sim::At(_) => PsaKind::Autotask,
            Sim::Halo(_) => PsaKind::Halopsa,
        }
    }

    fn credentials(&self, right: bool) -> CredentialsInput {
        let secret = |s: &str| {
            if right {
                s.to_string()
            } else {
                "wrong".to_string()
            }
        };
        let c = common::sim_credentials();
        match self.sim {
            Sim::Cw(_) => CredentialsInput {
                site_url: self.base.clone(),
                company_id: c.company_id,
                client_id: c.client_id,
                public_key: c.public_key,
                private_key: secret(&c.private_key),
                ..Default::default()
            },
            Sim::At(_) => CredentialsInput {
                site_url: self.base.clone(),
                username: "api@alpha.example".into(),
                integration_code: "CODE".into(),
                secret: secret("at-s3cret"),
                ..Default::default()
            },
            Sim::Halo(_) => CredentialsInput {
                site_url: self.base.clone(),
                client_id: "halo-client".into(),
                client_secret: secret("halo-s3cret"),
                ..Default::default()
            },
        }
    }

    /// The PSA's own refusal, as its message reaches the admin.
    fn refusal(&self) -> &'static str {
        match self.sim {
            Sim::Cw(_) => "Authentication failed",
            Sim::At(_) => "User is not authorized",
            Sim::Halo(_) => "The client ID or client secret is not valid",
        }
    }

    fn companies(&self) -> Vec<Company> {
        let int = |v: &Value| v.as_i64().unwrap_or_default();
        let name = |v: &Value| v.as_str().unwrap_or_default().to_string();
        match &self.sim {
            Sim::Cw(s) => s
                .records
                .read()
                .unwrap()
                .companies
                .iter()
                .map(|c| Company {
                    id: int(&c["id"]),
                    name: name(&c["name"]),
                    type_id: int(&c["types"][0]["id"]),
                    status_id: int(&c["status"]["id"]),
                })
                .collect(),
            Sim::At(s) => s
                .records()
                .companies
                .iter()
                .map(|c| Company {
                    id: int(&c["id"]),
                    name: name(&c["companyName"]),
                    type_id: int(&c["companyType"]),
                    status_id: int(&c["classification"]),
                })
                .collect(),
            Sim::Halo(s) => s
                .records()
                .clients
                .iter()
                .map(|c| Company {
                    id: int(&c["id"]),
                    name: name(&c["name"]),
                    type_id: int(&c["customertype"]),
                    status_id: if c["inactive"] == true { 2 } else { 1 },
                })
                .collect(),
        }
    }

    /// Renames a company in the PSA, with its change stamp where the PSA has one.
    fn rename_company(&self, id: i64, to: &str) {
        match &self.sim {
            Sim::Cw(s) => {
                let mut r = s.records.write().unwrap();
                assert!(r.companies.update(id, |c| {
                    c["name"] = to.into();
                    c["_info"]["lastUpdated"] = chrono::Utc::now()
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string()
                        .into();
                }));
            }
            Sim::At(s) => {
                let mut r = s.records();
                assert!(r.companies.update(id, |c| {
                    c["companyName"] = to.into();
                    c["lastTrackedModifiedDateTime"] = now_stamp().into();
                }));
            }
            Sim::Halo(s) => {
                let mut r = s.records();
                assert!(r.clients.update(id, |c| c["name"] = to.into()));
            }
        }
    }

    fn delete_company(&self, id: i64) {
        match &self.sim {
            Sim::Cw(s) => s
                .records
                .write()
                .unwrap()
                .companies
                .retain(|c| c["id"] != id),
            Sim::At(s) => s.records().companies.retain(|c| c["id"] != id),
            Sim::Halo(s) => s.records().clients.retain(|c| c["id"] != id),
        }
    }

    fn set_faults(&self, f: Faults) {
        match &self.sim {
            Sim::Cw(s) => s.faults.lock().unwrap().set(f),
            Sim::At(s) => s.set_faults(f),
            Sim::Halo(s) => s.set_faults(f),
        }
    }

    /// The endpoint name page faults use for companies.
    fn companies_endpoint(&self) -> &'static str {
        match self.sim {
            Sim::Cw(_) => "company/companies",
            Sim::At(_) => "Companies",
            Sim::Halo(_) => "Client",
        }
    }

    /// The endpoint name page faults use for configurations.
    fn configurations(&self) -> &'static str {
        match self.sim {
            Sim::Cw(_) => "company/configurations",
            Sim::At(_) => "ConfigurationItems",
            Sim::Halo(_) => "Asset",
        }
    }
}

/// Kind, PSA id, sync state, orphan reason, last change.
type Row = (
    String,
    i64,
    Option<String>,
    Option<String>,
    chrono::DateTime<chrono::Utc>,
);

struct Ctx {
    services: AppServices,
    repo: Repo,
    admin: CurrentUser,
    integration: IntegrationId,
    psa: Psa,
}

async fn setup(db: Db, kind: PsaKind) -> Ctx {
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let account = repo.create_account("Alpha IT").await.unwrap();
    let services = common::services(
        &repo,
        RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            timeout: Duration::from_secs(20),
            limit_patience: Duration::from_secs(1),
            reach: server::psa::net::Reach::LOOPBACK,
        },
    );
    let psa = Psa::spawn(kind, &Dataset::generate(Size::S, 1)).await;
    let admin = common::user(
        &repo,
        account,
        "admin@alpha.example",
        Role::Administrator,
        false,
    )
    .await;
    // Wrong credentials: refused with the PSA's own message, and nothing added.
    let wrong = services
        .add_integration(
            &admin,
            NewIntegrationInput {
                kind,
                name: String::new(),
                credentials: psa.credentials(false),
            },
        )
        .await
        .unwrap_err();
    assert!(
        wrong.message.contains(psa.refusal()),
        "{kind:?}: {}",
        wrong.message
    );
    assert!(services.integrations(&admin).await.unwrap().is_empty());
    let integration = services
        .add_integration(
            &admin,
            NewIntegrationInput {
                kind,
                name: String::new(),
                credentials: psa.credentials(true),
            },
        )
        .await
        .unwrap();
    let listed = services.integrations(&admin).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].kind, listed[0].name.as_str()),
        (psa.kind(), kind.label())
    );
    Ctx {
        services,
        repo,
        admin,
        integration,
        psa,
    }
}

impl Ctx {
    async fn count(&self, sql: &str) -> i64 {
        on_db!(&self.repo.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(self.admin.account_id.0)
            .fetch_one(pool)
            .await)
        .unwrap()
    }

    async fn run(&self, mode: SyncMode) -> server::sync::RunReport {
        self.services
            .sync
            .run(
                self.admin.account_id,
                self.integration,
                mode,
                SyncTrigger::Manual,
            )
            .await
            .expect("the run starts")
    }

    /// Checks what the demo syncs, by name; values only one PSA has: "Active" and every
    /// contact type.
    async fn choose_settings(&self, d: &Dataset) {
        let settings = self
            .services
            .sync_settings(&self.admin, self.integration)
            .await
            .unwrap();
        assert!(
            !settings.values.is_empty(),
            "the PSA's catalog was read when it was added"
        );
        assert!(
            settings.values.iter().all(|v| !v.sync_enabled),
            "new values start unchecked"
        );
        let values = settings
            .values
            .iter()
            .map(|v| {
                let known = d
                    .catalog
                    .iter()
                    .find(|e| e.category == v.category && e.name == v.name);
                let checked = match known {
                    Some(e) => e.sync_enabled,
                    None => v.name == "Active" || v.category == CatalogCategory::ContactType,
                };
                (v.id, checked)
            })
            .collect();
        assert!(self
            .repo
            .change_sync_settings(
                self.admin.account_id,
                self.integration,
                &SyncSettingsChange {
                    values,
                    ..Default::default()
                }
            )
            .await
            .unwrap());
    }

    /// Whether Steward syncs a PSA catalog value.
    async fn checked(&self, category: CatalogCategory, psa_id: i64) -> bool {
        self.services
            .sync_settings(&self.admin, self.integration)
            .await
            .unwrap()
            .values
            .iter()
            .any(|v| v.category == category && v.psa_id == psa_id && v.sync_enabled)
    }

    /// Manage Data's held orphanings, (kind, count) each, and the run that held them.
    async fn held(&self) -> (Vec<(ItemKind, i64)>, Option<RunId>) {
        let data = self
            .services
            .manage_data(&self.admin, self.integration)
            .await
            .unwrap();
        (
            data.held.iter().map(|r| (r.kind, r.count)).collect(),
            data.held_run,
        )
    }

    /// Confirm (`confirm`) or Discard the held `kind` of run `run`, as `user`.
    async fn decide(
        &self,
        user: &CurrentUser,
        kind: ItemKind,
        confirm: bool,
        run: RunId,
    ) -> Result<String, app::error::AppError> {
        self.services
            .decide_held(user, self.integration, kind, confirm, run)
            .await
    }

    async fn linked_companies(&self) -> Vec<i64> {
        on_db!(&self.repo.db, |pool| sqlx::query_scalar(
            "SELECT psa_id FROM organizations WHERE account_id = $1 AND integration_id IS NOT NULL ORDER BY psa_id")
            .bind(self.admin.account_id.0).fetch_all(pool).await)
        .unwrap()
    }

    async fn snapshot(&self) -> Vec<Row> {
        let mut all = Vec::new();
        for table in ["organizations", "configurations", "contacts", "locations"] {
            let sql = format!(
                "SELECT '{table}', psa_id, sync_state, orphan_reason, updated_at FROM {table} WHERE account_id = $1 ORDER BY psa_id, id"
            );
            let rows: Vec<Row> = on_db!(&self.repo.db, |pool| sqlx::query_as(&sql)
                .bind(self.admin.account_id.0)
                .fetch_all(pool)
                .await)
            .unwrap();
            all.extend(rows);
        }
        all
    }

    async fn org(&self, psa_id: i64) -> (i64, String, Option<String>, Option<String>) {
        on_db!(&self.repo.db, |pool| sqlx::query_as(
            "SELECT id, name, sync_state, orphan_reason FROM organizations WHERE account_id = $1 AND psa_id = $2")
            .bind(self.admin.account_id.0).bind(psa_id).fetch_one(pool).await)
        .unwrap()
    }
}

async fn the_sync_rules_hold_for(db: Db, kind: PsaKind) {
    let d = Dataset::generate(Size::S, 1);
    let ctx = setup(db, kind).await;
    ctx.choose_settings(&d).await;
    let psa = &ctx.psa;

    // Rule 6: a stand-alone organization typed in before the first sync is matched by name.
    let mut expected = Vec::new();
    for c in psa.companies() {
        if !c.name.is_empty()
            && ctx
                .checked(CatalogCategory::OrganizationType, c.type_id)
                .await
            && ctx
                .checked(CatalogCategory::OrganizationStatus, c.status_id)
                .await
        {
            expected.push(c);
        }
    }
    assert!(expected.len() > 10, "{kind:?}");
    let typed_in = &expected[0];
    let now = chrono::Utc::now();
    let local: i64 = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
        "INSERT INTO organizations (account_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
        .bind(ctx.admin.account_id.0).bind(&typed_in.name).bind(now).fetch_one(pool).await)
    .unwrap();
    on_db!(&ctx.repo.db, |pool| sqlx::query(
        "INSERT INTO documents (account_id, organization_id, title, body, created_at, updated_at) VALUES ($1, $2, 'Runbook', 'x', $3, $3)")
        .bind(ctx.admin.account_id.0).bind(local).bind(now).execute(pool).await.map(|_| ()))
    .unwrap();

    let first = ctx.run(SyncMode::Full).await;
    assert_eq!(first.outcome, SyncOutcome::Succeeded, "{kind:?}: {first:?}");
    // Exactly the named companies of a checked type and status are linked.
    let mut want: Vec<i64> = expected.iter().map(|c| c.id).collect();
    want.sort();
    assert_eq!(ctx.linked_companies().await, want, "{kind:?}");
    let matched: (i64, bool) = on_db!(&ctx.repo.db, |pool| sqlx::query_as(
        "SELECT psa_id, had_data_before_first_sync FROM organizations WHERE id = $1"
    )
    .bind(local)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(
        matched,
        (typed_in.id, true),
        "{kind:?}: matched, not duplicated"
    );
    for table in ["configurations", "contacts", "locations"] {
        assert!(
            ctx.count(&format!(
                "SELECT COUNT(*) FROM {table} WHERE account_id = $1 AND integration_id IS NOT NULL"
            ))
            .await
                > 0,
            "{kind:?}: {table}"
        );
    }
    // Nothing of an unchecked type or status came in.
    assert_eq!(
        ctx.count("SELECT COUNT(*) FROM configurations c JOIN psa_catalog_values v ON v.id = c.configuration_status_id
                   WHERE c.account_id = $1 AND v.sync_enabled = FALSE").await,
        0,
        "{kind:?}"
    );

    // Rule 3: unchecking a type orphans its organizations with that reason.
    let settings = ctx
        .services
        .sync_settings(&ctx.admin, ctx.integration)
        .await
        .unwrap();
    let vendor = settings
        .values
        .iter()
        .find(|v| v.category == CatalogCategory::OrganizationType && v.name == "Vendor")
        .unwrap();
    let vendors = ctx
        .count("SELECT COUNT(*) FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id
                WHERE o.account_id = $1 AND v.name = 'Vendor'")
        .await;
    assert!(vendors > 0, "{kind:?}");
    ctx.repo
        .change_sync_settings(
            ctx.admin.account_id,
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
        vendors,
        "{kind:?}"
    );

    // The edit pencil: a new type is written back to the PSA, and the next sync agrees.
    let target = expected
        .iter()
        .find(|c| c.id != typed_in.id && c.type_id != vendor.psa_id)
        .unwrap();
    let (target_org, _, _, _) = ctx.org(target.id).await;
    let partner = settings
        .values
        .iter()
        .find(|v| v.category == CatalogCategory::OrganizationType && v.name == "Partner")
        .unwrap();
    let status = settings
        .values
        .iter()
        .find(|v| v.category == CatalogCategory::OrganizationStatus && v.psa_id == target.status_id)
        .unwrap();
    if target.type_id != partner.psa_id {
        ctx.services
            .edit_item(
                &ctx.admin,
                ctx.integration,
                ItemKind::Organization,
                target_org,
                CatalogValueId(partner.id.0),
                CatalogValueId(status.id.0),
            )
            .await
            .unwrap();
        let now_in_psa = psa
            .companies()
            .into_iter()
            .find(|c| c.id == target.id)
            .unwrap();
        assert_eq!(now_in_psa.type_id, partner.psa_id, "{kind:?}: written back");
        // The activity log says who changed what, before and after, and where it was written.
        let newest = ctx.services.activity(&ctx.admin, None).await.unwrap();
        let entry = &newest[0];
        assert_eq!(
            (entry.action.as_str(), entry.outcome.as_str()),
            ("item.edited", "succeeded")
        );
        let detail = |k: &str| {
            entry
                .details
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert!(
            detail("type").unwrap().ends_with("→ Partner"),
            "{:?}",
            entry.details
        );
        assert_eq!(detail("written to").as_deref(), Some("the PSA and Steward"));
        assert_eq!(
            ctx.run(SyncMode::Full).await.outcome,
            SyncOutcome::Succeeded
        );
        let type_name: String = on_db!(&ctx.repo.db, |pool| sqlx::query_scalar(
            "SELECT v.name FROM organizations o JOIN psa_catalog_values v ON v.id = o.organization_type_id WHERE o.id = $1")
            .bind(target_org).fetch_one(pool).await)
        .unwrap();
        assert_eq!(type_name, "Partner", "{kind:?}");
    }

    // Rule 5: an item whose sync is off is never touched, whatever the PSA says.
    let link = ctx
        .repo
        .item_link(&ctx.admin, ctx.integration, ItemKind::Organization, local)
        .await
        .unwrap()
        .unwrap();
    ctx.repo
        .disable_item_sync(
            ctx.admin.account_id,
            ctx.integration,
            ItemKind::Organization,
            local,
            &link,
            ctx.admin.user_id,
        )
        .await
        .unwrap();
    psa.rename_company(typed_in.id, "Changed In The PSA");
    assert_eq!(
        ctx.run(SyncMode::Full).await.outcome,
        SyncOutcome::Succeeded
    );
    let (_, name, state, _) = ctx.org(typed_in.id).await;
    assert_eq!(
        (name.as_str(), state.as_deref()),
        (typed_in.name.as_str(), Some("disabled")),
        "{kind:?}"
    );

    // Rule 1: a listing that fails in any of these ways changes nothing.
    let before = ctx.snapshot().await;
    let page2 = || {
        Some(PageFault {
            endpoint: psa.configurations().into(),
            page: 2,
            times: None,
        })
    };
    let faults = [
        (
            "500 at page 2",
            Faults {
                server_error: page2(),
                ..Default::default()
            },
        ),
        (
            "malformed JSON at page 2",
            Faults {
                malformed_json: page2(),
                ..Default::default()
            },
        ),
        (
            "a cut connection at page 2",
            Faults {
                drop_connection: page2(),
                ..Default::default()
            },
        ),
        (
            "429 that does not clear",
            Faults {
                rate_limit: Some(RateLimit {
                    requests: 0,
                    per_seconds: 60,
                }),
                ..Default::default()
            },
        ),
        (
            "refused credentials",
            Faults {
                auth_failure: true,
                ..Default::default()
            },
        ),
        // A listing must prove itself complete (docs/DOMAIN.md rule 1): a PSA that drops a page of
        // configurations or companies, or whose count says more or less than it lists.
        (
            "a dropped page of configurations",
            Faults {
                skip_page: page2(),
                ..Default::default()
            },
        ),
        (
            "a dropped first page of companies",
            Faults {
                skip_page: Some(PageFault {
                    endpoint: psa.companies_endpoint().into(),
                    page: 1,
                    times: None,
                }),
                ..Default::default()
            },
        ),
        (
            "a count that says more than the listing",
            Faults {
                count_offset: Some(3),
                ..Default::default()
            },
        ),
        (
            "a count that says a page less than the listing",
            Faults {
                count_offset: Some(-100),
                ..Default::default()
            },
        ),
    ];
    for (what, fault) in faults {
        psa.set_faults(fault);
        let failed = ctx.run(SyncMode::Full).await;
        assert_eq!(
            failed.outcome,
            SyncOutcome::Failed,
            "{kind:?}, {what}: {failed:?}"
        );
        let error = failed.error.unwrap_or_default();
        assert!(
            error.contains(kind.label()),
            "{kind:?}, {what}: the error names the PSA: {error}"
        );
        assert_eq!(
            ctx.snapshot().await,
            before,
            "{kind:?}, {what}: nothing changed"
        );
        psa.set_faults(Faults::default());
    }
    // Pages capped below what the connector asks (HaloPSA caps at 100 on its own): the run
    // either reads everything at the size the PSA serves or fails; either way nothing that
    // the PSA still has becomes an orphan.
    psa.set_faults(Faults {
        page_cap: Some(50),
        ..Default::default()
    });
    let capped = ctx.run(SyncMode::Full).await;
    assert_ne!(capped.outcome, SyncOutcome::Running, "{kind:?}");
    assert_eq!(
        ctx.snapshot().await,
        before,
        "{kind:?}, pages capped at 50 ({capped:?}): nothing changed"
    );
    psa.set_faults(Faults::default());

    // Rule 7: an incremental run picks up a renamed company; rule 3: a company deleted in the
    // PSA is an orphan after the next full sync.
    let renamed = expected
        .iter()
        .find(|c| c.id != typed_in.id && c.id != target.id)
        .unwrap();
    psa.rename_company(renamed.id, "Renamed In The PSA LLC");
    let gone = expected
        .iter()
        .find(|c| {
            ![typed_in.id, target.id, renamed.id].contains(&c.id) && c.type_id != vendor.psa_id
        })
        .unwrap();
    psa.delete_company(gone.id);
    let incremental = ctx.run(SyncMode::Incremental).await;
    assert_eq!(
        incremental.outcome,
        SyncOutcome::Succeeded,
        "{kind:?}: {incremental:?}"
    );
    assert_eq!(
        ctx.org(renamed.id).await.1,
        "Renamed In The PSA LLC",
        "{kind:?}"
    );
    // HaloPSA cannot list only what changed (its API description documents no filter by change
    // time): its incremental run read everything, and its log says so; the others' do not.
    let whole = ctx
        .count("SELECT COUNT(*) FROM sync_events WHERE account_id = $1 AND message LIKE '%cannot list only what changed%'")
        .await;
    assert_eq!(whole, i64::from(kind == PsaKind::Halopsa), "{kind:?}");
    let full = ctx.run(SyncMode::Full).await;
    assert_eq!(full.outcome, SyncOutcome::Succeeded, "{kind:?}: {full:?}");
    let (_, _, state, reason) = ctx.org(gone.id).await;
    assert_eq!(
        (state.as_deref(), reason.as_deref()),
        (Some("orphaned"), Some("deleted_in_psa")),
        "{kind:?}"
    );
}

async fn connectwise(db: Db) {
    the_sync_rules_hold_for(db, PsaKind::ConnectwiseManage).await
}
async fn autotask(db: Db) {
    the_sync_rules_hold_for(db, PsaKind::Autotask).await
}
async fn halopsa(db: Db) {
    the_sync_rules_hold_for(db, PsaKind::Halopsa).await
}
on_both!(connectwise);
on_both!(autotask);
on_both!(halopsa);

/// HaloPSA serves at most 100 records a page whatever `page_size` asks (homotechsual/HaloAPI
/// #90: `page_size=1000` answered 100 records with `record_count: 717`). A first full sync of
/// 717 clients links all 717, with pages capped at 100 or at 50; a page dropped or a count that
/// does not add up fails the run and changes nothing.
async fn a_halo_first_sync_lists_all_717_clients(db: Db) {
    let ctx = setup(db, PsaKind::Halopsa).await;
    let Sim::Halo(sim) = &ctx.psa.sim else {
        unreachable!()
    };
    {
        let mut r = sim.records();
        let template = r.clients.get(0).unwrap();
        let mut all: Vec<Value> = r.clients.iter().collect();
        for (n, c) in all.iter_mut().enumerate() {
            c["name"] = format!("Existing Client {n:03}").into();
        }
        for n in all.len()..717 {
            let mut c = template.clone();
            c["id"] = (1_000_000 + n as i64).into();
            c["name"] = format!("Client {n:03} Ltd").into();
            all.push(c);
        }
        r.clients = sim::store::Collection::from_values(all);
        r.matches.clear();
        assert_eq!(r.clients.len(), 717);
    }
    // Every organization type and status is synced: all 717 qualify.
    let settings = ctx
        .services
        .sync_settings(&ctx.admin, ctx.integration)
        .await
        .unwrap();
    let values = settings
        .values
        .iter()
        .map(|v| {
            let org = matches!(
                v.category,
                CatalogCategory::OrganizationType | CatalogCategory::OrganizationStatus
            );
            (v.id, org)
        })
        .collect();
    ctx.repo
        .change_sync_settings(
            ctx.admin.account_id,
            ctx.integration,
            &SyncSettingsChange {
                values,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let client_page = |page| {
        Some(PageFault {
            endpoint: "Client".into(),
            page,
            times: None,
        })
    };
    // A dropped page, or a count that does not add up, before the first sync: nothing is linked.
    for (what, fault) in [
        (
            "a dropped page",
            Faults {
                skip_page: client_page(3),
                ..Default::default()
            },
        ),
        (
            "a count 5 too high",
            Faults {
                count_offset: Some(5),
                ..Default::default()
            },
        ),
        (
            "a count a page too low",
            Faults {
                count_offset: Some(-100),
                ..Default::default()
            },
        ),
    ] {
        ctx.psa.set_faults(fault);
        let failed = ctx.run(SyncMode::Full).await;
        assert_eq!(failed.outcome, SyncOutcome::Failed, "{what}: {failed:?}");
        assert!(
            failed
                .error
                .as_deref()
                .unwrap_or_default()
                .contains("could not be proved complete"),
            "{what}: {failed:?}"
        );
        assert!(ctx.linked_companies().await.is_empty(), "{what}");
    }
    ctx.psa.set_faults(Faults {
        page_cap: Some(50),
        ..Default::default()
    });
    let first = ctx.run(SyncMode::Full).await;
    assert_eq!(first.outcome, SyncOutcome::Succeeded, "{first:?}");
    assert_eq!(
        ctx.linked_companies().await.len(),
        717,
        "pages capped at 50"
    );
    ctx.psa.set_faults(Faults::default());
    let again = ctx.run(SyncMode::Full).await;
    assert_eq!(again.outcome, SyncOutcome::Succeeded, "{again:?}");
    assert_eq!(
        ctx.count(
            "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'enabled'"
        )
        .await,
        717,
        "pages of 100: all 717 still synced, none orphaned"
    );
    assert!(
        sim.requests_to("client") >= 8,
        "717 clients take eight pages of 100"
    );
}
on_both!(a_halo_first_sync_lists_all_717_clients);

/// Sync rule 1b: deleting a few companies in the PSA orphans them as before; a full sync that
/// finds most linked companies missing at once holds those orphanings. Manage Data shows the
/// held count, View lists them, only an Administrator may decide: Discard leaves them as they
/// were (the next full sync holds them again), Confirm makes them orphans (deleted in the PSA);
/// both are in the activity log. The share is the integration's own setting.
async fn mass_deletions_wait_for_an_administrator(db: Db, kind: PsaKind) {
    let d = Dataset::generate(Size::S, 1);
    let ctx = setup(db, kind).await;
    ctx.choose_settings(&d).await;
    assert_eq!(
        ctx.run(SyncMode::Full).await.outcome,
        SyncOutcome::Succeeded
    );
    let linked = ctx.linked_companies().await;
    assert!(linked.len() > 60, "{kind:?}: {}", linked.len());
    let enabled = |ids: &[i64]| {
        let list = ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        format!("SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND sync_state = 'enabled' AND psa_id IN ({list})")
    };

    // An ordinary deletion of two companies: orphaned as before.
    for id in &linked[..2] {
        ctx.psa.delete_company(*id);
    }
    assert_eq!(
        ctx.run(SyncMode::Full).await.outcome,
        SyncOutcome::Succeeded
    );
    for id in &linked[..2] {
        assert_eq!(
            ctx.org(*id).await.3.as_deref(),
            Some("deleted_in_psa"),
            "{kind:?}"
        );
    }

    // Most of the rest vanish from the listing at once: held, not orphaned.
    let vanished: Vec<i64> = linked[2..].iter().copied().step_by(2).collect();
    assert!(vanished.len() > 20);
    for id in &vanished {
        ctx.psa.delete_company(*id);
    }
    let run = ctx.run(SyncMode::Full).await;
    assert_eq!(run.outcome, SyncOutcome::Succeeded, "{kind:?}: {run:?}");
    assert_eq!(
        ctx.count(&enabled(&vanished)).await,
        vanished.len() as i64,
        "{kind:?}: nothing orphaned"
    );
    let (held, first_run) = ctx.held().await;
    // Their sites went missing with them (a PSA lists sites by company): held too.
    assert_eq!(
        held.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![ItemKind::Organization, ItemKind::Location],
        "{kind:?}"
    );
    assert_eq!(held[0].1, vanished.len() as i64, "{kind:?}");
    assert_eq!(first_run, Some(run.run_id), "{kind:?}: held by that run");
    let events = ctx
        .count("SELECT COUNT(*) FROM sync_events WHERE account_id = $1 AND message LIKE '%were held, not orphaned%'")
        .await;
    assert_eq!(
        events, 2,
        "{kind:?}: the run's log says what it held, by kind"
    );
    let page = ctx
        .services
        .held_items(&ctx.admin, ctx.integration, ItemKind::Organization, 0)
        .await
        .unwrap();
    assert_eq!(page.total, vanished.len() as i64);
    let mut viewed: Vec<i64> = page.items.iter().map(|i| i.psa_id).collect();
    viewed.sort();
    assert_eq!(
        viewed, vanished,
        "{kind:?}: View lists exactly the held items"
    );
    for offset in [-1, 10_000_001] {
        assert!(ctx
            .services
            .held_items(&ctx.admin, ctx.integration, ItemKind::Organization, offset)
            .await
            .is_err());
    }
    // A user restricted to no organization sees nothing held, in counts or in View.
    let restricted = common::user(
        &ctx.repo,
        ctx.admin.account_id,
        "r@alpha.example",
        Role::ReadOnly,
        true,
    )
    .await;
    assert!(ctx
        .services
        .manage_data(&restricted, ctx.integration)
        .await
        .unwrap()
        .held
        .is_empty());
    assert_eq!(
        ctx.services
            .held_items(&restricted, ctx.integration, ItemKind::Organization, 0)
            .await
            .unwrap()
            .total,
        0
    );

    // Only an unrestricted Administrator decides.
    let manager = common::user(
        &ctx.repo,
        ctx.admin.account_id,
        "m@alpha.example",
        Role::Manager,
        false,
    )
    .await;
    for confirm in [true, false] {
        let refused = ctx
            .decide(&manager, ItemKind::Organization, confirm, run.run_id)
            .await
            .unwrap_err();
        assert!(
            refused.message.contains("Your role does not allow"),
            "{}",
            refused.message
        );
    }
    // Another account's Administrator does not reach this integration.
    let other_account = ctx.repo.create_account("Beta IT").await.unwrap();
    let stranger = common::user(
        &ctx.repo,
        other_account,
        "a@beta.example",
        Role::Administrator,
        false,
    )
    .await;
    assert!(ctx
        .decide(&stranger, ItemKind::Organization, true, run.run_id)
        .await
        .is_err());
    assert_eq!(ctx.count(&enabled(&vanished)).await, vanished.len() as i64);

    // Discard: they stay as they were; the next full sync holds them again.
    let said = ctx
        .decide(&ctx.admin, ItemKind::Organization, false, run.run_id)
        .await
        .unwrap();
    assert!(
        said.starts_with(&format!("Discarded: {}", vanished.len())),
        "{said}"
    );
    // A second Discard of the same (nothing is held any more) is a conflict, not a no-op.
    assert!(ctx
        .decide(&ctx.admin, ItemKind::Organization, false, run.run_id)
        .await
        .unwrap_err()
        .message
        .contains("changed since you looked"));
    ctx.decide(&ctx.admin, ItemKind::Location, false, run.run_id)
        .await
        .unwrap();
    assert_eq!(ctx.held().await, (Vec::new(), None));
    assert_eq!(ctx.count(&enabled(&vanished)).await, vanished.len() as i64);
    let second = ctx.run(SyncMode::Full).await;
    assert_eq!(second.outcome, SyncOutcome::Succeeded);
    let (held, second_run) = ctx.held().await;
    assert_eq!(held[0].1, vanished.len() as i64);
    assert_eq!(second_run, Some(second.run_id));

    // A Confirm made from a screen of an earlier run's held set (a sync held again since) is
    // refused and changes nothing: it could orphan what the Administrator never saw.
    let stale = ctx
        .decide(&ctx.admin, ItemKind::Organization, true, run.run_id)
        .await
        .unwrap_err();
    assert!(
        stale.message.contains("changed since you looked"),
        "{}",
        stale.message
    );
    assert_eq!(ctx.count(&enabled(&vanished)).await, vanished.len() as i64);

    // Confirm: they become orphans, deleted in the PSA.
    let said = ctx
        .decide(&ctx.admin, ItemKind::Organization, true, second.run_id)
        .await
        .unwrap();
    assert!(
        said.starts_with(&format!("Confirmed: {}", vanished.len())),
        "{said}"
    );
    ctx.decide(&ctx.admin, ItemKind::Location, true, second.run_id)
        .await
        .unwrap();
    assert_eq!(ctx.held().await, (Vec::new(), None));
    assert_eq!(ctx.count(&enabled(&vanished)).await, 0);
    for id in &vanished {
        assert_eq!(
            ctx.org(*id).await.3.as_deref(),
            Some("deleted_in_psa"),
            "{kind:?}"
        );
    }
    let log = ctx
        .repo
        .activity_log(ctx.admin.account_id, None, None, 10)
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.3.as_str()).collect();
    assert!(
        actions.contains(&"confirm held orphanings")
            && actions.contains(&"discard held orphanings"),
        "{actions:?}"
    );

    // The share is the integration's: at 100 % nothing is ever held.
    let settings = ctx
        .services
        .change_sync_settings(
            &ctx.admin,
            ctx.integration,
            SyncSettingsChange {
                hold_orphans_percent: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (settings.hold_orphans_percent, settings.hold_orphans_min),
        (100, 20)
    );
    for bad in [-1, 101] {
        assert!(ctx
            .services
            .change_sync_settings(
                &ctx.admin,
                ctx.integration,
                SyncSettingsChange {
                    hold_orphans_percent: Some(bad),
                    ..Default::default()
                }
            )
            .await
            .is_err());
    }
    for bad in [-1, 1_000_001, i64::MAX] {
        assert!(ctx
            .services
            .change_sync_settings(
                &ctx.admin,
                ctx.integration,
                SyncSettingsChange {
                    hold_orphans_min: Some(bad),
                    ..Default::default()
                }
            )
            .await
            .is_err());
    }
    assert_eq!(
        ctx.services
            .sync_settings(&ctx.admin, ctx.integration)
            .await
            .unwrap()
            .hold_orphans_min,
        20,
        "refused changes change nothing"
    );
    let rest: Vec<i64> = linked[2..]
        .iter()
        .copied()
        .filter(|i| !vanished.contains(i))
        .collect();
    for id in &rest {
        ctx.psa.delete_company(*id);
    }
    assert_eq!(
        ctx.run(SyncMode::Full).await.outcome,
        SyncOutcome::Succeeded
    );
    assert_eq!(
        ctx.count(&enabled(&rest)).await,
        0,
        "{kind:?}: orphaned at once"
    );
}
async fn mass_deletions_connectwise(db: Db) {
    mass_deletions_wait_for_an_administrator(db, PsaKind::ConnectwiseManage).await
}
async fn mass_deletions_autotask(db: Db) {
    mass_deletions_wait_for_an_administrator(db, PsaKind::Autotask).await
}
async fn mass_deletions_halopsa(db: Db) {
    mass_deletions_wait_for_an_administrator(db, PsaKind::Halopsa).await
}
on_both!(mass_deletions_connectwise);
on_both!(mass_deletions_autotask);
on_both!(mass_deletions_halopsa);
