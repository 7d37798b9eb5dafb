//! Real third-party clients of the PSAs, unmodified from their package registries, against the
//! simulators, reading and writing as their users do: connectpyse 0.8.1 (PyPI) against the
//! ConnectWise simulator, @apigrate/autotask-restapi 2.0.1 (npm) against the Autotask
//! simulator (PATCH and PUT), halopsa 2.0.2 (PyPI) against the HaloPSA simulator. `make test` installs them
//! (scripts/setup.sh) and names them in `STEWARD_CLIENTS_PYTHON` (a Python with connectpyse and
//! halopsa) and `STEWARD_CLIENTS_NODE_MODULES` (a node_modules with the Autotask client). What
//! each saw must be what the simulator holds; where a client and the simulator disagree, the
//! simulator follows the real service (each quirk's source is cited where the simulator
//! implements it).
//!
//! halopsa only ever speaks to `https://{tenant}.halopsa.com`: the test puts the simulator
//! behind a CONNECT proxy of its own that ends TLS with a certificate for that name from a test
//! CA (`tests/third_party/tls/`, made for these tests only), named to the client by the
//! standard `HTTPS_PROXY` and `REQUESTS_CA_BUNDLE`, as a corporate proxy would sit in front of
//! the real service. Nothing of the library is changed.

use crate::common;

use serde_json::Value;
use std::collections::HashSet;
use std::process::Command;

/// Runs a client script to its end (a failure shows its output) and reads the JSON it printed.
fn run(mut command: Command, what: &str) -> Value {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stderr}\n{stdout}",
        out.status
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}):\n{stdout}\n{stderr}"))
}

/// The ids a client printed, in its order.
fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list of ids")
        .iter()
        .map(|v| v.as_i64().expect("an id"))
        .collect()
}

/// A client's command, with no proxy from the environment (a CI machine's proxy would take the
/// simulator's loopback address elsewhere): the HaloPSA test names its own.
fn client(program: &str) -> Command {
    let mut command = Command::new(program);
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        command.env_remove(name);
    }
    command
}

