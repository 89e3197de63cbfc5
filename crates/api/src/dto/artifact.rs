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
    pub created_at: DateTime<Utc>,
}

impl From<runyard_persistence::ArtifactRecord> for Artifact {
    fn from(a: runyard_persistence::ArtifactRecord) -> Self {
        Self {
            name: a.name,
            attempt: a.attempt,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

#[derive(Object)]
pub struct ArtifactList {
    pub items: Vec<Artifact>,
    pub next_cursor: Option<String>,
}
