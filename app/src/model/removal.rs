//! Queued removals as the screens see them.

use super::ItemKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What deleting a row's orphans takes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalImpact {
    pub kind: ItemKind,
    pub items: i64,
    /// For organizations: (kind of record, how many) of everything inside them.
    pub children: Vec<(String, i64)>,
    /// Organizations flagged "had data before the first sync": name and what they hold.
    pub had_data: Vec<(String, String)>,
}

/// A removal job and its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovalJob {
    pub id: i64,
    /// queued, running, succeeded, failed, cancelled.
    pub state: String,
    pub done: i64,
    pub total: i64,
    pub deleted: i64,
    pub skipped: i64,
    pub created_at: DateTime<Utc>,
    /// Milliseconds since it was queued, by the server's clock (for rate and ETA).
    pub elapsed_ms: i64,
    pub error: Option<String>,
}

impl RemovalJob {
    pub fn finished(&self) -> bool {
        matches!(self.state.as_str(), "succeeded" | "failed" | "cancelled")
    }
}
