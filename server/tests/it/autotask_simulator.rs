//! The Autotask simulator as a real client meets it, over HTTP: zone discovery, the three
//! credential headers (any case), picklists from `entityInformation/fields`, queries by POST and
//! by GET `?search=` with every page followed through `nextPageUrl` or by `id gt`, counts, the
//! errors Autotask answers (no filter, unknown field), single records, PATCH write-back, the three
//! threads per entity and the threshold information.

use serde_json::{json, Value};
use server::dataset::{Dataset, Size};
use sim::autotask::records::AtRecords;
use sim::autotask::{router, AtCredentials, AtSimulator};
use std::collections::HashSet;
use std::sync::Arc;

struct At {
    base: String,
    http: reqwest::Client,
    sim: Arc<AtSimulator>,
}

const USER: &str = "api-user@acme-msp.example";
const SECRET: &str = "s3cret";
const CODE: &str = "INTEGRATIONCODE1";

async fn spawn() -> At {
    let sim = AtSimulator::new(
        AtCredentials {
            username: USER.into(),
            secret: SECRET.into(),
            integration_code: CODE.into(),
        },
        AtRecords::from_dataset(&Dataset::generate(Size::S, 1)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(sim.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    At {
        base,
        http: reqwest::Client::new(),
        sim,
    }
}

impl At {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}/atservicesrest/v1.0/{path}", self.base)
        };
        self.http
            .request(method, url)
            .header("ApiIntegrationcode", CODE)
            .header("UserName", USER)
            .header("Secret", SECRET)
    }

    async fn json(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn query(&self, entity: &str, body: Value) -> (u16, Value) {
        self.json(
            self.req(reqwest::Method::POST, &format!("{entity}/query"))
                .json(&body),
        )
        .await
    }
}

#[tokio::test]
async fn zone_discovery_and_credentials() {
    let at = spawn().await;
    let zone: Value = reqwest::get(format!(
        "{}/atservicesrest/v1.0/zoneInformation?user={USER}",
        at.base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(zone["url"], format!("{}/atservicesrest/", at.base));
    assert!(zone["zoneName"].is_string() && zone["webUrl"].is_string());
    let unknown = reqwest::get(format!(
        "{}/atservicesrest/v1.0/zoneInformation?user=nobody",
        at.base
    ))
    .await
    .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);

    // Headers in any case, the path in any case.
    let (status, _) = at
        .json(
            at.http
                .get(format!(
                    "{}/ATServicesRest/V1.0/Companies/entityInformation/fields",
                    at.base
                ))
                .header("apiintegrationcode", CODE)
                .header("USERNAME", USER)
                .header("secret", SECRET),
        )
        .await;
    assert_eq!(status, 200);
    // apigrate/autotask-restapi #19 (its maintainer): an unknown username is a 500, a wrong
    // secret a 401, a wrong integration code a 500.
    for (user, secret, code, expected) in [
        (USER, "wrong", CODE, 401),
        ("other@x.example", SECRET, CODE, 500),
        (USER, SECRET, "WRONGCODE", 500),
    ] {
        let (status, body) = at
            .json(
                at.http
                    .get(format!(
                        "{}/atservicesrest/v1.0/Companies/entityInformation/fields",
                        at.base
                    ))
                    .header("ApiIntegrationCode", code)
                    .header("UserName", user)
                    .header("Secret", secret),
            )
            .await;
        assert_eq!(status, expected, "{user} {secret} {code}");
        assert!(body["errors"][0].is_string(), "{body}");
    }
    let (status, _) = at
        .json(
            at.http
                .get(format!("{}/atservicesrest/v1.0/Companies/1", at.base)),
        )
        .await;
    assert_eq!(status, 401, "no credentials at all");
}

#[tokio::test]
async fn picklists_come_from_entity_information() {
    let at = spawn().await;
    let (_, info) = at
        .json(at.req(reqwest::Method::GET, "Companies/entityInformation/fields"))
        .await;
    let field = |name: &str| {
        info["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .cloned()
            .unwrap()
    };
    let types = field("companyType");
    assert_eq!(types["isPickList"], true);
    let labels: Vec<&str> = types["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert!(v["value"].is_string(), "picklist values are strings");
            v["label"].as_str().unwrap()
        })
        .collect();
    assert!(
        labels.contains(&"Customer") && labels.contains(&"Prospect"),
        "{labels:?}"
    );
    assert_eq!(field("classification")["isPickList"], true);
    assert_eq!(field("companyName")["isPickList"], false);
    let (_, ci) = at
        .json(at.req(
            reqwest::Method::GET,
            "ConfigurationItems/entityInformation/fields",
        ))
        .await;
    assert!(ci["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "configurationItemType" && f["isPickList"] == true));
}

#[tokio::test]
async fn queries_page_by_next_page_url_and_by_id_in_id_order() {
    let at = spawn().await;
    let all = json!({ "filter": [{ "op": "gte", "field": "id", "value": 0 }] });
    let (_, count) = at
        .json(
            at.req(reqwest::Method::POST, "ConfigurationItems/query/count")
                .json(&all),
        )
        .await;
    let total = count["queryCount"].as_u64().unwrap() as usize;
    assert!(total > 1000, "several pages of 500: {total}");

    // Following nextPageUrl: `…/query/next?paging={"pageSize":500,"previousIds":[…],
    // "nextIds":[…]}` (the form a real answer carries, quoted in KelvinTegelaar/AutotaskAPI's
    // Get-AutotaskAPIResource.ps1), POSTed with the query's own body. A GET on it after a POST
    // query is 405 with ASP.NET's message (WYRE-AI/autotask-mcp #170).
    let (status, mut page) = at.query("ConfigurationItems", all.clone()).await;
    assert_eq!(status, 200);
    let mut seen = Vec::new();
    loop {
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 500);
        assert_eq!(page["pageDetails"]["count"], items.len());
        seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&at.base), "{next}");
                assert!(next.contains("/query/next?paging="), "{next}");
                let (status, refused) = at.json(at.req(reqwest::Method::GET, next)).await;
                assert_eq!(status, 405, "{refused}");
                assert_eq!(
                    refused["Message"],
                    "The requested resource does not support http method 'GET'."
                );
                page = at
                    .json(at.req(reqwest::Method::POST, next).json(&all))
                    .await
                    .1;
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), total);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in id order");

    // Paging by id gt <last id>, as some clients do.
    let mut by_id = Vec::new();
    let mut last = 0;
    loop {
        let (_, page) = at
            .query(
                "ConfigurationItems",
                json!({ "filter": [{ "op": "gt", "field": "id", "value": last }], "maxRecords": 500 }),
            )
            .await;
        let items = page["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        by_id.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        last = *by_id.last().unwrap();
    }
    assert_eq!(by_id, seen);

    // Hundreds of small pages: every nextPageUrl stays the same size and keeps the other
    // conditions (the link once nested a level deeper per page, and broke past 128 pages).
    let active =
        json!({ "filter": [{ "op": "eq", "field": "isActive", "value": true }], "maxRecords": 5 });
    let (_, mut page) = at.query("ConfigurationItems", active.clone()).await;
    let mut small = Vec::new();
    let mut longest = 0;
    loop {
        small.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| (i["id"].as_i64().unwrap(), i["isActive"].clone())),
        );
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(next) => {
                longest = longest.max(next.len());
                let (status, body) = at
                    .json(at.req(reqwest::Method::POST, next).json(&active))
                    .await;
                assert_eq!(status, 200, "{body}");
                page = body;
            }
            None => break,
        }
    }
    assert!(small.len() > 5 * 200, "{} items", small.len());
    assert!(small.iter().all(|(_, active)| *active == true));
    assert!(small.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(longest < 400, "the link grew to {longest} characters");

    // GET ?search= answers as POST does; includeFields trims the items.
    let search = json!({ "filter": [{ "op": "eq", "field": "isActive", "value": true }], "includeFields": ["referenceTitle"], "maxRecords": 10 });
    let encoded: String =
        url::form_urlencoded::byte_serialize(search.to_string().as_bytes()).collect();
    let (_, got) = at
        .json(at.req(
            reqwest::Method::GET,
            &format!("ConfigurationItems/query?search={encoded}"),
        ))
        .await;
    let (_, posted) = at.query("ConfigurationItems", search.clone()).await;
    assert_eq!(got["items"], posted["items"]);
    // After a GET query the next link carries the search, and takes a GET.
    let next = got["pageDetails"]["nextPageUrl"].as_str().unwrap();
    assert!(next.contains("&search="), "{next}");
    let (status, second) = at.json(at.req(reqwest::Method::GET, next)).await;
    assert_eq!(status, 200, "{second}");
    assert!(second["items"][0]["id"].as_i64() > posted["items"][9]["id"].as_i64());
    // QueryModel keys in any case; MaxRecords above 500 refused as Autotask refuses it
    // (WYRE-AI/autotask-mcp's AUTOTASK_MAX_PAGE_SIZE comment).
    let (_, upper) = at
        .query(
            "ConfigurationItems",
            json!({ "Filter": search["filter"], "IncludeFields": ["referenceTitle"], "MaxRecords": 10 }),
        )
        .await;
    assert_eq!(upper["items"], posted["items"]);
    let (status, body) = at
        .query(
            "ConfigurationItems",
            json!({ "filter": search["filter"], "MaxRecords": 501 }),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0].as_str()),
        (
            500,
            Some("maxCountOfRecordsToReturn must be between 1 and 500")
        )
    );
    let keys: HashSet<&String> = got["items"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 2, "id and referenceTitle: {keys:?}");
}

