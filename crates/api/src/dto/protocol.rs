//! The runner protocol: claim, heartbeat and finish.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

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
    /// What this job handed back when its task paused, on the first claim after the
    /// task's resume: continue from it. Null for a job that did not run (or handed back
    /// nothing) before the pause, and on every later claim.
    pub resume_snapshot: Option<serde_json::Value>,
    /// The state the runner handed back at the job's latest suspend (`state` of
    /// `/suspend`): continue from it. Null when the job never suspended with a state.
    pub suspended_state: Option<serde_json::Value>,
    /// Number this attempt's log lines from here: earlier attempts' lines keep theirs
    /// (a seq is written once per job).
    pub next_log_seq: i64,
    /// The secrets given when the job was created (`{"NAME": "value"}`), for this runner
    /// only: users never see them.
    pub secrets: Option<serde_json::Value>,
    /// The workspace's pattern for secret-looking keys (case-insensitive regular
    /// expression): users see values under such keys as `"[redacted]"`, so a runner masks
    /// them (and `secrets`) in the output it sends.
    pub redact_pattern: String,
    /// The W3C trace context of the request that enqueued the job
    /// (`00-<trace id>-<span id>-<flags>`): pass it on (the reference runner sets
    /// `TRACEPARENT`) so the work joins the caller's trace. Null when there was none.
    pub traceparent: Option<String>,
}

impl ClaimedJob {
    pub fn new(j: runyard_persistence::ClaimedJob, redact_pattern: &str) -> Self {
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
            suspended_state: j.suspended_state,
            next_log_seq: j.next_log_seq,
            secrets: j.secrets,
            redact_pattern: redact_pattern.to_owned(),
            traceparent: j.traceparent,
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
    /// Commands this attempt has not been handed yet, in seq order: each reaches an
    /// attempt once (and the next attempt again until acknowledged).
    pub commands: Vec<super::Command>,
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

/// Suspend a job until a poll time, spending no attempt.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SuspendRequest {
    pub attempt: i32,
    /// Queue the job again after this many seconds, 0–2592000 (30 days). Give this or
    /// `until`.
    pub poll_after_seconds: Option<f64>,
    /// Queue the job again at this time (at most 30 days ahead). Give this or
    /// `poll_after_seconds`.
    pub until: Option<DateTime<Utc>>,
    /// Past this time the job fails with `failure_kind: "suspend_timeout"` instead.
    pub max_wait_until: Option<DateTime<Utc>>,
    /// Up to 64 KiB of JSON the next claims hand back as `suspended_state`.
    pub state: Option<serde_json::Value>,
}

impl SuspendRequest {
    pub fn parse(&self) -> Result<runyard_domain::Suspend, runyard_domain::ValidationError> {
        runyard_domain::Suspend::parse(
            runyard_domain::RawSuspend {
                poll_after_seconds: self.poll_after_seconds,
                until_ms: self.until.map(|t| t.timestamp_millis()),
                max_wait_until_ms: self.max_wait_until.map(|t| t.timestamp_millis()),
                state: self.state.as_ref(),
            },
            Utc::now().timestamp_millis(),
        )
    }
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

/// Hand a job back because its task is pausing.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct PausedRequest {
    pub attempt: i32,
    /// What the job needs to resume (e.g. the conversation log so far). Replaces the
    /// task's previous snapshot.
    pub snapshot: serde_json::Value,
}
