//! The HaloPSA connector's HTTP client: OAuth2 client credentials (`POST {base}/auth/token`,
//! `?tenant=` for a hosted tenant), the bearer token renewed before it expires and once more
//! when the API answers 401, requests kept under hosted Halo's 300 in 5 minutes (a rolling
//! window of its own, then 429s waited out as `Retry-After` says), retries of 5xx with backoff,
//! no redirects, and errors that carry Halo's own message.

use crate::psa::{ConnectorError, RetryPolicy, Tries};
use app::model::PsaKind;
use serde_json::Value;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

const HALO: PsaKind = PsaKind::Halopsa;

/// Requests Steward sends in any five minutes: under hosted Halo's 300, leaving room for the
/// MSP's other integrations.
pub const BUDGET: usize = 270;
pub const WINDOW: Duration = Duration::from_secs(300);

/// What it takes to talk to one Halo instance. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HaloCredentials {
    /// The instance's address, e.g. https://acme.halopsa.com (the API is under `/api`, the
    /// identity server under `/auth`).
    pub site_url: String,
    /// The hosted tenant's name; empty for an instance of its own.
    #[serde(default)]
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for HaloCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaloCredentials")
            .field("site_url", &self.site_url)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Halo's message from an error body: a JSON string, an OAuth `error_description`, or a
/// `message`; at most 300 characters without control characters. Anything else a remote
/// answered is never repeated.
pub(crate) fn halo_message(body: &str) -> String {
    let v = serde_json::from_str::<Value>(body).ok();
    let text = v.as_ref().and_then(|v| match v {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o
            .get("error_description")
            .or_else(|| o.get("message"))
            .and_then(Value::as_str),
        _ => None,
    });
    text.filter(|m| !m.trim().is_empty())
        .unwrap_or("no error message from HaloPSA")
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect()
}

fn transport(endpoint: &str, e: reqwest::Error) -> ConnectorError {
    ConnectorError::transport(HALO, endpoint, &e)
}

fn malformed(endpoint: &str, message: impl Into<String>) -> ConnectorError {
    ConnectorError::Malformed {
        psa: HALO,
        endpoint: endpoint.into(),
        message: message.into(),
    }
}

pub struct HaloClient {
    http: reqwest::Client,
    base: String,
    credentials: HaloCredentials,
    retry: RetryPolicy,
    /// The bearer token and when it stops working.
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
    /// When each request of the last window was sent.
    sent: tokio::sync::Mutex<VecDeque<Instant>>,
    /// Requests allowed in any `window` ([`BUDGET`] in [`WINDOW`] unless a test says otherwise).
    budget: usize,
    window: Duration,
}

impl HaloClient {
    pub fn new(
        credentials: &HaloCredentials,
        retry: RetryPolicy,
    ) -> Result<HaloClient, ConnectorError> {
        retry.reach.check_site(HALO, &credentials.site_url)?;
        let http = crate::psa::net::guarded(retry.reach)
            // A redirect would take the token elsewhere: Halo answers directly.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(retry.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| transport("auth/token", e))?;
        Ok(HaloClient {
            http,
            base: credentials.site_url.trim_end_matches('/').to_string(),
            credentials: credentials.clone(),
            retry,
            token: tokio::sync::Mutex::new(None),
            sent: tokio::sync::Mutex::new(VecDeque::new()),
            budget: BUDGET,
            window: WINDOW,
        })
    }

    /// Another budget: `requests` in any `window`.
    pub fn with_budget(mut self, requests: usize, window: Duration) -> HaloClient {
        self.budget = requests.max(1);
        self.window = window;
        self
    }

