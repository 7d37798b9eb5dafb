//! The JSON API for automation, under /api/v1. It calls the same services with the same types
//! as the server functions, and answers errors as `{"code", "message"}` with the code's status.

use super::{ApiError, AppState};
use crate::services::Download;
use app::error::AppError;
use app::model::{
    ActivityEntry, CatalogValueId, DisconnectedItem, ItemKind, JobEvent, JobId, RemovalImpact,
    RemovalJob, RemovalTarget, RunId,
};
use app::model::{
    CurrentUser, IntegrationId, IntegrationSummary, ManageData, SyncEvent, SyncRun, SyncSettings,
    SyncSettingsChange, SyncStarted,
};
use app::services::{
    cleared_session_cookie, cookie_value, prelude::*, session_cookie, SESSION_COOKIE,
};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, Stream, StreamExt};
use http::{header, StatusCode};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// The signed-in user, or 401.
pub struct ApiUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .map(ApiUser)
            .ok_or_else(|| ApiError(AppError::unauthenticated()))
    }
}

#[derive(Debug, Deserialize)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

/// JSON bodies that fail to parse get the wire error too, not axum's plain text.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|e| {
                ApiError(AppError::invalid_input(format!(
                    "The request body is not valid: {}",
                    e.body_text()
                )))
            })
    }
}

/// Query strings that fail to parse get the wire error too (422), not axum's plain-text 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| {
                ApiError(AppError::invalid_input(format!(
                    "The query string is not valid: {}",
                    e.body_text()
                )))
            })
    }
}

/// POST /api/v1/session
pub async fn sign_in(
    State(state): State<AppState>,
    client: Option<axum::Extension<app::services::ClientAddr>>,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let signed_in = state
        .services
        .sign_in(body.email.trim(), &body.password, client.map(|c| c.0 .0))
        .await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&signed_in))],
        Json(signed_in.user),
    )
        .into_response())
}

/// DELETE /api/v1/session
pub async fn sign_out(
    State(state): State<AppState>,
    headers: http::HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie_value(&headers, SESSION_COOKIE) {
        state.services.sign_out(&token).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, cleared_session_cookie())],
    )
        .into_response())
}

/// GET /api/v1/integrations
pub async fn integrations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<IntegrationSummary>>, ApiError> {
    Ok(Json(state.services.integrations(&user).await?))
}

/// A path's integration id.
fn integration_id(raw: &str) -> Result<IntegrationId, ApiError> {
    raw.parse::<i64>().map(IntegrationId).map_err(|_| {
        ApiError(AppError::invalid_input(
            "The integration id must be a number",
        ))
    })
}

/// GET /api/v1/integrations/{id}/manage-data
pub async fn manage_data(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ManageData>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(state.services.manage_data(&user, id).await?))
}

/// POST /api/v1/integrations/{id}/sync: Start Manual Sync. 202 with the run; a run already
/// going is answered with that run (`started: false`).
pub async fn start_sync(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<SyncStarted>), ApiError> {
    let id = integration_id(&id)?;
    let started = state.services.start_sync(&user, id).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// POST /api/v1/integrations/{id}/pause
pub async fn pause(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<IntegrationSummary>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(state.services.set_sync_paused(&user, id, true).await?))
}

/// POST /api/v1/integrations/{id}/resume
pub async fn resume(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<IntegrationSummary>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(
        state.services.set_sync_paused(&user, id, false).await?,
    ))
}

/// GET /api/v1/integrations/{id}/sync-runs
pub async fn sync_runs(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<SyncRun>>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(state.services.sync_runs(&user, id).await?))
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<u32>,
}

/// GET /api/v1/integrations/{id}/sync-runs/{run}/events?page=N
pub async fn sync_events(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, run)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<Vec<SyncEvent>>, ApiError> {
    let id = integration_id(&id)?;
    let run = run
        .parse::<i64>()
        .map(RunId)
        .map_err(|_| ApiError(AppError::invalid_input("The run id must be a number")))?;
    Ok(Json(
        state
            .services
            .sync_events(&user, id, run, q.page.unwrap_or(1))
            .await?,
    ))
}

