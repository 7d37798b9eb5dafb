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
    let repo = Repo::new(db);
    let account = repo.create_account("Alpha IT").await.unwrap();
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap();
    loader::load(
        &repo.db,
        account,
        integration,
        &Dataset::generate(Size::S, 1),
    )
    .await
    .unwrap();
    let user_id: UserId = repo
        .create_user(server::repo::NewUser {
            account,
            email: "a@example.com",
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
        account_name: "Alpha IT".into(),
        email: "a@example.com".into(),
        name: "A".into(),
        role: Role::Administrator,
        restricted: false,
    };
    Ctx {
        repo,
        admin,
        integration,
    }
}

impl Ctx {
    pub async fn count(&self, sql: &str) -> i64 {
        on_db!(&self.repo.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(self.admin.account_id.0).fetch_one(pool).await).unwrap()
    }
    pub async fn ids(&self, sql: &str) -> Vec<i64> {
        on_db!(&self.repo.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(self.admin.account_id.0).fetch_all(pool).await).unwrap()
    }
    pub fn worker(&self) -> Worker {
        let mut w = Worker::new(self.repo.clone());
        w.chunk = 7;
        w
    }
    pub fn args(&self, kind: ItemKind) -> RemovalArgs {
        RemovalArgs::orphans(self.integration, kind)
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
        on_db!(db, pool => sqlx::query(&drop).execute(pool).await.map(|_| ())).unwrap();
        let n: i64 = on_db!(db, pool => sqlx::query_scalar(&left).fetch_one(pool).await).unwrap();
        if n == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
