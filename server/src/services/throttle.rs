//! Sign-in throttling: failed sign-ins are counted per email and per client address, and past a
//! limit the next try waits (429 with `Retry-After`, a message saying when); a correct password
//! works again once the wait is over. Password hashes (Argon2, memory-hungry) run at most a few
//! at a time, and a sign-in that cannot get a turn soon is refused instead of queueing without
//! bound. Counts live in this process: each node limits on its own.

use app::error::AppError;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits; `Default` is what `steward serve` uses.
#[derive(Debug, Clone)]
pub struct ThrottleConfig {
    /// Failures of one email within `window` before it must wait.
    pub per_email: usize,
    /// Failures from one client address within `window` before it must wait.
    pub per_address: usize,
    pub window: Duration,
    /// How long a throttled email or address waits.
    pub wait: Duration,
    /// Password hashes running at once.
    pub hashes: usize,
    /// How long a sign-in waits for a turn to hash before it is refused.
    pub hash_queue: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            per_email: 5,
            per_address: 20,
            window: Duration::from_secs(15 * 60),
            wait: Duration::from_secs(60),
            hashes: 2,
            hash_queue: Duration::from_secs(5),
        }
    }
}

#[derive(Default)]
struct Window {
    failures: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

pub struct SignInThrottle {
    config: ThrottleConfig,
    windows: Mutex<HashMap<String, Window>>,
    hashes: tokio::sync::Semaphore,
}

/// Entries kept before expired ones are swept.
const SWEEP_AT: usize = 10_000;

impl SignInThrottle {
    pub fn new(config: ThrottleConfig) -> SignInThrottle {
        SignInThrottle {
            hashes: tokio::sync::Semaphore::new(config.hashes.max(1)),
            config,
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, client: Option<IpAddr>) -> Vec<(String, bool)> {
        let mut keys = vec![(format!("email:{}", email.to_lowercase()), true)];
        if let Some(ip) = client {
            keys.push((format!("addr:{ip}"), false));
        }
        keys
    }

    /// Starts a sign-in: refused with when to try again if the email or the address must wait;
    /// otherwise the try is counted as failed until `succeeded` says otherwise, so that tries
    /// running at the same moment count against the limit too.
    pub fn attempt(&self, email: &str, client: Option<IpAddr>) -> Result<(), AppError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().expect("throttle lock");
        let wait = Self::keys(email, client)
            .iter()
            .filter_map(|(k, _)| windows.get(k)?.blocked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
            .max();
        if let Some(wait) = wait {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(AppError::too_many_requests(
                format!(
                    "Too many failed sign-ins: wait {seconds} seconds, then try \
                    again"
                ),
                seconds,
            ));
        }
        if windows.len() > SWEEP_AT {
            let window = self.config.window;
            windows.retain(|_, w| {
                w.failures.back().is_some_and(|t| now - *t < window)
                    || w.blocked_until.is_some_and(|u| u > now)
            });
        }
        for (key, is_email) in Self::keys(email, client) {
            let w = windows.entry(key).or_default();
            while w
                .failures
                .front()
                .is_some_and(|t| now - *t >= self.config.window)
            {
                w.failures.pop_front();
            }
            w.failures.push_back(now);
            let limit = if is_email {
                self.config.per_email
            } else {
                self.config.per_address
            };
            if w.failures.len() >= limit {
                w.blocked_until = Some(now + self.config.wait);
            }
        }
        Ok(())
    }

    /// A correct password: the email's failures are forgotten, and this try no longer counts
    /// against the address.
    pub fn succeeded(&self, email: &str, client: Option<IpAddr>) {
        let mut windows = self.windows.lock().expect("throttle lock");
        windows.remove(&format!("email:{}", email.to_lowercase()));
        if let Some(ip) = client {
            if let Some(w) = windows.get_mut(&format!("addr:{ip}")) {
                w.failures.pop_back();
            }
        }
    }

    /// A turn to hash a password, or a refusal when too many are waiting already.
    pub async fn hash_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        match tokio::time::timeout(self.config.hash_queue, self.hashes.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::too_many_requests(
                "Steward is busy with other sign-ins: wait 5 seconds, then try again",
                5,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> SignInThrottle {
        SignInThrottle::new(ThrottleConfig {
            per_email: 3,
            per_address: 5,
            wait: Duration::from_millis(300),
            ..ThrottleConfig::default()
        })
    }

    #[test]
    fn an_email_waits_after_its_limit_then_may_try_again() {
        let t = throttle();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(t.attempt("A@x.test", Some(ip)).is_ok());
        }
        let e = t.attempt("a@x.test", None).unwrap_err();
        assert_eq!(e.code, app::error::ErrorCode::TooManyRequests);
        assert_eq!(e.retry_after, Some(1));
        assert!(e.message.contains("wait 1 seconds"), "{}", e.message);
        // Another email from another address is not affected.
        assert!(t
            .attempt("b@x.test", Some("10.0.0.2".parse().unwrap()))
            .is_ok());
    }

    #[test]
    fn an_address_waits_after_failing_on_many_emails() {
        let t = throttle();
        let ip: IpAddr = "10.0.0.9".parse().unwrap();
        for n in 0..5 {
            assert!(t.attempt(&format!("user{n}@x.test"), Some(ip)).is_ok());
        }
        assert!(t.attempt("fresh@x.test", Some(ip)).is_err());
        assert!(t.attempt("fresh@x.test", None).is_ok());
    }

    #[test]
    fn a_correct_password_clears_the_email_and_frees_the_address() {
        let t = throttle();
        let ip: IpAddr = "10.0.0.3".parse().unwrap();
        for _ in 0..2 {
            assert!(t.attempt("a@x.test", Some(ip)).is_ok());
            t.succeeded("a@x.test", Some(ip));
        }
        for _ in 0..2 {
            assert!(t.attempt("a@x.test", Some(ip)).is_ok());
        }
    }
}
