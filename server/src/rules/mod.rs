//! The PSA-neutral sync rules, below both the sync engine and the store: the records any PSA's
//! connector hands over (`records`), and what a run does to an item given its PSA record and its
//! local copy (`decide`). Data flows connector → engine → rules → store; nothing here calls up
//! into any of them.

pub mod decide;
pub mod records;
