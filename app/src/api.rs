//! Server functions: the browser's door to the server. Each body authorizes, calls one service
//! and returns; the logic lives behind the `Services` trait.

use crate::error::AppError;
use crate::model::{
    ActivityEntry, Feature, JobId, RemovalImpact, RemovalJob, RemovalTarget, RestoreChoice,
    RestoreJob, RunId,
};
use crate::model::{
    CatalogValueId, CredentialsInput, CredentialsView, CurrentUser, DisconnectedItem, HeldPage,
    IntegrationId, IntegrationSummary, ItemKind, ItemPage, ManageData, NewIntegrationInput,
    PreviewPage, PreviewQuery, SyncEvent, SyncRun, SyncSettings, SyncSettingsChange,
    SyncSettingsEffect, SyncStarted,
};
use crate::model::{
    NewUserInput, OneTimePassword, OrganizationChoice, OrganizationId, Role, UserId, UserSummary,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn set_cookie(value: String) {
    if let (Some(opts), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&value),
    ) {
        opts.append_header(http::header::SET_COOKIE, v);
    }
}

/// Signs in with email and password, sets the session cookie and goes to the integrations.
#[server(prefix = "/api", endpoint = "sign_in", output = crate::codec::Json)]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    let signed_in = crate::services::services()?
        .sign_in(
            email.trim(),
            &password,
            crate::services::request_client_addr(),
        )
        .await?;
    set_cookie(crate::services::session_cookie(&signed_in));
    leptos_axum::redirect("/account/integrations");
    Ok(())
}

/// Sign-in with a one-time password and the new password that replaces it.
#[server(prefix = "/api", endpoint = "sign_in_with_new_password", output = crate::codec::Json)]
pub async fn sign_in_with_new_password(
    email: String,
    password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    if new_password != confirm_password {
        return Err(AppError::invalid_input(
            "The two new passwords are not the same: type it again in both",
        ));
    }
    let signed_in = crate::services::services()?
        .sign_in_with_new_password(
            email.trim(),
            &password,
            &new_password,
            crate::services::request_client_addr(),
        )
        .await?;
    set_cookie(crate::services::session_cookie(&signed_in));
    leptos_axum::redirect("/account/integrations");
    Ok(())
}

/// Account > Password: changes one's own password; the session ends, sign in again.
#[server(prefix = "/api", endpoint = "change_password", output = crate::codec::Json)]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let user = crate::services::current_user()?;
    if new_password != confirm_password {
        return Err(AppError::invalid_input(
            "The two new passwords are not the same: type it again in both",
        ));
    }
    crate::services::services()?
        .change_password(&user, &current_password, &new_password)
        .await?;
    set_cookie(crate::services::cleared_session_cookie());
    Ok(())
}

/// Account > Users.
#[server(prefix = "/api", endpoint = "users", output = crate::codec::Json)]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.users(&user).await
}

/// Add user: the one-time password, shown once.
#[server(prefix = "/api", endpoint = "add_user", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn add_user(input: NewUserInput) -> Result<OneTimePassword, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.add_user(&user, input).await
}

#[server(prefix = "/api", endpoint = "set_user_role", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn set_user_role(target: UserId, role: Role) -> Result<UserSummary, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .set_user_role(&user, target, role)
        .await
}

#[server(prefix = "/api", endpoint = "set_user_restrictions", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn set_user_restrictions(
    target: UserId,
    organizations: Vec<OrganizationId>,
) -> Result<UserSummary, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .set_user_restrictions(&user, target, organizations)
        .await
}

#[server(prefix = "/api", endpoint = "organization_choices", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn organization_choices(search: String) -> Result<Vec<OrganizationChoice>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .organization_choices(&user, search)
        .await
}

#[server(prefix = "/api", endpoint = "set_user_active", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn set_user_active(target: UserId, active: bool) -> Result<UserSummary, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .set_user_active(&user, target, active)
        .await
}

#[server(prefix = "/api", endpoint = "reset_user_password", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn reset_user_password(target: UserId) -> Result<OneTimePassword, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .reset_user_password(&user, target)
        .await
}

