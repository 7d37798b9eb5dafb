//! The generated dataset as ConnectWise Manage serves it: the same field names and shapes as the
//! real API (`identifier`, `types[]`, `status{id,name}`, references as `{id, name, _info}`,
//! `_info.lastUpdated`...). Items deleted in the PSA are not served.

use crate::dataset::{CatalogEntry, Dataset, Fate};
use app::model::CatalogCategory;
use serde_json::{json, Value};

/// Every collection the simulator serves, as JSON records in id order.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub companies: Vec<Value>,
    pub company_types: Vec<Value>,
    pub company_statuses: Vec<Value>,
    pub configurations: Vec<Value>,
    pub configuration_types: Vec<Value>,
    pub configuration_statuses: Vec<Value>,
    pub contacts: Vec<Value>,
    pub contact_types: Vec<Value>,
    /// Sites with their company's PSA id.
    pub sites: Vec<(i64, Value)>,
}

fn info(base: &str, href: String, last_updated: &str) -> Value {
    json!({ "lastUpdated": last_updated, "updatedBy": "steward-sim", "dateEntered": "2025-06-01T12:00:00Z", "enteredBy": "steward-sim", format!("{base}_href"): href })
}

fn stamp(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn catalog_ref(e: &CatalogEntry, path: &str) -> Value {
    let label = if e.category == CatalogCategory::ConfigurationStatus {
        "description"
    } else {
        "name"
    };
    json!({ "id": e.psa_id, label: e.name, "_info": { format!("{}_href", path.rsplit('/').next().unwrap_or(path)): format!("/v4_6_release/apis/3.0/{path}/{}", e.psa_id) } })
}

impl Records {
    pub fn from_dataset(d: &Dataset) -> Records {
        let mut r = Records::default();
        for e in &d.catalog {
            let updated = "2025-06-01T12:00:00Z";
            match e.category {
                CatalogCategory::OrganizationType => r.company_types.push(json!({
                    "id": e.psa_id, "name": e.name, "defaultFlag": e.psa_id == 1, "vendorFlag": e.name == "Vendor",
                    "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } })),
                CatalogCategory::OrganizationStatus => r.company_statuses.push(json!({
                    "id": e.psa_id, "name": e.name, "defaultFlag": e.psa_id == 1, "inactiveFlag": e.name == "Inactive",
                    "notifyFlag": false, "disallowSavingFlag": false, "customNoteFlag": false, "cancelOpenTracksFlag": false,
                    "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } })),
                CatalogCategory::ConfigurationType => r.configuration_types.push(json!({
                    "id": e.psa_id, "name": e.name, "inactiveFlag": false, "systemFlag": false,
                    "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } })),
                CatalogCategory::ConfigurationStatus => r.configuration_statuses.push(json!({
                    "id": e.psa_id, "description": e.name, "closedFlag": !e.active, "defaultFlag": e.psa_id == 1,
                    "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } })),
                CatalogCategory::ContactType => r.contact_types.push(json!({
                    "id": e.psa_id, "description": e.name, "defaultFlag": false,
                    "_info": { "lastUpdated": updated, "updatedBy": "steward-sim" } })),
            }
        }
        let company_ref = |i: usize| {
            let c = &d.companies[i];
            json!({ "id": c.psa_id, "identifier": c.identifier, "name": c.name,
                    "_info": { "company_href": format!("/v4_6_release/apis/3.0/company/companies/{}", c.psa_id) } })
        };
        // What the PSA holds: not the items deleted in it, and not the ones that only ever existed
        // in Steward (stand-alone), nor anything of a company that is not in it.
        let in_psa = Fate::in_psa;
        let company_in_psa = |i: usize| in_psa(d.companies[i].fate);
        let named = |fate: Fate, name: &str| fate.served_name(name);
        for c in d.companies.iter().filter(|c| in_psa(c.fate)) {
            let main_site = d
                .sites
                .iter()
                .find(|s| d.companies[s.company].psa_id == c.psa_id);
            r.companies.push(json!({
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
            }));
        }
        for s in d
            .sites
            .iter()
            .filter(|s| in_psa(s.fate) && company_in_psa(s.company))
        {
            r.sites.push((
                d.companies[s.company].psa_id,
                json!({
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
                }),
            ));
        }
        for c in d
            .contacts
            .iter()
            .filter(|c| in_psa(c.fate) && company_in_psa(c.company))
        {
            let t = &d.catalog[c.type_idx];
            r.contacts.push(json!({
                "id": c.psa_id,
                "firstName": named(c.fate, c.first_name),
                "lastName": named(c.fate, c.last_name),
                "company": company_ref(c.company),
                "types": [{ "id": t.psa_id, "name": t.name, "_info": { "type_href": format!("/v4_6_release/apis/3.0/company/contacts/types/{}", t.psa_id) } }],
                "inactiveFlag": false,
                "communicationItems": [{ "id": 1, "type": { "id": 1, "name": "Email" }, "value": c.email, "defaultFlag": true, "communicationType": "Email" }],
                "_info": { "lastUpdated": stamp(c.last_updated), "updatedBy": "steward-sim" },
            }));
        }
        for c in d
            .configurations
            .iter()
            .filter(|c| in_psa(c.fate) && company_in_psa(c.company))
        {
            r.configurations.push(json!({
                "id": c.psa_id,
                "name": named(c.fate, &c.name),
                "type": catalog_ref(&d.catalog[c.type_idx], "company/configurations/types"),
                "status": catalog_ref(&d.catalog[c.status_idx], "company/configurations/statuses"),
                "company": company_ref(c.company),
                "serialNumber": c.serial_number,
                "activeFlag": c.active,
                "_info": { "lastUpdated": stamp(c.last_updated), "updatedBy": "steward-sim" },
            }));
        }
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
        let c = &r.companies[0];
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
            r.configuration_statuses[0]["description"].is_string(),
            "configuration statuses use description"
        );
        assert!(r.configurations[0]["company"]["identifier"].is_string());
        assert!(r.configurations.iter().any(|c| c["activeFlag"] == false));
    }
}
