//! The Autotask connector against the Autotask simulator: zone discovery, the whole PSA read as
//! neutral records through every page, incremental listings, the catalog mapping, write-back,
//! never more than three requests at once per entity, and the PSA's own errors (refused
//! credentials, a 500, malformed JSON or a cut connection at page k, a next page elsewhere).

use app::model::{CatalogCategory, ItemKind};
use serde_json::json;
use server::dataset::{Dataset, Size};
use server::psa::autotask::client::{discover_zone, AtCredentials};
use server::psa::autotask::connector::Autotask;
use server::psa::{collect_all, PsaConnector};
use server::psa::{ConnectorError, RetryPolicy};
use sim::autotask::records::AtRecords;
use sim::autotask::{router, AtSimulator};
use sim::faults::{Faults, PageFault};
use std::sync::Arc;
use std::time::Duration;

const USER: &str = "api@acme.example";

async fn spawn() -> (String, Arc<AtSimulator>) {
    let sim = AtSimulator::new(
        sim::autotask::AtCredentials {
            username: USER.into(),
            secret: "s3cret".into(),
            integration_code: "CODE".into(),
        },
        AtRecords::from_dataset(&Dataset::generate(Size::S, 1)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, sim)
}

fn connector(zone: &str, secret: &str) -> Autotask {
    Autotask::new(
        &AtCredentials {
            site_url: String::new(),
            zone_url: zone.into(),
            username: USER.into(),
            secret: secret.into(),
            integration_code: "CODE".into(),
        },
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            timeout: Duration::from_secs(10),
            limit_patience: Duration::from_secs(1),
            reach: server::psa::net::Reach::LOOPBACK,
        },
    )
    .unwrap()
}

async fn ready() -> (Autotask, Arc<AtSimulator>, String) {
    let (base, sim) = spawn().await;
    let zone = discover_zone(
        &format!("{base}/atservicesrest"),
        USER,
        server::psa::net::Reach::LOOPBACK,
    )
    .await
    .unwrap();
    assert_eq!(zone, format!("{base}/atservicesrest"));
    (connector(&zone, "s3cret"), sim, zone)
}

#[tokio::test]
async fn reads_the_whole_psa_as_neutral_records() {
    let (at, sim, _) = ready().await;
    at.test_connection().await.unwrap();
    let records = sim.records().clone();
    let companies = collect_all(at.companies(None)).await.unwrap();
    assert_eq!(companies.len(), records.companies.len());
    let configurations = collect_all(at.configurations(None)).await.unwrap();
    assert_eq!(configurations.len(), records.configuration_items.len());
    assert!(configurations.len() > 1000, "several pages");
    let ids: Vec<i64> = configurations.iter().map(|c| c.psa_id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "each once, in id order"
    );
    assert!(configurations
        .iter()
        .any(|c| !c.active && c.status_psa_id == Some(2)));
    let contacts = collect_all(at.contacts(None)).await.unwrap();
    assert_eq!(contacts.len(), records.contacts.len());
    assert!(contacts.iter().all(|c| c.type_psa_id == Some(1)));
    let with_sites = records.company_locations.get(0).unwrap()["companyID"]
        .as_i64()
        .unwrap();
    let sites = at.sites(with_sites).await.unwrap();
    let expected = records
        .company_locations
        .iter()
        .filter(|l| l["companyID"] == with_sites)
        .count();
    assert_eq!(sites.len(), expected);

    let catalog = at.catalog().await.unwrap();
    let names = |c: CatalogCategory| {
        catalog
            .iter()
            .filter(|v| v.category == c)
            .map(|v| v.name.clone())
            .collect::<Vec<_>>()
    };
    assert!(names(CatalogCategory::OrganizationType).contains(&"Prospect".to_string()));
    assert!(names(CatalogCategory::OrganizationStatus).contains(&"Active".to_string()));
    assert!(names(CatalogCategory::ConfigurationType).contains(&"Server".to_string()));
    assert_eq!(
        names(CatalogCategory::ConfigurationStatus),
        ["Active", "Inactive"]
    );
    assert_eq!(names(CatalogCategory::ContactType), ["Contact"]);

    // Incremental: what changed after a moment, by each entity's own change stamp.
    let since = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let recent = collect_all(at.configurations(Some(since))).await.unwrap();
    assert!(!recent.is_empty() && recent.len() < configurations.len());
    assert!(recent.iter().all(|c| c.last_updated.unwrap() > since));
}

#[tokio::test]
async fn write_back_and_existence() {
    let (at, sim, _) = ready().await;
    let company = sim.records().companies.get(0).unwrap().clone();
    let id = company["id"].as_i64().unwrap();
    assert!(at.exists(ItemKind::Organization, id, None).await.unwrap());
    assert!(!at
        .exists(ItemKind::Organization, 999_999_999, None)
        .await
        .unwrap());
    let other = sim
        .records()
        .picklists
        .iter()
        .find(|p| {
            p.category == CatalogCategory::OrganizationType
                && Some(p.value) != company["companyType"].as_i64()
        })
        .unwrap()
        .value;
    let status = company["classification"].as_i64().unwrap();
    at.set_classification(ItemKind::Organization, id, other, status)
        .await
        .unwrap();
    assert_eq!(
        sim.records().companies.get(0).unwrap()["companyType"],
        other
    );
    let refused = at
        .set_classification(ItemKind::Organization, id, 999_999, status)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().starts_with("Autotask answered 500"),
        "{refused}"
    );
    assert_eq!(
        sim.records().companies.get(0).unwrap()["companyType"],
        other,
        "nothing changed"
    );
}

