//! Runyard's domain: the vocabulary every other crate speaks.
//!
//! Validated newtypes (built only by parsing), the job state machine, roles, actors and
//! idempotency hashing. This crate does no I/O and knows neither the database nor HTTP.

mod job;
mod redact;
mod runner;
mod schema;
mod str_enum;
mod task;
mod usage;
mod validate;
mod workspace;

pub use job::{
    CommandStatus, FailureKind, JobSecrets, JobStatus, LogLevel, NewJob, PollAfter, RawNewJob,
    RawSuspend, StepPhase, StepStatus, StepType, Suspend, TransitionError, event_type,
    payload_hash,
};
pub use redact::{DEFAULT_REDACT_PATTERN, REDACTED, Redactor, redact, secret_values};
pub use runner::{LostLease, RunnerToken, after_failed_attempt, after_lost_lease, backoff_seconds};
pub use schema::{MigrationState, MigrationStatus, migration_drift, migration_status};
pub use task::{
    PauseKind, TaskStatus, TaskTitle, TaskTransitionError, WorkspaceSettings, task_event_type,
};
pub use usage::{AiCallStatus, UsageGroupBy, UsdAmount};
pub use validate::{
    ArtifactName, IdempotencyKey, JobType, Labels, MaxAttempts, Priority, Slug, StepName,
    TimeoutSeconds, ValidationError, WorkspaceName,
};
pub use workspace::{Actor, Role};
