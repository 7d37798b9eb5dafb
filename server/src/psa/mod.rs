//! The PSA side, by vendor: `connectwise`, `autotask` and `halo` each hold their client and
//! connector. Connectors hand the engine `crate::rules::records`. What every PSA shares is here:
//! the connector trait the sync engine talks to (`PsaConnector`, listings as `Pages`), how hard a
//! connector tries (`RetryPolicy`, counted by `Tries`), how a call fails (`ConnectorError`), and
//! how a PSA's timestamps read (`parse_time`). The simulators that stand in for the PSAs are the
//! `sim` crate's.

pub mod autotask;
pub mod connectwise;
pub mod credentials;
pub mod halo;
pub mod listing;
pub mod net;

use crate::rules::records::{PsaCatalogValue, PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::{ItemKind, PsaKind};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The connector boundary the sync engine talks to: one implementation per PSA
/// (`connectwise::ConnectWise`, `autotask::Autotask`, `halo::Halo`).
#[async_trait::async_trait]
pub trait PsaConnector: Send + Sync {
    fn kind(&self) -> PsaKind;
    /// Whether the PSA can list only what changed since a time. A PSA that cannot has every
    /// listing read whole, incremental runs included (they still orphan nothing).
    fn filters_by_change(&self) -> bool {
        true
    }
    /// Proves the site and credentials work; the PSA's own error when they do not.
    async fn test_connection(&self) -> Result<(), ConnectorError>;
    /// The PSA's types and statuses that carry a sync checkbox.
    async fn catalog(&self) -> Result<Vec<PsaCatalogValue>, ConnectorError>;
    /// Companies changed since `since` (all of them when None).
    fn companies(&self, since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaCompany> + '_>;
    fn configurations(&self, since: Option<DateTime<Utc>>)
        -> Box<dyn Pages<PsaConfiguration> + '_>;
    fn contacts(&self, since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaContact> + '_>;
    /// The sites of one company.
    async fn sites(&self, company_psa_id: i64) -> Result<Vec<PsaSite>, ConnectorError>;
    /// Whether the PSA still has a record (a site is read through its company).
    async fn exists(
        &self,
        kind: ItemKind,
        psa_id: i64,
        company_psa_id: Option<i64>,
    ) -> Result<bool, ConnectorError>;
    /// The edit pencil's write-back: a company's or configuration's type and status.
    async fn set_classification(
        &self,
        kind: ItemKind,
        psa_id: i64,
        type_psa_id: i64,
        status_psa_id: i64,
    ) -> Result<(), ConnectorError>;
}

/// A listing read one page at a time: the caller pulls the next page when it has dealt with the
/// last, so memory holds one page whatever the size of the PSA.
#[async_trait::async_trait]
pub trait Pages<T>: Send {
    /// The next page, or None after the last.
    async fn next_page(&mut self) -> Result<Option<Vec<T>>, ConnectorError>;
    /// The PSA's own count of the records this listing should return, as it stands now
    /// (`crate::psa::listing::Checked` reads it before the first page and after the last).
    async fn count(&mut self) -> Result<u64, ConnectorError>;
}

/// Reads a whole listing into memory (tests and small listings only).
pub async fn collect_all<T>(mut pages: Box<dyn Pages<T> + '_>) -> Result<Vec<T>, ConnectorError> {
    let mut all = Vec::new();
    while let Some(page) = pages.next_page().await? {
        all.extend(page);
    }
    Ok(all)
}

/// A PSA's timestamp: RFC 3339 (`2026-01-02T03:04:05Z`, with an offset or fractional seconds),
/// or the same without an offset (taken as UTC), as ConnectWise and Autotask write them.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
    .map(|n| n.and_utc())
}

/// How hard to try before giving up on a request.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The first backoff; each retry doubles it.
    pub base_delay: Duration,
    /// No wait is longer than this, whatever `Retry-After` says.
    pub max_delay: Duration,
    /// Time-out of one request.
    pub timeout: Duration,
    /// How long a PSA that answers 429 with no end in sight is waited out before the run fails
    /// (HaloPSA: its whole 5-minute window and a little more).
    pub limit_patience: Duration,
    /// Which addresses the PSA's site may be at besides public ones (`crate::psa::net`).
    pub reach: crate::psa::net::Reach,
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): the base delay doubled each time,
    /// never above the bound.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.base_delay
            .saturating_mul(1 << attempt.min(16))
            .min(self.max_delay)
    }

    /// The wait a 429 or 5xx asks for: its `Retry-After` (seconds) within the bound, else the
    /// backoff.
    pub fn wait(&self, headers: &reqwest::header::HeaderMap, attempt: u32) -> Duration {
        headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
            .unwrap_or_else(|| self.backoff(attempt))
            .min(self.max_delay)
    }
}

