//! Refuses state-changing requests that come from another origin. Together with the SameSite=Strict
//! session cookie this closes cross-site request forgery.

use super::ApiError;
use app::error::AppError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, Method};

/// True when the request may change state as far as its origin goes.
pub fn same_origin(method: &Method, headers: &http::HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin
            .to_str()
            .ok()
            .and_then(|o| o.split_once("://"))
            .map(|(_, rest)| rest.trim_end_matches('/'));
        return matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h));
    }
    // No Origin (curl, scripts): only refuse what the browser says is cross-site.
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v != "cross-site")
}

pub async fn refuse_cross_origin(req: Request, next: Next) -> Response {
    if same_origin(req.method(), req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "refused a cross-origin request");
        ApiError(AppError::cross_origin()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn reads_are_always_allowed() {
        let h = headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(same_origin(&Method::GET, &h));
    }

    #[test]
    fn writes_from_another_origin_are_refused() {
        let evil = headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!same_origin(&Method::POST, &evil));
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]);
        assert!(!same_origin(&Method::POST, &null));
        let fetch = headers(&[("sec-fetch-site", "cross-site"), ("host", "127.0.0.1:3000")]);
        assert!(!same_origin(&Method::DELETE, &fetch));
    }

    #[test]
    fn writes_from_our_own_pages_and_scripts_pass() {
        let ours = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(same_origin(&Method::POST, &ours));
        let script = headers(&[("host", "127.0.0.1:3000")]);
        assert!(same_origin(&Method::POST, &script));
    }
}
