//! The apply's steps on SQLite.

type DB = sqlx::Sqlite;
type Tx = sqlx::Transaction<'static, DB>;

#[path = "finish.rs"]
mod finish;
#[path = "listing.rs"]
mod listing;
#[path = "steps.rs"]
pub(super) mod steps;
