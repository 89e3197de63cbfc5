//! The API's wire types, named as in the spec's `components.schemas`.
//!
//! Ids are the strings the server sends (UUIDs in practice). Counts that cannot be
//! negative (attempts, sequence numbers, sizes, seconds) are unsigned. Answers are read
//! strictly: a field the spec requires is required here too. Request bodies leave out
//! what is `None`, so the server applies its defaults.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The value as the API writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Where a job is in its life.
    JobStatus {
        Pending = "PENDING",
        Queued = "QUEUED",
        Running = "RUNNING",
        Paused = "PAUSED",
        Suspended = "SUSPENDED",
        Completed = "COMPLETED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
    }
);

wire_enum!(
    /// Why a finished job did not succeed.
    FailureKind {
        Error = "error",
        Timeout = "timeout",
        LeaseExpired = "lease_expired",
        MaxAttempts = "max_attempts",
        Cancelled = "cancelled",
        Rejected = "rejected",
        SuspendTimeout = "suspend_timeout",
        ApprovalTimeout = "approval_timeout",
    }
);

wire_enum!(
    /// Where an agent task is in its life.
    TaskStatus {
        Active = "active",
        Paused = "paused",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

wire_enum!(
    /// How a task was paused: by a user, or automatically when idle.
    PauseKind {
        Manual = "manual",
        Auto = "auto",
    }
);

wire_enum!(
    /// How a task ends when a user completes it.
    TaskOutcome {
        Completed = "completed",
        Failed = "failed",
    }
);

wire_enum!(
    /// A member's role in a workspace.
    Role {
        Owner = "owner",
        Admin = "admin",
        Member = "member",
        Viewer = "viewer",
    }
);

wire_enum!(
    /// Which output a log line came from.
    LogStream {
        Stdout = "stdout",
        Stderr = "stderr",
        System = "system",
    }
);

wire_enum!(
    /// Where in a job a step runs.
    StepPhase {
        Setup = "SETUP",
        Execution = "EXECUTION",
        Validation = "VALIDATION",
        Cleanup = "CLEANUP",
    }
);

wire_enum!(
    /// What a step does.
    StepType {
        Command = "COMMAND",
        AiAction = "AI_ACTION",
        Gate = "GATE",
        Artifact = "ARTIFACT",
    }
);

wire_enum!(
    /// Where a step is.
    StepStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Waiting = "WAITING",
        Completed = "COMPLETED",
        Failed = "FAILED",
        Skipped = "SKIPPED",
    }
);

wire_enum!(
    /// What a workspace event is about.
    EventSource {
        Job = "job",
        Task = "task",
    }
);

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readiness {
    pub status: String,
    pub database: String,
    #[serde(default)]
    pub schema_version: Option<String>,
    pub expected_schema_version: String,
    /// Applied migrations that changed since they were applied, or are unknown.
    #[serde(default)]
    pub schema_problems: Vec<String>,
}

/// One page of a cursor-paged list (`JobList`, `RunnerList`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

// ---- workspaces and members ------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateWorkspace {
    pub name: String,
    pub slug: String,
}

/// Quotas, auto-pause and retention; `None` means no limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_pause_after_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_running_jobs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queued_jobs: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i64>,
    /// Values under keys matching this regular expression are shown as `"[redacted]"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redact_pattern: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub settings: WorkspaceSettings,
    /// The caller's role in it.
    pub role: Option<Role>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub type WorkspaceList = Page<Workspace>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddMember {
    pub subject: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub subject: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

pub type MemberList = Page<Member>;

// ---- runners ----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterRunner {
    pub name: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runner {
    pub id: String,
    pub name: String,
    pub labels: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub last_seen_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

pub type RunnerList = Page<Runner>;

/// A new runner and its token, which is shown only this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerRegistered {
    pub runner: Runner,
    pub token: String,
}

// ---- jobs -------------------------------------------------------------------------------

/// `POST .../runner-jobs`: only `type` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateJob {
    #[serde(rename = "type")]
    pub job_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_after: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_approval: Option<bool>,
    /// How long an approval may take once the job waits for one (1 s to 30 days); past
    /// it the job fails (`approval_timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_timeout_seconds: Option<i64>,
    /// `{"NAME": "value"}`: given only to the claiming runner, never shown to users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<Value>,
}

