//! Jobs: what users enqueue and read.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use runyard_persistence::{EventRecord, JobRecord};
use uuid::Uuid;

use super::Step;
use super::Text;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobStatus {
    Pending,
    Queued,
    Running,
    Paused,
    Suspended,
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
            D::Suspended => Self::Suspended,
            D::Completed => Self::Completed,
            D::Failed => Self::Failed,
            D::Cancelled => Self::Cancelled,
        }
    }
}

/// Why a finished job did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum FailureKind {
    /// Its runner reported a failure that is not to be retried.
    Error,
    /// Its last attempt ran past `timeout_seconds`.
    Timeout,
    /// Its last attempt's lease ran out (the runner stopped heartbeating).
    LeaseExpired,
    /// Its runner reported a retryable failure on its last attempt.
    MaxAttempts,
    /// A user (or its task) cancelled it.
    Cancelled,
    /// An admin rejected it at an approval.
    Rejected,
    /// It stayed `SUSPENDED` past its `max_wait_until`.
    SuspendTimeout,
    /// It waited for an approval past its deadline.
    ApprovalTimeout,
}

impl From<runyard_domain::FailureKind> for FailureKind {
    fn from(k: runyard_domain::FailureKind) -> Self {
        use runyard_domain::FailureKind as D;
        match k {
            D::Error => Self::Error,
            D::Timeout => Self::Timeout,
            D::LeaseExpired => Self::LeaseExpired,
            D::MaxAttempts => Self::MaxAttempts,
            D::Cancelled => Self::Cancelled,
            D::Rejected => Self::Rejected,
            D::SuspendTimeout => Self::SuspendTimeout,
            D::ApprovalTimeout => Self::ApprovalTimeout,
        }
    }
}

/// A job to enqueue.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateJob {
    /// What kind of job: runners dispatch on it (e.g. `command`).
    #[oai(rename = "type")]
    pub job_type: Text,
    /// Free-form input for the runner (default `{}`).
    pub payload: Option<serde_json::Value>,
    /// Higher runs first, -100..=100 (default 0).
    pub priority: Option<i64>,
    /// Only runners with all of these labels may claim the job.
    pub labels: Option<Vec<Text>>,
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
    /// How long an approval may take, 1 s to 30 days (2592000), counted from when the
    /// job starts waiting for one: at create with `requires_approval`, or each time its
    /// runner stops at a `GATE` step. Past it the system rejects: the job becomes
    /// `FAILED` with `failure_kind` `approval_timeout`, and an approval record
    /// (`rejected`, by `system`) says so. Without `requires_approval` it applies only to
    /// the job's gates. Default: no timeout.
    pub approval_timeout_seconds: Option<i64>,
    /// Values for the claiming runner only, e.g. `{"API_KEY": "sk-..."}`: names are
    /// environment variable names, values strings. Never returned by any read; the
    /// reference runner exports them to `command` jobs and masks them in logs.
    pub secrets: Option<serde_json::Value>,
}

