//! A HaloPSA API simulator over a generated dataset, at the real service's paths: OAuth2 client
//! credentials at `POST /auth/token` (form `grant_type=client_credentials`, `client_id`,
//! `client_secret`, `scope`; `?tenant=` as hosted Halo takes it), bearer tokens that expire,
//! `GET /api/{Client,Site,Users,Asset}` lists (`{"record_count", "<key>": [...]}`, paged with
//! `pageinate=true&page_size&page_no` or capped with `count`, inactive records only with
//! `includeinactive=true`, filtered by `client_id` and `site_id`; no list filters by change
//! time, see `list`), single records at `/api/{Entity}/{id}`, `GET /api/AssetType` and the
//! customer-type lookup (`/api/Lookup?lookupid=33`) as plain arrays, `POST /api/Client` and
//! `/api/Asset` with an array of records to update, and hosted Halo's rolling limit (300
//! requests in 5 minutes, then 429). Paths match whatever their case and booleans read as
//! `True`/`true`/`1`, as Halo takes them. The shared faults (500, malformed JSON or a cut
//! connection at page k, slowness, refused credentials, rate limiting) apply here too.

pub mod records;

use self::records::{Entity, HaloRecords, CUSTOMER_TYPE_LOOKUP};
use crate::faults::{FaultState, Faults, PageEffect};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Hosted Halo's limit: this many requests in [`WINDOW`].
pub const REQUESTS_PER_WINDOW: usize = 300;
pub const WINDOW: Duration = Duration::from_secs(300);
/// A token's life, as Halo's `expires_in` says it.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// The page size when `pageinate` asks for pages without one, and the records an unpaginated
/// list returns without `count`.
pub const DEFAULT_PAGE_SIZE: usize = 50;
/// The most a page holds, whatever `page_size` asks: a live tenant answered `page_size=1000`
/// with 100 records and `record_count: 717` (homotechsual/HaloAPI #90; PR #91 pages by the
/// size of the first page returned).
pub const MAX_PAGE_SIZE: usize = 100;

/// The client credentials the simulator accepts (and the tenant, when it plays a hosted one).
#[derive(Debug, Clone)]
pub struct HaloCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub tenant: Option<String>,
}

pub struct HaloSimulator {
    pub credentials: HaloCredentials,
    records: Mutex<HaloRecords>,
    faults: Mutex<FaultState>,
    /// Live tokens and when each expires.
    tokens: Mutex<HashMap<String, Instant>>,
    token_lifetime: Mutex<Duration>,
    /// The rolling window: when each recent request came, how many it allows, and its length.
    recent: Mutex<(VecDeque<Instant>, usize, Duration)>,
    /// Requests answered 429 for the rolling limit.
    over: std::sync::atomic::AtomicU64,
    /// Requests per first path segment under `/api/` (lower case), and token requests.
    counts: Mutex<HashMap<String, u64>>,
    /// Tokens issued so far (tests watch renewals).
    issued: std::sync::atomic::AtomicU64,
}

impl HaloSimulator {
    pub fn new(credentials: HaloCredentials, records: HaloRecords) -> Arc<HaloSimulator> {
        Arc::new(HaloSimulator {
            credentials,
            records: Mutex::new(records),
            faults: Mutex::new(FaultState::default()),
            tokens: Mutex::new(HashMap::new()),
            token_lifetime: Mutex::new(TOKEN_LIFETIME),
            recent: Mutex::new((VecDeque::new(), REQUESTS_PER_WINDOW, WINDOW)),
            over: std::sync::atomic::AtomicU64::new(0),
            counts: Mutex::new(HashMap::new()),
            issued: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn records(&self) -> MutexGuard<'_, HaloRecords> {
        self.records.lock().expect("records lock")
    }

    pub fn set_faults(&self, faults: Faults) {
        self.faults.lock().expect("faults lock").set(faults);
    }

    fn faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().expect("faults lock")
    }

    /// How long tokens issued from now on live.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *self.token_lifetime.lock().expect("lifetime lock") = lifetime;
    }

    /// Ends every token now, as a restart of Halo's identity server would.
    pub fn expire_tokens(&self) {
        self.tokens.lock().expect("tokens lock").clear();
    }

