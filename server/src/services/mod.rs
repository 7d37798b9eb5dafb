//! The implementation of `app::services::Services`, one file per area as the ports are split:
//! `account.rs` (sign-in, sessions, features, activity), `integrations.rs` (Add integration,
//! credentials, sync runs and settings, pause, disconnect), `items.rs` (Manage Data, lists, View,
//! the edit pencil, Disable sync, Reconnect, a row's Pause and Disconnect), `removals.rs`
//! (removals and their archives). Here: what they share, authorization helpers and the mapping
//! of internal faults to the generic wire error.

use crate::repo::Repo;
use crate::secrets::SecretBox;
use crate::sync::{SyncEngine, SyncError};
use app::error::AppError;
use app::model::{CurrentUser, IntegrationId, IntegrationSummary};
use chrono::Duration;
use std::sync::Arc;

mod account;
mod credentials;
mod downloads;
mod events;
mod exports;
mod integrations;
mod items;
mod removals;
mod restores;
pub mod throttle;
pub use downloads::Download;
mod users;

#[derive(Clone)]
pub struct AppServices {
    pub repo: Repo,
    pub sync: SyncEngine,
    pub secrets: Arc<SecretBox>,
    /// How long a deletion archive stays downloadable after its removal ended.
    pub archive_retention: Duration,
    /// Failed sign-ins per email and client address, and the bound on password hashes.
    pub throttle: Arc<throttle::SignInThrottle>,
    /// Steward is served over https (a configured public URL says so): cookies are `Secure`.
    pub secure_cookies: bool,
    /// Removal event streams open per user on this node.
    pub removal_streams: Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
}

/// Removal event streams one user may hold open at once on a node (a tab or two each).
pub const STREAMS_PER_USER: usize = 8;

/// One open removal event stream, counted against its user until dropped.
pub struct StreamSlot {
    counts: Arc<std::sync::Mutex<std::collections::HashMap<i64, usize>>>,
    user: i64,
}

impl AppServices {
    /// A slot for a new removal event stream, or 429 when the user has too many open.
    pub fn open_stream(&self, user: &CurrentUser) -> Result<StreamSlot, AppError> {
        let mut counts = self.removal_streams.lock().expect("stream counts");
        let n = counts.entry(user.user_id.0).or_default();
        if *n >= STREAMS_PER_USER {
            return Err(AppError::too_many_requests(
                format!(
                    "You have {STREAMS_PER_USER} live Steward pages open: close \
                    some Steward tabs, then reload"
                ),
                10,
            ));
        }
        *n += 1;
        Ok(StreamSlot {
            counts: self.removal_streams.clone(),
            user: user.user_id.0,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().expect("stream counts");
        if let Some(n) = counts.get_mut(&self.user) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

/// A sync engine refusal as the wire error (internal causes logged under `context`).
fn sync_error(context: &'static str) -> impl FnOnce(SyncError) -> AppError {
    move |e| match e {
        SyncError::NotFound => AppError::not_found("That integration"),
        SyncError::Paused | SyncError::AlreadyRan => AppError::conflict(e.to_string()),
        SyncError::NoCredentials => AppError::invalid_input(e.to_string()),
        SyncError::Internal(e) => AppError::internal_from(context, e.as_ref()),
    }
}

/// Events per page of a run's log.
const EVENTS_PER_PAGE: i64 = 100;

/// The bounds of the sync interval, in minutes.
const SCHEDULE_MINUTES: std::ops::RangeInclusive<i64> = 5..=10_080;

impl AppServices {
    /// The integration, if it is the user's account's.
    async fn own_integration(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<IntegrationSummary, AppError> {
        self.repo
            .integration(user.account_id, integration)
            .await
            .found("loading an integration", "That integration")
    }

    /// What reaches every organization of the account (a Synced Items row's Pause and
    /// Disconnect, the integration's settings, credentials and Disconnect) is refused to a user
    /// restricted to some organizations: it cannot be filtered to theirs.
    fn unrestricted(user: &CurrentUser, what: &str) -> Result<(), AppError> {
        if user.restricted {
            Err(AppError::new(
                app::error::ErrorCode::Forbidden,
                format!(
                    "You are restricted to some organizations, and to {what} \
                    reaches every organization of the account: ask an Administrator without \
                    restrictions"
                ),
            ))
        } else {
            Ok(())
        }
    }

    /// Integration settings and sync actions: Manager and Administrator.
    fn may_manage(user: &CurrentUser, what: &str) -> Result<(), AppError> {
        if user.role.can_manage_integrations() {
            Ok(())
        } else {
            Err(AppError::forbidden(what))
        }
    }
}

/// A repository lookup's answer: a fault is logged and answered with the generic error, an
/// absence with "not found".
trait Lookup<T> {
    fn found(self, context: &'static str, what: &str) -> Result<T, AppError>;
}

impl<T> Lookup<T> for anyhow::Result<Option<T>> {
    fn found(self, context: &'static str, what: &str) -> Result<T, AppError> {
        self.map_err(internal(context))?
            .ok_or_else(|| AppError::not_found(what))
    }
}

/// Logs an internal fault with its context and returns the generic error.
fn internal(context: &'static str) -> impl FnOnce(anyhow::Error) -> AppError {
    move |e| AppError::internal_from(context, e.as_ref())
}
