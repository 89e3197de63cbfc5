//! The JSON shapes of the API, converted by hand from the layers below.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};
use runyard_persistence::{EventRecord, JobRecord, MemberRecord, StepRecord, WorkspaceRecord};
use uuid::Uuid;

/// Service liveness.
#[derive(Object)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: String,
    pub version: String,
}

/// Readiness: whether the database answers and its schema is the one this server expects.
#[derive(Object)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: String,
    pub database: String,
    /// The newest migration applied to the database, if any.
    pub schema_version: Option<String>,
    /// The newest migration this server knows.
    pub expected_schema_version: String,
}

/// A member's role, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
    Viewer,
}

impl From<runyard_domain::Role> for Role {
    fn from(r: runyard_domain::Role) -> Self {
        match r {
            runyard_domain::Role::Owner => Self::Owner,
            runyard_domain::Role::Admin => Self::Admin,
            runyard_domain::Role::Member => Self::Member,
            runyard_domain::Role::Viewer => Self::Viewer,
        }
    }
}

impl From<Role> for runyard_domain::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Member => Self::Member,
            Role::Viewer => Self::Viewer,
        }
    }
}

/// Create a workspace; the caller becomes its owner.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateWorkspace {
    /// Display name.
    pub name: String,
    /// Unique, URL-safe: 3–63 of `a-z 0-9 -`, starting with a letter.
    pub slug: String,
}

#[derive(Object)]
pub struct Workspace {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub settings: WorkspaceSettings,
    /// The caller's role here.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Workspace {
    pub fn new(w: WorkspaceRecord, role: runyard_domain::Role) -> Self {
        Self {
            id: w.id,
            slug: w.slug,
            name: w.name,
            settings: runyard_domain::WorkspaceSettings::from_json(&w.settings).into(),
            role: role.into(),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Object)]
pub struct WorkspaceList {
    pub items: Vec<Workspace>,
    pub next_cursor: Option<String>,
}

/// Add a member.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AddMember {
    /// The member's JWT `sub`.
    pub subject: String,
    pub role: Role,
}

#[derive(Object)]
pub struct Member {
    pub subject: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl From<MemberRecord> for Member {
    fn from(m: MemberRecord) -> Self {
        Self {
            subject: m.subject,
            role: m.role.into(),
            created_at: m.created_at,
        }
    }
}

#[derive(Object)]
pub struct MemberList {
    pub items: Vec<Member>,
    pub next_cursor: Option<String>,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Pending,
    Queued,
    Running,
    Paused,
    Completed,
    Failed,
    Cancelled,
}

impl From<runyard_domain::JobStatus> for JobStatus {
    fn from(s: runyard_domain::JobStatus) -> Self {
        use runyard_domain::JobStatus as D;
        match s {
            D::Pending => Self::Pending,
            D::Queued => Self::Queued,
            D::Running => Self::Running,
            D::Paused => Self::Paused,
            D::Completed => Self::Completed,
            D::Failed => Self::Failed,
            D::Cancelled => Self::Cancelled,
        }
    }
}

/// A job to enqueue.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateJob {
    /// What kind of job: runners dispatch on it (e.g. `command`).
    #[oai(rename = "type")]
    pub job_type: String,
    /// Free-form input for the runner (default `{}`).
    pub payload: Option<serde_json::Value>,
    /// Higher runs first, -100..=100 (default 0).
    pub priority: Option<i64>,
    /// Only runners with all of these labels may claim the job.
    pub labels: Option<Vec<String>>,
    /// Attempts before the job fails for good, 1..=100 (default 3).
    pub max_attempts: Option<i64>,
    /// Do not run before this time.
    pub run_after: Option<DateTime<Utc>>,
    /// Time allowed for one attempt (default 3600).
    pub timeout_seconds: Option<i64>,
    /// Base of the exponential backoff between attempts, 0–3600 s (default 10).
    pub backoff_seconds: Option<i64>,
    /// The agent task this job belongs to.
    pub agent_task_id: Option<Uuid>,
    /// Hold the job as `PENDING` until an admin approves it.
    pub requires_approval: Option<bool>,
}

impl CreateJob {
    pub fn parse(&self) -> Result<runyard_domain::NewJob, runyard_domain::ValidationError> {
        runyard_domain::NewJob::parse(runyard_domain::RawNewJob {
            job_type: &self.job_type,
            payload: self.payload.as_ref(),
            priority: self.priority,
            labels: self.labels.as_deref(),
            max_attempts: self.max_attempts,
            timeout_seconds: self.timeout_seconds,
            backoff_seconds: self.backoff_seconds,
            run_after_ms: self.run_after.map(|t| t.timestamp_millis()),
            agent_task_id: self.agent_task_id,
            requires_approval: self.requires_approval,
        })
    }
}