    pub fn tokens_issued(&self) -> u64 {
        self.issued.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the rolling limit (`requests` in any `window`; hosted Halo's is 300 in 5 minutes)
    /// and forgets the requests seen.
    pub fn set_request_limit(&self, requests: usize, window: Duration) {
        *self.recent.lock().expect("recent lock") = (VecDeque::new(), requests, window);
    }

    /// How many requests were refused with 429 for the rolling limit.
    pub fn over_limit_count(&self) -> u64 {
        self.over.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many requests reached an entity (`client`, `site`, `asset`, ...; `token` for
    /// `/auth/token`).
    pub fn requests_to(&self, what: &str) -> u64 {
        self.counts
            .lock()
            .expect("counts lock")
            .get(&what.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// Counts a request in the rolling window; `Some(retry_after)` when it is over the limit.
    fn over_limit(&self) -> Option<Duration> {
        let now = Instant::now();
        let mut guard = self.recent.lock().expect("recent lock");
        let (recent, limit, window) = &mut *guard;
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= *window)
        {
            recent.pop_front();
        }
        if recent.len() >= *limit {
            let oldest = recent.front().copied().unwrap_or(now);
            self.over.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Some(window.saturating_sub(now.duration_since(oldest)));
        }
        recent.push_back(now);
        None
    }
}

/// Halo's error answer for API calls: a JSON string.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(Value::String(message.into()))).into_response()
}

/// The OAuth error answer of `/auth/token`.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// Over the limit: 429 with Halo's message and no `Retry-After` (KelvinTegelaar/
/// PowerShellWarrantyReports #51 quotes the answer "Rate Limit Reached - 300 Requests per
/// rolling 5 minute window"; homotechsual/HaloAPI #31: clients that wait a few seconds and give
/// up fail, as nothing says how long to wait).
fn too_many() -> Response {
    refuse(
        StatusCode::TOO_MANY_REQUESTS,
        "Rate Limit Reached - 300 Requests per rolling 5 minute window",
    )
}

/// A boolean parameter as Halo reads one: `True`, `true` or `1`.
fn truthy(v: Option<&str>) -> Option<bool> {
    v.map(|s| s.eq_ignore_ascii_case("true") || s == "1")
}

/// Control API: faults, as the other simulators take them.
async fn set_faults(State(sim): State<Arc<HaloSimulator>>, Json(f): Json<Faults>) -> StatusCode {
    sim.set_faults(f);
    StatusCode::NO_CONTENT
}

pub fn router(sim: Arc<HaloSimulator>) -> Router {
    Router::new()
        .route("/_sim/faults", put(set_faults))
        .fallback(dispatch)
        .with_state(sim)
}

async fn dispatch(
    State(sim): State<Arc<HaloSimulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let segments: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    {
        let what = match segments.as_slice() {
            ["auth", "token"] => "token",
            ["api", entity, ..] => entity,
            _ => "other",
        };
        *sim.counts
            .lock()
            .expect("counts lock")
            .entry(what.to_string())
            .or_default() += 1;
    }
    if sim.over_limit().is_some() || sim.faults().rate_limited(Instant::now()).is_some() {
        return too_many();
    }
    match (&method, segments.as_slice()) {
        (&Method::POST, ["auth", "token"]) => return token(&sim, param("tenant"), &body),
        (_, ["api", ..]) => {}
        _ => return refuse(StatusCode::NOT_FOUND, "Not found"),
    }
    if let Some(refused) = sim.refusal(&headers) {
        return refused;
    }
    let slow = sim.faults().faults.slow_millis;
    if let Some(ms) = slow {
        // Simulated latency of a slow PSA (the fault a test asked for).
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match (&method, &segments[1..]) {
        (&Method::GET, ["assettype"]) => {
            let r = sim.records();
            Json(
                r.asset_types
                    .iter()
                    .map(|t| json!({ "id": t.id, "name": t.name, "assetgroup_id": 1, "inactive": false }))
                    .collect::<Vec<_>>(),
            )
            .into_response()
        }
        (&Method::GET, ["lookup"]) => {
            let r = sim.records();
            let values: Vec<Value> = match param("lookupid").and_then(|s| s.parse::<i64>().ok()) {
                Some(CUSTOMER_TYPE_LOOKUP) => r
                    .customer_types
                    .iter()
                    .map(
                        |t| json!({ "id": t.id, "name": t.name, "lookupid": CUSTOMER_TYPE_LOOKUP }),
                    )
                    .collect(),
                Some(_) => Vec::new(),
                None => return refuse(StatusCode::BAD_REQUEST, "lookupid is required"),
            };
            Json(values).into_response()
        }
        (&Method::GET, [entity]) => match Entity::parse(entity) {
            Some(e) => list(&sim, e, &param),
            None => refuse(StatusCode::NOT_FOUND, "Not found"),
        },
        (&Method::GET, [entity, id]) => {
            let (Some(e), Ok(id)) = (Entity::parse(entity), id.parse::<i64>()) else {
                return refuse(StatusCode::NOT_FOUND, "Not found");
            };
            match sim.records().of(e).find(id) {
                Some(record) => Json(record.clone()).into_response(),
                None => refuse(
                    StatusCode::NOT_FOUND,
                    format!("{} {id} could not be found", e.name()),
                ),
            }
        }
        (&Method::POST, [entity]) => match Entity::parse(entity) {
            Some(e @ (Entity::Client | Entity::Asset)) => save(&sim, e, &body),
            _ => refuse(StatusCode::NOT_FOUND, "Not found"),
        },
        _ => refuse(StatusCode::NOT_FOUND, "Not found"),
    }
}

impl HaloSimulator {
    /// None for a live bearer token, else the 401 to answer (an empty body, with
    /// `WWW-Authenticate: Bearer`).
    fn refusal(&self, headers: &HeaderMap) -> Option<Response> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            });
        let live = token.is_some_and(|t| {
            let mut tokens = self.tokens.lock().expect("tokens lock");
            match tokens.get(t) {
                Some(expiry) if *expiry > Instant::now() => true,
                Some(_) => {
                    tokens.remove(t);
                    false
                }
                None => false,
            }
        });
        if live && !self.faults().faults.auth_failure {
            None
        } else {
            Some(
                (
                    StatusCode::UNAUTHORIZED,
                    [("www-authenticate", "Bearer")],
                    "",
                )
                    .into_response(),
            )
        }
    }
}

/// `POST /auth/token`: client credentials for a bearer token.
fn token(sim: &HaloSimulator, tenant: Option<&str>, body: &[u8]) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only the client_credentials grant is enabled for this application",
        );
    }
    let c = &sim.credentials;
    let tenant_ok = match &c.tenant {
        Some(t) => tenant.is_some_and(|given| given.eq_ignore_ascii_case(t)),
        None => true,
    };
    if !tenant_ok {
        // A hosted tenant that does not exist answers 500, not an OAuth error (PyPI halopsa
        // 2.0.2, HaloPSA/Halo.py: "Got this when I gave it a bad tenant" on its 500 branch). A
        // missing tenant is answered the same way: no source says otherwise (an assumption).
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An error occurred processing this request",
        );
    }
    if field("client_id") != c.client_id
        || field("client_secret") != c.client_secret
        || sim.faults().faults.auth_failure
    {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client ID or client secret is not valid for this Halo instance",
        );
    }
    let lifetime = *sim.token_lifetime.lock().expect("lifetime lock");
    let n = sim
        .issued
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let token = format!(
        "halo-sim-{n}-{}",
        crate::new_token().chars().take(24).collect::<String>()
    );
    sim.tokens
        .lock()
        .expect("tokens lock")
        .insert(token.clone(), Instant::now() + lifetime);
    Json(json!({
        "scope": field("scope"),
        "token_type": "Bearer",
        "access_token": token,
        "expires_in": lifetime.as_secs().max(1),
    }))
    .into_response()
}

