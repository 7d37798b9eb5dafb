//! What a sync-settings change will do at the next full sync: the sync rules (`decide`) run over
//! Steward's current items with the changed checkboxes, as if the PSA listed them unchanged.
//! Items are read a chunk at a time; only each organization's outcome is kept in memory.

use super::Repo;
use crate::on_db;
use crate::rules::decide::{self, Catalog, Link, Parent, Target, Transition};
use crate::rules::records::{PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::{
    AccountId, CatalogCategory, IntegrationId, ItemKind, OrphanReason, SyncMode,
    SyncSettingsChange, SyncSettingsEffect, SyncState,
};
use std::collections::HashMap;

const CHUNK: i64 = 5_000;

/// One linked item as the preview needs it: id, organization, name, type, status, active, state,
/// reason.
type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    bool,
    String,
    Option<String>,
);

/// The state after the next full sync of an item whose current link is `link` and whose record
/// (unchanged in the PSA) plans to `target`. Errors and deletions are not the settings' doing:
/// they stay as they are.
fn after(link: Link, target: Target) -> Link {
    if link.state == SyncState::Error || link.reason == Some(OrphanReason::DeletedInPsa) {
        return link;
    }
    match decide::transition(Some(link), &target, SyncMode::Full) {
        Transition::Set { link, .. } => link,
        _ => link,
    }
}

