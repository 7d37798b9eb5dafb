//! ConnectWise's implementation of the connector: listings page by page through its `Link`
//! headers, translated into neutral records, and the edit pencil's write-back.

use super::client::{CwClient, CwCredentials, CW};
use super::model::{catalog_value, CwCompany, CwConfiguration, CwContact, CwSite, Ref};
use crate::psa::listing::checked;
use crate::psa::{ConnectorError, Pages, PsaConnector, RetryPolicy};
use crate::rules::records::{
    Listed, PsaCatalogValue, PsaCompany, PsaConfiguration, PsaContact, PsaSite,
};
use app::model::{CatalogCategory, ItemKind, PsaKind};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

/// A ConnectWise listing, page by page, translated into neutral records.
struct CwPages<'a, C, T> {
    client: &'a CwClient,
    endpoint: &'static str,
    conditions: Option<String>,
    next: Option<String>,
    forward_only: bool,
    _records: std::marker::PhantomData<fn() -> (C, T)>,
}

#[async_trait::async_trait]
impl<C, T> Pages<T> for CwPages<'_, C, T>
where
    C: DeserializeOwned + Into<T>,
    T: Send,
{
    async fn next_page(&mut self) -> Result<Option<Vec<T>>, ConnectorError> {
        let Some(target) = self.next.take() else {
            return Ok(None);
        };
        let (records, next) = self
            .client
            .page(&target, self.endpoint, self.forward_only)
            .await?;
        self.next = next;
        records
            .into_iter()
            .map(|r| serde_json::from_value::<C>(r).map(Into::into))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
            .map_err(|e| ConnectorError::Malformed {
                psa: CW,
                endpoint: self.endpoint.into(),
                message: e.to_string(),
            })
    }

    async fn count(&mut self) -> Result<u64, ConnectorError> {
        self.client
            .count(self.endpoint, self.conditions.as_deref())
            .await
    }
}

pub struct ConnectWise {
    client: CwClient,
}

impl ConnectWise {
    pub fn new(
        credentials: &CwCredentials,
        retry: RetryPolicy,
    ) -> Result<ConnectWise, ConnectorError> {
        Ok(ConnectWise {
            client: CwClient::new(credentials, retry)?,
        })
    }

    /// Every record of `endpoint`, read as `C`, handed over a page at a time. A record that does
    /// not read stops the listing with a `Malformed` error naming the endpoint.
    async fn each_page<C: DeserializeOwned>(
        &self,
        endpoint: &str,
        conditions: Option<&str>,
        forward_only: bool,
        mut each: impl FnMut(Vec<C>) + Send,
    ) -> Result<usize, ConnectorError> {
        let mut failure = None;
        let n = self
            .client
            .for_each_page(endpoint, conditions, forward_only, |page| {
                if failure.is_some() {
                    return;
                }
                match page
                    .into_iter()
                    .map(serde_json::from_value::<C>)
                    .collect::<Result<Vec<_>, _>>()
                {
                    Ok(records) => each(records),
                    Err(e) => failure = Some(e.to_string()),
                }
            })
            .await?;
        match failure {
            Some(message) => Err(ConnectorError::Malformed {
                psa: CW,
                endpoint: endpoint.into(),
                message,
            }),
            None => Ok(n),
        }
    }

    /// Records changed since `since` (all when None), translated to the neutral shape.
    fn list<C, T>(
        &self,
        endpoint: &'static str,
        since: Option<DateTime<Utc>>,
        forward_only: bool,
    ) -> Box<dyn Pages<T> + '_>
    where
        C: DeserializeOwned + Into<T> + 'static,
        T: Listed + Send + 'static,
    {
        let conditions = since.map(|d| format!("lastUpdated > {}", datetime_literal(d)));
        let pages = Box::new(CwPages::<C, T> {
            client: &self.client,
            endpoint,
            next: Some(CwClient::list_target(endpoint, conditions.as_deref())),
            conditions,
            forward_only,
            _records: std::marker::PhantomData,
        });
        checked(pages, CW, endpoint)
    }

