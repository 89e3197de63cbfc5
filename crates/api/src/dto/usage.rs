//! Model calls, usage roll-ups and workspace stats.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::{Enum, Object};
use serde_json::Value;
use uuid::Uuid;

use super::Text;

/// An exact amount of US dollars in a request: a decimal **string** such as `"0.004250"`.
/// Whatever JSON arrives is kept as it came, so the handler can answer a number, a float
/// or garbage with a 422 that names the field (a parse error here could only say 400).
#[derive(Debug, Clone, PartialEq)]
pub struct UsdIn(pub Value);

/// The pattern of an amount of US dollars, as the spec states it.
pub const USD_PATTERN: &str = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,12})?$";

impl Type for UsdIn {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;

    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_decimal".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            format: Some("decimal"),
            pattern: Some(USD_PATTERN.to_owned()),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for UsdIn {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        Ok(Self(value.unwrap_or_default()))
    }
}

impl ToJSON for UsdIn {
    fn to_json(&self) -> Option<Value> {
        Some(self.0.clone())
    }
}

/// How a model call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum AiCallStatus {
    Ok,
    Error,
}

/// One model call, as a runner reports it.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AiCallIn {
    /// Chosen by the client (a UUID): sending the same call again is a no-op, a different
    /// call under the same id is a 409.
    pub id: Uuid,
    /// The step (its ordinal) the call belongs to.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000")))]
    pub step_ordinal: Option<i32>,
    /// e.g. `anthropic`, 1–100 characters.
    pub provider: Text,
    /// e.g. `claude-sonnet-4-5`, 1–200 characters.
    pub model: Text,
    #[oai(validator(minimum(value = "0")))]
    pub input_tokens: i64,
    #[oai(validator(minimum(value = "0")))]
    pub output_tokens: i64,
    /// Input tokens served from a cache (a part of `input_tokens`).
    #[oai(validator(minimum(value = "0")))]
    pub cached_tokens: Option<i64>,
    /// Exact US dollars as a decimal string, e.g. `"0.004250"`; never a JSON number.
    pub cost_usd: UsdIn,
    #[oai(validator(minimum(value = "0")))]
    pub latency_ms: i64,
    pub status: AiCallStatus,
    /// What went wrong, for `status: error` (at most 10000 characters).
    pub error: Option<Text>,
    /// Groups calls sent as one provider batch, 1–200 characters.
    pub batch_id: Option<Text>,
    pub started_at: DateTime<Utc>,
    /// Free-form JSON object, at most 16 KiB serialised.
    pub metadata: Option<Value>,
}

/// Model calls of one attempt.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AiCallBatch {
    /// The attempt the calls were made in.
    pub attempt: i32,
    /// 1 to 1000 calls.
    pub calls: Vec<AiCallIn>,
}

/// What was recorded.
#[derive(Object)]
pub struct AiCallsAccepted {
    /// Calls stored now.
    pub accepted: u64,
    /// Calls already stored with the same content (a resent batch).
    pub duplicates: u64,
}

/// A recorded model call.
#[derive(Object)]
pub struct AiCall {
    pub id: Uuid,
    pub job_id: Uuid,
    pub attempt: i32,
    pub step_ordinal: Option<i32>,
    pub provider: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: Option<i64>,
    /// Exact US dollars as a decimal string, as recorded.
    pub cost_usd: String,
    pub latency_ms: i64,
    pub status: AiCallStatus,
    pub error: Option<String>,
    pub batch_id: Option<String>,
    pub started_at: DateTime<Utc>,
    pub metadata: Option<Value>,
    pub created_at: DateTime<Utc>,
}

impl AiCall {
    /// The call as users see it: values under secret-looking keys of its metadata
    /// redacted.
    pub fn new(
        c: runyard_persistence::usage::AiCallRecord,
        redactor: &runyard_domain::Redactor,
    ) -> Self {
        Self {
            id: c.id,
            job_id: c.job_id,
            attempt: c.attempt,
            step_ordinal: c.step_ordinal,
            provider: c.provider,
            model: c.model,
            input_tokens: c.input_tokens,
            output_tokens: c.output_tokens,
            cached_tokens: c.cached_tokens,
            cost_usd: c.cost_usd,
            latency_ms: c.latency_ms,
            status: if c.status == runyard_domain::AiCallStatus::Error.as_str() {
                AiCallStatus::Error
            } else {
                AiCallStatus::Ok
            },
            error: c.error,
            batch_id: c.batch_id,
            started_at: c.started_at,
            metadata: c.metadata.map(|m| runyard_domain::redact(m, redactor)),
            created_at: c.created_at,
        }
    }
}

/// A page of a job's model calls, in the order they started.
#[derive(Object)]
pub struct AiCallList {
    pub items: Vec<AiCall>,
    pub next_cursor: Option<String>,
}

