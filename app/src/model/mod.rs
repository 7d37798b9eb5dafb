//! Typed models shared by the server and the browser: ids, roles, sync states and the shapes
//! the screens and the JSON API exchange.

mod ids;
mod integration;
mod manage_data;
mod sync;
mod user;

pub use ids::*;
pub use integration::*;
pub use manage_data::*;
pub use sync::*;
pub use user::*;
mod items;
pub use items::*;
mod sync_run;
pub use sync_run::*;
mod preview;
pub use preview::*;
mod removal;
pub use removal::*;
mod export;
mod job;
pub use export::*;
pub use job::*;
mod feature;
pub use feature::*;
mod search;
pub use search::*;
pub mod time;
