//! Runner jobs: their status state machine, what a valid new job is, and idempotency.

use sha2::{Digest, Sha256};

use crate::str_enum::str_enum;

use crate::validate::{JobType, Labels, MaxAttempts, Priority, TimeoutSeconds, ValidationError};

str_enum!(
    /// Where a job is in its life. See DESIGN §2.
    pub enum JobStatus {
        /// Not yet runnable: `run_after` in the future, awaiting approval, or backing off.
        Pending = "PENDING",
        /// Claimable by a runner.
        Queued = "QUEUED",
        /// Leased by a runner.
        Running = "RUNNING",
        /// Its task was paused; a snapshot holds its state.
        Paused = "PAUSED",
        /// Its runner handed it back to wait until `next_poll_at`, spending no attempt.
        Suspended = "SUSPENDED",
        Completed = "COMPLETED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
    }
);

/// A transition the state machine does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} job cannot become {to}")]
pub struct TransitionError {
    pub from: JobStatus,
    pub to: JobStatus,
}

impl JobStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Completed | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// Whether `self -> to` is a legal transition.
    pub fn can_become(self, to: JobStatus) -> bool {
        use JobStatus::*;
        matches!(
            (self, to),
            // run_after reached, approved, or backoff elapsed; or rejected/cancelled
            // (or back to waiting after a resume); its task paused
            (Pending, Queued | Cancelled | Paused)
                // no approval decision before its `approval_timeout_seconds` passed
                | (Pending, Failed)
                // claimed; cancelled before it ran; its task paused
                | (Queued, Running | Cancelled | Paused)
                // finished; lease lost or retryable failure (back to the queue, maybe
                // after a backoff); waiting at a gate; paused with a snapshot; suspended
                // by its runner until a poll time
                | (Running, Completed | Failed | Cancelled | Queued | Pending | Paused | Suspended)
                // its poll time came, a user woke it or sent it a command; its deadline
                // (`max_wait_until`) passed; cancelled while it waited
                | (Suspended, Queued | Failed | Cancelled)
                // resumed (to wait for its time or an approval, or claimable); cancelled
                | (Paused, Queued | Pending | Cancelled)
                // a user retries a finished job that did not succeed
                | (Failed | Cancelled, Queued)
        )
    }

    /// The checked transition: `to`, or a typed error naming both ends.
    pub fn transition(self, to: JobStatus) -> Result<JobStatus, TransitionError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

str_enum!(
    /// The phase of a job a step belongs to.
    pub enum StepPhase {
        Setup = "SETUP",
        Execution = "EXECUTION",
        Validation = "VALIDATION",
        Cleanup = "CLEANUP",
    }
);
str_enum!(
    /// What a step does.
    pub enum StepType {
        Command = "COMMAND",
        AiAction = "AI_ACTION",
        Gate = "GATE",
        Artifact = "ARTIFACT",
    }
);
str_enum!(
    /// Where a step is.
    pub enum StepStatus {
        Pending = "PENDING",
        Running = "RUNNING",
        Waiting = "WAITING",
        Completed = "COMPLETED",
        Failed = "FAILED",
        Skipped = "SKIPPED",
    }
);

str_enum!(
    /// Why a finished job did not succeed. See DESIGN §2.
    pub enum FailureKind {
        /// Its runner reported a failure that is not to be retried.
        Error = "error",
        /// Its last attempt ran past `timeout_seconds`.
        Timeout = "timeout",
        /// Its last attempt's lease ran out (the runner stopped heartbeating).
        LeaseExpired = "lease_expired",
        /// Its runner reported a retryable failure, but no attempts were left.
        MaxAttempts = "max_attempts",
        /// A user (or its task) cancelled it.
        Cancelled = "cancelled",
        /// An admin rejected it at an approval.
        Rejected = "rejected",
        /// It stayed suspended past its `max_wait_until`.
        SuspendTimeout = "suspend_timeout",
        /// It waited for an approval past its deadline.
        ApprovalTimeout = "approval_timeout",
    }
);