#[tokio::test]
async fn query_errors_are_autotasks() {
    let at = spawn().await;
    let (status, body) = at.query("Companies", json!({ "maxRecords": 5 })).await;
    assert_eq!(status, 500);
    assert_eq!(
        body["errors"][0],
        "Value cannot be null. Parameter name: filters"
    );
    let (status, body) = at.query("Companies", json!({ "filter": [] })).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["items"],
        json!([]),
        "an empty filter list returns no rows"
    );
    let (status, body) = at
        .query(
            "Companies",
            json!({ "filter": [{ "op": "eq", "field": "colour", "value": "red" }] }),
        )
        .await;
    assert_eq!(status, 500);
    assert!(
        body["errors"][0].as_str().unwrap().contains("colour"),
        "{body}"
    );
    let (status, body) = at
        .query(
            "Companies",
            json!({ "filter": [{ "op": "like", "field": "id", "value": 1 }] }),
        )
        .await;
    assert_eq!(status, 500);
    assert!(body["errors"][0].is_string());
}

#[tokio::test]
async fn single_records_and_patch_write_back() {
    let at = spawn().await;
    let (_, page) = at
        .query(
            "Companies",
            json!({ "filter": [{ "op": "exist", "field": "companyName" }], "maxRecords": 1 }),
        )
        .await;
    let company = page["items"][0].clone();
    let id = company["id"].as_i64().unwrap();
    let (_, one) = at
        .json(at.req(reqwest::Method::GET, &format!("Companies/{id}")))
        .await;
    assert_eq!(one["item"], company);
    let (_, none) = at
        .json(at.req(reqwest::Method::GET, "Companies/999999999"))
        .await;
    assert_eq!(none["item"], Value::Null);

    let other_type = at
        .sim
        .records()
        .picklists
        .iter()
        .find(|p| {
            p.category == app::model::CatalogCategory::OrganizationType
                && Some(p.value) != company["companyType"].as_i64()
        })
        .unwrap()
        .value;
    let (status, body) = at
        .json(
            at.req(reqwest::Method::PATCH, "Companies")
                .json(&json!({ "id": id, "companyType": other_type.to_string() })),
        )
        .await;
    assert_eq!((status, body), (200, json!({ "itemId": id })));
    let (_, one) = at
        .json(at.req(reqwest::Method::GET, &format!("Companies/{id}")))
        .await;
    assert_eq!(one["item"]["companyType"], other_type);
    assert_ne!(
        one["item"]["lastTrackedModifiedDateTime"],
        company["lastTrackedModifiedDateTime"]
    );

    // A value outside the picklist, or a field that does not exist: 500, nothing changed.
    for bad in [
        json!({ "id": id, "companyType": 999_999 }),
        json!({ "id": id, "companyType": other_type, "colour": "red" }),
    ] {
        let (status, body) = at
            .json(at.req(reqwest::Method::PATCH, "Companies").json(&bad))
            .await;
        assert_eq!(status, 500, "{bad}");
        assert!(body["errors"][0].is_string());
    }
    let (_, again) = at
        .json(at.req(reqwest::Method::GET, &format!("Companies/{id}")))
        .await;
    assert_eq!(again["item"]["companyType"], other_type);
}

