//! A ConnectWise Manage simulator: serves a generated dataset over the same REST API as the real
//! service (base path, Basic auth with `company+publicKey:privateKey`, the `clientId` header, list
//! parameters, navigable and forward-only pagination, error bodies `{code, message, errors}`).
//! The demo and the tests run it in-process; `steward psa-sim` runs it alone.

pub mod conditions;
mod control;
mod patch;
mod query;
mod read;
mod records;
mod type_associations;
use read::*;

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
