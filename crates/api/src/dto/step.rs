//! Steps of a job, as stored and as runners report them.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use runyard_persistence::StepRecord;
use uuid::Uuid;

use super::Text;

#[derive(Object)]
pub struct Step {
    pub id: Uuid,
    /// The attempt it belongs to.
    pub attempt: i32,
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

impl Step {
    /// The step as users see it: values under secret-looking keys redacted.
    pub fn new(s: StepRecord, redactor: &runyard_domain::Redactor) -> Self {
        Self {
            id: s.id,
            attempt: s.attempt,
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
            output: s.output.map(|o| runyard_domain::redact(o, redactor)),
            updated_at: s.updated_at,
        }
    }
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
    pub name: Text,
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
