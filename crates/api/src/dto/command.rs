//! Commands sent to a running (or suspended, or waiting) job and acknowledged by its runner.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use runyard_persistence::CommandRecord;

use super::Text;

/// Where a command is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum CommandStatus {
    /// Not handed to a runner yet.
    Pending,
    /// Handed to an attempt, not acknowledged (handed again to each new attempt).
    Delivered,
    /// Acknowledged by the runner.
    Acked,
    /// The job finished before the command was acknowledged.
    Expired,
}

impl From<runyard_domain::CommandStatus> for CommandStatus {
    fn from(s: runyard_domain::CommandStatus) -> Self {
        use runyard_domain::CommandStatus as D;
        match s {
            D::Pending => Self::Pending,
            D::Delivered => Self::Delivered,
            D::Acked => Self::Acked,
            D::Expired => Self::Expired,
        }
    }
}

/// Send a command to a job.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SendCommand {
    /// What kind of command, 1–100 characters (e.g. `user_turn`, `steer`).
    #[oai(rename = "type")]
    pub command_type: Text,
    /// Free-form content, up to 64 KiB of JSON (default `{}`).
    pub payload: Option<serde_json::Value>,
}

/// A command sent to a job. `seq` is gap-free and increasing per job.
#[derive(Object)]
pub struct Command {
    pub seq: i64,
    #[oai(rename = "type")]
    pub command_type: String,
    pub payload: serde_json::Value,
    pub status: CommandStatus,
    /// Who sent it: `user:<sub>`.
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The attempt it was last handed to, and when.
    pub delivered_attempt: Option<i32>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// The attempt that acknowledged it, and when.
    pub acked_attempt: Option<i32>,
    pub acked_at: Option<DateTime<Utc>>,
    /// What the runner answered with its acknowledgement.
    pub result: Option<serde_json::Value>,
}

impl Command {
    /// The command as users see it: values under secret-looking keys of its payload and
    /// result redacted.
    pub fn new(c: CommandRecord, redactor: &runyard_domain::Redactor) -> Self {
        let redact = |v| runyard_domain::redact(v, redactor);
        let real = Self::for_runner(c);
        Self {
            payload: redact(real.payload),
            result: real.result.map(redact),
            ..real
        }
    }

    /// The command as the runner holding its job receives it: the real payload.
    pub fn for_runner(c: CommandRecord) -> Self {
        Self {
            seq: c.seq,
            command_type: c.command_type,
            payload: c.payload,
            status: c.status.into(),
            created_by: c.created_by,
            created_at: c.created_at,
            delivered_attempt: c.delivered_attempt,
            delivered_at: c.delivered_at,
            acked_attempt: c.acked_attempt,
            acked_at: c.acked_at,
            result: c.result,
        }
    }
}

#[derive(Object)]
pub struct CommandList {
    pub items: Vec<Command>,
    /// Pass as `after_seq` for the next page; null when this page is the last for now.
    pub next_cursor: Option<String>,
}

/// Commands for the runner, in seq order.
#[derive(Object)]
pub struct RunnerCommands {
    pub commands: Vec<Command>,
}

/// Acknowledge a command.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AckCommand {
    pub attempt: i32,
    /// What came of it; shown with the command.
    pub result: Option<serde_json::Value>,
}
