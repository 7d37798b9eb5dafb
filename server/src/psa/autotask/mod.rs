//! Autotask (REST API v1.0): its query filter language (`filter`), the generated dataset in its
//! entities' shapes (`records`), the simulator that serves them (`simulator`), and the
//! connector (`client`, `connector`) that reads them behind `PsaConnector`.

pub mod client;
pub mod connector;
pub mod filter;
pub mod records;
pub mod simulator;
