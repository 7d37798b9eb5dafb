//! A ConnectWise Manage simulator: serves a generated dataset over the same REST API as the real
//! service (base path, Basic auth with `company+publicKey:privateKey`, the `clientId` header, list
//! parameters, navigable and forward-only pagination, error bodies `{code, message, errors}`).
//! The demo and the tests run it in-process; `steward psa-sim` runs it alone.

pub mod conditions;
mod control;
mod patch;
mod query;
mod records;
mod type_associations;

pub use crate::faults::{FaultState, Faults, PageFault, RateLimit};
use crate::origin;
pub use records::Records;

use crate::store::Collection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use query::ListQuery;
use serde_json::{json, Value};
use std::sync::{Arc, RwLock};

/// The API base every ConnectWise site answers under, whatever its version.
pub const BASE: &str = "/v4_6_release/apis/3.0";
/// The codebase `login/companyinfo` names (ConnectWise's developer guide: "Codebase":
/// "v2017_3/"); the API answers under `/{CODEBASE}/apis/3.0` too.
pub const CODEBASE: &str = "v2025_1";

/// The API path a request named: `/{codebase}/{apis}/{version}/{path}`. ConnectWise's paths are
/// not case-sensitive, its base included, so each part is compared without case.
#[derive(serde::Deserialize)]
struct ApiPath {
    codebase: String,
    apis: String,
    version: String,
    path: String,
}

impl ApiPath {
    /// The base as the client wrote it and the path under it, or ConnectWise's 404.
    fn split(self) -> Result<(String, String), Box<Response>> {
        let known = (self.codebase.eq_ignore_ascii_case("v4_6_release")
            || self.codebase.eq_ignore_ascii_case(CODEBASE))
            && self.apis.eq_ignore_ascii_case("apis")
            && self.version == "3.0";
        if !known {
            return Err(Box::new(cw_error(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!(
                    "/{}/{}/{}/{} is not a route of this API",
                    self.codebase, self.apis, self.version, self.path
                ),
            )));
        }
        Ok((
            format!("/{}/{}/{}", self.codebase, self.apis, self.version),
            self.path,
        ))
    }
}

const DEMO_COMPANY_ID: &str = "steward_demo";
const DEMO_PUBLIC_KEY: &str = "demo-public-key";
const DEMO_PRIVATE_KEY: &str = "demo-private-key";
const DEMO_CLIENT_ID: &str = "00000000-0000-4000-8000-000000000001";

/// The credentials the simulator accepts.
#[derive(Clone, clap::Args)]
pub struct SimCredentials {
    /// The ConnectWise company id (the login company).
    #[arg(long, env = "STEWARD_SIM_COMPANY_ID", default_value = DEMO_COMPANY_ID)]
    pub company_id: String,
    /// The API member's public key.
    #[arg(
        long,
        env = "STEWARD_SIM_PUBLIC_KEY",
        default_value = DEMO_PUBLIC_KEY
    )]
    pub public_key: String,
    /// The API member's private key.
    #[arg(
        long,
        env = "STEWARD_SIM_PRIVATE_KEY",
        default_value = DEMO_PRIVATE_KEY,
        hide_env_values = true
    )]
    pub private_key: String,
    /// The clientId every request must carry.
    #[arg(
        long,
        env = "STEWARD_SIM_CLIENT_ID",
        default_value = DEMO_CLIENT_ID
    )]
    pub client_id: String,
}

impl SimCredentials {
    /// The documented defaults of `steward psa-sim`, which the demo uses too.
    pub fn demo() -> SimCredentials {
        SimCredentials {
            company_id: DEMO_COMPANY_ID.into(),
            public_key: DEMO_PUBLIC_KEY.into(),
            private_key: DEMO_PRIVATE_KEY.into(),
            client_id: DEMO_CLIENT_ID.into(),
        }
    }
}

impl std::fmt::Debug for SimCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCredentials")
            .field("company_id", &self.company_id)
            .field("public_key", &self.public_key)
            .field("private_key", &"<redacted>")
            .field("client_id", &self.client_id)
            .finish()
    }
}

pub struct Simulator {
    pub credentials: SimCredentials,
    pub records: RwLock<Records>,
    pub faults: std::sync::Mutex<FaultState>,
}

