//! The deletion archive: what a removal copies before it deletes (every column, as an account
//! export writes it), and reading it back page by page.

use super::*;

/// Every column of each table a removal archives (passwords add their sealed secret as hex):
/// the columns an account export writes of it.
pub(in crate::repo) fn archived_columns(table: &str) -> &'static [&'static str] {
    crate::repo::schema::KINDS
        .iter()
        .find(|k| k.table == table)
        .map_or(&["id"], |k| k.columns)
}

/// Every table a removal archives, in the order an archive is read (organizations first, then
/// what was inside them): (table, the kind its records are called by).
pub(in crate::repo) const ARCHIVED: [(&str, &str); 6] = [
    ("organizations", "organization"),
    ORGANIZATION_CHILDREN[0],
    ORGANIZATION_CHILDREN[1],
    ORGANIZATION_CHILDREN[2],
    ORGANIZATION_CHILDREN[3],
    ORGANIZATION_CHILDREN[4],
];

/// The column of `archived_<table>` holding the organization a record was in (an organization's
/// own id for itself): with the job, the key of every archive table's index. (Items' own tables
/// have `manage_data::organization_column`; passwords and documents are not items.)
pub(in crate::repo) fn archived_organization_column(table: &str) -> &'static str {
    if table == "organizations" {
        "id"
    } else {
        "organization_id"
    }
}

/// The columns a removal copies into `archived_<table>` beside its job and account: the
/// archived columns, and a password's sealed secret.
pub(super) fn copied_columns(table: &str) -> Vec<&'static str> {
    let mut cols = archived_columns(table).to_vec();
    if table == "passwords" {
        cols.push("secret_ciphertext");
    }
    cols
}

/// `INSERT INTO archived_<table> (…)` and the `SELECT` list that copies a row of alias `t` into
/// it, for account `$1` and job `$2`.
pub(super) fn archive_copy(table: &str) -> (String, String) {
    let cols = copied_columns(table);
    (
        format!(
            "INSERT INTO archived_{table} (job_id, account_id, {})",
            cols.join(", ")
        ),
        format!(
            "SELECT $2, $1, {}",
            cols.iter()
                .map(|c| format!("t.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// An archived row of alias `t` (in `archived_<table>`) as the JSON a download shows and a
/// restore reads: its archived columns as `'name', t.name` pairs for `json_object` (SQLite) /
/// `json_build_object` (PostgreSQL); a password's sealed secret as hex.
pub(in crate::repo) fn json_columns(table: &str, backend: Backend) -> String {
    let cols = archived_columns(table);
    let mut pairs: Vec<String> = cols.iter().map(|c| format!("'{c}', t.{c}")).collect();
    if table == "passwords" {
        // The sealed secret goes into the archive too, as hex.
        pairs.push(match backend {
            Backend::Sqlite => "'secret_ciphertext_hex', hex(t.secret_ciphertext)".into(),
            Backend::Postgres => {
                "'secret_ciphertext_hex', encode(t.secret_ciphertext, 'hex')".into()
            }
        });
    }
    let f = match backend {
        Backend::Sqlite => "json_object",
        Backend::Postgres => "json_build_object",
    };
    format!("CAST({f}({}) AS TEXT)", pairs.join(", "))
}

impl Repo {
    /// The archive of a removal job: (kind, item id, JSON), organizations first, then each kind
    /// of record by organization.
    pub async fn deletion_archive(
        &self,
        account: AccountId,
        job: JobId,
    ) -> anyhow::Result<Vec<(String, i64, String)>> {
        let job = job.0;
        let mut all = Vec::new();
        let mut at = ArchiveCursor::default();
        loop {
            let (page, next) = self
                .deletion_archive_page(account, JobId(job), at, 10_000)
                .await?;
            if page.is_empty() {
                return Ok(all);
            }
            all.extend(page);
            at = next;
        }
    }

    /// One page of a removal job's archive after `at` (organizations first, then each kind of
    /// record by organization and id): (kind, item id, JSON), and where the next page starts. An
    /// empty page is the end.
    pub async fn deletion_archive_page(
        &self,
        account: AccountId,
        job: JobId,
        mut at: ArchiveCursor,
        limit: i64,
    ) -> anyhow::Result<(Vec<(String, i64, String)>, ArchiveCursor)> {
        let job = job.0;
        let backend = self.db.backend();
        while let Some(&(table, kind)) = ARCHIVED.get(at.table) {
            let org = archived_organization_column(table);
            // An organization is its own organization: its cursor's two halves are its id.
            let after = if table == "organizations" {
                "t.id >= $3 AND t.id > $4"
            } else {
                "(t.organization_id, t.id) > ($3, $4)"
            };
            let sql = format!(
                "SELECT t.{org}, t.id, {} FROM archived_{table} t
                 WHERE t.job_id = $2 AND t.account_id = $1 AND {after}
                 ORDER BY t.{org}, t.id LIMIT $5",
                json_columns(table, backend)
            );
            let rows: Vec<(i64, i64, String)> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
                .bind(account.0)
                .bind(job)
                .bind(at.organization)
                .bind(at.id)
                .bind(limit)
                .fetch_all(pool)
                .await)?;
            if let Some(&(organization, id, _)) = rows.last() {
                at.organization = organization;
                at.id = id;
                let page = rows
                    .into_iter()
                    .map(|(_, id, json)| (kind.to_string(), id, json))
                    .collect();
                return Ok((page, at));
            }
            at = ArchiveCursor {
                table: at.table + 1,
                ..ArchiveCursor::default()
            };
        }
        Ok((Vec::new(), at))
    }

    /// How many of a job's targets were deleted and skipped.
    pub async fn removal_outcomes(&self, job: JobId) -> anyhow::Result<(i64, i64)> {
        let job = job.0;
        let (d, s): (i64, i64) = on_db!(&self.db, |pool| sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN outcome = 'deleted' THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN outcome = 'skipped' THEN 1 ELSE 0 END), 0)
             FROM removal_targets WHERE job_id = $1"
        )
        .bind(job)
        .fetch_one(pool)
        .await)?;
        Ok((d, s))
    }
}
