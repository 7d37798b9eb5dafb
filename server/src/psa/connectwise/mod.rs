//! ConnectWise Manage's REST API (`/{codebase}apis/3.0`), as the real service speaks it: the
//! client, the conditions language, the wire records, and the connector built on them.

pub mod client;
pub mod connector;
pub mod model;

pub use connector::ConnectWise;
