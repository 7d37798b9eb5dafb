//! The generated dataset as ConnectWise Manage serves it: the same field names and shapes as the
//! real API (`identifier`, `types[]`, `status{id,name}`, references as `{id, name, _info}`,
//! `_info.lastUpdated`...). Items deleted in the PSA are not served.

use crate::dataset::{CatalogEntry, Dataset, Fate};
use crate::store::Collection;
use app::model::CatalogCategory;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Every collection the simulator serves, as JSON records in id order (compact text, see
/// `crate::store`).
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub companies: Collection,
    pub company_types: Collection,
    pub company_statuses: Collection,
    pub configurations: Collection,
    pub configuration_types: Collection,
    pub configuration_statuses: Collection,
    pub contacts: Collection,
    pub contact_types: Collection,
    /// Sites by their company's PSA id.
    pub sites: BTreeMap<i64, Collection>,
}

impl Records {
    /// How many records of companies, configurations, contacts and sites are served.
    pub fn item_count(&self) -> usize {
        self.companies.len()
            + self.configurations.len()
            + self.contacts.len()
            + self.sites.values().map(Collection::len).sum::<usize>()
    }
}

fn info(base: &str, href: String, last_updated: &str) -> Value {
    json!({ "lastUpdated": last_updated, "updatedBy": "steward-sim", "dateEntered": "2025-06-01T12:00:00Z", "enteredBy": "steward-sim", format!("{base}_href"): href })
}

