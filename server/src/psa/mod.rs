//! The PSA side: PSA-neutral records, ConnectWise Manage's wire format and connector, and a
//! simulator that serves it.

pub mod connector;
pub mod connectwise;
pub mod records;
pub mod simulator;
