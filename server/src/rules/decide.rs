//! The sync rules of docs/DOMAIN.md as pure functions: what the PSA says an item should be (`Target`),
//! and what a run does to the local copy given its current state and the run's mode
//! (`transition`). No I/O here; the store (`repo::sync_apply`, `repo::sync_preview`) feeds these
//! from the database and the engine hands it what connectors listed.

use crate::rules::records::{PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::{CatalogCategory, ItemKind, OrphanReason, SyncMode, SyncState};
use std::collections::HashMap;

/// A column value an item row takes from the PSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
}

impl Val {
    fn text(s: &str) -> Val {
        Val::Text(Some(s.to_string()))
    }
    fn opt(s: &Option<String>) -> Val {
        Val::Text(s.clone())
    }
}

/// The integration's catalog: (category, PSA id) → (local catalog value id, name, sync checkbox).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    values: HashMap<(CatalogCategory, i64), (i64, String, bool)>,
}

impl Catalog {
    pub fn insert(
        &mut self,
        category: CatalogCategory,
        psa_id: i64,
        id: i64,
        name: String,
        synced: bool,
    ) {
        self.values.insert((category, psa_id), (id, name, synced));
    }

    /// The local catalog value of a PSA id.
    pub fn local_id(&self, category: CatalogCategory, psa_id: Option<i64>) -> Option<i64> {
        self.values.get(&(category, psa_id?)).map(|v| v.0)
    }

    fn name(&self, category: CatalogCategory, psa_id: Option<i64>) -> Option<&str> {
        psa_id
            .and_then(|p| self.values.get(&(category, p)))
            .map(|v| v.1.as_str())
    }

    /// Is the value's box checked? A value the PSA did not list (or no value) is not synced.
    pub fn synced(&self, category: CatalogCategory, psa_id: Option<i64>) -> bool {
        psa_id
            .and_then(|p| self.values.get(&(category, p)))
            .is_some_and(|v| v.2)
    }
}

/// What the PSA's record says the local item should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Enabled,
    Orphaned(OrphanReason),
    /// The record cannot be stored; the message says why and what to do.
    Failed(String),
}

/// Where a child record's organization stands in Steward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// Linked and syncing (enabled, disabled or in error): its children sync.
    Syncing(i64),
    /// Orphaned: its children become orphans too (rule 3).
    Orphaned(i64),
    /// Not in Steward (never synced, or a company the PSA does not list).
    Missing,
}

impl Parent {
    pub fn id(self) -> Option<i64> {
        match self {
            Parent::Syncing(id) | Parent::Orphaned(id) => Some(id),
            Parent::Missing => None,
        }
    }
}