/// GET /api/v1/integrations/{id}/sync-settings
pub async fn sync_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<SyncSettings>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(state.services.sync_settings(&user, id).await?))
}

/// PATCH /api/v1/integrations/{id}/sync-settings
pub async fn change_sync_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<SyncSettingsChange>,
) -> Result<Json<SyncSettings>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(
        state
            .services
            .change_sync_settings(&user, id, change)
            .await?,
    ))
}

/// GET /api/v1/removals/{job}/archive: everything a removal deleted, as JSON (Administrators).
pub async fn removal_archive(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(job): Path<String>,
) -> Result<Response, ApiError> {
    let job = removal_id(&job)?;
    Ok(download(
        state.services.removal_archive_download(&user, job).await?,
    ))
}

/// GET /api/v1/exports/{job}/file: an account export's ZIP (Administrators without
/// restrictions).
pub async fn export_file(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(job): Path<String>,
) -> Result<Response, ApiError> {
    let job = job
        .parse::<i64>()
        .map(JobId)
        .map_err(|_| ApiError(AppError::invalid_input("The export id must be a number")))?;
    Ok(download(state.services.export_download(&user, job).await?))
}

/// A file as an attachment, streamed as the services read it.
fn download(file: Download) -> Response {
    let mut headers = vec![
        (header::CONTENT_TYPE, file.content_type.to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file.file_name),
        ),
    ];
    if let Some(n) = file.length {
        headers.push((header::CONTENT_LENGTH, n.to_string()));
    }
    let mut response = axum::body::Body::from_stream(file.body).into_response();
    for (name, value) in headers {
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// Which items a removal targets: `kind` (its orphans), or `value` (every item of that type or
/// status; `full_delete` for Disconnect's "Permanently delete all data" option).
#[derive(Debug, Deserialize)]
pub struct TargetQuery {
    pub kind: Option<ItemKind>,
    pub value: Option<i64>,
    /// The Organizations list's search: every organization it matches.
    pub search: Option<String>,
    #[serde(default)]
    pub full_delete: bool,
    /// With `kind`: only the orphans of this reason (`deleted_in_psa`...).
    pub reason: Option<String>,
    /// Ticked items, comma-separated ids: with `kind`, only those of its orphans; alone, those
    /// organizations (as the Organizations list's ticks).
    pub ids: Option<String>,
}

impl TargetQuery {
    fn target(&self) -> Result<RemovalTarget, ApiError> {
        let bad = |m: &str| ApiError(AppError::invalid_input(m));
        let reason =
            match self.reason.as_deref() {
                Some(r) => Some(app::model::OrphanReason::parse(r).ok_or_else(|| {
                    bad("reason must be one of type_not_synced, status_not_synced, deleted_in_psa, \
                    parent_not_syncing, inactive_status_not_synced")
                })?),
                None => None,
            };
        let ids = match self.ids.as_deref() {
            Some(list) => Some(
                list.split(',')
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim().parse::<i64>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| bad("ids must be item ids, comma-separated"))?,
            ),
            None => None,
        };
        let narrowed = reason.is_some() || ids.is_some();
        match (self.kind, self.value, &self.search) {
            (None, None, Some(search)) if !narrowed => Ok(RemovalTarget::Search(search.clone())),
            (None, None, None) if reason.is_none() => match ids {
                Some(ids) => Ok(RemovalTarget::Picked(ids)),
                None => Err(bad(WHAT)),
            },
            (Some(kind), None, None) if narrowed => {
                Ok(RemovalTarget::ChosenOrphans { kind, reason, ids })
            }
            (Some(kind), None, None) => Ok(RemovalTarget::Orphans(kind)),
            (None, Some(v), None) if !narrowed && self.full_delete => {
                Ok(RemovalTarget::RowFullDelete(CatalogValueId(v)))
            }
            (None, Some(v), None) if !narrowed => Ok(RemovalTarget::Row(CatalogValueId(v))),
            _ => Err(bad(WHAT)),
        }
    }
}

