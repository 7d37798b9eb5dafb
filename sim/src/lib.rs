//! The stand-ins for the PSAs Steward cannot reach from its own machines: a simulator each for
//! ConnectWise Manage, Autotask and HaloPSA that speaks the real service's REST API, quirks
//! included (every quirk cites its source where it is served), and the realistic MSP dataset
//! they serve. The `steward` binary builds them in for the demo and `steward psa-sim`; the
//! tests and benches run them in-process. Nothing here is used to talk to a real PSA: the
//! connectors in `server::psa` share no code with the simulators, so where the two disagree a
//! test shows it.

pub mod autotask;
pub mod connectwise;
pub mod dataset;
pub mod faults;
pub mod halo;
pub mod store;

use axum::http::HeaderMap;

/// A new random secret (an access token handed out by a simulator).
pub(crate) fn new_token() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// `http://` and the host the client called: where a simulator's absolute links point.
pub(crate) fn origin(headers: &HeaderMap) -> String {
    format!(
        "http://{}",
        headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
    )
}
