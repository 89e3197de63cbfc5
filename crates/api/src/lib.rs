//! Runyard's HTTP API: typed endpoints (poem-openapi), bearer JWT auth, problem+json.
//!
//! [`app`] builds the whole HTTP application over an [`AppState`]; [`spec_json`] renders
//! the OpenAPI document without a database, for `cargo xtask openapi` and the drift test.

mod auth;
mod dto;
mod error;
mod middleware;
mod routes;
mod state;

pub use auth::{AuthConfig, AuthConfigError, Claims};
pub use error::{ApiError, PROBLEM_JSON, Problem};
pub use state::{AppState, Background, QueueConfig};

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Largest artifact a runner may upload, in bytes.
pub const MAX_ARTIFACT_BYTES: usize = 32 * 1024 * 1024;

type Apis = (
    routes::HealthApi,
    routes::WorkspacesApi,
    routes::JobsApi,
    routes::RunnersApi,
    routes::TasksApi,
    routes::EventsApi,
    routes::RunnerApi,
);

fn service(state: Arc<AppState>) -> OpenApiService<Apis, ()> {
    let apis = (
        routes::HealthApi {
            state: state.clone(),
        },
        routes::WorkspacesApi {
            state: state.clone(),
        },
        routes::JobsApi {
            state: state.clone(),
        },
        routes::RunnersApi {
            state: state.clone(),
        },
        routes::TasksApi {
            state: state.clone(),
        },
        routes::EventsApi {
            state: state.clone(),
        },
        routes::RunnerApi { state },
    );
    OpenApiService::new(apis, "Runyard", env!("CARGO_PKG_VERSION")).description(
        "Workspace-scoped control plane for runner jobs. Errors are application/problem+json \
         (RFC 9457) with a stable `code`. Authenticate with `Authorization: Bearer <JWT>`.",
    )
}

/// The OpenAPI document, as served at `/openapi.json`.
pub fn spec_json() -> String {
    service(Arc::new(AppState::for_spec())).spec()
}

/// The HTTP application: the API, `/openapi.json`, `/docs`, body limits and uniform errors.
pub fn app(state: Arc<AppState>) -> impl Endpoint + 'static {
    let api = service(state);
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    Route::new()
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .nest("/", api)
        .around(middleware::limit_body)
        .around(middleware::log_request)
        .catch_all_error(error::render_error)
}
