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
    /// The database does not answer, or its schema is not the expected one.
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

    /// Readiness: the database answers and is migrated to the version this server expects.
    #[oai(path = "/readyz", method = "get", operation_id = "getReadiness")]
    async fn readyz(&self) -> ReadyResponse {
        let expected = self.state.expected_schema_version.clone();
        // A database that is away must not hold the answer up for the pool's acquire
        // timeout: load balancers and orchestrators want it at once.
        let version = tokio::time::timeout(READY_TIMEOUT, self.state.db.schema_version());
        let (database, schema_version) = match version.await {
            Ok(Ok(v)) => ("ok".to_owned(), v),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness check failed");
                ("unreachable".to_owned(), None)
            }
            Err(_) => {
                tracing::warn!(timeout = ?READY_TIMEOUT, "readiness check timed out");
                ("unreachable".to_owned(), None)
            }
        };
        let ready = database == "ok" && schema_version.as_deref() == Some(expected.as_str());
        let body = dto::Readiness {
            status: if ready { "ready" } else { "not_ready" }.into(),
            database,
            schema_version,
            expected_schema_version: expected,
        };
        if ready {
            ReadyResponse::Ready(Json(body))
        } else {
            ReadyResponse::NotReady(Json(body))
        }
    }
}
