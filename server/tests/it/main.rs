//! Steward's integration tests, one binary: a module per area, sharing `common` (fresh
//! SQLite and PostgreSQL databases, the test app, fixtures).

#[macro_use]
mod common;

mod activity;
mod archive_migration;
mod autotask_connector;
mod autotask_simulator;
mod chosen;
mod cli;
mod connector;
mod contract;
mod crash;
mod export;
mod fuzz;
mod halo_connector;
mod halo_simulator;
mod http;
mod integrations_add;
mod jobs;
mod kept_counts;
mod nodes;
mod permissions;
mod psa_contract;
mod race;
mod removal_api;
mod removals;
mod restores;
mod row_actions;
mod safety;
mod security;
mod simulator;
mod sync;
mod third_party;
mod users;
