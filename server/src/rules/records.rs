//! What any PSA's connector hands the sync engine: its records in one neutral shape, so Autotask
//! and HaloPSA connectors can join ConnectWise's later.

use app::model::CatalogCategory;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An entry of the PSA's catalog (an organization type, a configuration status...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsaCatalogValue {
    pub category: CatalogCategory,
    pub psa_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsaCompany {
    pub psa_id: i64,
    pub identifier: String,
    pub name: String,
    pub type_psa_id: Option<i64>,
    pub status_psa_id: Option<i64>,
    /// Marked deleted in the PSA.
    pub deleted: bool,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsaConfiguration {
    pub psa_id: i64,
    pub company_psa_id: i64,
    pub name: String,
    pub serial_number: Option<String>,
    pub type_psa_id: Option<i64>,
    pub status_psa_id: Option<i64>,
    pub active: bool,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsaContact {
    pub psa_id: i64,
    pub company_psa_id: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub type_psa_id: Option<i64>,
    pub last_updated: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsaSite {
    pub psa_id: i64,
    pub company_psa_id: i64,
    pub name: String,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub last_updated: Option<DateTime<Utc>>,
}

/// A record a PSA lists, known by its id there (a listing's completeness is checked by id).
pub trait Listed {
    fn psa_id(&self) -> i64;
}

macro_rules! listed {
    ($($t:ty),*) => {$(
        impl Listed for $t {
            fn psa_id(&self) -> i64 {
                self.psa_id
            }
        }
    )*};
}

listed!(PsaCompany, PsaConfiguration, PsaContact, PsaSite);
