//! The PSA side: ConnectWise Manage's wire format and a simulator that serves it.

pub mod connectwise;
pub mod simulator;
