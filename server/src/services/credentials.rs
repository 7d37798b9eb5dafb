//! Credentials as the screens edit them: entered values checked and completed with the saved
//! keys, and the view that never shows a key back.

use crate::psa::autotask::client::{discover_zone, AtCredentials};
use crate::psa::connectwise::client::CwCredentials;
use crate::psa::credentials::PsaCredentials;
use crate::psa::halo::client::HaloCredentials;
use app::error::AppError;
use app::model::{CredentialsInput, PsaKind};

/// A PSA site as Steward accepts it: `https://host[:port]` with no user, path, query or
/// fragment, normalised to exactly that (plain `http` only for a loopback host, which the
/// simulators use). The saved keys are bound to it: they are only ever sent to this origin.
pub(crate) fn site_origin(entered: &str, example: &str) -> Result<String, AppError> {
    let how = format!(
        "Enter the site's address alone, with https:// and no path, like \
        {example}"
    );
    let how = how.as_str();
    let site = entered.trim();
    // "https://evil.example?" or "#..." would otherwise reach any path: refused outright.
    if site.is_empty() || site.len() > 200 || site.contains(['?', '#', '@', '\\']) {
        return Err(AppError::invalid_input(how));
    }
    let url = url::Url::parse(site).map_err(|_| AppError::invalid_input(how))?;
    let host = url.host().ok_or_else(|| AppError::invalid_input(how))?;
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
        return Err(AppError::invalid_input(how));
    }
    Ok(url.origin().ascii_serialization())
}

/// Checks an entered value: trimmed, not empty, at most 200 characters, no control characters.
fn field(value: &str, what: &str) -> Result<String, AppError> {
    let v = value.trim();
    if v.is_empty() || v.len() > 200 || v.chars().any(char::is_control) {
        Err(AppError::invalid_input(format!(
            "Enter the {what} (at most 200 characters)"
        )))
    } else {
        Ok(v.to_string())
    }
}

/// A secret as entered, or the saved one when left empty (only ever for the same site).
fn key(entered: &str, kept: Option<&String>, what: &str) -> Result<String, AppError> {
    if entered.trim().is_empty() {
        kept.cloned().ok_or_else(|| {
            AppError::invalid_input(format!(
                "Enter the {what}: saved secrets are kept only for the site they were \
                    saved for"
            ))
        })
    } else {
        field(entered, what)
    }
}

/// Whether Autotask's zone discovery at `site` may send the secret to `zone`: the same origin
/// (a simulator, a proxy of the MSP's own), or https on Autotask's own domain from Autotask's
/// discovery (webservices.autotask.net names webservicesN.autotask.net).
fn zone_allowed(site: &str, zone: &str) -> bool {
    let (Ok(site), Ok(zone)) = (url::Url::parse(site), url::Url::parse(zone)) else {
        return false;
    };
    if !zone.username().is_empty() || zone.password().is_some() || zone.query().is_some() {
        return false;
    }
    let autotask = |u: &url::Url| {
        u.scheme() == "https"
            && u.host_str()
                .is_some_and(|h| h.to_ascii_lowercase().ends_with(".autotask.net"))
    };
    zone.origin() == site.origin() || (autotask(&site) && autotask(&zone))
}

/// Checks and completes entered credentials for a PSA: empty secrets take the saved ones, but
/// only while the site stays the same; a changed site needs them entered again. Autotask's
/// zone is asked of its discovery here (no secret is sent to it).
pub(super) async fn merge_credentials(
    kind: PsaKind,
    input: CredentialsInput,
    saved: Option<PsaCredentials>,
    reach: crate::psa::net::Reach,
) -> Result<PsaCredentials, AppError> {
    let example = match kind {
        PsaKind::ConnectwiseManage => "https://na.myconnectwise.net",
        PsaKind::Autotask => "https://webservices.autotask.net",
        PsaKind::Halopsa => "https://yourcompany.halopsa.com",
    };
    let site = site_origin(&input.site_url, example)?;
    // The saved secrets belong to the saved site: offered for another, they are not there.
    let saved = saved.filter(|c| site_origin(c.site_url(), example).is_ok_and(|s| s == site));
    Ok(match kind {
        PsaKind::ConnectwiseManage => {
            let saved = match saved {
                Some(PsaCredentials::ConnectWise(c)) => Some(c),
                _ => None,
            };
            PsaCredentials::ConnectWise(CwCredentials {
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
        PsaKind::Autotask => {
            let saved = match saved {
                Some(PsaCredentials::Autotask(c)) => Some(c),
                _ => None,
            };
            let username = field(&input.username, "API username")?;
            let integration_code = field(&input.integration_code, "API integration code")?;
            let secret = key(&input.secret, saved.as_ref().map(|c| &c.secret), "secret")?;
            let zone = discover_zone(&format!("{site}/atservicesrest"), &username, reach)
                .await
                .map_err(|e| AppError::invalid_input(e.to_string()))?;
            if !zone_allowed(&site, &zone) {
                return Err(AppError::invalid_input(
                    "Autotask's zone discovery named a zone on another site; the \
                        secret is not sent there. \
                     Check the zone discovery URL (https://webservices.autotask.net)",
                ));
            }
            PsaCredentials::Autotask(AtCredentials {
                site_url: site,
                zone_url: zone,
                username,
                secret,
                integration_code,
            })
        }
        PsaKind::Halopsa => {
            let saved = match saved {
                Some(PsaCredentials::Halo(c)) => Some(c),
                _ => None,
            };
            let tenant = input.tenant.trim().to_string();
            if tenant.len() > 100
                || !tenant
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return Err(AppError::invalid_input(
                    "Enter the tenant as Halo names it (letters, digits, - _ .), or \
                        leave it empty",
                ));
            }
            PsaCredentials::Halo(HaloCredentials {
                site_url: site,
                tenant,
                client_id: field(&input.client_id, "client ID")?,
                client_secret: key(
                    &input.client_secret,
                    saved.as_ref().map(|c| &c.client_secret),
                    "client secret",
                )?,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_receives_the_secret_only_on_the_same_site_or_autotasks_own() {
        assert!(zone_allowed(
            "https://webservices.autotask.net",
            "https://webservices5.autotask.net/ATServicesRest"
        ));
        assert!(zone_allowed(
            "http://127.0.0.1:3100",
            "http://127.0.0.1:3100/atservicesrest"
        ));
        for (site, zone) in [
            (
                "http://127.0.0.1:3100",
                "http://127.0.0.1:9999/atservicesrest",
            ),
            (
                "https://webservices.autotask.net",
                "https://evil.example/atservicesrest",
            ),
            (
                "https://webservices.autotask.net",
                "http://webservices5.autotask.net/x",
            ),
            (
                "https://webservices.autotask.net",
                "https://autotask.net.evil.example/x",
            ),
            (
                "https://evil.example",
                "https://webservices5.autotask.net/x",
            ),
            (
                "https://webservices.autotask.net",
                "https://u:p@webservices5.autotask.net/x",
            ),
        ] {
            assert!(!zone_allowed(site, zone), "{site} → {zone}");
        }
    }
}
