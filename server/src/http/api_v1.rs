//! The JSON API for automation, under /api/v1. It calls the same services with the same types
//! as the server functions, and answers errors as `{"code", "message"}` with the code's status.

use super::{ApiError, AppState};
use app::error::AppError;
use app::model::{CurrentUser, IntegrationId, IntegrationSummary, ManageData};
use app::services::{
    cleared_session_cookie, cookie_value, session_cookie, Services, SESSION_COOKIE,
};
use axum::extract::{FromRequestParts, Path, State};
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

/// GET /api/v1/integrations/{id}/manage-data
pub async fn manage_data(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<ManageData>, ApiError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::invalid_input("The integration id must be a number"))?;
    Ok(Json(
        state.services.manage_data(&user, IntegrationId(id)).await?,
    ))
}

/// Anything else under /api/v1.
pub async fn no_such_route() -> ApiError {
    ApiError(AppError::new(
        app::error::ErrorCode::NotFound,
        "There is no such API route: see /api/v1/openapi.json",
    ))
}
