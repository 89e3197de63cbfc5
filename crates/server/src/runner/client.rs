//! The runner protocol's HTTP calls (`/v1/runner/...`), their errors, and retrying the
//! transient ones.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::logs::LogEntry;

/// How long one job call (heartbeat, logs, complete, ...) may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one artifact upload may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);
/// How much longer than the long-poll a claim may take before we call it lost.
const CLAIM_GRACE: Duration = Duration::from_secs(15);

/// A job handed to this runner by `claim`.
#[derive(Debug, Clone, Deserialize)]
pub struct ClaimedJob {
    pub id: String,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(rename = "type")]
    pub job_type: String,
    #[serde(default)]
    pub payload: Value,
    pub attempt: u32,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    #[serde(default)]
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// What an earlier, paused run of the job's task handed back.
    #[serde(default)]
    pub resume_snapshot: Option<Value>,
    /// Where this run's log numbering starts (after what earlier runs wrote).
    #[serde(default = "first_log_seq")]
    pub next_log_seq: u64,
}

fn first_log_seq() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
struct ClaimResponse {
    jobs: Vec<ClaimedJob>,
}

/// The answer to a heartbeat.
#[derive(Debug, Clone, Deserialize)]
pub struct Heartbeat {
    #[serde(default)]
    pub lease_expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub cancel_requested: bool,
    #[serde(default)]
    pub pause_requested: bool,
}

/// Why a call did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// 409 `lease_lost` (or 404): the job is no longer ours; stop working on it.
    #[error("lease lost: {0}")]
    LeaseLost(String),
    /// 401: the runner token is invalid or revoked.
    #[error("the server rejected the runner token (401): {0}")]
    Unauthorized(String),
    /// Worth trying again: the request did not get through, timed out, or the server
    /// answered 5xx or 429.
    #[error("{0}")]
    Transient(String),
    /// Any other refusal; trying again would not help.
    #[error("{status}: {detail}")]
    Rejected {
        status: StatusCode,
        code: Option<String>,
        detail: String,
    },
}

impl CallError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_))
    }

    fn transport(e: reqwest::Error) -> Self {
        // `{:#}`-style: reqwest's top-level message hides the cause (e.g. "connection refused").
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transient(text)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Problem {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    detail: Option<String>,
}

/// A runner's connection to the server.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`), presenting
    /// `token` on every request.
    pub fn new(base_url: &str, token: &str) -> anyhow::Result<Self> {
        let base =
            Url::parse(base_url).with_context(|| format!("invalid server URL {base_url:?}"))?;
        match base.scheme() {
            "http" => {}
            "https" => anyhow::bail!(
                "{base_url}: this build of the runner speaks plain HTTP only (no TLS); \
                 use an http:// URL, e.g. through a local TLS-terminating proxy"
            ),
            other => anyhow::bail!("{base_url}: unsupported URL scheme {other:?}; use http://"),
        }
        if base.cannot_be_a_base() || base.host().is_none() {
            anyhow::bail!("{base_url}: not a server URL");
        }
        if token.trim().is_empty() {
            anyhow::bail!("the runner token is empty");
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
            .context("the runner token contains characters not allowed in a header")?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("runyard-runner/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .context("building the HTTP client")?;
        Ok(Self { http, base })
    }

    /// `base` + `segments`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn job_url(&self, job_id: &str, action: &[&str]) -> Url {
        let mut segments = vec!["v1", "runner", "jobs", job_id];
        segments.extend_from_slice(action);
        self.url(&segments)
    }

    /// Sends a request and sorts its outcome into success or a [`CallError`].
    async fn send(request: RequestBuilder) -> Result<Response, CallError> {
        let response = request.send().await.map_err(CallError::transport)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let problem: Problem = serde_json::from_str(&text).unwrap_or_default();
        let detail = problem.detail.clone().unwrap_or_else(|| {
            let text = text.trim();
            if text.is_empty() {
                status.canonical_reason().unwrap_or("error").to_owned()
            } else {
                text.chars().take(500).collect()
            }
        });
        Err(match status {
            StatusCode::UNAUTHORIZED => CallError::Unauthorized(detail),
            // The contract's code is `lease_lost`; any 409 but a log sequence clash means
            // the job is not (or no longer) ours.
            StatusCode::CONFLICT if problem.code.as_deref() != Some("log_seq_conflict") => {
                CallError::LeaseLost(detail)
            }
            StatusCode::TOO_MANY_REQUESTS => CallError::Transient(format!("{status}: {detail}")),
            s if s.is_server_error() => CallError::Transient(format!("{status}: {detail}")),
            _ => CallError::Rejected {
                status,
                code: problem.code,
                detail,
            },
        })
    }

    async fn post_job(
        &self,
        job_id: &str,
        action: &str,
        body: Value,
    ) -> Result<Response, CallError> {
        let request = self
            .http
            .post(self.job_url(job_id, &[action]))
            .timeout(CALL_TIMEOUT)
            .json(&body);
        Self::send(request).await.map_err(|e| match e {
            // Unknown job: as good as not ours.
            CallError::Rejected {
                status: StatusCode::NOT_FOUND,
                detail,
                ..
            } => CallError::LeaseLost(detail),
            other => other,
        })
    }

    /// `POST /v1/runner/claim`: up to `max_jobs` jobs, waiting up to `wait_seconds` for one.
    pub async fn claim(
        &self,
        max_jobs: usize,
        wait_seconds: u32,
    ) -> Result<Vec<ClaimedJob>, CallError> {
        let request = self
            .http
            .post(self.url(&["v1", "runner", "claim"]))
            .timeout(Duration::from_secs(u64::from(wait_seconds)) + CLAIM_GRACE)
            .json(&json!({ "max_jobs": max_jobs, "wait_seconds": wait_seconds }));
        let response = Self::send(request).await?;
        let claimed: ClaimResponse = response
            .json()
            .await
            .map_err(|e| CallError::Transient(format!("reading the claim response: {e}")))?;
        Ok(claimed.jobs)
    }

    /// `POST .../heartbeat`: extends the lease and says whether to stop.
    pub async fn heartbeat(&self, job_id: &str, attempt: u32) -> Result<Heartbeat, CallError> {
        let response = self
            .post_job(job_id, "heartbeat", json!({ "attempt": attempt }))
            .await?;
        response
            .json()
            .await
            .map_err(|e| CallError::Transient(format!("reading the heartbeat response: {e}")))
    }

    /// `POST .../logs`: appends entries; re-sending the same entries is a no-op.
    pub async fn append_logs(
        &self,
        job_id: &str,
        attempt: u32,
        entries: &[LogEntry],
    ) -> Result<(), CallError> {
        self.post_job(
            job_id,
            "logs",
            json!({ "attempt": attempt, "entries": entries }),
        )
        .await
        .map(drop)
    }

    /// `PUT .../artifacts/{name}?attempt=N` with the file at `path` as the body.
    pub async fn upload_artifact(
        &self,
        job_id: &str,
        attempt: u32,
        name: &str,
        path: &Path,
        content_type: &str,
    ) -> Result<(), CallError> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| CallError::Rejected {
                status: StatusCode::BAD_REQUEST,
                code: None,
                detail: format!("opening {}: {e}", path.display()),
            })?;
        let len = file
            .metadata()
            .await
            .map(|m| m.len())
            .map_err(|e| CallError::Transient(format!("reading {}: {e}", path.display())))?;
        let mut url = self.job_url(job_id, &["artifacts", name]);
        url.query_pairs_mut()
            .append_pair("attempt", &attempt.to_string());
        let request = self
            .http
            .put(url)
            .timeout(UPLOAD_TIMEOUT)
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, len)
            .body(reqwest::Body::from(file));
        Self::send(request).await.map(drop)
    }

    /// `POST .../complete`.
    pub async fn complete(
        &self,
        job_id: &str,
        attempt: u32,
        result: &Value,
    ) -> Result<(), CallError> {
        self.post_job(
            job_id,
            "complete",
            json!({ "attempt": attempt, "result": result }),
        )
        .await
        .map(drop)
    }

    /// `POST .../fail`.
    pub async fn fail(
        &self,
        job_id: &str,
        attempt: u32,
        error: &str,
        retryable: bool,
    ) -> Result<(), CallError> {
        self.post_job(
            job_id,
            "fail",
            json!({ "attempt": attempt, "error": error, "retryable": retryable }),
        )
        .await
        .map(drop)
    }

    /// `POST .../release`: hands the job back to the queue without using up the attempt.
    pub async fn release(&self, job_id: &str, attempt: u32) -> Result<(), CallError> {
        self.post_job(job_id, "release", json!({ "attempt": attempt }))
            .await
            .map(drop)
    }

    /// `POST .../paused`: hands the job back with the snapshot to resume from.
    pub async fn paused(
        &self,
        job_id: &str,
        attempt: u32,
        snapshot: &Value,
    ) -> Result<(), CallError> {
        self.post_job(
            job_id,
            "paused",
            json!({ "attempt": attempt, "snapshot": snapshot }),
        )
        .await
        .map(drop)
    }
}

