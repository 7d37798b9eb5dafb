//! HaloPSA behind the one `PsaConnector` boundary. The mapping onto Steward's catalog (chosen and
//! written down in docs/decisions/0013-halopsa-catalog-mapping.md): organization types ← the client's `customertype` (Halo's
//! Customer Type lookup, `GET /api/Lookup?lookupid=33`); organization statuses ← two fixed
//! values, Active (1) and Inactive (2), from the client's `inactive` (Halo clients have no
//! status); configuration types ← the asset's `assettype_id` (`GET /api/AssetType`);
//! configuration statuses ← Active / Inactive from the asset's `inactive`; contacts (Halo's
//! users) have no type, so they all carry one contact type, "User" (1). Sites are Halo sites,
//! read once per run for every client (one request per client would spend hosted Halo's 300
//! requests in 5 minutes on sites alone).

use super::client::{HaloClient, HaloCredentials};
use crate::psa::listing::checked;
use crate::psa::listing::SitesOnce;
use crate::psa::{ConnectorError, RetryPolicy};
use crate::psa::{Pages, PsaConnector};
use crate::rules::records::{
    Listed, PsaCatalogValue, PsaCompany, PsaConfiguration, PsaContact, PsaSite,
};
use app::model::{CatalogCategory, ItemKind, PsaKind};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// Halo's lookup of customer types (`GET /api/Lookup?lookupid=33`).
const CUSTOMER_TYPE_LOOKUP: i64 = 33;

/// The statuses Halo's `inactive` stands for (clients and assets).
pub const ACTIVE: i64 = 1;
pub const INACTIVE: i64 = 2;
/// The one contact type.
pub const USER: i64 = 1;
/// Records asked for a page: Halo serves at most 100 whatever `page_size` asks (a live tenant
/// answered `page_size=1000` with 100 records and `record_count: 717`: homotechsual/HaloAPI #90,
/// fixed in PR #91 by asking 100). A full sync of 100,000 assets is 1,000 requests, so about 17
/// minutes inside hosted Halo's 300 requests in 5 minutes.
pub const PAGE_SIZE: u32 = 100;

pub struct HaloPsa {
    client: HaloClient,
    /// Every client's sites, read on the first ask of a run.
    sites: SitesOnce,
}

impl HaloPsa {
    pub fn new(
        credentials: &HaloCredentials,
        retry: RetryPolicy,
    ) -> Result<HaloPsa, ConnectorError> {
        Ok(HaloPsa {
            client: HaloClient::new(credentials, retry)?,
            sites: SitesOnce::default(),
        })
    }
}

impl HaloPsa {
    /// Another request budget than hosted Halo's (tests, an on-premises Halo with its own).
    pub fn with_budget(mut self, requests: usize, window: std::time::Duration) -> HaloPsa {
        self.client = self.client.with_budget(requests, window);
        self
    }
}

fn int(v: &Value, field: &str) -> Option<i64> {
    let f = v.get(field)?;
    f.as_i64().or_else(|| f.as_str()?.parse().ok())
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field)?.as_str().map(str::to_string)
}

fn inactive(v: &Value) -> bool {
    match v.get("inactive") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        _ => false,
    }
}

fn malformed(entity: &str, what: &str) -> ConnectorError {
    ConnectorError::Malformed {
        psa: PsaKind::Halopsa,
        endpoint: entity.into(),
        message: format!("a record without {what}"),
    }
}

/// Halo's id 0 or a negative one means "none".
fn reference(v: &Value, field: &str) -> Option<i64> {
    int(v, field).filter(|id| *id > 0)
}

fn company(v: &Value) -> Result<PsaCompany, ConnectorError> {
    Ok(PsaCompany {
        psa_id: int(v, "id").ok_or_else(|| malformed("Client", "an id"))?,
        identifier: text(v, "ref").unwrap_or_default(),
        name: text(v, "name").unwrap_or_default(),
        type_psa_id: reference(v, "customertype"),
        status_psa_id: Some(if inactive(v) { INACTIVE } else { ACTIVE }),
        deleted: false,
        last_updated: None,
    })
}

fn configuration(v: &Value) -> Result<PsaConfiguration, ConnectorError> {
    let is_active = !inactive(v);
    Ok(PsaConfiguration {
        psa_id: int(v, "id").ok_or_else(|| malformed("Asset", "an id"))?,
        company_psa_id: reference(v, "client_id")
            .ok_or_else(|| malformed("Asset", "a client_id"))?,
        name: text(v, "inventory_number").unwrap_or_default(),
        serial_number: text(v, "key_field").filter(|s| !s.is_empty()),
        type_psa_id: reference(v, "assettype_id"),
        status_psa_id: Some(if is_active { ACTIVE } else { INACTIVE }),
        active: is_active,
        last_updated: None,
    })
}

