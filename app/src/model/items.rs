//! Item lists (the Organizations and Configurations pages).

use super::{ItemKind, OrphanReason, SyncState};
use serde::{Deserialize, Serialize};

/// How many items a list page shows.
pub const ITEM_PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRow {
    pub id: i64,
    pub name: String,
    /// The owning organization (empty for organizations themselves).
    pub organization: String,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    /// None: stand-alone, no plug.
    pub sync_state: Option<SyncState>,
    pub orphan_reason: Option<OrphanReason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPage {
    pub kind: ItemKind,
    pub total: i64,
    pub page: u32,
    pub items: Vec<ItemRow>,
    /// What the signed-in user may do here.
    #[serde(default)]
    pub rights: super::Rights,
}