/// Ends the session and goes back to the login page.
#[server(prefix = "/api", endpoint = "sign_out", output = crate::codec::Json)]
pub async fn sign_out() -> Result<(), AppError> {
    if let Some(token) = crate::services::request_session_token() {
        crate::services::services()?.sign_out(&token).await?;
    }
    set_cookie(crate::services::cleared_session_cookie());
    leptos_axum::redirect("/login");
    Ok(())
}

/// Who is signed in.
#[server(prefix = "/api", endpoint = "current_user", output = crate::codec::Json)]
pub async fn get_current_user() -> Result<CurrentUser, AppError> {
    crate::services::current_user()
}

/// The account's PSA integrations.
#[server(prefix = "/api", endpoint = "integrations", output = crate::codec::Json)]
pub async fn list_integrations() -> Result<Vec<IntegrationSummary>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.integrations(&user).await
}

/// The Manage Data screen of one integration.
#[server(prefix = "/api", endpoint = "manage_data", output = crate::codec::Json)]
pub async fn get_manage_data(integration: IntegrationId) -> Result<ManageData, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .manage_data(&user, integration)
        .await
}

/// One page of organizations or configurations, filtered by name.
#[server(prefix = "/api", endpoint = "items", output = crate::codec::Json)]
pub async fn list_items(
    kind: ItemKind,
    search: String,
    page: u32,
    show_inactive_orphans: bool,
) -> Result<ItemPage, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .items(&user, kind, &search, page, show_inactive_orphans)
        .await
}

/// Start Manual Sync: a full run now (or the one already going).
#[server(prefix = "/api", endpoint = "start_sync", output = crate::codec::Json)]
pub async fn start_sync(integration: IntegrationId) -> Result<SyncStarted, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .start_sync(&user, integration)
        .await
}

/// Pause Sync (true) or Resume Sync (false).
#[server(prefix = "/api", endpoint = "set_sync_paused", output = crate::codec::Json)]
pub async fn set_sync_paused(
    integration: IntegrationId,
    paused: bool,
) -> Result<IntegrationSummary, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .set_sync_paused(&user, integration, paused)
        .await
}

/// One sync run, for watching it live.
#[server(prefix = "/api", endpoint = "sync_run", output = crate::codec::Json)]
pub async fn get_sync_run(integration: IntegrationId, run: RunId) -> Result<SyncRun, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .sync_run(&user, integration, run)
        .await
}

/// The integration's sync runs, newest first.
#[server(prefix = "/api", endpoint = "sync_runs", output = crate::codec::Json)]
pub async fn list_sync_runs(integration: IntegrationId) -> Result<Vec<SyncRun>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .sync_runs(&user, integration)
        .await
}

/// One page of a run's events.
#[server(prefix = "/api", endpoint = "sync_events", output = crate::codec::Json)]
pub async fn list_sync_events(
    integration: IntegrationId,
    run: RunId,
    page: u32,
) -> Result<Vec<SyncEvent>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .sync_events(&user, integration, run, page)
        .await
}

/// The integration's sync settings.
#[server(prefix = "/api", endpoint = "sync_settings", output = crate::codec::Json)]
pub async fn get_sync_settings(integration: IntegrationId) -> Result<SyncSettings, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .sync_settings(&user, integration)
        .await
}

/// What a settings change would do at the next full sync.
#[server(prefix = "/api", endpoint = "preview_sync_settings", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn preview_sync_settings(
    integration: IntegrationId,
    change: SyncSettingsChange,
) -> Result<SyncSettingsEffect, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .preview_sync_settings(&user, integration, change)
        .await
}

/// Saves a settings change.
#[server(prefix = "/api", endpoint = "change_sync_settings", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn change_sync_settings(
    integration: IntegrationId,
    change: SyncSettingsChange,
) -> Result<SyncSettings, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .change_sync_settings(&user, integration, change)
        .await
}

/// The integration's credentials, keys redacted.
#[server(prefix = "/api", endpoint = "credentials", output = crate::codec::Json)]
pub async fn get_credentials(integration: IntegrationId) -> Result<CredentialsView, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .credentials(&user, integration)
        .await
}

