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
    /// What the signed-in user may do here.
    #[serde(default)]
    pub rights: super::Rights,
}
