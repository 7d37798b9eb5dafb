//! The HTTP layer: the router (pages, server functions, the JSON API, static files) and the
//! middleware every request passes (CSRF refusal, session resolution).

mod api_v1;
mod csrf;
mod headers;
mod openapi;
mod server_fn_status;
mod session;

use crate::services::AppServices;
use app::services::ServiceHandle;
use axum::extract::FromRef;
use axum::routing::{any, get, post};
use axum::{middleware, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Arc<AppServices>,
}

/// The JSON API's routes, written once: built into the router by `api_v1_routes` and listed,
/// with their methods, in [`API_V1`], which a test compares with the OpenAPI document.
macro_rules! api_v1 {
    ($($path:literal => $m:ident($h:expr) $(. $more:ident($hh:expr))* ;)*) => {
        /// Every `/api/v1` route (its path below `/api/v1`) with its methods, from the same
        /// list the router is built from.
        pub const API_V1: &[(&str, &[&str])] =
            &[$(($path, &[stringify!($m) $(, stringify!($more))*])),*];

        fn api_v1_routes() -> Router<AppState> {
            Router::new() $(.route(concat!("/api/v1", $path), $m($h) $(.$more($hh))*))*
        }
    };
}

api_v1! {
    "/session" => post(api_v1::sign_in).delete(api_v1::sign_out);
    "/integrations" => get(api_v1::integrations);
    "/integrations/{id}/manage-data" => get(api_v1::manage_data);
    "/integrations/{id}/sync" => post(api_v1::start_sync);
    "/integrations/{id}/pause" => post(api_v1::pause);
    "/integrations/{id}/resume" => post(api_v1::resume);
    "/integrations/{id}/sync-runs" => get(api_v1::sync_runs);
    "/integrations/{id}/sync-runs/{run}/events" => get(api_v1::sync_events);
    "/integrations/{id}/sync-settings" =>
        get(api_v1::sync_settings).patch(api_v1::change_sync_settings);
    "/integrations/{id}/removals/impact" => get(api_v1::removal_impact);
    "/integrations/{id}/removals" => post(api_v1::start_removal);
    "/integrations/{id}/values/{value}/pause" => post(api_v1::pause_row);
    "/integrations/{id}/values/{value}/disconnect" =>
        get(api_v1::row_disconnect_preview).post(api_v1::disconnect_row);
    "/integrations/{id}/disconnected" => get(api_v1::disconnected);
    "/integrations/{id}/disconnected/{item}/reconnect" => post(api_v1::reconnect);
    "/removals" => get(api_v1::removals);
    "/events" => get(api_v1::job_events);
    "/removals/{job}/cancel" => post(api_v1::cancel_removal);
    "/activity" => get(api_v1::activity);
    "/removals/{job}/archive" => get(api_v1::removal_archive);
    "/exports/{job}/file" => get(api_v1::export_file);
    "/openapi.json" => get(openapi::document);
}

/// The whole application as an axum router.
pub fn build_router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let handle = ServiceHandle(state.services.clone());
    let options = state.leptos_options.clone();
    // The site's files (WASM, JS, CSS), with the `.br` and `.gz` copies the site build writes
    // beside them sent to browsers that accept them, and `If-Modified-Since` answered with a 304
    // (Leptos' own file handler, the fallback below, passes on only `Accept-Encoding`), with
    // their caching headers (`headers::static_file`).
    let pkg = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = tower::ServiceBuilder::new()
        .map_response(headers::static_file)
        .service(
            tower_http::services::ServeDir::new(pkg)
                .precompressed_br()
                .precompressed_gzip(),
        );
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), files)
        .merge(api_v1_routes())
        .route("/api/v1/{*rest}", any(api_v1::no_such_route))
        .route("/healthz", get(|| async { "ok" }))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(handle.clone()),
            move || app::shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ))
        .layer(middleware::from_fn(csrf::refuse_cross_origin))
        .layer(middleware::from_fn(server_fn_status::real_status))
        .layer(middleware::from_fn_with_state(
            state.services.secure_cookies,
            headers::secure,
        ))
        .with_state(state)
}

/// An `AppError` as a JSON response with its status code.
pub struct ApiError(pub app::error::AppError);

impl axum::response::IntoResponse for ApiError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.0.retry_after;
        let mut response = (status, axum::Json(self.0)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}

impl From<app::error::AppError> for ApiError {
    fn from(e: app::error::AppError) -> Self {
        ApiError(e)
    }
}