    /// Makes `type_psa_id` company `psa_id`'s only type through its type associations: the new
    /// type is associated first and the others are removed after, so the company is never left
    /// without a type if a request fails half-way (the next sync reads what it is).
    async fn set_company_type(&self, psa_id: i64, type_psa_id: i64) -> Result<(), ConnectorError> {
        let endpoint = format!("company/companies/{psa_id}/typeAssociations");
        let (listed, _) = self
            .client
            .page(&format!("{endpoint}?pageSize=1000"), &endpoint, false)
            .await?;
        let malformed = |message: &str| ConnectorError::Malformed {
            psa: CW,
            endpoint: endpoint.clone(),
            message: message.into(),
        };
        let mut others = Vec::new();
        let mut has = false;
        for a in &listed {
            let (Some(id), Some(t)) = (a["id"].as_i64(), a["type"]["id"].as_i64()) else {
                return Err(malformed("an association without an id or a type"));
            };
            if t == type_psa_id {
                has = true;
            } else {
                others.push(id);
            }
        }
        if !has {
            let body = serde_json::json!({
                "type": { "id": type_psa_id },
                "company": { "id": psa_id },
            });
            self.client.post(&endpoint, &body).await?;
        }
        for id in others {
            self.client.delete(&format!("{endpoint}/{id}")).await?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl PsaConnector for ConnectWise {
    fn kind(&self) -> PsaKind {
        PsaKind::ConnectwiseManage
    }

    async fn test_connection(&self) -> Result<(), ConnectorError> {
        self.client.system_info().await.map(|_| ())
    }

    async fn catalog(&self) -> Result<Vec<PsaCatalogValue>, ConnectorError> {
        let mut all = Vec::new();
        for (endpoint, category) in [
            ("company/companies/types", CatalogCategory::OrganizationType),
            (
                "company/companies/statuses",
                CatalogCategory::OrganizationStatus,
            ),
            (
                "company/configurations/types",
                CatalogCategory::ConfigurationType,
            ),
            (
                "company/configurations/statuses",
                CatalogCategory::ConfigurationStatus,
            ),
            ("company/contacts/types", CatalogCategory::ContactType),
        ] {
            self.each_page::<Ref>(endpoint, None, false, |refs| {
                all.extend(refs.into_iter().map(|r| catalog_value(category, r)))
            })
            .await?;
        }
        Ok(all)
    }

    fn companies(&self, since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaCompany> + '_> {
        self.list::<CwCompany, _>("company/companies", since, false)
    }

    fn configurations(
        &self,
        since: Option<DateTime<Utc>>,
    ) -> Box<dyn Pages<PsaConfiguration> + '_> {
        // The largest table: forward-only paging, as ConnectWise recommends for big listings.
        self.list::<CwConfiguration, _>("company/configurations", since, true)
    }

    fn contacts(&self, since: Option<DateTime<Utc>>) -> Box<dyn Pages<PsaContact> + '_> {
        self.list::<CwContact, _>("company/contacts", since, true)
    }

    async fn sites(&self, company_psa_id: i64) -> Result<Vec<PsaSite>, ConnectorError> {
        let endpoint = format!("company/companies/{company_psa_id}/sites");
        let mut sites = Vec::new();
        self.each_page::<CwSite>(&endpoint, None, false, |page| {
            sites.extend(page.into_iter().map(|s| s.into_site(company_psa_id)))
        })
        .await?;
        // Complete, proved as every listing is (`crate::psa::listing`): no site twice, and a
        // company with as many sites as ConnectWise's default page (25, what a site that
        // ignored `pageSize` would send) or more against its count. Fewer cannot be a cut page,
        // and counting every company's sites would double the run's requests.
        let mut ids = std::collections::HashSet::new();
        if let Some(twice) = sites.iter().find(|s| !ids.insert(s.psa_id)) {
            return Err(ConnectorError::Incomplete {
                psa: CW,
                endpoint,
                message: format!("site {} came twice", twice.psa_id),
            });
        }
        if sites.len() >= 25 {
            let counted = self.client.count(&endpoint, None).await?;
            if counted != sites.len() as u64 {
                return Err(ConnectorError::Incomplete {
                    psa: CW,
                    endpoint,
                    message: format!("it returned {} sites but counts {counted}", sites.len()),
                });
            }
        }
        Ok(sites)
    }

    async fn set_classification(
        &self,
        kind: ItemKind,
        psa_id: i64,
        type_psa_id: i64,
        status_psa_id: i64,
    ) -> Result<(), ConnectorError> {
        let (endpoint, ops) = match kind {
            ItemKind::Organization => {
                // ConnectWise ignores `types` in a PATCH of a company ("can be passed in only
                // during new company creation"): the status goes in the PATCH, the type
                // through the company's type associations.
                // The type is checked first, so that a type the PSA no longer has changes
                // nothing, as a refused status changes nothing.
                let ty = format!("company/companies/types/{type_psa_id}");
                if !self.client.exists(&ty).await? {
                    return Err(ConnectorError::Status {
                        psa: CW,
                        endpoint: ty,
                        status: 400,
                        message: format!(
                            "the company type {type_psa_id} is not in \
                            ConnectWise"
                        ),
                    });
                }
                let endpoint = format!("company/companies/{psa_id}");
                let ops = serde_json::json!([
                    { "op": "replace", "path": "status/id", "value": status_psa_id },
                ]);
                self.client.patch(&endpoint, &ops).await?;
                return self.set_company_type(psa_id, type_psa_id).await;
            }
            ItemKind::Configuration => (
                format!("company/configurations/{psa_id}"),
                serde_json::json!([
                    { "op": "replace", "path": "type/id", "value": type_psa_id },
                    { "op": "replace", "path": "status/id", "value": status_psa_id },
                ]),
            ),
            ItemKind::Contact | ItemKind::Location => {
                return Err(ConnectorError::Status {
                    psa: CW,
                    endpoint: "company".into(),
                    status: 400,
                    message: "only companies and configurations have a type and a \
                        status"
                        .into(),
                })
            }
        };
        self.client.patch(&endpoint, &ops).await.map(|_| ())
    }

    async fn exists(
        &self,
        kind: ItemKind,
        psa_id: i64,
        company_psa_id: Option<i64>,
    ) -> Result<bool, ConnectorError> {
        let endpoint = match kind {
            ItemKind::Organization => format!("company/companies/{psa_id}"),
            ItemKind::Configuration => format!("company/configurations/{psa_id}"),
            ItemKind::Contact => format!("company/contacts/{psa_id}"),
            ItemKind::Location => match company_psa_id {
                Some(c) => format!("company/companies/{c}/sites/{psa_id}"),
                None => return Ok(false),
            },
        };
        self.client.exists(&endpoint).await
    }
}

/// A datetime as ConnectWise takes it in conditions: `[2026-01-02T03:04:05Z]`.
fn datetime_literal(d: DateTime<Utc>) -> String {
    format!("[{}]", d.format("%Y-%m-%dT%H:%M:%SZ"))
}
