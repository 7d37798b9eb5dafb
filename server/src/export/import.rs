//! `steward account import`: an export loaded into a new account, in one transaction (all or
//! nothing), every reference mapped to the new ids.

use super::write::Manifest;
use super::{derive_key, key_checks, unb64, FORMAT, VERSION};
use crate::db::BeginWrite;
use crate::db::{Backend, Db};
use crate::on_db;
use crate::repo::schema::{Kind, KINDS};
use crate::secrets::SecretBox;
use app::model::AccountId;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Read, Seek};
use std::path::Path;

/// What an import made.
#[derive(Debug, Clone)]
pub struct Imported {
    pub account: AccountId,
    pub name: String,
    /// Records per file.
    pub counts: std::collections::BTreeMap<String, i64>,
    /// Each user's email and one-time password (they choose their own at first sign-in).
    pub users: Vec<(String, String)>,
}

/// Which map a reference column is translated with: (column, the table its ids belong to).
fn references(table: &str) -> &'static [(&'static str, &'static str)] {
    match table {
        "psa_catalog_values" => &[("integration_id", "psa_integrations")],
        "organizations" => &[
            ("organization_type_id", "psa_catalog_values"),
            ("organization_status_id", "psa_catalog_values"),
            ("integration_id", "psa_integrations"),
        ],
        "configurations" => &[
            ("organization_id", "organizations"),
            ("configuration_type_id", "psa_catalog_values"),
            ("configuration_status_id", "psa_catalog_values"),
            ("integration_id", "psa_integrations"),
        ],
        "contacts" => &[
            ("organization_id", "organizations"),
            ("contact_type_id", "psa_catalog_values"),
            ("integration_id", "psa_integrations"),
        ],
        "locations" => &[
            ("organization_id", "organizations"),
            ("integration_id", "psa_integrations"),
        ],
        "passwords" | "documents" => &[("organization_id", "organizations")],
        "disconnected_items" => &[
            ("integration_id", "psa_integrations"),
            ("organization_id", "organizations"),
        ],
        "user_organization_access" => &[("user_id", "users"), ("organization_id", "organizations")],
        _ => &[],
    }
}

/// The table of a disconnected item's kind.
fn item_table(kind: &str) -> &'static str {
    match kind {
        "organization" => "organizations",
        "configuration" => "configurations",
        "contact" => "contacts",
        _ => "locations",
    }
}

/// The INSERT of one record (JSON in `$2`) into `table` of account `$1`: every column but the
/// id, which is new (its references were mapped already).
fn insert_sql(kind: &Kind, backend: Backend) -> String {
    let mut cols: Vec<&str> = kind
        .columns
        .iter()
        .copied()
        .filter(|c| *c != "id")
        .collect();
    match kind.table {
        "users" => cols.extend(["password_hash", "must_change_password"]),
        "passwords" => cols.push("secret_ciphertext"),
        _ => {}
    }
    crate::repo::schema::insert_from_json(kind.table, &cols, backend, false, kind.by_id)
}

