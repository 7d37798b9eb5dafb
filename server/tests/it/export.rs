//! Account > Export and `steward account import`, on SQLite and PostgreSQL: an account of the
//! M dataset exported, imported into another server's database (another key) and exported
//! again gives the same records apart from ids and timestamps (references compared by what they
//! point at); password secrets are never in clear, open with the passphrase and are sealed with
//! the new server's key; a wrong passphrase or a taken name imports nothing; only unrestricted
//! Administrators export, one export at a time, and another account's export is not found.

use crate::common;

use app::error::ErrorCode;
use app::model::{AccountId, CurrentUser, Role};
use app::services::prelude::*;
use serde_json::{Map, Value};
use server::dataset::{loader, Dataset, Size};
use server::db::Db;
use server::export::write::Manifest;
use server::on_db;
use server::psa::RetryPolicy;
use server::repo::{JobState, NewIntegration, Repo};
use server::secrets::SecretBox;
use server::services::AppServices;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

const PASSPHRASE: &str = "correct horse battery staple";

/// Another fresh database of the same kind.
async fn another(db: &Db) -> (Db, Option<tempfile::TempDir>) {
    match db {
        Db::Sqlite(_) => {
            let (db, dir) = common::fresh_sqlite().await;
            (db, Some(dir))
        }
        Db::Postgres(_) => (common::fresh_postgres().await, None),
    }
}

/// Runs queued jobs until the export ends: the export's ZIP.
async fn export(repo: &Repo, s: &AppServices, admin: &CurrentUser, key: [u8; 32]) -> Vec<u8> {
    let job = s.start_export(admin, PASSPHRASE.into()).await.unwrap();
    let worker = server::worker::Worker::new(repo.clone())
        .with_secrets(std::sync::Arc::new(SecretBox::new(key)));
    loop {
        match worker.run_one().await.unwrap() {
            Some((j, JobState::Succeeded)) if j == job.id => break,
            Some((j, JobState::Queued | JobState::Running)) if j == job.id => continue,
            other => panic!("the export did not succeed: {other:?}"),
        }
    }
    let file = s.export_file(admin, job.id).await.unwrap();
    let mut bytes = Vec::new();
    let mut seq = 0;
    while let Some(chunk) = repo
        .export_chunk(admin.account_id, job.id, seq)
        .await
        .unwrap()
    {
        bytes.extend(chunk);
        seq += 1;
    }
    assert_eq!(bytes.len() as i64, file.bytes);
    bytes
}

fn files(zip: &[u8]) -> BTreeMap<String, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        out.insert(f.name().to_string(), text);
    }
    out
}

fn lines(text: &str) -> Vec<Map<String, Value>> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What a round trip keeps: every record without its ids and timestamps, each reference
/// replaced by the name of what it points at, each sealed secret by its plaintext.
fn kept(zip: &[u8]) -> BTreeMap<String, Vec<String>> {
    let f = files(zip);
    let manifest: Manifest = serde_json::from_str(&f["manifest.json"]).unwrap();
    let key = SecretBox::new(
        server::export::derive_key(
            PASSPHRASE,
            &server::export::unb64(&manifest.secrets.salt).unwrap(),
        )
        .unwrap(),
    );
    let name_of = |file: &str, field: &str| -> HashMap<i64, String> {
        lines(&f[file])
            .into_iter()
            .map(|r| (r["id"].as_i64().unwrap(), r[field].to_string()))
            .collect()
    };
    let maps: HashMap<&str, HashMap<i64, String>> = HashMap::from([
        ("integration_id", name_of("integrations.jsonl", "name")),
        ("organization_id", name_of("organizations.jsonl", "name")),
        ("organization", name_of("organizations.jsonl", "name")),
        ("user_id", name_of("users.jsonl", "email")),
        ("catalog", name_of("catalog_values.jsonl", "name")),
        ("configuration", name_of("configurations.jsonl", "name")),
        ("contact", name_of("contacts.jsonl", "email")),
        ("location", name_of("locations.jsonl", "name")),
    ]);
    let mut out = BTreeMap::new();
    for (file, text) in &f {
        if file == "manifest.json" {
            continue;
        }
        let mut rows: Vec<String> = lines(text)
            .into_iter()
            .map(|mut r| {
                r.remove("id");
                r.retain(|k, _| !k.ends_with("_at"));
                let keys: Vec<String> = r.keys().cloned().collect();
                for k in keys {
                    let Some(old) = r[&k].as_i64() else { continue };
                    let map = if k.ends_with("_type_id") || k.ends_with("_status_id") {
                        "catalog"
                    } else if k == "item_id" {
                        r["item_kind"].as_str().unwrap_or("")
                    } else {
                        k.as_str()
                    };
                    if k.ends_with("_id") && k != "psa_id" {
                        let named = maps
                            .get(map)
                            .and_then(|m| m.get(&old))
                            .cloned()
                            .unwrap_or_else(|| format!("{k} {old} dangling"));
                        r.insert(k, Value::String(named));
                    }
                }
                if let Some(sealed) = r.get("secret").and_then(|s| s.get("sealed")).cloned() {
                    let plain = key
                        .open(&server::export::unb64(sealed.as_str().unwrap()).unwrap())
                        .expect("a secret opens with the passphrase");
                    r.insert("secret".into(), Value::String(hex::encode(plain)));
                }
                Value::Object(r).to_string()
            })
            .collect();
        rows.sort();
        out.insert(file.clone(), rows);
    }
    out
}

