//! ConnectWise Manage's REST API (v4_6_release/apis/3.0), as the real service speaks it.

pub mod client;
pub mod conditions;
pub mod model;
