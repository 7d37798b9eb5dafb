//! The ConnectWise connector against the simulator: paging both ways, retries within a bound,
//! and errors that name the endpoint and carry the PSA's message.

use crate::common;

use serde_json::{json, Value};
use server::psa::connectwise::client::{CwClient, CwCredentials};
use server::psa::{ConnectorError, RetryPolicy};
use std::time::Duration;

fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
        limit_patience: Duration::from_secs(1),
        reach: server::psa::net::Reach::LOOPBACK,
    }
}

/// The simulator's credentials at `base`, with another private key when given.
fn credentials(base: &str, private_key: Option<&str>) -> CwCredentials {
    let c = common::sim_credentials();
    CwCredentials {
        site_url: base.to_string(),
        company_id: c.company_id,
        public_key: c.public_key,
        private_key: private_key.map_or(c.private_key, str::to_string),
        client_id: c.client_id,
    }
}

async fn connect() -> (String, CwClient) {
    let base = common::spawn_simulator().await;
    let client = CwClient::new(&credentials(&base, None), quick_retries()).unwrap();
    (base, client)
}

async fn faults(base: &str, body: Value) {
    let r = reqwest::Client::new()
        .put(format!("{base}/_sim/faults"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
}

async fn all(
    client: &CwClient,
    endpoint: &str,
    forward_only: bool,
) -> Result<Vec<Value>, ConnectorError> {
    let mut out = Vec::new();
    client
        .for_each_page(endpoint, None, forward_only, |page| out.extend(page))
        .await?;
    Ok(out)
}

#[tokio::test]
async fn lists_every_record_navigably_and_forward_only() {
    let (_, client) = connect().await;
    client.system_info().await.expect("the credentials work");
    let companies = all(&client, "company/companies", false).await.unwrap();
    assert_eq!(
        companies.len() as u64,
        client.count("company/companies", None).await.unwrap()
    );
    let configurations = all(&client, "company/configurations", true).await.unwrap();
    assert_eq!(
        configurations.len() as u64,
        client.count("company/configurations", None).await.unwrap()
    );
    assert!(configurations.len() > 1000, "more than one page");
    let ids: std::collections::HashSet<_> = configurations
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), configurations.len(), "no record twice");

    let mut customers = 0;
    let n = client
        .for_each_page(
            "company/companies",
            Some("types/name = \"Customer\""),
            false,
            |p| customers += p.len(),
        )
        .await
        .unwrap();
    assert_eq!(n, customers);
    assert_eq!(
        n as u64,
        client
            .count("company/companies", Some("types/name = \"Customer\""))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn retries_a_server_error_and_a_dropped_connection_then_succeeds() {
    let (base, client) = connect().await;
    let expected = client.count("company/configurations", None).await.unwrap() as usize;
    faults(
        &base,
        json!({ "server_error": { "endpoint": "company/configurations", "page": 2, "times": 1 } }),
    )
    .await;
    assert_eq!(
        all(&client, "company/configurations", true)
            .await
            .unwrap()
            .len(),
        expected
    );
    faults(&base, json!({ "drop_connection": { "endpoint": "company/configurations", "page": 1, "times": 2 } })).await;
    assert_eq!(
        all(&client, "company/configurations", true)
            .await
            .unwrap()
            .len(),
        expected
    );
}

#[tokio::test]
async fn honours_retry_after_when_rate_limited() {
    let (base, client) = connect().await;
    faults(
        &base,
        json!({ "rate_limit": { "requests": 2, "per_seconds": 1 } }),
    )
    .await;
    // Three pages of configurations: the third request meets the limit, waits and goes through.
    let started = std::time::Instant::now();
    let got = all(&client, "company/configurations", true).await.unwrap();
    assert!(got.len() > 2000);
    assert!(
        started.elapsed() >= Duration::from_millis(500),
        "it waited for the window"
    );
}

#[tokio::test]
async fn gives_up_within_the_bound_with_the_psa_message() {
    let (base, client) = connect().await;
    faults(
        &base,
        json!({ "server_error": { "endpoint": "company/companies", "page": 1 } }),
    )
    .await;
    match all(&client, "company/companies", false).await {
        Err(ConnectorError::Status {
            endpoint,
            status,
            message,
            ..
        }) => {
            assert_eq!((endpoint.as_str(), status), ("company/companies", 500));
            assert_eq!(message, "An unexpected error has occurred");
        }
        other => panic!("{other:?}"),
    }
    faults(
        &base,
        json!({ "malformed_json": { "endpoint": "company/contacts", "page": 1 } }),
    )
    .await;
    assert!(matches!(
        all(&client, "company/contacts", false).await,
        Err(ConnectorError::Malformed { .. })
    ));
    let err = all(&client, "company/contacts", false).await.unwrap_err();
    assert!(err.to_string().contains("company/contacts"), "{err}");
}

#[tokio::test]
async fn wrong_credentials_are_reported_with_the_psa_message() {
    let base = common::spawn_simulator().await;
    let client = CwClient::new(&credentials(&base, Some("wrong")), quick_retries()).unwrap();
    match client.system_info().await {
        Err(ConnectorError::Unauthorized {
            endpoint, message, ..
        }) => {
            assert_eq!(endpoint, "system/info");
            assert!(message.contains("Authentication failed"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_connectwise_connector_reads_the_whole_psa_as_neutral_records() {
    use server::dataset::{Dataset, Fate, Size};
    use server::psa::{collect_all, connectwise::ConnectWise, PsaConnector};
    let base = common::spawn_simulator().await;
    let cw = ConnectWise::new(&credentials(&base, None), quick_retries()).unwrap();
    cw.test_connection().await.unwrap();
    let d = Dataset::generate(Size::S, 1);

    let catalog = cw.catalog().await.unwrap();
    assert_eq!(catalog.len(), d.catalog.len());
    for e in &d.catalog {
        assert!(
            catalog
                .iter()
                .any(|c| c.category == e.category && c.psa_id == e.psa_id && c.name == e.name),
            "{}",
            e.name
        );
    }

    let companies = collect_all(cw.companies(None)).await.unwrap();
    let live = d
        .companies
        .iter()
        .filter(|c| !matches!(c.fate, Fate::DeletedInPsa | Fate::StandAlone))
        .count();
    assert_eq!(
        companies.len(),
        live,
        "companies deleted in the PSA are gone from it, and Steward-only ones were never in it"
    );
    let mut pages = cw.configurations(None);
    let mut configurations = 0;
    let mut page_count = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        assert!(page.len() <= 1000);
        configurations += page.len();
        page_count += 1;
    }
    assert!(configurations > 2000);
    assert_eq!(page_count, configurations.div_ceil(1000));
    let contacts = collect_all(cw.contacts(None)).await.unwrap();
    assert!(contacts
        .iter()
        .all(|c| c.email.is_some() && c.company_psa_id.is_some()));

    // Incremental: only what changed since a moment.
    let since = chrono::DateTime::parse_from_rfc3339("2026-09-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let recent = collect_all(cw.companies(Some(since))).await.unwrap();
    assert!(!recent.is_empty() && recent.len() < companies.len());
    assert!(recent.iter().all(|c| c.last_updated.unwrap() > since));

    let first = &companies[0];
    let sites = cw.sites(first.psa_id).await.unwrap();
    assert!(!sites.is_empty());
    assert!(sites.iter().all(|s| s.company_psa_id == first.psa_id));
}

#[tokio::test]
async fn the_edit_pencil_writes_type_and_status_back_and_reports_refusals() {
    use app::model::ItemKind;
    use server::psa::{connectwise::ConnectWise, PsaConnector};
    let base = common::spawn_simulator().await;
    let cw = ConnectWise::new(&credentials(&base, None), quick_retries()).unwrap();
    let companies = server::psa::collect_all(cw.companies(None)).await.unwrap();
    let company = companies.iter().find(|c| c.type_psa_id != Some(4)).unwrap();
    cw.set_classification(ItemKind::Organization, company.psa_id, 4, 1)
        .await
        .unwrap();
    let after = server::psa::collect_all(cw.companies(None)).await.unwrap();
    let changed = after.iter().find(|c| c.psa_id == company.psa_id).unwrap();
    assert_eq!(
        (changed.type_psa_id, changed.status_psa_id),
        (Some(4), Some(1))
    );
    assert!(
        changed.last_updated > company.last_updated,
        "the PSA stamps the change"
    );

    // A status the PSA does not have: refused with ConnectWise's field error, nothing changed.
    let err = cw
        .set_classification(ItemKind::Organization, company.psa_id, 1, 999)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("company/companies/{}", company.psa_id)),
        "{text}"
    );
    assert!(text.contains("company object is invalid"), "{text}");
    let again = server::psa::collect_all(cw.companies(None)).await.unwrap();
    assert_eq!(
        again
            .iter()
            .find(|c| c.psa_id == company.psa_id)
            .unwrap()
            .type_psa_id,
        Some(4)
    );

    let configurations = server::psa::collect_all(cw.configurations(None))
        .await
        .unwrap();
    let cfg = &configurations[0];
    cw.set_classification(ItemKind::Configuration, cfg.psa_id, 3, 2)
        .await
        .unwrap();
    assert!(cw
        .set_classification(ItemKind::Contact, 1, 1, 1)
        .await
        .is_err());
}

/// A PSA (or anything in its place) whose next-page link points at another host: the connector
/// stops with an error and the credentials go nowhere else.
#[tokio::test]
async fn a_next_page_link_to_another_host_is_not_followed() {
    use std::sync::{Arc, Mutex};
    let elsewhere_hits: Arc<Mutex<u32>> = Arc::default();
    let hits = elsewhere_hits.clone();
    let elsewhere = axum::Router::new().fallback(move || {
        let hits = hits.clone();
        async move {
            *hits.lock().unwrap() += 1;
            axum::Json(json!([]))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, elsewhere).await });

    let target = other.clone();
    let psa = axum::Router::new().fallback(move || {
        let target = target.clone();
        async move {
            (
                [(
                    "link",
                    format!(
                        "<{target}/v4_6_release/apis/3.0/company/companies?page=2>; rel=\"next\""
                    ),
                )],
                axum::Json(json!([{ "id": 1, "name": "Acme" }])),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, psa).await });

    let client = CwClient::new(&credentials(&site, None), quick_retries()).unwrap();
    let err = all(&client, "company/companies", false).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("not followed"), "{err}");
    assert_eq!(
        *elsewhere_hits.lock().unwrap(),
        0,
        "nothing was sent elsewhere"
    );
}

/// The connector speaks under the codebase `login/companyinfo/{company}` names (ConnectWise's
/// developer guide, "Calling Company Info"; christaylorcodes/ConnectWiseManageAPI
/// `Connect-CWM.ps1` builds `https://SITE/{Codebase}apis/3.0`), and falls back to
/// `v4_6_release` when the answer names none or names something that is not one plain segment.
#[tokio::test]
async fn the_api_base_comes_from_the_sites_codebase() {
    use std::sync::{Arc, Mutex};
    for (codebase, expected) in [
        (json!("v2031_2/"), "/v2031_2/apis/3.0/system/info"),
        (json!("../../admin/"), "/v4_6_release/apis/3.0/system/info"),
        (json!(null), "/v4_6_release/apis/3.0/system/info"),
    ] {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = seen.clone();
        let site = axum::Router::new()
            .route(
                "/login/companyinfo/{company}",
                axum::routing::get(move || {
                    let codebase = codebase.clone();
                    async move { axum::Json(json!({ "CompanyName": "Acme", "Codebase": codebase })) }
                }),
            )
            .fallback(move |uri: axum::http::Uri| {
                let log = log.clone();
                async move {
                    log.lock().unwrap().push(uri.path().to_string());
                    axum::Json(json!({ "version": "v2031.2" }))
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, site).await });
        let client = CwClient::new(&credentials(&base, None), quick_retries()).unwrap();
        client.system_info().await.unwrap();
        client.system_info().await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            vec![expected.to_string(), expected.to_string()],
            "company info is read once"
        );
    }
}

/// A site that does not answer: the error says no answer came, and not what the network said
/// (refused or timed out tells whoever chose the site which ports answer where Steward runs).
#[tokio::test]
async fn a_site_that_does_not_answer_tells_nothing_about_ports() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let client = CwClient::new(
        &credentials(&format!("http://{closed}"), None),
        quick_retries(),
    )
    .unwrap();
    let err = client.system_info().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Transport { .. }), "{err:?}");
    let text = err.to_string().to_ascii_lowercase();
    assert!(text.contains("no answer came"), "{text}");
    for leak in ["refused", "os error", "tcp", "connect error"] {
        assert!(!text.contains(leak), "{text}");
    }
}

/// A site whose answer never ends (or is huge): Steward reads at most 64 MB of one answer, then
/// stops with an error, whatever the site says its size is (issue 33, item 6).
#[tokio::test]
async fn an_endless_answer_is_not_read_past_the_bound() {
    use futures_util::stream;
    let psa = axum::Router::new().fallback(|| async {
        // 1 MB chunks of JSON whitespace, without a Content-Length: 80 MB in all.
        let chunk = axum::body::Bytes::from(vec![b' '; 1 << 20]);
        let chunks = stream::iter((0..80).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
        axum::body::Body::from_stream(chunks)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, psa).await });
    let client = CwClient::new(&credentials(&site, None), quick_retries()).unwrap();
    let err = client.system_info().await.unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than 64 MB"), "{err}");
}
