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
