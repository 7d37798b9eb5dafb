//! One chunk of a restore, in ONE transaction: the claim proved, each target checked (its name
//! or its PSA link may be taken again, its organization gone), brought back with everything
//! archived under it or noted as not restored, and the job's progress moved.

use super::*;

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
        let job = job.0;
        let now = Utc::now();
        let backend = self.db.backend();
        let acc = account.0;
        // The removal's kind names the archive table its targets are in.
        let removal = self
            .job(account, args.removal)
            .await?
            .ok_or_else(|| anyhow::anyhow!("restore {job}: removal {} is gone", args.removal))?;
        let removal: RemovalArgs = serde_json::from_str(&removal.args)?;
        let kind = removal.kind.as_str();
        let (table, org) = (table(removal.kind), organization_column(removal.kind));
        let read_targets = format!(
            "SELECT rt.seq, t.id, t.{org}, {}, t.restored_by
             FROM restore_targets rt JOIN archived_{table} t
               ON t.job_id = $5 AND t.{org} = rt.organization_id AND t.id = rt.item_id
             WHERE rt.job_id = $1 AND rt.seq > $2 AND t.account_id = $3 ORDER BY rt.seq LIMIT $4",
            json_columns(table, backend)
        );
        // Everything archived under an organization ($2) by the removal ($1) and not brought
        // back yet, in one query: (which of ORGANIZATION_CHILDREN, id, JSON), a kind at a time.
        let read_children = ORGANIZATION_CHILDREN
            .iter()
            .enumerate()
            .map(|(n, (child, _))| {
                format!(
                    "SELECT CAST({n} AS BIGINT), t.id, {} FROM archived_{child} t
                     WHERE t.job_id = $1 AND t.organization_id = $2 AND t.restored_by IS NULL",
                    json_columns(child, backend)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
            + " ORDER BY 1, 2";
        on_db!(&self.db, |pool| {
            let mut tx = pool.begin_write().await?;
            // The progress update first: it takes the write lock, and proves the claim.
            let done: Option<i64> = sqlx::query_scalar(crate::repo::jobs::STEP_CLAIM)
                .bind(now)
                .bind(job)
                .bind(worker)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(done) = done else {
                return Ok(RestoreChunk {
                    restored: 0,
                    not_restored: 0,
                    remaining: 0,
                    lost: true,
                });
            };
            type Target = (i64, i64, i64, String, Option<i64>);
            let targets: Vec<Target> = sqlx::query_as(&read_targets)
                .bind(job)
                .bind(done)
                .bind(acc)
                .bind(size)
                .bind(args.removal.0)
                .fetch_all(&mut *tx)
                .await?;
            let Some(last_seq) = targets.last().map(|t| t.0) else {
                return Ok(RestoreChunk {
                    restored: 0,
                    not_restored: 0,
                    remaining: 0,
                    lost: false,
                });
            };
            let (mut restored, mut refused) = (0i64, 0i64);
            for (seq, item_id, organization, payload, restored_by) in targets {
                let mut value: serde_json::Value = serde_json::from_str(&payload)?;
                let name = record_name(kind, &value);
                // Why it cannot come back, if it cannot.
                let mut why: Option<&str> = restored_by.map(|_| DONE_ALREADY);
                if why.is_none() && kind == "organization" {
                    let taken: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND \
                            LOWER(name) = LOWER($2)",
                    )
                    .bind(acc)
                    .bind(&name)
                    .fetch_one(&mut *tx)
                    .await?;
                    if taken > 0 {
                        why = Some(NAME_TAKEN);
                    }
                } else if why.is_none() {
                    let here: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM organizations WHERE account_id = $1 AND \
                            id = $2",
                    )
                    .bind(acc)
                    .bind(organization)
                    .fetch_one(&mut *tx)
                    .await?;
                    if here == 0 {
                        why = Some(NO_ORGANIZATION);
                    }
                }
                // The record and, for an organization, everything archived under it:
                // (kind, table, item id, organization, JSON).
                let mut records = vec![(kind, table, item_id, organization, value.take())];
                if why.is_none() && kind == "organization" {
                    let children: Vec<(i64, i64, String)> = sqlx::query_as(&read_children)
                        .bind(args.removal.0)
                        .bind(item_id)
                        .fetch_all(&mut *tx)
                        .await?;
                    for (n, item, p) in children {
                        let (child, k) = ORGANIZATION_CHILDREN[n as usize];
                        records.push((k, child, item, item_id, serde_json::from_str(&p)?));
                    }
                }
                let mut first = true;
                for (k, t, item, organization, mut v) in records {
                    let is_root = std::mem::take(&mut first);
                    let mut reason = if is_root { why } else { None };
                    if reason.is_none() {
                        if let Some((integration, psa_id)) = link(&v) {
                            let ours: i64 = sqlx::query_scalar(
                                "SELECT COUNT(*) FROM psa_integrations WHERE id = $1 \
                                    AND account_id = $2",
                            )
                            .bind(integration)
                            .bind(acc)
                            .fetch_one(&mut *tx)
                            .await?;
                            if ours == 0 {
                                unlink(&mut v);
                            } else {
                                let taken: i64 = sqlx::query_scalar(&format!(
                                    "SELECT COUNT(*) FROM {t} WHERE integration_id = \
                                        $1 AND psa_id = $2"
                                ))
                                .bind(integration)
                                .bind(psa_id)
                                .fetch_one(&mut *tx)
                                .await?;
                                if taken > 0 {
                                    reason = Some(LINK_TAKEN);
                                }
                            }
                        }
                    }
                    if let Some(reason) = reason {
                        sqlx::query(
                            "INSERT INTO restore_notes (job_id, item_kind, \
                            name, reason) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(job)
                        .bind(k)
                        .bind(record_name(k, &v))
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                        if is_root {
                            // Nothing under a refused organization comes back either.
                            break;
                        }
                        continue;
                    }
                    sqlx::query(&insert_sql(t, backend))
                        .bind(acc)
                        .bind(v.to_string())
                        .execute(&mut *tx)
                        .await?;
                    // A disconnected item's tombstone points at it again (the next sync keeps
                    // it disconnected, as before the removal).
                    if let (true, Some((integration, psa_id))) = (keeps_id(t), link(&v)) {
                        sqlx::query(
                            "UPDATE disconnected_items SET item_id = $1, \
                                organization_id = $2, deleted_locally_at = NULL
                             WHERE account_id = $3 AND integration_id = $4 AND item_kind = $5 AND \
                             psa_id = $6 AND item_id IS NULL",
                        )
                        .bind(item)
                        .bind(organization)
                        .bind(acc)
                        .bind(integration)
                        .bind(k)
                        .bind(psa_id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    sqlx::query(&format!(
                        "UPDATE archived_{t} SET restored_by = $1 WHERE job_id = $2 \
                            AND {} = $3 AND id = $4",
                        archived_organization_column(t)
                    ))
                    .bind(job)
                    .bind(args.removal.0)
                    .bind(organization)
                    .bind(item)
                    .execute(&mut *tx)
                    .await?;
                }
                let outcome = if why.is_none() {
                    restored += 1;
                    "restored"
                } else {
                    refused += 1;
                    "not_restored"
                };
                sqlx::query(
                    "UPDATE restore_targets SET outcome = $1 WHERE job_id = $2 AND seq \
                        = $3",
                )
                .bind(outcome)
                .bind(job)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("UPDATE jobs SET progress_done = $1 WHERE id = $2")
                .bind(last_seq)
                .bind(job)
                .execute(&mut *tx)
                .await?;
            let remaining: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM restore_targets WHERE job_id = $1 AND seq > $2",
            )
            .bind(job)
            .bind(last_seq)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<RestoreChunk, anyhow::Error>(RestoreChunk {
                restored,
                not_restored: refused,
                remaining,
                lost: false,
            })
        })
    }
}
