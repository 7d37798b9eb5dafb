//! The Autotask connector's HTTP client: zone discovery, the `ApiIntegrationCode` / `UserName` /
//! `Secret` headers on every call, queries of 500 a page followed through `nextPageUrl` (only
//! on the configured zone, under its REST root), at most three requests at once per entity (the
//! fourth would be refused), retries of 429 and 5xx with backoff honouring `Retry-After`, no
//! redirects, and errors that carry Autotask's own message (`{"errors":[...]}`).

use crate::psa::{ConnectorError, RetryPolicy, Tries};
use app::model::PsaKind;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

const AT: PsaKind = PsaKind::Autotask;

/// Where Autotask says which zone (database) a user lives in.
pub const ZONE_DISCOVERY: &str = "https://webservices.autotask.net/atservicesrest";

/// What it takes to talk to one Autotask database. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AtCredentials {
    /// Where zone discovery was asked (an origin, e.g. https://webservices.autotask.net): the
    /// site the secret is bound to.
    #[serde(default)]
    pub site_url: String,
    /// The zone's REST root, e.g. https://webservices5.autotask.net/atservicesrest (from zone
    /// discovery).
    pub zone_url: String,
    pub username: String,
    pub secret: String,
    /// The API tracking identifier.
    pub integration_code: String,
}

impl std::fmt::Debug for AtCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AtCredentials")
            .field("site_url", &self.site_url)
            .field("zone_url", &self.zone_url)
            .field("username", &self.username)
            .field("secret", &"<redacted>")
            .field("integration_code", &self.integration_code)
            .finish()
    }
}

/// Autotask's message from an error body (`{"errors":["..."]}`), at most 300 characters without
/// control characters; anything else a remote answered is never repeated.
fn at_message(body: &str) -> String {
    let joined = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| {
            v.get("errors")?.as_array().map(|e| {
                e.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "no error message from Autotask".into());
    joined
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect()
}

/// Asks Autotask's zone discovery (at `discovery`, normally [`ZONE_DISCOVERY`]) where `username`'s
/// database is: the zone's REST root.
pub async fn discover_zone(
    discovery: &str,
    username: &str,
    reach: crate::psa::net::Reach,
) -> Result<String, ConnectorError> {
    reach.check_site(AT, discovery)?;
    let http = crate::psa::net::guarded(reach)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| transport("zoneInformation", e))?;
    let resp = http
        .get(format!(
            "{}/v1.0/zoneInformation",
            discovery.trim_end_matches('/')
        ))
        .query(&[("user", username)])
        .send()
        .await
        .map_err(|e| transport("zoneInformation", e))?;
    let status = resp.status().as_u16();
    let body = crate::psa::net::text(resp)
        .await
        .map_err(|e| transport("zoneInformation", e))?;
    let body = crate::psa::net::bounded(AT, "zoneInformation", body)?;
    if status != 200 {
        return Err(ConnectorError::Status {
            psa: AT,
            endpoint: "zoneInformation".into(),
            status,
            message: at_message(&body),
        });
    }
    serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("url")?
                .as_str()
                .map(|u| u.trim_end_matches('/').to_string())
        })
        .ok_or_else(|| ConnectorError::Malformed {
            psa: AT,
            endpoint: "zoneInformation".into(),
            message: "no url in the zone information".into(),
        })
}

fn transport(endpoint: &str, e: reqwest::Error) -> ConnectorError {
    ConnectorError::transport(AT, endpoint, &e)
}

/// A query to send: its first page, or a `nextPageUrl`. Both are POSTed with the query's own
/// search: Autotask answers a GET on a `…/query/next?paging=…` link after a POST query with 405
/// (reproduced live in WYRE-AI/autotask-mcp #170), so a client that GETs it never gets past the
/// first 500 records.
#[derive(Debug, Clone)]
pub enum Target {
    First,
    Next(String),
}

