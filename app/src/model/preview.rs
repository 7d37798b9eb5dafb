//! View: the preview table of exactly the items a Manage Data row's action would touch.

use super::{CatalogCategory, CatalogValueId, ItemKind, OrphanReason, SyncState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Rows a preview page shows.
pub const PREVIEW_PAGE_SIZE: i64 = 50;

/// Which Manage Data row the preview is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "row")]
pub enum PreviewRow {
    /// A Synced Items row: the linked items of one type or status value.
    Value {
        category: CatalogCategory,
        value: CatalogValueId,
    },
    /// An Orphaned Data row: the orphans of one kind.
    Orphans { kind: ItemKind },
}

impl PreviewRow {
    pub fn kind(self) -> ItemKind {
        match self {
            PreviewRow::Value { category, .. } => category.kind(),
            PreviewRow::Orphans { kind } => kind,
        }
    }
}

/// The columns a preview sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviewSort {
    Name,
    Organization,
    Type,
    Status,
    SyncState,
    OrphanReason,
    LastSynced,
}

impl PreviewSort {
    pub const ALL: [PreviewSort; 7] = [
        PreviewSort::Name,
        PreviewSort::Organization,
        PreviewSort::Type,
        PreviewSort::Status,
        PreviewSort::SyncState,
        PreviewSort::OrphanReason,
        PreviewSort::LastSynced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PreviewSort::Name => "name",
            PreviewSort::Organization => "organization",
            PreviewSort::Type => "type",
            PreviewSort::Status => "status",
            PreviewSort::SyncState => "sync_state",
            PreviewSort::OrphanReason => "orphan_reason",
            PreviewSort::LastSynced => "last_synced",
        }
    }

    pub fn parse(s: &str) -> Option<PreviewSort> {
        PreviewSort::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            PreviewSort::Name => "Name",
            PreviewSort::Organization => "Organization",
            PreviewSort::Type => "Type",
            PreviewSort::Status => "Status",
            PreviewSort::SyncState => "Sync",
            PreviewSort::OrphanReason => "Orphan reason",
            PreviewSort::LastSynced => "Last synced",
        }
    }
}

/// Where a keyset page starts: the sort key and id of the row next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewCursor {
    pub key: String,
    pub id: i64,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviewPageAt {
    First,
    Last,
    /// The page after this row.
    After(PreviewCursor),
    /// The page before this row.
    Before(PreviewCursor),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewQuery {
    pub row: PreviewRow,
    pub sort: PreviewSort,
    pub descending: bool,
    pub at: PreviewPageAt,
    /// Only the items of this orphan reason (View's filter chips).
    #[serde(default)]
    pub reason: Option<OrphanReason>,
    /// Only the items in this sync state (View's filter chips on a type or status).
    #[serde(default)]
    pub state: Option<SyncState>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewItem {
    pub id: i64,
    pub name: String,
    /// The owning organization (empty for organizations themselves).
    pub organization: String,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub sync_state: Option<SyncState>,
    pub orphan_reason: Option<OrphanReason>,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub last_synced_at: Option<DateTime<Utc>>,
    pub had_data_before_first_sync: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewPage {
    /// "Organizations · Type: Prospect", "Orphaned configurations".
    pub title: String,
    pub kind: ItemKind,
    pub total: i64,
    pub items: Vec<PreviewItem>,
    /// Cursors of the first and last row shown, for Previous / Next.
    pub first: Option<PreviewCursor>,
    pub last: Option<PreviewCursor>,
    pub has_previous: bool,
    pub has_next: bool,
    /// What the signed-in user may do here.
    #[serde(default)]
    pub rights: super::Rights,
    /// An orphans row's items by orphan reason (whatever the filter): View's filter chips.
    #[serde(default)]
    pub reasons: Vec<(OrphanReason, i64)>,
    /// A type or status row's items by sync state (whatever the filter).
    #[serde(default)]
    pub states: Vec<(SyncState, i64)>,
}

/// How many disconnected items a page of Disconnected Data's View lists, newest first.
pub const DISCONNECTED_PAGE: i64 = 500;

/// One individually disconnected item (Disconnected Data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisconnectedItem {
    /// The tombstone's id (what Reconnect takes).
    pub id: i64,
    pub kind: ItemKind,
    pub name: String,
    pub organization: String,
    pub psa_id: i64,
    #[serde(with = "crate::model::time::rfc3339")]
    pub disconnected_at: DateTime<Utc>,
    /// Deleted in Steward since: Reconnect recreates it from the PSA (Steward-only data does not
    /// come back).
    pub deleted_locally: bool,
}