async fn account_with_data(repo: &Repo) -> (CurrentUser, Vec<(i64, Vec<u8>)>) {
    let account = repo.create_account("Export MSP").await.unwrap();
    let integration = repo
        .create_integration(NewIntegration::connectwise(account))
        .await
        .unwrap();
    loader::load(
        &repo.db,
        account,
        integration,
        &Dataset::generate(Size::M, 4),
    )
    .await
    .unwrap();
    let admin = common::user(
        repo,
        account,
        "admin@export.example",
        Role::Administrator,
        false,
    )
    .await;
    let restricted = common::user(repo, account, "r@export.example", Role::Manager, true).await;
    let org: i64 = on_db!(&repo.db, |pool| sqlx::query_scalar(
        "SELECT MIN(id) FROM organizations WHERE account_id = $1"
    )
    .bind(account.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    repo.grant_organization_access(account, restricted.user_id, app::model::OrganizationId(org))
        .await
        .unwrap();
    // Two password entries whose secrets this server sealed (the dataset's are random bytes no
    // key opens: they travel as stored).
    let key = SecretBox::new([5; 32]);
    let mut sealed = Vec::new();
    for (i, plain) in [
        b"hunter2-hunter2".to_vec(),
        "pässwörd 🔑".as_bytes().to_vec(),
    ]
    .into_iter()
    .enumerate()
    {
        let id: i64 = on_db!(&repo.db, |pool| sqlx::query_scalar(
            "INSERT INTO passwords (account_id, organization_id, name, secret_ciphertext, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
            .bind(account.0).bind(org).bind(format!("Sealed {i}")).bind(key.seal(&plain)).bind(chrono::Utc::now())
            .fetch_one(pool).await)
        .unwrap();
        sealed.push((id, plain));
    }
    (admin, sealed)
}

async fn an_export_imported_elsewhere_exports_the_same(db: Db) {
    db.migrate().await.unwrap();
    let repo = Repo::new(db.clone());
    let s = common::services(&repo, RetryPolicy::default());
    let (admin, sealed) = account_with_data(&repo).await;
    let first = export(&repo, &s, &admin, [5; 32]).await;
    let f = files(&first);
    assert!(
        !String::from_utf8_lossy(&first).contains("hunter2"),
        "a secret in clear"
    );
    let manifest: Manifest = serde_json::from_str(&f["manifest.json"]).unwrap();
    assert_eq!(manifest.version, 1);
    let configurations: i64 = on_db!(&repo.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM configurations WHERE account_id = $1"
    )
    .bind(admin.account_id.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(manifest.counts["configurations.jsonl"], configurations);
    assert!(configurations > 20_000, "the M dataset");
    let passwords = manifest.counts["passwords.jsonl"];
    assert_eq!(manifest.secrets.server_sealed, passwords - 2);

    // Another server (another database, another key) imports it.
    let (other, _dir) = another(&db).await;
    other.migrate().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.zip");
    std::fs::write(&path, &first).unwrap();
    let elsewhere = SecretBox::new([9; 32]);
    let wrong =
        server::export::import::import(&other, &path, "not the passphrase", &elsewhere, None)
            .await
            .unwrap_err();
    assert!(wrong.to_string().contains("passphrase"), "{wrong}");
    let imported = server::export::import::import(&other, &path, PASSPHRASE, &elsewhere, None)
        .await
        .unwrap();
    assert_eq!(imported.name, "Export MSP");
    assert_eq!(imported.users.len(), 2);
    assert_eq!(imported.counts, manifest.counts);
    // A second import of the same account name is refused, and adds nothing.
    let again = server::export::import::import(&other, &path, PASSPHRASE, &elsewhere, None)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("exists already"), "{again}");
    let other_repo = Repo::new(other.clone());
    assert_eq!(
        other_repo.account_ids().await.unwrap(),
        vec![imported.account]
    );

    // Its secrets open with the new server's key; its users choose a password first.
    for (i, (_, plain)) in sealed.iter().enumerate() {
        let stored: Vec<u8> = on_db!(&other, |pool| sqlx::query_scalar(
            "SELECT secret_ciphertext FROM passwords WHERE account_id = $1 AND name = $2"
        )
        .bind(imported.account.0)
        .bind(format!("Sealed {i}"))
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(&elsewhere.open(&stored).unwrap(), plain);
    }
    let (email, one_time) = &imported.users[0];
    let other_services = common::services_with_key(&other_repo, RetryPolicy::default(), [9; 32]);
    assert_eq!(
        other_services
            .sign_in(email, one_time, None)
            .await
            .unwrap_err()
            .code,
        ErrorCode::PasswordChangeRequired
    );

    // Exported again there: the same records, apart from ids and timestamps.
    let admin_there = other_repo
        .login_row("admin@export.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    assert_eq!(admin_there.account_id, imported.account);
    let second = export(&other_repo, &other_services, &admin_there, [9; 32]).await;
    let (a, b) = (kept(&first), kept(&second));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (file, rows) in &a {
        assert_eq!(rows.len(), b[file].len(), "{file}");
        assert!(rows == &b[file], "{file} differs after the round trip");
        assert!(
            !rows.iter().any(|r| r.contains("dangling")),
            "{file}: a reference points nowhere"
        );
    }
}
on_both!(an_export_imported_elsewhere_exports_the_same);

async fn only_unrestricted_administrators_export_one_at_a_time(db: Db) {
    db.migrate().await.unwrap();
    let repo = Repo::new(db);
    let s = common::services(&repo, RetryPolicy::default());
    let account = repo.create_account("Alpha").await.unwrap();
    let admin = common::user(
        &repo,
        account,
        "a@alpha.example",
        Role::Administrator,
        false,
    )
    .await;
    for (email, role, restricted) in [
        ("m@alpha.example", Role::Manager, false),
        ("ra@alpha.example", Role::Administrator, true),
    ] {
        let u = common::user(&repo, account, email, role, restricted).await;
        assert_eq!(
            s.start_export(&u, PASSPHRASE.into())
                .await
                .unwrap_err()
                .code,
            ErrorCode::Forbidden
        );
        assert_eq!(s.exports(&u).await.unwrap_err().code, ErrorCode::Forbidden);
    }
    for short in ["", "eleven char", "🔑🔑🔑"] {
        assert_eq!(
            s.start_export(&admin, short.into()).await.unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }
    // Two exports asked at once: one is queued, the other told why; a third waits its turn too.
    let (a, b) = tokio::join!(
        s.start_export(&admin, PASSPHRASE.into()),
        s.start_export(&admin, "another passphrase here".into())
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    let job = a.as_ref().or(b.as_ref()).unwrap().clone();
    assert_eq!(a.err().or(b.err()).unwrap().code, ErrorCode::Conflict);
    assert_eq!(
        s.start_export(&admin, PASSPHRASE.into())
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    // Not written yet: no file.
    assert_eq!(
        s.export_file(&admin, job.id).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    let bravo = repo.create_account("Bravo").await.unwrap();
    let stranger = common::user(&repo, bravo, "b@bravo.example", Role::Administrator, false).await;
    assert!(s.exports(&stranger).await.unwrap().is_empty());
    assert_eq!(
        s.export_file(&stranger, job.id).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    let _ = AccountId(0);
}
on_both!(only_unrestricted_administrators_export_one_at_a_time);
