//! Server functions answer every error with 500 (Leptos's default); the wire error inside says
//! what it was. This layer gives such an answer the status its code stands for (403, 404, 422,
//! 429 ...), so that only Steward's own faults are 5xx, for server functions as for the JSON API.
//! The browser client treats every 4xx and 5xx alike: it reads the error from the body.

use app::error::{AppError, ErrorCode};
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, StatusCode};

/// Error bodies are small; anything larger is left as it is.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn real_status(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let server_fn = path.starts_with("/api/") && !path.starts_with("/api/v1/");
    let response = next.run(req).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        let generic = serde_json::to_string(&AppError::internal()).unwrap_or_default();
        return Response::from_parts(parts, Body::from(generic));
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        if error.code != ErrorCode::Internal {
            if let Ok(status) = StatusCode::from_u16(error.code.http_status()) {
                parts.status = status;
            }
            if let Some(seconds) = error.retry_after {
                parts
                    .headers
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