impl CreateJob {
    pub fn parse(&self) -> Result<runyard_domain::NewJob, runyard_domain::ValidationError> {
        let labels: Option<Vec<String>> = self
            .labels
            .as_ref()
            .map(|labels| labels.iter().map(|l| l.0.clone()).collect());
        runyard_domain::NewJob::parse(runyard_domain::RawNewJob {
            job_type: &self.job_type,
            payload: self.payload.as_ref(),
            priority: self.priority,
            labels: labels.as_deref(),
            max_attempts: self.max_attempts,
            timeout_seconds: self.timeout_seconds,
            backoff_seconds: self.backoff_seconds,
            run_after_ms: self.run_after.map(|t| t.timestamp_millis()),
            agent_task_id: self.agent_task_id,
            requires_approval: self.requires_approval,
            approval_timeout_seconds: self.approval_timeout_seconds,
            secrets: self.secrets.as_ref(),
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
    /// Why the job ended without success (`FAILED` or `CANCELLED`); null otherwise.
    pub failure_kind: Option<FailureKind>,
    /// Who asked for a cancel: `user:<sub>` or `system`.
    pub cancelled_by: Option<String>,
    /// Why, as given with the cancel (`task_cancelled` when its task was cancelled).
    pub cancel_reason: Option<String>,
    /// While `SUSPENDED`: when it becomes `QUEUED` again.
    pub next_poll_at: Option<DateTime<Utc>>,
    /// While `SUSPENDED`: past this it becomes `FAILED` (`suspend_timeout`).
    pub max_wait_until: Option<DateTime<Utc>>,
    /// Attempts that ended in a suspend: `attempt` counts them, `max_attempts` does not.
    pub suspensions: i32,
    /// How long an approval may take once the job waits for one; null: no timeout.
    pub approval_timeout_seconds: Option<i32>,
    /// While it waits for an approval with a timeout: when the system rejects it
    /// (`FAILED`, `approval_timeout`).
    pub approval_deadline: Option<DateTime<Utc>>,
}

impl Job {
    /// The job as users see it: values under secret-looking keys redacted.
    pub fn new(j: JobRecord, redactor: &runyard_domain::Redactor) -> Self {
        let redact = |v| runyard_domain::redact(v, redactor);
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
            payload: redact(j.payload),
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
            progress: j.progress.map(redact),
            result: j.result.map(redact),
            error: j.error.map(redact),
            created_by: j.created_by,
            created_at: j.created_at,
            updated_at: j.updated_at,
            started_at: j.started_at,
            finished_at: j.finished_at,
            failure_kind: j.failure_kind.map(Into::into),
            cancelled_by: j.cancelled_by,
            cancel_reason: j.cancel_reason,
            next_poll_at: j.next_poll_at,
            max_wait_until: j.max_wait_until,
            suspensions: j.suspensions,
            approval_timeout_seconds: j.approval_timeout_seconds,
            approval_deadline: j.approval_deadline,
        }
    }
}

#[derive(Object)]
pub struct JobList {
    pub items: Vec<Job>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
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

impl JobEvent {
    /// The event as users see it: values under secret-looking keys redacted.
    pub fn new(e: EventRecord, redactor: &runyard_domain::Redactor) -> Self {
        Self {
            id: e.id,
            job_id: e.job_id,
            seq: e.seq,
            step_id: e.step_id,
            event_type: e.event_type,
            actor: e.actor,
            payload: runyard_domain::redact(e.payload, redactor),
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
    /// What the job used: its model calls when it has any, else what its steps reported.
    pub usage: super::Usage,
    /// The job's first events (up to 500); page through the rest with `/events`.
    pub events: Vec<JobEvent>,
    /// Set when the job has more events than shown: pass it as `cursor` to `/events`.
    pub events_next_cursor: Option<String>,
    /// Every approval decision on the job, oldest first.
    pub approvals: Vec<Approval>,
}

/// An approval decision: a job created with `requires_approval`, or one of its `GATE`
/// steps, approved or rejected.
#[derive(Object)]
pub struct Approval {
    pub id: Uuid,
    /// The gate step it answered; null for a job created with `requires_approval`.
    pub step_id: Option<Uuid>,
    pub step_ordinal: Option<i32>,
    /// `approved` or `rejected`.
    pub decision: String,
    /// Who decided: `user:<sub>`.
    pub decided_by: String,
    pub comment: Option<String>,
    pub decided_at: DateTime<Utc>,
}

impl From<runyard_persistence::jobs::ApprovalRecord> for Approval {
    fn from(a: runyard_persistence::jobs::ApprovalRecord) -> Self {
        Self {
            id: a.id,
            step_id: a.step_id,
            step_ordinal: a.step_ordinal,
            decision: a.decision,
            decided_by: a.decided_by,
            comment: a.comment,
            decided_at: a.decided_at,
        }
    }
}

/// Approve or reject a job waiting for an approval.
#[derive(Object, Default)]
#[oai(deny_unknown_fields)]
pub struct ApprovalDecision {
    /// Why; recorded in the job's event with the approver.
    pub comment: Option<Text>,
}

/// Cancel a job.
#[derive(Object, Default)]
#[oai(deny_unknown_fields)]
pub struct CancelJob {
    /// Why; recorded on the job (`cancel_reason`) and in its event, with who asked.
    pub reason: Option<Text>,
}
