//! The PSA side: ConnectWise Manage's wire format and connector, and a simulator that serves it.
//! Connectors hand the engine `crate::rules::records`.

pub mod connector;
pub mod connectwise;
pub mod simulator;
