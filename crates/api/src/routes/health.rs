//! Liveness and readiness.

use std::sync::Arc;

use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use super::Tag;
use crate::dto;
use crate::state::AppState;

/// How long `/readyz` waits for the database.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

pub struct HealthApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
enum ReadyResponse {
    /// The database answers and its schema is current.
    #[oai(status = 200)]
    Ready(Json<dto::Readiness>),
    /// The database does not answer, its schema is not the expected one, or an applied
    /// migration changed since it was applied or is unknown (`schema_problems`).
    #[oai(status = 503)]
    NotReady(Json<dto::Readiness>),
}

#[OpenApi(tag = "Tag::Health")]
impl HealthApi {
    /// Liveness: the process answers.
    #[oai(path = "/healthz", method = "get", operation_id = "getLiveness")]
    async fn healthz(&self) -> Json<dto::Health> {
        Json(dto::Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        })
    }

    /// Readiness: the database answers, is migrated to the version this server expects,
    /// and its applied migrations are the ones this server was built with.
    #[oai(path = "/readyz", method = "get", operation_id = "getReadiness")]
    async fn readyz(&self) -> ReadyResponse {
        let expected = self.state.expected_schema_version.clone();
        // A database that is away must not hold the answer up for the pool's acquire
        // timeout: load balancers and orchestrators want it at once.
        let applied = tokio::time::timeout(READY_TIMEOUT, self.state.db.applied_migrations());
        let (database, applied) = match applied.await {
            Ok(Ok(applied)) => ("ok".to_owned(), applied),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness check failed");
                ("unreachable".to_owned(), Vec::new())
            }
            Err(_) => {
                tracing::warn!(timeout = ?READY_TIMEOUT, "readiness check timed out");
                ("unreachable".to_owned(), Vec::new())
            }
        };
        let schema_version = applied.iter().map(|(name, _)| name.clone()).max();
        let schema_problems: Vec<String> =
            runyard_domain::migration_drift(&self.state.built_migrations, &applied)
                .iter()
                .map(ToString::to_string)
                .collect();
        let ready = database == "ok"
            && schema_version.as_deref() == Some(expected.as_str())
            && schema_problems.is_empty();
        let body = dto::Readiness {
            status: if ready { "ready" } else { "not_ready" }.into(),
            database,
            schema_version,
            expected_schema_version: expected,
            schema_problems,
        };
        if ready {
            ReadyResponse::Ready(Json(body))
        } else {
            ReadyResponse::NotReady(Json(body))
        }
    }
}
