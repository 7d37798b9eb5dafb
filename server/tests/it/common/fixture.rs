//! A fresh database with the S dataset loaded into an account with one ConnectWise integration
//! and an Administrator, as the repository-level tests of removals and row actions use it.

use app::model::{CurrentUser, IntegrationId, ItemKind, Role, UserId};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::on_db;
use server::repo::{NewIntegration, RemovalArgs, Repo};
use server::worker::Worker;

pub struct Ctx {
    pub repo: Repo,
    pub admin: CurrentUser,
    pub integration: IntegrationId,
}

pub async fn setup(db: Db) -> Ctx {
    db.migrate().await.unwrap();
    seeded(db).await
}

/// The same, on the schema of migration `version` (a later migration's data tests).
pub async fn setup_at(db: Db, version: i64) -> Ctx {
    db.migrate_to(version).await.unwrap();
    seeded(db).await
}

async fn seeded(db: Db) -> Ctx {
    let repo = Repo::new(db);
    let (admin, integration) = account(&repo, "Alpha IT", "a@example.com", 1).await;
    Ctx {
        repo,
        admin,
        integration,
    }
}

/// A new account with one ConnectWise integration, the S dataset of `seed` loaded as if synced,
/// and an Administrator.
async fn account(repo: &Repo, name: &str, email: &str, seed: u64) -> (CurrentUser, IntegrationId) {
    let account = repo.create_account(name).await.unwrap();
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap();
    loader::load(
        &repo.db,
        account,
        integration,
        &Dataset::generate(Size::S, seed),
    )
    .await
    .unwrap();
    let user_id: UserId = repo
        .create_user(server::repo::NewUser {
            account,
            email,
            name: "A",
            password_hash: "x",
            role: Role::Administrator,
            restricted: false,
        })
        .await
        .unwrap();
    let admin = CurrentUser {
        user_id,
        account_id: account,
        account_name: name.into(),
        email: email.into(),
        name: "A".into(),
        role: Role::Administrator,
        restricted: false,
    };
    (admin, integration)
}

/// A second account in the same database, with its own integration, the same S dataset and an
/// Administrator: what one account does must never reach it.
pub async fn second_account(ctx: &Ctx) -> CurrentUser {
    account(&ctx.repo, "Beta IT", "b@example.com", 2).await.0
}

/// Points the fixture's integration at a fresh ConnectWise simulator serving the same S dataset
/// and returns a sync engine for it (quick retries), the simulator's URL and its state.
pub async fn connect_psa(
    ctx: &Ctx,
) -> (
    server::sync::SyncEngine,
    String,
    std::sync::Arc<sim::connectwise::Simulator>,
) {
    use server::psa::connectwise::client::CwCredentials;
    use server::psa::RetryPolicy;
    use sim::connectwise::Records;
    let (url, sim) =
        super::spawn_simulator_with(Records::from_dataset(&Dataset::generate(Size::S, 1))).await;
    let c = super::sim_credentials();
    let credentials = CwCredentials {
        site_url: url.clone(),
        company_id: c.company_id,
        public_key: c.public_key,
        private_key: c.private_key,
        client_id: c.client_id,
    };
    let secrets = std::sync::Arc::new(server::secrets::SecretBox::new([7; 32]));
    ctx.repo
        .set_integration_credentials(
            ctx.admin.account_id,
            ctx.integration,
            &secrets.seal_json(&credentials).unwrap(),
        )
        .await
        .unwrap();
    let engine = server::sync::SyncEngine::new(ctx.repo.clone(), secrets).with_retry(RetryPolicy {
        max_attempts: 2,
        base_delay: std::time::Duration::from_millis(5),
        max_delay: std::time::Duration::from_millis(20),
        timeout: std::time::Duration::from_secs(20),
        limit_patience: std::time::Duration::from_secs(1),
        reach: server::psa::net::Reach::LOOPBACK,
    });
    (engine, url, sim)
}

impl Ctx {
    pub async fn count(&self, sql: &str) -> i64 {
        on_db!(&self.repo.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(self.admin.account_id.0)
            .fetch_one(pool)
            .await)
        .unwrap()
    }
    pub async fn ids(&self, sql: &str) -> Vec<i64> {
        on_db!(&self.repo.db, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(self.admin.account_id.0)
            .fetch_all(pool)
            .await)
        .unwrap()
    }
    pub fn worker(&self) -> Worker {
        let mut w = Worker::new(self.repo.clone());
        w.chunk = 7;
        w
    }
    /// Runs a full sync to its end.
    pub async fn full_sync(&self, engine: &server::sync::SyncEngine) -> server::sync::RunReport {
        engine
            .run(
                self.admin.account_id,
                self.integration,
                app::model::SyncMode::Full,
                app::model::SyncTrigger::Manual,
            )
            .await
            .expect("the run starts")
    }

    /// Runs the worker until `job` has ended; its final state.
    pub async fn finish_job(&self, job: app::model::JobId) -> server::repo::JobState {
        use server::repo::JobState;
        loop {
            match self.worker().run_one().await.unwrap() {
                Some((j, JobState::Queued | JobState::Running)) if j == job => continue,
                Some((j, state)) if j == job => return state,
                other => panic!("the worker ran something else: {other:?}"),
            }
        }
    }

    pub fn args(&self, kind: ItemKind) -> RemovalArgs {
        RemovalArgs::orphans(self.integration, kind)
    }

    /// Queues the removal of every orphan of `kind` and runs it to success; the job.
    pub async fn remove_orphans(&self, kind: ItemKind) -> app::model::JobId {
        let args = self.args(kind);
        let impact = self.repo.removal_impact(&self.admin, &args).await.unwrap();
        assert!(impact.items > 0);
        let server::repo::Queued::Job(job) = self
            .repo
            .queue_removal(&self.admin, &args, impact.items)
            .await
            .unwrap()
        else {
            panic!("queued")
        };
        assert_eq!(
            self.finish_job(job).await,
            server::repo::JobState::Succeeded
        );
        job
    }
}

/// A trigger that makes every `op` (UPDATE, DELETE or INSERT) on `table` fail, as a fault in the
/// middle of a transaction would.
pub async fn inject_failure(db: &Db, op: &str, table: &str) {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query(&format!(
                "CREATE TRIGGER inject_failure_{table} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ))
            .execute(pool)
            .await
            .unwrap();
        }
        Db::Postgres(pool) => {
            sqlx::query("CREATE OR REPLACE FUNCTION inject_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql")
                .execute(pool).await.unwrap();
            sqlx::query(&format!(
                "CREATE TRIGGER inject_failure_{table} BEFORE {op} ON {table} FOR EACH STATEMENT EXECUTE FUNCTION inject_failure()"
            ))
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

/// Removes the fault, and polls until no connection sees it any more (a connection may still be
/// rolling back the transaction the fault broke).
pub async fn remove_failure(db: &Db, table: &str) {
    let (drop, left) = match db {
        Db::Sqlite(_) => (
            format!("DROP TRIGGER IF EXISTS inject_failure_{table}"),
            format!("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'inject_failure_{table}'"),
        ),
        Db::Postgres(_) => (
            format!("DROP TRIGGER IF EXISTS inject_failure_{table} ON {table}"),
            format!("SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'inject_failure_{table}'"),
        ),
    };
    loop {
        on_db!(db, |pool| sqlx::query(&drop)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
        let n: i64 = on_db!(db, |pool| sqlx::query_scalar(&left).fetch_one(pool).await).unwrap();
        if n == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