impl Repo {
    pub async fn preview_sync_settings(
        &self,
        account: AccountId,
        integration: IntegrationId,
        change: &SyncSettingsChange,
    ) -> anyhow::Result<SyncSettingsEffect> {
        let acc = account.0;
        let iid = integration.0;
        let values: Vec<(i64, String, i64, String, bool)> = on_db!(&self.db, |pool| {
            sqlx::query_as(
                "SELECT id, category, psa_id, name, sync_enabled FROM \
                    psa_catalog_values \
                WHERE account_id = $1 AND integration_id = $2",
            )
            .bind(acc)
            .bind(iid)
            .fetch_all(pool)
            .await
        })?;
        let checked: HashMap<i64, bool> = change.values.iter().map(|(v, c)| (v.0, *c)).collect();
        let mut catalog = Catalog::default();
        // Local catalog value id → its PSA id, so items can be read back as PSA records.
        let mut psa_of: HashMap<i64, i64> = HashMap::new();
        for (id, category, psa_id, name, synced) in values {
            if let Some(c) = CatalogCategory::parse(&category) {
                catalog.insert(
                    c,
                    psa_id,
                    id,
                    name,
                    checked.get(&id).copied().unwrap_or(synced),
                );
                psa_of.insert(id, psa_id);
            }
        }
        let psa = |id: Option<i64>| id.and_then(|i| psa_of.get(&i).copied());
        let contacts_listed: bool = match change.sync_contacts {
            Some(c) => c,
            None => on_db!(&self.db, |pool| sqlx::query_scalar(
                "SELECT sync_contacts FROM psa_integrations WHERE id = $1 AND \
                    account_id = $2"
            )
            .bind(iid)
            .bind(acc)
            .fetch_one(pool)
            .await)?,
        };

        let mut effect: HashMap<ItemKind, (i64, i64)> = HashMap::new();
        let mut orgs: HashMap<i64, Link> = HashMap::new();
        for kind in [
            ItemKind::Organization,
            ItemKind::Configuration,
            ItemKind::Contact,
            ItemKind::Location,
        ] {
            if kind == ItemKind::Contact && !contacts_listed {
                continue;
            }
            let sql = match kind {
                ItemKind::Organization => {
                    "SELECT id, id, name, organization_type_id, \
                    organization_status_id, TRUE, sync_state, orphan_reason FROM organizations"
                }
                ItemKind::Configuration => {
                    "SELECT id, organization_id, name, \
                    configuration_type_id, configuration_status_id, active, sync_state, \
                    orphan_reason FROM configurations"
                }
                ItemKind::Contact => {
                    "SELECT id, organization_id, first_name || ' ' || \
                    last_name, contact_type_id, NULL, TRUE, sync_state, orphan_reason FROM \
                    contacts"
                }
                ItemKind::Location => {
                    "SELECT id, organization_id, name, NULL, NULL, \
                    TRUE, sync_state, orphan_reason FROM locations"
                }
            };
            let sql = format!(
                "{sql} WHERE account_id = $1 AND integration_id = $2 AND \
                id > $3 ORDER BY id LIMIT $4"
            );
            let mut last = 0i64;
            loop {
                let rows: Vec<Row> = on_db!(&self.db, |pool| sqlx::query_as(&sql)
                    .bind(acc)
                    .bind(iid)
                    .bind(last)
                    .bind(CHUNK)
                    .fetch_all(pool)
                    .await)?;
                let Some(end) = rows.last() else { break };
                last = end.0;
                for (id, org, name, t, s, active, state, reason) in rows {
                    let Some(state) = SyncState::parse(&state) else {
                        continue;
                    };
                    let link = Link {
                        state,
                        reason: reason.as_deref().and_then(OrphanReason::parse),
                    };
                    let parent = match orgs.get(&org) {
                        Some(l) if l.state == SyncState::Orphaned => Parent::Orphaned(org),
                        Some(_) => Parent::Syncing(org),
                        None => Parent::Missing,
                    };
                    let target = match kind {
                        ItemKind::Organization => {
                            decide::company(
                                &PsaCompany {
                                    psa_id: 0,
                                    identifier: String::new(),
                                    name,
                                    type_psa_id: psa(t),
                                    status_psa_id: psa(s),
                                    deleted: false,
                                    last_updated: None,
                                },
                                &catalog,
                            )
                            .target
                        }
                        ItemKind::Configuration => {
                            decide::configuration(
                                &PsaConfiguration {
                                    psa_id: 0,
                                    company_psa_id: 0,
                                    name,
                                    serial_number: None,
                                    type_psa_id: psa(t),
                                    status_psa_id: psa(s),
                                    active,
                                    last_updated: None,
                                },
                                parent,
                                &catalog,
                            )
                            .target
                        }
                        ItemKind::Contact => {
                            decide::contact(
                                &PsaContact {
                                    psa_id: 0,
                                    company_psa_id: None,
                                    first_name: name,
                                    last_name: String::new(),
                                    email: None,
                                    type_psa_id: psa(t),
                                    last_updated: None,
                                },
                                parent,
                                &catalog,
                            )
                            .target
                        }
                        ItemKind::Location => {
                            decide::site(
                                &PsaSite {
                                    psa_id: 0,
                                    company_psa_id: 0,
                                    name,
                                    address_line1: None,
                                    city: None,
                                    region: None,
                                    postal_code: None,
                                    country: None,
                                    phone: None,
                                    last_updated: None,
                                },
                                parent,
                            )
                            .target
                        }
                    };
                    let next = if state == SyncState::Disabled {
                        link
                    } else {
                        after(link, target)
                    };
                    if kind == ItemKind::Organization {
                        orgs.insert(id, next);
                    }
                    let e = effect.entry(kind).or_default();
                    match (state, next.state) {
                        (SyncState::Orphaned, SyncState::Orphaned) => {}
                        (_, SyncState::Orphaned) => e.0 += 1,
                        (SyncState::Orphaned, SyncState::Enabled) => e.1 += 1,
                        _ => {}
                    }
                }
            }
        }
        let per_kind = |pick: fn(&(i64, i64)) -> i64| {
            ItemKind::ALL
                .iter()
                .map(|k| (*k, effect.get(k).map(pick).unwrap_or(0)))
                .collect()
        };
        Ok(SyncSettingsEffect {
            orphaned: per_kind(|e| e.0),
            resumed: per_kind(|e| e.1),
        })
    }
}
