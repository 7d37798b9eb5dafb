//! HaloPSA: the connector (`client`, `connector`) that reads it behind `PsaConnector`, with
//! OAuth2 client credentials and hosted Halo's rolling request limit. Its simulator is
//! `sim::halo`.

pub mod client;
pub mod connector;
