//! Ids are newtypes so an organization id can never be passed where an account id is wanted.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// One MSP's tenant.
    AccountId,
    /// A person who signs in.
    UserId,
    /// One connection of an account to a PSA.
    IntegrationId,
    /// An organization (a PSA company).
    OrganizationId,
    /// A value of the PSA's catalog (an organization type, a configuration status...).
    CatalogValueId,
);