impl Simulator {
    pub fn new(credentials: SimCredentials, records: Records) -> Arc<Simulator> {
        Arc::new(Simulator {
            credentials,
            records: RwLock::new(records),
            faults: Default::default(),
        })
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// ConnectWise's error body.
/// A condition on a field the record does not have: ConnectWise's 400 with the field named.
fn invalid_conditions(noun: &str, message: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({
            "code": "InvalidObject",
            "message": "conditions object is invalid",
            "errors": [{ "code": "InvalidField", "message": message, "resource": noun, "field": "conditions" }],
        })),
    )
        .into_response()
}

fn cw_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "code": code, "message": message.into(), "errors": [] })),
    )
        .into_response()
}

fn decode_basic(value: &str) -> Option<String> {
    use base64::Engine;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

impl Simulator {
    /// Checks the clientId header (400 when missing or unknown) and the Basic credentials (401);
    /// the refusal to send, if any.
    fn refusal(&self, headers: &HeaderMap) -> Option<Response> {
        let c = &self.credentials;
        let client = headers.get("clientid").and_then(|v| v.to_str().ok());
        if client != Some(c.client_id.as_str()) {
            return Some(cw_error(
                StatusCode::BAD_REQUEST,
                "InvalidClientId",
                "A valid clientId header is required: register a client id and send it with every request",
            ));
        }
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(decode_basic);
        let expected = format!("{}+{}:{}", c.company_id, c.public_key, c.private_key);
        if auth.as_deref() == Some(expected.as_str()) && !self.faults().faults.auth_failure {
            None
        } else {
            Some(cw_error(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Authentication failed: check the company id, public key and private key",
            ))
        }
    }
}

pub fn router(sim: Arc<Simulator>) -> Router {
    Router::new()
        .route("/login/companyinfo/{company}", get(company_info))
        .route(
            "/{codebase}/{apis}/{version}/{*path}",
            get(dispatch)
                .patch(patch_dispatch)
                .post(post_dispatch)
                .delete(delete_dispatch),
        )
        .merge(control::router())
        .with_state(sim)
}

async fn company_info(State(sim): State<Arc<Simulator>>, Path(company): Path<String>) -> Response {
    let company = company.trim_end_matches('/');
    if !company.eq_ignore_ascii_case(&sim.credentials.company_id) {
        return cw_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("Company {company} was not found"),
        );
    }
    Json(json!({
        "CompanyName": "Steward Demo MSP",
        "Codebase": format!("{CODEBASE}/"),
        "VersionCode": "v2025.1",
        "VersionNumber": "v4.6.112233",
        "CompanyID": sim.credentials.company_id,
        "IsCloud": true,
        "SiteUrl": "127.0.0.1",
    }))
    .into_response()
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// Rebuilds the request's query with `key=value` last, for Link headers.
fn link(
    origin: &str,
    base: &str,
    path: &str,
    pairs: &[(String, String)],
    key: &str,
    value: String,
) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(k, _)| !k.eq_ignore_ascii_case(key)) {
        s.append_pair(k, v);
    }
    s.append_pair(key, &value);
    format!("{origin}{base}/{path}?{}", s.finish())
}

/// The checks every call passes first: slowness, credentials, rate limit.
async fn gate(sim: &Simulator, headers: &HeaderMap) -> Option<Response> {
    let slow = sim.faults().faults.slow_millis;
    if let Some(ms) = slow {
        // Simulated latency of a slow PSA (the fault a test asked for), not a wait for readiness.
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if let Some(refused) = sim.refusal(headers) {
        return Some(refused);
    }
    let limited = sim.faults().rate_limited(std::time::Instant::now());
    if let Some(wait) = limited {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let mut resp = cw_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            "Too many requests: wait and try again",
        );
        resp.headers_mut().insert("retry-after", secs.into());
        return Some(resp);
    }
    None
}

