//! The dataset generator: a realistic MSP's PSA contents (companies, sites, contacts,
//! configurations, and the PSA's types and statuses) plus Steward-only passwords and documents,
//! deterministic from a seed. The simulators serve it; `server::dataset::loader` writes it into a
//! database as if synced.

mod expected;
mod generate;
mod names;
mod rng;

pub use expected::Expected;
pub use rng::Rng;

use app::model::{CatalogCategory, OrphanReason, SyncState};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;

/// The named dataset sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Size {
    /// Demo: ~120 companies, ~2,500 configurations, ~800 contacts, ~200 sites.
    S,
    /// Ten times S.
    M,
    /// 5,000 companies, 100,000 configurations, 30,000 contacts, 8,000 sites.
    L,
    /// About 1,000,000 items.
    Xl,
}

/// How many of each item a size has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeCounts {
    pub companies: usize,
    pub configurations: usize,
    pub contacts: usize,
    pub sites: usize,
}

impl Size {
    pub fn counts(self) -> SizeCounts {
        let (companies, configurations, contacts, sites) = match self {
            Size::S => (120, 2_500, 800, 200),
            Size::M => (1_200, 25_000, 8_000, 2_000),
            Size::L => (5_000, 100_000, 30_000, 8_000),
            Size::Xl => (40_000, 780_000, 140_000, 40_000),
        };
        SizeCounts {
            companies,
            configurations,
            contacts,
            sites,
        }
    }
}

/// What happened to an item on Steward's side, decided by the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Synced by the rules.
    Normal,
    /// Created in Steward, never linked to the PSA.
    StandAlone,
    /// Someone turned its sync off (red plug).
    Disabled,
    /// Its last sync failed.
    Error,
    /// Gone from the PSA; the local copy is an orphan.
    DeletedInPsa,
    /// Disconnected, then deleted in Steward: only its tombstone is left locally.
    DisconnectedThenDeleted,
}

impl Fate {
    /// Whether the PSA holds the item: not one deleted in it, nor one that only ever existed in
    /// Steward (stand-alone). What every PSA simulator serves.
    pub fn in_psa(self) -> bool {
        !matches!(self, Fate::DeletedInPsa | Fate::StandAlone)
    }

    /// The name a PSA serves: an item whose last sync failed comes without one, which Steward
    /// cannot store.
    pub fn served_name(self, name: &str) -> String {
        if self == Fate::Error {
            String::new()
        } else {
            name.to_string()
        }
    }
}

/// A value of the PSA's catalog with its sync checkbox.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub category: CatalogCategory,
    pub psa_id: i64,
    pub name: &'static str,
    pub sync_enabled: bool,
    /// How common the value is among items.
    pub weight: u32,
    /// For configuration statuses: whether configurations in it are active.
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct Company {
    pub psa_id: i64,
    pub identifier: String,
    pub name: String,
    /// Indexes into `Dataset::catalog`.
    pub type_idx: usize,
    pub status_idx: usize,
    pub phone: String,
    pub website: String,
    pub last_updated: DateTime<Utc>,
    pub fate: Fate,
    pub had_data_before_first_sync: bool,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub psa_id: i64,
    /// Index into `Dataset::companies`.
    pub company: usize,
    pub name: String,
    pub address_line1: String,
    pub city: String,
    pub region: String,
    pub postal_code: String,
    pub country: &'static str,
    pub phone: String,
    pub last_updated: DateTime<Utc>,
    pub fate: Fate,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub psa_id: i64,
    pub company: usize,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub email: String,
    pub type_idx: usize,
    pub last_updated: DateTime<Utc>,
    pub fate: Fate,
}

#[derive(Debug, Clone)]
pub struct Configuration {
    pub psa_id: i64,
    pub company: usize,
    pub name: String,
    pub serial_number: String,
    pub type_idx: usize,
    pub status_idx: usize,
    pub active: bool,
    pub last_updated: DateTime<Utc>,
    pub fate: Fate,
}

/// Exists only in Steward.
#[derive(Debug, Clone)]
pub struct Password {
    pub company: usize,
    pub name: &'static str,
    pub username: String,
    pub url: String,
    pub secret_ciphertext: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub company: usize,
    pub title: &'static str,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Dataset {
    pub size: Size,
    pub seed: u64,
    pub catalog: Vec<CatalogEntry>,
    pub companies: Vec<Company>,
    pub sites: Vec<Site>,
    pub contacts: Vec<Contact>,
    pub configurations: Vec<Configuration>,
    pub passwords: Vec<Password>,
    pub documents: Vec<Document>,
}