/// Many jobs to enqueue together: all or none.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateJobBatch {
    /// 1 to 1000 jobs.
    pub jobs: Vec<CreateJob>,
}

#[derive(Object)]
pub struct JobBatch {
    pub items: Vec<Job>,
}

/// The runner holding a job, and until when.
#[derive(Object)]
pub struct Lease {
    pub runner_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

#[derive(Object)]
pub struct Job {
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub agent_task_id: Option<Uuid>,
    #[oai(rename = "type")]
    pub job_type: String,
    pub payload: serde_json::Value,
    pub labels: Vec<String>,
    pub priority: i16,
    pub status: JobStatus,
    pub requires_approval: bool,
    /// Attempts started so far.
    pub attempt: i32,
    pub max_attempts: i32,
    pub run_after: DateTime<Utc>,
    pub timeout_seconds: i32,
    pub backoff_seconds: i32,
    pub idempotency_key: Option<String>,
    pub lease: Option<Lease>,
    pub cancel_requested_at: Option<DateTime<Utc>>,
    pub pause_requested_at: Option<DateTime<Utc>>,
    pub progress: Option<serde_json::Value>,
    pub result: Option<serde_json::Value>,
    pub error: Option<serde_json::Value>,
    /// Who created it: `user:<sub>`.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRecord> for Job {
    fn from(j: JobRecord) -> Self {
        let lease = match (j.lease_runner_id, j.lease_expires_at) {
            (Some(runner_id), Some(expires_at)) => Some(Lease {
                runner_id,
                expires_at,
            }),
            _ => None,
        };
        Self {
            id: j.id,
            workspace_id: j.workspace_id,
            agent_task_id: j.agent_task_id,
            job_type: j.job_type,
            payload: j.payload,
            labels: j.labels,
            priority: j.priority,
            status: j.status.into(),
            requires_approval: j.requires_approval,
            attempt: j.attempt,
            max_attempts: j.max_attempts,
            run_after: j.run_after,
            timeout_seconds: j.timeout_seconds,
            backoff_seconds: j.backoff_seconds,
            idempotency_key: j.idempotency_key,
            lease,
            cancel_requested_at: j.cancel_requested_at,
            pause_requested_at: j.pause_requested_at,
            progress: j.progress,
            result: j.result,
            error: j.error,
            created_by: j.created_by,
            created_at: j.created_at,
            updated_at: j.updated_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
        }
    }
}

#[derive(Object)]
pub struct JobList {
    pub items: Vec<Job>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Object)]
pub struct Step {
    pub id: Uuid,
    pub ordinal: i32,
    pub name: String,
    /// `SETUP`, `EXECUTION`, `VALIDATION` or `CLEANUP`.
    pub phase: String,
    /// `COMMAND`, `AI_ACTION`, `GATE` or `ARTIFACT`.
    #[oai(rename = "type")]
    pub step_type: String,
    /// `PENDING`, `RUNNING`, `COMPLETED`, `FAILED` or `SKIPPED`.
    pub status: String,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub cost: Option<f64>,
    pub output: Option<serde_json::Value>,
    pub updated_at: DateTime<Utc>,
}

impl From<StepRecord> for Step {
    fn from(s: StepRecord) -> Self {
        Self {
            id: s.id,
            ordinal: s.ordinal,
            name: s.name,
            phase: s.phase,
            step_type: s.step_type,
            status: s.status,
            started_at: s.started_at,
            completed_at: s.completed_at,
            duration_ms: s.duration_ms,
            input_tokens: s.input_tokens,
            output_tokens: s.output_tokens,
            cost: s.cost,
            output: s.output,
            updated_at: s.updated_at,
        }
    }
}