/// Capped exponential backoff.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max,
            next: first,
        }
    }

    /// The delay to wait now; doubles the next one, up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

/// Calls `f` until it succeeds, fails for good, or `deadline` passes, sleeping with
/// backoff between transient failures.
pub async fn retrying<T, F, Fut>(what: &str, deadline: Instant, mut f: F) -> Result<T, CallError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, CallError>>,
{
    let mut backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(5));
    loop {
        match f().await {
            Err(e) if e.is_transient() => {
                let delay = backoff.next_delay();
                if Instant::now() + delay >= deadline {
                    return Err(e);
                }
                tracing::warn!(error = %e, retry_in = ?delay, "{what} failed; retrying");
                tokio::time::sleep(delay).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_from_the_base_and_encoded() {
        let client = Client::new("http://127.0.0.1:8080", "t").expect("client");
        assert_eq!(
            client.url(&["v1", "runner", "claim"]).as_str(),
            "http://127.0.0.1:8080/v1/runner/claim"
        );
        let client = Client::new("http://example.test/prefix/", "t").expect("client");
        assert_eq!(
            client
                .job_url("j1", &["artifacts", "my report #1?.txt"])
                .as_str(),
            "http://example.test/prefix/v1/runner/jobs/j1/artifacts/my%20report%20%231%3F.txt"
        );
    }

    #[test]
    fn bad_urls_and_tokens_are_refused_up_front() {
        assert!(Client::new("127.0.0.1:8080", "t").is_err());
        assert!(Client::new("https://example.test", "t").is_err());
        assert!(Client::new("http://example.test", " ").is_err());
        assert!(Client::new("http://example.test", "bad\ntoken").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let delays: Vec<u64> = (0..7).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 30, 30]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_secs(1));
    }

    #[test]
    fn claimed_jobs_parse_with_optional_fields_missing() {
        let job: ClaimedJob = serde_json::from_value(json!({
            "id": "0190", "type": "command", "attempt": 2,
            "lease_expires_at": "2030-01-01T00:00:00Z"
        }))
        .expect("parse");
        assert_eq!(job.attempt, 2);
        assert_eq!(job.payload, Value::Null);
        assert!(job.lease_expires_at.is_some());
    }
}