fn contact(v: &Value) -> Result<PsaContact, ConnectorError> {
    Ok(PsaContact {
        psa_id: int(v, "id").ok_or_else(|| malformed("Users", "an id"))?,
        company_psa_id: reference(v, "client_id"),
        first_name: text(v, "firstname").unwrap_or_default(),
        last_name: text(v, "surname").unwrap_or_default(),
        email: text(v, "emailaddress").filter(|s| !s.is_empty()),
        type_psa_id: Some(USER),
        last_updated: None,
    })
}

fn site(v: &Value) -> Result<PsaSite, ConnectorError> {
    let address = v.get("delivery_address").cloned().unwrap_or(Value::Null);
    Ok(PsaSite {
        psa_id: int(v, "id").ok_or_else(|| malformed("Site", "an id"))?,
        company_psa_id: reference(v, "client_id")
            .ok_or_else(|| malformed("Site", "a client_id"))?,
        name: text(v, "name").unwrap_or_default(),
        address_line1: text(&address, "line1"),
        city: text(&address, "line2"),
        region: text(&address, "line3"),
        postal_code: text(&address, "postcode"),
        country: text(&address, "country"),
        phone: text(v, "phonenumber"),
        last_updated: None,
    })
}

/// A Halo list, page by page (1-based), translated into neutral records. Halo caps a page at
/// 100 whatever `page_size` asks (homotechsual/HaloAPI #90, PR #91): a short first page while
/// `record_count` says there are more is a capped page, and the listing goes on with pages of
/// the size Halo really served, until `record_count` is reached. Whether that adds up is
/// `crate::psa::listing::Checked`'s to prove.
struct HaloPages<'a, T> {
    client: &'a HaloClient,
    entity: &'static str,
    key: &'static str,
    query: Vec<(&'static str, String)>,
    page_no: u32,
    page_size: u32,
    /// The last `record_count` Halo sent.
    count: Option<u64>,
    /// The first page, read early for its `record_count`.
    ahead: Option<Vec<Value>>,
    done: bool,
    translate: fn(&Value) -> Result<T, ConnectorError>,
}

impl<T> HaloPages<'_, T> {
    async fn fetch(&mut self) -> Result<Vec<Value>, ConnectorError> {
        let (items, count) = self
            .client
            .page(
                self.entity,
                self.key,
                &self.query,
                self.page_no,
                self.page_size,
            )
            .await?;
        if self.page_no == 1
            && !items.is_empty()
            && (items.len() as u64) < count.min(u64::from(self.page_size))
        {
            // Capped: Halo served fewer than asked although it has more. The next pages are
            // asked at the size it serves, so their offsets meet.
            self.page_size = items.len() as u32;
        }
        // The last page is the one that is not full: never `record_count` alone, so a count
        // that says less than Halo holds is found out instead of cutting the listing short
        // (one request more when the records fill their last page exactly).
        self.done = items.is_empty() || (items.len() as u32) < self.page_size;
        self.page_no += 1;
        self.count = Some(count);
        Ok(items)
    }
}

#[async_trait::async_trait]
impl<T: Send> Pages<T> for HaloPages<'_, T> {
    async fn next_page(&mut self) -> Result<Option<Vec<T>>, ConnectorError> {
        let items = match self.ahead.take() {
            Some(items) => items,
            None if self.done => return Ok(None),
            None => self.fetch().await?,
        };
        if items.is_empty() {
            return Ok(None);
        }
        items
            .iter()
            .map(self.translate)
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    async fn count(&mut self) -> Result<u64, ConnectorError> {
        if let Some(n) = self.count {
            return Ok(n);
        }
        let first = self.fetch().await?;
        self.ahead = Some(first);
        Ok(self.count.unwrap_or(0))
    }
}

