//! Runner jobs, by concern: enqueue, reads, a user's cancel and retry,
//! approvals, logs and artifacts. The rows read from `runner_jobs` and its child tables
//! are defined here.
//!
//! Every state change goes through `transition`: the job and its event are
//! written by one statement, so the two commit together, and an event's `seq` is the
//! job's `last_event_seq + 1`, taken under the job's row lock: gap-free and monotonic.

use runyard_domain::{FailureKind, JobStatus};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::{ArtifactRecord, JobRecord, StepRecord, StoreError, Timestamp};

mod approvals;
mod artifacts;
pub mod commands;
mod control;
mod enqueue;
mod logs;
mod read;

pub(crate) use approvals::time_out as time_out_approval;
pub use approvals::{ApprovalRecord, approvals, approve, reject};
pub use artifacts::{artifact, artifacts, delete_artifact};
pub use control::{cancel, retry, wake};
pub(crate) use control::{cancel_now, cancel_request, suspend_timed_out, woken};
pub use enqueue::{Created, create, create_batch, create_direct};
pub use logs::{LogFilter, logs};
pub use read::{JobFilter, events, get, list, steps};

/// Columns read into a [`JobRecord`].
pub(crate) const JOB_COLUMNS: &str = "id, workspace_id, agent_task_id, type, payload, labels, priority, status, \
    requires_approval, attempt, max_attempts, run_after, timeout_seconds, backoff_base_seconds, idempotency_key, \
    lease_runner_id, lease_expires_at, cancel_requested_at, pause_requested_at, progress, result, \
    error, created_by, created_at, updated_at, started_at, finished_at, failure_kind, cancelled_by, \
    cancel_reason, next_poll_at, max_wait_until, suspensions, approval_timeout_seconds, approval_deadline, traceparent";

#[derive(FromQueryResult)]
pub(crate) struct JobRow {
    id: Uuid,
    workspace_id: Uuid,
    agent_task_id: Option<Uuid>,
    #[sea_orm(alias = "type")]
    job_type: String,
    payload: serde_json::Value,
    labels: Vec<String>,
    priority: i16,
    status: String,
    requires_approval: bool,
    attempt: i32,
    max_attempts: i32,
    run_after: Timestamp,
    timeout_seconds: i32,
    backoff_base_seconds: i32,
    idempotency_key: Option<String>,
    lease_runner_id: Option<Uuid>,
    lease_expires_at: Option<Timestamp>,
    cancel_requested_at: Option<Timestamp>,
    pause_requested_at: Option<Timestamp>,
    progress: Option<serde_json::Value>,
    result: Option<serde_json::Value>,
    error: Option<serde_json::Value>,
    created_by: String,
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
    failure_kind: Option<String>,
    cancelled_by: Option<String>,
    cancel_reason: Option<String>,
    next_poll_at: Option<Timestamp>,
    max_wait_until: Option<Timestamp>,
    suspensions: i32,
    approval_timeout_seconds: Option<i32>,
    approval_deadline: Option<Timestamp>,
    traceparent: Option<String>,
}

impl JobRow {
    pub(crate) fn status(&self) -> &str {
        &self.status
    }
}

impl TryFrom<JobRow> for JobRecord {
    type Error = StoreError;

    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        let status = JobStatus::parse(&r.status)
            .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown job status {:?}", r.status)))?;
        let failure_kind = r
            .failure_kind
            .map(|k| {
                FailureKind::parse(&k)
                    .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown failure kind {k:?}")))
            })
            .transpose()?;
        Ok(Self {
            id: r.id,
            workspace_id: r.workspace_id,
            agent_task_id: r.agent_task_id,
            job_type: r.job_type,
            payload: r.payload,
            labels: r.labels,
            priority: r.priority,
            status,
            requires_approval: r.requires_approval,
            attempt: r.attempt,
            max_attempts: r.max_attempts,
            run_after: r.run_after,
            timeout_seconds: r.timeout_seconds,
            backoff_seconds: r.backoff_base_seconds,
            idempotency_key: r.idempotency_key,
            lease_runner_id: r.lease_runner_id,
            lease_expires_at: r.lease_expires_at,
            cancel_requested_at: r.cancel_requested_at,
            pause_requested_at: r.pause_requested_at,
            progress: r.progress,
            result: r.result,
            error: r.error,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            failure_kind,
            cancelled_by: r.cancelled_by,
            cancel_reason: r.cancel_reason,
            next_poll_at: r.next_poll_at,
            max_wait_until: r.max_wait_until,
            suspensions: r.suspensions,
            approval_timeout_seconds: r.approval_timeout_seconds,
            approval_deadline: r.approval_deadline,
            traceparent: r.traceparent,
        })
    }
}

