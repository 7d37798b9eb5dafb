//! The ports: what `app` needs from the server, declared here as a trait and implemented by the
//! `server` crate (database, sessions...). `app` never depends on `server`; the server provides an
//! implementation through Leptos context and the helpers below fetch it.

use crate::error::AppError;
use crate::model::{ActivityEntry, Feature, RemovalImpact, RemovalJob, RemovalTarget};
use crate::model::{
    CatalogValueId, CredentialsInput, CredentialsView, CurrentUser, DisconnectedItem,
    IntegrationId, IntegrationSummary, ItemKind, ItemPage, ManageData, NewIntegrationInput,
    PreviewPage, PreviewQuery, SyncEvent, SyncRun, SyncSettings, SyncSettingsChange,
    SyncSettingsEffect, SyncStarted,
};
use std::sync::Arc;

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

/// Everything the screens and the JSON API ask of the server. Each method authorizes with the
/// user it is given; nothing reads across accounts.
#[async_trait::async_trait]
pub trait Services: Send + Sync + 'static {
    /// Signs in; throttled per email and per client address (`client`).
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<SignedIn, AppError>;
    async fn sign_out(&self, token: &str) -> Result<(), AppError>;
    async fn user_for_session(&self, token: &str) -> Result<Option<CurrentUser>, AppError>;
    async fn integrations(&self, user: &CurrentUser) -> Result<Vec<IntegrationSummary>, AppError>;
    async fn manage_data(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<ManageData, AppError>;
    async fn items(
        &self,
        user: &CurrentUser,
        kind: ItemKind,
        search: &str,
        page: u32,
        show_inactive_orphans: bool,
    ) -> Result<ItemPage, AppError>;
    /// Start Manual Sync: a full run now, or the running one if a run is going.
    async fn start_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncStarted, AppError>;
    /// Pause Sync (true) / Resume Sync (false).
    async fn set_sync_paused(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        paused: bool,
    ) -> Result<IntegrationSummary, AppError>;
    /// The integration's sync runs, newest first.
    async fn sync_runs(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<SyncRun>, AppError>;
    /// One run (its progress while it runs).
    async fn sync_run(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        run: i64,
    ) -> Result<SyncRun, AppError>;
    /// One run's events, errors first, `page` 1-based.
    async fn sync_events(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        run: i64,
        page: u32,
    ) -> Result<Vec<SyncEvent>, AppError>;
    async fn sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<SyncSettings, AppError>;
    /// The integration's credentials, keys redacted.
    async fn credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<CredentialsView, AppError>;
    /// Tries credentials (empty keys: the saved ones) against the PSA without saving them.
    async fn test_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<(), AppError>;
    /// Saves credentials (empty keys: the saved ones), sealed.
    async fn save_credentials(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        input: CredentialsInput,
    ) -> Result<CredentialsView, AppError>;
    /// Add integration's Test connection.
    async fn test_new_integration(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<(), AppError>;
    /// Add integration: the PSA accepts the credentials, they are sealed, and its catalog is
    /// read (unchecked) for the sync settings. The new integration's id.
    async fn add_integration(
        &self,
        user: &CurrentUser,
        input: NewIntegrationInput,
    ) -> Result<IntegrationId, AppError>;
    /// View: one page of a Manage Data row's items.
    async fn preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        query: PreviewQuery,
    ) -> Result<PreviewPage, AppError>;
    /// The edit pencil: a new type and status for an organization or configuration, written to
    /// the PSA first and then applied here; nothing changes when the PSA refuses.
    async fn edit_item(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
        type_value: CatalogValueId,
        status_value: CatalogValueId,
    ) -> Result<(), AppError>;
    /// Disable sync for one item (red plug); it then shows under Disconnected Data.
    async fn disable_item_sync(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
        id: i64,
    ) -> Result<(), AppError>;
    /// Disconnected Data's View: the individually disconnected items of a kind, and their total.
    async fn disconnected_items(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        kind: ItemKind,
    ) -> Result<(i64, Vec<DisconnectedItem>), AppError>;
    /// Reconnect one disconnected item, if the PSA still has it; says what happens next.
    async fn reconnect(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        tombstone: i64,
    ) -> Result<String, AppError>;
    /// Delete: what deleting the target's items removes. Managers and Administrators; a
    /// type-or-status target needs the account's feature.
    async fn removal_impact(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
    ) -> Result<RemovalImpact, AppError>;
    /// Queues the removal once the user typed the number of items; Managers and Administrators.
    async fn start_removal(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        target: RemovalTarget,
        typed: String,
    ) -> Result<RemovalJob, AppError>;
    /// The features switched on for the user's account.
    async fn account_features(&self, user: &CurrentUser) -> Result<Vec<Feature>, AppError>;
    /// Pause (a Synced Items row): unchecks its type or status at once; says what happens next.
    async fn pause_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<String, AppError>;
    /// What "Permanently disconnect records" of a row makes stand-alone.
    async fn row_disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// "Permanently disconnect records … but keep all data" of a row, in one transaction.
    async fn disconnect_row(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        value: CatalogValueId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// A removal whose deletion archive the user may download (Administrators, within the
    /// retention period); the server streams the archive itself page by page.
    async fn removal_archive(&self, user: &CurrentUser, job: i64) -> Result<RemovalJob, AppError>;
    /// A removal and its progress.
    async fn removal(&self, user: &CurrentUser, job: i64) -> Result<RemovalJob, AppError>;
    /// Cancel removal: a queued one ends now, a running one after its current chunk.
    async fn cancel_removal(&self, user: &CurrentUser, job: i64) -> Result<RemovalJob, AppError>;
    /// The Removals page: the account's removals, current and past, newest first; Managers and
    /// Administrators.
    async fn removals(&self, user: &CurrentUser) -> Result<Vec<RemovalJob>, AppError>;
    /// The account's activity log, newest first; Managers and Administrators.
    async fn activity(&self, user: &CurrentUser) -> Result<Vec<ActivityEntry>, AppError>;
    /// How many items of each kind Disconnect would make stand-alone.
    async fn disconnect_preview(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// Disconnect the whole integration: its items become stand-alone, nothing is deleted.
    async fn disconnect_integration(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
    ) -> Result<Vec<(ItemKind, i64)>, AppError>;
    /// What a settings change would do at the next full sync.
    async fn preview_sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        change: SyncSettingsChange,
    ) -> Result<SyncSettingsEffect, AppError>;
    async fn change_sync_settings(
        &self,
        user: &CurrentUser,
        integration: IntegrationId,
        change: SyncSettingsChange,
    ) -> Result<SyncSettings, AppError>;
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
