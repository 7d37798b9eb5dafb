//! Autotask (REST API v1.0): its query filter language (`filter`), the generated dataset in its
//! entities' shapes (`records`), and the simulator that serves them (`simulator`).

pub mod filter;
pub mod records;
pub mod simulator;
