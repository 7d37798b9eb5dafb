//! An integration's credentials as they are sealed, one shape per PSA (the integration's kind
//! says which), and the connector they open.

use super::autotask::client::AtCredentials;
use super::autotask::connector::Autotask;
use super::connectwise::client::CwCredentials;
use super::connectwise::ConnectWise;
use super::halo::client::HaloCredentials;
use super::halo::connector::HaloPsa;
use super::PsaConnector;
use super::{ConnectorError, RetryPolicy};
use crate::secrets::SecretBox;
use app::model::{CredentialsView, PsaKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PsaCredentials {
    ConnectWise(CwCredentials),
    Autotask(AtCredentials),
    Halo(HaloCredentials),
}

impl PsaCredentials {
    pub fn kind(&self) -> PsaKind {
        match self {
            PsaCredentials::ConnectWise(_) => PsaKind::ConnectwiseManage,
            PsaCredentials::Autotask(_) => PsaKind::Autotask,
            PsaCredentials::Halo(_) => PsaKind::Halopsa,
        }
    }

    /// Opens an integration's sealed credentials, read as its PSA's shape.
    pub fn open(
        kind: PsaKind,
        secrets: &SecretBox,
        sealed: &[u8],
    ) -> anyhow::Result<PsaCredentials> {
        Ok(match kind {
            PsaKind::ConnectwiseManage => PsaCredentials::ConnectWise(secrets.open_json(sealed)?),
            PsaKind::Autotask => PsaCredentials::Autotask(secrets.open_json(sealed)?),
            PsaKind::Halopsa => PsaCredentials::Halo(secrets.open_json(sealed)?),
        })
    }

    pub fn seal(&self, secrets: &SecretBox) -> anyhow::Result<Vec<u8>> {
        match self {
            PsaCredentials::ConnectWise(c) => secrets.seal_json(c),
            PsaCredentials::Autotask(c) => secrets.seal_json(c),
            PsaCredentials::Halo(c) => secrets.seal_json(c),
        }
    }

    /// The site the secrets are bound to, as the integrations list shows it.
    pub fn site_url(&self) -> &str {
        match self {
            PsaCredentials::ConnectWise(c) => &c.site_url,
            PsaCredentials::Autotask(c) => &c.site_url,
            PsaCredentials::Halo(c) => &c.site_url,
        }
    }

    pub fn connector(&self, retry: RetryPolicy) -> Result<Box<dyn PsaConnector>, ConnectorError> {
        Ok(match self {
            PsaCredentials::ConnectWise(c) => Box::new(ConnectWise::new(c, retry)?),
            PsaCredentials::Autotask(c) => Box::new(Autotask::new(c, retry)?),
            PsaCredentials::Halo(c) => Box::new(HaloPsa::new(c, retry)?),
        })
    }

    /// What the screens may see: never a secret, only whether it is set.
    pub fn view(&self) -> CredentialsView {
        let kind = self.kind();
        match self {
            PsaCredentials::ConnectWise(c) => CredentialsView {
                kind,
                site_url: c.site_url.clone(),
                company_id: c.company_id.clone(),
                client_id: c.client_id.clone(),
                public_key_set: !c.public_key.is_empty(),
                private_key_set: !c.private_key.is_empty(),
                ..Default::default()
            },
            PsaCredentials::Autotask(c) => CredentialsView {
                kind,
                site_url: c.site_url.clone(),
                username: c.username.clone(),
                integration_code: c.integration_code.clone(),
                secret_set: !c.secret.is_empty(),
                zone_url: c.zone_url.clone(),
                ..Default::default()
            },
            PsaCredentials::Halo(c) => CredentialsView {
                kind,
                site_url: c.site_url.clone(),
                tenant: c.tenant.clone(),
                client_id: c.client_id.clone(),
                client_secret_set: !c.client_secret.is_empty(),
                ..Default::default()
            },
        }
    }
}