/// Test connection, with the values in the form.
#[server(prefix = "/api", endpoint = "test_credentials", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn test_credentials(
    integration: IntegrationId,
    input: CredentialsInput,
) -> Result<(), AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .test_credentials(&user, integration, input)
        .await
}

/// Saves the credentials.
#[server(prefix = "/api", endpoint = "save_credentials", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn save_credentials(
    integration: IntegrationId,
    input: CredentialsInput,
) -> Result<CredentialsView, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .save_credentials(&user, integration, input)
        .await
}

/// Add integration's Test connection: the PSA's answer to the form's credentials.
#[server(prefix = "/api", endpoint = "test_new_integration", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn test_new_integration(input: NewIntegrationInput) -> Result<(), AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .test_new_integration(&user, input)
        .await
}

/// Add integration: checks the credentials with the PSA, saves them sealed, and reads the PSA's
/// types and statuses (all unchecked) for its sync settings.
#[server(prefix = "/api", endpoint = "add_integration", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn add_integration(input: NewIntegrationInput) -> Result<IntegrationId, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .add_integration(&user, input)
        .await
}

/// How many items of each kind Disconnect would make stand-alone.
#[server(prefix = "/api", endpoint = "disconnect_preview", output = crate::codec::Json)]
pub async fn disconnect_preview(
    integration: IntegrationId,
) -> Result<Vec<(ItemKind, i64)>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .disconnect_preview(&user, integration)
        .await
}

/// Disconnect the whole integration.
#[server(prefix = "/api", endpoint = "disconnect_integration", output = crate::codec::Json)]
pub async fn disconnect_integration(
    integration: IntegrationId,
) -> Result<Vec<(ItemKind, i64)>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .disconnect_integration(&user, integration)
        .await
}

/// View: one page of a Manage Data row's items.
#[server(prefix = "/api", endpoint = "preview", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn get_preview(
    integration: IntegrationId,
    query: PreviewQuery,
) -> Result<PreviewPage, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .preview(&user, integration, query)
        .await
}

/// The edit pencil's Save.
#[server(prefix = "/api", endpoint = "edit_item", output = crate::codec::Json)]
pub async fn edit_item(
    integration: IntegrationId,
    kind: ItemKind,
    id: i64,
    type_value: CatalogValueId,
    status_value: CatalogValueId,
) -> Result<(), AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .edit_item(&user, integration, kind, id, type_value, status_value)
        .await
}

/// Disable sync for one item.
#[server(prefix = "/api", endpoint = "disable_item_sync", output = crate::codec::Json)]
pub async fn disable_item_sync(
    integration: IntegrationId,
    kind: ItemKind,
    id: i64,
) -> Result<(), AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .disable_item_sync(&user, integration, kind, id)
        .await
}

/// Disconnected Data's View.
#[server(prefix = "/api", endpoint = "disconnected_items", output = crate::codec::Json)]
pub async fn list_disconnected(
    integration: IntegrationId,
    kind: ItemKind,
    page: u32,
) -> Result<(i64, Vec<DisconnectedItem>), AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .disconnected_items(&user, integration, kind, page)
        .await
}

/// Reconnect one disconnected item.
#[server(prefix = "/api", endpoint = "reconnect", output = crate::codec::Json)]
pub async fn reconnect(integration: IntegrationId, tombstone: i64) -> Result<String, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .reconnect(&user, integration, tombstone)
        .await
}

/// Delete: what it removes.
#[server(prefix = "/api", endpoint = "removal_impact", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn get_removal_impact(
    integration: IntegrationId,
    target: RemovalTarget,
) -> Result<RemovalImpact, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .removal_impact(&user, integration, target)
        .await
}

/// Delete, confirmed by the typed number of items.
#[server(prefix = "/api", endpoint = "start_removal", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn start_removal(
    integration: IntegrationId,
    target: RemovalTarget,
    typed: String,
) -> Result<RemovalJob, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .start_removal(&user, integration, target, typed)
        .await
}

/// The features switched on for the account.
#[server(prefix = "/api", endpoint = "account_features", output = crate::codec::Json)]
pub async fn get_account_features() -> Result<Vec<Feature>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.account_features(&user).await
}

