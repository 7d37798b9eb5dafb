//! The `steward` binary as an operator uses it.

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