#[tokio::test]
async fn three_threads_per_entity_and_the_hourly_count() {
    let at = spawn().await;
    at.sim.set_faults(sim::faults::Faults {
        slow_millis: Some(300),
        ..Default::default()
    });
    let body = json!({ "filter": [{ "op": "gte", "field": "id", "value": 0 }], "maxRecords": 1 });
    let calls = (0..4).map(|_| at.query("Companies", body.clone()));
    let answers = futures_util::future::join_all(calls).await;
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 429)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(refused.len(), 1, "{answers:?}");
    assert_eq!(
        refused[0]["errors"][0],
        "API thread threshold of 3 threads has been exceeded"
    );
    at.sim.set_faults(Default::default());
    // Another entity is not held up by Companies' threads, and the threshold counts requests.
    let (status, usage) = at
        .json(at.req(reqwest::Method::GET, "ThresholdInformation"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(usage["externalRequestThreshold"], 10_000);
    assert!(usage["currentTimeframeRequestCount"].as_u64().unwrap() >= 4);
}

/// Past half of the hourly threshold Autotask answers half a second late, past three quarters a
/// second late (Autotask's "API thresholds and limits" page; the Autotask REST API's
/// `ThresholdInformation` reports the count it goes by).
#[tokio::test]
async fn answers_slow_down_past_half_and_three_quarters_of_the_hourly_threshold() {
    let at = spawn().await;
    for (used, at_least) in [(5_001, 500), (7_501, 1_000)] {
        at.sim.set_hourly_usage(used);
        let started = std::time::Instant::now();
        let (status, usage) = at
            .json(at.req(reqwest::Method::GET, "ThresholdInformation"))
            .await;
        assert_eq!(status, 200);
        assert!(usage["currentTimeframeRequestCount"].as_u64().unwrap() > used);
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(at_least),
            "{used} requests used: answered in {:?}",
            started.elapsed()
        );
    }
}

