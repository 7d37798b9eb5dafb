//! The PSA side: ConnectWise Manage's wire format, shared by the simulator and the connector.

pub mod connectwise;
