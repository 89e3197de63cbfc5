//! Artifacts a runner uploaded.

use chrono::{DateTime, Utc};
use poem_openapi::Object;

#[derive(Object)]
pub struct Artifact {
    pub name: String,
    /// The attempt that uploaded it.
    pub attempt: i32,
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// `uploaded`, or `skipped`: declared but not produced (no content; see
    /// `skip_reason`).
    pub status: String,
    pub skip_reason: Option<String>,
    /// The ordinal of the step that produced (or skipped) it.
    pub step_ordinal: Option<i32>,
    /// A JSON object kept with the artifact.
    pub metadata: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl Artifact {
    /// The artifact as users see it: metadata values under secret-looking keys redacted.
    pub fn new(
        a: runyard_persistence::ArtifactRecord,
        redactor: &runyard_domain::Redactor,
    ) -> Self {
        Self {
            name: a.name,
            attempt: a.attempt,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            status: a.status,
            skip_reason: a.skip_reason,
            step_ordinal: a.step_ordinal,
            metadata: a.metadata.map(|m| runyard_domain::redact(m, redactor)),
            created_at: a.created_at,
        }
    }
}

/// An artifact the job declared but did not produce.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct SkipArtifact {
    pub attempt: i32,
    /// Why it is missing, 1–1000 characters.
    pub reason: super::Text,
    #[oai(validator(minimum(value = "0"), maximum(value = "2147483647")))]
    pub step_ordinal: Option<i64>,
    /// A JSON object kept with the artifact.
    pub metadata: Option<serde_json::Value>,
}

#[derive(Object)]
pub struct ArtifactList {
    pub items: Vec<Artifact>,
    pub next_cursor: Option<String>,
}