impl FailureKind {
    /// Why a failed attempt that sent its job to `next` finished the job; `None` while the
    /// job goes on. `cause` is why the attempt failed: [`FailureKind::Error`] for a
    /// runner's report (`retryable` as it said), [`FailureKind::Timeout`] or
    /// [`FailureKind::LeaseExpired`] for the reaper. A retryable error that used up the
    /// attempts is [`FailureKind::MaxAttempts`]; a timeout or lost lease keeps its own
    /// name even on the last attempt, being the more specific reason.
    pub fn after_attempt(next: JobStatus, cause: FailureKind, retryable: bool) -> Option<Self> {
        match next {
            JobStatus::Cancelled => Some(FailureKind::Cancelled),
            JobStatus::Failed if cause == FailureKind::Error && retryable => {
                Some(FailureKind::MaxAttempts)
            }
            JobStatus::Failed => Some(cause),
            _ => None,
        }
    }
}

/// The `type` of each job event Runyard records.
pub mod event_type {
    pub const CREATED: &str = "job_created";
    pub const QUEUED: &str = "job_queued";
    pub const CANCEL_REQUESTED: &str = "job_cancel_requested";
    pub const CANCELLED: &str = "job_cancelled";
    pub const RETRIED: &str = "job_retried";
    pub const CLAIMED: &str = "job_claimed";
    pub const COMPLETED: &str = "job_completed";
    pub const FAILED: &str = "job_failed";
    pub const RELEASED: &str = "job_released";
    pub const APPROVED: &str = "job_approved";
    pub const REJECTED: &str = "job_rejected";
    pub const AWAITING_APPROVAL: &str = "job_awaiting_approval";
    pub const PAUSE_REQUESTED: &str = "job_pause_requested";
    pub const SUSPENDED: &str = "job_suspended";
    pub const WOKEN: &str = "job_woken";
    pub const COMMAND_SENT: &str = "job_command_sent";
    pub const COMMAND_ACKED: &str = "job_command_acked";
}

str_enum!(
    /// Where a command sent to a job is.
    pub enum CommandStatus {
        /// Not handed to a runner yet.
        Pending = "pending",
        /// Handed to the job's current (or an earlier) attempt, not acknowledged.
        Delivered = "delivered",
        /// Acknowledged by the runner.
        Acked = "acked",
        /// The job finished before the command was acknowledged.
        Expired = "expired",
    }
);

/// A job as a client asked for it, every field validated. Built only by [`NewJob::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub job_type: JobType,
    pub payload: serde_json::Value,
    pub priority: Priority,
    pub labels: Labels,
    pub max_attempts: MaxAttempts,
    pub timeout_seconds: TimeoutSeconds,
    /// Base of the exponential backoff between attempts, 0..=3600 seconds (default 10).
    pub backoff_seconds: i32,
    /// Unix time in milliseconds before which the job must not run.
    pub run_after_ms: Option<i64>,
    pub agent_task_id: Option<uuid::Uuid>,
    pub requires_approval: bool,
    /// How long an approval may take once the job waits for one (at create with
    /// `requires_approval`, or at a `GATE` step), 1 second to 30 days; past it the
    /// system rejects and the job fails (`approval_timeout`).
    pub approval_timeout_seconds: Option<i32>,
    /// Values only the claiming runner receives (as environment variables for a
    /// `command` job); never shown to users.
    pub secrets: Option<JobSecrets>,
    /// The W3C `traceparent` of the request that enqueued it (set by the API, not parsed
    /// from the body): the runner gets it, and the job's span joins that trace.
    pub traceparent: Option<String>,
}

/// The raw fields of a job create request, as they came in.
#[derive(Debug, Clone, Default)]
pub struct RawNewJob<'a> {
    pub job_type: &'a str,
    pub payload: Option<&'a serde_json::Value>,
    pub priority: Option<i64>,
    pub labels: Option<&'a [String]>,
    pub max_attempts: Option<i64>,
    pub timeout_seconds: Option<i64>,
    pub backoff_seconds: Option<i64>,
    pub run_after_ms: Option<i64>,
    pub agent_task_id: Option<uuid::Uuid>,
    pub requires_approval: Option<bool>,
    pub approval_timeout_seconds: Option<i64>,
    pub secrets: Option<&'a serde_json::Value>,
}

