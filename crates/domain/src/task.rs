//! Agent tasks: their lifecycle, pauses, and the workspace settings that govern them.

use crate::ValidationError;
use crate::str_enum::str_enum;

str_enum!(
    /// Where an agent task is. A pause is first *requested* (the task stays `Active` while
    /// its running jobs hand back snapshots) and the task is `Paused` once none of them runs.
    pub enum TaskStatus {
        Active = "active",
        Paused = "paused",
        Completed = "completed",
        Failed = "failed",
        Cancelled = "cancelled",
    }
);

impl TaskStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// Whether a task may go from `self` to `to`.
    pub fn can_become(self, to: TaskStatus) -> bool {
        use TaskStatus::*;
        matches!(
            (self, to),
            (Active, Paused | Completed | Failed | Cancelled)
                | (Paused, Active | Completed | Failed | Cancelled)
        )
    }

    /// The checked transition: `to`, or a typed error naming both ends.
    pub fn transition(self, to: TaskStatus) -> Result<TaskStatus, TaskTransitionError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(TaskTransitionError { from: self, to })
        }
    }
}

/// An illegal task status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a task cannot go from {from} to {to}")]
pub struct TaskTransitionError {
    pub from: TaskStatus,
    pub to: TaskStatus,
}

str_enum!(
    /// Who paused a task: a user, or the auto-pause sweeper after inactivity.
    pub enum PauseKind {
        Manual = "manual",
        Auto = "auto",
    }
);

impl PauseKind {
    /// The event recorded when a task pauses this way.
    pub fn event_type(self) -> &'static str {
        match self {
            PauseKind::Manual => task_event_type::MANUAL_PAUSE,
            PauseKind::Auto => task_event_type::AUTO_PAUSE,
        }
    }
}

/// The `type` of each task lifecycle event (also recorded on the jobs they affect).
pub mod task_event_type {
    pub const CREATED: &str = "task_created";
    pub const PAUSE_REQUESTED: &str = "task_pause_requested";
    pub const MANUAL_PAUSE: &str = "task_manual_pause";
    pub const AUTO_PAUSE: &str = "task_auto_pause";
    pub const RESUME: &str = "task_resume";
    pub const COMPLETED: &str = "task_completed";
    pub const FAILED: &str = "task_failed";
    pub const CANCELLED: &str = "task_cancelled";
}

/// A task's title: 1..=200 characters, not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskTitle(String);