/// One PSA record, planned: its target and the column values it carries.
#[derive(Debug, Clone)]
pub struct Planned {
    pub kind: ItemKind,
    pub psa_id: i64,
    pub target: Target,
    /// Fields the PSA owns, overwritten while the item syncs (rule 2).
    pub fields: Vec<(&'static str, Val)>,
    /// Classification the PSA always sets on a linked item, whatever its sync state: type,
    /// status, active (rule 4), so the item counts in the right Manage Data row.
    pub class: Vec<(&'static str, Val)>,
    /// First-sync matching key (rule 6); None where the kind is never matched.
    pub match_key: Option<String>,
    /// How events name the item.
    pub label: String,
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

fn blank(kind: ItemKind, psa_id: i64) -> Target {
    Target::Failed(nameless(kind, psa_id))
}

/// Why a record without a name cannot sync, and what to do (PSA-neutral: the Logs it shows in
/// belong to one integration, which names its PSA).
pub fn nameless(kind: ItemKind, psa_id: i64) -> String {
    format!(
        "The PSA sent {} {psa_id} without a name: give it a name in the PSA and sync \
            again",
        match kind {
            ItemKind::Organization => "company",
            ItemKind::Configuration => "configuration",
            ItemKind::Contact => "contact",
            ItemKind::Location => "site",
        }
    )
}

pub fn company(rec: &PsaCompany, cat: &Catalog) -> Planned {
    use CatalogCategory::*;
    let target = if rec.deleted {
        Target::Orphaned(OrphanReason::DeletedInPsa)
    } else if rec.name.trim().is_empty() {
        blank(ItemKind::Organization, rec.psa_id)
    } else if !cat.synced(OrganizationType, rec.type_psa_id) {
        Target::Orphaned(OrphanReason::TypeNotSynced)
    } else if !cat.synced(OrganizationStatus, rec.status_psa_id) {
        Target::Orphaned(OrphanReason::StatusNotSynced)
    } else {
        Target::Enabled
    };
    Planned {
        kind: ItemKind::Organization,
        psa_id: rec.psa_id,
        target,
        fields: vec![("name", Val::text(&rec.name))],
        class: vec![
            (
                "organization_type_id",
                Val::Int(cat.local_id(OrganizationType, rec.type_psa_id)),
            ),
            (
                "organization_status_id",
                Val::Int(cat.local_id(OrganizationStatus, rec.status_psa_id)),
            ),
        ],
        match_key: Some(norm(&rec.name)),
        label: rec.name.clone(),
    }
}

/// The target of a child record: its own validity first, then its organization, then its own
/// classification.
fn child_target(
    kind: ItemKind,
    psa_id: i64,
    name_blank: bool,
    parent: Parent,
    own: impl FnOnce() -> Target,
) -> Target {
    if name_blank {
        blank(kind, psa_id)
    } else if !matches!(parent, Parent::Syncing(_)) {
        Target::Orphaned(OrphanReason::ParentNotSyncing)
    } else {
        own()
    }
}

fn with_parent(mut fields: Vec<(&'static str, Val)>, parent: Parent) -> Vec<(&'static str, Val)> {
    if let Some(id) = parent.id() {
        fields.push(("organization_id", Val::Int(Some(id))));
    }
    fields
}

pub fn configuration(rec: &PsaConfiguration, parent: Parent, cat: &Catalog) -> Planned {
    use CatalogCategory::*;
    let target = child_target(
        ItemKind::Configuration,
        rec.psa_id,
        rec.name.trim().is_empty(),
        parent,
        || {
            let status_synced = cat.synced(ConfigurationStatus, rec.status_psa_id);
            if !cat.synced(ConfigurationType, rec.type_psa_id) {
                Target::Orphaned(OrphanReason::TypeNotSynced)
            } else if !status_synced && !rec.active {
                Target::Orphaned(OrphanReason::InactiveStatusNotSynced)
            } else if !status_synced {
                Target::Orphaned(OrphanReason::StatusNotSynced)
            } else {
                Target::Enabled
            }
        },
    );
    let type_name = cat.name(ConfigurationType, rec.type_psa_id).map(norm);
    Planned {
        kind: ItemKind::Configuration,
        psa_id: rec.psa_id,
        target,
        fields: with_parent(
            vec![
                ("name", Val::text(&rec.name)),
                ("serial_number", Val::opt(&rec.serial_number)),
            ],
            parent,
        ),
        class: vec![
            (
                "configuration_type_id",
                Val::Int(cat.local_id(ConfigurationType, rec.type_psa_id)),
            ),
            (
                "configuration_status_id",
                Val::Int(cat.local_id(ConfigurationStatus, rec.status_psa_id)),
            ),
            ("active", Val::Bool(rec.active)),
        ],
        match_key: parent.id().zip(type_name).map(|(org, t)| {
            configuration_key(
                org,
                &t,
                &rec.name,
                rec.serial_number.as_deref().unwrap_or(""),
            )
        }),
        label: rec.name.clone(),
    }
}

pub fn configuration_key(org: i64, type_name: &str, name: &str, serial: &str) -> String {
    format!("{org}|{}|{}|{}", norm(type_name), norm(name), norm(serial))
}

pub fn contact(rec: &PsaContact, parent: Parent, cat: &Catalog) -> Planned {
    let target = child_target(
        ItemKind::Contact,
        rec.psa_id,
        rec.first_name.trim().is_empty() && rec.last_name.trim().is_empty(),
        parent,
        || {
            if cat.synced(CatalogCategory::ContactType, rec.type_psa_id) {
                Target::Enabled
            } else {
                Target::Orphaned(OrphanReason::TypeNotSynced)
            }
        },
    );
    Planned {
        kind: ItemKind::Contact,
        psa_id: rec.psa_id,
        target,
        fields: with_parent(
            vec![
                ("first_name", Val::text(&rec.first_name)),
                ("last_name", Val::text(&rec.last_name)),
                ("email", Val::opt(&rec.email)),
            ],
            parent,
        ),
        class: vec![(
            "contact_type_id",
            Val::Int(cat.local_id(CatalogCategory::ContactType, rec.type_psa_id)),
        )],
        match_key: parent
            .id()
            .map(|org| contact_key(org, &rec.first_name, &rec.last_name)),
        label: format!("{} {}", rec.first_name, rec.last_name),
    }
}

pub fn contact_key(org: i64, first: &str, last: &str) -> String {
    format!("{org}|{}|{}", norm(first), norm(last))
}

pub fn site(rec: &PsaSite, parent: Parent) -> Planned {
    let target = child_target(
        ItemKind::Location,
        rec.psa_id,
        rec.name.trim().is_empty(),
        parent,
        || Target::Enabled,
    );
    Planned {
        kind: ItemKind::Location,
        psa_id: rec.psa_id,
        target,
        fields: with_parent(
            vec![
                ("name", Val::text(&rec.name)),
                ("address_line1", Val::opt(&rec.address_line1)),
                ("city", Val::opt(&rec.city)),
                ("region", Val::opt(&rec.region)),
                ("postal_code", Val::opt(&rec.postal_code)),
                ("country", Val::opt(&rec.country)),
                ("phone", Val::opt(&rec.phone)),
            ],
            parent,
        ),
        class: vec![],
        // Used only when a type or status is checked again after a permanent disconnect (sites
        // are not matched on a first sync: rule 6 names the other three).
        match_key: parent.id().map(|org| site_key(org, &rec.name)),
        label: rec.name.clone(),
    }
}

pub fn site_key(org: i64, name: &str) -> String {
    format!("{org}|{}", norm(name))
}

/// The sync link of a local copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub state: SyncState,
    pub reason: Option<OrphanReason>,
}

impl Link {
    pub const ENABLED: Link = Link {
        state: SyncState::Enabled,
        reason: None,
    };
    pub fn orphan(reason: OrphanReason) -> Link {
        Link {
            state: SyncState::Orphaned,
            reason: Some(reason),
        }
    }
    pub const ERROR: Link = Link {
        state: SyncState::Error,
        reason: None,
    };
}

/// What a run does to one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// Not touched: its sync is disabled (rule 5), or a new record that is not synced.
    Skip,
    /// A new record that syncs: create it.
    Create,
    /// A new record that cannot be stored: nothing is created, the run counts it as failed.
    FailNew(String),
    /// Set the link (and the error text, None clears it); `write_fields` overwrites the PSA's
    /// fields (rule 2: only while the item syncs).
    Set {
        link: Link,
        error: Option<String>,
        write_fields: bool,
    },
    /// Leave the link as it is (an incremental run never orphans or un-orphans).
    Keep { write_fields: bool },
}

/// What a run of `mode` does to an item whose local copy has `local` (None: not in Steward).
pub fn transition(local: Option<Link>, target: &Target, mode: SyncMode) -> Transition {
    let Some(local) = local else {
        return match target {
            Target::Enabled => Transition::Create,
            Target::Orphaned(_) => Transition::Skip,
            Target::Failed(m) => Transition::FailNew(m.clone()),
        };
    };
    if local.state == SyncState::Disabled {
        return Transition::Skip;
    }
    match (target, mode) {
        (Target::Failed(m), _) => Transition::Set {
            link: Link::ERROR,
            error: Some(m.clone()),
            write_fields: false,
        },
        (Target::Enabled, SyncMode::Full) => Transition::Set {
            link: Link::ENABLED,
            error: None,
            write_fields: true,
        },
        (Target::Orphaned(r), SyncMode::Full) => Transition::Set {
            link: Link::orphan(*r),
            error: None,
            write_fields: false,
        },
        // Incremental: only a complete full listing may orphan or un-orphan (rule 1, 7).
        (Target::Enabled, SyncMode::Incremental) if local.state == SyncState::Error => {
            Transition::Set {
                link: Link::ENABLED,
                error: None,
                write_fields: true,
            }
        }
        (_, SyncMode::Incremental) => Transition::Keep {
            write_fields: local.state == SyncState::Enabled,
        },
    }
}

/// The reason a linked item the full listing did not return becomes an orphan: deleted in the
/// PSA, unless its organization is itself gone from the PSA (then the child could not be listed).
pub fn unlisted_reason(parent_reason: Option<OrphanReason>) -> OrphanReason {
    if parent_reason == Some(OrphanReason::DeletedInPsa) {
        OrphanReason::ParentNotSyncing
    } else {
        OrphanReason::DeletedInPsa
    }
}

/// Rule 1b: whether a full sync holds `new_deletions` items of a kind newly missing from its
/// listing, out of `linked` linked items of that kind, for an Administrator to confirm: more
/// than `percent` % of them and more than `min` (an integration's settings; 10 % and 20 by
/// default). A few companies deleted in the PSA are orphaned as before.
pub fn holds_orphanings(new_deletions: i64, linked: i64, (percent, min): (i64, i64)) -> bool {
    new_deletions > min && new_deletions.saturating_mul(100) > percent.saturating_mul(linked)
}

#[cfg(test)]
mod tests;