impl CreateJob {
    /// A job of `job_type` with `payload` and every other setting left to the server.
    pub fn new(job_type: impl Into<String>, payload: Value) -> Self {
        Self {
            job_type: job_type.into(),
            payload: Some(payload),
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateJobBatch {
    pub jobs: Vec<CreateJob>,
}

/// Which runner holds a job, and until when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lease {
    pub runner_id: String,
    pub expires_at: DateTime<Utc>,
}

/// A job as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub workspace_id: String,
    #[serde(default)]
    pub agent_task_id: Option<String>,
    #[serde(rename = "type")]
    pub job_type: String,
    pub payload: Value,
    pub labels: Vec<String>,
    pub priority: i16,
    pub status: JobStatus,
    pub requires_approval: bool,
    pub attempt: u32,
    pub max_attempts: u32,
    pub run_after: DateTime<Utc>,
    pub timeout_seconds: u32,
    pub backoff_seconds: u32,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    #[serde(default)]
    pub lease: Option<Lease>,
    #[serde(default)]
    pub cancel_requested_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub pause_requested_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub progress: Option<Value>,
    #[serde(default)]
    pub result: Option<Value>,
    #[serde(default)]
    pub error: Option<Value>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// Why a finished job did not succeed.
    #[serde(default)]
    pub failure_kind: Option<FailureKind>,
    /// Who asked for a cancel, and why.
    #[serde(default)]
    pub cancelled_by: Option<String>,
    #[serde(default)]
    pub cancel_reason: Option<String>,
    /// While `SUSPENDED`: when it is queued again, and when it fails instead.
    #[serde(default)]
    pub next_poll_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub max_wait_until: Option<DateTime<Utc>>,
    /// Attempts that ended in a suspend (not counted against `max_attempts`).
    #[serde(default)]
    pub suspensions: u32,
    /// How long an approval may take once the job waits for one.
    #[serde(default)]
    pub approval_timeout_seconds: Option<u32>,
    /// While it waits for an approval with a timeout: when the system rejects it.
    #[serde(default)]
    pub approval_deadline: Option<DateTime<Utc>>,
}

/// Why a job is cancelled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CancelJob {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub type JobList = Page<Job>;

/// The answer to a batch enqueue, in the order of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobBatch {
    pub items: Vec<Job>,
}

/// A job with its steps and its first events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDetail {
    #[serde(flatten)]
    pub job: Job,
    pub steps: Vec<Step>,
    /// Its model calls when it has any, else what its steps reported.
    pub usage: Usage,
    pub events: Vec<JobEvent>,
    #[serde(default)]
    pub events_next_cursor: Option<String>,
    /// Every approval decision on the job, oldest first.
    #[serde(default)]
    pub approvals: Vec<Approval>,
}

/// An approval decision on a job or one of its gate steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub id: String,
    #[serde(default)]
    pub step_id: Option<String>,
    #[serde(default)]
    pub step_ordinal: Option<u32>,
    /// `approved` or `rejected`.
    pub decision: String,
    pub decided_by: String,
    #[serde(default)]
    pub comment: Option<String>,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: String,
    /// The attempt it belongs to.
    #[serde(default)]
    pub attempt: u32,
    pub ordinal: u32,
    pub name: String,
    pub phase: String,
    #[serde(rename = "type")]
    pub step_type: String,
    pub status: String,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    pub input_tokens: Option<i64>,
    #[serde(default)]
    pub output_tokens: Option<i64>,
    #[serde(default)]
    pub cost: Option<f64>,
    #[serde(default)]
    pub output: Option<Value>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEvent {
    pub id: String,
    pub job_id: String,
    pub seq: u64,
    #[serde(default)]
    pub step_id: Option<String>,
    #[serde(rename = "type")]
    pub event_type: String,
    pub actor: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

pub type JobEventList = Page<JobEvent>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApprovalDecision {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A stored log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    pub attempt: u32,
    pub stream: LogStream,
    pub body: String,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub step_ordinal: Option<u32>,
    #[serde(default)]
    pub metadata: Option<Value>,
    pub created_at: DateTime<Utc>,
}

pub type LogList = Page<LogEntry>;

/// One item of a log stream: an `entry`, or a control event (`end`, ...) without one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogStreamItem {
    pub event: String,
    #[serde(default)]
    pub entry: Option<LogEntry>,
}

