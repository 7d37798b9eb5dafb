//! A restore's chunk on PostgreSQL.

type DB = sqlx::Postgres;
type Tx = sqlx::Transaction<'static, DB>;

#[allow(clippy::duplicate_mod)]
#[path = "steps.rs"]
pub(super) mod steps;
