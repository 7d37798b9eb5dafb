//! Each sync rule of docs/DOMAIN.md on hand-made records.

use super::*;
use CatalogCategory::*;

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.insert(OrganizationType, 1, 11, "Customer".into(), true);
    c.insert(OrganizationType, 2, 12, "Prospect".into(), false);
    c.insert(OrganizationStatus, 1, 21, "Active".into(), true);
    c.insert(OrganizationStatus, 2, 22, "Inactive".into(), false);
    c.insert(ConfigurationType, 1, 31, "Server".into(), true);
    c.insert(ConfigurationType, 2, 32, "Mobile Device".into(), false);
    c.insert(ConfigurationStatus, 1, 41, "Active".into(), true);
    c.insert(ConfigurationStatus, 2, 42, "Retired".into(), false);
    c.insert(ContactType, 1, 51, "End User".into(), true);
    c.insert(ContactType, 2, 52, "Former Employee".into(), false);
    c
}

fn company_rec(type_id: i64, status_id: i64) -> PsaCompany {
    PsaCompany {
        psa_id: 7,
        identifier: "Acme".into(),
        name: "Acme Inc".into(),
        type_psa_id: Some(type_id),
        status_psa_id: Some(status_id),
        deleted: false,
        last_updated: None,
    }
}

fn config_rec(type_id: i64, status_id: i64, active: bool) -> PsaConfiguration {
    PsaConfiguration {
        psa_id: 9,
        company_psa_id: 7,
        name: "ACME-SRV01".into(),
        serial_number: Some("X1".into()),
        type_psa_id: Some(type_id),
        status_psa_id: Some(status_id),
        active,
        last_updated: None,
    }
}

#[test]
fn rule_3_unchecked_type_or_status_orphans_with_its_reason() {
    let c = catalog();
    assert_eq!(company(&company_rec(1, 1), &c).target, Target::Enabled);
    assert_eq!(
        company(&company_rec(2, 1), &c).target,
        Target::Orphaned(OrphanReason::TypeNotSynced)
    );
    assert_eq!(
        company(&company_rec(1, 2), &c).target,
        Target::Orphaned(OrphanReason::StatusNotSynced)
    );
    let mut deleted = company_rec(1, 1);
    deleted.deleted = true;
    assert_eq!(
        company(&deleted, &c).target,
        Target::Orphaned(OrphanReason::DeletedInPsa)
    );
    // A type the catalog does not know is not synced.
    assert_eq!(
        company(&company_rec(99, 1), &c).target,
        Target::Orphaned(OrphanReason::TypeNotSynced)
    );
}

#[test]
fn rule_3_children_of_an_orphaned_organization_are_orphans() {
    let c = catalog();
    let cfg = config_rec(1, 1, true);
    assert_eq!(
        configuration(&cfg, Parent::Syncing(5), &c).target,
        Target::Enabled
    );
    assert_eq!(
        configuration(&cfg, Parent::Orphaned(5), &c).target,
        Target::Orphaned(OrphanReason::ParentNotSyncing)
    );
    assert_eq!(
        configuration(&cfg, Parent::Missing, &c).target,
        Target::Orphaned(OrphanReason::ParentNotSyncing)
    );
    assert_eq!(
        unlisted_reason(Some(OrphanReason::DeletedInPsa)),
        OrphanReason::ParentNotSyncing
    );
    assert_eq!(unlisted_reason(None), OrphanReason::DeletedInPsa);
}

#[test]
fn rule_4_inactive_configurations_whose_status_is_not_synced() {
    let c = catalog();
    let inactive = configuration(&config_rec(1, 2, false), Parent::Syncing(5), &c);
    assert_eq!(
        inactive.target,
        Target::Orphaned(OrphanReason::InactiveStatusNotSynced)
    );
    assert!(inactive.class.contains(&("active", Val::Bool(false))));
    assert_eq!(
        configuration(&config_rec(1, 2, true), Parent::Syncing(5), &c).target,
        Target::Orphaned(OrphanReason::StatusNotSynced)
    );
    // Inactive but in a synced status: stays enabled, marked inactive.
    let p = configuration(&config_rec(1, 1, false), Parent::Syncing(5), &c);
    assert_eq!(p.target, Target::Enabled);
    assert!(p.class.contains(&("active", Val::Bool(false))));
}

#[test]
fn rule_5_disabled_items_are_never_touched() {
    let disabled = Some(Link {
        state: SyncState::Disabled,
        reason: None,
    });
    for target in [
        Target::Enabled,
        Target::Orphaned(OrphanReason::DeletedInPsa),
        Target::Failed("x".into()),
    ] {
        for mode in [SyncMode::Full, SyncMode::Incremental] {
            assert_eq!(transition(disabled, &target, mode), Transition::Skip);
        }
    }
}

#[test]
fn rule_7_incremental_runs_neither_orphan_nor_resume() {
    let enabled = Some(Link::ENABLED);
    let orphan = Some(Link::orphan(OrphanReason::TypeNotSynced));
    let not_synced = Target::Orphaned(OrphanReason::TypeNotSynced);
    assert_eq!(
        transition(enabled, &not_synced, SyncMode::Incremental),
        Transition::Keep { write_fields: true }
    );
    assert_eq!(
        transition(orphan, &Target::Enabled, SyncMode::Incremental),
        Transition::Keep {
            write_fields: false
        }
    );
    assert_eq!(
        transition(enabled, &not_synced, SyncMode::Full),
        Transition::Set {
            link: Link::orphan(OrphanReason::TypeNotSynced),
            error: None,
            write_fields: false
        }
    );
    assert_eq!(
        transition(orphan, &Target::Enabled, SyncMode::Full),
        Transition::Set {
            link: Link::ENABLED,
            error: None,
            write_fields: true
        }
    );
}

#[test]
fn new_records_are_created_only_when_they_sync() {
    let c = catalog();
    let prospect = company(&company_rec(2, 1), &c);
    assert_eq!(
        transition(None, &prospect.target, SyncMode::Full),
        Transition::Skip
    );
    assert_eq!(
        transition(None, &Target::Enabled, SyncMode::Incremental),
        Transition::Create
    );
    let mut nameless = company_rec(1, 1);
    nameless.name = "  ".into();
    let p = company(&nameless, &c);
    assert!(matches!(
        transition(None, &p.target, SyncMode::Full),
        Transition::FailNew(m) if m.contains("without a name")
    ));
    assert!(matches!(
        transition(Some(Link::ENABLED), &p.target, SyncMode::Full),
        Transition::Set {
            link: Link::ERROR,
            error: Some(_),
            write_fields: false
        }
    ));
}

#[test]
fn rule_6_matching_keys() {
    let c = catalog();
    let p = configuration(&config_rec(1, 1, true), Parent::Syncing(5), &c);
    assert_eq!(
        p.match_key.as_deref(),
        Some(configuration_key(5, "SERVER", " acme-srv01", "x1").as_str())
    );
    let contact_rec = PsaContact {
        psa_id: 3,
        company_psa_id: Some(7),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        email: None,
        type_psa_id: Some(1),
        last_updated: None,
    };
    assert_eq!(
        contact(&contact_rec, Parent::Syncing(5), &c).match_key,
        Some(contact_key(5, "ann", "LEE"))
    );
    assert_eq!(
        company(&company_rec(1, 1), &c).match_key.as_deref(),
        Some("acme inc")
    );
}
