//! Autotask behind the one `PsaConnector` boundary. The mapping onto Steward's catalog (chosen
//! and written down in docs/decisions/0012-autotask-catalog-mapping.md): organization types ← `Companies.companyType`,
//! organization statuses ← `Companies.classification`, configuration types ←
//! `ConfigurationItems.configurationItemType`, configuration statuses ← two fixed values,
//! Active (1) and Inactive (2), from `isActive`; Autotask contacts have no type, so they all
//! carry one contact type, "Contact" (1). Sites are `CompanyLocations`.

use super::client::{AtClient, AtCredentials, Target};
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

/// The configuration statuses Autotask's `isActive` stands for.
pub const ACTIVE: i64 = 1;
pub const INACTIVE: i64 = 2;
/// The one contact type.
pub const CONTACT: i64 = 1;

pub struct Autotask {
    client: AtClient,
    /// Every company's locations, read on the first ask of a run: one query of 500 a page
    /// instead of one per company (which would spend half the hourly threshold of an MSP with
    /// 5,000 companies on locations alone).
    sites: SitesOnce,
}

impl Autotask {
    pub fn new(
        credentials: &AtCredentials,
        retry: RetryPolicy,
    ) -> Result<Autotask, ConnectorError> {
        Ok(Autotask {
            client: AtClient::new(credentials, retry)?,
            sites: SitesOnce::default(),
        })
    }
}

fn int(v: &Value, field: &str) -> Option<i64> {
    let f = v.get(field)?;
    f.as_i64().or_else(|| f.as_str()?.parse().ok())
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field)?.as_str().map(str::to_string)
}

fn time(v: &Value, field: &str) -> Option<DateTime<Utc>> {
    crate::psa::parse_time(v.get(field)?.as_str()?)
}

fn active(v: &Value) -> bool {
    match v.get("isActive") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        _ => true,
    }
}

fn malformed(entity: &str, what: &str) -> ConnectorError {
    ConnectorError::Malformed {
        psa: PsaKind::Autotask,
        endpoint: entity.into(),
        message: format!("a record without {what}"),
    }
}

fn company(v: &Value) -> Result<PsaCompany, ConnectorError> {
    Ok(PsaCompany {
        psa_id: int(v, "id").ok_or_else(|| malformed("Companies", "an id"))?,
        identifier: text(v, "companyNumber").unwrap_or_default(),
        name: text(v, "companyName").unwrap_or_default(),
        type_psa_id: int(v, "companyType"),
        status_psa_id: int(v, "classification"),
        deleted: false,
        last_updated: time(v, "lastTrackedModifiedDateTime"),
    })
}

fn configuration(v: &Value) -> Result<PsaConfiguration, ConnectorError> {
    let is_active = active(v);
    Ok(PsaConfiguration {
        psa_id: int(v, "id").ok_or_else(|| malformed("ConfigurationItems", "an id"))?,
        company_psa_id: int(v, "companyID")
            .ok_or_else(|| malformed("ConfigurationItems", "a companyID"))?,
        name: text(v, "referenceTitle").unwrap_or_default(),
        serial_number: text(v, "serialNumber").filter(|s| !s.is_empty()),
        type_psa_id: int(v, "configurationItemType"),
        status_psa_id: Some(if is_active { ACTIVE } else { INACTIVE }),
        active: is_active,
        last_updated: time(v, "lastModifiedTime"),
    })
}

fn contact(v: &Value) -> Result<PsaContact, ConnectorError> {
    Ok(PsaContact {
        psa_id: int(v, "id").ok_or_else(|| malformed("Contacts", "an id"))?,
        company_psa_id: int(v, "companyID"),
        first_name: text(v, "firstName").unwrap_or_default(),
        last_name: text(v, "lastName").unwrap_or_default(),
        email: text(v, "emailAddress").filter(|s| !s.is_empty()),
        type_psa_id: Some(CONTACT),
        last_updated: time(v, "lastModifiedDate"),
    })
}

fn site(v: &Value) -> Result<PsaSite, ConnectorError> {
    Ok(PsaSite {
        psa_id: int(v, "id").ok_or_else(|| malformed("CompanyLocations", "an id"))?,
        company_psa_id: int(v, "companyID")
            .ok_or_else(|| malformed("CompanyLocations", "a companyID"))?,
        name: text(v, "name").unwrap_or_default(),
        address_line1: text(v, "address1"),
        city: text(v, "city"),
        region: text(v, "state"),
        postal_code: text(v, "postalCode"),
        country: None,
        phone: text(v, "phone"),
        last_updated: None,
    })
}

/// An Autotask query, page by page, translated into neutral records.
struct AtPages<'a, T> {
    client: &'a AtClient,
    entity: &'static str,
    /// The query's search, sent with its first page and with every next page.
    search: Value,
    next: Option<Target>,
    translate: fn(&Value) -> Result<T, ConnectorError>,
}

#[async_trait::async_trait]
impl<T: Send> Pages<T> for AtPages<'_, T> {
    async fn next_page(&mut self) -> Result<Option<Vec<T>>, ConnectorError> {
        let Some(target) = self.next.take() else {
            return Ok(None);
        };
        let (items, next) = self.client.page(self.entity, &self.search, target).await?;
        self.next = next;
        items
            .iter()
            .map(self.translate)
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    async fn count(&mut self) -> Result<u64, ConnectorError> {
        self.client.count(self.entity, &self.search).await
    }
}