fn stamp(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A reference to a catalog entry: `{id, name, _info}`, a configuration's status included
/// (`ConfigurationStatusReference` has `name`, while the status list's entries say
/// `description`: Jetbuilt/connect_wise `docs/ConfigurationStatusReference.md`).
fn catalog_ref(e: &CatalogEntry, path: &str) -> Value {
    json!({ "id": e.psa_id, "name": e.name, "_info": { format!("{}_href", path.rsplit('/').next().unwrap_or(path)): format!("/v4_6_release/apis/3.0/{path}/{}", e.psa_id) } })
}

impl Records {
    /// The dataset as ConnectWise serves it. Each record becomes text as soon as it is built, so
    /// the whole dataset never exists as `Value` trees at once.
    pub fn from_dataset(d: &Dataset) -> Records {
        let mut r = Records::default();
        let catalog = |category: CatalogCategory| {
            Collection::from_values(d.catalog.iter().filter(move |e| e.category == category).map(|e| {
                let updated = "2025-06-01T12:00:00Z";
                match e.category {
                    CatalogCategory::OrganizationType => json!({
                        "id": e.psa_id, "name": e.name, "defaultFlag": e.psa_id == 1, "vendorFlag": e.name == "Vendor",
                        "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } }),
                    CatalogCategory::OrganizationStatus => json!({
                        "id": e.psa_id, "name": e.name, "defaultFlag": e.psa_id == 1, "inactiveFlag": e.name == "Inactive",
                        "notifyFlag": false, "disallowSavingFlag": false, "customNoteFlag": false, "cancelOpenTracksFlag": false,
                        "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } }),
                    CatalogCategory::ConfigurationType => json!({
                        "id": e.psa_id, "name": e.name, "inactiveFlag": false, "systemFlag": false,
                        "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } }),
                    CatalogCategory::ConfigurationStatus => json!({
                        "id": e.psa_id, "description": e.name, "closedFlag": !e.active, "defaultFlag": e.psa_id == 1,
                        "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } }),
                    CatalogCategory::ContactType => json!({
                        "id": e.psa_id, "description": e.name, "defaultFlag": false,
                        "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } }),
                }
            }))
        };
        r.company_types = catalog(CatalogCategory::OrganizationType);
        r.company_statuses = catalog(CatalogCategory::OrganizationStatus);
        r.configuration_types = catalog(CatalogCategory::ConfigurationType);
        r.configuration_statuses = catalog(CatalogCategory::ConfigurationStatus);
        r.contact_types = catalog(CatalogCategory::ContactType);
        let company_ref = |i: usize| {
            let c = &d.companies[i];
            json!({ "id": c.psa_id, "identifier": c.identifier, "name": c.name,
                    "_info": { "company_href": format!("/v4_6_release/apis/3.0/company/companies/{}", c.psa_id) } })
        };
        // What the PSA holds: not the items deleted in it, and not the ones that only ever existed
        // in Steward (stand-alone), nor anything of a company that is not in it.
        let named = |fate: Fate, name: &str| fate.served_name(name);
        let main_sites = d.first_sites();
        r.companies = Collection::from_values(d.served_companies().map(|(i, c)| {
            let main_site = main_sites.get(&i);
            json!({
                "id": c.psa_id,
                "identifier": c.identifier,
                "name": named(c.fate, &c.name),
                "status": catalog_ref(&d.catalog[c.status_idx], "company/companies/statuses"),
                "types": [catalog_ref(&d.catalog[c.type_idx], "company/companies/types")],
                "addressLine1": main_site.map(|s| s.address_line1.as_str()),
                "city": main_site.map(|s| s.city.as_str()),
                "state": main_site.map(|s| s.region.as_str()),
                "zip": main_site.map(|s| s.postal_code.as_str()),
                "country": { "id": 1, "name": "United States" },
                "phoneNumber": c.phone,
                "website": c.website,
                "deletedFlag": false,
                "_info": info("sites", format!("/v4_6_release/apis/3.0/company/companies/{}/sites", c.psa_id), &stamp(c.last_updated)),
            })
        }));
        let mut sites: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
        for s in d.served_sites() {
            sites
                .entry(d.companies[s.company].psa_id)
                .or_default()
                .push(json!({
                    "id": s.psa_id,
                    "name": named(s.fate, &s.name),
                    "addressLine1": s.address_line1,
                    "city": s.city,
                    "stateReference": { "identifier": s.region, "name": s.region },
                    "zip": s.postal_code,
                    "country": { "id": 1, "name": s.country },
                    "phoneNumber": s.phone,
                    "company": company_ref(s.company),
                    "primaryAddressFlag": s.name == "Main Office",
                    "inactiveFlag": false,
                    "_info": { "lastUpdated": stamp(s.last_updated), "updatedBy": "steward-sim" },
                }));
        }
        r.sites = sites
            .into_iter()
            .map(|(company, list)| (company, Collection::from_values(list)))
            .collect();
        r.contacts = Collection::from_values(d.served_contacts()
            .map(|c| {
            let t = &d.catalog[c.type_idx];
            json!({
                "id": c.psa_id,
                "firstName": named(c.fate, c.first_name),
                "lastName": named(c.fate, c.last_name),
                "company": company_ref(c.company),
                "types": [{ "id": t.psa_id, "name": t.name, "_info": { "type_href": format!("/v4_6_release/apis/3.0/company/contacts/types/{}", t.psa_id) } }],
                "inactiveFlag": false,
                "communicationItems": [{ "id": 1, "type": { "id": 1, "name": "Email" }, "value": c.email, "defaultFlag": true, "communicationType": "Email" }],
                "_info": { "lastUpdated": stamp(c.last_updated), "updatedBy": "steward-sim" },
            })
        }));
        r.configurations = Collection::from_values(d.served_configurations().map(|c| {
            json!({
                "id": c.psa_id,
                "name": named(c.fate, &c.name),
                "type": catalog_ref(&d.catalog[c.type_idx], "company/configurations/types"),
                "status": catalog_ref(&d.catalog[c.status_idx], "company/configurations/statuses"),
                "company": company_ref(c.company),
                "serialNumber": c.serial_number,
                "activeFlag": c.active,
                "_info": { "lastUpdated": stamp(c.last_updated), "updatedBy": "steward-sim" },
            })
        }));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Size;

    #[test]
    fn serves_the_dataset_in_connectwise_shapes_without_deleted_items() {
        let d = Dataset::generate(Size::S, 1);
        let r = Records::from_dataset(&d);
        let deleted = d
            .companies
            .iter()
            .filter(|c| matches!(c.fate, Fate::DeletedInPsa | Fate::StandAlone))
            .count();
        assert!(deleted > 0);
        assert_eq!(r.companies.len(), d.companies.len() - deleted);
        let c = &r.companies.get(0).unwrap();
        for field in [
            "id",
            "identifier",
            "name",
            "status",
            "types",
            "deletedFlag",
            "_info",
        ] {
            assert!(c.get(field).is_some(), "{field}");
        }
        assert!(c["status"]["name"].is_string() && c["types"][0]["id"].is_number());
        assert!(c["_info"]["lastUpdated"].as_str().unwrap().ends_with('Z'));
        assert!(
            r.configuration_statuses.get(0).unwrap()["description"].is_string(),
            "configuration statuses use description"
        );
        assert!(r.configurations.get(0).unwrap()["company"]["identifier"].is_string());
        assert!(r.configurations.iter().any(|c| c["activeFlag"] == false));
    }
}
