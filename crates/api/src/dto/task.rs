//! Agent tasks, their snapshots and events.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use super::Job;
use super::Text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum TaskStatus {
    Active,
    Paused,
    Completed,
    Failed,
    Cancelled,
}

impl From<runyard_domain::TaskStatus> for TaskStatus {
    fn from(s: runyard_domain::TaskStatus) -> Self {
        use runyard_domain::TaskStatus as D;
        match s {
            D::Active => Self::Active,
            D::Paused => Self::Paused,
            D::Completed => Self::Completed,
            D::Failed => Self::Failed,
            D::Cancelled => Self::Cancelled,
        }
    }
}

/// Who paused a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum PauseKind {
    Manual,
    Auto,
}

impl From<runyard_domain::PauseKind> for PauseKind {
    fn from(k: runyard_domain::PauseKind) -> Self {
        match k {
            runyard_domain::PauseKind::Manual => Self::Manual,
            runyard_domain::PauseKind::Auto => Self::Auto,
        }
    }
}

/// Create an agent task: a long-lived piece of work whose jobs can be paused into a
/// snapshot and resumed.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateTask {
    /// 1–200 characters.
    pub title: Text,
    /// Free-form JSON object kept with the task.
    pub metadata: Option<serde_json::Value>,
}

#[derive(Object)]
pub struct AgentTask {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub title: String,
    pub status: TaskStatus,
    pub metadata: serde_json::Value,
    /// When the task last did something (created, got a job, resumed).
    pub last_activity_at: DateTime<Utc>,
    /// Set while a pause waits for running jobs to hand back their snapshots.
    pub pause_requested_at: Option<DateTime<Utc>>,
    /// How the current (or pending) pause came about.
    pub pause_kind: Option<PauseKind>,
    pub pause_reason: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AgentTask {
    /// The task as users see it: values under secret-looking keys redacted.
    pub fn new(t: runyard_persistence::TaskRecord, redactor: &runyard_domain::Redactor) -> Self {
        Self {
            id: t.id,
            workspace_id: t.workspace_id,
            title: t.title,
            status: t.status.into(),
            metadata: runyard_domain::redact(t.metadata, redactor),
            last_activity_at: t.last_activity_at,
            pause_requested_at: t.pause_requested_at,
            pause_kind: t.pause_kind.map(Into::into),
            pause_reason: t.pause_reason,
            paused_at: t.paused_at,
            finished_at: t.finished_at,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Object)]
pub struct TaskList {
    pub items: Vec<AgentTask>,
    pub next_cursor: Option<String>,
}

/// A snapshot's description, without its content.
#[derive(Object)]
pub struct SnapshotInfo {
    /// The job that handed it back (null once that job is deleted by retention).
    pub job_id: Option<Uuid>,
    pub kind: PauseKind,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<runyard_persistence::SnapshotMeta> for SnapshotInfo {
    fn from(m: runyard_persistence::SnapshotMeta) -> Self {
        Self {
            job_id: m.job_id,
            kind: m.kind.into(),
            reason: m.reason,
            created_at: m.created_at,
        }
    }
}

/// A task with its newest jobs and its snapshot's description.
#[derive(Object)]
pub struct TaskDetail {
    pub task: AgentTask,
    /// Up to 100 of the task's jobs, newest first (list all with
    /// `GET .../runner-jobs?agent_task_id=`).
    pub jobs: Vec<Job>,
    pub snapshot: Option<SnapshotInfo>,
    /// What all of the task's jobs used (each job: its model calls when it has any, else
    /// what its steps reported).
    pub usage: super::Usage,
}

/// The task's latest snapshot: what its paused job handed back.
#[derive(Object)]
pub struct TaskSnapshot {
    pub task_id: Uuid,
    pub job_id: Option<Uuid>,
    pub kind: PauseKind,
    pub reason: Option<String>,
    pub log_snapshot: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl TaskSnapshot {
    /// The snapshot as users see it: values under secret-looking keys redacted.
    pub fn new(
        s: runyard_persistence::SnapshotRecord,
        redactor: &runyard_domain::Redactor,
    ) -> Self {
        Self {
            task_id: s.task_id,
            job_id: s.meta.job_id,
            kind: s.meta.kind.into(),
            reason: s.meta.reason,
            log_snapshot: runyard_domain::redact(s.log_snapshot, redactor),
            created_at: s.meta.created_at,
        }
    }
}

/// Pause a task.
#[derive(Object, Default)]
#[oai(deny_unknown_fields)]
pub struct PauseTask {
    /// Why; kept with the snapshot and in the events.
    pub reason: Option<Text>,
}

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum TaskOutcome {
    Completed,
    Failed,
}

/// Finish a task.
#[derive(Object, Default)]
#[oai(deny_unknown_fields)]
pub struct CompleteTask {
    /// `completed` (default) or `failed`.
    pub status: Option<TaskOutcome>,
}

#[derive(Object)]
pub struct TaskEvent {
    pub id: Uuid,
    pub task_id: Uuid,
    /// Per task, gap-free, from 1.
    pub seq: i64,
    #[oai(rename = "type")]
    pub event_type: String,
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl TaskEvent {
    /// The event as users see it: values under secret-looking keys redacted.
    pub fn new(
        e: runyard_persistence::TaskEventRecord,
        redactor: &runyard_domain::Redactor,
    ) -> Self {
        Self {
            id: e.id,
            task_id: e.task_id,
            seq: e.seq,
            event_type: e.event_type,
            actor: e.actor,
            payload: runyard_domain::redact(e.payload, redactor),
            created_at: e.created_at,
        }
    }
}

#[derive(Object)]
pub struct TaskEventList {
    pub items: Vec<TaskEvent>,
    pub next_cursor: Option<String>,
}
