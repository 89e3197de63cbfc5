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
