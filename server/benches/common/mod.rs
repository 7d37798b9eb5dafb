//! What the benches share: a fresh PostgreSQL database each run.
#![allow(dead_code)]

use server::db::Db;
use sqlx::Connection;

/// A new, empty database on the server `base` points at; its URL.
pub async fn fresh_postgres_url(base: &str) -> anyhow::Result<String> {
    let name = format!("steward_bench_{}", hex::encode(rand::random::<[u8; 6]>()));
    let mut conn = sqlx::PgConnection::connect(base).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let (prefix, _) = base.rsplit_once('/').unwrap_or((base, ""));
    Ok(format!("{prefix}/{name}"))
}

/// A new, empty database on the server `base` points at, connected.
pub async fn fresh_postgres(base: &str) -> anyhow::Result<Db> {
    Db::connect(&fresh_postgres_url(base).await?).await
}