/// One file of the ZIP copied out to a temporary file (read line by line afterwards).
fn extract(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> anyhow::Result<std::fs::File> {
    let mut entry = zip.by_name(name).map_err(|_| {
        anyhow::anyhow!("the export has no {name}: it is not a complete Steward export")
    })?;
    let mut tmp = tempfile::tempfile()?;
    std::io::copy(&mut entry, &mut tmp)?;
    tmp.rewind()?;
    Ok(tmp)
}

/// The file read again from its start (clones share their offset).
fn rewound(f: &std::fs::File) -> anyhow::Result<std::fs::File> {
    let mut f = f.try_clone()?;
    f.rewind()?;
    Ok(f)
}

/// Loads the export at `path` into a new account named `name` (the exported account's name when
/// None), its password secrets opened with `passphrase` and sealed with `server`.
pub async fn import(
    db: &Db,
    path: &Path,
    passphrase: &str,
    server: &SecretBox,
    name: Option<&str>,
) -> anyhow::Result<Imported> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("could not open {}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|_| anyhow::anyhow!("{} is not a ZIP file", path.display()))?;
    let mut text = String::new();
    extract(&mut zip, "manifest.json")?.read_to_string(&mut text)?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("the export's manifest is not readable: {e}"))?;
    if manifest.format != FORMAT || manifest.version != VERSION {
        anyhow::bail!(
            "this is not a Steward export of format version {VERSION} (it says {} \
                version {})",
            manifest.format,
            manifest.version
        );
    }
    let export_key = SecretBox::new(derive_key(passphrase, &unb64(&manifest.secrets.salt)?)?);
    if !key_checks(&export_key, &manifest.secrets.key_check) {
        anyhow::bail!(
            "the passphrase does not open this export: give the one chosen at export \
                time"
        );
    }
    let name = name.unwrap_or(&manifest.account).trim().to_string();
    if name.is_empty() {
        anyhow::bail!("give the new account a name");
    }
    let files: Vec<(&Kind, std::fs::File)> = KINDS
        .iter()
        .map(|k| Ok((k, extract(&mut zip, k.file)?)))
        .collect::<anyhow::Result<_>>()?;
    // Each user gets a one-time password; their emails must be new to this database.
    let mut users = Vec::new();
    let mut hashes: HashMap<String, String> = HashMap::new();
    for (kind, f) in &files {
        if kind.table != "users" {
            continue;
        }
        for line in std::io::BufReader::new(rewound(f)?).lines() {
            let v: Map<String, Value> = serde_json::from_str(&line?)?;
            let email = v
                .get("email")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let password = crate::auth::generate_password();
            let p = password.clone();
            let hash =
                tokio::task::spawn_blocking(move || crate::auth::hash_password(&p)).await??;
            hashes.insert(email.clone(), hash);
            users.push((email, password));
        }
    }
    let backend = db.backend();
    let mut counts = std::collections::BTreeMap::new();
    let account = on_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM accounts WHERE LOWER(name) = \
                LOWER($1)",
        )
        .bind(&name)
        .fetch_one(&mut *tx)
        .await?;
        if taken > 0 {
            anyhow::bail!(
                "an account named {name:?} exists already: give the new one \
                another name with --name"
            );
        }
        for (email, _) in &users {
            let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&mut *tx)
                .await?;
            if taken > 0 {
                anyhow::bail!(
                    "{email} is a user of another account in this database: \
                    each email signs in to one account"
                );
            }
        }
        let account: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (name, created_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(&name)
        .bind(chrono::Utc::now())
        .fetch_one(&mut *tx)
        .await?;
        let mut maps: HashMap<&str, HashMap<i64, i64>> = HashMap::new();
        for (kind, f) in &files {
            let sql = insert_sql(kind, backend);
            let mut n = 0i64;
            for line in std::io::BufReader::new(rewound(f)?).lines() {
                let mut v: Map<String, Value> = serde_json::from_str(&line?)?;
                for (col, target) in references(kind.table) {
                    if let Some(old) = v.get(*col).and_then(Value::as_i64) {
                        let new = maps.get(target).and_then(|m| m.get(&old)).copied();
                        v.insert(col.to_string(), new.map(Value::from).unwrap_or(Value::Null));
                    }
                }
                match kind.table {
                    "disconnected_items" => {
                        let table =
                            item_table(v.get("item_kind").and_then(Value::as_str).unwrap_or(""));
                        if let Some(old) = v.get("item_id").and_then(Value::as_i64) {
                            let new = maps.get(table).and_then(|m| m.get(&old)).copied();
                            v.insert(
                                "item_id".into(),
                                new.map(Value::from).unwrap_or(Value::Null),
                            );
                        }
                    }
                    "users" => {
                        let email = v.get("email").and_then(Value::as_str).unwrap_or("");
                        let hash = hashes.get(email).cloned().unwrap_or_default();
                        v.insert("password_hash".into(), Value::from(hash));
                        v.insert("must_change_password".into(), Value::Bool(true));
                    }
                    "passwords" => {
                        let secret = v.remove("secret").unwrap_or(Value::Null);
                        let stored =
                            if let Some(sealed) = secret.get("sealed").and_then(Value::as_str) {
                                let plain = export_key.open(&unb64(sealed)?).map_err(|_| {
                                    anyhow::anyhow!(
                                        "a password's secret does \
                                    not open with this passphrase: the export was altered"
                                    )
                                })?;
                                hex::encode(server.seal(&plain))
                            } else if let Some(raw) =
                                secret.get("server_sealed").and_then(Value::as_str)
                            {
                                raw.to_string()
                            } else {
                                anyhow::bail!("a password has no secret: the export was altered");
                            };
                        v.insert("secret_ciphertext_hex".into(), Value::from(stored));
                    }
                    _ => {}
                }
                let old = v.get("id").and_then(Value::as_i64);
                let json = Value::Object(v).to_string();
                if kind.by_id {
                    let new: i64 = sqlx::query_scalar(&sql)
                        .bind(account)
                        .bind(&json)
                        .fetch_one(&mut *tx)
                        .await?;
                    if let Some(old) = old {
                        maps.entry(kind.table).or_default().insert(old, new);
                    }
                } else {
                    sqlx::query(&sql)
                        .bind(account)
                        .bind(&json)
                        .execute(&mut *tx)
                        .await?;
                }
                n += 1;
            }
            if manifest
                .counts
                .get(kind.file)
                .is_some_and(|want| *want != n)
            {
                anyhow::bail!(
                    "{} holds {n} records but the manifest says {}: the export is \
                        incomplete",
                    kind.file,
                    manifest.counts[kind.file]
                );
            }
            counts.insert(kind.file.to_string(), n);
        }
        tx.commit().await?;
        Ok::<i64, anyhow::Error>(account)
    })?;
    Ok(Imported {
        account: AccountId(account),
        name,
        counts,
        users,
    })
}
