//! Long operations as every screen follows them: the job and sync run ids, a job's state, and
//! the events of the one live stream (`/api/v1/events`) that reports them all.

use super::{ExportJob, IntegrationId, RemovalJob, RestoreJob, SyncRun};
use serde::{Deserialize, Serialize};

/// A queued job (a removal, a restore, an export): its row in the job table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

/// A sync run of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a job is: waiting for a worker, being worked, or ended one of three ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
    ];

    /// As stored and sent: `queued`, `running`, `succeeded`, `failed`, `cancelled`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|j| j.as_str() == s)
    }

    /// It has ended: nothing about it changes any more.
    pub fn ended(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event of the live job stream: a job or sync run of the signed-in user's account, as its
/// page shows it, each time its state or progress changes. The stream's event name is the
/// variant's (`removal`, `restore`, `export`, `sync`), its data the job as JSON. A user gets
/// only what the pages they may open show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "job", rename_all = "lowercase")]
pub enum JobEvent {
    Removal(RemovalJob),
    Restore(RestoreJob),
    Export(ExportJob),
    /// A sync run of `integration`.
    Sync {
        integration: IntegrationId,
        run: SyncRun,
    },
}

impl JobEvent {
    /// The stream's event name.
    pub fn name(&self) -> &'static str {
        match self {
            JobEvent::Removal(_) => "removal",
            JobEvent::Restore(_) => "restore",
            JobEvent::Export(_) => "export",
            JobEvent::Sync { .. } => "sync",
        }
    }
}
