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
