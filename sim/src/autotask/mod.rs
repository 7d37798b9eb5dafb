//! An Autotask REST API v1.0 simulator over a generated dataset, at the real service's paths:
//! zone discovery (`/atservicesrest/v1.0/zoneInformation?user=`, answering with the simulator's
//! own address as the zone), the `ApiIntegrationCode` / `UserName` / `Secret` headers on every
//! other call (401 otherwise), `{Entity}/entityInformation/fields`, queries by `POST
//! {Entity}/query` and `GET {Entity}/query?search=` (at most 500 a page, in id order, with
//! `pageDetails.nextPageUrl`), `query/count`, single records, `PATCH` of companies and
//! configuration items, `ThresholdInformation`, and the limits (3 requests at once per entity:
//! the 4th is 429). Paths and header names match whatever their case, as Autotask does. Errors
//! are `{"errors":[...]}`; the faults of the ConnectWise simulator (500, malformed JSON or a cut
//! connection at page k, slowness, refused credentials, rate limiting) apply here too.

pub mod filter;
mod query;
pub mod records;
mod update;
use query::*;
use update::*;

use self::filter::Filter;
use self::records::{AtRecords, Entity};
use crate::faults::{FaultState, Faults, PageEffect};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// The REST root under the simulator's address, as the zone information gives it.
pub const ROOT: &str = "/atservicesrest";
/// Items a query page holds at most.
pub const MAX_RECORDS: usize = 500;
/// Requests one entity may have running at once.
pub const THREADS: usize = 3;
/// Requests an hour the database allows.
pub const HOURLY: u64 = 10_000;

/// The credentials the simulator accepts.
#[derive(Debug, Clone)]
pub struct AtCredentials {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

pub struct AtSimulator {
    pub credentials: AtCredentials,
    records: Mutex<AtRecords>,
    faults: Mutex<FaultState>,
    /// Requests running now, per entity.
    running: Mutex<HashMap<&'static str, usize>>,
    /// (start of the hour, requests in it).
    hour: Mutex<(Instant, u64)>,
}

impl AtSimulator {
    pub fn new(credentials: AtCredentials, records: AtRecords) -> Arc<AtSimulator> {
        Arc::new(AtSimulator {
            credentials,
            records: Mutex::new(records),
            faults: Mutex::new(FaultState::default()),
            running: Mutex::new(HashMap::new()),
            hour: Mutex::new((Instant::now(), 0)),
        })
    }

    pub fn records(&self) -> MutexGuard<'_, AtRecords> {
        self.records.lock().expect("records lock")
    }

    /// Sets how many requests this hour has seen already (as other integrations of the same
    /// database would have used them).
    pub fn set_hourly_usage(&self, requests: u64) {
        *self.hour.lock().expect("hour lock") = (Instant::now(), requests);
    }

    pub fn set_faults(&self, faults: Faults) {
        self.faults.lock().expect("faults lock").set(faults);
    }

    fn faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().expect("faults lock")
    }
}

/// Autotask's error body.
fn errors(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "errors": [message.into()] }))).into_response()
}

/// One running request of an entity, counted until dropped.
struct Thread<'a> {
    sim: &'a AtSimulator,
    entity: &'static str,
}

impl Drop for Thread<'_> {
    fn drop(&mut self) {
        let mut running = self.sim.running.lock().expect("running lock");
        if let Some(n) = running.get_mut(self.entity) {
            *n = n.saturating_sub(1);
        }
    }
}