/// What a removal target may be, said when a request's is none of them.
const WHAT: &str = "Say what to delete, one of: kind (its orphans, narrowed by reason or ids), \
    value (a type or status), search (organizations) or ids alone (ticked organizations)";

/// GET /api/v1/integrations/{id}/removals/impact?kind=organization (or ?value=N): what the
/// removal would delete (Managers and Administrators).
pub async fn removal_impact(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> Result<Json<RemovalImpact>, ApiError> {
    let id = integration_id(&id)?;
    Ok(Json(
        state
            .services
            .removal_impact(&user, id, q.target()?)
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct StartRemoval {
    #[serde(flatten)]
    pub target: TargetQuery,
    /// The number of items, as the user typed it.
    pub confirm: String,
}

/// POST /api/v1/integrations/{id}/removals: queue the deletion of a kind's orphans, confirmed
/// by their number. 202 with the queued removal.
pub async fn start_removal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StartRemoval>,
) -> Result<(StatusCode, Json<RemovalJob>), ApiError> {
    let id = integration_id(&id)?;
    let job = state
        .services
        .start_removal(&user, id, body.target.target()?, body.confirm)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// A path's type-or-status id.
fn value_id(raw: &str) -> Result<CatalogValueId, ApiError> {
    raw.parse::<i64>().map(CatalogValueId).map_err(|_| {
        ApiError(AppError::invalid_input(
            "The type or status id must be a number",
        ))
    })
}

#[derive(Debug, serde::Serialize)]
pub struct Said {
    pub message: String,
}

/// POST /api/v1/integrations/{id}/values/{value}/pause: Pause a Synced Items row.
pub async fn pause_row(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, value)): Path<(String, String)>,
) -> Result<Json<Said>, ApiError> {
    let (id, value) = (integration_id(&id)?, value_id(&value)?);
    let message = state.services.pause_row(&user, id, value).await?;
    Ok(Json(Said { message }))
}

/// GET /api/v1/integrations/{id}/values/{value}/disconnect: what a permanent disconnect of the
/// row makes stand-alone, per kind.
pub async fn row_disconnect_preview(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, value)): Path<(String, String)>,
) -> Result<Json<Vec<(ItemKind, i64)>>, ApiError> {
    let (id, value) = (integration_id(&id)?, value_id(&value)?);
    Ok(Json(
        state
            .services
            .row_disconnect_preview(&user, id, value)
            .await?,
    ))
}

/// POST /api/v1/integrations/{id}/values/{value}/disconnect: "Permanently disconnect records …
/// but keep all data", in one transaction; answers what became stand-alone.
pub async fn disconnect_row(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, value)): Path<(String, String)>,
) -> Result<Json<Vec<(ItemKind, i64)>>, ApiError> {
    let (id, value) = (integration_id(&id)?, value_id(&value)?);
    Ok(Json(state.services.disconnect_row(&user, id, value).await?))
}

#[derive(Debug, Deserialize)]
pub struct DisconnectedQuery {
    pub kind: ItemKind,
    /// From 1 (the newest `DISCONNECTED_PAGE`); 1 when absent.
    pub page: Option<u32>,
}

#[derive(Debug, serde::Serialize)]
pub struct DisconnectedList {
    pub total: i64,
    pub items: Vec<DisconnectedItem>,
}

/// GET /api/v1/integrations/{id}/disconnected?kind=organization: Disconnected Data's items of a
/// kind (the first 100, with the total).
pub async fn disconnected(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DisconnectedQuery>,
) -> Result<Json<DisconnectedList>, ApiError> {
    let id = integration_id(&id)?;
    let (total, items) = state
        .services
        .disconnected_items(&user, id, q.kind, q.page.unwrap_or(1))
        .await?;
    Ok(Json(DisconnectedList { total, items }))
}