impl TaskTitle {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::new("title", "must not be blank"));
        }
        if trimmed.chars().count() > 200 {
            return Err(ValidationError::new(
                "title",
                "must be at most 200 characters",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A workspace's operational settings. Absent means "no limit" / "off".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceSettings {
    /// Pause active tasks after this many seconds without activity.
    pub auto_pause_after_seconds: Option<i64>,
    /// At most this many jobs RUNNING at once; claims hand out no more.
    pub max_running_jobs: Option<i64>,
    /// At most this many jobs QUEUED or PENDING; enqueues past it are refused.
    pub max_queued_jobs: Option<i64>,
    /// Delete finished jobs (with steps, logs, artifacts, events) this many days old.
    pub retention_days: Option<i64>,
    /// At most this many bytes of artifact content in the workspace; uploads past it are
    /// refused.
    pub max_artifact_bytes: Option<i64>,
    /// Values under keys matching this (case-insensitive) regular expression are shown
    /// as `"[redacted]"`; absent means [`crate::DEFAULT_REDACT_PATTERN`]. Checked by
    /// [`crate::Redactor::parse`] before it is stored.
    pub redact_pattern: Option<String>,
}

impl WorkspaceSettings {
    /// The setting names, as stored and as sent over the API.
    pub const AUTO_PAUSE_AFTER_SECONDS: &'static str = "auto_pause_after_seconds";
    pub const MAX_RUNNING_JOBS: &'static str = "max_running_jobs";
    pub const MAX_QUEUED_JOBS: &'static str = "max_queued_jobs";
    pub const RETENTION_DAYS: &'static str = "retention_days";
    pub const REDACT_PATTERN: &'static str = "redact_pattern";
    pub const MAX_ARTIFACT_BYTES: &'static str = "max_artifact_bytes";

    /// Reads settings as stored (unknown keys and malformed values are ignored).
    pub fn from_json(value: &serde_json::Value) -> Self {
        let get = |key: &str| value.get(key).and_then(serde_json::Value::as_i64);
        Self {
            auto_pause_after_seconds: get(Self::AUTO_PAUSE_AFTER_SECONDS),
            max_running_jobs: get(Self::MAX_RUNNING_JOBS),
            max_queued_jobs: get(Self::MAX_QUEUED_JOBS),
            retention_days: get(Self::RETENTION_DAYS),
            max_artifact_bytes: get(Self::MAX_ARTIFACT_BYTES),
            redact_pattern: value
                .get(Self::REDACT_PATTERN)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
        }
    }

    /// What hides secrets from this workspace's users.
    pub fn redactor(&self) -> crate::Redactor {
        crate::Redactor::for_pattern(self.redact_pattern.as_deref())
    }

    /// The settings as stored; absent settings are left out.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (key, value) in [
            (
                Self::AUTO_PAUSE_AFTER_SECONDS,
                self.auto_pause_after_seconds,
            ),
            (Self::MAX_RUNNING_JOBS, self.max_running_jobs),
            (Self::MAX_QUEUED_JOBS, self.max_queued_jobs),
            (Self::RETENTION_DAYS, self.retention_days),
            (Self::MAX_ARTIFACT_BYTES, self.max_artifact_bytes),
        ] {
            if let Some(v) = value {
                map.insert(key.to_owned(), v.into());
            }
        }
        if let Some(pattern) = &self.redact_pattern {
            map.insert(Self::REDACT_PATTERN.to_owned(), pattern.clone().into());
        }
        serde_json::Value::Object(map)
    }

    /// Checks a setting's value: whole numbers within sane bounds.
    pub fn check(key: &'static str, value: i64) -> Result<i64, ValidationError> {
        let (min, max) = match key {
            Self::AUTO_PAUSE_AFTER_SECONDS => (1, 30 * 24 * 3600),
            Self::MAX_RUNNING_JOBS | Self::MAX_QUEUED_JOBS => (0, 100_000_000),
            Self::RETENTION_DAYS => (1, 36_500),
            Self::MAX_ARTIFACT_BYTES => (0, 1 << 50),
            _ => return Err(ValidationError::new(key, "is not a known setting")),
        };
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(ValidationError::new(
                format!("settings.{key}"),
                format!("must be between {min} and {max}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_transitions_follow_the_lifecycle() {
        use TaskStatus::*;
        assert!(Active.can_become(Paused));
        assert!(Paused.can_become(Active));
        assert!(Paused.can_become(Cancelled));
        for terminal in [Completed, Failed, Cancelled] {
            assert!(terminal.is_terminal());
            for to in TaskStatus::ALL {
                assert!(!terminal.can_become(to), "{terminal} -> {to}");
            }
        }
        assert_eq!(
            Completed.transition(Active).unwrap_err().to_string(),
            "a task cannot go from completed to active"
        );
    }

    #[test]
    fn settings_round_trip_and_ignore_junk() {
        let s = WorkspaceSettings {
            max_running_jobs: Some(2),
            retention_days: Some(7),
            redact_pattern: Some("^x_".to_owned()),
            ..Default::default()
        };
        assert_eq!(WorkspaceSettings::from_json(&s.to_json()), s);
        let junk = serde_json::json!({"max_queued_jobs": "ten", "other": 1});
        assert_eq!(
            WorkspaceSettings::from_json(&junk),
            WorkspaceSettings::default()
        );
        assert!(WorkspaceSettings::check(WorkspaceSettings::RETENTION_DAYS, 0).is_err());
        assert_eq!(
            WorkspaceSettings::check(WorkspaceSettings::MAX_RUNNING_JOBS, 0).unwrap(),
            0
        );
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(TaskTitle::parse("  fix it ").unwrap().as_str(), "fix it");
        assert!(TaskTitle::parse("   ").is_err());
        assert!(TaskTitle::parse(&"x".repeat(201)).is_err());
    }
}
