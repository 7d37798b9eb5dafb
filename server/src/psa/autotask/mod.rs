//! Autotask (REST API v1.0): the connector (`client`, `connector`) that reads it behind
//! `PsaConnector`. Its simulator is `sim::autotask`.

pub mod client;
pub mod connector;
