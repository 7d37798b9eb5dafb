//! Queued removals and the activity log as the screens see them.

use super::{CatalogValueId, IntegrationId, ItemKind, JobId, JobState, OrphanReason};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which items a removal deletes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalTarget {
    /// Orphaned Data > Delete: every orphan of a kind.
    Orphans(ItemKind),
    /// Synced Items > Delete: every item of a type or status (the account needs the
    /// bulk-delete-by-type feature).
    Row(CatalogValueId),
    /// Synced Items > Disconnect > "Permanently delete all data including all related/child
    /// records" (the account needs the full-delete feature).
    RowFullDelete(CatalogValueId),
    /// Organizations list > Select All > Delete: every organization the search matches.
    Search(String),
    /// View > Delete: a kind's orphans, only those of one orphan reason (the filter) and/or
    /// only the ticked ones (`ids`, at most `MAX_PICKED`).
    ChosenOrphans {
        kind: ItemKind,
        reason: Option<OrphanReason>,
        ids: Option<Vec<i64>>,
    },
    /// Organizations list > ticked rows > Delete: these organizations (at most `MAX_PICKED`).
    Picked(Vec<i64>),
}

/// How many ticked items one Delete takes; more are chosen with a filter or a search.
pub const MAX_PICKED: usize = 1_000;

/// How many of the organizations that had data before the first sync a removal's preview lists
/// by name.
pub const HAD_DATA_LISTED: i64 = 200;

/// What deleting a row's orphans takes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalImpact {
    pub kind: ItemKind,
    /// "orphaned organizations", "organizations of Type: Prospect".
    pub what: String,
    pub items: i64,
    /// For organizations: (kind of record, how many) of everything inside them.
    pub children: Vec<(String, i64)>,
    /// Organizations flagged "had data before the first sync": name and what they hold, the
    /// first `HAD_DATA_LISTED` by name...
    pub had_data: Vec<(String, String)>,
    /// ...of this many.
    #[serde(default)]
    pub had_data_count: i64,
    /// Items the selection matches that are NOT deleted (a search's items the PSA still syncs,
    /// on an account without bulk delete by type); `items` is what really goes.
    #[serde(default)]
    pub kept: i64,
    /// Why items are kept, or that items still syncing are deleted too: "1,204 organizations
    /// still syncing from ConnectWise Manage are not deleted: pause or disconnect their type
    /// first".
    #[serde(default)]
    pub note: Option<String>,
    /// Targets that are not what a PSA sync made, named so nobody deletes them unseen: (name,
    /// "stand-alone" or "sync turned off"), the first `HAD_DATA_LISTED` by name...
    #[serde(default)]
    pub unusual: Vec<(String, String)>,
    /// ...of this many.
    #[serde(default)]
    pub unusual_count: i64,
    /// Until when Account > Removals can restore it from its deletion archive.
    #[serde(default, with = "crate::model::time::rfc3339_option")]
    pub restorable_until: Option<DateTime<Utc>>,
}

impl RemovalImpact {
    /// Every record inside the organizations that goes with them.
    pub fn inside(&self) -> i64 {
        self.children.iter().map(|(_, n)| n).sum()
    }
}

/// A removal job and its progress: what the Manage Data screen, the Removals page and the job
/// stream (`/api/v1/events`) carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovalJob {
    pub id: JobId,
    pub integration: IntegrationId,
    pub kind: ItemKind,
    /// "orphaned organizations", "organizations of Type: Prospect".
    pub what: String,
    pub state: JobState,
    /// Who queued it (their email), when known.
    pub started_by: Option<String>,
    /// Targets behind the job, of `total`.
    pub done: i64,
    pub total: i64,
    pub deleted: i64,
    pub skipped: i64,
    /// Records inside the deleted organizations that went with them (once it has ended, while
    /// its archive is kept).
    #[serde(default)]
    pub inside: i64,
    /// Every record its archive holds has been brought back by restores: nothing is left to
    /// restore.
    #[serde(default)]
    pub fully_restored: bool,
    #[serde(with = "crate::model::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub finished_at: Option<DateTime<Utc>>,
    /// Targets per second since a worker first took it.
    pub rate: f64,
    /// Seconds left at that rate, while it runs.
    pub eta_seconds: Option<i64>,
    /// Milliseconds from queueing to its end (or to now).
    pub elapsed_ms: i64,
    /// Cancel removal was asked; a running job stops after its current chunk.
    pub cancel_requested: bool,
    pub error: Option<String>,
    /// Its deletion archive can still be downloaded (not past the retention period).
    pub archive_available: bool,
}

impl RemovalJob {
    pub fn finished(&self) -> bool {
        self.state.ended()
    }

    /// Whole percent done.
    pub fn percent(&self) -> i64 {
        if self.total > 0 {
            self.done * 100 / self.total
        } else {
            100
        }
    }
}

/// One entry of the account's activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: i64,
    #[serde(with = "crate::model::time::rfc3339")]
    pub at: DateTime<Utc>,
    /// A user's email, or "operator", "removal worker"...
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub outcome: String,
    /// What else was recorded, as "key: value" pairs.
    pub details: Vec<(String, String)>,
}

/// One organization a removal's archive can bring back: Restore offers it with how many
/// archived records would come back in it (the organization itself included, when it was
/// removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreChoice {
    /// The organization's id (as it was, for a removed organization).
    pub organization: i64,
    pub name: String,
    pub records: i64,
    /// The organization was removed too (it comes back with its records).
    pub removed: bool,
}

/// A record a restore could not bring back, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotRestored {
    pub kind: String,
    pub name: String,
    pub reason: String,
}

/// How many activity log entries a page of it holds (Account > Activity log, `GET
/// /api/v1/activity`); the next page starts before the last one's id.
pub const ACTIVITY_PAGE: i64 = 200;

/// How many of a restore's records that could not come back are listed, each with why.
pub const NOT_RESTORED_LISTED: i64 = 500;

/// A restore job and its progress, as Account > Removals shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreJob {
    pub id: JobId,
    /// The removal it undoes, and what that removal deleted ("orphaned organizations").
    pub removal: JobId,
    pub what: String,
    pub state: JobState,
    pub started_by: Option<String>,
    /// Targets (the removal's records of its kind) behind the job, of `total`.
    pub done: i64,
    pub total: i64,
    /// Records brought back.
    pub restored: i64,
    /// How many records could not come back, all of them...
    pub not_restored_count: i64,
    /// ...and the first 500 of those, each with why (`NOT_RESTORED_LISTED`).
    pub not_restored: Vec<NotRestored>,
    #[serde(with = "crate::model::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl RestoreJob {
    pub fn finished(&self) -> bool {
        self.state.ended()
    }
}
