//! The words of the sync rules: item kinds, sync states (the plug icon), orphan reasons and the
//! PSA catalog's categories.

use serde::{Deserialize, Serialize};

/// Generates `as_str` / `parse` / `ALL` for a plain enum stored as text.
macro_rules! stored_enum {
    ($name:ident { $($variant:ident => $s:literal),* $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value stored in the database and sent over the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)* _ => None }
            }
        }
    };
}

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Organization,
    Configuration,
    Contact,
    Location,
}

stored_enum!(ItemKind {
    Organization => "organization",
    Configuration => "configuration",
    Contact => "contact",
    Location => "location",
});

impl ItemKind {
    /// The plural, as the screens' rows say it.
    pub fn plural(self) -> &'static str {
        match self {
            ItemKind::Organization => "Organizations",
            ItemKind::Configuration => "Configurations",
            ItemKind::Contact => "Contacts",
            ItemKind::Location => "Locations",
        }
    }
}

/// The sync state of a PSA-linked item. Stand-alone items have none (`Option<SyncState>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Grey plug: syncing.
    Enabled,
    /// Red plug: sync turned off for this one item.
    Disabled,
    /// Orange plug: linked to the PSA but excluded from syncing.
    Orphaned,
    /// Red triangle: the last sync of this item failed.
    Error,
}

stored_enum!(SyncState {
    Enabled => "enabled",
    Disabled => "disabled",
    Orphaned => "orphaned",
    Error => "error",
});

impl SyncState {
    /// The plug icon's accessible name.
    pub fn label(self) -> &'static str {
        match self {
            SyncState::Enabled => "Sync enabled",
            SyncState::Disabled => "Sync disabled",
            SyncState::Orphaned => "Orphaned",
            SyncState::Error => "Sync error",
        }
    }

    /// What the plug means, for the legend.
    pub fn explanation(self) -> &'static str {
        match self {
            SyncState::Enabled => "Grey plug: the item syncs with the PSA",
            SyncState::Disabled => "Red plug: sync was turned off for this one item",
            SyncState::Orphaned => "Orange plug: linked to the PSA but no longer synced",
            SyncState::Error => "Red triangle: the last sync of this item failed",
        }
    }
}

/// Why an item is orphaned: always recorded, always shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrphanReason {
    TypeNotSynced,
    StatusNotSynced,
    DeletedInPsa,
    ParentNotSyncing,
    InactiveStatusNotSynced,
}

stored_enum!(OrphanReason {
    TypeNotSynced => "type_not_synced",
    StatusNotSynced => "status_not_synced",
    DeletedInPsa => "deleted_in_psa",
    ParentNotSyncing => "parent_not_syncing",
    InactiveStatusNotSynced => "inactive_status_not_synced",
});

impl OrphanReason {
    pub fn label(self) -> &'static str {
        match self {
            OrphanReason::TypeNotSynced => "Type not synced",
            OrphanReason::StatusNotSynced => "Status not synced",
            OrphanReason::DeletedInPsa => "Deleted in the PSA",
            OrphanReason::ParentNotSyncing => "Parent organization not syncing",
            OrphanReason::InactiveStatusNotSynced => {
                "Inactive configuration whose status is not synced"
            }
        }
    }
}

/// The lists of the PSA's catalog that carry a sync checkbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogCategory {
    OrganizationType,
    OrganizationStatus,
    ConfigurationType,
    ConfigurationStatus,
    ContactType,
}

stored_enum!(CatalogCategory {
    OrganizationType => "organization_type",
    OrganizationStatus => "organization_status",
    ConfigurationType => "configuration_type",
    ConfigurationStatus => "configuration_status",
    ContactType => "contact_type",
});

impl CatalogCategory {
    /// The kind of item the category classifies.
    pub fn kind(self) -> ItemKind {
        match self {
            CatalogCategory::OrganizationType | CatalogCategory::OrganizationStatus => {
                ItemKind::Organization
            }
            CatalogCategory::ConfigurationType | CatalogCategory::ConfigurationStatus => {
                ItemKind::Configuration
            }
            CatalogCategory::ContactType => ItemKind::Contact,
        }
    }

    /// "Type" or "Status".
    pub fn dimension(self) -> &'static str {
        match self {
            CatalogCategory::OrganizationType
            | CatalogCategory::ConfigurationType
            | CatalogCategory::ContactType => "Type",
            CatalogCategory::OrganizationStatus | CatalogCategory::ConfigurationStatus => "Status",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip() {
        for s in SyncState::ALL {
            assert_eq!(SyncState::parse(s.as_str()), Some(*s));
        }
        for r in OrphanReason::ALL {
            assert_eq!(OrphanReason::parse(r.as_str()), Some(*r));
        }
        for c in CatalogCategory::ALL {
            assert_eq!(CatalogCategory::parse(c.as_str()), Some(*c));
        }
        assert_eq!(SyncState::parse("paused"), None);
    }

    #[test]
    fn plug_names_are_the_domain_words() {
        let names: Vec<_> = SyncState::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(
            names,
            ["Sync enabled", "Sync disabled", "Orphaned", "Sync error"]
        );
    }

    #[test]
    fn serde_matches_storage() {
        let json = serde_json::to_string(&OrphanReason::DeletedInPsa).unwrap();
        assert_eq!(json, "\"deleted_in_psa\"");
    }
}
