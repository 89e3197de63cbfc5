//! Errors as RFC 9457 problem details (`application/problem+json`) with a stable `code`.
//!
//! Handlers return [`ApiError`], whose variants put every error status in the spec.
//! Errors raised by the framework itself (unparseable input, missing auth header, an
//! unknown route, a body too large) are turned into the same shape by [`problem_for`],
//! so a client only ever sees one error format.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use runyard_persistence::StoreError;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail (RFC 9457).
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:runyard:problem:<code>`.
    #[oai(rename = "type")]
    pub problem_type: String,
    /// Short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, in words a person can act on.
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// The request field at fault, for input errors.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    /// The id of the request (as in its `X-Request-Id` response header), to find it in
    /// the server's log.
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("urn:runyard:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            field: None,
            request_id: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The problem as a complete HTTP response.
    pub fn into_http_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({
            "type": self.problem_type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "field": self.field,
        });
        let mut body = body;
        if let (None, Some(map)) = (&self.field, body.as_object_mut()) {
            map.remove("field");
        }
        Response::builder()
            .status(status)
            .content_type(PROBLEM_JSON)
            .body(body.to_string())
    }
}

/// Every error a Runyard endpoint answers with.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed: unparseable JSON, a parameter of the wrong type, an
    /// unknown field.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No token, or a token that is invalid, expired or signed with the wrong key.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// A member of the workspace without the role this needs.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// Absent, or in a workspace the caller is not a member of.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Illegal state transition, idempotency key reused with another payload, or a
    /// uniqueness rule broken.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The request body is larger than the server accepts.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The request body is not JSON.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// Well-formed, but a value breaks a rule; `field` names it.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// A workspace limit is reached (e.g. `max_queued_jobs`); try again later.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>),
    /// Something failed on the server; the detail is in its log.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The server cannot serve now: its database is unreachable (code
    /// `database_unavailable`). Try again after `Retry-After` seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(
        Json<Problem>,
        /// Seconds to wait before trying again.
        #[oai(header = "Retry-After")]
        u32,
    ),
}

/// The `Retry-After` of a `503 database_unavailable`, in seconds.
pub const RETRY_AFTER_SECONDS: u32 = 1;

impl ApiError {
    pub fn from_problem(p: Problem) -> Self {
        let j = Json(p.clone());
        match p.status {
            400 => Self::BadRequest(j),
            401 => Self::Unauthorized(j),
            403 => Self::Forbidden(j),
            404 => Self::NotFound(j),
            409 => Self::Conflict(j),
            413 => Self::PayloadTooLarge(j),
            415 => Self::UnsupportedMediaType(j),
            422 => Self::Unprocessable(j),
            429 => Self::TooManyRequests(j),
            503 => Self::Unavailable(j, RETRY_AFTER_SECONDS),
            _ => Self::Internal(j),
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::from_problem(Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            detail,
        ))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::from_problem(Problem::new(StatusCode::FORBIDDEN, "forbidden", detail))
    }

    pub fn not_found(what: &str) -> Self {
        Self::from_problem(Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        ))
    }

    pub fn conflict(code: &str, detail: impl Into<String>) -> Self {
        Self::from_problem(Problem::new(StatusCode::CONFLICT, code, detail))
    }

    pub fn invalid(err: runyard_domain::ValidationError) -> Self {
        Self::from_problem(
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                err.to_string(),
            )
            .with_field(err.field),
        )
    }

    pub fn invalid_field(field: &str, message: &str) -> Self {
        Self::invalid(runyard_domain::ValidationError::new(field, message))
    }

    pub fn internal(context: &str, err: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        Self::from_problem(Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle this request; see its log",
        ))
    }

    /// 503 `database_unavailable`: the database did not answer in time.
    pub fn database_unavailable(err: &dyn std::fmt::Display) -> Self {
        tracing::warn!(error = %err, "the database is unavailable");
        Self::from_problem(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is unavailable; try again later",
        ))
    }

    /// Maps a storage error; `what` names the resource for a 404.
    pub fn from_store(err: StoreError, what: &str) -> Self {
        if err.is_unavailable() {
            return Self::database_unavailable(&err);
        }
        match err {
            StoreError::NotFound => Self::not_found(what),
            StoreError::SlugTaken => {
                Self::conflict("slug_taken", "a workspace with this slug already exists")
            }
            StoreError::AlreadyMember => Self::conflict(
                "already_member",
                "the subject is already a member of this workspace",
            ),
            StoreError::LastOwner => {
                Self::conflict("last_owner", "a workspace must keep at least one owner")
            }
            StoreError::IdempotencyMismatch => Self::conflict(
                "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request",
            ),
            StoreError::Transition(t) => Self::conflict("illegal_transition", t.to_string()),
            StoreError::LeaseLost { attempt } => Self::conflict(
                "lease_lost",
                format!(
                    "this runner does not hold attempt {attempt} of the job: its lease expired \
                     and the job moved on, or the job was cancelled or finished"
                ),
            ),
            StoreError::LogConflict { seq } => Self::conflict(
                "log_seq_conflict",
                format!("log entry {seq} was already written with a different body"),
            ),
            StoreError::AiCallConflict { id } => Self::conflict(
                "ai_call_conflict",
                format!("model call {id} was already recorded with different content"),
            ),
            StoreError::UnknownReference { field } => Self::from_problem(
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_reference",
                    format!("{field} does not name an existing resource in this workspace"),
                )
                .with_field(field),
            ),
            StoreError::TaskTransition(t) => Self::conflict("illegal_transition", t.to_string()),
            StoreError::TaskClosed { .. } => Self::from_problem(
                Problem::new(StatusCode::CONFLICT, "task_closed", err.to_string())
                    .with_field("agent_task_id"),
            ),
            StoreError::TaskBusy { .. } => Self::conflict("task_busy", err.to_string()),
            StoreError::NotPausable(why) => Self::conflict("not_pausable", why),
            StoreError::NotAwaitingApproval => Self::conflict(
                "not_awaiting_approval",
                "the job is not waiting for an approval",
            ),
            StoreError::JobFinished { .. } => Self::conflict("job_finished", err.to_string()),
            StoreError::CommandNotFound => Self::not_found("command"),
            StoreError::NotSuspended { .. } => Self::conflict("not_suspended", err.to_string()),
            StoreError::QuotaExceeded { setting, .. } => Self::from_problem(
                Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "quota_exceeded",
                    format!("{err}; see the workspace setting {setting}"),
                )
                .with_field(format!("settings.{setting}")),
            ),
            StoreError::Database(e) => Self::internal("database error", &e),
        }
    }

    fn problem(&self) -> &Problem {
        match self {
            Self::BadRequest(p)
            | Self::Unauthorized(p)
            | Self::Forbidden(p)
            | Self::NotFound(p)
            | Self::Conflict(p)
            | Self::PayloadTooLarge(p)
            | Self::UnsupportedMediaType(p)
            | Self::Unprocessable(p)
            | Self::TooManyRequests(p)
            | Self::Internal(p)
            | Self::Unavailable(p, _) => &p.0,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.problem();
        write!(f, "{} {}: {}", p.status, p.code, p.detail)
    }
}

/// The problem for an error raised outside a handler (by the framework or middleware),
/// keeping its status and saying what the framework said.
pub fn problem_for(status: StatusCode, message: &str) -> Problem {
    let (code, detail) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", message.to_owned()),
        StatusCode::UNAUTHORIZED => (
            "unauthorized",
            "missing or malformed Authorization header: expected 'Bearer <token>'".to_owned(),
        ),
        StatusCode::NOT_FOUND => ("not_found", "no such route".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "method not allowed on this route".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", message.to_owned()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            format!("{message} (send 'Content-Type: application/json')"),
        ),
        s if s.is_server_error() => (
            "internal",
            "the server failed to handle this request".to_owned(),
        ),
        _ => ("error", message.to_owned()),
    };
    Problem::new(status, code, detail)
}

/// Turns any error that escaped a handler into a problem+json response. Responses that
/// already are problems (an [`ApiError`]) pass through unchanged.
pub async fn render_error(err: poem::Error) -> Response {
    let status = err.status();
    let message = err.to_string();
    let resp = err.into_response();
    let is_problem = resp
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return resp;
    }
    if status.is_server_error() {
        tracing::error!(%status, error = %message, "request failed");
    }
    problem_for(status, &message).into_http_response()
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        Self::from_store(e, "resource")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.into_http_response()
    }
}