/// An artifact's description (its content is fetched separately).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    pub name: String,
    pub attempt: u32,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    /// `uploaded`, or `skipped` (declared but not produced).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub skip_reason: Option<String>,
    #[serde(default)]
    pub step_ordinal: Option<u32>,
    #[serde(default)]
    pub metadata: Option<Value>,
    pub created_at: DateTime<Utc>,
}

/// An artifact a job declared but did not produce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkipArtifact {
    pub attempt: u32,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_ordinal: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

pub type ArtifactList = Page<Artifact>;

// ---- agent tasks ------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTask {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentTask {
    pub id: String,
    pub workspace_id: String,
    pub title: String,
    pub status: TaskStatus,
    pub metadata: Value,
    pub last_activity_at: DateTime<Utc>,
    #[serde(default)]
    pub pause_requested_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub pause_kind: Option<PauseKind>,
    #[serde(default)]
    pub pause_reason: Option<String>,
    #[serde(default)]
    pub paused_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub type TaskList = Page<AgentTask>;

/// A task with its jobs and, when paused, what its snapshot is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDetail {
    pub task: AgentTask,
    pub jobs: Vec<Job>,
    #[serde(default)]
    pub snapshot: Option<SnapshotInfo>,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    #[serde(default)]
    pub job_id: Option<String>,
    pub kind: PauseKind,
    #[serde(default)]
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSnapshot {
    pub task_id: String,
    #[serde(default)]
    pub job_id: Option<String>,
    pub kind: PauseKind,
    #[serde(default)]
    pub reason: Option<String>,
    pub log_snapshot: Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEvent {
    pub id: String,
    pub task_id: String,
    pub seq: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub actor: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

pub type TaskEventList = Page<TaskEvent>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PauseTask {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompleteTask {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskOutcome>,
}

// ---- the workspace feed -----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceEvent {
    pub cursor: String,
    pub source: EventSource,
    pub id: String,
    #[serde(default)]
    pub job_id: Option<String>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub step_id: Option<String>,
    pub seq: u64,
    #[serde(rename = "type")]
    pub event_type: String,
    pub actor: String,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceEventList {
    pub items: Vec<WorkspaceEvent>,
    pub next_cursor: String,
    pub has_more: bool,
}

// ---- the runner protocol ----------------------------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_jobs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u32>,
}

/// A job handed to a runner by `claim`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimedJob {
    pub id: String,
    pub workspace_id: String,
    #[serde(rename = "type")]
    pub job_type: String,
    pub payload: Value,
    pub labels: Vec<String>,
    pub priority: i16,
    pub attempt: u32,
    pub max_attempts: u32,
    pub timeout_seconds: u32,
    pub lease_expires_at: DateTime<Utc>,
    #[serde(default)]
    pub agent_task_id: Option<String>,
    /// What an earlier, paused run of the job's task handed back.
    #[serde(default)]
    pub resume_snapshot: Option<Value>,
    /// What the job's runner handed back at its latest suspend.
    #[serde(default)]
    pub suspended_state: Option<Value>,
    /// Where this run's log numbering starts (after what earlier runs wrote).
    pub next_log_seq: u64,
    /// The job's secrets (`{"NAME": "value"}`), for this runner only.
    #[serde(default)]
    pub secrets: Option<Value>,
    /// The workspace's pattern for secret-looking keys: values under them are to be
    /// masked in output, like `secrets`.
    #[serde(default)]
    pub redact_pattern: Option<String>,
    /// The W3C trace context of the request that enqueued the job, to pass on.
    #[serde(default)]
    pub traceparent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimResponse {
    pub jobs: Vec<ClaimedJob>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatRequest {
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Value>,
}

/// The answer to a heartbeat: the new lease, and whether to stop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatResponse {
    pub lease_expires_at: DateTime<Utc>,
    pub cancel_requested: bool,
    pub pause_requested: bool,
    /// Commands this attempt has not been handed yet, in seq order.
    #[serde(default)]
    pub commands: Vec<Command>,
}

wire_enum!(
    /// Where a command sent to a job is.
    CommandStatus {
        Pending = "pending",
        Delivered = "delivered",
        Acked = "acked",
        Expired = "expired",
    }
);

/// A command sent to a job; `seq` is gap-free per job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Command {
    pub seq: u64,
    #[serde(rename = "type")]
    pub command_type: String,
    pub payload: Value,
    pub status: CommandStatus,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub delivered_attempt: Option<u32>,
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub acked_attempt: Option<u32>,
    #[serde(default)]
    pub acked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub result: Option<Value>,
}

pub type CommandList = Page<Command>;

/// Send a command to a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendCommand {
    #[serde(rename = "type")]
    pub command_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}

