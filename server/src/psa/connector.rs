//! The connector boundary the sync engine talks to: one trait, one implementation per PSA
//! (ConnectWise Manage now; Autotask and HaloPSA later). Listings stream page by page.

use super::connectwise::client::{ConnectorError, CwClient, CwCredentials, RetryPolicy};
use super::connectwise::conditions::datetime_literal;
use super::connectwise::model::{
    catalog_value, CwCompany, CwConfiguration, CwContact, CwSite, Ref,
};
use super::records::{PsaCatalogValue, PsaCompany, PsaConfiguration, PsaContact, PsaSite};
use app::model::{CatalogCategory, PsaKind};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

/// A page handler: gets each page of records as it arrives.
pub type OnPage<'a, T> = &'a mut (dyn FnMut(Vec<T>) + Send);

#[async_trait::async_trait]
pub trait PsaConnector: Send + Sync {
    fn kind(&self) -> PsaKind;
    /// Proves the site and credentials work; the PSA's own error when they do not.
    async fn test_connection(&self) -> Result<(), ConnectorError>;
    /// The PSA's types and statuses that carry a sync checkbox.
    async fn catalog(&self) -> Result<Vec<PsaCatalogValue>, ConnectorError>;
    /// Companies changed since `since` (all of them when None).
    async fn companies(
        &self,
        since: Option<DateTime<Utc>>,
        on_page: OnPage<'_, PsaCompany>,
    ) -> Result<usize, ConnectorError>;
    async fn configurations(
        &self,
        since: Option<DateTime<Utc>>,
        on_page: OnPage<'_, PsaConfiguration>,
    ) -> Result<usize, ConnectorError>;
    async fn contacts(
        &self,
        since: Option<DateTime<Utc>>,
        on_page: OnPage<'_, PsaContact>,
    ) -> Result<usize, ConnectorError>;
    /// The sites of one company.
    async fn sites(&self, company_psa_id: i64) -> Result<Vec<PsaSite>, ConnectorError>;
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
                endpoint: endpoint.into(),
                message,
            }),
            None => Ok(n),
        }
    }

    /// Records changed since `since` (all when None), translated to the neutral shape.
    async fn list<C, T>(
        &self,
        endpoint: &str,
        since: Option<DateTime<Utc>>,
        forward_only: bool,
        on_page: OnPage<'_, T>,
    ) -> Result<usize, ConnectorError>
    where
        C: DeserializeOwned + Into<T>,
    {
        let conditions = since.map(|d| format!("_info/lastUpdated > {}", datetime_literal(d)));
        self.each_page::<C>(endpoint, conditions.as_deref(), forward_only, |records| {
            on_page(records.into_iter().map(Into::into).collect())
        })
        .await
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

    async fn companies(
        &self,
        since: Option<DateTime<Utc>>,
        on_page: OnPage<'_, PsaCompany>,
    ) -> Result<usize, ConnectorError> {
        self.list::<CwCompany, _>("company/companies", since, false, on_page)
            .await
    }

    async fn configurations(
        &self,
        since: Option<DateTime<Utc>>,
        on_page: OnPage<'_, PsaConfiguration>,
    ) -> Result<usize, ConnectorError> {
        // The largest table: forward-only paging, as ConnectWise recommends for big listings.
        self.list::<CwConfiguration, _>("company/configurations", since, true, on_page)
            .await
    }

    async fn contacts(
        &self,
        since: Option<DateTime<Utc>>,
        on_page: OnPage<'_, PsaContact>,
    ) -> Result<usize, ConnectorError> {
        self.list::<CwContact, _>("company/contacts", since, true, on_page)
            .await
    }

    async fn sites(&self, company_psa_id: i64) -> Result<Vec<PsaSite>, ConnectorError> {
        let endpoint = format!("company/companies/{company_psa_id}/sites");
        let mut sites = Vec::new();
        self.each_page::<CwSite>(&endpoint, None, false, |page| {
            sites.extend(page.into_iter().map(|s| s.into_site(company_psa_id)))
        })
        .await?;
        Ok(sites)
    }
}