/// Something that happened to a job. `seq` is gap-free and increasing per job.
#[derive(Object)]
pub struct JobEvent {
    pub id: Uuid,
    pub job_id: Uuid,
    pub seq: i64,
    pub step_id: Option<Uuid>,
    /// e.g. `job_created`, `job_cancelled`, `job_retried`.
    #[oai(rename = "type")]
    pub event_type: String,
    /// `user:<sub>`, `runner:<id>` or `system`.
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<EventRecord> for JobEvent {
    fn from(e: EventRecord) -> Self {
        Self {
            id: e.id,
            job_id: e.job_id,
            seq: e.seq,
            step_id: e.step_id,
            event_type: e.event_type,
            actor: e.actor,
            payload: e.payload,
            created_at: e.created_at,
        }
    }
}

#[derive(Object)]
pub struct JobEventList {
    pub items: Vec<JobEvent>,
    /// Pass as `after_seq` for the next page; null when this page is the last for now.
    pub next_cursor: Option<String>,
}

/// A job with its steps and its first events.
#[derive(Object)]
pub struct JobDetail {
    #[oai(flatten)]
    pub job: Job,
    pub steps: Vec<Step>,
    /// The job's first events (up to 500); page through the rest with `/events`.
    pub events: Vec<JobEvent>,
    /// Set when the job has more events than shown: pass it as `cursor` to `/events`.
    pub events_next_cursor: Option<String>,
}

/// Register a runner.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RegisterRunner {
    pub name: String,
    /// The runner claims only jobs whose labels are all among these.
    pub labels: Option<Vec<String>>,
}

