//! Liveness and readiness.

use poem_openapi::Object;

/// Service liveness.
#[derive(Object)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: String,
    pub version: String,
}

/// Readiness: whether the database answers and its schema is the one this server expects.
#[derive(Object)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: String,
    pub database: String,
    /// The newest migration applied to the database, if any.
    pub schema_version: Option<String>,
    /// The newest migration this server knows.
    pub expected_schema_version: String,
    /// Applied migrations that do not match this server: changed since they were applied
    /// (both checksums named) or unknown to it. Not ready while any is listed.
    pub schema_problems: Vec<String>,
}
