//! HaloPSA: the generated dataset in its entities' shapes (`records`), the simulator that serves
//! them with OAuth2 client credentials (`simulator`), and the connector (`client`, `connector`)
//! that reads them behind `PsaConnector`.

pub mod client;
pub mod connector;
pub mod records;
pub mod simulator;
