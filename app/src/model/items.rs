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
    /// The owning organization's id (the organization's own for organizations): its page.
    #[serde(default)]
    pub organization_id: i64,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    /// None: stand-alone, no plug.
    pub sync_state: Option<SyncState>,
    pub orphan_reason: Option<OrphanReason>,
}

/// An organization's page: what it is and what is inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationDetail {
    pub id: i64,
    pub name: String,
    pub type_name: Option<String>,
    pub status_name: Option<String>,
    pub sync_state: Option<SyncState>,
    pub orphan_reason: Option<OrphanReason>,
    /// The integration it syncs from, by name (None: stand-alone).
    pub integration: Option<String>,
    /// Configurations, contacts, locations, passwords and documents, in that order.
    pub contents: Vec<OrganizationContents>,
}

/// One kind of record inside an organization: how many, and the first of them by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationContents {
    /// "Configurations", "Passwords".
    pub kind: String,
    /// Kept in Steward only: the PSA never syncs this kind.
    pub steward_only: bool,
    pub total: i64,
    pub items: Vec<ContentItem>,
}

/// How many records of a kind an organization's page lists.
pub const CONTENTS_SHOWN: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentItem {
    pub name: String,
    /// A type, an email, a user name: what tells it apart.
    pub detail: Option<String>,
    pub sync_state: Option<SyncState>,
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
