//! The generated dataset as Autotask serves it: `Companies` (company types from `companyType`,
//! statuses from `classification`), `ConfigurationItems` (`configurationItemType`, `isActive`),
//! `Contacts` (`isActive` as 0/1) and `CompanyLocations`, with their picklists as
//! `entityInformation/fields` describes them. Items deleted in the PSA, and those that only ever
//! existed in Steward, are not served.

use crate::dataset::{CatalogEntry, Dataset, Fate};
use crate::store::Collection;
use app::model::CatalogCategory;
use serde_json::{json, Value};

/// An Autotask entity the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Companies,
    ConfigurationItems,
    Contacts,
    CompanyLocations,
}

impl Entity {
    pub const ALL: [Entity; 4] = [
        Entity::Companies,
        Entity::ConfigurationItems,
        Entity::Contacts,
        Entity::CompanyLocations,
    ];

    /// The entity's name in paths, as Autotask spells it.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Companies => "Companies",
            Entity::ConfigurationItems => "ConfigurationItems",
            Entity::Contacts => "Contacts",
            Entity::CompanyLocations => "CompanyLocations",
        }
    }

    /// A path segment, whatever its case.
    pub fn parse(segment: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(segment))
    }

    /// The fields of a record (for `entityInformation/fields` and unknown-field errors).
    pub fn fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Entity::Companies => &[
                ("id", "long"),
                ("companyName", "string"),
                ("companyNumber", "string"),
                ("companyType", "integer"),
                ("classification", "integer"),
                ("isActive", "boolean"),
                ("parentCompanyID", "integer"),
                ("phone", "string"),
                ("webAddress", "string"),
                ("address1", "string"),
                ("city", "string"),
                ("state", "string"),
                ("postalCode", "string"),
                ("createDate", "datetime"),
                ("lastActivityDate", "datetime"),
                ("lastTrackedModifiedDateTime", "datetime"),
            ],
            Entity::ConfigurationItems => &[
                ("id", "long"),
                ("referenceTitle", "string"),
                ("serialNumber", "string"),
                ("configurationItemType", "integer"),
                ("isActive", "boolean"),
                ("companyID", "integer"),
                ("companyLocationID", "integer"),
                ("createDate", "datetime"),
                ("lastModifiedTime", "datetime"),
            ],
            Entity::Contacts => &[
                ("id", "long"),
                ("firstName", "string"),
                ("lastName", "string"),
                ("emailAddress", "string"),
                ("isActive", "integer"),
                ("companyID", "integer"),
                ("companyLocationID", "integer"),
                ("createDate", "datetime"),
                ("lastModifiedDate", "datetime"),
            ],
            Entity::CompanyLocations => &[
                ("id", "long"),
                ("name", "string"),
                ("companyID", "integer"),
                ("isActive", "boolean"),
                ("isPrimary", "boolean"),
                ("address1", "string"),
                ("city", "string"),
                ("state", "string"),
                ("postalCode", "string"),
                ("phone", "string"),
            ],
        }
    }

    /// The field a picklist category lives in, for this entity.
    pub fn picklist_field(self, category: CatalogCategory) -> Option<&'static str> {
        match (self, category) {
            (Entity::Companies, CatalogCategory::OrganizationType) => Some("companyType"),
            (Entity::Companies, CatalogCategory::OrganizationStatus) => Some("classification"),
            (Entity::ConfigurationItems, CatalogCategory::ConfigurationType) => {
                Some("configurationItemType")
            }
            _ => None,
        }
    }
}

/// A picklist value as `entityInformation/fields` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picklist {
    pub category: CatalogCategory,
    pub value: i64,
    pub label: String,
}

/// Every entity's records in id order, and the picklists.
#[derive(Debug, Clone, Default)]
pub struct AtRecords {
    pub companies: Collection,
    pub configuration_items: Collection,
    pub contacts: Collection,
    pub company_locations: Collection,
    pub picklists: Vec<Picklist>,
}

