//! Resolves the session cookie once per request: the signed-in user goes into the request's
//! extensions (where server functions and API handlers find it); pages without a session are
//! sent to the login page.

use super::AppState;
use app::services::{cookie_value, prelude::*, SESSION_COOKIE};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use http::Method;

/// Paths that never need a session: static files, the login page, health.
fn is_public(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path == "/login"
        || path == "/favicon.ico"
        || path == "/healthz"
        || path == "/api/v1/openapi.json"
}

pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/pkg/") {
        return next.run(req).await;
    }
    // The peer's address, for sign-in throttling (present when served with connect info).
    if let Some(peer) = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    {
        req.extensions_mut().insert(app::services::ClientAddr(peer));
    }
    let user = match cookie_value(req.headers(), SESSION_COOKIE) {
        Some(token) => state.services.user_for_session(&token).await.ok().flatten(),
        None => None,
    };
    let signed_in = user.is_some();
    if let Some(user) = user {
        req.extensions_mut().insert(user);
    }
    // Server functions and the JSON API answer 401 themselves; pages redirect.
    if !signed_in && !is_public(&path) && !path.starts_with("/api/") && req.method() == Method::GET
    {
        return Redirect::to("/login").into_response();
    }
    next.run(req).await
}
