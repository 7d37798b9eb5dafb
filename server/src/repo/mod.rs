//! The repository: every query Steward runs, written once for both databases. Each method takes
//! the account it works in; nothing here reads across accounts.

/// Writes one activity log entry (an `Activity`, at `$at`) through `$exec`: a pool or a
/// transaction, inside an `on_db!` branch, so an action and its entry can commit together.
macro_rules! insert_activity {
    ($exec:expr, $a:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO activity_log (account_id, user_id, actor, action, subject, \
                details, outcome, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($a.account.0)
        .bind($a.user.map(|u| u.0))
        .bind($a.actor)
        .bind($a.action)
        .bind($a.subject)
        .bind($a.details.to_string())
        .bind($a.outcome)
        .bind($at)
        .execute($exec)
    };
}

mod accounts;
mod exports;
mod features;
mod held;
mod integrations;
mod item_edit;
mod items;
mod jobs;
mod manage_data;
mod organization_page;
mod preview;
mod removal_jobs;
mod removals;
mod restores;
mod row_actions;
pub mod schema;
mod sync;
pub mod sync_apply;
mod sync_preview;
mod users;

pub use accounts::{Activity, ActivityRow, LoginRow, NewUser};
pub use exports::EXPORT_JOB;
pub use held::{HeldDecision, HELD_PAGE};
pub use integrations::{Disconnected, NewIntegration};
pub use item_edit::{ItemLink, Tombstone};
pub use jobs::{Job, JobState, NewJob};
pub use preview::synced_key;
pub use removal_jobs::{RemovalRow, Which};
pub use removals::{
    ArchiveCursor, Chunk, Queued, RemovalArgs, RowTarget, ORGANIZATION_CHILDREN, REMOVAL_JOB,
};
pub use restores::{RestoreArgs, RestoreChunk, RestoreQueued, RESTORE_JOB};
pub use row_actions::CatalogValue;
pub use sync::{NewEvent, RunStart, SyncTarget};
pub use users::{UserChange, UserEdit};

use crate::db::Db;
use app::model::CurrentUser;

#[derive(Debug, Clone)]
pub struct Repo {
    pub db: Db,
    /// A row of at most this many items is sorted whole by View's last synced on SQLite;
    /// a larger one walks an index (`preview::SORT_WHOLE_BELOW`; tests set it to try both).
    view_sort_whole_below: i64,
}

impl Repo {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            view_sort_whole_below: preview::SORT_WHOLE_BELOW,
        }
    }

    /// The same repository, with View sorted by last synced walking its index on SQLite for a
    /// row of more than `items` items (tests: 0 walks every row).
    pub fn with_view_sort_whole_below(mut self, items: i64) -> Self {
        self.view_sort_whole_below = items;
        self
    }
}

/// `AND <column> IN (organizations the user may see)` for restricted users, else nothing.
/// The user id is bound as the parameter numbered `param`.
fn access_filter(user: &CurrentUser, column: &str, param: usize) -> String {
    if user.restricted {
        format!(
            " AND {column} IN (SELECT organization_id FROM user_organization_access \
                WHERE user_id = ${param})"
        )
    } else {
        String::new()
    }
}

pub(crate) fn parse_or<T>(
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
) -> anyhow::Result<T> {
    parse(value).ok_or_else(|| anyhow::anyhow!("unknown {what} {value:?} in the database"))
}
