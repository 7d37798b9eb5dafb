//! The `steward` binary as an operator uses it.

use crate::common;

use std::process::Command;

fn steward() -> Command {
    Command::new(env!("CARGO_BIN_EXE_steward"))
}

#[test]
fn help_lists_the_subcommands() {
    let out = steward().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "migrate", "load", "psa-sim"] {
        assert!(help.contains(sub), "{sub} missing from --help:\n{help}");
    }
}

#[test]
fn load_writes_a_dataset_and_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("fixture.db").display());
    let out = steward()
        .args(["load", "--size", "s", "--seed", "3", "--database-url", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("loaded ") && said.contains(" items"),
        "{said}"
    );
}

#[test]
fn a_bad_database_url_fails_with_a_clear_message() {
    let out = steward()
        .args(["migrate", "--database-url", "mysql://localhost/x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("must start with sqlite:// or postgres://"),
        "{err}"
    );
}

/// `steward psa-sim --psa autotask` serves Autotask's REST API, and says where and with which
/// user: a newcomer can point an Autotask client at it.
#[tokio::test]
async fn psa_sim_serves_autotask() {
    use std::io::BufRead;
    let mut child = steward()
        .args([
            "psa-sim",
            "--psa",
            "autotask",
            "--addr",
            "127.0.0.1:0",
            "--secret",
            "s3",
        ])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    // Kept open until the end: the simulator prints a second line.
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    let zone = first
        .split_whitespace()
        .find(|w| w.contains("zoneInformation"))
        .map(|w| w.trim_end_matches(')').to_string())
        .unwrap_or_else(|| panic!("the address is printed: {first}"));
    let answer: serde_json::Value = reqwest::get(&zone).await.unwrap().json().await.unwrap();
    let root = answer["url"].as_str().unwrap().to_string();
    let fields = reqwest::Client::new()
        .get(format!("{root}v1.0/Companies/entityInformation/fields"))
        .header("ApiIntegrationCode", "STEWARDDEMOCODE")
        .header("UserName", "steward-api@demo-msp.example")
        .header("Secret", "s3")
        .send()
        .await
        .unwrap();
    let status = fields.status().as_u16();
    child.kill().unwrap();
    let _ = child.wait();
    drop(out);
    assert_eq!(status, 200, "{root}");
}

/// `steward psa-sim --psa halopsa` serves HaloPSA's token endpoint and API, with the client ID
/// and tenant it prints: a newcomer can point a Halo client at it.
#[tokio::test]
async fn psa_sim_serves_halopsa() {
    use std::io::BufRead;
    let mut child = steward()
        .args([
            "psa-sim",
            "--psa",
            "halopsa",
            "--addr",
            "127.0.0.1:0",
            "--client-id",
            "cid",
            "--client-secret",
            "cs3",
            "--tenant",
            "acme",
        ])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let (mut first, mut second) = (String::new(), String::new());
    out.read_line(&mut first).unwrap();
    out.read_line(&mut second).unwrap();
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("the address is printed: {first}"))
        .to_string();
    assert!(
        second.contains("Client ID cid") && second.contains("tenant acme"),
        "{second}"
    );
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{base}/auth/token?tenant=acme"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "cid"),
            ("client_secret", "cs3"),
            ("scope", "all"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clients = http
        .get(format!(
            "{base}/api/Client?pageinate=true&page_size=5&page_no=1"
        ))
        .bearer_auth(token["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .unwrap();
    let status = clients.status().as_u16();
    let body: serde_json::Value = clients.json().await.unwrap_or_default();
    child.kill().unwrap();
    let _ = child.wait();
    drop(out);
    assert_eq!(status, 200, "{token}");
    assert_eq!(body["clients"].as_array().map(Vec::len), Some(5));
}

/// `steward account create` makes an account and its first Administrator, prints a one-time
/// password that signs in, and refuses a second account of the same name or a taken email.
#[tokio::test]
async fn account_create_prints_a_password_that_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    let create = |name: &str, email: &str| {
        steward()
            .args([
                "account",
                "--database-url",
                &url,
                "create",
                "--name",
                name,
                "--admin-email",
                email,
            ])
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let out = create("Zürich IT AG", "Admin@Zurich.example");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let password = said.lines().last().unwrap().trim().to_string();
    assert!(password.len() >= 12, "{said}");
    let repo = server::repo::Repo::new(server::db::Db::connect(&url).await.unwrap());
    let row = repo
        .login_row("admin@zurich.example")
        .await
        .unwrap()
        .expect("the admin exists");
    assert!(server::auth::verify_password(&password, &row.password_hash));
    assert_eq!(row.user.role, app::model::Role::Administrator);
    assert!(row.must_change_password, "a one-time password");
    for (name, email, says) in [
        ("Zürich IT AG", "other@zurich.example", "exists already"),
        ("Other IT", "admin@zurich.example", "already a user"),
        ("", "x@y.example", "name"),
        ("Other IT", "not-an-email", "not an email"),
    ] {
        let out = create(name, email);
        assert!(!out.status.success(), "{name} {email}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{says}: {err}");
    }
}

/// `steward user ...` and `steward account list`, as support runs them: a one-time password for
/// a new user, roles by name, deactivation, a reset; the account's last active Administrator
/// keeps their role; mistakes are refused with what to do.
#[tokio::test]
async fn user_commands_follow_the_screens_rules() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("u.db").display());
    let run = |args: &[&str]| {
        let out = steward()
            .args(args)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, _, err) = run(&[
        "account",
        "create",
        "--name",
        "Alpha IT",
        "--admin-email",
        "boss@alpha.example",
    ]);
    assert!(ok, "{err}");
    let (ok, out, err) = run(&[
        "user",
        "add",
        "--account",
        "Alpha IT",
        "--email",
        "Ann@Alpha.example",
        "--name",
        "Ann",
        "--role",
        "read-only",
    ]);
    assert!(ok, "{err}");
    let one_time = out.lines().last().unwrap().trim().to_string();
    let repo = server::repo::Repo::new(server::db::Db::connect(&url).await.unwrap());
    let ann = repo.login_row("ann@alpha.example").await.unwrap().unwrap();
    assert_eq!(ann.user.role, app::model::Role::ReadOnly);
    assert!(
        ann.must_change_password && server::auth::verify_password(&one_time, &ann.password_hash)
    );
    let (ok, _, err) = run(&[
        "user",
        "set-role",
        "--email",
        "ann@alpha.example",
        "--role",
        "manager",
    ]);
    assert!(ok, "{err}");
    let (ok, _, err) = run(&["user", "deactivate", "--email", "ann@alpha.example"]);
    assert!(ok, "{err}");
    assert!(
        repo.login_row("ann@alpha.example")
            .await
            .unwrap()
            .unwrap()
            .deactivated
    );
    let (ok, out, err) = run(&["user", "reset-password", "--email", "ann@alpha.example"]);
    assert!(ok, "{err}");
    assert_ne!(out.lines().last().unwrap().trim(), one_time);
    for (args, says) in [
        (
            vec![
                "user",
                "set-role",
                "--email",
                "boss@alpha.example",
                "--role",
                "editor",
            ],
            "last active Administrator",
        ),
        (
            vec!["user", "deactivate", "--email", "boss@alpha.example"],
            "last active Administrator",
        ),
        (
            vec![
                "user",
                "set-role",
                "--email",
                "ann@alpha.example",
                "--role",
                "owner",
            ],
            "no role",
        ),
        (
            vec!["user", "deactivate", "--email", "nobody@alpha.example"],
            "no user",
        ),
        (
            vec![
                "user",
                "add",
                "--account",
                "Nope",
                "--email",
                "x@y.example",
                "--name",
                "X",
                "--role",
                "lite",
            ],
            "no account",
        ),
        (
            vec![
                "user",
                "add",
                "--account",
                "Alpha IT",
                "--email",
                "ann@alpha.example",
                "--name",
                "X",
                "--role",
                "lite",
            ],
            "already a user",
        ),
    ] {
        let (ok, _, err) = run(&args);
        assert!(!ok && err.contains(says), "{args:?}: {err}");
    }
    let (ok, out, _) = run(&["account", "list"]);
    assert!(ok);
    assert!(out.contains("Alpha IT\t2 users"), "{out}");
    let log = repo
        .activity_log(
            repo.find_account("Alpha IT").await.unwrap().unwrap(),
            None,
            None,
            50,
        )
        .await
        .unwrap();
    for action in [
        "user.added",
        "user.role_changed",
        "user.deactivated",
        "user.password_reset",
    ] {
        assert!(
            log.iter().any(|r| r.3 == action && r.2 == "operator"),
            "{action}"
        );
    }
}

/// `steward account import`: an export loaded into another database as a new account, its users
/// listed with one-time passwords; a wrong passphrase imports nothing and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_import_loads_an_export_into_a_new_account() {
    use app::services::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let source = format!("sqlite://{}", dir.path().join("source.db").display());
    let target = format!("sqlite://{}", dir.path().join("target.db").display());
    for args in [
        vec![
            "load",
            "--size",
            "s",
            "--seed",
            "5",
            "--account",
            "Acme MSP",
            "--database-url",
            &source,
        ],
        vec![
            "user",
            "--database-url",
            &source,
            "add",
            "--account",
            "Acme MSP",
            "--email",
            "admin@acme.example",
            "--name",
            "Ada",
            "--role",
            "administrator",
        ],
    ] {
        let out = steward().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The export, as Account > Export writes it.
    let repo = server::repo::Repo::new(server::db::Db::connect(&source).await.unwrap());
    let admin = repo
        .login_row("admin@acme.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    let s = common::services(&repo, Default::default());
    let job = s
        .start_export(&admin, "an export passphrase".into())
        .await
        .unwrap();
    let worker = server::worker::Worker::new(repo.clone()).with_secrets(std::sync::Arc::new(
        server::secrets::SecretBox::new([5; 32]),
    ));
    while worker
        .run_one()
        .await
        .unwrap()
        .is_some_and(|(j, _)| j == job.id)
    {}
    let mut zip = Vec::new();
    let mut seq = 0;
    while let Some(c) = repo
        .export_chunk(admin.account_id, job.id, seq)
        .await
        .unwrap()
    {
        zip.extend(c);
        seq += 1;
    }
    let file = dir.path().join("acme.zip");
    std::fs::write(&file, &zip).unwrap();
    let data = dir.path().join("data");
    let import = |passphrase: &str| {
        steward()
            .args([
                "account",
                "--database-url",
                &target,
                "import",
                "--passphrase",
                passphrase,
            ])
            .arg("--data-dir")
            .arg(&data)
            .arg(&file)
            .output()
            .unwrap()
    };
    let wrong = import("not the passphrase");
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("passphrase does not open this export"));
    let out = import("an export passphrase");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("\"Acme MSP\" imported"), "{said}");
    assert!(said.contains("admin@acme.example\t"), "{said}");
    let list = steward()
        .args(["account", "--database-url", &target, "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains("Acme MSP\t1 users"), "{listed}");
}