/// Closes what attempts left open when they ended without success: `RUNNING` steps
/// become `FAILED`, `PENDING` ones `SKIPPED`. `ended` holds (job, attempt) pairs of
/// `workspace`, on a connection that has entered it.
pub(crate) async fn close_steps(
    conn: &impl sea_orm::ConnectionTrait,
    workspace: Uuid,
    ended: &[(Uuid, i32)],
) -> Result<(), StoreError> {
    if ended.is_empty() {
        return Ok(());
    }
    let pairs: Vec<serde_json::Value> = ended
        .iter()
        .map(|(job, attempt)| serde_json::json!({"job_id": job, "attempt": attempt}))
        .collect();
    conn.execute_raw(crate::scope::stmt(
        "UPDATE job_steps s SET status = CASE s.status WHEN 'RUNNING' THEN 'FAILED' ELSE 'SKIPPED' END, \
                completed_at = coalesce(s.completed_at, now()), updated_at = now() \
           FROM jsonb_to_recordset($2::jsonb) AS e(job_id uuid, attempt integer) \
          WHERE s.workspace_id = $1 AND s.job_id = e.job_id AND s.attempt = e.attempt \
            AND s.status IN ('RUNNING', 'PENDING')",
        [workspace.into(), serde_json::Value::Array(pairs).into()],
    ))
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
pub(crate) struct StepRow {
    id: Uuid,
    attempt: i32,
    ordinal: i32,
    name: String,
    phase: String,
    #[sea_orm(alias = "type")]
    step_type: String,
    status: String,
    started_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    duration_ms: Option<i64>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cost: Option<f64>,
    output: Option<serde_json::Value>,
    updated_at: Timestamp,
}

impl From<StepRow> for StepRecord {
    fn from(r: StepRow) -> Self {
        Self {
            id: r.id,
            attempt: r.attempt,
            ordinal: r.ordinal,
            name: r.name,
            phase: r.phase,
            step_type: r.step_type,
            status: r.status,
            started_at: r.started_at,
            completed_at: r.completed_at,
            duration_ms: r.duration_ms,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cost: r.cost,
            output: r.output,
            updated_at: r.updated_at,
        }
    }
}

#[derive(FromQueryResult)]
pub(crate) struct ArtifactRow {
    name: String,
    attempt: i32,
    content_type: String,
    size: i64,
    sha256: String,
    status: String,
    skip_reason: Option<String>,
    step_ordinal: Option<i32>,
    metadata: Option<serde_json::Value>,
    created_at: Timestamp,
}

/// Columns read into an [`ArtifactRow`].
pub(crate) const ARTIFACT_COLUMNS: &str = "name, attempt, content_type, size, sha256, status, skip_reason, step_ordinal, metadata, created_at";

impl From<ArtifactRow> for ArtifactRecord {
    fn from(r: ArtifactRow) -> Self {
        Self {
            name: r.name,
            attempt: r.attempt,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            status: r.status,
            skip_reason: r.skip_reason,
            step_ordinal: r.step_ordinal,
            metadata: r.metadata,
            created_at: r.created_at,
        }
    }
}

#[derive(FromQueryResult)]
pub(crate) struct EventRow {
    id: Uuid,
    job_id: Uuid,
    seq: i64,
    step_id: Option<Uuid>,
    #[sea_orm(alias = "type")]
    event_type: String,
    actor: String,
    payload: serde_json::Value,
    created_at: Timestamp,
}
