//! A restore's chunk on SQLite.

type DB = sqlx::Sqlite;
type Tx = sqlx::Transaction<'static, DB>;

#[path = "steps.rs"]
pub(super) mod steps;
