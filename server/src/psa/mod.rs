//! The PSA side: ConnectWise Manage's wire format and connector, and a simulator that serves it;
//! Autotask's and HaloPSA's records, simulators and connectors.
//! Connectors hand the engine `crate::rules::records`.

pub mod autotask;
pub mod connector;
pub mod connectwise;
pub mod credentials;
pub mod halo;
pub mod listing;
pub mod net;
pub mod sim_store;
pub mod simulator;