impl AtSimulator {
    /// The checks every authenticated call passes first: credentials, the hourly count, the
    /// rate-limit fault, the three threads per entity, then the slowness fault.
    async fn gate(
        &self,
        headers: &HeaderMap,
        entity: &'static str,
    ) -> Result<Thread<'_>, Response> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.as_str().eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.to_str().ok())
        };
        // Autotask does not answer every credential failure with a 401 (apigrate/
        // autotask-restapi #19, from its maintainer: "if you enter an invalid username, you'll
        // get back an HTTP 500 status code, not a 401 … a valid username, but an invalid
        // password, … 401 … valid credentials, but an invalid integration code, … 500";
        // KelvinTegelaar/AutotaskAPI #62: a new API user's first call, "(500) Internal Server
        // Error"). The 500's body is Autotask's generic error (an assumption: no source quotes
        // it). No credentials at all is a 401.
        let c = &self.credentials;
        let user = header("UserName");
        let user_known = user.is_some_and(|u| u.eq_ignore_ascii_case(&c.username));
        let secret_right = header("Secret") == Some(c.secret.as_str());
        let code_right = header("ApiIntegrationCode") == Some(c.integration_code.as_str());
        let server_error = || {
            errors(
                StatusCode::INTERNAL_SERVER_ERROR,
                "An error has occurred. Please contact your administrator.",
            )
        };
        if user.is_some() && !user_known {
            return Err(server_error());
        }
        if !user_known || !secret_right || self.faults().faults.auth_failure {
            return Err(errors(
                StatusCode::UNAUTHORIZED,
                "User is not authorized: check the API user's username, secret and the API integration code",
            ));
        }
        if !code_right {
            return Err(server_error());
        }
        // Past half of the hourly threshold Autotask answers half a second late, past three
        // quarters a second late (Autotask's "API thresholds and limits": "latency of 0.5
        // seconds … when 50% of the threshold is reached … 1 second … 75%").
        let used = {
            let mut hour = self.hour.lock().expect("hour lock");
            if hour.0.elapsed() >= std::time::Duration::from_secs(3600) {
                *hour = (Instant::now(), 0);
            }
            hour.1 += 1;
            hour.1
        };
        let latency = if used > HOURLY * 3 / 4 {
            1000
        } else if used > HOURLY / 2 {
            500
        } else {
            0
        };
        if latency > 0 {
            // The service's own slowing (not a wait for readiness).
            tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
        }
        if let Some(wait) = self.faults().rate_limited(Instant::now()) {
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut resp = errors(
                StatusCode::TOO_MANY_REQUESTS,
                "The request rate exceeds the limit: wait and try again",
            );
            resp.headers_mut().insert("retry-after", secs.into());
            return Err(resp);
        }
        {
            let mut running = self.running.lock().expect("running lock");
            let n = running.entry(entity).or_default();
            if *n >= THREADS {
                return Err(errors(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("API thread threshold of {THREADS} threads has been exceeded"),
                ));
            }
            *n += 1;
        }
        let thread = Thread { sim: self, entity };
        let slow = self.faults().faults.slow_millis;
        if let Some(ms) = slow {
            // Simulated latency of a slow PSA (the fault a test asked for): the request holds
            // its thread meanwhile, as a slow query does on the real service.
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        Ok(thread)
    }
}

/// Control API: faults, as the ConnectWise simulator takes them.
async fn set_faults(State(sim): State<Arc<AtSimulator>>, Json(f): Json<Faults>) -> StatusCode {
    sim.set_faults(f);
    StatusCode::NO_CONTENT
}

pub fn router(sim: Arc<AtSimulator>) -> Router {
    Router::new()
        .route("/_sim/faults", put(set_faults))
        .fallback(dispatch)
        .with_state(sim)
}

/// The path's segments after the REST root and version, whatever their case
/// (`/atservicesrest/v1.0/...`, `/ATServicesRest/V1.0/...`).
fn api_path(uri: &Uri) -> Option<Vec<String>> {
    let path = uri.path().trim_end_matches('/');
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    if !segments.next()?.eq_ignore_ascii_case("atservicesrest") {
        return None;
    }
    if !segments.next()?.eq_ignore_ascii_case("v1.0") {
        return None;
    }
    Some(segments.map(str::to_string).collect())
}

