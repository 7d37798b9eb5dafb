//! Account features that support switches on per account (IT Glue: "contact support"), from
//! Steward's operator command line.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feature {
    /// Manage Data > Synced Items > Actions > Delete: delete every item of a type or status.
    BulkDeleteByType,
    /// Disconnect's third option: "Permanently delete all data including all related/child
    /// records".
    FullDelete,
}

impl Feature {
    pub const ALL: [Feature; 2] = [Feature::BulkDeleteByType, Feature::FullDelete];

    /// The name the operator command line and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::BulkDeleteByType => "bulk-delete-by-type",
            Feature::FullDelete => "full-delete",
        }
    }

    pub fn parse(s: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.as_str() == s)
    }
}
