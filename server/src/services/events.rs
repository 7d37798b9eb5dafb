//! The live job stream: one stream per open page of every job of the signed-in user's account
//! that the user may see (removals, restores, exports, sync runs), each event a job as its page
//! shows it. It reads the jobs when the change feed (`crate::feed`) says one of the account's
//! changed, never on a timer: an account with nothing running costs its open streams nothing
//! but a session check now and then.

use super::AppServices;
use crate::feed::{self, Change};
use app::error::AppError;
use app::model::{CurrentUser, JobEvent};
use app::services::{AccountServices, ExportServices, RestoreServices};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tokio::time::Instant;

/// Changes that come this close together are read once: a removal of many chunks or a sync of
/// many pages reports at most this often per stream.
const GATHER: Duration = Duration::from_millis(150);

/// How often a stream with nothing to report checks that its session still stands (and its
/// user still may see what it sees). A sign-out wakes its account's streams at once; an expiry
/// or a change of role is noticed within this.
const SESSION_CHECK: Duration = Duration::from_secs(15);

/// What a stream keeps between reads.
struct Following {
    services: AppServices,
    user: CurrentUser,
    token: String,
    since: DateTime<Utc>,
    changes: Receiver<Change>,
    /// Each job's last event sent, by its stream name and id.
    seen: HashMap<(&'static str, i64), JobEvent>,
    first: bool,
    checked: Instant,
    _slot: super::StreamSlot,
}

impl AppServices {
    /// The job events of `user`'s account from now on: first the jobs going on now (and those
    /// that ended since `since`, for a stream opened again after a dropped connection), then
    /// each change of state or progress. It ends when the session `token` ends or its user's
    /// role or restriction changes. A user may hold a few open at once (`open_stream`).
    pub fn job_events(
        &self,
        user: CurrentUser,
        token: String,
        since: DateTime<Utc>,
    ) -> Result<impl Stream<Item = JobEvent> + Send + 'static, AppError> {
        let slot = self.open_stream(&user)?;
        // A stream opened again reports what ended while its connection was down, which is
        // seconds: a `since` from long ago (or the future) would make every read of it read the
        // account's whole history, so it is held to the last hour.
        let now = Utc::now();
        let since = since.clamp(now - chrono::Duration::hours(1), now);
        let state = Following {
            changes: feed::subscribe(&self.repo.db),
            services: self.clone(),
            user,
            token,
            since,
            seen: HashMap::new(),
            first: true,
            checked: Instant::now(),
            _slot: slot,
        };
        let reads = stream::unfold(state, |mut f| async move {
            loop {
                if !f.first {
                    let woke = tokio::time::timeout_at(
                        f.checked + SESSION_CHECK,
                        changed(&mut f.changes, &f.user),
                    )
                    .await;
                    let changed = match woke {
                        Err(_) => false,
                        Ok(false) => return None,
                        Ok(true) => {
                            tokio::time::sleep(GATHER).await;
                            while f.changes.try_recv().is_ok() {}
                            true
                        }
                    };
                    // On every wake (a sign-out wakes the streams of its account too).
                    if !f.services.still_signed_in(&f.user, &f.token).await {
                        return None;
                    }
                    f.checked = Instant::now();
                    // A wake for the session check alone reads no jobs.
                    if !changed {
                        continue;
                    }
                }
                let first = std::mem::replace(&mut f.first, false);
                let events = f.read().await;
                if !events.is_empty() || first {
                    return Some((stream::iter(events), f));
                }
            }
        });
        Ok(reads.flatten())
    }

    /// Whether `token` is still `user`'s session with the same role and restriction.
    async fn still_signed_in(&self, user: &CurrentUser, token: &str) -> bool {
        match self.user_for_session(token).await {
            Ok(Some(now)) => {
                now.user_id == user.user_id
                    && now.role == user.role
                    && now.restricted == user.restricted
            }
            Ok(None) => false,
            // A failed read is logged; the stream goes on and checks again.
            Err(_) => true,
        }
    }
}

/// Waits until a change concerns `user`'s account: true, or false when the feed has closed.
async fn changed(changes: &mut Receiver<Change>, user: &CurrentUser) -> bool {
    loop {
        match changes.recv().await {
            Ok(c) if c.concerns(user.account_id) => return true,
            Ok(_) => {}
            // Fell behind: something may have changed.
            Err(RecvError::Lagged(_)) => return true,
            Err(RecvError::Closed) => return false,
        }
    }
}

impl Following {
    /// The jobs the user may see that are going on or ended since the stream opened, and of
    /// those the ones that changed since the last read. A kind the user may not see, or that
    /// fails to read (logged), is left out of this read.
    async fn read(&mut self) -> Vec<JobEvent> {
        let s = &self.services;
        let u = &self.user;
        let live = |ended: bool, finished: Option<DateTime<Utc>>| {
            !ended || finished.is_some_and(|t| t >= self.since)
        };
        let mut now: Vec<JobEvent> = Vec::new();
        if u.role.can_manage_integrations() {
            if let Ok(jobs) = s.live_removals(u, self.since).await {
                now.extend(jobs.into_iter().rev().map(JobEvent::Removal));
            }
        }
        if let Ok(jobs) = s.restores(u).await {
            now.extend(
                jobs.into_iter()
                    .rev()
                    .filter(|j| live(j.finished(), j.finished_at))
                    .map(JobEvent::Restore),
            );
        }
        if let Ok(jobs) = s.exports(u).await {
            now.extend(
                jobs.into_iter()
                    .rev()
                    .filter(|j| live(j.finished(), j.finished_at))
                    .map(JobEvent::Export),
            );
        }
        match s.repo.live_sync_runs(u.account_id, self.since).await {
            Ok(runs) => now.extend(
                runs.into_iter()
                    .map(|(integration, run)| JobEvent::Sync { integration, run }),
            ),
            Err(e) => tracing::error!(error = ?e, "reading the live sync runs"),
        }
        now.into_iter()
            .filter(|e| {
                let key = (e.name(), event_id(e));
                if self.seen.get(&key) == Some(e) {
                    return false;
                }
                self.seen.insert(key, e.clone());
                true
            })
            .collect()
    }
}

fn event_id(e: &JobEvent) -> i64 {
    match e {
        JobEvent::Removal(j) => j.id.0,
        JobEvent::Restore(j) => j.id.0,
        JobEvent::Export(j) => j.id.0,
        JobEvent::Sync { run, .. } => run.id.0,
    }
}