/// A runner's acknowledgement of a command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckCommand {
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

/// Suspend a job until a poll time (give `poll_after_seconds` or `until`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SuspendRequest {
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_after_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_wait_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Value>,
}

/// A numbered log line, as a runner sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntryIn {
    pub seq: u64,
    pub stream: LogStream,
    pub body: String,
    /// `debug`, `info`, `warn` or `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The step the line belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_ordinal: Option<u32>,
    /// A JSON object kept with the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogBatch {
    pub attempt: u32,
    pub entries: Vec<LogEntryIn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsAccepted {
    pub accepted: u64,
    pub duplicates: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReportIn {
    pub attempt: u32,
    pub name: String,
    pub phase: StepPhase,
    #[serde(rename = "type")]
    pub step_type: StepType,
    pub status: StepStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompleteRequest {
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailRequest {
    pub attempt: u32,
    pub error: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retryable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseRequest {
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PausedRequest {
    pub attempt: u32,
    pub snapshot: Value,
}

/// One job of a batch completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompleteItem {
    pub id: String,
    pub attempt: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchComplete {
    pub jobs: Vec<CompleteItem>,
}

/// How one job of a batch completion fared; `code` says why when it was refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionResult {
    pub id: String,
    pub ok: bool,
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCompleteResult {
    pub results: Vec<CompletionResult>,
}

wire_enum!(
    /// How a model call ended.
    AiCallStatus {
        Ok = "ok",
        Error = "error",
    }
);

wire_enum!(
    /// What the workspace usage roll-up groups by.
    UsageGroupBy {
        Model = "model",
        Provider = "provider",
        Type = "type",
        Task = "task",
        Day = "day",
    }
);

/// One model call, as a runner reports it. `cost_usd` is a decimal string (`"0.004250"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiCallIn {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_ordinal: Option<u32>,
    pub provider: String,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cached_tokens: Option<u64>,
    pub cost_usd: String,
    pub latency_ms: u64,
    pub status: AiCallStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiCallBatch {
    pub attempt: u32,
    pub calls: Vec<AiCallIn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiCallsAccepted {
    pub accepted: u64,
    pub duplicates: u64,
}

/// A recorded model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AiCall {
    pub id: String,
    pub job_id: String,
    pub attempt: u32,
    #[serde(default)]
    pub step_ordinal: Option<u32>,
    pub provider: String,
    pub model: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
    #[serde(default)]
    pub cached_tokens: Option<u64>,
    pub cost_usd: String,
    pub latency_ms: u64,
    pub status: AiCallStatus,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub batch_id: Option<String>,
    pub started_at: DateTime<Utc>,
    #[serde(default)]
    pub metadata: Option<Value>,
    pub created_at: DateTime<Utc>,
}

pub type AiCallList = Page<AiCall>;

/// What a job, a task, a group or a workspace used; `cost_usd` is a decimal string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub ai_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: String,
}

/// One group of the workspace roll-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageItem {
    #[serde(default)]
    pub group: Option<String>,
    #[serde(default)]
    pub subgroup: Option<String>,
    pub ai_calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    pub group_by: UsageGroupBy,
    #[serde(default)]
    pub then_by: Option<UsageGroupBy>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub items: Vec<UsageItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: JobStatus,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunnerLoad {
    pub runner_id: String,
    pub name: String,
    pub running: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteThroughput {
    pub minute: DateTime<Utc>,
    pub completed: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub samples: u64,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub p95_ms: Option<f64>,
}

/// A workspace's queue at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceStats {
    pub at: DateTime<Utc>,
    pub counts: Vec<StatusCount>,
    #[serde(default)]
    pub oldest_queued_seconds: Option<f64>,
    pub running_by_runner: Vec<RunnerLoad>,
    pub throughput: Vec<MinuteThroughput>,
    pub queue_wait: Percentiles,
    pub run_time: Percentiles,
}
