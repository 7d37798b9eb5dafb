//! The generated MSP dataset (`sim::dataset`, which the simulators serve) and its loader into
//! Steward's database, for the demo, the tests and the benches.

pub mod loader;

pub use sim::dataset::*;
