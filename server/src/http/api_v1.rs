//! The JSON API for automation, under /api/v1. It calls the same services with the same types
//! as the server functions, and answers errors as `{"code", "message"}` with the code's status.

use super::{ApiError, AppState};
use app::error::AppError;
use app::model::{
    CurrentUser, IntegrationId, IntegrationSummary, ManageData, SyncEvent, SyncRun, SyncSettings,
    SyncSettingsChange, SyncStarted,
};
use app::services::{
    cleared_session_cookie, cookie_value, session_cookie, Services, SESSION_COOKIE,
};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{header, StatusCode};
use serde::Deserialize;

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

/// POST /api/v1/session
pub async fn sign_in(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignInRequest>,
) -> Result<Response, ApiError> {
    let signed_in = state
        .services
        .sign_in(body.email.trim(), &body.password)
        .await?;
    Ok((
        [(header::SET_COOKIE, session_cookie(&signed_in.token))],
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
    Query(q): Query<PageQuery>,
) -> Result<Json<Vec<SyncEvent>>, ApiError> {
    let id = integration_id(&id)?;
    let run = run
        .parse::<i64>()
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
    let job = job
        .parse::<i64>()
        .map_err(|_| ApiError(AppError::invalid_input("The removal id must be a number")))?;
    let body = state.services.removal_archive(&user, job).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"steward-deletion-archive-{job}.json\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// Anything else under /api/v1.
pub async fn no_such_route() -> ApiError {
    ApiError(AppError::new(
        app::error::ErrorCode::NotFound,
        "There is no such API route: see /api/v1/openapi.json",
    ))
}
