//! ConnectWise Manage's records as the connector reads them, and their translation into the
//! PSA-neutral records the sync engine works with (`crate::rules::records`).

use crate::rules::records::{PsaCatalogValue, PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::CatalogCategory;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A reference to another record: `{id, name, _info}` (statuses of configurations say `description`).
#[derive(Debug, Clone, Deserialize)]
pub struct Ref {
    pub id: i64,
    #[serde(default, alias = "description")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Info {
    pub last_updated: Option<String>,
}

fn stamp(info: &Option<Info>) -> Option<DateTime<Utc>> {
    info.as_ref()?
        .last_updated
        .as_deref()
        .and_then(crate::psa::parse_time)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwCompany {
    pub id: i64,
    pub identifier: String,
    pub name: String,
    pub status: Option<Ref>,
    #[serde(default)]
    pub types: Vec<Ref>,
    #[serde(default)]
    pub deleted_flag: bool,
    #[serde(rename = "_info")]
    pub info: Option<Info>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwConfiguration {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Option<Ref>,
    pub status: Option<Ref>,
    pub company: Ref,
    pub serial_number: Option<String>,
    #[serde(default = "yes")]
    pub active_flag: bool,
    #[serde(rename = "_info")]
    pub info: Option<Info>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationItem {
    pub value: Option<String>,
    pub communication_type: Option<String>,
    #[serde(default)]
    pub default_flag: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwContact {
    pub id: i64,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    pub company: Option<Ref>,
    #[serde(default)]
    pub types: Vec<Ref>,
    #[serde(default)]
    pub communication_items: Vec<CommunicationItem>,
    #[serde(rename = "_info")]
    pub info: Option<Info>,
}

/// A site's state or province: `{identifier, name}` without an id.
#[derive(Debug, Clone, Deserialize)]
pub struct StateRef {
    pub identifier: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CwSite {
    pub id: i64,
    pub name: String,
    pub address_line1: Option<String>,
    pub city: Option<String>,
    pub state_reference: Option<StateRef>,
    pub zip: Option<String>,
    pub country: Option<Ref>,
    pub phone_number: Option<String>,
    #[serde(rename = "_info")]
    pub info: Option<Info>,
}

impl From<CwCompany> for PsaCompany {
    fn from(c: CwCompany) -> Self {
        PsaCompany {
            psa_id: c.id,
            identifier: c.identifier,
            name: c.name,
            type_psa_id: c.types.first().map(|t| t.id),
            status_psa_id: c.status.map(|s| s.id),
            deleted: c.deleted_flag,
            last_updated: stamp(&c.info),
        }
    }
}

impl From<CwConfiguration> for PsaConfiguration {
    fn from(c: CwConfiguration) -> Self {
        PsaConfiguration {
            psa_id: c.id,
            company_psa_id: c.company.id,
            name: c.name,
            serial_number: c.serial_number,
            type_psa_id: c.kind.map(|t| t.id),
            status_psa_id: c.status.map(|s| s.id),
            active: c.active_flag,
            last_updated: stamp(&c.info),
        }
    }
}

impl From<CwContact> for PsaContact {
    fn from(c: CwContact) -> Self {
        let email = c
            .communication_items
            .iter()
            .filter(|i| i.communication_type.as_deref() == Some("Email"))
            .max_by_key(|i| i.default_flag)
            .and_then(|i| i.value.clone());
        PsaContact {
            psa_id: c.id,
            company_psa_id: c.company.map(|r| r.id),
            first_name: c.first_name,
            last_name: c.last_name,
            email,
            type_psa_id: c.types.first().map(|t| t.id),
            last_updated: stamp(&c.info),
        }
    }
}

impl CwSite {
    pub fn into_site(self, company_psa_id: i64) -> PsaSite {
        PsaSite {
            psa_id: self.id,
            company_psa_id,
            name: self.name,
            address_line1: self.address_line1,
            city: self.city,
            region: self.state_reference.and_then(|r| r.identifier.or(r.name)),
            postal_code: self.zip,
            country: self.country.and_then(|r| r.name),
            phone: self.phone_number,
            last_updated: stamp(&self.info),
        }
    }
}

/// A catalog list's entry (`company/companies/types`, `.../statuses`, ...).
pub fn catalog_value(category: CatalogCategory, r: Ref) -> PsaCatalogValue {
    PsaCatalogValue {
        category,
        psa_id: r.id,
        name: r.name.unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Dataset, Size};
    use sim::connectwise::Records;

    #[test]
    fn reads_what_the_simulator_serves() {
        let d = Dataset::generate(Size::S, 1);
        let r = Records::from_dataset(&d);
        let company: PsaCompany = serde_json::from_value::<CwCompany>(r.companies.get(0).unwrap())
            .unwrap()
            .into();
        assert_eq!(
            company.psa_id,
            r.companies.get(0).unwrap()["id"].as_i64().unwrap()
        );
        assert!(
            company.type_psa_id.is_some()
                && company.status_psa_id.is_some()
                && company.last_updated.is_some()
        );
        let cfg: PsaConfiguration =
            serde_json::from_value::<CwConfiguration>(r.configurations.get(0).unwrap())
                .unwrap()
                .into();
        assert_eq!(
            cfg.company_psa_id,
            r.configurations.get(0).unwrap()["company"]["id"]
                .as_i64()
                .unwrap()
        );
        assert!(cfg.serial_number.is_some());
        let contact: PsaContact = serde_json::from_value::<CwContact>(r.contacts.get(0).unwrap())
            .unwrap()
            .into();
        assert!(contact.email.unwrap().contains('@'));
        let (company_id, sites) = r.sites.iter().next().unwrap();
        let (company_id, site) = (*company_id, sites.get(0).unwrap());
        let site = serde_json::from_value::<CwSite>(site)
            .unwrap()
            .into_site(company_id);
        assert_eq!(site.company_psa_id, company_id);
        assert!(site.region.is_some());
        let status =
            serde_json::from_value::<Ref>(r.configuration_statuses.get(0).unwrap()).unwrap();
        assert_eq!(
            catalog_value(CatalogCategory::ConfigurationStatus, status).name,
            "Active"
        );
    }

    #[test]
    fn tolerates_missing_optional_fields() {
        let c: CwCompany =
            serde_json::from_value(serde_json::json!({ "id": 1, "identifier": "X", "name": "X" }))
                .unwrap();
        let p: PsaCompany = c.into();
        assert_eq!(
            (p.type_psa_id, p.status_psa_id, p.last_updated),
            (None, None, None)
        );
        let cfg: CwConfiguration = serde_json::from_value(
            serde_json::json!({ "id": 2, "name": "PC", "company": { "id": 1 } }),
        )
        .unwrap();
        assert!(
            PsaConfiguration::from(cfg).active,
            "activeFlag defaults to active"
        );
    }
}
