//! The ConnectWise Manage connector's HTTP client: builds requests as the real API wants them
//! (Basic `company+public:private`, the `clientId` header, `/{codebase}apis/3.0` with the codebase
//! `login/companyinfo/{company}` names), follows
//! `Link` headers through navigable or forward-only pages of up to 1000 records, retries 429 and
//! 5xx with exponential backoff honouring `Retry-After`, within a bound, and maps every failure
//! to an error naming the endpoint and the PSA's own message.

use crate::psa::{ConnectorError, RetryPolicy, Tries};
use app::model::PsaKind;
use base64::Engine;
use serde_json::Value;
use std::time::Duration;

/// The API base when the site does not name its codebase: every cloud and on-premises site
/// still answers under it.
pub const API_BASE: &str = "/v4_6_release/apis/3.0";
pub const PAGE_SIZE: usize = 1000;

/// What it takes to talk to one ConnectWise Manage site. `Debug` never shows the private key.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CwCredentials {
    /// e.g. https://na.myconnectwise.net (no trailing slash needed).
    pub site_url: String,
    pub company_id: String,
    pub public_key: String,
    pub private_key: String,
    pub client_id: String,
}

impl std::fmt::Debug for CwCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CwCredentials")
            .field("site_url", &self.site_url)
            .field("company_id", &self.company_id)
            .field("public_key", &self.public_key)
            .field("private_key", &"<redacted>")
            .field("client_id", &self.client_id)
            .finish()
    }
}

/// ConnectWise Manage, as its errors name it.
pub const CW: PsaKind = PsaKind::ConnectwiseManage;

/// The PSA's own message from an error body (`{"code","message","errors":[{"message"}]}`), with
/// its field errors, at most 300 characters without control characters. Anything else the
/// answer held (an HTML page, a proxy's text) is never repeated: a site that is not the PSA
/// must not be able to show its content through Steward.
fn psa_message(body: &str) -> String {
    const NONE: &str = "no error message from ConnectWise Manage";
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return NONE.to_string();
    };
    let Some(message) = v.get("message").and_then(|m| m.as_str()) else {
        return NONE.to_string();
    };
    let details: Vec<&str> = v
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e.get("message").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let full = if details.is_empty() {
        message.to_string()
    } else {
        format!("{message}: {}", details.join("; "))
    };
    full.chars().filter(|c| !c.is_control()).take(300).collect()
}

