//! Test helpers: a fresh database per test, SQLite or PostgreSQL.
#![allow(dead_code)]

use server::db::Db;
use sqlx::Connection;

/// A fresh SQLite database in its own temporary directory (kept alive by the returned guard).
pub async fn fresh_sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("steward.db").display());
    (Db::connect(&url).await.expect("SQLite opens"), dir)
}

/// The URL of a fresh, empty PostgreSQL database on the test server that `make test` starts.
pub async fn fresh_postgres_url() -> String {
    let base = std::env::var("STEWARD_TEST_POSTGRES_URL").expect(
        "STEWARD_TEST_POSTGRES_URL is not set: run the tests with `make test`, which starts a private PostgreSQL \
         (or set it to postgres://... of a server where the user may create databases)",
    );
    let name = format!("steward_test_{}", hex::encode(rand::random::<[u8; 8]>()));
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .expect("the test PostgreSQL is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let (prefix, _) = base.rsplit_once('/').expect("a database name in the URL");
    format!("{prefix}/{name}")
}

pub async fn fresh_postgres() -> Db {
    Db::connect(&fresh_postgres_url().await)
        .await
        .expect("PostgreSQL connects")
}