/// POST /api/v1/integrations/{id}/disconnected/{item}/reconnect: Reconnect one item, if the PSA
/// still has it; says what happens next.
pub async fn reconnect(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, item)): Path<(String, String)>,
) -> Result<Json<Said>, ApiError> {
    let id = integration_id(&id)?;
    let item = item.parse::<i64>().map_err(|_| {
        ApiError(AppError::invalid_input(
            "The disconnected item's id must be a number",
        ))
    })?;
    let message = state.services.reconnect(&user, id, item).await?;
    Ok(Json(Said { message }))
}

/// GET /api/v1/removals: the account's removals, current and past, newest first.
pub async fn removals(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<RemovalJob>>, ApiError> {
    Ok(Json(state.services.removals(&user).await?))
}

/// POST /api/v1/removals/{job}/cancel: Cancel removal.
pub async fn cancel_removal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(job): Path<String>,
) -> Result<Json<RemovalJob>, ApiError> {
    let job = removal_id(&job)?;
    Ok(Json(state.services.cancel_removal(&user, job).await?))
}

/// `?before=`: the entries older than this one (its id).
#[derive(Debug, Deserialize)]
pub struct ActivityQuery {
    pub before: Option<i64>,
}

/// GET /api/v1/activity[?before=ID]: the account's activity log, newest first, a page of
/// `ACTIVITY_PAGE`; the next page is `?before=` the last entry's id.
pub async fn activity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> Result<Json<Vec<ActivityEntry>>, ApiError> {
    Ok(Json(state.services.activity(&user, q.before).await?))
}

/// GET /api/v1/events: server-sent events of every job of the account the user may see, one
/// event per change of state or progress, named by its kind (`removal`, `restore`, `export`,
/// `sync`), its data the job as its page shows it (a sync: `{integration, run}`). First the jobs
/// going on now. Every event carries the moment its stream opened as its id; a browser that
/// reconnects sends it back, and the new stream also reports the jobs that ended in between.
/// The stream ends when the session that opened it ends.
pub async fn job_events(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: http::HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or_else(chrono::Utc::now);
    let stream_id = since.timestamp_millis().to_string();
    let token = cookie_value(&headers, SESSION_COOKIE).unwrap_or_default();
    let events = state.services.job_events(user, token, since)?;
    let events = events.filter_map(move |job| {
        let e = Event::default()
            .event(job.name())
            .id(stream_id.clone())
            .json_data(JobData(&job));
        async move { e.ok().map(Ok) }
    });
    // A first comment lets the client know at once that the stream is open; keep-alives every
    // few seconds let the server notice a closed one (and free its place) soon.
    let opened = stream::once(async { Ok(Event::default().comment("open")) });
    Ok(
        Sse::new(opened.chain(events))
            .keep_alive(KeepAlive::new().interval(Duration::from_secs(5))),
    )
}

/// An event's data: the job itself (the event's name says its kind).
struct JobData<'a>(&'a JobEvent);

impl serde::Serialize for JobData<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            JobEvent::Removal(j) => j.serialize(s),
            JobEvent::Restore(j) => j.serialize(s),
            JobEvent::Export(j) => j.serialize(s),
            JobEvent::Sync { integration, run } => {
                serde_json::json!({ "integration": integration, "run": run }).serialize(s)
            }
        }
    }
}

/// A path's removal id.
fn removal_id(raw: &str) -> Result<JobId, ApiError> {
    raw.parse::<i64>()
        .map(JobId)
        .map_err(|_| ApiError(AppError::invalid_input("The removal id must be a number")))
}

/// Anything else under /api/v1.
pub async fn no_such_route() -> ApiError {
    ApiError(AppError::new(
        app::error::ErrorCode::NotFound,
        "There is no such API route: see /api/v1/openapi.json",
    ))
}