/// The `rel="next"` target of a `Link` header (RFC 8288: `<target>; rel="next", <...>; ...`).
/// Targets are split on their angle brackets, not on commas, which a query may hold.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    let link = headers.get("link")?.to_str().ok()?;
    let mut rest = link;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let params = &after[close + 1..];
        let params = &params[..params.find('<').unwrap_or(params.len())];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim()
                        .trim_matches('"')
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            })
        });
        if is_next {
            return Some(target.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

pub struct CwClient {
    http: reqwest::Client,
    site: String,
    authorization: String,
    client_id: String,
    /// `company_id`, for `login/companyinfo/{company}`.
    company: String,
    retry: RetryPolicy,
    /// `/{codebase}apis/3.0`, read once from the site (see `api_base`).
    base: tokio::sync::OnceCell<String>,
}

/// The API base a `Codebase` names (`"v2025_1/"` → `/v2025_1/apis/3.0`), if it is one: a
/// codebase is one path segment of letters, digits, `_` and `.`, nothing a hostile site could
/// use to send the credentials to another path.
pub fn base_of_codebase(codebase: &str) -> Option<String> {
    let name = codebase.trim().trim_matches('/');
    let plain = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with('.');
    plain.then(|| format!("/{name}/apis/3.0"))
}

impl CwClient {
    pub fn new(
        credentials: &CwCredentials,
        retry: RetryPolicy,
    ) -> Result<CwClient, ConnectorError> {
        retry.reach.check_site(CW, &credentials.site_url)?;
        let http = crate::psa::net::guarded(retry.reach)
            // A redirect would take the credentials elsewhere: the PSA answers directly.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(retry.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ConnectorError::transport(CW, credentials.site_url.clone(), &e))?;
        let userpass = format!(
            "{}+{}:{}",
            credentials.company_id, credentials.public_key, credentials.private_key
        );
        Ok(CwClient {
            http,
            site: credentials.site_url.trim_end_matches('/').to_string(),
            authorization: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(userpass)
            ),
            client_id: credentials.client_id.clone(),
            company: credentials.company_id.clone(),
            retry,
            base: tokio::sync::OnceCell::new(),
        })
    }

    /// The site's API base, from the `Codebase` of `login/companyinfo/{company}` (ConnectWise's
    /// developer guide, "Calling Company Info": the API is at `https://SITE/{codebase}apis/3.0`;
    /// christaylorcodes/ConnectWiseManageAPI's `Connect-CWM` builds it the same way). Read once
    /// per client. A site that does not answer it, or names no plain codebase, is spoken to
    /// under `v4_6_release`, which every site answers; a transport failure is not remembered, so
    /// the next request asks again.
    pub async fn api_base(&self) -> &str {
        if let Some(b) = self.base.get() {
            return b;
        }
        let company: String =
            url::form_urlencoded::byte_serialize(self.company.as_bytes()).collect();
        let url = format!("{}/login/companyinfo/{company}", self.site);
        let answer = async {
            let resp = self
                .http
                .get(&url)
                .header("accept", "application/json")
                .send()
                .await?;
            let ok = resp.status().is_success();
            let body = crate::psa::net::text(resp).await?;
            Ok::<_, reqwest::Error>(ok.then_some(body))
        }
        .await;
        let base = match answer {
            Err(e) => {
                tracing::warn!(error = %e, "ConnectWise's company info did not answer; \
                    using v4_6_release");
                return API_BASE;
            }
            Ok(body) => body
                .and_then(|b| serde_json::from_str::<Value>(&b).ok())
                .and_then(|v| {
                    v.get("Codebase")
                        .and_then(Value::as_str)
                        .and_then(base_of_codebase)
                })
                .unwrap_or_else(|| API_BASE.to_string()),
        };
        self.base.get_or_init(|| async { base }).await
    }

    /// The URL of a target: an endpoint under the API base, a path from the site's root, or an
    /// absolute `Link` target, which the real service sends (`https://HOST/v4_6_release/...`).
    /// An absolute target is followed only on the configured site (same scheme, host and port)
    /// and under the API base: the credentials never go anywhere else.
    fn resolve(&self, target: &str, base: &str) -> Result<String, ConnectorError> {
        if target.starts_with(base) {
            return Ok(format!("{}{target}", self.site));
        }
        if !target.contains("://") {
            return Ok(format!(
                "{}{base}/{}",
                self.site,
                target.trim_start_matches('/')
            ));
        }
        let foreign = || ConnectorError::Malformed {
            psa: CW,
            endpoint: target.split('?').next().unwrap_or(target).to_string(),
            message: "the answer's next-page link points away from the configured \
                site; it was not followed"
                .into(),
        };
        let link = url::Url::parse(target).map_err(|_| foreign())?;
        let site = url::Url::parse(&self.site).map_err(|_| foreign())?;
        if link.origin() != site.origin()
            || !link.username().is_empty()
            || link.password().is_some()
            || !link.path().starts_with(&format!("{base}/"))
        {
            return Err(foreign());
        }
        let mut url = format!("{}{}", self.site, link.path());
        if let Some(q) = link.query() {
            url.push('?');
            url.push_str(q);
        }
        Ok(url)
    }

    /// GETs `path_and_query` (under the API base, or a full `Link` target), with retries.
    /// Returns the JSON and the next page's link.
    async fn get(
        &self,
        target: &str,
        forward_only: bool,
    ) -> Result<(Value, Option<String>), ConnectorError> {
        let base = self.api_base().await;
        let url = self.resolve(target, base)?;
        let endpoint = url
            .split('?')
            .next()
            .unwrap_or(&url)
            .trim_start_matches(&self.site)
            .trim_start_matches(base)
            .trim_start_matches('/')
            .to_string();
        let mut tries = Tries::new(&self.retry, self.retry.max_attempts);
        loop {
            tries.start();
            let mut req = self
                .http
                .get(&url)
                .header("authorization", &self.authorization)
                .header("clientId", &self.client_id)
                .header("accept", "application/json");
            if forward_only {
                req = req.header("pagination-type", "forward-only");
            }
            // A refused connection and an answer cut half-way are the same failure: retry both.
            let (status, headers, body) = match crate::psa::net::exchange(req).await {
                Ok(answer) => answer,
                Err(e) => {
                    tries.after_failure(CW, &endpoint, &e).await?;
                    continue;
                }
            };
            let body = crate::psa::net::bounded(CW, &endpoint, body)?;
            match status {
                200..=299 => {
                    let json =
                        serde_json::from_str(&body).map_err(|e| ConnectorError::Malformed {
                            psa: CW,
                            endpoint: endpoint.clone(),
                            message: e.to_string(),
                        })?;
                    return Ok((json, next_link(&headers)));
                }
                401 | 403 => {
                    return Err(ConnectorError::Unauthorized {
                        psa: CW,
                        endpoint,
                        message: psa_message(&body),
                    })
                }
                429 | 500..=599 if tries.after_refusal(CW, &endpoint, status, &headers).await => {}
                _ => {
                    return Err(ConnectorError::Status {
                        psa: CW,
                        endpoint,
                        status,
                        message: psa_message(&body),
                    })
                }
            }
        }
    }

    /// Appends `conditions` (URL-encoded) to a target that has `sep` before its next parameter.
    fn with_conditions(mut target: String, conditions: Option<&str>, sep: char) -> String {
        if let Some(c) = conditions {
            let encoded: String = url::form_urlencoded::byte_serialize(c.as_bytes()).collect();
            target.push_str(&format!("{sep}conditions={encoded}"));
        }
        target
    }

    /// `PATCH {endpoint}` with a JSON Patch array, once (a write is not retried blindly).
    pub async fn patch(&self, endpoint: &str, ops: &Value) -> Result<Value, ConnectorError> {
        self.write(reqwest::Method::PATCH, endpoint, Some(ops))
            .await
    }

    /// `POST {endpoint}` with a new record, once; the answer is the record as created.
    pub async fn post(&self, endpoint: &str, record: &Value) -> Result<Value, ConnectorError> {
        self.write(reqwest::Method::POST, endpoint, Some(record))
            .await
    }

    /// `DELETE {endpoint}`, once.
    pub async fn delete(&self, endpoint: &str) -> Result<(), ConnectorError> {
        self.write(reqwest::Method::DELETE, endpoint, None)
            .await
            .map(|_| ())
    }

    /// One write, not retried blindly: a write that failed half-way may have been applied.
    async fn write(
        &self,
        method: reqwest::Method,
        endpoint: &str,
        body: Option<&Value>,
    ) -> Result<Value, ConnectorError> {
        let url = format!(
            "{}{}/{}",
            self.site,
            self.api_base().await,
            endpoint.trim_start_matches('/')
        );
        let mut req = self
            .http
            .request(method, &url)
            .header("authorization", &self.authorization)
            .header("clientId", &self.client_id)
            .header("accept", "application/json");
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| ConnectorError::transport(CW, endpoint, &e))?;
        let status = resp.status().as_u16();
        let body = crate::psa::net::text(resp)
            .await
            .map_err(|e| ConnectorError::transport(CW, endpoint, &e))?;
        let body = crate::psa::net::bounded(CW, endpoint, body)?;
        match status {
            // A DELETE answers 204 with no body.
            200..=299 if body.trim().is_empty() => Ok(Value::Null),
            200..=299 => serde_json::from_str(&body).map_err(|e| ConnectorError::Malformed {
                psa: CW,
                endpoint: endpoint.into(),
                message: e.to_string(),
            }),
            401 | 403 => Err(ConnectorError::Unauthorized {
                psa: CW,
                endpoint: endpoint.into(),
                message: psa_message(&body),
            }),
            _ => Err(ConnectorError::Status {
                psa: CW,
                endpoint: endpoint.into(),
                status,
                message: psa_message(&body),
            }),
        }
    }

    /// Whether one record exists (`GET {endpoint}` answers 200, not 404).
    pub async fn exists(&self, endpoint: &str) -> Result<bool, ConnectorError> {
        match self.get(endpoint, false).await {
            Ok(_) => Ok(true),
            Err(ConnectorError::Status { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The site's system info: the cheapest call that proves the credentials work.
    pub async fn system_info(&self) -> Result<Value, ConnectorError> {
        Ok(self.get("system/info", false).await?.0)
    }

    /// `{endpoint}/count` with optional conditions.
    pub async fn count(
        &self,
        endpoint: &str,
        conditions: Option<&str>,
    ) -> Result<u64, ConnectorError> {
        let target = Self::with_conditions(format!("{endpoint}/count"), conditions, '?');
        let (v, _) = self.get(&target, false).await?;
        v.get("count")
            .and_then(Value::as_u64)
            .ok_or_else(|| ConnectorError::Malformed {
                psa: CW,
                endpoint: target,
                message: "no count in the answer".into(),
            })
    }

    /// The first page's URL of a listing of `endpoint` (1000 a page, in id order).
    pub fn list_target(endpoint: &str, conditions: Option<&str>) -> String {
        Self::with_conditions(
            format!("{endpoint}?pageSize={PAGE_SIZE}&orderBy=id%20asc"),
            conditions,
            '&',
        )
    }

    /// One page of a listing: its records and the next page's URL, if any.
    pub async fn page(
        &self,
        target: &str,
        endpoint: &str,
        forward_only: bool,
    ) -> Result<(Vec<Value>, Option<String>), ConnectorError> {
        let (page, link) = self.get(target, forward_only).await?;
        let Value::Array(records) = page else {
            return Err(ConnectorError::Malformed {
                psa: CW,
                endpoint: endpoint.into(),
                message: "a list was expected".into(),
            });
        };
        Ok((records, link))
    }

    /// Every record of `endpoint` matching `conditions`, page by page (1000 a page), handing each
    /// page to `on_page` as it arrives so memory stays flat. Returns how many records came.
    pub async fn for_each_page(
        &self,
        endpoint: &str,
        conditions: Option<&str>,
        forward_only: bool,
        mut on_page: impl FnMut(Vec<Value>),
    ) -> Result<usize, ConnectorError> {
        let mut total = 0;
        let mut next = Some(Self::list_target(endpoint, conditions));
        while let Some(t) = next {
            let (records, link) = self.page(&t, endpoint, forward_only).await?;
            total += records.len();
            on_page(records);
            next = link;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests;
