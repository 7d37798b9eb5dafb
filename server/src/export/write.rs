//! The export job: the account, read in one snapshot a page at a time, written as a ZIP of JSON
//! Lines into a temporary file, then stored in `export_chunks` for the download.

use super::{b64, key_check, unb64, FORMAT, VERSION};
use crate::db::Backend;
use crate::on_db;
use crate::repo::schema::{json_row, Kind, BOOLEANS, KINDS};
use crate::repo::Repo;
use crate::secrets::SecretBox;
use app::model::{AccountId, JobId};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

/// Rows read at a time.
const PAGE: i64 = 1000;
/// Bytes of the ZIP per stored chunk.
const CHUNK: usize = 1 << 20;

/// An export job's arguments: the passphrase's salt and the key derived from it, sealed with
/// the server's key (the passphrase itself is never stored).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportArgs {
    pub salt: String,
    pub key_sealed: String,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Done {
        bytes: u64,
        records: i64,
    },
    /// The claim was lost (another worker took the job over): it writes the export again.
    Lost,
}

/// The manifest at the top of the ZIP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub account: String,
    pub exported_at: chrono::DateTime<Utc>,
    /// Records per file.
    pub counts: BTreeMap<String, i64>,
    pub secrets: SecretsSealing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretsSealing {
    /// "xchacha20poly1305, key from argon2id(passphrase, salt)".
    pub sealed_with: String,
    pub salt: String,
    /// The words Steward seals to let an import check the passphrase first.
    pub key_check: String,
    /// Secrets the exporting server could not open, exported as they were stored.
    pub server_sealed: i64,
}

/// Booleans as JSON booleans (SQLite's `json_object` writes 0 and 1); a password's stored
/// secret opened and sealed again with the export's key.
fn normalise(
    kind: &Kind,
    line: &str,
    server: &SecretBox,
    export_key: &SecretBox,
    unreadable: &mut i64,
) -> anyhow::Result<String> {
    let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(line)?;
    for b in BOOLEANS {
        if let Some(x) = v.get_mut(b) {
            if let Some(n) = x.as_i64() {
                *x = serde_json::Value::Bool(n != 0);
            }
        }
    }
    if kind.table == "passwords" {
        let hex_text = v
            .remove("secret_ciphertext_hex")
            .and_then(|x| x.as_str().map(str::to_lowercase))
            .unwrap_or_default();
        let stored = hex::decode(&hex_text)?;
        let secret = match server.open(&stored) {
            Ok(plain) => serde_json::json!({ "sealed": b64(&export_key.seal(&plain)) }),
            Err(_) => {
                *unreadable += 1;
                serde_json::json!({ "server_sealed": hex_text })
            }
        };
        v.insert("secret".into(), secret);
    }
    Ok(serde_json::Value::Object(v).to_string())
}

