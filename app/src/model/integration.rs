//! A PSA integration as the screens and the API show it (never its credentials).

use super::IntegrationId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PsaKind {
    #[default]
    ConnectwiseManage,
    Autotask,
    Halopsa,
}

impl PsaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PsaKind::ConnectwiseManage => "connectwise_manage",
            PsaKind::Autotask => "autotask",
            PsaKind::Halopsa => "halopsa",
        }
    }

    pub fn parse(s: &str) -> Option<PsaKind> {
        [
            PsaKind::ConnectwiseManage,
            PsaKind::Autotask,
            PsaKind::Halopsa,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub const ALL: [PsaKind; 3] = [
        PsaKind::ConnectwiseManage,
        PsaKind::Autotask,
        PsaKind::Halopsa,
    ];

    /// The address the credentials form starts with: where the PSA's cloud answers (Autotask's
    /// zone discovery; a HaloPSA or ConnectWise site is the MSP's own).
    pub fn default_site(self) -> &'static str {
        match self {
            PsaKind::ConnectwiseManage => "https://na.myconnectwise.net",
            PsaKind::Autotask => "https://webservices.autotask.net",
            PsaKind::Halopsa => "",
        }
    }

    /// The PSA's product name, as the UI says it.
    pub fn label(self) -> &'static str {
        match self {
            PsaKind::ConnectwiseManage => "ConnectWise Manage",
            PsaKind::Autotask => "Autotask",
            PsaKind::Halopsa => "HaloPSA",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationState {
    Active,
    Paused,
}

impl IntegrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationState::Active => "active",
            IntegrationState::Paused => "paused",
        }
    }

    pub fn parse(s: &str) -> Option<IntegrationState> {
        match s {
            "active" => Some(IntegrationState::Active),
            "paused" => Some(IntegrationState::Paused),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IntegrationState::Active => "Active",
            IntegrationState::Paused => "Paused",
        }
    }
}

/// The last sync run of an integration, as a summary line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSync {
    #[serde(with = "crate::model::time::rfc3339")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub finished_at: Option<DateTime<Utc>>,
    /// running, succeeded or failed.
    pub outcome: String,
    pub created: i64,
    pub updated: i64,
    pub orphaned: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationSummary {
    pub id: IntegrationId,
    pub kind: PsaKind,
    pub name: String,
    pub site_url: String,
    pub state: IntegrationState,
    pub last_sync: Option<LastSync>,
}

/// An integration's PSA credentials as the screens may see them: the secrets never come back,
/// only whether they are set. Each PSA uses its own fields (the others stay empty):
/// ConnectWise Manage `site_url`, `company_id`, `client_id` and the two keys; Autotask
/// `site_url` (its zone discovery), `username`, `integration_code`, the secret, and the
/// `zone_url` discovery found; HaloPSA `site_url`, `tenant`, `client_id` and the client secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsView {
    #[serde(default)]
    pub kind: PsaKind,
    pub site_url: String,
    pub company_id: String,
    pub client_id: String,
    pub public_key_set: bool,
    pub private_key_set: bool,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub integration_code: String,
    #[serde(default)]
    pub secret_set: bool,
    #[serde(default)]
    pub zone_url: String,
    #[serde(default)]
    pub tenant: String,
    #[serde(default)]
    pub client_secret_set: bool,
}

/// Credentials as an admin enters them (the fields of the integration's PSA; see
/// [`CredentialsView`]). A secret left empty keeps the saved one, for the same site only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialsInput {
    pub site_url: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub public_key: String,
    #[serde(default)]
    pub private_key: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub integration_code: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub tenant: String,
    #[serde(default)]
    pub client_secret: String,
}

/// Account > Integrations > Add integration: the PSA, a name, and its credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIntegrationInput {
    pub kind: PsaKind,
    /// Empty: the PSA's name.
    #[serde(default)]
    pub name: String,
    pub credentials: CredentialsInput,
}
