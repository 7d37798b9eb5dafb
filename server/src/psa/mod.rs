//! The PSA side: ConnectWise Manage's wire format and connector, and a simulator that serves it;
//! Autotask's query language, records and simulator (its connector is to come).
//! Connectors hand the engine `crate::rules::records`.

pub mod autotask;
pub mod connector;
pub mod connectwise;
pub mod simulator;