    /// Waits until one more request stays within the budget in the rolling window, and counts
    /// it from now; [`HaloClient::answered`] moves it to when its answer came, since Halo counts
    /// it somewhere in between (a late answer must not let the next request in early).
    async fn take_turn(&self) -> Instant {
        loop {
            let wait = {
                let mut sent = self.sent.lock().await;
                let now = Instant::now();
                sent.retain(|t| now.duration_since(*t) < self.window);
                if sent.len() < self.budget {
                    sent.push_back(now);
                    return now;
                }
                let oldest = sent.iter().min().copied().unwrap_or(now);
                self.window.saturating_sub(now.duration_since(oldest))
            };
            tracing::info!(
                wait_ms = wait.as_millis() as u64,
                "HaloPSA request budget used: waiting"
            );
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// How long to wait after a 429, or None when Halo has refused for longer than the policy's
    /// patience (by default its whole window and a little more: then the limit is taken by
    /// something that does not stop, and the run fails). Hosted Halo sends no `Retry-After`
    /// (KelvinTegelaar/PowerShellWarrantyReports #51), and a few seconds are not enough
    /// (homotechsual/HaloAPI #31: ten waits of 5 s, then failure): wait a tenth of the window
    /// at a time. A `Retry-After`, if one comes, is taken within the window.
    fn limited_wait(
        &self,
        headers: &reqwest::header::HeaderMap,
        since: &mut Option<Instant>,
    ) -> Option<Duration> {
        let first = *since.get_or_insert_with(Instant::now);
        let patience = self.retry.limit_patience;
        let spent = first.elapsed();
        if spent >= patience {
            return None;
        }
        let asked = headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Some(
            asked
                .unwrap_or(self.window / 10)
                .min(self.window)
                .min(patience - spent)
                .max(Duration::from_millis(1)),
        )
    }

    /// The error when Halo kept refusing for the policy's patience.
    fn still_limited(&self, endpoint: &str) -> ConnectorError {
        let waited = crate::psa::humane(self.retry.limit_patience);
        ConnectorError::Status {
            psa: HALO,
            endpoint: endpoint.into(),
            status: 429,
            message: format!(
                "HaloPSA refused every request for {waited}: its request limit is used \
                    up by something else that shares it. Nothing was changed; the next sync tries \
                    again"
            ),
        }
    }

    /// The request counted at `turn` was answered: it counts from now.
    async fn answered(&self, turn: Instant) {
        let mut sent = self.sent.lock().await;
        if let Some(t) = sent.iter_mut().find(|t| **t == turn) {
            *t = Instant::now();
        }
    }

    /// A live token: the saved one unless it ends within a minute (or `renew` says it was
    /// refused), else a new one from `/auth/token`.
    async fn token(&self, renew: bool) -> Result<String, ConnectorError> {
        let mut saved = self.token.lock().await;
        if let Some((token, until)) = saved.as_ref() {
            if !renew && *until > Instant::now() + Duration::from_secs(60) {
                return Ok(token.clone());
            }
        }
        let c = &self.credentials;
        let mut url = format!("{}/auth/token", self.base);
        if !c.tenant.is_empty() {
            let tenant: String =
                url::form_urlencoded::byte_serialize(c.tenant.as_bytes()).collect();
            url = format!("{url}?tenant={tenant}");
        }
        let mut tries = Tries::new(&self.retry, self.retry.max_attempts);
        let mut limited = None;
        let (status, text) = loop {
            tries.start();
            let turn = self.take_turn().await;
            let req = self
                .http
                .post(&url)
                .header("accept", "application/json")
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", c.client_id.as_str()),
                    ("client_secret", c.client_secret.as_str()),
                    ("scope", "all"),
                ]);
            let sent = crate::psa::net::exchange(req).await;
            self.answered(turn).await;
            match sent {
                Ok((429, headers, _)) => {
                    tries.give_back();
                    match self.limited_wait(&headers, &mut limited) {
                        Some(wait) => tokio::time::sleep(wait).await,
                        None => return Err(self.still_limited("auth/token")),
                    }
                }
                Ok((status @ 500..=599, headers, _))
                    if tries
                        .after_refusal(HALO, "auth/token", status, &headers)
                        .await => {}
                Ok((status, _, text)) => break (status, text),
                Err(e) => tries.after_failure(HALO, "auth/token", &e).await?,
            }
        };
        let text = crate::psa::net::bounded(HALO, "auth/token", text)?;
        match status {
            200 => {}
            500..=599 => {
                // Hosted Halo answers a tenant it does not know (or a missing one) with a 500,
                // not an OAuth error (PyPI halopsa 2.0.2, HaloPSA/Halo.py).
                let tenant: String = c
                    .tenant
                    .chars()
                    .filter(|ch| !ch.is_control())
                    .take(80)
                    .collect();
                let asked = if tenant.is_empty() {
                    "without a tenant".to_string()
                } else {
                    format!("for the tenant \"{tenant}\"")
                };
                return Err(ConnectorError::Unauthorized {
                    psa: HALO,
                    endpoint: "auth/token".into(),
                    message: format!(
                        "HaloPSA's sign-in answered {status} {asked}, which is how \
                            hosted Halo answers a tenant it does not know: check the tenant name"
                    ),
                });
            }
            400 | 401 | 403 => {
                return Err(ConnectorError::Unauthorized {
                    psa: HALO,
                    endpoint: "auth/token".into(),
                    message: halo_message(&text),
                })
            }
            _ => {
                return Err(ConnectorError::Status {
                    psa: HALO,
                    endpoint: "auth/token".into(),
                    status,
                    message: halo_message(&text),
                })
            }
        }
        let v: Value =
            serde_json::from_str(&text).map_err(|e| malformed("auth/token", e.to_string()))?;
        let token = v["access_token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| malformed("auth/token", "no access_token in the answer"))?
            .to_string();
        // Any lifetime a site sends, within reason: `expires_in` of u64::MAX must not overflow
        // the clock (a hostile site chooses it), and a token is renewed at least daily.
        let lifetime = Duration::from_secs(v["expires_in"].as_u64().unwrap_or(3600).min(86_400));
        let until = Instant::now()
            .checked_add(lifetime)
            .unwrap_or_else(Instant::now);
        *saved = Some((token.clone(), until));
        Ok(token)
    }

    /// Sends one API request (`path` under `/api/`) with retries: a 401 renews the token once,
    /// 429 and 5xx wait and try again (a write gets one try: it is not retried blindly). The
    /// JSON answer, or None for 404.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, ConnectorError> {
        let endpoint = path.split('/').next().unwrap_or(path);
        let tries = if method == reqwest::Method::GET {
            self.retry.max_attempts
        } else {
            1
        };
        let mut tries = Tries::new(&self.retry, tries);
        let mut renewed = false;
        let mut limited = None;
        loop {
            tries.start();
            let token = self.token(false).await?;
            let turn = self.take_turn().await;
            let mut req = self
                .http
                .request(method.clone(), format!("{}/api/{path}", self.base))
                .bearer_auth(&token)
                .header("accept", "application/json")
                .query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            let sent = crate::psa::net::exchange(req).await;
            self.answered(turn).await;
            let (status, headers, text) = match sent {
                Ok(answer) => answer,
                Err(e) => {
                    tries.after_failure(HALO, endpoint, &e).await?;
                    continue;
                }
            };
            let text = crate::psa::net::bounded(HALO, endpoint, text)?;
            match status {
                200..=299 => {
                    return serde_json::from_str(&text)
                        .map(Some)
                        .map_err(|e| malformed(endpoint, e.to_string()))
                }
                404 => return Ok(None),
                401 if !renewed => {
                    // The token ended early (Halo restarted, or it was revoked): once more with
                    // a new one, this try not counted.
                    renewed = true;
                    tries.give_back();
                    self.token(true).await?;
                }
                401 | 403 => {
                    return Err(ConnectorError::Unauthorized {
                        psa: HALO,
                        endpoint: endpoint.into(),
                        message: halo_message(&text),
                    })
                }
                429 => {
                    // Over the limit (other integrations share it): wait and try again, a
                    // write too (it was not carried out); the wait is not a try.
                    tries.give_back();
                    let Some(wait) = self.limited_wait(&headers, &mut limited) else {
                        return Err(self.still_limited(endpoint));
                    };
                    tracing::warn!(
                        endpoint,
                        wait_ms = wait.as_millis() as u64,
                        "HaloPSA's limit is reached: waiting"
                    );
                    tokio::time::sleep(wait).await;
                }
                500..=599 if tries.after_refusal(HALO, endpoint, status, &headers).await => {}
                _ => {
                    return Err(ConnectorError::Status {
                        psa: HALO,
                        endpoint: endpoint.into(),
                        status,
                        message: halo_message(&text),
                    })
                }
            }
        }
    }