impl NewJob {
    /// Payloads above this size (as compact JSON) are refused.
    pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
    pub const DEFAULT_BACKOFF_SECONDS: i32 = 10;
    /// The longest `approval_timeout_seconds`: 30 days.
    pub const MAX_APPROVAL_TIMEOUT_SECONDS: i32 = 30 * 24 * 3600;

    pub fn parse(raw: RawNewJob<'_>) -> Result<Self, ValidationError> {
        let payload = raw
            .payload
            .cloned()
            .unwrap_or(serde_json::Value::Object(Default::default()));
        let size = serde_json::to_vec(&payload)
            .map(|v| v.len())
            .unwrap_or(usize::MAX);
        if size > Self::MAX_PAYLOAD_BYTES {
            return Err(ValidationError::new(
                "payload",
                format!("must be at most {} bytes of JSON", Self::MAX_PAYLOAD_BYTES),
            ));
        }
        Ok(Self {
            job_type: JobType::parse(raw.job_type)?,
            payload,
            priority: raw
                .priority
                .map(Priority::new)
                .transpose()?
                .unwrap_or_default(),
            labels: raw
                .labels
                .map(Labels::parse)
                .transpose()?
                .unwrap_or_default(),
            max_attempts: raw
                .max_attempts
                .map(MaxAttempts::new)
                .transpose()?
                .unwrap_or_default(),
            timeout_seconds: raw
                .timeout_seconds
                .map(TimeoutSeconds::new)
                .transpose()?
                .unwrap_or_default(),
            backoff_seconds: match raw.backoff_seconds {
                None => Self::DEFAULT_BACKOFF_SECONDS,
                Some(b @ 0..=3600) => b as i32,
                Some(_) => {
                    return Err(ValidationError::new(
                        "backoff_seconds",
                        "must be between 0 and 3600",
                    ));
                }
            },
            run_after_ms: raw.run_after_ms,
            agent_task_id: raw.agent_task_id,
            requires_approval: raw.requires_approval.unwrap_or(false),
            approval_timeout_seconds: match raw.approval_timeout_seconds {
                None => None,
                Some(t) if (1..=i64::from(Self::MAX_APPROVAL_TIMEOUT_SECONDS)).contains(&t) => {
                    Some(t as i32)
                }
                Some(_) => {
                    return Err(ValidationError::new(
                        "approval_timeout_seconds",
                        format!(
                            "must be between 1 and {}",
                            Self::MAX_APPROVAL_TIMEOUT_SECONDS
                        ),
                    ));
                }
            },
            secrets: raw.secrets.map(JobSecrets::parse).transpose()?,
            traceparent: None,
        })
    }

    /// The status a job starts in: held back when it needs approval or must wait.
    pub fn initial_status(&self, now_ms: i64) -> JobStatus {
        let waits = self.run_after_ms.is_some_and(|t| t > now_ms);
        if self.requires_approval || waits {
            JobStatus::Pending
        } else {
            JobStatus::Queued
        }
    }
}

/// When a suspended job is polled again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PollAfter {
    /// This many seconds from now.
    Seconds(f64),
    /// At this Unix time in milliseconds (in the past: at once).
    AtMs(i64),
}

/// A runner's request to suspend a job, validated. Built only by [`Suspend::parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Suspend {
    pub poll: PollAfter,
    /// Unix time in milliseconds past which the job fails (`suspend_timeout`).
    pub max_wait_until_ms: Option<i64>,
    /// What the next claim hands back as `suspended_state`.
    pub state: Option<serde_json::Value>,
}

/// The raw fields of a suspend request, as they came in.
#[derive(Debug, Clone, Default)]
pub struct RawSuspend<'a> {
    pub poll_after_seconds: Option<f64>,
    pub until_ms: Option<i64>,
    pub max_wait_until_ms: Option<i64>,
    pub state: Option<&'a serde_json::Value>,
}

impl Suspend {
    /// A state above this size (as compact JSON) is refused.
    pub const MAX_STATE_BYTES: usize = 64 * 1024;
    /// The longest wait for one poll: 30 days.
    pub const MAX_POLL_SECONDS: f64 = 30.0 * 24.0 * 3600.0;

