//! What the Manage Data screen must show for a dataset, computed from the generator's own data
//! (not from the database), so tests can check the database's answers against it.

use super::{Dataset, Fate, Link, Plan};
use app::model::{CatalogCategory, ItemKind, ManageData, SyncState, SyncStateCounts};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedRow {
    /// "Organizations", "Configurations", "Contacts".
    pub item: String,
    /// "Type: Customer".
    pub type_or_status: String,
    /// "Yes" / "No".
    pub sync_active: String,
    pub enabled: i64,
    pub disabled: i64,
    pub orphaned: i64,
    pub error: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedKindRow {
    pub item: String,
    pub count: i64,
}

/// The Manage Data screen of a freshly loaded dataset, as plain rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expected {
    pub synced_items: Vec<ExpectedRow>,
    pub orphaned_data: Vec<ExpectedKindRow>,
    pub disconnected_data: Vec<ExpectedKindRow>,
}

fn row(category: CatalogCategory, name: &str, active: bool, c: SyncStateCounts) -> ExpectedRow {
    ExpectedRow {
        item: category.kind().plural().to_string(),
        type_or_status: format!("{}: {}", category.dimension(), name),
        sync_active: if active { "Yes" } else { "No" }.to_string(),
        enabled: c.enabled,
        disabled: c.disabled,
        orphaned: c.orphaned,
        error: c.error,
        total: c.total(),
    }
}

impl Expected {
    pub fn of(d: &Dataset, plan: &Plan) -> Expected {
        let mut counts: BTreeMap<usize, SyncStateCounts> = BTreeMap::new();
        let mut orphaned: BTreeMap<ItemKind, i64> = BTreeMap::new();
        let mut disconnected: BTreeMap<ItemKind, i64> = BTreeMap::new();
        let mut tally = |kind: ItemKind, fate: Fate, link: &Link, catalog: &[usize]| {
            if fate == Fate::DisconnectedThenDeleted && link.state.is_some() {
                *disconnected.entry(kind).or_default() += 1;
                return;
            }
            let Some(state) = link.state else { return };
            for &idx in catalog {
                counts.entry(idx).or_default().add(state, 1);
            }
            if state == SyncState::Orphaned {
                *orphaned.entry(kind).or_default() += 1;
            }
            if state == SyncState::Disabled {
                *disconnected.entry(kind).or_default() += 1;
            }
        };
        for (c, l) in d.companies.iter().zip(&plan.companies) {
            tally(
                ItemKind::Organization,
                c.fate,
                l,
                &[c.type_idx, c.status_idx],
            );
        }
        for (c, l) in d.configurations.iter().zip(&plan.configurations) {
            tally(
                ItemKind::Configuration,
                c.fate,
                l,
                &[c.type_idx, c.status_idx],
            );
        }
        for (c, l) in d.contacts.iter().zip(&plan.contacts) {
            tally(ItemKind::Contact, c.fate, l, &[c.type_idx]);
        }
        for (s, l) in d.sites.iter().zip(&plan.sites) {
            tally(ItemKind::Location, s.fate, l, &[]);
        }
        let mut synced_items: Vec<(CatalogCategory, &str, ExpectedRow)> = d
            .catalog
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    e.category,
                    e.name,
                    row(
                        e.category,
                        e.name,
                        e.sync_enabled,
                        counts.get(&i).copied().unwrap_or_default(),
                    ),
                )
            })
            .collect();
        synced_items.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let kinds = |m: &BTreeMap<ItemKind, i64>| {
            ItemKind::ALL
                .iter()
                .map(|k| ExpectedKindRow {
                    item: k.plural().to_string(),
                    count: m.get(k).copied().unwrap_or(0),
                })
                .collect()
        };
        Expected {
            synced_items: synced_items.into_iter().map(|(_, _, r)| r).collect(),
            orphaned_data: kinds(&orphaned),
            disconnected_data: kinds(&disconnected),
        }
    }

    /// The same rows, read from what the server computed.
    pub fn from_manage_data(m: &ManageData) -> Expected {
        let mut synced: Vec<_> = m
            .synced_items
            .iter()
            .map(|r| {
                (
                    r.category,
                    r.value_name.clone(),
                    row(r.category, &r.value_name, r.sync_active, r.counts),
                )
            })
            .collect();
        synced.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let kinds = |rows: &[app::model::KindRow]| {
            rows.iter()
                .map(|r| ExpectedKindRow {
                    item: r.kind.plural().to_string(),
                    count: r.count,
                })
                .collect()
        };
        Expected {
            synced_items: synced.into_iter().map(|(_, _, r)| r).collect(),
            orphaned_data: kinds(&m.orphaned_data),
            disconnected_data: kinds(&m.disconnected_data),
        }
    }
}