fn stamp(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

impl AtRecords {
    pub fn of(&self, e: Entity) -> &Collection {
        match e {
            Entity::Companies => &self.companies,
            Entity::ConfigurationItems => &self.configuration_items,
            Entity::Contacts => &self.contacts,
            Entity::CompanyLocations => &self.company_locations,
        }
    }

    pub fn of_mut(&mut self, e: Entity) -> &mut Collection {
        match e {
            Entity::Companies => &mut self.companies,
            Entity::ConfigurationItems => &mut self.configuration_items,
            Entity::Contacts => &mut self.contacts,
            Entity::CompanyLocations => &mut self.company_locations,
        }
    }

    pub fn from_dataset(d: &Dataset) -> AtRecords {
        let mut r = AtRecords::default();
        let picklist = |e: &CatalogEntry| Picklist {
            category: e.category,
            value: e.psa_id,
            label: e.name.to_string(),
        };
        r.picklists = d
            .catalog
            .iter()
            .filter(|e| {
                matches!(
                    e.category,
                    CatalogCategory::OrganizationType
                        | CatalogCategory::OrganizationStatus
                        | CatalogCategory::ConfigurationType
                )
            })
            .map(picklist)
            .collect();
        let named = |fate: Fate, name: &str| fate.served_name(name);
        let created = "2025-06-01T12:00:00.000Z";
        let main_sites = d.first_sites();
        r.companies = Collection::from_values(d.served_companies().map(|(i, c)| {
            let site = main_sites.get(&i);
            json!({
                "id": c.psa_id,
                "companyName": named(c.fate, &c.name),
                "companyNumber": c.identifier,
                "companyType": d.catalog[c.type_idx].psa_id,
                "classification": d.catalog[c.status_idx].psa_id,
                "isActive": d.catalog[c.status_idx].name != "Inactive",
                "parentCompanyID": null,
                "phone": c.phone,
                "webAddress": c.website,
                "address1": site.map(|s| s.address_line1.as_str()),
                "city": site.map(|s| s.city.as_str()),
                "state": site.map(|s| s.region.as_str()),
                "postalCode": site.map(|s| s.postal_code.as_str()),
                "createDate": created,
                "lastActivityDate": stamp(c.last_updated),
                "lastTrackedModifiedDateTime": stamp(c.last_updated),
            })
        }));
        r.company_locations = Collection::from_values(d.served_sites().map(|s| {
            json!({
                "id": s.psa_id,
                "name": named(s.fate, &s.name),
                "companyID": d.companies[s.company].psa_id,
                "isActive": true,
                "isPrimary": s.name == "Main Office",
                "address1": s.address_line1,
                "city": s.city,
                "state": s.region,
                "postalCode": s.postal_code,
                "phone": s.phone,
            })
        }));
        r.contacts = Collection::from_values(d.served_contacts().map(|c| {
            json!({
                "id": c.psa_id,
                "firstName": named(c.fate, c.first_name),
                "lastName": named(c.fate, c.last_name),
                "emailAddress": c.email,
                "isActive": 1,
                "companyID": d.companies[c.company].psa_id,
                "companyLocationID": null,
                "createDate": created,
                "lastModifiedDate": stamp(c.last_updated),
            })
        }));
        r.configuration_items = Collection::from_values(d.served_configurations().map(|c| {
            json!({
                "id": c.psa_id,
                "referenceTitle": named(c.fate, &c.name),
                "serialNumber": c.serial_number,
                "configurationItemType": d.catalog[c.type_idx].psa_id,
                "isActive": c.active,
                "companyID": d.companies[c.company].psa_id,
                "companyLocationID": null,
                "createDate": created,
                "lastModifiedTime": stamp(c.last_updated),
            })
        }));
        r
    }

    /// `entityInformation/fields` of an entity: every field, picklists with their values.
    pub fn field_info(&self, e: Entity) -> Value {
        let fields: Vec<Value> = e
            .fields()
            .iter()
            .map(|(name, data_type)| {
                let category = [
                    CatalogCategory::OrganizationType,
                    CatalogCategory::OrganizationStatus,
                    CatalogCategory::ConfigurationType,
                ]
                .into_iter()
                .find(|c| e.picklist_field(*c) == Some(*name));
                let values: Vec<Value> = category
                    .map(|c| {
                        self.picklists
                            .iter()
                            .filter(|p| p.category == c)
                            .enumerate()
                            .map(|(i, p)| {
                                json!({ "value": p.value.to_string(), "label": p.label, "isDefaultValue": false,
                                        "sortOrder": i + 1, "parentValue": "", "isActive": true, "isSystem": false })
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                json!({
                    "name": name,
                    "dataType": data_type,
                    "length": if *data_type == "string" { 100 } else { 0 },
                    "isRequired": required(name),
                    "isReadOnly": read_only(name),
                    "isQueryable": true,
                    "isReference": name.ends_with("ID") && *name != "id",
                    "referenceEntityType": if name.starts_with("company") && name.ends_with("ID") { "Company" } else { "" },
                    "isPickList": category.is_some(),
                    "picklistValues": if category.is_some() { Value::Array(values) } else { Value::Null },
                    "picklistParentValueField": "",
                    "isSupportedWebhookField": false,
                })
            })
            .collect();
        json!({ "fields": fields })
    }
}

/// Whether a field must have a value (`entityInformation/fields`' `isRequired`).
pub fn required(name: &str) -> bool {
    matches!(
        name,
        "id" | "companyName"
            | "companyType"
            | "referenceTitle"
            | "firstName"
            | "lastName"
            | "name"
            | "companyID"
    )
}

/// Whether Autotask sets a field itself (`isReadOnly`): a write leaves it as it is.
pub fn read_only(name: &str) -> bool {
    matches!(
        name,
        "id" | "createDate"
            | "lastActivityDate"
            | "lastTrackedModifiedDateTime"
            | "lastModifiedTime"
            | "lastModifiedDate"
    )
}