fn script(name: &str) -> String {
    format!("{}/tests/third_party/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: run the tests with `make test`, which installs the third-party \
             PSA clients (scripts/setup.sh) and names them"
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connectpyse_reads_and_writes_the_connectwise_simulator() {
    use server::dataset::{Dataset, Size};
    let (base, sim) = common::spawn_simulator_with(sim::connectwise::Records::from_dataset(
        &Dataset::generate(Size::M, 1),
    ))
    .await;
    let c = common::sim_credentials();
    let mut command = client(&env("STEWARD_CLIENTS_PYTHON"));
    command
        .arg(script("connectpyse_client.py"))
        .env("CW_URL", format!("{base}{}", sim::connectwise::BASE))
        .env("CW_COMPANY", &c.company_id)
        .env("CW_PUBLIC", &c.public_key)
        .env("CW_PRIVATE", &c.private_key)
        .env("CW_CLIENT_ID", &c.client_id);
    let saw = tokio::task::spawn_blocking(move || run(command, "connectpyse"))
        .await
        .unwrap();

    let records = sim.records.read().unwrap();
    let held: Vec<i64> = records.companies.ids().to_vec();
    assert!(held.len() > 1000, "more than one page: {}", held.len());
    assert_eq!(saw["count"].as_u64(), Some(held.len() as u64));
    let listed = ids(&saw["ids"]);
    assert_eq!(listed, held, "every company once, in id order");
    assert_eq!(
        listed.iter().collect::<HashSet<_>>().len(),
        listed.len(),
        "no company twice"
    );
    let customers = records
        .companies
        .iter()
        .filter(|c| {
            c["types"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == "Customer")
        })
        .count() as u64;
    assert!(customers > 0);
    assert_eq!(
        saw["child_count"].as_u64(),
        Some(customers),
        "childconditions filter"
    );
    assert_eq!(saw["conditions_count"].as_u64(), Some(customers));
    assert_eq!(
        saw["configuration_count"].as_u64(),
        Some(records.configurations.len() as u64)
    );

    // The status came through the PATCH; the types in the PATCH were dropped, as ConnectWise
    // drops them ("can be passed in only during new company creation").
    let target = saw["target"].as_i64().unwrap();
    let now = records.companies.find(target).unwrap();
    assert_eq!(saw["status_after"], saw["status_set"]);
    assert_eq!(now["status"]["id"], saw["status_set"]);
    assert_eq!(saw["types_after"], saw["types_before"]);
    assert_ne!(now["types"][0]["id"], saw["type_tried"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apigrate_reads_and_writes_the_autotask_simulator() {
    use server::dataset::{Dataset, Size};
    use sim::autotask::records::AtRecords;
    use sim::autotask::{router, AtCredentials, AtSimulator};
    let sim = AtSimulator::new(
        AtCredentials {
            username: "api@acme.example".into(),
            secret: "s3cret".into(),
            integration_code: "CODE".into(),
        },
        AtRecords::from_dataset(&Dataset::generate(Size::M, 1)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut command = client("node");
    command
        .arg(script("apigrate_autotask.js"))
        .env("NODE_PATH", env("STEWARD_CLIENTS_NODE_MODULES"))
        .env("AT_BASE", format!("{base}/atservicesrest/"))
        .env("AT_USER", "api@acme.example")
        .env("AT_SECRET", "s3cret")
        .env("AT_CODE", "CODE");
    let saw = tokio::task::spawn_blocking(move || run(command, "@apigrate/autotask-restapi"))
        .await
        .unwrap();

    let records = sim.records();
    let held: Vec<i64> = records.companies.ids().to_vec();
    assert!(held.len() > 500, "more than one page: {}", held.len());
    assert_eq!(saw["count"].as_u64(), Some(held.len() as u64));
    let listed = ids(&saw["ids"]);
    assert_eq!(listed, held, "every company once, in id order");
    // A first page of 500 says where the next one is (a POST with the same body, see
    // autotask_simulator.rs).
    assert_eq!(saw["first_page"]["count"], 500);
    assert!(saw["first_page"]["nextPageUrl"]
        .as_str()
        .is_some_and(|u| u.contains("/query/next?paging=")));

    let target = saw["target"].as_i64().unwrap();
    assert_ne!(saw["type_set"], saw["type_before"]);
    assert_eq!(saw["type_after"], saw["type_set"]);
    assert_eq!(
        records.companies.find(target).unwrap()["companyType"],
        saw["type_set"]
    );
    // replace() PUTs the whole record: the name changed, the rest kept as it was sent.
    assert_eq!(saw["replaced_name"], "Replaced Through apigrate");
    assert_eq!(saw["phone_after"], saw["phone_before"]);
    assert_eq!(
        records.companies.find(target).unwrap()["companyName"],
        "Replaced Through apigrate"
    );
    // A record that is not there is `{"item": null}` with a 200, which the library hands over
    // as it came; a wrong secret is a 401 (apigrate/autotask-restapi #19).
    assert_eq!(saw["missing"], serde_json::json!({ "item": null }));
    assert_eq!(saw["refused"], 401);
}

/// A CONNECT proxy for `acme.halopsa.com:443` only: it answers the CONNECT, ends TLS with the
/// test CA's certificate for that name, and passes the plain HTTP on to `target`. Its URL.
async fn halo_tls_proxy(target: std::net::SocketAddr) -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = format!("{}/tests/third_party/tls", env!("CARGO_MANIFEST_DIR"));
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(format!("{dir}/leaf.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/leaf.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                    if socket.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                if !head.starts_with(b"CONNECT acme.halopsa.com:443 ") {
                    let _ = socket.write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n").await;
                    return;
                }
                if socket
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(target).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn halopsa_reads_and_writes_the_halo_simulator() {
    use server::dataset::{Dataset, Size};
    use sim::halo::records::HaloRecords;
    use sim::halo::{router, HaloCredentials, HaloSimulator};
    let sim = HaloSimulator::new(
        HaloCredentials {
            client_id: "cid".into(),
            client_secret: "cs".into(),
            tenant: None,
        },
        HaloRecords::from_dataset(&Dataset::generate(Size::M, 1)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let proxy = halo_tls_proxy(addr).await;

    let mut command = client(&env("STEWARD_CLIENTS_PYTHON"));
    command
        .arg(script("halopsa_client.py"))
        .env("HTTPS_PROXY", &proxy)
        .env("https_proxy", &proxy)
        .env(
            "REQUESTS_CA_BUNDLE",
            format!(
                "{}/tests/third_party/tls/ca.pem",
                env!("CARGO_MANIFEST_DIR")
            ),
        )
        .env("HALO_TENANT", "acme")
        .env("HALO_CLIENT_ID", "cid")
        .env("HALO_SECRET", "cs");
    let saw = tokio::task::spawn_blocking(move || run(command, "halopsa"))
        .await
        .unwrap();

    let records = sim.records();
    let held: Vec<i64> = records.clients.ids().to_vec();
    assert!(held.len() > 100, "more than one page: {}", held.len());
    // `count` without pages returns what it asks; a page is 100 whatever `page_size` asks
    // (homotechsual/HaloAPI #90), and pages of 100 up to `record_count` list everyone.
    assert_eq!(ids(&saw["all"]), held);
    assert_eq!(ids(&saw["paged"]), held);
    assert_eq!(saw["first_page"]["size"], 100);
    assert_eq!(
        saw["first_page"]["record_count"].as_u64(),
        Some(held.len() as u64)
    );
    assert_eq!(saw["pages"].as_u64(), Some(held.len().div_ceil(100) as u64));
    assert_eq!(saw["default_size"], 50, "no pages, no count: 50");
    let target = saw["target"].as_i64().unwrap();
    assert_eq!(saw["name_after"], "Renamed Through halopsa");
    assert_eq!(
        records.clients.find(target).unwrap()["name"],
        "Renamed Through halopsa"
    );
}
