//! One chunk of a restore: what it reads, prepared once, and the backend's steps
//! (`steps.rs`) run in one transaction.

use super::*;

/// What every step of one chunk knows.
pub(super) struct ChunkCtx<'a> {
    pub(super) acc: i64,
    pub(super) job: i64,
    pub(super) worker: &'a str,
    /// The removal it undoes.
    pub(super) removal: i64,
    pub(super) size: i64,
    pub(super) now: DateTime<Utc>,
    pub(super) backend: Backend,
    /// The removal's kind (`organization`) and its table.
    pub(super) kind: &'static str,
    pub(super) table: &'static str,
    /// The chunk's targets: `seq`, `id`, `organization`, `payload` (JSON), `restored_by`.
    pub(super) read_targets: String,
    /// Everything archived under an organization ($2) by the removal ($1) and not brought back
    /// yet, in one query: `n` (which of `ORGANIZATION_CHILDREN`), `id`, `payload`.
    pub(super) read_children: String,
}

impl Repo {
    /// Runs the next chunk of `size` targets of a claimed restore job.
    pub async fn restore_chunk(
        &self,
        account: AccountId,
        job: JobId,
        worker: &str,
        args: &RestoreArgs,
        size: i64,
    ) -> anyhow::Result<RestoreChunk> {
        let backend = self.db.backend();
        // The removal's kind names the archive table its targets are in.
        let removal = self
            .job(account, args.removal)
            .await?
            .ok_or_else(|| anyhow::anyhow!("restore {job}: removal {} is gone", args.removal))?;
        let removal: RemovalArgs = serde_json::from_str(&removal.args)?;
        let (table, org) = (table(removal.kind), organization_column(removal.kind));
        let read_targets = format!(
            "SELECT rt.seq AS seq, t.id AS id, t.{org} AS organization, {} AS payload,
               t.restored_by AS restored_by
             FROM restore_targets rt JOIN archived_{table} t
               ON t.job_id = $5 AND t.{org} = rt.organization_id AND t.id = rt.item_id
             WHERE rt.job_id = $1 AND rt.seq > $2 AND t.account_id = $3 ORDER BY rt.seq LIMIT $4",
            json_columns(table, backend)
        );
        let read_children = ORGANIZATION_CHILDREN
            .iter()
            .enumerate()
            .map(|(n, (child, _))| {
                format!(
                    "SELECT CAST({n} AS BIGINT) AS n, t.id AS id, {} AS payload
                     FROM archived_{child} t
                     WHERE t.job_id = $1 AND t.organization_id = $2 AND t.restored_by IS NULL",
                    json_columns(child, backend)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
            + " ORDER BY 1, 2";
        let c = ChunkCtx {
            acc: account.0,
            job: job.0,
            worker,
            removal: args.removal.0,
            size,
            now: Utc::now(),
            backend,
            kind: removal.kind.as_str(),
            table,
            read_targets,
            read_children,
        };
        match &self.db {
            crate::db::Db::Sqlite(pool) => sqlite::steps::run(pool, &c).await,
            crate::db::Db::Postgres(pool) => postgres::steps::run(pool, &c).await,
        }
    }
}
