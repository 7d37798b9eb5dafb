//! Steward's server: configuration, the database and its repository, the dataset generator and
//! fixture loader, the services `app` calls through context, and the HTTP layer.

pub mod auth;
pub mod bootstrap;
pub mod config;
pub mod dataset;
pub mod db;
pub mod export;
pub mod feed;
pub mod http;
pub mod operator;
pub mod psa;
pub mod repo;
pub mod rules;
pub mod secrets;
pub mod services;
pub mod startup;
pub mod sync;
pub mod worker;

/// mimalloc for the whole process: under a sync's many small JSON values glibc's malloc spent
/// about a fifth of the CPU (much of it merging and unlinking free chunks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
