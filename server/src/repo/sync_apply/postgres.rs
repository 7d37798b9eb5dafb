//! The apply's steps on PostgreSQL.

type DB = sqlx::Postgres;
type Tx = sqlx::Transaction<'static, DB>;

#[allow(clippy::duplicate_mod)]
#[path = "finish.rs"]
mod finish;
#[allow(clippy::duplicate_mod)]
#[path = "listing.rs"]
mod listing;
#[allow(clippy::duplicate_mod)]
#[path = "steps.rs"]
pub(super) mod steps;