pub struct AtClient {
    http: reqwest::Client,
    /// The REST root with its version: `<zone>/v1.0`.
    base: String,
    headers: [(&'static str, String); 3],
    retry: RetryPolicy,
    /// Three requests at once per entity, as Autotask allows.
    threads: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    /// Requests sent since the hourly threshold was last read.
    since_check: std::sync::atomic::AtomicU64,
}

/// The share of Autotask's hourly request threshold the connector leaves to others: past 90 %
/// it stops (a failed listing changes nothing; the next run goes on).
const BUDGET_PERCENT: u64 = 90;
/// The threshold is read again after this many requests.
const CHECK_EVERY: u64 = 200;

/// Requests one entity may have running at once.
pub const THREADS: usize = 3;

impl AtClient {
    pub fn new(
        credentials: &AtCredentials,
        retry: RetryPolicy,
    ) -> Result<AtClient, ConnectorError> {
        retry.reach.check_site(AT, &credentials.zone_url)?;
        let http = crate::psa::net::guarded(retry.reach)
            // A redirect would take the secret elsewhere: Autotask answers directly.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(retry.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| transport(&credentials.zone_url, e))?;
        Ok(AtClient {
            http,
            base: format!("{}/v1.0", credentials.zone_url.trim_end_matches('/')),
            headers: [
                ("ApiIntegrationCode", credentials.integration_code.clone()),
                ("UserName", credentials.username.clone()),
                ("Secret", credentials.secret.clone()),
            ],
            retry,
            threads: std::sync::Mutex::new(HashMap::new()),
            since_check: std::sync::atomic::AtomicU64::new(CHECK_EVERY),
        })
    }

    /// Reads `ThresholdInformation` every `CHECK_EVERY` requests (and before the first), and
    /// refuses to go on past 90 % of the hourly threshold: the database is shared with every
    /// other integration of the MSP's Autotask.
    async fn within_budget(&self) -> Result<(), ConnectorError> {
        use std::sync::atomic::Ordering;
        if self.since_check.fetch_add(1, Ordering::Relaxed) < CHECK_EVERY {
            return Ok(());
        }
        self.since_check.store(1, Ordering::Relaxed);
        let info = self
            .send(
                reqwest::Method::GET,
                &format!("{}/ThresholdInformation", self.base),
                "ThresholdInformation",
                None,
            )
            .await?;
        let limit = info["externalRequestThreshold"].as_u64().unwrap_or(10_000);
        let used = info["currentTimeframeRequestCount"].as_u64().unwrap_or(0);
        if used * 100 >= limit * BUDGET_PERCENT {
            return Err(ConnectorError::Status {
                psa: AT,
                endpoint: "ThresholdInformation".into(),
                status: 429,
                message: format!(
                    "{used} of the {limit} requests Autotask allows this hour are \
                        used: Steward stops at {BUDGET_PERCENT} % and the next sync goes on"
                ),
            });
        }
        Ok(())
    }

    fn threads(&self, entity: &str) -> Arc<tokio::sync::Semaphore> {
        self.threads
            .lock()
            .expect("threads lock")
            .entry(entity.to_ascii_lowercase())
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(THREADS)))
            .clone()
    }

    /// A `nextPageUrl` is followed only on the configured zone, under its REST root.
    fn check_next(&self, url: &str, entity: &str) -> Result<(), ConnectorError> {
        let ok = url::Url::parse(url)
            .ok()
            .zip(url::Url::parse(&self.base).ok())
            .is_some_and(|(next, base)| {
                next.origin() == base.origin()
                    && next.username().is_empty()
                    && next.password().is_none()
                    && next
                        .path()
                        .to_ascii_lowercase()
                        .starts_with(&base.path().to_ascii_lowercase())
            });
        if ok {
            Ok(())
        } else {
            Err(ConnectorError::Malformed {
                psa: AT,
                endpoint: entity.into(),
                message: "the answer's next-page link points away from the configured \
                    zone; it was not followed"
                    .into(),
            })
        }
    }

