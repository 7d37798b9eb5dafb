//! The three PSA simulators serving a generated dataset, each its own `steward psa-sim` process,
//! as a developer or a test runs them: the memory each holds once it serves (VmRSS and VmHWM
//! from /proc), and the time to serve the first, the middle and the last page of configurations
//! (1,000 records; Autotask's 500), median of 5 over HTTP. Prints a table.
//!
//! `cargo bench -p server --bench simulators` (size from STEWARD_BENCH_SIM_SIZE: s, m, l or xl;
//! default xl).

use base64::Engine;
use server::dataset::{Dataset, Size};
use sim::connectwise::BASE;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// `steward psa-sim --psa <psa>` on a free port; the process and the address it listens on.
fn spawn(psa: &str, size: &str) -> anyhow::Result<(Child, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args([
            "psa-sim",
            "--psa",
            psa,
            "--size",
            size,
            "--addr",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let addr = loop {
        let line = lines
            .next()
            .ok_or_else(|| anyhow::anyhow!("psa-sim ended"))??;
        if let Some((_, rest)) = line.split_once(" on http://") {
            break rest
                .split(['/', ' '])
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((child, format!("http://{addr}")))
}

/// (VmRSS, VmHWM) of a process, in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn median_of_5(mut request: impl FnMut() -> reqwest::RequestBuilder) -> anyhow::Result<f64> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let resp = request().send().await?;
        anyhow::ensure!(resp.status().is_success(), "{}", resp.status());
        let body = resp.bytes().await?;
        anyhow::ensure!(body.len() > 100, "an empty page");
        times.push(t.elapsed());
    }
    times.sort();
    Ok(times[2].as_secs_f64() * 1e3)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let size_name = std::env::var("STEWARD_BENCH_SIM_SIZE").unwrap_or_else(|_| "xl".into());
    let size = match size_name.as_str() {
        "s" => Size::S,
        "m" => Size::M,
        "l" => Size::L,
        _ => Size::Xl,
    };
    // The served configurations' ids, in order: every simulator serves the dataset's PSA ids.
    let d = Dataset::generate(size, 1);
    let ids = sim::connectwise::Records::from_dataset(&d)
        .configurations
        .ids()
        .to_vec();
    drop(d);
    let n = ids.len();
    let client = reqwest::Client::new();
    println!("| PSA | size | configurations served | start-up | memory serving (RSS / peak) | first page | middle page | last page |");
    println!("|---|---|---|---|---|---|---|---|");
    for psa in ["connectwise", "autotask", "halopsa"] {
        let started = Instant::now();
        let (mut child, base) = spawn(psa, &size_name)?;
        let startup = started.elapsed();
        let (rss, hwm) = memory(child.id());
        let pages: Vec<f64> = match psa {
            "connectwise" => {
                let auth = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD
                        .encode("steward_demo+demo-public-key:demo-private-key")
                );
                let mut out = Vec::new();
                // Forward-only pages by pageId: the first, the one after the middle id, the last.
                for after in [None, Some(ids[n / 2]), Some(ids[n.saturating_sub(1001)])] {
                    let url = match after {
                        None => format!("{base}{BASE}/company/configurations?pageSize=1000"),
                        Some(id) => {
                            format!("{base}{BASE}/company/configurations?pageSize=1000&pageId={id}")
                        }
                    };
                    out.push(
                        median_of_5(|| {
                            client
                                .get(&url)
                                .header("clientId", "00000000-0000-4000-8000-000000000001")
                                .header("Authorization", &auth)
                                .header("pagination-type", "forward-only")
                        })
                        .await?,
                    );
                }
                out
            }
            "autotask" => {
                let mut out = Vec::new();
                for after in [0, ids[n / 2], ids[n.saturating_sub(501)]] {
                    let body = serde_json::json!({
                        "filter": [{ "op": "gt", "field": "id", "value": after }],
                        "maxRecords": 500,
                    });
                    out.push(
                        median_of_5(|| {
                            client
                                .post(format!(
                                    "{base}/atservicesrest/v1.0/ConfigurationItems/query"
                                ))
                                .header("ApiIntegrationCode", "STEWARDDEMOCODE")
                                .header("UserName", "steward-api@demo-msp.example")
                                .header("Secret", "demo-secret")
                                .json(&body)
                        })
                        .await?,
                    );
                }
                out
            }
            _ => {
                let token: serde_json::Value = client
                    .post(format!("{base}/auth/token"))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", "00000000-0000-4000-8000-000000000001"),
                        ("client_secret", "demo-client-secret"),
                        ("scope", "all"),
                    ])
                    .send()
                    .await?
                    .json()
                    .await?;
                let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or(""));
                let last = n.div_ceil(1000);
                let mut out = Vec::new();
                for page in [1, last / 2, last] {
                    let url = format!(
                        "{base}/api/Asset?pageinate=true&page_size=1000&page_no={page}&includeinactive=true"
                    );
                    out.push(
                        median_of_5(|| client.get(&url).header("Authorization", &bearer)).await?,
                    );
                }
                out
            }
        };
        let (rss_after, hwm_after) = memory(child.id());
        println!(
            "| {psa} | {size:?} | {n} | {:.1} s | {:.0} MiB / {:.0} MiB (after the pages: {:.0} / {:.0}) | {:.1} ms | {:.1} ms | {:.1} ms |",
            startup.as_secs_f64(),
            rss,
            hwm,
            rss_after,
            hwm_after,
            pages[0],
            pages[1],
            pages[2],
        );
        child.kill()?;
        child.wait()?;
    }
    Ok(())
}