/// The count of one request's tries, kept the same way by every PSA's client: a try starts,
/// a failure waits and tries again while tries remain, and a try the PSA's own rules do not
/// count (a token renewed, a 429 waited out under `limit_patience`) is given back.
pub struct Tries<'a> {
    policy: &'a RetryPolicy,
    limit: u32,
    attempt: u32,
}

impl<'a> Tries<'a> {
    /// At most `limit` tries (a write gets one: it is not retried blindly).
    pub fn new(policy: &'a RetryPolicy, limit: u32) -> Self {
        Tries {
            policy,
            limit,
            attempt: 0,
        }
    }

    /// The next try begins.
    pub fn start(&mut self) {
        self.attempt += 1;
    }

    /// Whether this try is the last one.
    pub fn last(&self) -> bool {
        self.attempt >= self.limit
    }

    /// This try does not count.
    pub fn give_back(&mut self) {
        self.attempt = self.attempt.saturating_sub(1);
    }

    /// A request that got no answer (refused, cut half-way, timed out): waits the backoff when
    /// another try remains, else the failure.
    pub async fn after_failure(
        &self,
        psa: PsaKind,
        endpoint: &str,
        e: &reqwest::Error,
    ) -> Result<(), ConnectorError> {
        if self.last() {
            return Err(ConnectorError::transport(psa, endpoint, e));
        }
        tracing::warn!(psa = psa.label(), endpoint, attempt = self.attempt, error = %e, "PSA \
            request failed; retrying");
        tokio::time::sleep(self.policy.backoff(self.attempt - 1)).await;
        Ok(())
    }

    /// A 429 or 5xx: waits what the PSA asked for (or the backoff) and answers true when
    /// another try remains; false when this was the last.
    pub async fn after_refusal(
        &self,
        psa: PsaKind,
        endpoint: &str,
        status: u16,
        headers: &reqwest::header::HeaderMap,
    ) -> bool {
        if self.last() {
            return false;
        }
        let wait = self.policy.wait(headers, self.attempt - 1);
        tracing::warn!(
            psa = psa.label(),
            endpoint,
            status,
            attempt = self.attempt,
            wait_ms = wait.as_millis() as u64,
            "PSA asked to retry"
        );
        tokio::time::sleep(wait).await;
        true
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            timeout: Duration::from_secs(60),
            limit_patience: Duration::from_secs(330),
            reach: crate::psa::net::Reach::default(),
        }
    }
}

/// A failed call to a PSA, naming the PSA, the endpoint and what the PSA said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectorError {
    #[error("{} refused the credentials at {endpoint}: {message}", psa.label())]
    Unauthorized {
        psa: PsaKind,
        endpoint: String,
        message: String,
    },
    #[error("{} answered {status} at {endpoint}: {message}", psa.label())]
    Status {
        psa: PsaKind,
        endpoint: String,
        status: u16,
        message: String,
    },
    #[error("{} could not be reached at {endpoint}: {message}", psa.label())]
    Transport {
        psa: PsaKind,
        endpoint: String,
        message: String,
    },
    #[error("{} sent an answer that is not valid JSON at {endpoint}: {message}", psa.label())]
    Malformed {
        psa: PsaKind,
        endpoint: String,
        message: String,
    },
    /// A listing that could not be proved complete (its size against the PSA's own count, or
    /// its paging): nothing may be taken as deleted from it.
    #[error("{}'s listing of {endpoint} could not be proved complete: {message}. \
        Nothing was changed; the next sync tries again", psa.label())]
    Incomplete {
        psa: PsaKind,
        endpoint: String,
        message: String,
    },
}

impl ConnectorError {
    /// A request that got no answer. What the network said (refused, timed out, reset) is
    /// logged, never shown: it would tell whoever chose the site which ports answer where
    /// Steward runs. The guard's own refusal (`crate::psa::net`) is shown as it is.
    pub fn transport(psa: PsaKind, endpoint: impl Into<String>, e: &reqwest::Error) -> Self {
        let endpoint = endpoint.into();
        let mut cause: Option<&dyn std::error::Error> = Some(e);
        let mut refusal = None;
        while let Some(c) = cause {
            let text = c.to_string();
            if text.contains("which Steward does not connect to") {
                refusal = Some(text);
                break;
            }
            cause = c.source();
        }
        tracing::warn!(psa = psa.label(), %endpoint, error = ?e, "a PSA request got no answer");
        let message = refusal.unwrap_or_else(|| {
            if e.is_timeout() {
                "no answer came in time; check the site's address, or try again later".into()
            } else {
                "no answer came; check the site's address, or try again later".into()
            }
        });
        ConnectorError::Transport {
            psa,
            endpoint,
            message,
        }
    }
}

/// A duration as a run's log or a PSA error says it: "12 hours", "90 minutes", "2 seconds".
pub fn humane(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 7200 && secs % 3600 == 0 {
        format!("{} hours", secs / 3600)
    } else if secs >= 120 {
        format!("{} minutes", secs / 60)
    } else if secs <= 1 {
        "1 second".into()
    } else {
        format!("{secs} seconds")
    }
}