#[derive(Object)]
pub struct Runner {
    pub id: Uuid,
    pub name: String,
    pub labels: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<runyard_persistence::RunnerRecord> for Runner {
    fn from(r: runyard_persistence::RunnerRecord) -> Self {
        Self {
            id: r.id,
            name: r.name,
            labels: r.labels,
            created_by: r.created_by,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A registered runner and its token. The token is shown this once.
#[derive(Object)]
pub struct RunnerRegistered {
    pub runner: Runner,
    /// Bearer token for `/v1/runner/*`.
    pub token: String,
}

#[derive(Object)]
pub struct RunnerList {
    pub items: Vec<Runner>,
    pub next_cursor: Option<String>,
}

/// Ask for work.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ClaimRequest {
    /// At most this many jobs, 1–1000 (default 1).
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub max_jobs: Option<u32>,
    /// Wait up to this long for work when none is claimable now, 0–60 (default 0).
    #[oai(validator(minimum(value = "0"), maximum(value = "60")))]
    pub wait_seconds: Option<u32>,
}

/// A job leased to the runner that claimed it.
#[derive(Object)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub workspace_id: Uuid,
    #[oai(rename = "type")]
    pub job_type: String,
    pub payload: serde_json::Value,
    pub labels: Vec<String>,
    pub priority: i16,
    /// This attempt's number: pass it on every call about the job.
    pub attempt: i32,
    pub max_attempts: i32,
    pub timeout_seconds: i32,
    /// Heartbeat before this, or lose the job.
    pub lease_expires_at: DateTime<Utc>,
    /// The agent task the job belongs to, if any.
    pub agent_task_id: Option<Uuid>,
    /// The task's snapshot (what a paused run handed back), when this job was re-queued by
    /// a resume: continue from it.
    pub resume_snapshot: Option<serde_json::Value>,
    /// Number this attempt's log lines from here: earlier attempts' lines keep theirs
    /// (a seq is written once per job).
    pub next_log_seq: i64,
}

impl From<runyard_persistence::ClaimedJob> for ClaimedJob {
    fn from(j: runyard_persistence::ClaimedJob) -> Self {
        Self {
            id: j.id,
            workspace_id: j.workspace_id,
            job_type: j.job_type,
            payload: j.payload,
            labels: j.labels,
            priority: j.priority,
            attempt: j.attempt,
            max_attempts: j.max_attempts,
            timeout_seconds: j.timeout_seconds,
            lease_expires_at: j.lease_expires_at,
            agent_task_id: j.agent_task_id,
            resume_snapshot: j.resume_snapshot,
            next_log_seq: j.next_log_seq,
        }
    }
}

#[derive(Object)]
pub struct ClaimResponse {
    pub jobs: Vec<ClaimedJob>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct HeartbeatRequest {
    pub attempt: i32,
    /// Free-form progress, shown on the job.
    pub progress: Option<serde_json::Value>,
}

#[derive(Object)]
pub struct HeartbeatResponse {
    pub lease_expires_at: DateTime<Utc>,
    /// Stop the job and report it failed: a user cancelled it.
    pub cancel_requested: bool,
    /// Hand the job back with a snapshot: its task is being paused.
    pub pause_requested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum LogStream {
    Stdout,
    Stderr,
    System,
}

impl LogStream {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stdout => "stdout",
            Self::Stderr => "stderr",
            Self::System => "system",
        }
    }
}

/// One log line from a runner.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct LogEntryIn {
    /// Chosen by the runner, from 1, increasing; resending a seq with the same body is a
    /// no-op.
    #[oai(validator(minimum(value = "1")))]
    pub seq: i64,
    pub stream: LogStream,
    pub body: String,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct LogBatch {
    pub attempt: i32,
    /// 1 to 5000 entries.
    pub entries: Vec<LogEntryIn>,
}

#[derive(Object)]
pub struct LogsAccepted {
    pub accepted: u64,
    /// Entries already stored with the same content (a retried batch).
    pub duplicates: u64,
}

/// A log line as stored.
#[derive(Object)]
pub struct LogEntry {
    pub seq: i64,
    pub attempt: i32,
    /// `stdout`, `stderr` or `system`.
    pub stream: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<runyard_persistence::LogRecord> for LogEntry {
    fn from(l: runyard_persistence::LogRecord) -> Self {
        Self {
            seq: l.seq,
            attempt: l.attempt,
            stream: l.stream,
            body: l.body,
            created_at: l.created_at,
        }
    }
}

#[derive(Object)]
pub struct LogList {
    pub items: Vec<LogEntry>,
    /// Pass as `after_seq` for the next page; null when this page is the last for now.
    pub next_cursor: Option<String>,
}

/// What the live log stream sends: `event: log` with an entry (its `id` is the seq), and
/// `event: end` once the job has finished and every line was sent.
#[derive(Object)]
pub struct LogStreamItem {
    /// `log` or `end`.
    pub event: String,
    pub entry: Option<LogEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StepPhase {
    Setup,
    Execution,
    Validation,
    Cleanup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StepType {
    Command,
    AiAction,
    Gate,
    Artifact,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StepStatus {
    Pending,
    Running,
    /// A `GATE` step waiting for an approval: the job waits too (its lease is released).
    Waiting,
    Completed,
    Failed,
    Skipped,
}

/// A step, as the runner reports it (created or replaced by ordinal).
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct StepReportIn {
    pub attempt: i32,
    pub name: String,
    pub phase: StepPhase,
    #[oai(rename = "type")]
    pub step_type: StepType,
    pub status: StepStatus,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    #[oai(validator(minimum(value = "0")))]
    pub duration_ms: Option<i64>,
    #[oai(validator(minimum(value = "0")))]
    pub input_tokens: Option<i64>,
    #[oai(validator(minimum(value = "0")))]
    pub output_tokens: Option<i64>,
    #[oai(validator(minimum(value = "0")))]
    pub cost: Option<f64>,
    pub output: Option<serde_json::Value>,
}

#[derive(Object)]
pub struct Artifact {
    pub name: String,
    /// The attempt that uploaded it.
    pub attempt: i32,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

impl From<runyard_persistence::ArtifactRecord> for Artifact {
    fn from(a: runyard_persistence::ArtifactRecord) -> Self {
        Self {
            name: a.name,
            attempt: a.attempt,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

#[derive(Object)]
pub struct ArtifactList {
    pub items: Vec<Artifact>,
    pub next_cursor: Option<String>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CompleteRequest {
    pub attempt: i32,
    pub result: Option<serde_json::Value>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct FailRequest {
    pub attempt: i32,
    /// What went wrong: text or any JSON.
    pub error: serde_json::Value,
    /// Whether another attempt may succeed (default true).
    pub retryable: Option<bool>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ReleaseRequest {
    pub attempt: i32,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CompleteItem {
    pub id: Uuid,
    pub attempt: i32,
    pub result: Option<serde_json::Value>,
}

#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct BatchComplete {
    /// 1 to 1000 jobs, each at most once.
    pub jobs: Vec<CompleteItem>,
}

#[derive(Object)]
pub struct CompletionResult {
    pub id: Uuid,
    pub ok: bool,
    /// Why not: `lease_lost` or `not_found`.
    pub code: Option<String>,
}

#[derive(Object)]
pub struct BatchCompleteResult {
    pub results: Vec<CompletionResult>,
}

/// A workspace's limits and sweeps. Absent (null) means no limit / off.
#[derive(Object)]
pub struct WorkspaceSettings {
    /// Pause active agent tasks after this many seconds without activity (no job event
    /// or log line); heartbeats alone are not activity.
    pub auto_pause_after_seconds: Option<i64>,
    /// At most this many jobs RUNNING at once; claims hand out no more until some finish.
    pub max_running_jobs: Option<i64>,
    /// At most this many jobs QUEUED or PENDING; enqueues past it get 429.
    pub max_queued_jobs: Option<i64>,
    /// Finished jobs (with steps, logs, artifacts, events) are deleted this many days
    /// after they finished.
    pub retention_days: Option<i64>,
}

impl From<runyard_domain::WorkspaceSettings> for WorkspaceSettings {
    fn from(s: runyard_domain::WorkspaceSettings) -> Self {
        Self {
            auto_pause_after_seconds: s.auto_pause_after_seconds,
            max_running_jobs: s.max_running_jobs,
            max_queued_jobs: s.max_queued_jobs,
            retention_days: s.retention_days,
        }
    }
}

/// Changes to a workspace's settings: a value sets, `null` clears, absent keeps.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct WorkspaceSettingsPatch {
    /// 1–2592000 seconds.
    pub auto_pause_after_seconds: MaybeUndefined<i64>,
    /// 0–100000000.
    pub max_running_jobs: MaybeUndefined<i64>,
    /// 0–100000000.
    pub max_queued_jobs: MaybeUndefined<i64>,
    /// 1–36500 days.
    pub retention_days: MaybeUndefined<i64>,
}

/// Rename a workspace and/or change its settings (admin).
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateWorkspace {
    pub name: Option<String>,
    pub settings: Option<WorkspaceSettingsPatch>,
}

/// Approve or reject a job waiting for an approval.
#[derive(Object, Default)]
#[oai(deny_unknown_fields)]
pub struct ApprovalDecision {
    /// Why; recorded in the job's event with the approver.
    pub comment: Option<String>,
}

/// Hand a job back because its task is pausing.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct PausedRequest {
    pub attempt: i32,
    /// What the job needs to resume (e.g. the conversation log so far). Replaces the
    /// task's previous snapshot.
    pub snapshot: serde_json::Value,
}

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
    pub title: String,
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

impl From<runyard_persistence::TaskRecord> for AgentTask {
    fn from(t: runyard_persistence::TaskRecord) -> Self {
        Self {
            id: t.id,
            workspace_id: t.workspace_id,
            title: t.title,
            status: t.status.into(),
            metadata: t.metadata,
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

impl From<runyard_persistence::SnapshotRecord> for TaskSnapshot {
    fn from(s: runyard_persistence::SnapshotRecord) -> Self {
        Self {
            task_id: s.task_id,
            job_id: s.meta.job_id,
            kind: s.meta.kind.into(),
            reason: s.meta.reason,
            log_snapshot: s.log_snapshot,
            created_at: s.meta.created_at,
        }
    }
}

/// Pause a task.
#[derive(Object, Default)]
#[oai(deny_unknown_fields)]
pub struct PauseTask {
    /// Why; kept with the snapshot and in the events.
    pub reason: Option<String>,
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

impl From<runyard_persistence::TaskEventRecord> for TaskEvent {
    fn from(e: runyard_persistence::TaskEventRecord) -> Self {
        Self {
            id: e.id,
            task_id: e.task_id,
            seq: e.seq,
            event_type: e.event_type,
            actor: e.actor,
            payload: e.payload,
            created_at: e.created_at,
        }
    }
}

#[derive(Object)]
pub struct TaskEventList {
    pub items: Vec<TaskEvent>,
    pub next_cursor: Option<String>,
}

/// What a workspace event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum EventSource {
    Job,
    Task,
}

/// One event of the workspace feed: a job event or a task event.
#[derive(Object)]
pub struct WorkspaceEvent {
    /// This event's place in the feed: pass it as `after` (or `Last-Event-ID`) to continue
    /// after it.
    pub cursor: String,
    pub source: EventSource,
    pub id: Uuid,
    /// The job, for job events.
    pub job_id: Option<Uuid>,
    /// The task, for task events.
    pub task_id: Option<Uuid>,
    pub step_id: Option<Uuid>,
    /// Per job (or per task), gap-free, from 1.
    pub seq: i64,
    /// e.g. `job_created`, `job_claimed`, `job_completed`, `task_manual_pause`.
    #[oai(rename = "type")]
    pub event_type: String,
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl From<runyard_persistence::feed::FeedEvent> for WorkspaceEvent {
    fn from(e: runyard_persistence::feed::FeedEvent) -> Self {
        use runyard_persistence::feed::FeedSource;
        Self {
            cursor: e.position.encode(),
            source: match e.source {
                FeedSource::Job => EventSource::Job,
                FeedSource::Task => EventSource::Task,
            },
            id: e.id,
            job_id: e.job_id,
            task_id: e.task_id,
            step_id: e.step_id,
            seq: e.seq,
            event_type: e.event_type,
            actor: e.actor,
            payload: e.payload,
            created_at: e.created_at,
        }
    }
}

/// A page of the workspace feed.
#[derive(Object)]
pub struct WorkspaceEventList {
    pub items: Vec<WorkspaceEvent>,
    /// Where to continue from: always set, since a feed never ends. Poll with it, or pass
    /// it to the stream.
    pub next_cursor: String,
    /// The page was full: more events are waiting now.
    pub has_more: bool,
}