#[tokio::test]
async fn refusals_and_faults_carry_autotasks_message() {
    let (base, sim) = spawn().await;
    let zone = format!("{base}/atservicesrest");
    let wrong = connector(&zone, "wrong")
        .test_connection()
        .await
        .unwrap_err();
    assert!(
        matches!(wrong, ConnectorError::Unauthorized { .. }),
        "{wrong:?}"
    );
    assert!(
        wrong
            .to_string()
            .starts_with("Autotask refused the credentials at Companies: User is not authorized"),
        "{wrong}"
    );

    let at = connector(&zone, "s3cret");
    let page2 = |entity: &str| PageFault {
        endpoint: entity.into(),
        page: 2,
        times: None,
    };
    sim.set_faults(Faults {
        server_error: Some(page2("ConfigurationItems")),
        ..Default::default()
    });
    let err = collect_all(at.configurations(None)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Autotask answered 500 at ConfigurationItems: An unexpected error has occurred"
    );
    sim.set_faults(Faults {
        malformed_json: Some(page2("ConfigurationItems")),
        ..Default::default()
    });
    assert!(matches!(
        collect_all(at.configurations(None)).await,
        Err(ConnectorError::Malformed { .. })
    ));
    sim.set_faults(Faults {
        drop_connection: Some(page2("ConfigurationItems")),
        ..Default::default()
    });
    assert!(collect_all(at.configurations(None)).await.is_err());
    // A fault that wears off is retried through.
    sim.set_faults(Faults {
        server_error: Some(PageFault {
            times: Some(1),
            ..page2("ConfigurationItems")
        }),
        ..Default::default()
    });
    assert!(collect_all(at.configurations(None)).await.is_ok());
}

#[tokio::test]
async fn never_more_than_three_requests_at_once_per_entity() {
    let (at, sim, _) = ready().await;
    sim.set_faults(Faults {
        slow_millis: Some(150),
        ..Default::default()
    });
    let ids: Vec<i64> = sim
        .records()
        .companies
        .iter()
        .take(9)
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let calls = ids
        .iter()
        .map(|id| at.exists(ItemKind::Organization, *id, None));
    for answer in futures_util::future::join_all(calls).await {
        assert!(
            answer.unwrap(),
            "no 429: the connector keeps to three threads"
        );
    }
}

#[tokio::test]
async fn a_next_page_elsewhere_is_not_followed() {
    use std::sync::Mutex;
    let hits: Arc<Mutex<u32>> = Arc::default();
    let counted = hits.clone();
    let elsewhere = axum::Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            *counted.lock().unwrap() += 1;
            axum::Json(json!({ "items": [], "pageDetails": {} }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, elsewhere).await });
    let psa = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let other = other.clone();
        async move {
            if uri.path().ends_with("/count") {
                return axum::Json(json!({ "queryCount": 1 }));
            }
            axum::Json(json!({
                "items": [{ "id": 1, "companyName": "Acme" }],
                "pageDetails": { "count": 1, "requestCount": 500, "prevPageUrl": null,
                                 "nextPageUrl": format!("{other}/atservicesrest/v1.0/Companies/query/next?paging=x") },
            }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let zone = format!("http://{}/atservicesrest", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, psa).await });
    let err = collect_all(connector(&zone, "s3cret").companies(None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not followed"), "{err}");
    assert_eq!(*hits.lock().unwrap(), 0);
}

/// The hourly threshold is shared with every other user of the MSP's Autotask: past 90 % the
/// connector stops with Autotask's numbers instead of using it up.
#[tokio::test]
async fn the_connector_stays_within_the_hourly_threshold() {
    let (at, sim, _) = ready().await;
    sim.set_hourly_usage(9_500);
    let err = collect_all(at.companies(None)).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("9501 of the 10000 requests Autotask allows this hour are used"),
        "{err}"
    );
    sim.set_hourly_usage(100);
    let (fresh, _, _) = ready().await;
    assert!(!collect_all(fresh.companies(None)).await.unwrap().is_empty());
}

/// An unknown API username or integration code is a 500 on the real service (apigrate/
/// autotask-restapi #19): Test connection (and so Add integration) still says the credentials
/// were refused, and what to check.
#[tokio::test]
async fn a_500_for_unknown_credentials_is_reported_as_refused_credentials() {
    let (base, _sim) = spawn().await;
    let zone = format!("{base}/atservicesrest");
    for (username, code) in [(USER, "NOTTHECODE"), ("nobody@acme.example", "CODE")] {
        let c = AtCredentials {
            site_url: String::new(),
            zone_url: zone.clone(),
            username: username.into(),
            secret: "s3cret".into(),
            integration_code: code.into(),
        };
        let err = Autotask::new(
            &c,
            RetryPolicy {
                max_attempts: 1,
                reach: server::psa::net::Reach::LOOPBACK,
                ..RetryPolicy::default()
            },
        )
        .unwrap()
        .test_connection()
        .await
        .unwrap_err();
        assert!(
            matches!(err, ConnectorError::Unauthorized { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("API integration code"), "{err}");
    }
}
