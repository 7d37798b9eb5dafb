//! Sync runs, their events, and an integration's sync settings, as the server reports them.

use super::{CatalogCategory, CatalogValueId, ItemKind, OrphanReason, RunId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A full run lists everything and may orphan; an incremental one fetches what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    Full,
    Incremental,
}

impl SyncMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncMode::Full => "full",
            SyncMode::Incremental => "incremental",
        }
    }

    pub fn parse(s: &str) -> Option<SyncMode> {
        match s {
            "full" => Some(SyncMode::Full),
            "incremental" => Some(SyncMode::Incremental),
            _ => None,
        }
    }
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncTrigger {
    Schedule,
    Manual,
    /// Data loaded by `steward load` or the demo, as if synced.
    Fixture,
}

impl SyncTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncTrigger::Schedule => "schedule",
            SyncTrigger::Manual => "manual",
            SyncTrigger::Fixture => "fixture",
        }
    }

    pub fn parse(s: &str) -> Option<SyncTrigger> {
        match s {
            "schedule" => Some(SyncTrigger::Schedule),
            "manual" => Some(SyncTrigger::Manual),
            "fixture" => Some(SyncTrigger::Fixture),
            _ => None,
        }
    }
}

/// How a run ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    Running,
    Succeeded,
    Failed,
}

impl SyncOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncOutcome::Running => "running",
            SyncOutcome::Succeeded => "succeeded",
            SyncOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<SyncOutcome> {
        match s {
            "running" => Some(SyncOutcome::Running),
            "succeeded" => Some(SyncOutcome::Succeeded),
            "failed" => Some(SyncOutcome::Failed),
            _ => None,
        }
    }
}

/// What a run did to Steward's items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCounts {
    pub created: i64,
    pub updated: i64,
    pub orphaned: i64,
    pub unchanged: i64,
    pub failed: i64,
}

/// One sync run: the log entry of rule 8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRun {
    pub id: RunId,
    pub mode: SyncMode,
    pub trigger: SyncTrigger,
    pub outcome: SyncOutcome,
    /// For a failed run: what went wrong, with the PSA's own message.
    pub error_message: Option<String>,
    pub counts: SyncCounts,
    /// While running: the PSA records listed so far (its progress).
    pub listed: i64,
    #[serde(with = "crate::model::time::rfc3339")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub finished_at: Option<DateTime<Utc>>,
}

/// A run's outcome as people read it: a run that ended with records it could not sync did not
/// succeed, it "completed with 18 errors".
pub fn outcome_words(outcome: SyncOutcome, failed: i64) -> String {
    match (outcome, failed) {
        (SyncOutcome::Running, _) => "Running".into(),
        (SyncOutcome::Succeeded, 0) => "Succeeded".into(),
        (SyncOutcome::Succeeded, 1) => "Completed with 1 error".into(),
        (SyncOutcome::Succeeded, n) => {
            format!("Completed with {} errors", crate::components::fmt_count(n))
        }
        (SyncOutcome::Failed, _) => "Failed".into(),
    }
}

impl SyncRun {
    /// "succeeded", "running"... as the screens say it.
    pub fn outcome_label(&self) -> String {
        outcome_words(self.outcome, self.counts.failed)
    }

    /// Seconds from start to end (or to now while running is unknown here: None).
    pub fn duration_seconds(&self) -> Option<i64> {
        self.finished_at
            .map(|f| (f - self.started_at).num_milliseconds().max(0) / 1000)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventLevel {
    Info,
    Warning,
    Error,
}

impl EventLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            EventLevel::Info => "info",
            EventLevel::Warning => "warning",
            EventLevel::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<EventLevel> {
        match s {
            "info" => Some(EventLevel::Info),
            "warning" => Some(EventLevel::Warning),
            "error" => Some(EventLevel::Error),
            _ => None,
        }
    }
}

/// Something a run did to one item (or to the run as a whole when `kind` is None), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEvent {
    pub level: EventLevel,
    pub kind: Option<ItemKind>,
    pub item_id: Option<i64>,
    pub psa_id: Option<i64>,
    pub reason: Option<OrphanReason>,
    pub message: String,
    #[serde(with = "crate::model::time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

/// One checkbox of the sync settings: a PSA type or status, "Sync Active" when checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogSetting {
    pub id: CatalogValueId,
    pub category: CatalogCategory,
    pub psa_id: i64,
    pub name: String,
    pub sync_enabled: bool,
}

/// An integration's sync settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettings {
    /// The contacts switch: off, contacts are neither listed nor changed.
    pub sync_contacts: bool,
    /// Minutes between scheduled runs.
    pub schedule_minutes: i64,
    pub values: Vec<CatalogSetting>,
    /// Sync rule 1b: a full sync holds its new "deleted in PSA" orphans of a kind for an
    /// Administrator when they are more than this share (%) of the linked items of that kind…
    #[serde(default = "default_hold_percent")]
    pub hold_orphans_percent: i64,
    /// …and more than this many.
    #[serde(default = "default_hold_min")]
    pub hold_orphans_min: i64,
}

fn default_hold_percent() -> i64 {
    10
}

fn default_hold_min() -> i64 {
    20
}

/// A change of the sync settings; what is left out stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettingsChange {
    #[serde(default)]
    pub sync_contacts: Option<bool>,
    #[serde(default)]
    pub schedule_minutes: Option<i64>,
    #[serde(default)]
    pub hold_orphans_percent: Option<i64>,
    #[serde(default)]
    pub hold_orphans_min: Option<i64>,
    /// (catalog value, checked).
    #[serde(default)]
    pub values: Vec<(CatalogValueId, bool)>,
}

/// The answer to Start Manual Sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStarted {
    pub run_id: RunId,
    /// False when a run was already going: the request joined it instead of starting another.
    pub started: bool,
}

/// What a change of the sync settings will do at the next full sync, computed from the current
/// data (assuming the PSA does not change meanwhile).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSettingsEffect {
    /// Items that become orphans, per kind.
    pub orphaned: Vec<(ItemKind, i64)>,
    /// Orphans that start syncing again, per kind.
    pub resumed: Vec<(ItemKind, i64)>,
}

impl SyncSettingsEffect {
    pub fn is_empty(&self) -> bool {
        self.orphaned
            .iter()
            .chain(&self.resumed)
            .all(|(_, n)| *n == 0)
    }
}