async fn patch_dispatch(
    State(sim): State<Arc<Simulator>>,
    Path(api): Path<ApiPath>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (path, lower) = match write_target(&sim, api, &headers).await {
        Ok(target) => target,
        Err(refused) => return *refused,
    };
    let segments: Vec<&str> = lower.split('/').collect();
    let (collection, id) = match segments.as_slice() {
        ["company", c @ ("companies" | "configurations"), id] => match id.parse::<i64>() {
            Ok(id) => (*c, id),
            Err(_) => {
                return cw_error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("/{path} is not a route of this API"),
                )
            }
        },
        _ => {
            return cw_error(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("/{path} cannot be patched"),
            )
        }
    };
    let Ok(ops) = serde_json::from_slice::<Value>(&body) else {
        return cw_error(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            "The body is not valid JSON",
        );
    };
    let mut records = sim.records.write().unwrap_or_else(|e| e.into_inner());
    patch::apply(&mut records, collection, id, &ops)
}

/// A write's path as the client wrote it and in lower case, once the base is known and the
/// call has passed the gate; else the answer.
async fn write_target(
    sim: &Simulator,
    api: ApiPath,
    headers: &HeaderMap,
) -> Result<(String, String), Box<Response>> {
    let (_, path) = api.split()?;
    if let Some(refused) = gate(sim, headers).await {
        return Err(Box::new(refused));
    }
    let lower = path.trim_end_matches('/').to_ascii_lowercase();
    Ok((path, lower))
}

/// `POST` and `DELETE` of a company's type associations, the only writes besides PATCH.
async fn post_dispatch(
    State(sim): State<Arc<Simulator>>,
    Path(api): Path<ApiPath>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (path, lower) = match write_target(&sim, api, &headers).await {
        Ok(target) => target,
        Err(refused) => return *refused,
    };
    let segments: Vec<&str> = lower.split('/').collect();
    let parent = match segments.as_slice() {
        ["company", "companytypeassociations"] => None,
        ["company", "companies", id, "typeassociations"] => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return not_a_route(&path),
        },
        _ => return not_a_route(&path),
    };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return cw_error(
            StatusCode::BAD_REQUEST,
            "InvalidObject",
            "The body is not valid JSON",
        );
    };
    let mut records = sim.records.write().unwrap_or_else(|e| e.into_inner());
    type_associations::create(&mut records, parent, &body)
}

async fn delete_dispatch(
    State(sim): State<Arc<Simulator>>,
    Path(api): Path<ApiPath>,
    headers: HeaderMap,
) -> Response {
    let (path, lower) = match write_target(&sim, api, &headers).await {
        Ok(target) => target,
        Err(refused) => return *refused,
    };
    let segments: Vec<&str> = lower.split('/').collect();
    let (parent, assoc) = match segments.as_slice() {
        ["company", "companytypeassociations", a] => (None, *a),
        ["company", "companies", id, "typeassociations", a] => match id.parse::<i64>() {
            Ok(id) => (Some(id), *a),
            Err(_) => return not_a_route(&path),
        },
        _ => return not_a_route(&path),
    };
    let Ok(assoc) = assoc.parse::<i64>() else {
        return not_a_route(&path);
    };
    let mut records = sim.records.write().unwrap_or_else(|e| e.into_inner());
    type_associations::delete(&mut records, parent, assoc)
}

fn not_a_route(path: &str) -> Response {
    cw_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("/{path} is not a route of this API"),
    )
}

