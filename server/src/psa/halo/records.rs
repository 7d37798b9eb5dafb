//! The generated dataset as HaloPSA serves it: `Client` (customers; their type in `customertype`,
//! a value of the Customer Type lookup), `Site`, `Users` (contacts) and `Asset` (configurations;
//! `assettype_id` from `AssetType`), each with Halo's `inactive` flag. Items deleted in the PSA,
//! and those that only ever existed in Steward, are not served.

use crate::dataset::{Dataset, Fate};
use app::model::CatalogCategory;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// The lookup Halo keeps customer types in (`GET /api/Lookup?lookupid=`).
pub const CUSTOMER_TYPE_LOOKUP: i64 = 33;

/// A Halo entity the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Client,
    Site,
    Users,
    Asset,
}

impl Entity {
    pub const ALL: [Entity; 4] = [Entity::Client, Entity::Site, Entity::Users, Entity::Asset];

    /// The path segment under `/api/`, as Halo spells it.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Client => "Client",
            Entity::Site => "Site",
            Entity::Users => "Users",
            Entity::Asset => "Asset",
        }
    }

    /// The list's key in an answer.
    pub fn key(self) -> &'static str {
        match self {
            Entity::Client => "clients",
            Entity::Site => "sites",
            Entity::Users => "users",
            Entity::Asset => "assets",
        }
    }

    /// A path segment, whatever its case.
    pub fn parse(segment: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(segment))
    }
}

/// A named value of a Halo list (an asset type, a customer type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// Every entity's records in id order, the asset types and customer types, and each asset's
/// last change (what `lastupdatefromdate` filters on).
#[derive(Debug, Clone, Default)]
pub struct HaloRecords {
    pub clients: Vec<Value>,
    pub sites: Vec<Value>,
    pub users: Vec<Value>,
    pub assets: Vec<Value>,
    pub asset_types: Vec<Named>,
    pub customer_types: Vec<Named>,
    pub asset_changed: std::collections::HashMap<i64, DateTime<Utc>>,
}

impl HaloRecords {
    pub fn of(&self, e: Entity) -> &Vec<Value> {
        match e {
            Entity::Client => &self.clients,
            Entity::Site => &self.sites,
            Entity::Users => &self.users,
            Entity::Asset => &self.assets,
        }
    }

    pub fn of_mut(&mut self, e: Entity) -> &mut Vec<Value> {
        match e {
            Entity::Client => &mut self.clients,
            Entity::Site => &mut self.sites,
            Entity::Users => &mut self.users,
            Entity::Asset => &mut self.assets,
        }
    }

    pub fn from_dataset(d: &Dataset) -> HaloRecords {
        let mut r = HaloRecords::default();
        let named = |category: CatalogCategory| -> Vec<Named> {
            d.catalog
                .iter()
                .filter(|e| e.category == category)
                .map(|e| Named {
                    id: e.psa_id,
                    name: e.name.to_string(),
                })
                .collect()
        };
        r.customer_types = named(CatalogCategory::OrganizationType);
        r.asset_types = named(CatalogCategory::ConfigurationType);
        let in_psa = Fate::in_psa;
        let company_in_psa = |i: usize| in_psa(d.companies[i].fate);
        let served = |fate: Fate, name: &str| fate.served_name(name);
        for c in d.companies.iter().filter(|c| in_psa(c.fate)) {
            r.clients.push(json!({
                "id": c.psa_id,
                "name": served(c.fate, &c.name),
                "toplevel_id": 1,
                "toplevel_name": "Customers",
                "inactive": d.catalog[c.status_idx].name == "Inactive",
                "colour": "#2d6cdf",
                "customertype": d.catalog[c.type_idx].psa_id,
                "website": c.website,
                "phonenumber": c.phone,
                "reference": c.identifier,
            }));
        }
        let client_name = |i: usize| d.companies[i].name.clone();
        for s in d
            .sites
            .iter()
            .filter(|s| in_psa(s.fate) && company_in_psa(s.company))
        {
            r.sites.push(json!({
                "id": s.psa_id,
                "name": served(s.fate, &s.name),
                "client_id": d.companies[s.company].psa_id,
                "client_name": client_name(s.company),
                "inactive": false,
                "delivery_address": {
                    "line1": s.address_line1, "line2": s.city, "line3": s.region,
                    "postcode": s.postal_code, "country": s.country,
                },
                "phonenumber": s.phone,
            }));
        }
        for c in d
            .contacts
            .iter()
            .filter(|c| in_psa(c.fate) && company_in_psa(c.company))
        {
            let (first, last) = (served(c.fate, c.first_name), served(c.fate, c.last_name));
            r.users.push(json!({
                "id": c.psa_id,
                "name": format!("{first} {last}").trim().to_string(),
                "firstname": first,
                "surname": last,
                "emailaddress": c.email,
                "client_id": d.companies[c.company].psa_id,
                "client_name": client_name(c.company),
                "site_id": null,
                "inactive": false,
            }));
        }
        for c in d
            .configurations
            .iter()
            .filter(|c| in_psa(c.fate) && company_in_psa(c.company))
        {
            let status = &d.catalog[c.status_idx];
            r.assets.push(json!({
                "id": c.psa_id,
                "inventory_number": served(c.fate, &c.name),
                "key_field": c.serial_number,
                "client_id": d.companies[c.company].psa_id,
                "client_name": client_name(c.company),
                "site_id": null,
                "assettype_id": d.catalog[c.type_idx].psa_id,
                "assettype_name": d.catalog[c.type_idx].name,
                "status_id": status.psa_id,
                "status_name": status.name,
                "inactive": !c.active,
            }));
            r.asset_changed.insert(c.psa_id, c.last_updated);
        }
        for list in [&mut r.clients, &mut r.sites, &mut r.users, &mut r.assets] {
            list.sort_by_key(|v| v["id"].as_i64().unwrap_or_default());
        }
        r
    }
}