impl HaloPsa {
    fn list<T: Listed + Send + 'static>(
        &self,
        entity: &'static str,
        key: &'static str,
        mut query: Vec<(&'static str, String)>,
        translate: fn(&Value) -> Result<T, ConnectorError>,
    ) -> Box<dyn Pages<T> + '_> {
        // Inactive records too: they are what Steward orphans as inactive.
        query.extend([
            ("includeinactive", "true".to_string()),
            ("includeactive", "true".to_string()),
        ]);
        let pages = Box::new(HaloPages {
            client: &self.client,
            entity,
            key,
            query,
            page_no: 1,
            page_size: PAGE_SIZE,
            count: None,
            ahead: None,
            done: false,
            translate,
        });
        checked(pages, PsaKind::Halopsa, entity)
    }

    async fn named_list(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<(i64, String)>, ConnectorError> {
        let answer = self
            .client
            .send(reqwest::Method::GET, path, query, None)
            .await?
            .unwrap_or(Value::Null);
        let list = answer
            .as_array()
            .ok_or_else(|| malformed(path, "a list of values"))?;
        list.iter()
            .filter(|v| !inactive(v))
            .map(|v| match (int(v, "id"), text(v, "name")) {
                (Some(id), Some(name)) => Ok((id, name)),
                _ => Err(malformed(path, "an id and a name")),
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl PsaConnector for HaloPsa {
    fn filters_by_change(&self) -> bool {
        false
    }

    fn kind(&self) -> PsaKind {
        PsaKind::Halopsa
    }

    async fn test_connection(&self) -> Result<(), ConnectorError> {
        self.named_list("AssetType", &[]).await.map(|_| ())
    }

    async fn catalog(&self) -> Result<Vec<PsaCatalogValue>, ConnectorError> {
        let value = |category, psa_id, name: &str| PsaCatalogValue {
            category,
            psa_id,
            name: name.to_string(),
        };
        let mut all = Vec::new();
        for (id, name) in self
            .named_list("Lookup", &[("lookupid", CUSTOMER_TYPE_LOOKUP.to_string())])
            .await?
        {
            all.push(value(CatalogCategory::OrganizationType, id, &name));
        }
        for (id, name) in self.named_list("AssetType", &[]).await? {
            all.push(value(CatalogCategory::ConfigurationType, id, &name));
        }
        for category in [
            CatalogCategory::OrganizationStatus,
            CatalogCategory::ConfigurationStatus,
        ] {
            all.push(value(category, ACTIVE, "Active"));
            all.push(value(category, INACTIVE, "Inactive"));
        }
        all.push(value(CatalogCategory::ContactType, USER, "User"));
        Ok(all)
    }

    fn companies(&self, _since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaCompany> + '_> {
        self.sites.forget();
        // Halo clients carry no change stamp: every run reads them whole.
        self.list("Client", "clients", Vec::new(), company)
    }

    fn configurations(
        &self,
        _since: Option<DateTime<Utc>>,
    ) -> Box<dyn Pages<PsaConfiguration> + '_> {
        // Halo's API description documents no filter by change time: `lastupdatefromdate` is
        // "(bool) Include the field lastupdatefromdate in the response" on /Asset as on every
        // list (swagger.json, as covenanttechnologysolutions/halopsa-rest generates from it).
        // A date sent there could be ignored, and a listing taken as "what changed" that was
        // something else would hide changes; every run reads assets whole instead.
        self.list("Asset", "assets", Vec::new(), configuration)
    }

    fn contacts(&self, _since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaContact> + '_> {
        self.list("Users", "users", Vec::new(), contact)
    }

    async fn sites(&self, company_psa_id: i64) -> Result<Vec<PsaSite>, ConnectorError> {
        let all = self.list("Site", "sites", Vec::new(), site);
        self.sites.of(company_psa_id, all).await
    }

    async fn exists(
        &self,
        kind: ItemKind,
        psa_id: i64,
        _company: Option<i64>,
    ) -> Result<bool, ConnectorError> {
        let entity = match kind {
            ItemKind::Organization => "Client",
            ItemKind::Configuration => "Asset",
            ItemKind::Contact => "Users",
            ItemKind::Location => "Site",
        };
        Ok(self
            .client
            .send(
                reqwest::Method::GET,
                &format!("{entity}/{psa_id}"),
                &[],
                None,
            )
            .await?
            .is_some())
    }

    async fn set_classification(
        &self,
        kind: ItemKind,
        psa_id: i64,
        type_psa_id: i64,
        status_psa_id: i64,
    ) -> Result<(), ConnectorError> {
        let (entity, record) = match kind {
            ItemKind::Organization => (
                "Client",
                json!({
                    "id": psa_id,
                    "customertype": type_psa_id,
                    "inactive": status_psa_id == INACTIVE,
                }),
            ),
            ItemKind::Configuration => (
                "Asset",
                json!({
                    "id": psa_id,
                    "assettype_id": type_psa_id,
                    "inactive": status_psa_id == INACTIVE,
                }),
            ),
            ItemKind::Contact | ItemKind::Location => {
                return Err(ConnectorError::Status {
                    psa: PsaKind::Halopsa,
                    endpoint: "Client".into(),
                    status: 400,
                    message: "only clients and assets have a type and a status".into(),
                })
            }
        };
        self.client
            .send(reqwest::Method::POST, entity, &[], Some(&json!([record])))
            .await
            .map(|_| ())
    }
}
