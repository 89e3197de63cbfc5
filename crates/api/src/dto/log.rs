//! Log lines, as runners send them and as readers get them.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};

use super::Text;

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
    pub body: Text,
    pub level: Option<LogLevel>,
    /// The ordinal of the step the line belongs to.
    #[oai(validator(minimum(value = "0"), maximum(value = "2147483647")))]
    pub step_ordinal: Option<i64>,
    /// A JSON object kept with the line (values under secret-looking keys are redacted
    /// on reads).
    pub metadata: Option<serde_json::Value>,
}

/// How much a log line matters, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl From<LogLevel> for runyard_domain::LogLevel {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Debug => Self::Debug,
            LogLevel::Info => Self::Info,
            LogLevel::Warn => Self::Warn,
            LogLevel::Error => Self::Error,
        }
    }
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
    /// `debug`, `info`, `warn` or `error`, when the runner gave one.
    pub level: Option<String>,
    pub step_ordinal: Option<i32>,
    pub metadata: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl LogEntry {
    /// The line as users see it: metadata values under secret-looking keys redacted.
    pub fn new(l: runyard_persistence::LogRecord, redactor: &runyard_domain::Redactor) -> Self {
        Self {
            seq: l.seq,
            attempt: l.attempt,
            stream: l.stream,
            body: l.body,
            level: l.level,
            step_ordinal: l.step_ordinal,
            metadata: l.metadata.map(|m| runyard_domain::redact(m, redactor)),
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
