//! The ports: what `app` needs from the server, declared here as a trait and implemented by the
//! `server` crate (database, sessions...). `app` never depends on `server`; the server provides an
//! implementation through Leptos context and the helpers below fetch it.

use crate::error::AppError;
use crate::model::{
    ActivityEntry, ExportJob, Feature, JobId, RemovalImpact, RemovalJob, RemovalTarget,
    RestoreChoice, RestoreJob, RunId,
};
use crate::model::{
    CatalogValueId, CredentialsInput, CredentialsView, CurrentUser, DisconnectedItem, HeldPage,
    IntegrationId, IntegrationSummary, ItemKind, ItemPage, ManageData, NewIntegrationInput,
    OrganizationDetail, PreviewPage, PreviewQuery, SyncEvent, SyncRun, SyncSettings,
    SyncSettingsChange, SyncSettingsEffect, SyncStarted,
};
use crate::model::{
    NewUserInput, OneTimePassword, OrganizationChoice, OrganizationId, Role, UserId, UserSummary,
};
use std::sync::Arc;

mod account;
mod exports;
mod integrations;
mod items;
mod removals;
mod restores;

pub use account::AccountServices;
pub use exports::ExportServices;
pub use integrations::IntegrationServices;
pub use items::ItemServices;
pub use removals::RemovalServices;
pub use restores::RestoreServices;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "steward_session";

/// How long a session lasts without being used again.
pub const SESSION_TTL_SECONDS: i64 = 60 * 60 * 12;

/// A successful sign-in: the secret to put in the cookie, and who signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: CurrentUser,
    /// Steward is served over https (its public URL says so): the cookie is `Secure`.
    pub secure_cookie: bool,
}

/// The client's network address, put into each request's extensions by the server (sign-in is
/// throttled by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The client address of the current request, if the server knows it.
pub fn request_client_addr() -> Option<std::net::IpAddr> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddr>().map(|c| c.0))
}

/// Everything the screens and the JSON API ask of the server, one trait per area (each in its
/// own file beside this one). Each method authorizes with the user it is given; nothing reads
/// across accounts.
pub trait Services:
    AccountServices
    + ExportServices
    + IntegrationServices
    + ItemServices
    + RemovalServices
    + RestoreServices
{
}

impl<
        T: AccountServices
            + ExportServices
            + IntegrationServices
            + ItemServices
            + RemovalServices
            + RestoreServices,
    > Services for T
{
}

/// The area traits, for calling the services: `use app::services::prelude::*;`.
pub mod prelude {
    pub use super::{
        AccountServices, ExportServices, IntegrationServices, ItemServices, RemovalServices,
        RestoreServices, Services,
    };
}

/// The server's implementation, as provided through context.
#[derive(Clone)]
pub struct ServiceHandle(pub Arc<dyn Services>);

/// The services, from context.
pub fn services() -> Result<Arc<dyn Services>, AppError> {
    leptos::prelude::use_context::<ServiceHandle>()
        .map(|h| h.0)
        .ok_or_else(|| {
            tracing::error!("ServiceHandle missing from context");
            AppError::internal()
        })
}

/// The signed-in user of the current request. The server's session middleware resolves the
/// cookie once per request and puts the user into the request's extensions.
pub fn current_user() -> Result<CurrentUser, AppError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
        .ok_or_else(AppError::unauthenticated)
}

/// The session token sent with the current request, if any.
pub fn request_session_token() -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    cookie_value(&parts.headers, SESSION_COOKIE)
}

/// Reads one cookie from a request's headers.
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The `Set-Cookie` value that starts a session: HttpOnly, SameSite=Strict, whole site, and
/// `Secure` when Steward is served over https.
pub fn session_cookie(signed_in: &SignedIn) -> String {
    let secure = if signed_in.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_TTL_SECONDS}{secure}",
        signed_in.token
    )
}

/// The Content-Security-Policy of a page: scripts only from Steward itself or carrying this
/// response's nonce (Leptos's hydration scripts), WASM compiled from Steward's own module, no
/// framing, no plugins, forms and connections to Steward only.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Where a page's render leaves its nonce for the security-headers middleware, which puts it in
/// the page's Content-Security-Policy. (Set through `ResponseOptions` alone, the header was
/// missing from a page now and then under load, and the page's own scripts were then refused.)
#[derive(Debug, Clone, Default)]
pub struct PageNonce(pub std::sync::Arc<std::sync::Mutex<Option<String>>>);

/// The `Set-Cookie` value that ends a session.
pub fn cleared_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_session_cookie_among_others() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "a=1; steward_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&h, "missing"), None);
    }

    #[test]
    fn session_cookie_is_http_only_and_strict() {
        let mut signed_in = SignedIn {
            token: "t".into(),
            user: CurrentUser {
                user_id: crate::model::UserId(1),
                account_id: crate::model::AccountId(1),
                account_name: "A".into(),
                email: "a@x.test".into(),
                name: "A".into(),
                role: crate::model::Role::Administrator,
                restricted: false,
            },
            secure_cookie: false,
        };
        let c = session_cookie(&signed_in);
        assert!(c.contains("HttpOnly"));
        assert!(c.contains("SameSite=Strict"));
        assert!(!c.contains("Secure"));
        signed_in.secure_cookie = true;
        assert!(session_cookie(&signed_in).ends_with("; Secure"));
        assert!(cleared_session_cookie().contains("Max-Age=0"));
    }
}