    /// Exactly one of `poll_after_seconds` (0 to 30 days) and `until` (at most 30 days
    /// ahead); `max_wait_until`, if given, in the future; `state` at most 64 KiB.
    pub fn parse(raw: RawSuspend<'_>, now_ms: i64) -> Result<Self, ValidationError> {
        let max_ms = (Self::MAX_POLL_SECONDS * 1000.0) as i64;
        let poll = match (raw.poll_after_seconds, raw.until_ms) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(ValidationError::new(
                    "poll_after_seconds",
                    "give exactly one of poll_after_seconds and until",
                ));
            }
            (Some(s), None) if !(0.0..=Self::MAX_POLL_SECONDS).contains(&s) => {
                return Err(ValidationError::new(
                    "poll_after_seconds",
                    "must be between 0 and 2592000 (30 days)",
                ));
            }
            (Some(s), None) => PollAfter::Seconds(s),
            (None, Some(t)) if t - now_ms > max_ms => {
                return Err(ValidationError::new(
                    "until",
                    "must be at most 30 days from now",
                ));
            }
            (None, Some(t)) => PollAfter::AtMs(t),
        };
        if raw.max_wait_until_ms.is_some_and(|t| t <= now_ms) {
            return Err(ValidationError::new(
                "max_wait_until",
                "must be in the future",
            ));
        }
        if let Some(state) = raw.state {
            let size = serde_json::to_vec(state)
                .map(|v| v.len())
                .unwrap_or(usize::MAX);
            if size > Self::MAX_STATE_BYTES {
                return Err(ValidationError::new(
                    "state",
                    format!("must be at most {} bytes of JSON", Self::MAX_STATE_BYTES),
                ));
            }
        }
        Ok(Self {
            poll,
            max_wait_until_ms: raw.max_wait_until_ms,
            state: raw.state.cloned(),
        })
    }
}

/// A job's secrets: names that are valid environment variable names (`[A-Za-z_]`
/// then `[A-Za-z0-9_]`, at most 128 characters), each with a string value; at most 100 of
/// them and 64 KiB in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSecrets(serde_json::Map<String, serde_json::Value>);

impl JobSecrets {
    pub const MAX_ENTRIES: usize = 100;
    pub const MAX_BYTES: usize = 64 * 1024;

    pub fn parse(raw: &serde_json::Value) -> Result<Self, ValidationError> {
        let Some(map) = raw.as_object() else {
            return Err(ValidationError::new(
                "secrets",
                "must be an object of names to string values",
            ));
        };
        if map.len() > Self::MAX_ENTRIES {
            return Err(ValidationError::new(
                "secrets",
                format!("must hold at most {} entries", Self::MAX_ENTRIES),
            ));
        }
        let mut bytes = 0;
        for (name, value) in map {
            let field = || format!("secrets.{name}");
            let mut chars = name.chars();
            let valid_name = name.len() <= 128
                && chars
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_name {
                return Err(ValidationError::new(
                    "secrets",
                    format!(
                        "{name:?} is not a usable environment variable name \
                         ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters)"
                    ),
                ));
            }
            let Some(text) = value.as_str() else {
                return Err(ValidationError::new(field(), "must be a string"));
            };
            if text.contains('\0') {
                return Err(ValidationError::new(field(), "must not contain U+0000"));
            }
            bytes += name.len() + text.len();
        }
        if bytes > Self::MAX_BYTES {
            return Err(ValidationError::new(
                "secrets",
                format!("must be at most {} bytes in all", Self::MAX_BYTES),
            ));
        }
        Ok(Self(map.clone()))
    }

    /// The secrets as stored and as handed to the claiming runner: `{"NAME": "value"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(self.0.clone())
    }
}

