//! Workspaces, their settings and members.

use chrono::{DateTime, Utc};
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Enum, Object};
use runyard_persistence::{MemberRecord, WorkspaceRecord};
use uuid::Uuid;

use super::Text;

/// A member's role, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
    Viewer,
}

impl From<runyard_domain::Role> for Role {
    fn from(r: runyard_domain::Role) -> Self {
        match r {
            runyard_domain::Role::Owner => Self::Owner,
            runyard_domain::Role::Admin => Self::Admin,
            runyard_domain::Role::Member => Self::Member,
            runyard_domain::Role::Viewer => Self::Viewer,
        }
    }
}

impl From<Role> for runyard_domain::Role {
    fn from(r: Role) -> Self {
        match r {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Member => Self::Member,
            Role::Viewer => Self::Viewer,
        }
    }
}

/// Create a workspace; the caller becomes its owner.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct CreateWorkspace {
    /// Display name.
    pub name: Text,
    /// Unique, URL-safe: 3–63 of `a-z 0-9 -`, starting with a letter.
    pub slug: Text,
}

#[derive(Object)]
pub struct Workspace {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub settings: WorkspaceSettings,
    /// The caller's role here.
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Workspace {
    pub fn new(w: WorkspaceRecord, role: runyard_domain::Role) -> Self {
        Self {
            id: w.id,
            slug: w.slug,
            name: w.name,
            settings: runyard_domain::WorkspaceSettings::from_json(&w.settings).into(),
            role: role.into(),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Object)]
pub struct WorkspaceList {
    pub items: Vec<Workspace>,
    pub next_cursor: Option<String>,
}

/// Add a member.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct AddMember {
    /// The member's JWT `sub`.
    pub subject: Text,
    pub role: Role,
}

#[derive(Object)]
pub struct Member {
    pub subject: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl From<MemberRecord> for Member {
    fn from(m: MemberRecord) -> Self {
        Self {
            subject: m.subject,
            role: m.role.into(),
            created_at: m.created_at,
        }
    }
}

#[derive(Object)]
pub struct MemberList {
    pub items: Vec<Member>,
    pub next_cursor: Option<String>,
}

/// A workspace's limits and sweeps. Absent (null) means no limit / off.
#[derive(Object)]
pub struct WorkspaceSettings {
    /// Pause active agent tasks after this many seconds without activity (no job event
    /// or log line); heartbeats alone are not activity.
    pub auto_pause_after_seconds: Option<i64>,
    /// At most this many jobs RUNNING at once; claims hand out no more until some finish.
    pub max_running_jobs: Option<i64>,
    /// At most this many jobs QUEUED or PENDING; enqueues past it get 429.
    pub max_queued_jobs: Option<i64>,
    /// Finished jobs (with steps, logs, artifacts, events) are deleted this many days
    /// after they finished.
    pub retention_days: Option<i64>,
    /// At most this many bytes of artifact content in the workspace; uploads past it get
    /// 429.
    pub max_artifact_bytes: Option<i64>,
    /// Values under object keys matching this regular expression (case-insensitive,
    /// anywhere in the key, at any depth) are shown to users as `"[redacted]"`.
    pub redact_pattern: String,
}

impl From<runyard_domain::WorkspaceSettings> for WorkspaceSettings {
    fn from(s: runyard_domain::WorkspaceSettings) -> Self {
        Self {
            auto_pause_after_seconds: s.auto_pause_after_seconds,
            max_running_jobs: s.max_running_jobs,
            max_queued_jobs: s.max_queued_jobs,
            retention_days: s.retention_days,
            max_artifact_bytes: s.max_artifact_bytes,
            redact_pattern: s
                .redact_pattern
                .unwrap_or_else(|| runyard_domain::DEFAULT_REDACT_PATTERN.to_owned()),
        }
    }
}

/// Changes to a workspace's settings: a value sets, `null` clears, absent keeps.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct WorkspaceSettingsPatch {
    /// 1–2592000 seconds.
    pub auto_pause_after_seconds: MaybeUndefined<i64>,
    /// 0–100000000.
    pub max_running_jobs: MaybeUndefined<i64>,
    /// 0–100000000.
    pub max_queued_jobs: MaybeUndefined<i64>,
    /// 1–36500 days.
    pub retention_days: MaybeUndefined<i64>,
    /// 0–1125899906842624 bytes.
    pub max_artifact_bytes: MaybeUndefined<i64>,
    /// A regular expression for secret-looking keys; `null` restores the default.
    pub redact_pattern: MaybeUndefined<Text>,
}

/// Rename a workspace and/or change its settings (admin).
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateWorkspace {
    pub name: Option<Text>,
    pub settings: Option<WorkspaceSettingsPatch>,
}
