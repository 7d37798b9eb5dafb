//! Credentials as the screens edit them: entered values checked and completed with the saved
//! keys, and the view that never shows a key back.

use crate::psa::connectwise::client::CwCredentials;
use app::error::AppError;
use app::model::{CredentialsInput, CredentialsView};

/// A PSA site as Steward accepts it: `https://host[:port]` with no user, path, query or
/// fragment, normalised to exactly that (plain `http` only for a loopback host, which the
/// simulators use). The saved keys are bound to it: they are only ever sent to this origin.
pub(crate) fn site_origin(entered: &str) -> Result<String, AppError> {
    const HOW: &str = "Enter the site's address alone, with https:// and no path, like https://na.myconnectwise.net";
    let site = entered.trim();
    // "https://evil.example?" or "#..." would otherwise reach any path: refused outright.
    if site.is_empty() || site.len() > 200 || site.contains(['?', '#', '@', '\\']) {
        return Err(AppError::invalid_input(HOW));
    }
    let url = url::Url::parse(site).map_err(|_| AppError::invalid_input(HOW))?;
    let host = url.host().ok_or_else(|| AppError::invalid_input(HOW))?;
    let loopback = match &host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    if !scheme_ok
        || !url.username().is_empty()
        || url.password().is_some()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(AppError::invalid_input(HOW));
    }
    Ok(url.origin().ascii_serialization())
}

/// Checks and completes entered credentials: empty keys take the saved ones, but only while
/// the site stays the same; a changed site needs the keys entered again.
pub(super) fn merge_credentials(
    input: CredentialsInput,
    saved: Option<CwCredentials>,
) -> Result<CwCredentials, AppError> {
    let site = site_origin(&input.site_url)?;
    // The saved keys belong to the saved site: offered for another, they are not there.
    let saved = saved.filter(|c| site_origin(&c.site_url).is_ok_and(|s| s == site));
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
            kept.cloned().ok_or_else(|| {
                AppError::invalid_input(format!(
                    "Enter the {what}: keys are kept only for the site they were saved for"
                ))
            })
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
