//! A removal's live progress: the bar (role `progressbar`), the status line, Cancel removal
//! while it runs, and the deletion archive link for Administrators when it has ended. Shown on
//! the Manage Data screen and on the Removals page.

use super::fmt_count;
use crate::api::{get_current_user, CancelRemoval};
use crate::model::{JobState, RemovalJob, Role};
use leptos::prelude::*;

/// The line a user reads under the progress bar.
fn status_line(job: &RemovalJob) -> String {
    match job.state {
        JobState::Succeeded => {
            let noun = job.kind.plural().to_lowercase();
            let inside = match job.inside {
                0 => String::new(),
                1 => " and 1 record inside them".to_string(),
                n => format!(" and {} records inside them", fmt_count(n)),
            };
            let skipped = match job.skipped {
                0 => String::new(),
                n => format!(
                    "; {} skipped (they changed since the list was made)",
                    fmt_count(n)
                ),
            };
            format!(
                "Removal finished: {} {noun}{inside} deleted{skipped}.",
                fmt_count(job.deleted)
            )
        }
        JobState::Cancelled => format!(
            "Removal cancelled: {} deleted; the rest stays.",
            fmt_count(job.deleted)
        ),
        JobState::Failed => format!("Removal failed: {}", job.error.clone().unwrap_or_default()),
        JobState::Queued if job.cancel_requested => "Cancelling…".to_string(),
        JobState::Queued => format!("Queued: {} items to delete", fmt_count(job.total)),
        _ if job.cancel_requested => format!(
            "Cancelling after the current chunk: {} of {} done",
            fmt_count(job.done),
            fmt_count(job.total)
        ),
        _ => format!(
            "Deleting: {} of {} ({} %) · {:.0} items/s · {}",
            fmt_count(job.done),
            fmt_count(job.total),
            job.percent(),
            job.rate,
            match job.eta_seconds {
                Some(s) => format!("about {s} s left"),
                None => "estimating the time left".to_string(),
            }
        ),
    }
}

/// Whether the signed-in user is an Administrator (asked once, in the browser; false on the
/// server, where a page's islands render before it is known).
pub fn is_administrator() -> Signal<bool> {
    let me = super::read_in_browser(get_current_user);
    Signal::derive(move || {
        me.get()
            .and_then(|r| r.ok())
            .is_some_and(|u| u.role == Role::Administrator)
    })
}

/// Merges an update into the job a page follows: a newer removal replaces an older one; returns
/// true when this update is the followed removal's end (the page then reads its counts again).
pub fn merge_removal(followed: RwSignal<Option<RemovalJob>>, job: RemovalJob) -> bool {
    let current = followed.get_untracked();
    if current.as_ref().is_some_and(|c| c.id > job.id) {
        return false;
    }
    let was_finished = current
        .as_ref()
        .is_some_and(|c| c.id == job.id && c.finished());
    let ends_now = job.finished() && !was_finished;
    followed.set(Some(job));
    ends_now
}

/// The progress of one removal. `on_update` receives the job Cancel removal answers with.
#[component]
pub fn RemovalProgress(
    job: RemovalJob,
    is_admin: Signal<bool>,
    on_update: Callback<RemovalJob>,
) -> impl IntoView {
    let id = job.id;
    let cancelling = ServerAction::<CancelRemoval>::new();
    Effect::new(move |_| {
        if let Some(Ok(j)) = cancelling.value().get() {
            on_update.run(j);
        }
    });
    let cancel = move |_| {
        cancelling.dispatch(CancelRemoval { job: id });
    };
    let running = !job.finished();
    let archive = !running && job.deleted > 0 && job.archive_available;
    view! {
        <div class="removal">
            <div role="progressbar" aria-label="Removal progress" aria-valuemin="0"
                aria-valuemax=job.total.to_string() aria-valuenow=job.done.to_string() class="bar">
                <div class="fill" style=format!("width: {}%", job.percent())></div>
            </div>
            <p role="status">{status_line(&job)}</p>
            {(running && !job.cancel_requested).then(|| view! {
                <button type="button" class="secondary" on:click=cancel disabled=move || cancelling.pending().get()>"Cancel removal"</button>
            })}
            {move || (archive && is_admin.get()).then(|| view! {
                <a href=format!("/api/v1/removals/{id}/archive") download="">"Download the deletion archive"</a>
            })}
        </div>
    }
}

/// A job's progress bar and its status line, as exports and restores show them.
#[component]
pub fn JobProgress(
    /// The bar's accessible name: "Export progress".
    label: &'static str,
    done: i64,
    total: i64,
    status: String,
) -> impl IntoView {
    let percent = if total > 0 { done * 100 / total } else { 0 };
    view! {
        <div class="removal">
            <div role="progressbar" aria-label=label aria-valuemin="0"
                aria-valuemax=total.to_string() aria-valuenow=done.to_string() class="bar">
                <div class="fill" style=format!("width: {percent}%")></div>
            </div>
            <p role="status">{status}</p>
        </div>
    }
}