/// Held orphanings' View: a page of the held items of a kind (sync rule 1b).
#[server(prefix = "/api", endpoint = "held_items", output = crate::codec::Json)]
pub async fn get_held_items(
    integration: IntegrationId,
    kind: ItemKind,
    offset: i64,
) -> Result<HeldPage, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .held_items(&user, integration, kind, offset)
        .await
}

/// Confirm or Discard the held orphanings of a kind (Administrators).
#[server(prefix = "/api", endpoint = "decide_held", output = crate::codec::Json)]
pub async fn decide_held(
    integration: IntegrationId,
    kind: ItemKind,
    confirm: bool,
    run: RunId,
) -> Result<String, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .decide_held(&user, integration, kind, confirm, run)
        .await
}

/// Pause (a Synced Items row).
#[server(prefix = "/api", endpoint = "pause_row", output = crate::codec::Json)]
pub async fn pause_row(
    integration: IntegrationId,
    value: CatalogValueId,
) -> Result<String, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .pause_row(&user, integration, value)
        .await
}

/// What "Permanently disconnect records" of a row makes stand-alone.
#[server(prefix = "/api", endpoint = "row_disconnect_preview", output = crate::codec::Json)]
pub async fn row_disconnect_preview(
    integration: IntegrationId,
    value: CatalogValueId,
) -> Result<Vec<(ItemKind, i64)>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .row_disconnect_preview(&user, integration, value)
        .await
}

/// "Permanently disconnect records … but keep all data" of a row.
#[server(prefix = "/api", endpoint = "disconnect_row", output = crate::codec::Json)]
pub async fn disconnect_row(
    integration: IntegrationId,
    value: CatalogValueId,
) -> Result<Vec<(ItemKind, i64)>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .disconnect_row(&user, integration, value)
        .await
}

/// Cancel removal.
#[server(prefix = "/api", endpoint = "cancel_removal", output = crate::codec::Json)]
pub async fn cancel_removal(job: JobId) -> Result<RemovalJob, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .cancel_removal(&user, job)
        .await
}

/// The Removals page: the account's removals, current and past.
#[server(prefix = "/api", endpoint = "removals", output = crate::codec::Json)]
pub async fn list_removals() -> Result<Vec<RemovalJob>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.removals(&user).await
}

/// Restore: the organizations whose records a finished removal can still bring back.
#[server(prefix = "/api", endpoint = "restore_choices", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn restore_choices(removal: JobId) -> Result<Vec<RestoreChoice>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .restore_choices(&user, removal)
        .await
}

/// Restore: queues bringing a removal's records back (only those of `organizations` if given).
#[server(prefix = "/api", endpoint = "start_restore", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn start_restore(
    removal: JobId,
    organizations: Option<Vec<i64>>,
) -> Result<RestoreJob, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .start_restore(&user, removal, organizations)
        .await
}

/// The account's restores, newest first.
#[server(prefix = "/api", endpoint = "restores", output = crate::codec::Json)]
pub async fn list_restores() -> Result<Vec<RestoreJob>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.restores(&user).await
}

/// Account > Export: queues an export, its secrets sealed with the passphrase.
#[server(prefix = "/api", endpoint = "start_export", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn start_export(passphrase: String) -> Result<crate::model::ExportJob, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?
        .start_export(&user, passphrase)
        .await
}

/// The account's exports, newest first.
#[server(prefix = "/api", endpoint = "exports", output = crate::codec::Json)]
pub async fn list_exports() -> Result<Vec<crate::model::ExportJob>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.exports(&user).await
}

/// An organization's page.
#[server(prefix = "/api", endpoint = "organization", output = crate::codec::Json, input = server_fn::codec::Json)]
pub async fn get_organization(id: i64) -> Result<crate::model::OrganizationDetail, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.organization(&user, id).await
}

/// The account's activity log: its newest entries, or those older than entry `before`.
#[server(prefix = "/api", endpoint = "activity", output = crate::codec::Json)]
pub async fn get_activity(before: Option<i64>) -> Result<Vec<ActivityEntry>, AppError> {
    let user = crate::services::current_user()?;
    crate::services::services()?.activity(&user, before).await
}
