//! Runyard's HTTP API: typed endpoints (poem-openapi), bearer JWT auth, problem+json.
//!
//! [`app`] builds the whole HTTP application over an [`AppState`]; [`spec_json`] renders
//! the OpenAPI document without a database, for `cargo xtask openapi` and the drift test.

mod auth;
mod console;
mod cors;
mod dto;
mod error;
mod etag;
mod input;
mod metrics;
mod middleware;
mod otel;
mod request_id;
mod routes;
mod spec;
mod state;

pub use auth::{Audience, AuthConfig, AuthConfigError, Claims};
pub use cors::CorsOrigins;
pub use error::{ApiError, PROBLEM_JSON, Problem};
pub use metrics::Metrics;
pub use otel::{ExportHandle, Span, TraceContext, Tracer};
pub use request_id::RequestId;
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
    routes::UsageApi,
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
        routes::UsageApi {
            state: state.clone(),
        },
        routes::RunnerApi { state },
    );
    OpenApiService::new(apis, "Runyard", env!("CARGO_PKG_VERSION"))
        .license(
            poem_openapi::LicenseObject::new(env!("CARGO_PKG_LICENSE"))
                .url("https://www.apache.org/licenses/LICENSE-2.0"),
        )
        .description(format!(
            "Workspace-scoped control plane for runner jobs. Errors are application/problem+json \
         (RFC 9457) with a stable `code`. Authenticate with `Authorization: Bearer <JWT>`.{}",
            spec::RULES
        ))
}

/// The OpenAPI document, as served at `/openapi.json`.
pub fn spec_json() -> String {
    spec::finish(&service(Arc::new(AppState::for_spec())).spec())
}

/// Settings of the HTTP layer around the API.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Origins browsers may call the API from (CORS); none by default.
    pub cors_origins: CorsOrigins,
    /// When set, `/metrics` needs `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
}

/// The HTTP application with default [`HttpOptions`].
pub fn app(state: Arc<AppState>) -> impl Endpoint + 'static {
    app_with(state, HttpOptions::default())
}

/// The HTTP application: the web console at `/`, the API, `/openapi.json`, `/docs`,
/// `/metrics`, body limits, uniform errors, request ids, ETags, metrics and CORS.
pub fn app_with(state: Arc<AppState>, options: HttpOptions) -> impl Endpoint + 'static {
    let metrics = state.metrics.clone();
    let tracer = state.tracer.clone();
    let routes = Arc::new(metrics::RouteLabels::new(
        <Apis as poem_openapi::OpenApi>::meta()
            .into_iter()
            .flat_map(|api| api.paths)
            .map(|path| path.path),
    ));
    let table = Arc::new(input::RouteTable::new(
        <Apis as poem_openapi::OpenApi>::meta()
            .into_iter()
            .flat_map(|api| api.paths)
            .map(|path| {
                let methods = path
                    .operations
                    .iter()
                    .map(|op| {
                        let body = match &op.request {
                            Some(r)
                                if r.content.iter().any(|c| c.content_type.contains("json")) =>
                            {
                                if r.required {
                                    input::Body::Json
                                } else {
                                    input::Body::OptionalJson
                                }
                            }
                            _ => input::Body::Other,
                        };
                        (op.method.clone(), body)
                    })
                    .collect();
                (path.path, methods)
            }),
    ));
    let scrape = metrics::MetricsEndpoint::new(state.clone(), options.metrics_token.as_deref());
    let cors = Arc::new(options.cors_origins);
    let api = service(state);
    let document = spec::finish(&api.spec());
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder()
            .content_type("application/json")
            .body(document.clone())
    });
    let docs = api.swagger_ui();
    console::routes(Route::new())
        .at("/openapi.json", spec)
        .at("/metrics", poem::get(scrape))
        .nest("/docs", docs)
        .nest("/", api)
        .around(console::index)
        .around(move |next, req| input::check(next, req, table.clone()))
        // Erases the type built so far: the full stack's nesting is too deep for rustc.
        .boxed()
        .around(middleware::limit_body)
        .around(etag::etag)
        .around(middleware::log_request)
        .around(move |next, req| {
            metrics::record_http(next, req, metrics.clone(), routes.clone(), tracer.clone())
        })
        .catch_all_error(error::render_error)
        .around(move |next, req| cors::cors(next, req, cors.clone()))
        .around(request_id::request_id)
}