    /// Sends one request with retries; the JSON answer. `entity` names it in errors and picks
    /// its three threads.
    async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        entity: &str,
        body: Option<&Value>,
    ) -> Result<Value, ConnectorError> {
        self.send_tries(method, url, entity, body, self.retry.max_attempts)
            .await
    }

    /// `send` with at most `tries` attempts (a write gets one: it is not retried blindly); a
    /// write waits for its entity's three threads like any read.
    async fn send_tries(
        &self,
        method: reqwest::Method,
        url: &str,
        entity: &str,
        body: Option<&Value>,
        tries: u32,
    ) -> Result<Value, ConnectorError> {
        let threads = self.threads(entity);
        let mut tries = Tries::new(&self.retry, tries);
        loop {
            tries.start();
            let sent = {
                let _thread = threads
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                let mut req = self
                    .http
                    .request(method.clone(), url)
                    .header("accept", "application/json");
                for (name, value) in &self.headers {
                    req = req.header(*name, value);
                }
                if let Some(b) = body {
                    req = req.json(b);
                }
                crate::psa::net::exchange(req).await
            };
            let (status, headers, text) = match sent {
                Ok(answer) => answer,
                Err(e) => {
                    tries.after_failure(AT, entity, &e).await?;
                    continue;
                }
            };
            let text = crate::psa::net::bounded(AT, entity, text)?;
            match status {
                200..=299 => {
                    return serde_json::from_str(&text).map_err(|e| ConnectorError::Malformed {
                        psa: AT,
                        endpoint: entity.into(),
                        message: e.to_string(),
                    })
                }
                401 | 403 => {
                    return Err(ConnectorError::Unauthorized {
                        psa: AT,
                        endpoint: entity.into(),
                        message: at_message(&text),
                    })
                }
                429 | 500..=599 if tries.after_refusal(AT, entity, status, &headers).await => {}
                _ => {
                    return Err(ConnectorError::Status {
                        psa: AT,
                        endpoint: entity.into(),
                        status,
                        message: at_message(&text),
                    })
                }
            }
        }
    }

    /// One page of a query: its items and the next page to ask for.
    pub async fn page(
        &self,
        entity: &str,
        search: &Value,
        target: Target,
    ) -> Result<(Vec<Value>, Option<Target>), ConnectorError> {
        self.within_budget().await?;
        let url = match target {
            Target::First => format!("{}/{entity}/query", self.base),
            Target::Next(url) => {
                self.check_next(&url, entity)?;
                url
            }
        };
        let answer = self
            .send(reqwest::Method::POST, &url, entity, Some(search))
            .await?;
        let items = answer
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| ConnectorError::Malformed {
                psa: AT,
                endpoint: entity.into(),
                message: "no items in the answer".into(),
            })?;
        let next = answer
            .pointer("/pageDetails/nextPageUrl")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .map(|u| Target::Next(u.to_string()));
        Ok((items, next))
    }

    /// `POST {entity}/query/count` with a search's filter: how many records it selects.
    pub async fn count(&self, entity: &str, search: &Value) -> Result<u64, ConnectorError> {
        self.within_budget().await?;
        let filter = json!({ "filter": search.get("filter").cloned().unwrap_or(Value::Null) });
        let answer = self
            .send(
                reqwest::Method::POST,
                &format!("{}/{entity}/query/count", self.base),
                entity,
                Some(&filter),
            )
            .await?;
        answer["queryCount"]
            .as_u64()
            .ok_or_else(|| ConnectorError::Malformed {
                psa: AT,
                endpoint: entity.into(),
                message: "no queryCount in the answer".into(),
            })
    }

    /// `GET {entity}/entityInformation/fields`.
    pub async fn fields(&self, entity: &str) -> Result<Value, ConnectorError> {
        self.send(
            reqwest::Method::GET,
            &format!("{}/{entity}/entityInformation/fields", self.base),
            entity,
            None,
        )
        .await
    }

    /// `GET {entity}/{id}`: the record, or None.
    pub async fn item(&self, entity: &str, id: i64) -> Result<Option<Value>, ConnectorError> {
        let v = self
            .send(
                reqwest::Method::GET,
                &format!("{}/{entity}/{id}", self.base),
                entity,
                None,
            )
            .await?;
        Ok(v.get("item").filter(|i| !i.is_null()).cloned())
    }

    /// `PATCH {entity}` with `id` and the changed fields, once (a write is not retried blindly).
    pub async fn patch(&self, entity: &str, body: &Value) -> Result<(), ConnectorError> {
        self.send_tries(
            reqwest::Method::PATCH,
            &format!("{}/{entity}", self.base),
            entity,
            Some(body),
            1,
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret_and_messages_are_autotasks_own() {
        let c = AtCredentials {
            site_url: String::new(),
            zone_url: "https://webservices5.autotask.net/atservicesrest".into(),
            username: "api@x.example".into(),
            secret: "very-secret".into(),
            integration_code: "CODE".into(),
        };
        assert!(!format!("{c:?}").contains("very-secret"));
        assert_eq!(at_message(r#"{"errors":["A","B"]}"#), "A; B");
        assert_eq!(
            at_message("<html>proxy</html>"),
            "no error message from Autotask"
        );
    }

    #[test]
    fn next_pages_are_followed_only_on_the_zone() {
        let c = AtClient::new(
            &AtCredentials {
                site_url: String::new(),
                zone_url: "https://webservices5.autotask.net/atservicesrest".into(),
                username: "u".into(),
                secret: "s".into(),
                integration_code: "c".into(),
            },
            RetryPolicy::default(),
        )
        .unwrap();
        assert!(c
            .check_next(
                "https://webservices5.autotask.net/ATServicesRest/V1.0/Companies/query?search=x",
                "Companies"
            )
            .is_ok());
        for bad in [
            "https://evil.example/atservicesrest/v1.0/Companies/query",
            "http://webservices5.autotask.net/atservicesrest/v1.0/Companies/query",
            "https://webservices5.autotask.net/other/Companies",
        ] {
            assert!(c.check_next(bad, "Companies").is_err(), "{bad}");
        }
    }
}
