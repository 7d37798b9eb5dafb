//! Security headers on every response: no framing, no MIME sniffing, no referrer beyond
//! Steward, and a Content-Security-Policy. A page gets its own (scripts only from Steward or
//! with the page's nonce, which `app::shell` leaves in the request's `PageNonce`); every other
//! response gets one that allows nothing to run.
//!
//! Every answer says `Cache-Control: no-store` unless what made it chose otherwise (the static
//! files, `static_file`): pages and JSON hold an account's data and, once, one-time passwords,
//! and a cookie does not keep a shared cache from storing an answer and giving it to the next
//! person.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};

/// The policy of anything that is not a page (JSON, files, errors).
const NOTHING_RUNS: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `https`: Steward's public URL is https (`STEWARD_PUBLIC_URL`), so browsers are told to come
/// back only over https for a year (`Strict-Transport-Security`; not `includeSubDomains`, as
/// Steward may live on one name of an MSP's domain among others). Over plain http the header
/// would mean nothing and is not sent.
pub async fn secure(State(https): State<bool>, mut req: Request, next: Next) -> Response {
    let nonce = app::services::PageNonce::default();
    req.extensions_mut().insert(nonce.clone());
    let mut response = next.run(req).await;
    let page = nonce.0.lock().ok().and_then(|n| n.clone());
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let policy = page
        .and_then(|n| HeaderValue::from_str(&app::services::page_csp(&n)).ok())
        .unwrap_or(HeaderValue::from_static(NOTHING_RUNS));
    h.insert(header::CONTENT_SECURITY_POLICY, policy);
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The headers of a static file under `/pkg/` (mapped onto the service that serves them):
/// - `Vary: Accept-Encoding`: the `.br` or `.gz` copy the site build wrote beside each file goes
///   to a browser that accepts it, so a cache between Steward and its users must keep one copy
///   per encoding.
/// - `Cache-Control: no-cache`: the files keep their names across versions (`steward.wasm`), so a
///   browser must ask each time whether its copy is current (a 304 when it is). With only
///   `Last-Modified`, a browser may keep using a copy for a tenth of its age, and after an
///   upgrade would hydrate new pages with old code.
pub fn static_file<B>(mut response: http::Response<B>) -> http::Response<B> {
    let h = response.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