/// A list: filtered, in id order, paged with `pageinate` or capped with `count`.
fn list<'p>(sim: &HaloSimulator, e: Entity, param: &dyn Fn(&str) -> Option<&'p str>) -> Response {
    let number = |name: &str| param(name).and_then(|s| s.trim().parse::<i64>().ok());
    let include_inactive = truthy(param("includeinactive")).unwrap_or(false);
    let include_active = truthy(param("includeactive")).unwrap_or(true);
    // Halo's API description documents no filter by change time: `lastupdatefromdate` is
    // "(bool) Include the field lastupdatefromdate in the response" on every list (swagger.json,
    // as covenanttechnologysolutions/halopsa-rest generates its client from it). Whatever it
    // is given, it selects nothing here: a client that took its answer for "what changed"
    // would be wrong on the real service too.
    let client = number("client_id");
    let site = number("site_id");
    let mut records = sim.records();
    // Which records the filters select, found once per set of filters and kept until a change.
    let key = format!("{e:?} {include_active} {include_inactive} {client:?} {site:?}");
    let version = records.of(e).version();
    let hits = match records.matches.get(&key) {
        Some((v, hits)) if *v == version => hits.clone(),
        _ => {
            let all = records.of(e);
            let hits: Vec<usize> = all
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    let inactive = r["inactive"].as_bool().unwrap_or(false);
                    (if inactive {
                        include_inactive
                    } else {
                        include_active
                    }) && client.is_none_or(|c| r["client_id"] == c)
                        && site.is_none_or(|s| r["site_id"] == s)
                })
                .map(|(i, _)| i)
                .collect();
            let hits = std::sync::Arc::new(hits);
            if records.matches.len() >= 16 {
                records.matches.clear();
            }
            records.matches.insert(key, (version, hits.clone()));
            hits
        }
    };
    let paged = truthy(param("pageinate")).unwrap_or(false);
    let cap = sim
        .faults()
        .faults
        .page_cap
        .map_or(MAX_PAGE_SIZE, |c| c.clamp(1, MAX_PAGE_SIZE));
    let (mut page_no, page_size) = if paged {
        let size = number("page_size").map_or(DEFAULT_PAGE_SIZE, |n| n.max(1) as usize);
        (number("page_no").map_or(1, |n| n.max(1) as usize), size)
    } else {
        // Without pages a list returns 50 records unless `count` asks for another number (the
        // swagger's `count`: "When not using pagination, the number of results to return"; the
        // default of 50 is issue 33's reading of the live service, not found in a client).
        (
            1,
            number("count").map_or(DEFAULT_PAGE_SIZE, |n| n.max(0) as usize),
        )
    };
    if let Some(effect) = sim.faults().page_effect(e.name(), page_no) {
        return injected(effect, e);
    }
    if paged && sim.faults().skips(e.name(), page_no) {
        page_no += 1;
    }
    // The offset is page_no × page_size as asked; the page holds at most `cap` of them.
    let served = if paged { page_size.min(cap) } else { page_size };
    let all = records.of(e);
    let page: Vec<Value> = hits
        .iter()
        .skip((page_no - 1).saturating_mul(page_size))
        .take(served)
        .filter_map(|i| all.get(*i))
        .collect();
    let lie = sim.faults().faults.count_offset.unwrap_or(0);
    let count = (hits.len() as i64 + lie).max(0);
    let mut answer = json!({ "record_count": count, e.key(): page });
    if paged {
        answer["page_no"] = page_no.into();
        answer["page_size"] = page_size.into();
    }
    Json(answer).into_response()
}

