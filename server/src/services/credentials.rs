//! Credentials as the screens edit them: entered values checked and completed with the saved
//! keys, and the view that never shows a key back.

use crate::psa::connectwise::client::CwCredentials;
use app::error::AppError;
use app::model::{CredentialsInput, CredentialsView};

/// Checks and completes entered credentials: empty keys take the saved ones.
pub(super) fn merge_credentials(
    input: CredentialsInput,
    saved: Option<CwCredentials>,
) -> Result<CwCredentials, AppError> {
    let site = input.site_url.trim().trim_end_matches('/').to_string();
    let valid_site = url::Url::parse(&site)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if valid_site.is_none() {
        return Err(AppError::invalid_input(
            "Enter the site's address with https://, like https://na.myconnectwise.net",
        ));
    }
    let field = |value: &str, what: &str| -> Result<String, AppError> {
        let v = value.trim();
        if v.is_empty() || v.len() > 200 {
            Err(AppError::invalid_input(format!(
                "Enter the {what} (at most 200 characters)"
            )))
        } else {
            Ok(v.to_string())
        }
    };
    let key = |entered: &str, kept: Option<&String>, what: &str| -> Result<String, AppError> {
        if entered.trim().is_empty() {
            kept.cloned()
                .ok_or_else(|| AppError::invalid_input(format!("Enter the {what}")))
        } else {
            field(entered, what)
        }
    };
    Ok(CwCredentials {
        site_url: site,
        company_id: field(&input.company_id, "company ID")?,
        client_id: field(&input.client_id, "client ID")?,
        public_key: key(
            &input.public_key,
            saved.as_ref().map(|c| &c.public_key),
            "public key",
        )?,
        private_key: key(
            &input.private_key,
            saved.as_ref().map(|c| &c.private_key),
            "private key",
        )?,
    })
}

pub(super) fn credentials_view(c: &CwCredentials) -> CredentialsView {
    CredentialsView {
        site_url: c.site_url.clone(),
        company_id: c.company_id.clone(),
        client_id: c.client_id.clone(),
        public_key_set: !c.public_key.is_empty(),
        private_key_set: !c.private_key.is_empty(),
    }
}