    /// One page (1-based) of a list: its records and the list's `record_count`.
    pub async fn page(
        &self,
        entity: &str,
        key: &str,
        query: &[(&str, String)],
        page_no: u32,
        page_size: u32,
    ) -> Result<(Vec<Value>, u64), ConnectorError> {
        let mut q: Vec<(&str, String)> = query.to_vec();
        q.extend([
            ("pageinate", "true".to_string()),
            ("page_size", page_size.to_string()),
            ("page_no", page_no.to_string()),
        ]);
        let answer = self
            .send(reqwest::Method::GET, entity, &q, None)
            .await?
            .ok_or_else(|| malformed(entity, "the list answered 404"))?;
        let items = answer
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| malformed(entity, format!("no {key} in the answer")))?;
        let count = answer["record_count"]
            .as_u64()
            .ok_or_else(|| malformed(entity, "no record_count in the answer"))?;
        Ok((items, count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret_and_messages_are_halos_own() {
        let c = HaloCredentials {
            site_url: "https://acme.halopsa.com".into(),
            tenant: String::new(),
            client_id: "id".into(),
            client_secret: "very-secret".into(),
        };
        assert!(!format!("{c:?}").contains("very-secret"));
        assert_eq!(
            halo_message(r#""Asset type 9 does not exist""#),
            "Asset type 9 does not exist"
        );
        assert_eq!(
            halo_message(r#"{"error":"invalid_client","error_description":"bad"}"#),
            "bad"
        );
        assert_eq!(
            halo_message("<html>password</html>"),
            "no error message from HaloPSA"
        );
    }
}
