//! Plain records handed to the layer above. SeaORM row types stay in this crate.

use runyard_domain::{CommandStatus, FailureKind, JobStatus, PauseKind, Role, TaskStatus};
use uuid::Uuid;

use crate::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceRecord {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub settings: serde_json::Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    pub subject: String,
    pub role: Role,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub agent_task_id: Option<Uuid>,
    pub job_type: String,
    pub payload: serde_json::Value,
    pub labels: Vec<String>,
    pub priority: i16,
    pub status: JobStatus,
    pub requires_approval: bool,
    pub attempt: i32,
    pub max_attempts: i32,
    pub run_after: Timestamp,
    pub timeout_seconds: i32,
    pub backoff_seconds: i32,
    pub idempotency_key: Option<String>,
    pub lease_runner_id: Option<Uuid>,
    pub lease_expires_at: Option<Timestamp>,
    pub cancel_requested_at: Option<Timestamp>,
    pub pause_requested_at: Option<Timestamp>,
    pub progress: Option<serde_json::Value>,
    pub result: Option<serde_json::Value>,
    pub error: Option<serde_json::Value>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    /// Why a finished job did not succeed.
    pub failure_kind: Option<FailureKind>,
    /// Who asked for a cancel, and why.
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// While `SUSPENDED`: when it is polled again, and when it fails instead.
    pub next_poll_at: Option<Timestamp>,
    pub max_wait_until: Option<Timestamp>,
    /// Attempts ended by a suspend, not counted against `max_attempts`.
    pub suspensions: i32,
    /// How long an approval may take once the job waits for one.
    pub approval_timeout_seconds: Option<i32>,
    /// While it waits for an approval with a timeout: when the system rejects it.
    pub approval_deadline: Option<Timestamp>,
    /// The W3C trace context of the request that enqueued it.
    pub traceparent: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    pub id: Uuid,
    /// The attempt it belongs to.
    pub attempt: i32,
    pub ordinal: i32,
    pub name: String,
    pub phase: String,
    pub step_type: String,
    pub status: String,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub duration_ms: Option<i64>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub cost: Option<f64>,
    pub output: Option<serde_json::Value>,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub id: Uuid,
    pub job_id: Uuid,
    pub seq: i64,
    pub step_id: Option<Uuid>,
    pub event_type: String,
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunnerRecord {
    pub id: Uuid,
    pub name: String,
    pub labels: Vec<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub last_seen_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A job as handed to the runner that claimed it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub job_type: String,
    pub payload: serde_json::Value,
    pub labels: Vec<String>,
    pub priority: i16,
    pub attempt: i32,
    pub max_attempts: i32,
    pub timeout_seconds: i32,
    pub lease_expires_at: Timestamp,
    pub agent_task_id: Option<Uuid>,
    /// The task's snapshot, when this job was re-queued by a resume.
    pub resume_snapshot: Option<serde_json::Value>,
    /// The state the runner handed back at the job's latest suspend.
    pub suspended_state: Option<serde_json::Value>,
    /// One past the highest log seq the job has: where this attempt's lines start.
    pub next_log_seq: i64,
    /// The secrets given on create (`{"NAME": "value"}`), for this runner only.
    pub secrets: Option<serde_json::Value>,
    /// The W3C trace context of the request that enqueued it.
    pub traceparent: Option<String>,
    /// Seconds from becoming claimable (its `run_after`) to this claim.
    pub queue_wait_seconds: f64,
}

/// What a heartbeat tells the runner.
#[derive(Debug, Clone, PartialEq)]
pub struct Heartbeat {
    pub lease_expires_at: Timestamp,
    pub cancel_requested: bool,
    pub pause_requested: bool,
}

/// A command sent to a job.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandRecord {
    pub job_id: Uuid,
    pub seq: i64,
    pub command_type: String,
    pub payload: serde_json::Value,
    pub status: CommandStatus,
    pub created_by: String,
    pub created_at: Timestamp,
    pub delivered_attempt: Option<i32>,
    pub delivered_at: Option<Timestamp>,
    pub acked_attempt: Option<i32>,
    pub acked_at: Option<Timestamp>,
    pub result: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub seq: i64,
    pub attempt: i32,
    pub stream: String,
    pub body: String,
    pub level: Option<String>,
    pub step_ordinal: Option<i32>,
    pub metadata: Option<serde_json::Value>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactRecord {
    pub name: String,
    pub attempt: i32,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// `uploaded`, or `skipped` (declared but not produced; no content).
    pub status: String,
    pub skip_reason: Option<String>,
    pub step_ordinal: Option<i32>,
    pub metadata: Option<serde_json::Value>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub title: String,
    pub status: TaskStatus,
    pub metadata: serde_json::Value,
    pub last_activity_at: Timestamp,
    pub pause_requested_at: Option<Timestamp>,
    pub pause_kind: Option<PauseKind>,
    pub pause_reason: Option<String>,
    pub paused_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A task's snapshot, without its content.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotMeta {
    pub job_id: Option<Uuid>,
    pub kind: PauseKind,
    pub reason: Option<String>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRecord {
    pub task_id: Uuid,
    pub meta: SnapshotMeta,
    pub log_snapshot: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskEventRecord {
    pub id: Uuid,
    pub task_id: Uuid,
    pub seq: i64,
    pub event_type: String,
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
}