/// What a job, a task, a group or a workspace used. A job counts its model calls when it
/// has any, else the tokens and cost its steps reported (never both).
#[derive(Object)]
pub struct Usage {
    /// Model calls recorded.
    pub ai_calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Exact US dollars as a decimal string.
    pub cost_usd: String,
}

impl From<runyard_persistence::usage::UsageTotals> for Usage {
    fn from(t: runyard_persistence::usage::UsageTotals) -> Self {
        Self {
            ai_calls: t.ai_calls,
            input_tokens: t.input_tokens,
            output_tokens: t.output_tokens,
            cost_usd: t.cost_usd,
        }
    }
}

/// What the usage roll-up groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum UsageGroupBy {
    Model,
    Provider,
    /// The job's type.
    Type,
    /// The job's agent task (`group` null: jobs of no task).
    Task,
    /// The UTC day, `YYYY-MM-DD`.
    Day,
}

impl From<UsageGroupBy> for runyard_domain::UsageGroupBy {
    fn from(g: UsageGroupBy) -> Self {
        match g {
            UsageGroupBy::Model => Self::Model,
            UsageGroupBy::Provider => Self::Provider,
            UsageGroupBy::Type => Self::JobType,
            UsageGroupBy::Task => Self::Task,
            UsageGroupBy::Day => Self::Day,
        }
    }
}

/// One group of the roll-up.
#[derive(Object)]
pub struct UsageItem {
    /// The group's value (a model, a provider, a job type, a task id, a day); usage only
    /// steps reported has model and provider `(step-reported)`; null for jobs of no task.
    pub group: Option<String>,
    /// The value of the `then_by` key within the group (absent without `then_by`).
    pub subgroup: Option<String>,
    pub ai_calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// Exact US dollars as a decimal string.
    pub cost_usd: String,
}

/// The workspace's usage over `[from, to)`, the costliest group first (at most 1000).
#[derive(Object)]
pub struct UsageReport {
    pub group_by: UsageGroupBy,
    pub then_by: Option<UsageGroupBy>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub items: Vec<UsageItem>,
}

/// Jobs of one status.
#[derive(Object)]
pub struct StatusCount {
    pub status: super::JobStatus,
    pub count: i64,
}

/// Running jobs held by one runner.
#[derive(Object)]
pub struct RunnerLoad {
    pub runner_id: Uuid,
    pub name: String,
    pub running: i64,
}

/// Jobs that finished in one minute.
#[derive(Object)]
pub struct MinuteThroughput {
    /// The minute's start.
    pub minute: DateTime<Utc>,
    pub completed: i64,
    pub failed: i64,
}

/// Percentiles over the last hour, in milliseconds; null without samples.
#[derive(Object)]
pub struct Percentiles {
    pub samples: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

impl From<runyard_persistence::usage::Percentiles> for Percentiles {
    fn from(p: runyard_persistence::usage::Percentiles) -> Self {
        Self {
            samples: p.samples,
            p50_ms: p.p50_ms,
            p95_ms: p.p95_ms,
        }
    }
}

/// A workspace's queue at a glance.
#[derive(Object)]
pub struct WorkspaceStats {
    /// When the figures were read.
    pub at: DateTime<Utc>,
    /// Jobs by status; every status is listed.
    pub counts: Vec<StatusCount>,
    /// How long the longest-waiting `QUEUED` job has been claimable; null when none is.
    pub oldest_queued_seconds: Option<f64>,
    pub running_by_runner: Vec<RunnerLoad>,
    /// Completed and failed jobs per minute over the last hour, oldest minute first.
    pub throughput: Vec<MinuteThroughput>,
    /// Queued (created, due, re-queued or resumed) to claimed, for claims in the last hour.
    pub queue_wait: Percentiles,
    /// Claimed to finished, for jobs that completed or failed in the last hour.
    pub run_time: Percentiles,
}

impl From<runyard_persistence::usage::WorkspaceStats> for WorkspaceStats {
    fn from(s: runyard_persistence::usage::WorkspaceStats) -> Self {
        Self {
            at: Utc::now(),
            counts: s
                .counts
                .into_iter()
                .map(|(status, count)| StatusCount {
                    status: status.into(),
                    count,
                })
                .collect(),
            oldest_queued_seconds: s.oldest_queued_seconds,
            running_by_runner: s
                .running_by_runner
                .into_iter()
                .map(|r| RunnerLoad {
                    runner_id: r.runner_id,
                    name: r.name,
                    running: r.running,
                })
                .collect(),
            throughput: s
                .throughput
                .into_iter()
                .map(|m| MinuteThroughput {
                    minute: m.minute,
                    completed: m.completed,
                    failed: m.failed,
                })
                .collect(),
            queue_wait: s.queue_wait.into(),
            run_time: s.run_time.into(),
        }
    }
}