async fn dispatch(
    State(sim): State<Arc<AtSimulator>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let Some(segments) = api_path(&uri) else {
        return errors(
            StatusCode::NOT_FOUND,
            format!("{} is not a route of this API", uri.path()),
        );
    };
    let origin = crate::origin(&headers);
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    // Zone discovery needs no credentials: it tells a client where its database lives.
    if lower.as_slice() == ["zoneinformation"] && method == Method::GET {
        return match param("user") {
            Some(user) if user.eq_ignore_ascii_case(&sim.credentials.username) => Json(json!({
                "zoneName": "Steward Simulator",
                "url": format!("{origin}{ROOT}/"),
                "webUrl": format!("{origin}/"),
                "ci": 0,
            }))
            .into_response(),
            _ => errors(
                StatusCode::NOT_FOUND,
                "Zone information could not be determined for this user",
            ),
        };
    }
    if lower.as_slice() == ["thresholdinformation"] && method == Method::GET {
        if let Err(refused) = sim.gate(&headers, "ThresholdInformation").await {
            return refused;
        }
        let used = sim.hour.lock().expect("hour lock").1;
        return Json(json!({
            "externalRequestThreshold": HOURLY,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": used,
        }))
        .into_response();
    }
    let Some(entity) = lower.first().and_then(|s| Entity::parse(s)) else {
        return errors(
            StatusCode::NOT_FOUND,
            format!("{} is not a route of this API", uri.path()),
        );
    };
    let _thread = match sim.gate(&headers, entity.name()).await {
        Ok(t) => t,
        Err(refused) => return refused,
    };
    match (&method, &lower[1..]) {
        (&Method::GET, ["entityinformation", "fields"]) => {
            Json(sim.records().field_info(entity)).into_response()
        }
        (&Method::POST, ["query"]) => query(&sim, entity, &body, &origin, Ask::Page(None)),
        (&Method::POST, ["query", "count"]) => query(&sim, entity, &body, &origin, Ask::Count),
        // A next page after a POST query is POSTed with the same body (WYRE-AI/autotask-mcp
        // #170: a GET on it answered 405); after a GET query (`?search=`) the link carries the
        // search and takes a GET (KelvinTegelaar/AutotaskAPI's Get-AutotaskAPIResource.ps1
        // follows it with the first request's method).
        (&Method::POST, ["query", "next"]) => match next_from(param("paging")) {
            Ok(next) => query(&sim, entity, &body, &origin, Ask::Page(Some(next))),
            Err(refused) => *refused,
        },
        (&Method::GET, ["query", "next"]) => match (param("search"), next_from(param("paging"))) {
            (Some(search), Ok(next)) => query(&sim, entity, search.as_bytes(), &origin, Ask::NextOfGet(next, search.to_string())),
            (Some(_), Err(refused)) => *refused,
            (None, _) => (
                StatusCode::METHOD_NOT_ALLOWED,
                Json(json!({ "Message": "The requested resource does not support http method 'GET'." })),
            )
                .into_response(),
        },
        (&Method::GET, ["query"] | ["query", "count"]) => {
            let Some(search) = param("search") else {
                return errors(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Value cannot be null. Parameter name: search",
                );
            };
            let ask = if lower.len() == 3 {
                Ask::Count
            } else {
                Ask::FirstOfGet(search.to_string())
            };
            query(&sim, entity, search.as_bytes(), &origin, ask)
        }
        (&Method::GET, [id]) => {
            let Ok(id) = id.parse::<i64>() else {
                return errors(
                    StatusCode::NOT_FOUND,
                    format!("{} is not a route of this API", uri.path()),
                );
            };
            let records = sim.records();
            let item = records.of(entity).find(id);
            Json(json!({ "item": item })).into_response()
        }
        (&Method::PATCH, [])
            if matches!(entity, Entity::Companies | Entity::ConfigurationItems) =>
        {
            update(&sim, entity, &body, Update::Patch)
        }
        (&Method::PUT, [])
            if matches!(entity, Entity::Companies | Entity::ConfigurationItems) =>
        {
            update(&sim, entity, &body, Update::Put)
        }
        _ => errors(
            StatusCode::NOT_FOUND,
            format!("{method} {} is not a route of this API", uri.path()),
        ),
    }
}
