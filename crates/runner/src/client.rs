//! The runner protocol's calls (`/v1/runner/...`) over the API client, their errors as the
//! runner acts on them, and retrying the transient ones.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use runyard_client::reqwest::{Body, StatusCode};
use runyard_client::{
    AiCallBatch, AiCallIn, CompleteRequest, ConfigError, Error, FailRequest, HeartbeatRequest,
    HeartbeatResponse, LogBatch, LogEntryIn, PausedRequest, ReleaseRequest,
};
use serde_json::Value;
use tokio::time::Instant;

pub use runyard_client::ClaimedJob;

/// How long one job call (heartbeat, logs, complete, ...) may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a call did not succeed, as the runner acts on it.
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
}

impl From<Error> for CallError {
    fn from(e: Error) -> Self {
        match e {
            Error::Transport { source, .. } => {
                // `{:#}`-style: reqwest's top-level message hides the cause (e.g. "connection
                // refused").
                let mut text = source.to_string();
                let mut cause = std::error::Error::source(&source);
                while let Some(next) = cause {
                    text.push_str(": ");
                    text.push_str(&next.to_string());
                    cause = next.source();
                }
                Self::Transient(text)
            }
            Error::Decode { .. } => Self::Transient(format!("reading the response: {e}")),
            Error::Problem(problem) => {
                let status = problem.status_code();
                match status {
                    StatusCode::UNAUTHORIZED => Self::Unauthorized(problem.detail),
                    // The contract's code is `lease_lost`; any 409 but a log sequence clash
                    // means the job is not (or no longer) ours.
                    StatusCode::CONFLICT if !problem.has_code("log_seq_conflict") => {
                        Self::LeaseLost(problem.detail)
                    }
                    StatusCode::TOO_MANY_REQUESTS => {
                        Self::Transient(format!("{status}: {}", problem.detail))
                    }
                    s if s.is_server_error() => {
                        Self::Transient(format!("{status}: {}", problem.detail))
                    }
                    _ => Self::Rejected {
                        status,
                        code: problem.code,
                        detail: problem.detail,
                    },
                }
            }
        }
    }
}

/// A job call's error; an unknown job is as good as not ours.
fn job_call(e: Error) -> CallError {
    match CallError::from(e) {
        CallError::Rejected {
            status: StatusCode::NOT_FOUND,
            detail,
            ..
        } => CallError::LeaseLost(detail),
        other => other,
    }
}

/// A runner's connection to the server: the API client, with errors sorted the way the
/// runner acts on them.
#[derive(Debug, Clone)]
pub struct Client {
    api: runyard_client::Client,
}

impl Client {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8080`), presenting
    /// `token` on every request.
    pub fn new(base_url: &str, token: &str) -> anyhow::Result<Self> {
        Self::with_ca(base_url, token, None)
    }

    /// As [`Self::new`], also trusting the CA certificates in `ca_cert_pem` for `https://`.
    pub fn with_ca(
        base_url: &str,
        token: &str,
        ca_cert_pem: Option<Vec<u8>>,
    ) -> anyhow::Result<Self> {
        let mut builder = runyard_client::Client::builder(base_url)
            .token(token)
            .user_agent(concat!("runyard-runner/", env!("CARGO_PKG_VERSION")))
            .call_timeout(CALL_TIMEOUT);
        if let Some(pem) = ca_cert_pem {
            builder = builder.ca_cert_pem(pem);
        }
        let built = builder.build();
        let api = match built {
            Ok(api) => api,
            Err(ConfigError::InvalidUrl { reason, .. }) => {
                return Err(anyhow::anyhow!(reason))
                    .with_context(|| format!("invalid server URL {base_url:?}"));
            }
            Err(ConfigError::EmptyToken) => anyhow::bail!("the runner token is empty"),
            Err(ConfigError::TokenNotAHeader(e)) => {
                return Err(e)
                    .context("the runner token contains characters not allowed in a header");
            }
            Err(other) => return Err(other.into()),
        };
        Ok(Self { api })
    }

    /// `POST /v1/runner/claim`: up to `max_jobs` jobs, waiting up to `wait_seconds` for one.
    pub async fn claim(
        &self,
        max_jobs: usize,
        wait_seconds: u32,
    ) -> Result<Vec<ClaimedJob>, CallError> {
        let max_jobs = u32::try_from(max_jobs).unwrap_or(u32::MAX);
        Ok(self.api.claim(max_jobs, wait_seconds).await?)
    }

    /// `GET .../commands`: commands after `after_seq`, waiting up to `wait_seconds`.
    pub async fn poll_commands(
        &self,
        job_id: &str,
        attempt: u32,
        after_seq: u64,
        wait_seconds: u32,
    ) -> Result<Vec<runyard_client::Command>, CallError> {
        self.api
            .poll_commands(job_id, attempt, after_seq, wait_seconds)
            .await
            .map_err(job_call)
    }

    /// `POST .../commands/{seq}/ack`: acknowledges a command.
    pub async fn ack_command(&self, job_id: &str, attempt: u32, seq: u64) -> Result<(), CallError> {
        let body = runyard_client::AckCommand {
            attempt,
            result: None,
        };
        self.api
            .ack_command(job_id, seq, &body)
            .await
            .map(drop)
            .map_err(job_call)
    }

    /// `POST .../heartbeat`: extends the lease and says whether to stop.
    pub async fn heartbeat(
        &self,
        job_id: &str,
        attempt: u32,
        progress: Option<serde_json::Value>,
    ) -> Result<HeartbeatResponse, CallError> {
        let body = HeartbeatRequest { attempt, progress };
        self.api.heartbeat(job_id, &body).await.map_err(job_call)
    }

