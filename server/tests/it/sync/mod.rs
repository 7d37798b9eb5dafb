//! The sync engine against the ConnectWise simulator over HTTP, on SQLite and on PostgreSQL:
//! each sync rule of docs/DOMAIN.md, failed listings at any page, first-sync matching, runs and
//! events, Pause Sync, the scheduler, and one run per integration across app nodes.

use crate::common;

use app::model::{
    AccountId, CatalogCategory, CatalogValueId, EventLevel, IntegrationId, IntegrationState,
    ItemKind, OrphanReason, SyncMode, SyncOutcome, SyncSettingsChange, SyncTrigger,
};
use serde_json::json;
use server::dataset::{loader, Dataset, Expected, Fate, Size};
use server::db::Db;
use server::on_db;
use server::psa::connectwise::client::CwCredentials;
use server::psa::RetryPolicy;
use server::repo::{NewIntegration, Repo};
use server::secrets::SecretBox;
use server::sync::{Scheduler, SyncEngine, SyncError};
use sim::connectwise::{Faults, PageFault, Records, Simulator};
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
            let rows: Vec<ItemRow> = on_db!(&self.repo.db, |pool| sqlx::query_as(&sql)
                .bind(self.account.0)
                .fetch_all(pool)
                .await)
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
        on_db!(&self.repo.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(self.account.0)
            .fetch_one(pool)
            .await)
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

mod failures;
mod matching;
mod preview;
mod rules;
mod schedule;
