//! The PSA side: ConnectWise Manage's wire format and connector, and a simulator that serves it;
//! Autotask's and HaloPSA's records, simulators and connectors.
//! Connectors hand the engine `crate::rules::records`. What every PSA shares is here: how hard a
//! connector tries (`RetryPolicy`) and how a call fails (`ConnectorError`).

pub mod autotask;
pub mod connector;
pub mod connectwise;
pub mod credentials;
pub mod halo;
pub mod listing;
pub mod net;
pub mod sim_store;
pub mod simulator;

use app::model::PsaKind;
use std::time::Duration;

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
    #[error("{}'s listing of {endpoint} could not be proved complete: {message}. Nothing was changed; the next sync tries again", psa.label())]
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