    /// `POST .../logs`: appends entries; re-sending the same entries is a no-op.
    pub async fn append_logs(
        &self,
        job_id: &str,
        attempt: u32,
        entries: &[LogEntryIn],
    ) -> Result<(), CallError> {
        let body = LogBatch {
            attempt,
            entries: entries.to_vec(),
        };
        self.api
            .append_logs(job_id, &body)
            .await
            .map(drop)
            .map_err(job_call)
    }

    /// `POST .../ai-calls`: records model calls; resending the same calls is a no-op.
    pub async fn record_ai_calls(
        &self,
        job_id: &str,
        attempt: u32,
        calls: &[AiCallIn],
    ) -> Result<(), CallError> {
        let body = AiCallBatch {
            attempt,
            calls: calls.to_vec(),
        };
        self.api
            .record_ai_calls(job_id, &body)
            .await
            .map(drop)
            .map_err(job_call)
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
        self.api
            .upload_artifact(job_id, attempt, name, content_type, len, Body::from(file))
            .await
            .map_err(CallError::from)
    }

    /// `POST .../complete`.
    pub async fn complete(
        &self,
        job_id: &str,
        attempt: u32,
        result: &Value,
    ) -> Result<(), CallError> {
        let body = CompleteRequest {
            attempt,
            result: Some(result.clone()),
        };
        self.api.complete(job_id, &body).await.map_err(job_call)
    }

    /// `POST .../fail`.
    /// `POST .../artifacts/{name}/skip`: a declared artifact the job did not produce.
    pub async fn skip_artifact(
        &self,
        job_id: &str,
        attempt: u32,
        name: &str,
        reason: &str,
    ) -> Result<(), CallError> {
        let body = runyard_client::SkipArtifact {
            attempt,
            reason: reason.to_owned(),
            step_ordinal: None,
            metadata: None,
        };
        self.api
            .skip_artifact(job_id, name, &body)
            .await
            .map_err(job_call)
    }

    pub async fn fail(
        &self,
        job_id: &str,
        attempt: u32,
        error: &str,
        retryable: bool,
    ) -> Result<(), CallError> {
        let body = FailRequest {
            attempt,
            error: Value::from(error),
            retryable: Some(retryable),
        };
        self.api.fail(job_id, &body).await.map_err(job_call)
    }

    /// `POST .../release`: hands the job back to the queue without using up the attempt.
    pub async fn release(&self, job_id: &str, attempt: u32) -> Result<(), CallError> {
        let body = ReleaseRequest { attempt };
        self.api.release(job_id, &body).await.map_err(job_call)
    }

    /// `POST .../paused`: hands the job back with the snapshot to resume from.
    pub async fn paused(
        &self,
        job_id: &str,
        attempt: u32,
        snapshot: &Value,
    ) -> Result<(), CallError> {
        let body = PausedRequest {
            attempt,
            snapshot: snapshot.clone(),
        };
        self.api.paused(job_id, &body).await.map_err(job_call)
    }
}

/// Capped exponential backoff with jitter: each delay is drawn from the upper half of the
/// current step (`step/2 ..= step`), so a fleet of runners that lost the server at the
/// same moment does not come back in lockstep.
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

    /// The delay to wait now (jittered); doubles the next step, up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let step = self.next;
        self.next = (self.next * 2).min(self.max);
        let half = step / 2;
        half + half.mul_f64(unit_random())
    }

    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

/// A number in `[0, 1)`, different on every call: std's per-instance random hash keys,
/// which are plenty for spreading retries.
fn unit_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
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
    fn bad_urls_and_tokens_are_refused_up_front() {
        let message =
            |url: &str, token: &str| format!("{:#}", Client::new(url, token).expect_err("refused"));
        assert!(message("127.0.0.1:8080", "t").contains("127.0.0.1:8080"));
        assert_eq!(
            message("http://example.test", " "),
            "the runner token is empty"
        );
        assert!(
            message("http://example.test", "bad\ntoken").starts_with("the runner token contains")
        );
        assert!(message("not a url", "t").starts_with("invalid server URL \"not a url\": "));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_jitters_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let steps = [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0];
        for step in steps {
            let delay = b.next_delay().as_secs_f64();
            assert!(
                (step / 2.0..=step).contains(&delay),
                "{delay} s for a step of {step} s"
            );
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_secs(1));
        // Jittered: a hundred runners starting together do not all wait the same.
        let firsts: std::collections::BTreeSet<u128> = (0..100)
            .map(|_| {
                Backoff::new(Duration::from_secs(1), Duration::from_secs(30))
                    .next_delay()
                    .as_micros()
            })
            .collect();
        assert!(firsts.len() > 50, "{} distinct delays", firsts.len());
    }

    #[test]
    fn problems_are_sorted_the_way_the_runner_acts_on_them() {
        let problem = |status: u16, code: &str| {
            Error::Problem(runyard_client::Problem {
                status,
                title: "x".into(),
                detail: "d".into(),
                code: Some(code.into()),
                field: None,
                request_id: None,
            })
        };
        assert!(matches!(
            job_call(problem(409, "lease_lost")),
            CallError::LeaseLost(_)
        ));
        assert!(matches!(
            job_call(problem(404, "not_found")),
            CallError::LeaseLost(_)
        ));
        assert!(matches!(
            job_call(problem(409, "log_seq_conflict")),
            CallError::Rejected { .. }
        ));
        assert!(matches!(
            job_call(problem(401, "unauthorized")),
            CallError::Unauthorized(_)
        ));
        assert!(job_call(problem(503, "unavailable")).is_transient());
        assert!(job_call(problem(429, "rate_limited")).is_transient());
        assert!(matches!(
            CallError::from(problem(422, "validation")),
            CallError::Rejected { .. }
        ));
    }
}
