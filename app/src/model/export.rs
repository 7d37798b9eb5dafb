//! Account > Export as the screen sees it.

use super::{JobId, JobState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An export job: its progress and, once done, its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportJob {
    pub id: JobId,
    pub state: JobState,
    pub started_by: Option<String>,
    /// Records written, of `total`.
    pub done: i64,
    pub total: i64,
    /// The ZIP's size once written.
    pub bytes: i64,
    #[serde(with = "crate::model::time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::model::time::rfc3339_option")]
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// It can be downloaded (written, and not past the retention period).
    pub available: bool,
}

impl ExportJob {
    pub fn finished(&self) -> bool {
        self.state.ended()
    }
}
