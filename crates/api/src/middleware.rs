//! HTTP middleware: request body limits and request logging.

use std::time::Instant;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::error::Problem;
use crate::{MAX_ARTIFACT_BYTES, MAX_BODY_BYTES};

fn too_large(max: usize) -> poem::Error {
    let problem = Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body exceeds {max} bytes"),
    );
    poem::Error::from_response(problem.into_http_response())
}

/// Refuses bodies over [`MAX_BODY_BYTES`] ([`MAX_ARTIFACT_BYTES`] for artifact uploads)
/// with 413, whether or not they declare a length.
pub(crate) async fn limit_body<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let max = if req.method() == poem::http::Method::PUT && req.uri().path().contains("/artifacts/")
    {
        MAX_ARTIFACT_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > max as u64 => return Err(too_large(max)),
        Some(_) => {}
        None if req
            .headers()
            .contains_key(poem::http::header::TRANSFER_ENCODING) =>
        {
            let body = req
                .take_body()
                .into_bytes_limit(max)
                .await
                .map_err(|e| match e {
                    poem::error::ReadBodyError::PayloadTooLarge => too_large(max),
                    other => other.into(),
                })?;
            req.set_body(body);
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}

/// Logs each request's method, path, status and duration.
pub(crate) async fn log_request<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let result = next.call(req).await.map(IntoResponse::into_response);
    let status = match &result {
        Ok(resp) => resp.status(),
        Err(err) => err.status(),
    };
    tracing::info!(
        target: "runyard::http",
        %method, %path, status = status.as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    result
}