async fn dispatch(
    State(sim): State<Arc<Simulator>>,
    Path(api): Path<ApiPath>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let (base, path) = match api.split() {
        Ok(split) => split,
        Err(not_found) => return *not_found,
    };
    if let Some(refused) = gate(&sim, &headers).await {
        return refused;
    }
    let path = path.trim_end_matches('/').to_string();
    let segments: Vec<&str> = path.split('/').collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let pairs = query_pairs(raw.as_deref());
    let records = sim.records.read().unwrap_or_else(|e| e.into_inner());
    let no_sites = Collection::default();
    let associations: Collection;
    let (collection, noun): (&Collection, &str) = match lower.as_slice() {
        ["system", "info"] => {
            return Json(json!({ "version": "v2025.1.112233", "isCloud": true, "serverTimeZone": "Eastern Standard Time", "cloudRegion": "NA" })).into_response()
        }
        ["company", "companies", rest @ ..] => match rest {
            ["types", ..] => (&records.company_types, "Company type"),
            ["statuses", ..] => (&records.company_statuses, "Company status"),
            [id, "sites", ..] => {
                let Ok(id) = id.parse::<i64>() else { return cw_error(StatusCode::BAD_REQUEST, "InvalidObject", "The company id must be a number") };
                if !records.companies.contains(id) {
                    return cw_error(StatusCode::NOT_FOUND, "NotFound", format!("Company {id} was not found"));
                }
                (records.sites.get(&id).unwrap_or(&no_sites), "Site")
            }
            [id, "typeassociations", ..] => {
                let Ok(id) = id.parse::<i64>() else { return cw_error(StatusCode::BAD_REQUEST, "InvalidObject", "The company id must be a number") };
                let Some(of_company) = type_associations::of_company(&records, id) else {
                    return cw_error(StatusCode::NOT_FOUND, "NotFound", format!("Company {id} was not found"));
                };
                associations = of_company;
                (&associations, "CompanyTypeAssociation")
            }
            _ => (&records.companies, "Company"),
        },
        ["company", "configurations", rest @ ..] => match rest {
            ["types", ..] => (&records.configuration_types, "Configuration type"),
            ["statuses", ..] => (&records.configuration_statuses, "Configuration status"),
            _ => (&records.configurations, "Configuration"),
        },
        ["company", "contacts", rest @ ..] => match rest {
            ["types", ..] => (&records.contact_types, "Contact type"),
            _ => (&records.contacts, "Contact"),
        },
        _ => return cw_error(StatusCode::NOT_FOUND, "NotFound", format!("/{path} is not a route of this API")),
    };
    // The segment after the collection: nothing (a list), "count", or an id.
    let depth = match lower.as_slice() {
        ["company", "companies", _, "sites" | "typeassociations", ..] => 4,
        ["company", _, "types" | "statuses", ..] => 3,
        _ => 2,
    };
    let list = match ListQuery::parse(&pairs) {
        Ok(l) => l,
        Err(message) => return cw_error(StatusCode::BAD_REQUEST, "InvalidObject", message),
    };
    // Conditions are checked against the fields of the first records (every record of a
    // collection has the same fields).
    let sample: Vec<Value> = collection.iter().take(SAMPLE).collect();
    let conditions = match list.resolve(&sample) {
        Ok(c) => c,
        Err(message) => return invalid_conditions(noun, message),
    };
    let matches = |r: &Value| conditions.as_ref().is_none_or(|c| c.matches(r));
    // Link targets are absolute, on the host the client called, as the real service sends them.
    let origin = origin(&headers);
    match lower.get(depth) {
        None => {}
        Some(&"count") => {
            let n = if conditions.is_none() {
                collection.len()
            } else {
                collection.iter().filter(|r| matches(r)).count()
            };
            let lie = sim.faults().faults.count_offset.unwrap_or(0);
            return Json(json!({ "count": (n as i64 + lie).max(0) })).into_response();
        }
        Some(id) => {
            let Ok(id) = id.parse::<i64>() else {
                return cw_error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("/{path} is not a route of this API"),
                );
            };
            return match collection.find(id) {
                Some(r) => absolute(&origin, &base, HeaderMap::new(), &list.project(&r)),
                None => cw_error(
                    StatusCode::NOT_FOUND,
                    "NotFound",
                    format!("{noun} {id} was not found"),
                ),
            };
        }
    }

    let endpoint = segments[..depth].join("/");
    let forward_only = headers
        .get("pagination-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("forward-only"));
    let mut response_headers = HeaderMap::new();
    // A page holds what `pageSize` asked, or less under the `page_cap` fault (links are still
    // computed from the size asked, as a PSA that silently caps pages computes them).
    let cap = sim.faults().faults.page_cap.unwrap_or(usize::MAX).max(1);
    let page: Vec<Value> = if forward_only {
        // Keyset by id: pageId is the last id of the previous page; the page starts right
        // after it (a binary search), so it costs the same wherever it is.
        let start = collection.start_after(list.page_id.unwrap_or(i64::MIN));
        let read = |start: usize| -> (bool, Vec<Value>) {
            let page: Vec<Value> = collection
                .iter_from(start)
                .filter(|r| matches(r))
                .take(list.page_size + 1)
                .collect();
            let more = page.len() > list.page_size;
            (
                more,
                page.into_iter().take(list.page_size.min(cap)).collect(),
            )
        };
        let (mut more, mut page) = read(start);
        if sim.faults().has_page_fault(&endpoint) {
            // The page's ordinal: how many matching records came before it, in pages.
            let before = collection.iter().take(start).filter(|r| matches(r)).count();
            let ordinal = before / list.page_size + 1;
            if let Some(resp) = injected(&sim, &endpoint, ordinal) {
                return resp;
            }
            if sim.faults().skips(&endpoint, ordinal) {
                if let Some(last) = page.last().and_then(|r| r["id"].as_i64()) {
                    (more, page) = read(collection.start_after(last));
                }
            }
        }
        // Forward-only answers always carry a Link header, empty on the last page: real clients
        // (ConnectWiseManageAPI's Invoke-CWMAllResult) take a missing one to mean the endpoint
        // does not support forward-only paging, and stop at an empty one.
        let next = match (more, page.last()) {
            (true, Some(last)) => format!(
                "<{}>; rel=\"next\"",
                link(
                    &origin,
                    &base,
                    &path,
                    &pairs,
                    "pageId",
                    last["id"].to_string()
                )
            ),
            _ => String::new(),
        };
        response_headers.insert("link", next.parse().expect("a header value"));
        page.iter().map(|r| list.project(r)).collect()
    } else {
        if let Some(resp) = injected(&sim, &endpoint, list.page) {
            return resp;
        }
        let served_page = if sim.faults().skips(&endpoint, list.page) {
            list.page + 1
        } else {
            list.page
        };
        let skip = (served_page - 1) * list.page_size;
        // In id order without conditions a page is a slice; otherwise every match is read and
        // sorted.
        let (total, page): (usize, Vec<Value>) = if conditions.is_none() && list.in_id_order() {
            (
                collection.len(),
                collection
                    .iter_from(skip)
                    .take(list.page_size.min(cap))
                    .collect(),
            )
        } else {
            let all: Vec<Value> = collection.iter().filter(|r| matches(r)).collect();
            let mut hits: Vec<&Value> = all.iter().collect();
            list.sort(&mut hits);
            let page = hits
                .into_iter()
                .skip(skip)
                .take(list.page_size.min(cap))
                .cloned()
                .collect();
            (all.len(), page)
        };
        let last_page = total.div_ceil(list.page_size).max(1);
        let mut links = Vec::new();
        if list.page < last_page {
            links.push(format!(
                "<{}>; rel=\"next\"",
                link(
                    &origin,
                    &base,
                    &path,
                    &pairs,
                    "page",
                    (list.page + 1).to_string()
                )
            ));
            links.push(format!(
                "<{}>; rel=\"last\"",
                link(&origin, &base, &path, &pairs, "page", last_page.to_string())
            ));
        }
        if list.page > 1 {
            links.push(format!(
                "<{}>; rel=\"prev\"",
                link(
                    &origin,
                    &base,
                    &path,
                    &pairs,
                    "page",
                    (list.page - 1).to_string()
                )
            ));
            links.push(format!(
                "<{}>; rel=\"first\"",
                link(&origin, &base, &path, &pairs, "page", "1".to_string())
            ));
        }
        if !links.is_empty() {
            response_headers.insert("link", links.join(", ").parse().expect("a header value"));
        }
        page.iter().map(|r| list.project(r)).collect()
    };
    absolute(&origin, &base, response_headers, &Value::Array(page))
}

/// A GET's answer, its `_info` links absolute on the host and base the client called, as
/// ConnectWise sends them (`"company_href": "https://na.myconnectwise.net/v4_6_release/apis/3.0/
/// company/companies/250"`); the records keep them relative to the base.
fn absolute(origin: &str, base: &str, mut headers: HeaderMap, body: &Value) -> Response {
    let text = serde_json::to_string(body).expect("a JSON value serialises");
    let text = text.replace(
        &format!("_href\":\"{BASE}/"),
        &format!("_href\":\"{origin}{base}/"),
    );
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    (headers, text).into_response()
}

/// Records whose fields a condition is checked against.
const SAMPLE: usize = 100;

/// The answer a page fault gives instead of the page, if one is set for this page.
fn injected(sim: &Simulator, endpoint: &str, page: usize) -> Option<Response> {
    let effect = sim.faults().page_effect(endpoint, page)?;
    let server_error = cw_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "UnexpectedServerError",
        "An unexpected error has occurred",
    );
    Some(crate::faults::answer(effect, server_error, "["))
}