/// PUT on an entity's collection replaces the record: "If the JSON you send does not include a
/// property for a field, the target field value will default to null" (Autotask's developer
/// help, "Updating data via PUT request with the REST API"), unlike PATCH; read-only fields stay,
/// required ones must be given, and a refusal (500 with `errors`) changes nothing.
#[tokio::test]
async fn put_replaces_a_record_and_patch_changes_only_what_it_names() {
    let at = spawn().await;
    let before = at.sim.records().companies.get(0).unwrap();
    let id = before["id"].as_i64().unwrap();
    assert!(before["phone"].is_string() && before["city"].is_string());

    let (status, body) = at
        .json(
            at.req(reqwest::Method::PUT, "Companies")
                .json(&serde_json::json!({
                    "id": id, "companyName": "Replaced Ltd"
                })),
        )
        .await;
    assert_eq!(status, 500, "{body}");
    assert!(
        body["errors"][0].as_str().unwrap().contains("companyType"),
        "{body}"
    );
    assert_eq!(
        at.sim.records().companies.get(0).unwrap(),
        before,
        "nothing changed"
    );

    let (status, body) = at
        .json(
            at.req(reqwest::Method::PUT, "Companies")
                .json(&serde_json::json!({
                    "id": id, "companyName": "Replaced Ltd", "companyType": before["companyType"],
                    "createDate": "1999-01-01T00:00:00Z"
                })),
        )
        .await;
    assert_eq!((status, body["itemId"].as_i64()), (200, Some(id)), "{body}");
    let after = at.sim.records().companies.get(0).unwrap();
    assert_eq!(after["companyName"], "Replaced Ltd");
    assert!(
        after["phone"].is_null() && after["city"].is_null(),
        "left out: null"
    );
    assert_eq!(after["createDate"], before["createDate"], "read-only stays");

    let (status, _) = at
        .json(
            at.req(reqwest::Method::PATCH, "Companies")
                .json(&serde_json::json!({
                    "id": id, "phone": "555-0100"
                })),
        )
        .await;
    assert_eq!(status, 200);
    let patched = at.sim.records().companies.get(0).unwrap();
    assert_eq!(patched["phone"], "555-0100");
    assert_eq!(
        patched["companyName"], "Replaced Ltd",
        "PATCH changes only what it names"
    );
}