/// SHA-256 of the canonical form of a job request, for idempotency: two requests under
/// one `Idempotency-Key` are the same request exactly when their hashes are equal.
/// Object keys are sorted, so field order in the request does not matter.
pub fn payload_hash(job: &NewJob) -> String {
    let mut canonical = serde_json::json!({
        "type": job.job_type.as_str(),
        "payload": job.payload,
        "priority": job.priority.get(),
        "labels": job.labels.as_slice(),
        "max_attempts": job.max_attempts.get(),
        "timeout_seconds": job.timeout_seconds.get(),
        "backoff_seconds": job.backoff_seconds,
        "run_after_ms": job.run_after_ms,
        "agent_task_id": job.agent_task_id,
        "requires_approval": job.requires_approval,
    });
    // Only when given, so that requests without secrets keep the hash they always had.
    if let Some(secrets) = &job.secrets {
        canonical["secrets"] = secrets.to_json();
    }
    // serde_json's default map is ordered by key, so this rendering is canonical.
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use JobStatus::*;

    #[test]
    fn legal_transitions() {
        for (from, to) in [
            (Pending, Queued),
            (Pending, Cancelled),
            (Queued, Running),
            (Queued, Cancelled),
            (Running, Completed),
            (Running, Failed),
            (Running, Queued),
            (Running, Pending),
            (Running, Paused),
            (Paused, Queued),
            (Pending, Paused),
            (Queued, Paused),
            (Paused, Pending),
            (Paused, Cancelled),
            (Failed, Queued),
            (Cancelled, Queued),
            (Running, Suspended),
            (Suspended, Queued),
            (Suspended, Failed),
            (Suspended, Cancelled),
        ] {
            assert_eq!(from.transition(to), Ok(to), "{from} -> {to}");
        }
    }

    #[test]
    fn illegal_transitions_are_typed_errors() {
        for (from, to) in [
            (Completed, Queued),
            (Completed, Cancelled),
            (Failed, Running),
            (Cancelled, Running),
            (Pending, Running),
            (Queued, Completed),
            (Paused, Running),
            (Queued, Queued),
            (Suspended, Running),
            (Suspended, Completed),
            (Queued, Suspended),
            (Paused, Suspended),
        ] {
            assert_eq!(
                from.transition(to),
                Err(TransitionError { from, to }),
                "{from} -> {to}"
            );
        }
        let msg = Completed.transition(Queued).unwrap_err().to_string();
        assert_eq!(msg, "a COMPLETED job cannot become QUEUED");
    }

    #[test]
    fn terminal_states_have_no_way_out_but_retry() {
        for from in JobStatus::ALL.into_iter().filter(|s| s.is_terminal()) {
            let exits: Vec<_> = JobStatus::ALL
                .into_iter()
                .filter(|to| from.can_become(*to))
                .collect();
            match from {
                Completed => assert!(exits.is_empty()),
                _ => assert_eq!(exits, [Queued]),
            }
        }
    }

    #[test]
    fn status_names_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("queued"), None);
        assert_eq!(StepType::parse("AI_ACTION"), Some(StepType::AiAction));
        for k in FailureKind::ALL {
            assert_eq!(FailureKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn failure_kind_names_the_reason_a_job_ended() {
        use FailureKind as K;
        assert_eq!(K::after_attempt(Failed, K::Error, false), Some(K::Error));
        assert_eq!(
            K::after_attempt(Failed, K::Error, true),
            Some(K::MaxAttempts)
        );
        assert_eq!(K::after_attempt(Failed, K::Timeout, true), Some(K::Timeout));
        assert_eq!(
            K::after_attempt(Failed, K::LeaseExpired, true),
            Some(K::LeaseExpired)
        );
        assert_eq!(
            K::after_attempt(Cancelled, K::Error, true),
            Some(K::Cancelled)
        );
        assert_eq!(K::after_attempt(Pending, K::Error, true), None);
        assert_eq!(K::after_attempt(Queued, K::LeaseExpired, true), None);
        assert_eq!(K::after_attempt(Paused, K::LeaseExpired, true), None);
    }

    fn job(payload: serde_json::Value, priority: Option<i64>) -> NewJob {
        NewJob::parse(RawNewJob {
            job_type: "command",
            payload: Some(&payload),
            priority,
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn payload_hash_ignores_key_order_but_not_content() {
        let a: serde_json::Value = serde_json::from_str(r#"{"a":1,"b":[1,2]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{"b":[1,2],"a":1}"#).unwrap();
        let c: serde_json::Value = serde_json::from_str(r#"{"a":2,"b":[1,2]}"#).unwrap();
        assert_eq!(
            payload_hash(&job(a.clone(), None)),
            payload_hash(&job(b, None))
        );
        assert_ne!(
            payload_hash(&job(a.clone(), None)),
            payload_hash(&job(c, None))
        );
        assert_ne!(
            payload_hash(&job(a.clone(), None)),
            payload_hash(&job(a, Some(5)))
        );
    }

    #[test]
    fn secrets_are_env_names_to_strings_and_count_in_the_hash() {
        let parse = |v: serde_json::Value| JobSecrets::parse(&v);
        assert!(parse(serde_json::json!({"API_KEY": "sk-1", "_x9": ""})).is_ok());
        for bad in [
            serde_json::json!(["x"]),
            serde_json::json!({"9LIVES": "x"}),
            serde_json::json!({"A-B": "x"}),
            serde_json::json!({"A": 5}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
        let plain = job(serde_json::json!({}), None);
        let secret = serde_json::json!({"TOKEN": "t"});
        let with = NewJob::parse(RawNewJob {
            job_type: "command",
            secrets: Some(&secret),
            ..Default::default()
        })
        .unwrap();
        assert_ne!(payload_hash(&plain), payload_hash(&with));
    }

    #[test]
    fn new_job_defaults_and_initial_status() {
        let j = job(serde_json::json!({}), None);
        assert_eq!(j.max_attempts.get(), 3);
        assert_eq!(j.initial_status(0), Queued);
        let mut later = j.clone();
        later.run_after_ms = Some(10_000);
        assert_eq!(later.initial_status(0), Pending);
        assert_eq!(later.initial_status(20_000), Queued);
        let mut gated = j;
        gated.requires_approval = true;
        assert_eq!(gated.initial_status(0), Pending);
    }

    #[test]
    fn suspend_requests_are_checked() {
        let now = 1_000_000;
        let ok = |raw| Suspend::parse(raw, now);
        let field = |raw| Suspend::parse(raw, now).unwrap_err().field;
        assert_eq!(
            ok(RawSuspend {
                poll_after_seconds: Some(5.0),
                ..Default::default()
            })
            .unwrap()
            .poll,
            PollAfter::Seconds(5.0)
        );
        assert_eq!(
            ok(RawSuspend {
                until_ms: Some(now - 10),
                ..Default::default()
            })
            .unwrap()
            .poll,
            PollAfter::AtMs(now - 10)
        );
        assert_eq!(field(RawSuspend::default()), "poll_after_seconds");
        assert_eq!(
            field(RawSuspend {
                poll_after_seconds: Some(1.0),
                until_ms: Some(now),
                ..Default::default()
            }),
            "poll_after_seconds"
        );
        assert_eq!(
            field(RawSuspend {
                poll_after_seconds: Some(-1.0),
                ..Default::default()
            }),
            "poll_after_seconds"
        );
        assert_eq!(
            field(RawSuspend {
                until_ms: Some(now + 31 * 24 * 3600 * 1000),
                ..Default::default()
            }),
            "until"
        );
        assert_eq!(
            field(RawSuspend {
                poll_after_seconds: Some(1.0),
                max_wait_until_ms: Some(now),
                ..Default::default()
            }),
            "max_wait_until"
        );
        let big = serde_json::json!({ "x": "y".repeat(Suspend::MAX_STATE_BYTES) });
        assert_eq!(
            field(RawSuspend {
                poll_after_seconds: Some(1.0),
                state: Some(&big),
                ..Default::default()
            }),
            "state"
        );
    }

    #[test]
    fn oversized_payload_is_refused() {
        let big = serde_json::json!({ "x": "y".repeat(NewJob::MAX_PAYLOAD_BYTES) });
        let err = NewJob::parse(RawNewJob {
            job_type: "t",
            payload: Some(&big),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.field, "payload");
    }
}

str_enum!(
    /// How much a log line matters, least first. A line without one counts as `info` when
    /// reads filter on a minimum level.
    pub enum LogLevel {
        Debug = "debug",
        Info = "info",
        Warn = "warn",
        Error = "error",
    }
);

impl LogLevel {
    /// This level and every one above it, for a "minimum level" filter.
    pub fn at_least(self) -> Vec<LogLevel> {
        let from = LogLevel::ALL
            .iter()
            .position(|l| *l == self)
            .unwrap_or_default();
        LogLevel::ALL[from..].to_vec()
    }
}
