//! The Manage Data screen's three sections, as the server computes them.

use super::{CatalogCategory, CatalogValueId, IntegrationSummary, ItemKind, OrphanReason};
use serde::{Deserialize, Serialize};

/// Counts of PSA-linked items by sync state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStateCounts {
    pub enabled: i64,
    pub disabled: i64,
    pub orphaned: i64,
    pub error: i64,
}

impl SyncStateCounts {
    pub fn total(&self) -> i64 {
        self.enabled + self.disabled + self.orphaned + self.error
    }

    pub fn add(&mut self, state: super::SyncState, n: i64) {
        use super::SyncState::*;
        match state {
            Enabled => self.enabled += n,
            Disabled => self.disabled += n,
            Orphaned => self.orphaned += n,
            Error => self.error += n,
        }
    }
}

/// One row of Synced Items: an item kind × one type-or-status value of the PSA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncedItemsRow {
    pub category: CatalogCategory,
    pub value_id: CatalogValueId,
    pub value_name: String,
    /// The value's sync checkbox: "Sync Active".
    pub sync_active: bool,
    pub counts: SyncStateCounts,
}

/// One row of Orphaned Data or Disconnected Data: an item kind with its count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindRow {
    pub kind: ItemKind,
    pub count: i64,
    /// For orphans: how many for each reason (empty for disconnected data).
    pub by_reason: Vec<(OrphanReason, i64)>,
}

/// Everything the Manage Data screen shows, limited to what the user may access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManageData {
    pub integration: IntegrationSummary,
    pub synced_items: Vec<SyncedItemsRow>,
    pub orphaned_data: Vec<KindRow>,
    pub disconnected_data: Vec<KindRow>,
    /// Orphanings a full sync held for an Administrator (sync rule 1b), by kind.
    #[serde(default)]
    pub held: Vec<KindRow>,
    /// The sync run that held them (every full run first lets go of what the last one held):
    /// Confirm and Discard name it, so they never decide on a set the Administrator did not see.
    #[serde(default)]
    pub held_run: Option<super::RunId>,
    /// What the signed-in user may do here.
    #[serde(default)]
    pub rights: super::Rights,
}

/// An item a full sync held instead of orphaning it as "deleted in PSA" (sync rule 1b).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldItem {
    pub id: i64,
    pub kind: ItemKind,
    pub name: String,
    pub organization: Option<String>,
    pub psa_id: i64,
    #[serde(with = "super::time::rfc3339_option")]
    pub last_synced_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One page of an integration's held items of a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldPage {
    pub integration: IntegrationSummary,
    pub kind: ItemKind,
    pub items: Vec<HeldItem>,
    pub total: i64,
    pub offset: i64,
    pub page_size: i64,
    #[serde(default)]
    pub rights: super::Rights,
}
