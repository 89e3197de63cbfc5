//! Registered runners.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use super::Text;

/// Register a runner.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RegisterRunner {
    pub name: Text,
    /// The runner claims only jobs whose labels are all among these.
    pub labels: Option<Vec<Text>>,
}

#[derive(Object)]
pub struct Runner {
    pub id: Uuid,
    pub name: String,
    pub labels: Vec<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<runyard_persistence::RunnerRecord> for Runner {
    fn from(r: runyard_persistence::RunnerRecord) -> Self {
        Self {
            id: r.id,
            name: r.name,
            labels: r.labels,
            created_by: r.created_by,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            revoked_at: r.revoked_at,
        }
    }
}

/// A registered runner and its token. The token is shown this once.
#[derive(Object)]
pub struct RunnerRegistered {
    pub runner: Runner,
    /// Bearer token for `/v1/runner/*`.
    pub token: String,
}

#[derive(Object)]
pub struct RunnerList {
    pub items: Vec<Runner>,
    pub next_cursor: Option<String>,
}