/// An item's local sync state: `state` None means stand-alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub state: Option<SyncState>,
    pub reason: Option<OrphanReason>,
}

impl Link {
    const STAND_ALONE: Link = Link {
        state: None,
        reason: None,
    };
    const ENABLED: Link = Link {
        state: Some(SyncState::Enabled),
        reason: None,
    };
    fn orphan(reason: OrphanReason) -> Link {
        Link {
            state: Some(SyncState::Orphaned),
            reason: Some(reason),
        }
    }
    fn of(state: SyncState) -> Link {
        Link {
            state: Some(state),
            reason: None,
        }
    }
}

/// The local sync state of every item, index for index with the dataset's vectors.
#[derive(Debug, Clone)]
pub struct Plan {
    pub companies: Vec<Link>,
    pub sites: Vec<Link>,
    pub contacts: Vec<Link>,
    pub configurations: Vec<Link>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_dataset() {
        let a = Dataset::generate(Size::S, 42);
        let b = Dataset::generate(Size::S, 42);
        let c = Dataset::generate(Size::S, 43);
        assert_eq!(
            a.companies.iter().map(|c| &c.name).collect::<Vec<_>>(),
            b.companies.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
        assert_eq!(
            a.configurations.last().unwrap().serial_number,
            b.configurations.last().unwrap().serial_number
        );
        assert_ne!(
            a.companies.iter().map(|c| &c.name).collect::<Vec<_>>(),
            c.companies.iter().map(|c| &c.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sizes_have_their_counts() {
        let s = Dataset::generate(Size::S, 1);
        assert_eq!(
            (
                s.companies.len(),
                s.configurations.len(),
                s.contacts.len(),
                s.sites.len()
            ),
            (120, 2_500, 800, 200)
        );
        assert!(!s.passwords.is_empty() && !s.documents.is_empty());
        let xl = Size::Xl.counts();
        let total = xl.companies + xl.configurations + xl.contacts + xl.sites;
        assert_eq!(total, 1_000_000);
    }

    #[test]
    fn names_and_identifiers_are_unique() {
        let m = Dataset::generate(Size::M, 5);
        let names: HashSet<_> = m.companies.iter().map(|c| &c.name).collect();
        let ids: HashSet<_> = m.companies.iter().map(|c| &c.identifier).collect();
        assert_eq!(names.len(), m.companies.len());
        assert_eq!(ids.len(), m.companies.len());
        assert!(m.companies.iter().all(|c| c.identifier.len() <= 25));
    }

    #[test]
    fn the_plan_follows_the_sync_rules() {
        let d = Dataset::generate(Size::M, 9);
        let plan = d.plan();
        let mut reasons = HashSet::new();
        for (c, link) in d.companies.iter().zip(&plan.companies) {
            if c.fate == Fate::Normal && !d.catalog[c.type_idx].sync_enabled {
                assert_eq!(link.reason, Some(OrphanReason::TypeNotSynced));
            }
            assert_eq!(
                link.state == Some(SyncState::Orphaned),
                link.reason.is_some()
            );
        }
        for (cfg, link) in d.configurations.iter().zip(&plan.configurations) {
            let parent = plan.companies[cfg.company];
            if parent.state.is_none() {
                assert_eq!(
                    link.state, None,
                    "children of stand-alone organizations are stand-alone"
                );
            }
            if parent.state == Some(SyncState::Orphaned) && cfg.fate == Fate::Normal {
                assert_eq!(link.reason, Some(OrphanReason::ParentNotSyncing));
            }
            if let Some(r) = link.reason {
                reasons.insert(r);
            }
        }
        // A realistic mix: every orphan reason occurs.
        assert_eq!(reasons.len(), OrphanReason::ALL.len(), "{reasons:?}");
        for state in SyncState::ALL {
            assert!(
                plan.configurations.iter().any(|l| l.state == Some(*state)),
                "{state:?}"
            );
        }
        assert!(plan.companies.iter().any(|l| l.state.is_none()));
    }
}
