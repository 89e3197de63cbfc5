//! Request ids: every request gets one (the caller's `X-Request-Id` when it is sane, a
//! fresh UUIDv7 otherwise), runs inside a tracing span carrying it, and every response
//! echoes it, problems also in their body (`request_id`).

use poem::http::{HeaderName, HeaderValue};
use poem::{Endpoint, Request, Response};
use tracing::Instrument;

use crate::error::PROBLEM_JSON;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served, in the request's data.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Whether a caller-supplied id is safe to log and echo: 1 to 128 of `[A-Za-z0-9._-]`.
fn is_sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub(crate) async fn request_id<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.set_data(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id);
    let mut resp = next.get_response(req).instrument(span).await;
    let is_problem = resp
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        resp = with_id_in_problem(resp, &id).await;
    }
    let value = HeaderValue::from_str(&id).expect("a sane id is a valid header value");
    resp.headers_mut().insert(X_REQUEST_ID, value);
    Ok(resp)
}

/// Adds `request_id` to a problem body. Bodies that are not a JSON object (e.g. the empty
/// body of a HEAD request) are left alone.
async fn with_id_in_problem(resp: Response, id: &str) -> Response {
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = body.into_bytes().await else {
        return Response::from_parts(parts, poem::Body::empty());
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("request_id".into(), id.into());
            serde_json::Value::Object(problem).to_string().into()
        }
        _ => bytes,
    };
    let mut resp = Response::from_parts(parts, poem::Body::from(body));
    resp.headers_mut()
        .remove(poem::http::header::CONTENT_LENGTH);
    resp
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use poem::EndpointExt;
    use poem::http::StatusCode;

    use super::*;

    #[test]
    fn sane_ids_are_short_and_plain() {
        assert!(is_sane("abc-DEF_1.2"));
        assert!(is_sane(&"a".repeat(128)));
        assert!(!is_sane(""));
        assert!(!is_sane(&"a".repeat(129)));
        assert!(!is_sane("has space"));
        assert!(!is_sane("semi;colon"));
        assert!(!is_sane("ünï"));
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn every_log_line_of_a_request_carries_its_id() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = poem::endpoint::make(|_| async {
            tracing::info!("first line");
            tracing::warn!("second line");
            StatusCode::NOT_FOUND
        })
        .around(request_id);
        let req = Request::builder().header("x-request-id", "req-42").finish();
        let resp = app.call(req).await.unwrap();
        assert_eq!(resp.headers()["x-request-id"], "req-42");
        let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<_> = logged.lines().collect();
        assert_eq!(lines.len(), 2, "{logged}");
        for line in lines {
            assert!(line.contains("request_id=req-42"), "{line}");
        }
    }
}