fn injected(effect: PageEffect, e: Entity) -> Response {
    let server_error = refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        "An error occurred processing this request",
    );
    let start = format!("{{\"record_count\": 10, \"{}\": [", e.key());
    crate::faults::answer(effect, server_error, &start)
}

/// The fields a POST may change, per entity, and the list a value must come from.
fn writable(e: Entity, field: &str) -> bool {
    match e {
        Entity::Client => matches!(
            field,
            "name"
                | "inactive"
                | "customertype"
                | "website"
                | "main_phonenumber"
                | "ref"
                | "colour"
        ),
        Entity::Asset => matches!(
            field,
            "inventory_number"
                | "key_field"
                | "assettype_id"
                | "status_id"
                | "inactive"
                | "site_id"
        ),
        _ => false,
    }
}

/// `POST /api/Client` or `/api/Asset`: an array of records, each with the `id` to update and
/// the fields to change (read-only and unknown fields are ignored, as Halo does; a type that is
/// not in its list refuses the whole array). The saved record answers (an array for several).
fn save(sim: &HaloSimulator, e: Entity, body: &[u8]) -> Response {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(body) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "The body must be a JSON array of records",
        );
    };
    let mut records = sim.records();
    let mut saved = Vec::new();
    for item in &items {
        let Some(id) = item.get("id").and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        }) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Each record needs the id of the record to update",
            );
        };
        let known = |list: &[records::Named], v: &Value| {
            let n = v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            list.iter().any(|t| Some(t.id) == n)
        };
        if let Some(t) = item.get("customertype").filter(|_| e == Entity::Client) {
            if !known(&records.customer_types, t) {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    format!("Customer type {t} does not exist"),
                );
            }
        }
        if let Some(t) = item.get("assettype_id").filter(|_| e == Entity::Asset) {
            if !known(&records.asset_types, t) {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    format!("Asset type {t} does not exist"),
                );
            }
        }
        if !records.of(e).contains(id) {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("{} {id} could not be found", e.name()),
            );
        }
        saved.push((id, item.clone()));
    }
    let asset_types = records.asset_types.clone();
    let mut answers = Vec::new();
    for (id, item) in saved {
        let Some(mut record) = records.of(e).find(id) else {
            continue;
        };
        if let Some(fields) = item.as_object() {
            for (field, value) in fields.iter().filter(|(k, _)| writable(e, k)) {
                record[field.as_str()] = match (field.as_str(), value) {
                    ("inactive", Value::String(s)) => Value::Bool(truthy(Some(s)).unwrap_or(false)),
                    (_, Value::String(s)) if field.ends_with("_id") || field == "customertype" => s
                        .parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| value.clone()),
                    _ => value.clone(),
                };
            }
        }
        if e == Entity::Asset {
            if let Some(t) = asset_types.iter().find(|t| record["assettype_id"] == t.id) {
                record["assettype_name"] = t.name.clone().into();
            }
        }
        answers.push(record.clone());
        records.of_mut(e).upsert(record);
    }
    match answers.len() {
        1 => Json(answers.remove(0)).into_response(),
        _ => Json(Value::Array(answers)).into_response(),
    }
}
