//! The generated dataset as HaloPSA serves it: `Client` (customers; their type in `customertype`,
//! a value of the Customer Type lookup), `Site`, `Users` (contacts) and `Asset` (configurations;
//! `assettype_id` from `AssetType`), each with Halo's `inactive` flag. Items deleted in the PSA,
//! and those that only ever existed in Steward, are not served.

use crate::dataset::{Dataset, Fate};
use crate::store::Collection;
use app::model::CatalogCategory;
use serde_json::json;

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
    pub clients: Collection,
    pub sites: Collection,
    pub users: Collection,
    pub assets: Collection,
    pub asset_types: Vec<Named>,
    pub customer_types: Vec<Named>,
    /// The positions of the records a list's filters select, by filters, with the version of
    /// the collection they were found in: a page of an offset listing is then a slice, whatever
    /// its number. Emptied by `of_mut` too.
    pub matches: std::collections::HashMap<String, (u64, std::sync::Arc<Vec<usize>>)>,
}

impl HaloRecords {
    pub fn of(&self, e: Entity) -> &Collection {
        match e {
            Entity::Client => &self.clients,
            Entity::Site => &self.sites,
            Entity::Users => &self.users,
            Entity::Asset => &self.assets,
        }
    }

    pub fn of_mut(&mut self, e: Entity) -> &mut Collection {
        self.matches.clear();
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
        let served = |fate: Fate, name: &str| fate.served_name(name);
        r.clients = Collection::from_values(d.served_companies().map(|(_, c)| {
            json!({
                "id": c.psa_id,
                "name": served(c.fate, &c.name),
                "toplevel_id": 1,
                "toplevel_name": "Customers",
                "inactive": d.catalog[c.status_idx].name == "Inactive",
                "colour": "#2d6cdf",
                "customertype": d.catalog[c.type_idx].psa_id,
                "website": c.website,
                // Halo's Client (schema `Area` in its swagger.json, read through
                // covenanttechnologysolutions/halopsa-rest): `main_phonenumber`, `ref`.
                "main_phonenumber": c.phone,
                "ref": c.identifier,
            })
        }));
        let client_name = |i: usize| d.companies[i].name.clone();
        r.sites = Collection::from_values(d.served_sites().map(|s| {
            json!({
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
            })
        }));
        r.users = Collection::from_values(d.served_contacts().map(|c| {
            let (first, last) = (served(c.fate, c.first_name), served(c.fate, c.last_name));
            json!({
                "id": c.psa_id,
                "name": format!("{first} {last}").trim().to_string(),
                "firstname": first,
                "surname": last,
                "emailaddress": c.email,
                "client_id": d.companies[c.company].psa_id,
                "client_name": client_name(c.company),
                "site_id": null,
                "inactive": false,
            })
        }));
        let served_configurations = d.served_configurations();
        r.assets = Collection::from_values(served_configurations.map(|c| {
            let status = &d.catalog[c.status_idx];
            json!({
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
            })
        }));
        r
    }
}