/// Writes the export of `account` for claimed job `job`, then stores it.
pub async fn write(
    repo: &Repo,
    server: &SecretBox,
    account: AccountId,
    job: JobId,
    worker: &str,
    args: &ExportArgs,
) -> anyhow::Result<Written> {
    let job = job.0;
    let Some((mut file, bytes, records)) =
        write_zip(repo, server, account, args, Some((job, worker))).await?
    else {
        return Ok(Written::Lost);
    };
    // Stored a chunk at a time; a takeover starts the chunks again.
    on_db!(&repo.db, |pool| {
        sqlx::query("DELETE FROM export_chunks WHERE job_id = $1")
            .bind(job)
            .execute(pool)
            .await?;
        let mut buf = vec![0u8; CHUNK];
        let mut seq = 0i64;
        loop {
            let mut filled = 0;
            while filled < CHUNK {
                let n = file.read(&mut buf[filled..])?;
                if n == 0 {
                    break;
                }
                filled += n;
            }
            if filled == 0 {
                break;
            }
            sqlx::query(
                "INSERT INTO export_chunks (job_id, seq, data) VALUES ($1, $2, \
                $3)",
            )
            .bind(job)
            .bind(seq)
            .bind(&buf[..filled])
            .execute(pool)
            .await?;
            seq += 1;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(Written::Done { bytes, records })
}

/// Writes the export of `account` into a temporary file: the file (at its start), its size and
/// the records written. With a claimed `job`, its progress is kept and None says the claim was
/// lost.
pub async fn write_zip(
    repo: &Repo,
    server: &SecretBox,
    account: AccountId,
    args: &ExportArgs,
    job: Option<(i64, &str)>,
) -> anyhow::Result<Option<(std::fs::File, u64, i64)>> {
    let key: [u8; 32] = server
        .open(&unb64(&args.key_sealed)?)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("the export key is not 32 bytes"))?;
    let export_key = SecretBox::new(key);
    let backend = repo.db.backend();
    let file = tempfile::tempfile()?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut counts = BTreeMap::new();
    let mut unreadable = 0i64;
    let acc = account.0;
    let (id, worker) = job.unwrap_or((0, ""));
    let (account_name, lost) = on_db!(&repo.db, |pool| {
        let mut tx = pool.begin().await?;
        // One snapshot for the whole export: what it holds is the account at one moment.
        if backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let name: String = sqlx::query_scalar("SELECT name FROM accounts WHERE id = $1")
            .bind(acc)
            .fetch_one(&mut *tx)
            .await?;
        let mut total = 0i64;
        for kind in KINDS.iter() {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {} WHERE account_id = $1",
                kind.table
            ))
            .bind(acc)
            .fetch_one(&mut *tx)
            .await?;
            total += n;
        }
        if job.is_some() {
            sqlx::query(
                "UPDATE jobs SET progress_total = $1, progress_done = 0 WHERE \
                id = $2",
            )
            .bind(total)
            .bind(id)
            .execute(pool)
            .await?;
            crate::feed::changed(&repo.db, account).await;
        }
        let mut done = 0i64;
        let mut lost = false;
        'kinds: for kind in KINDS.iter() {
            zip.start_file(kind.file, options)?;
            let json = json_row(kind, backend);
            let mut after = i64::MIN;
            let mut n = 0i64;
            loop {
                let rows: Vec<(i64, String)> = if kind.by_id {
                    sqlx::query_as(&format!(
                        "SELECT t.id, {json} FROM {} t WHERE t.account_id = $1 AND \
                            t.id > $2 ORDER BY t.id LIMIT {PAGE}",
                        kind.table
                    ))
                    .bind(acc)
                    .bind(after)
                    .fetch_all(&mut *tx)
                    .await?
                } else {
                    sqlx::query_as(&format!(
                        "SELECT CAST(0 AS BIGINT), {json} FROM {} t WHERE t.account_id \
                            = $1",
                        kind.table
                    ))
                    .bind(acc)
                    .fetch_all(&mut *tx)
                    .await?
                };
                let Some(&(last, _)) = rows.last() else { break };
                for (_, line) in &rows {
                    zip.write_all(
                        normalise(kind, line, server, &export_key, &mut unreadable)?.as_bytes(),
                    )?;
                    zip.write_all(b"\n")?;
                }
                n += rows.len() as i64;
                done += rows.len() as i64;
                after = last;
                // Progress, which also proves the claim is still ours.
                if job.is_some() {
                    let held = sqlx::query(
                        "UPDATE jobs SET progress_done = $1, heartbeat_at = $2 WHERE \
                            id = $3 AND locked_by = $4 AND state = 'running'",
                    )
                    .bind(done.min(total))
                    .bind(Utc::now())
                    .bind(id)
                    .bind(worker)
                    .execute(pool)
                    .await?
                    .rows_affected();
                    if held == 0 {
                        lost = true;
                        break 'kinds;
                    }
                    crate::feed::changed(&repo.db, account).await;
                }
                if !kind.by_id || (rows.len() as i64) < PAGE {
                    break;
                }
            }
            counts.insert(kind.file.to_string(), n);
        }
        tx.rollback().await?;
        Ok::<_, anyhow::Error>((name, lost))
    })?;
    if lost {
        return Ok(None);
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        account: account_name,
        exported_at: Utc::now(),
        counts: counts.clone(),
        secrets: SecretsSealing {
            sealed_with: "xchacha20poly1305, key from argon2id(passphrase, salt)".into(),
            salt: args.salt.clone(),
            key_check: key_check(&export_key),
            server_sealed: unreadable,
        },
    };
    zip.start_file("manifest.json", options)?;
    zip.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    let mut file = zip.finish()?;
    let bytes = file.stream_position()?;
    file.rewind()?;
    Ok(Some((file, bytes, counts.values().sum())))
}
