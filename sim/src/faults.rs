//! Faults the simulator can be told to inject, so tests can watch the connector and the sync
//! engine meet a misbehaving PSA: a 500 at page k of an endpoint, malformed JSON, a dropped
//! connection, a slow answer, refused credentials, and rate limiting with `Retry-After`.

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// A fault on one page of one endpoint's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFault {
    /// The endpoint's path under the API base, e.g. `company/configurations`.
    pub endpoint: String,
    /// The 1-based page it hits (for forward-only paging: the page's ordinal).
    pub page: usize,
    /// How many times it fires before the endpoint behaves again (none: every time).
    #[serde(default)]
    pub times: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window, in seconds; the 429's `Retry-After` says how long is left of it.
    pub per_seconds: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    #[serde(default)]
    pub server_error: Option<PageFault>,
    #[serde(default)]
    pub malformed_json: Option<PageFault>,
    #[serde(default)]
    pub drop_connection: Option<PageFault>,
    /// Every answer waits this long first.
    #[serde(default)]
    pub slow_millis: Option<u64>,
    /// Every request is refused with 401, whatever its credentials.
    #[serde(default)]
    pub auth_failure: bool,
    #[serde(default)]
    pub rate_limit: Option<RateLimit>,
    /// No page holds more than this many records, whatever the client asks (HaloPSA caps at
    /// 100 on its own; this lowers any simulator's cap further).
    #[serde(default)]
    pub page_cap: Option<usize>,
    /// The PSA lies about its size: every count it reports is off by this much.
    #[serde(default)]
    pub count_offset: Option<i64>,
    /// This page's records are never served: the next page's come in their place (a PSA
    /// that drops a page).
    #[serde(default)]
    pub skip_page: Option<PageFault>,
}

/// What a fault does to one list request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEffect {
    ServerError,
    MalformedJson,
    DropConnection,
}

/// The faults in force and the rate limiter's window.
#[derive(Debug, Default)]
pub struct FaultState {
    pub faults: Faults,
    window: Option<(Instant, u32)>,
}

fn fire(slot: &mut Option<PageFault>, endpoint: &str, page: usize) -> bool {
    let Some(f) = slot else { return false };
    if !f.endpoint.trim_matches('/').eq_ignore_ascii_case(endpoint) || f.page != page {
        return false;
    }
    match &mut f.times {
        Some(0) => false,
        Some(n) => {
            *n -= 1;
            true
        }
        None => true,
    }
}

impl FaultState {
    pub fn set(&mut self, faults: Faults) {
        self.faults = faults;
        self.window = None;
    }

    /// Counts a request against the rate limit; `Some(retry_after)` when it is over.
    pub fn rate_limited(&mut self, now: Instant) -> Option<Duration> {
        let limit = self.faults.rate_limit.clone()?;
        let window = Duration::from_secs(limit.per_seconds.max(1));
        let (start, count) = match self.window {
            Some((start, count)) if now.duration_since(start) < window => (start, count),
            _ => (now, 0),
        };
        if count >= limit.requests {
            self.window = Some((start, count));
            return Some(window.saturating_sub(now.duration_since(start)));
        }
        self.window = Some((start, count + 1));
        None
    }

    /// The fault, if any, for page `page` of `endpoint`'s list.
    /// Whether a page fault is set on `endpoint` (only then does a forward-only page need its
    /// ordinal, which costs a count of the records before it).
    pub fn has_page_fault(&self, endpoint: &str) -> bool {
        let f = &self.faults;
        [
            &f.server_error,
            &f.malformed_json,
            &f.drop_connection,
            &f.skip_page,
        ]
        .into_iter()
        .flatten()
        .any(|p| p.endpoint.trim_matches('/').eq_ignore_ascii_case(endpoint))
    }

    /// Whether page `page` of `endpoint` is to be skipped (the `skip_page` fault).
    pub fn skips(&mut self, endpoint: &str, page: usize) -> bool {
        fire(&mut self.faults.skip_page, endpoint, page)
    }

    pub fn page_effect(&mut self, endpoint: &str, page: usize) -> Option<PageEffect> {
        let f = &mut self.faults;
        if fire(&mut f.server_error, endpoint, page) {
            Some(PageEffect::ServerError)
        } else if fire(&mut f.malformed_json, endpoint, page) {
            Some(PageEffect::MalformedJson)
        } else if fire(&mut f.drop_connection, endpoint, page) {
            Some(PageEffect::DropConnection)
        } else {
            None
        }
    }
}

/// What a page fault answers: `server_error` (the PSA's own 500) for a server error; else a 200
/// whose JSON opens with `list_start` (where the PSA's list of records begins, e.g. `[` or
/// `{"items": [`) and then breaks off mid-record, or whose connection is cut there.
pub fn answer(
    effect: PageEffect,
    server_error: axum::response::Response,
    list_start: &str,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    match effect {
        PageEffect::ServerError => server_error,
        PageEffect::MalformedJson => (
            axum::http::StatusCode::OK,
            json,
            format!("{list_start}{{\"id\": 1, \"name\": \"trunc"),
        )
            .into_response(),
        PageEffect::DropConnection => {
            // A body that fails after its first bytes: the connection is cut mid-answer.
            let stream = futures_util::stream::iter(vec![
                Ok::<_, std::io::Error>(axum::body::Bytes::from(format!("{list_start}{{\"id\": "))),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped by fault injection",
                )),
            ]);
            (json, axum::body::Body::from_stream(stream)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_faults_hit_their_page_and_wear_off() {
        let mut s = FaultState::default();
        s.set(Faults {
            server_error: Some(PageFault {
                endpoint: "company/companies".into(),
                page: 2,
                times: Some(1),
            }),
            ..Default::default()
        });
        assert_eq!(s.page_effect("company/companies", 1), None);
        assert_eq!(s.page_effect("company/configurations", 2), None);
        assert_eq!(
            s.page_effect("company/companies", 2),
            Some(PageEffect::ServerError)
        );
        assert_eq!(
            s.page_effect("company/companies", 2),
            None,
            "fired its one time"
        );
    }

    #[test]
    fn the_rate_limit_counts_a_window_and_says_how_long_to_wait() {
        let mut s = FaultState::default();
        s.set(Faults {
            rate_limit: Some(RateLimit {
                requests: 2,
                per_seconds: 10,
            }),
            ..Default::default()
        });
        let t0 = Instant::now();
        assert_eq!(s.rate_limited(t0), None);
        assert_eq!(s.rate_limited(t0), None);
        let wait = s
            .rate_limited(t0 + Duration::from_secs(3))
            .expect("over the limit");
        assert_eq!(wait.as_secs(), 7);
        assert_eq!(
            s.rate_limited(t0 + Duration::from_secs(11)),
            None,
            "a new window"
        );
    }
}