/// Everything (`id gte 0`), or what changed after `since` by the entity's change stamp.
fn search(stamp: &str, since: Option<DateTime<Utc>>) -> Value {
    let filter = match since {
        Some(d) => {
            let value = d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            json!([{ "op": "gt", "field": stamp, "value": value }])
        }
        None => json!([{ "op": "gte", "field": "id", "value": 0 }]),
    };
    json!({ "filter": filter, "maxRecords": 500 })
}

impl Autotask {
    fn list<T: Listed + Send + 'static>(
        &self,
        entity: &'static str,
        stamp: &str,
        since: Option<DateTime<Utc>>,
        translate: fn(&Value) -> Result<T, ConnectorError>,
    ) -> Box<dyn Pages<T> + '_> {
        let pages = Box::new(AtPages {
            client: &self.client,
            entity,
            search: search(stamp, since),
            next: Some(Target::First),
            translate,
        });
        checked(pages, PsaKind::Autotask, entity)
    }
}

#[async_trait::async_trait]
impl PsaConnector for Autotask {
    fn kind(&self) -> PsaKind {
        PsaKind::Autotask
    }

    async fn test_connection(&self) -> Result<(), ConnectorError> {
        // Autotask answers an API user or an integration code it does not know with a 500, not
        // a 401 (apigrate/autotask-restapi #19). A 500 that every retry met on this first,
        // cheapest call is taken as refused credentials, saying what else it could be.
        match self.client.fields("Companies").await {
            Err(ConnectorError::Status {
                status: 500,
                endpoint,
                ..
            }) => Err(ConnectorError::Unauthorized {
                psa: PsaKind::Autotask,
                endpoint,
                message: "Autotask answered 500, which is how it answers an API \
                    username or an API integration code it does not know: check both (if they are \
                    right, Autotask itself is failing: try again later)"
                    .into(),
            }),
            other => other.map(|_| ()),
        }
    }

    async fn catalog(&self) -> Result<Vec<PsaCatalogValue>, ConnectorError> {
        let mut all = Vec::new();
        for (entity, field, category) in [
            (
                "Companies",
                "companyType",
                CatalogCategory::OrganizationType,
            ),
            (
                "Companies",
                "classification",
                CatalogCategory::OrganizationStatus,
            ),
            (
                "ConfigurationItems",
                "configurationItemType",
                CatalogCategory::ConfigurationType,
            ),
        ] {
            let info = self.client.fields(entity).await?;
            let values = info
                .get("fields")
                .and_then(Value::as_array)
                .and_then(|fields| {
                    fields.iter().find(|f| {
                        f["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(field))
                    })
                })
                .and_then(|f| f.get("picklistValues")?.as_array().cloned())
                .ok_or_else(|| malformed(entity, &format!("the {field} picklist")))?;
            for v in values
                .iter()
                .filter(|v| v["isActive"].as_bool() != Some(false))
            {
                let (Some(psa_id), Some(name)) = (int(v, "value"), text(v, "label")) else {
                    return Err(malformed(entity, "a picklist value and label"));
                };
                all.push(PsaCatalogValue {
                    category,
                    psa_id,
                    name,
                });
            }
        }
        for (psa_id, name) in [(ACTIVE, "Active"), (INACTIVE, "Inactive")] {
            all.push(PsaCatalogValue {
                category: CatalogCategory::ConfigurationStatus,
                psa_id,
                name: name.into(),
            });
        }
        all.push(PsaCatalogValue {
            category: CatalogCategory::ContactType,
            psa_id: CONTACT,
            name: "Contact".into(),
        });
        Ok(all)
    }

    fn companies(&self, since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaCompany> + '_> {
        self.sites.forget();
        self.list("Companies", "lastTrackedModifiedDateTime", since, company)
    }

    fn configurations(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Box<dyn Pages<PsaConfiguration> + '_> {
        self.list(
            "ConfigurationItems",
            "lastModifiedTime",
            since,
            configuration,
        )
    }

    fn contacts(&self, since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaContact> + '_> {
        self.list("Contacts", "lastModifiedDate", since, contact)
    }

    async fn sites(&self, company_psa_id: i64) -> Result<Vec<PsaSite>, ConnectorError> {
        let all = self.list("CompanyLocations", "id", None, site);
        self.sites.of(company_psa_id, all).await
    }

    async fn exists(
        &self,
        kind: ItemKind,
        psa_id: i64,
        _company: Option<i64>,
    ) -> Result<bool, ConnectorError> {
        let entity = match kind {
            ItemKind::Organization => "Companies",
            ItemKind::Configuration => "ConfigurationItems",
            ItemKind::Contact => "Contacts",
            ItemKind::Location => "CompanyLocations",
        };
        Ok(self.client.item(entity, psa_id).await?.is_some())
    }

    async fn set_classification(
        &self,
        kind: ItemKind,
        psa_id: i64,
        type_psa_id: i64,
        status_psa_id: i64,
    ) -> Result<(), ConnectorError> {
        match kind {
            ItemKind::Organization => {
                let company = json!({
                    "id": psa_id,
                    "companyType": type_psa_id,
                    "classification": status_psa_id,
                });
                self.client.patch("Companies", &company).await
            }
            ItemKind::Configuration => {
                let item = json!({
                    "id": psa_id,
                    "configurationItemType": type_psa_id,
                    "isActive": status_psa_id == ACTIVE,
                });
                self.client.patch("ConfigurationItems", &item).await
            }
            ItemKind::Contact | ItemKind::Location => Err(ConnectorError::Status {
                psa: PsaKind::Autotask,
                endpoint: "Companies".into(),
                status: 400,
                message: "only companies and configuration items have a type and a \
                    status"
                    .into(),
            }),
        }
    }
}
