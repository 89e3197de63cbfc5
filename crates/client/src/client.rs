//! One authenticated connection to a server: URL building, sending, error mapping, and a
//! typed method per call that Rust code in this repository makes.

use std::time::Duration;

use chrono::{DateTime, Utc};

use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Body, Method, RequestBuilder, Response, StatusCode, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ConfigError, Error, Problem};
use crate::types::*;

/// How long an ordinary call may take, unless the builder says otherwise.
const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// How much longer than its long-poll a claim may take before it counts as lost.
const CLAIM_GRACE: Duration = Duration::from_secs(15);
/// How long one artifact upload may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    user_agent: String,
    connect_timeout: Duration,
    call_timeout: Duration,
    retry_unavailable: Option<RetryUnavailable>,
    ca_cert_pem: Option<Vec<u8>>,
}

/// How a client retries calls the server answered with 503 (its database is away).
#[derive(Debug, Clone, Copy)]
struct RetryUnavailable {
    /// How long, in all, a call keeps trying.
    within: Duration,
    /// Told of each retry, with the server's address, the answer and the wait before it.
    on_retry: fn(&str, &Problem, Duration),
}

impl ClientBuilder {
    /// The bearer token presented on every request (user JWT or runner token).
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    pub fn user_agent(mut self, user_agent: &str) -> Self {
        user_agent.clone_into(&mut self.user_agent);
        self
    }

    /// How long an ordinary call may take (long polls and uploads have their own).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Trusts the CA certificates in `pem` (a private CA) besides the system's roots.
    pub fn ca_cert_pem(mut self, pem: Vec<u8>) -> Self {
        self.ca_cert_pem = Some(pem);
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Retries a call answered with 503 (the server's database is away), with backoff from
    /// 0.5 s doubling to 5 s, for up to `within` in all, calling `on_retry` before each
    /// wait. Only calls that are safe to repeat: not a POST unless it carries an
    /// `Idempotency-Key` (a 503 from a commit cut short is ambiguous). Off by default.
    pub fn retry_unavailable(
        mut self,
        within: Duration,
        on_retry: fn(&str, &Problem, Duration),
    ) -> Self {
        self.retry_unavailable = Some(RetryUnavailable { within, on_retry });
        self
    }

    /// Checks the URL (`http://` or `https://`, with a host) and the token, and builds the
    /// client. `https://` is verified against the system's roots and any CA certificate
    /// given with [`Self::ca_cert_pem`].
    pub fn build(self) -> Result<Client, ConfigError> {
        let url = self.base_url;
        let base = Url::parse(&url).map_err(|e| ConfigError::InvalidUrl {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        match base.scheme() {
            "http" | "https" => {}
            other => {
                return Err(ConfigError::UnsupportedScheme {
                    scheme: other.to_owned(),
                    url,
                });
            }
        }
        if base.cannot_be_a_base() || base.host().is_none() {
            return Err(ConfigError::NotAServerUrl { url });
        }
        let auth = match self.token.as_deref().map(str::trim) {
            None => None,
            Some("") => return Err(ConfigError::EmptyToken),
            Some(token) => Some(bearer(token)?),
        };
        let mut http = reqwest::Client::builder()
            .user_agent(self.user_agent)
            .connect_timeout(self.connect_timeout);
        if let Some(pem) = &self.ca_cert_pem {
            let certs =
                reqwest::Certificate::from_pem_bundle(pem).map_err(|e| ConfigError::CaCert {
                    reason: e.to_string(),
                })?;
            if certs.is_empty() {
                return Err(ConfigError::CaCert {
                    reason: "no certificate in it".into(),
                });
            }
            for cert in certs {
                http = http.add_root_certificate(cert);
            }
        }
        let http = http.build().map_err(ConfigError::Http)?;
        Ok(Client {
            http,
            base,
            auth,
            call_timeout: self.call_timeout,
            retry_unavailable: self.retry_unavailable,
        })
    }
}

fn bearer(token: &str) -> Result<HeaderValue, ConfigError> {
    let mut auth =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(ConfigError::TokenNotAHeader)?;
    auth.set_sensitive(true);
    Ok(auth)
}

/// An authenticated connection to one server. Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    auth: Option<HeaderValue>,
    call_timeout: Duration,
    retry_unavailable: Option<RetryUnavailable>,
}

impl Client {
    /// Settings for a client of the server at `base_url` (e.g. `http://127.0.0.1:8080`).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.to_owned(),
            token: None,
            user_agent: concat!("runyard-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            connect_timeout: Duration::from_secs(10),
            call_timeout: DEFAULT_CALL_TIMEOUT,
            retry_unavailable: None,
            ca_cert_pem: None,
        }
    }

    /// A client of `base_url` presenting `token`, with default settings.
    pub fn new(base_url: &str, token: &str) -> Result<Self, ConfigError> {
        Self::builder(base_url).token(token).build()
    }

    /// The same server and connection pool, presenting another token.
    pub fn with_token(&self, token: &str) -> Result<Self, ConfigError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        Ok(Self {
            auth: Some(bearer(token)?),
            ..self.clone()
        })
    }

    /// The same server and connection pool, without credentials.
    pub fn anonymous(&self) -> Self {
        Self {
            auth: None,
            ..self.clone()
        }
    }

    /// The server's address, for messages.
    pub fn origin(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    /// `base` + `segments`, each segment percent-encoded.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A request to `segments` with the token and no deadline (streams and downloads set
    /// their own; [`Client::call`] sets the call timeout).
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.authorize(self.http.request(method, self.url(segments)))
    }

    /// A request to a path written out in full (`/v1/...?query`), taken as it is: for
    /// callers that build paths themselves, including deliberately odd ones.
    pub fn request_path(&self, method: Method, path: &str) -> RequestBuilder {
        let url = format!("{}{path}", self.origin());
        self.authorize(self.http.request(method, url))
    }

    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Some(auth) => request.header(AUTHORIZATION, auth.clone()),
            None => request,
        }
    }

    /// Maps a failure to send or read into an [`Error`].
    pub fn transport(&self, source: reqwest::Error) -> Error {
        Error::Transport {
            origin: self.origin(),
            source,
        }
    }

    /// Sends `request`; any answer but 2xx becomes [`Error::Problem`].
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, Error> {
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        Err(Error::Problem(Problem::from_answer(status, &text)))
    }

    /// Sends `request` like [`Client::send`], retrying 503 answers as the builder's
    /// [`ClientBuilder::retry_unavailable`] says (not at all by default).
    async fn send_retrying(&self, request: RequestBuilder) -> Result<Response, Error> {
        let Some(retry) = self.retry_unavailable else {
            return self.send(request).await;
        };
        let repeatable = request
            .try_clone()
            .and_then(|r| r.build().ok())
            .is_some_and(|r| {
                r.method() != Method::POST || r.headers().contains_key("idempotency-key")
            });
        let deadline = std::time::Instant::now() + retry.within;
        let mut delay = Duration::from_millis(500);
        loop {
            let Some(attempt) = request.try_clone().filter(|_| repeatable) else {
                return self.send(request).await;
            };
            match self.send(attempt).await {
                Err(Error::Problem(p))
                    if p.status == 503 && std::time::Instant::now() + delay < deadline =>
                {
                    (retry.on_retry)(&self.origin(), &p, delay);
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                other => return other,
            }
        }
    }

    /// Sends `request` with the call timeout and reads a 2xx answer's body as `T` (an
    /// empty body reads as JSON `null`).
    pub async fn call<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
    ) -> Result<(StatusCode, T), Error> {
        self.call_within(request, self.call_timeout).await
    }

    async fn call_within<T: DeserializeOwned>(
        &self,
        request: RequestBuilder,
        timeout: Duration,
    ) -> Result<(StatusCode, T), Error> {
        let response = self.send_retrying(request.timeout(timeout)).await?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        match serde_json::from_slice(body) {
            Ok(value) => Ok((status, value)),
            Err(source) => Err(Error::Decode {
                status,
                expected: if serde_json::from_slice::<Value>(body).is_ok() {
                    "what this client expects"
                } else {
                    "JSON"
                },
                source,
            }),
        }
    }

    /// `GET segments?query`.
    pub async fn get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<T, Error> {
        let request = self.request(Method::GET, segments).query(query);
        Ok(self.call(request).await?.1)
    }

    /// `POST`s `body` (or nothing) with extra `headers`; returns the status and the answer.
    pub async fn post_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: Option<&B>,
        headers: HeaderMap,
    ) -> Result<(StatusCode, T), Error> {
        let mut request = self.request(Method::POST, segments).headers(headers);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.call(request).await
    }

    /// `POST`s `body` (or nothing) and reads the answer.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        segments: &[&str],
        body: Option<&B>,
    ) -> Result<T, Error> {
        Ok(self.post_with(segments, body, HeaderMap::new()).await?.1)
    }

    /// `POST`s a body that is JSON already; returns the answer's bytes unread (for callers
    /// that prepare bodies once and send them many times).
    pub async fn post_raw(&self, segments: &[&str], json: Vec<u8>) -> Result<Vec<u8>, Error> {
        let request = self
            .request(Method::POST, segments)
            .timeout(self.call_timeout)
            .header(CONTENT_TYPE, "application/json")
            .body(json);
        let response = self.send(request).await?;
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        Ok(bytes.to_vec())
    }

    /// `DELETE segments`.
    pub async fn delete(&self, segments: &[&str]) -> Result<(), Error> {
        let _: Value = self.call(self.request(Method::DELETE, segments)).await?.1;
        Ok(())
    }

    // ---- the user API -------------------------------------------------------------------

    pub async fn create_workspace(&self, body: &CreateWorkspace) -> Result<Workspace, Error> {
        self.post(&["v1", "workspaces"], Some(body)).await
    }

    pub async fn workspaces(&self) -> Result<WorkspaceList, Error> {
        self.get(&["v1", "workspaces"], &[]).await
    }

    pub async fn workspace(&self, ws: &str) -> Result<Workspace, Error> {
        self.get(&["v1", "workspaces", ws], &[]).await
    }

    pub async fn add_member(&self, ws: &str, body: &AddMember) -> Result<Member, Error> {
        self.post(&["v1", "workspaces", ws, "members"], Some(body))
            .await
    }

    pub async fn register_runner(
        &self,
        ws: &str,
        body: &RegisterRunner,
    ) -> Result<RunnerRegistered, Error> {
        self.post(&["v1", "workspaces", ws, "runners"], Some(body))
            .await
    }

    pub async fn create_job(&self, ws: &str, body: &CreateJob) -> Result<Job, Error> {
        self.post(&["v1", "workspaces", ws, "runner-jobs"], Some(body))
            .await
    }

    pub async fn create_jobs(&self, ws: &str, body: &CreateJobBatch) -> Result<JobBatch, Error> {
        self.post(
            &["v1", "workspaces", ws, "runner-jobs", "batch"],
            Some(body),
        )
        .await
    }

    pub async fn job(&self, ws: &str, id: &str) -> Result<JobDetail, Error> {
        self.get(&["v1", "workspaces", ws, "runner-jobs", id], &[])
            .await
    }

    /// `GET .../runner-jobs/{id}/ai-calls`: a page of the job's model calls.
    pub async fn ai_calls(
        &self,
        ws: &str,
        job_id: &str,
        cursor: Option<&str>,
    ) -> Result<AiCallList, Error> {
        let query: Vec<(&str, String)> = cursor
            .map(|c| ("cursor", c.to_owned()))
            .into_iter()
            .collect();
        self.get(
            &["v1", "workspaces", ws, "runner-jobs", job_id, "ai-calls"],
            &query,
        )
        .await
    }

    /// `GET /v1/workspaces/{ws}/usage`: the usage roll-up over `[from, to)` (server
    /// defaults when `None`: the last 30 days, by model).
    pub async fn usage(
        &self,
        ws: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        group_by: Option<UsageGroupBy>,
    ) -> Result<UsageReport, Error> {
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(from) = from {
            query.push(("from", from.to_rfc3339()));
        }
        if let Some(to) = to {
            query.push(("to", to.to_rfc3339()));
        }
        if let Some(g) = group_by {
            query.push(("group_by", g.as_str().to_owned()));
        }
        self.get(&["v1", "workspaces", ws, "usage"], &query).await
    }

    /// `GET /v1/workspaces/{ws}/stats`: the workspace's queue at a glance.
    pub async fn stats(&self, ws: &str) -> Result<WorkspaceStats, Error> {
        self.get(&["v1", "workspaces", ws, "stats"], &[]).await
    }

    // ---- the runner protocol ------------------------------------------------------------

    fn job_segments<'a>(job_id: &'a str, action: &[&'a str]) -> Vec<&'a str> {
        let mut segments = vec!["v1", "runner", "jobs", job_id];
        segments.extend_from_slice(action);
        segments
    }

    async fn post_job<B: Serialize, T: DeserializeOwned>(
        &self,
        job_id: &str,
        action: &str,
        body: &B,
    ) -> Result<T, Error> {
        let request = self
            .request(Method::POST, &Self::job_segments(job_id, &[action]))
            .json(body);
        Ok(self.call(request).await?.1)
    }

    /// `POST /v1/runner/claim`: up to `max_jobs` jobs, waiting up to `wait_seconds` for one.
    pub async fn claim(&self, max_jobs: u32, wait_seconds: u32) -> Result<Vec<ClaimedJob>, Error> {
        let request = self
            .request(Method::POST, &["v1", "runner", "claim"])
            .json(&ClaimRequest {
                max_jobs: Some(max_jobs),
                wait_seconds: Some(wait_seconds),
            });
        let timeout = Duration::from_secs(u64::from(wait_seconds)) + CLAIM_GRACE;
        let (_, claimed): (_, ClaimResponse) = self.call_within(request, timeout).await?;
        Ok(claimed.jobs)
    }

    /// `POST .../heartbeat`: extends the lease and says whether to stop.
    pub async fn heartbeat(
        &self,
        job_id: &str,
        body: &HeartbeatRequest,
    ) -> Result<HeartbeatResponse, Error> {
        self.post_job(job_id, "heartbeat", body).await
    }

    /// `POST .../logs`: appends entries; re-sending the same entries is a no-op.
    pub async fn append_logs(&self, job_id: &str, body: &LogBatch) -> Result<LogsAccepted, Error> {
        self.post_job(job_id, "logs", body).await
    }

    /// `POST .../ai-calls`: records model calls of the attempt; resending is a no-op.
    pub async fn record_ai_calls(
        &self,
        job_id: &str,
        body: &AiCallBatch,
    ) -> Result<AiCallsAccepted, Error> {
        self.post_job(job_id, "ai-calls", body).await
    }

    /// `PUT .../artifacts/{name}?attempt=N` with `content` (`len` bytes) as the body.
    pub async fn upload_artifact(
        &self,
        job_id: &str,
        attempt: u32,
        name: &str,
        content_type: &str,
        len: u64,
        content: impl Into<Body>,
    ) -> Result<(), Error> {
        let request = self
            .request(
                Method::PUT,
                &Self::job_segments(job_id, &["artifacts", name]),
            )
            .query(&[("attempt", attempt)])
            .timeout(UPLOAD_TIMEOUT)
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, len)
            .body(content);
        self.send(request).await.map(drop)
    }

    /// `POST .../artifacts/{name}/skip`: records a declared artifact that was not produced.
    pub async fn skip_artifact(
        &self,
        job_id: &str,
        name: &str,
        body: &SkipArtifact,
    ) -> Result<(), Error> {
        let request = self
            .request(
                Method::POST,
                &Self::job_segments(job_id, &["artifacts", name, "skip"]),
            )
            .json(body);
        self.send(request).await.map(drop)
    }

    /// `POST .../complete`.
    pub async fn complete(&self, job_id: &str, body: &CompleteRequest) -> Result<(), Error> {
        self.post_job::<_, Value>(job_id, "complete", body)
            .await
            .map(drop)
    }

    /// `POST /v1/runner/complete`: completes many jobs; each gets its own result.
    pub async fn complete_batch(&self, body: &BatchComplete) -> Result<BatchCompleteResult, Error> {
        self.post(&["v1", "runner", "complete"], Some(body)).await
    }

    /// `POST .../fail`.
    pub async fn fail(&self, job_id: &str, body: &FailRequest) -> Result<(), Error> {
        self.post_job::<_, Value>(job_id, "fail", body)
            .await
            .map(drop)
    }

    /// `POST .../release`: hands the job back to the queue without using up the attempt.
    pub async fn release(&self, job_id: &str, body: &ReleaseRequest) -> Result<(), Error> {
        self.post_job::<_, Value>(job_id, "release", body)
            .await
            .map(drop)
    }

    /// `POST .../paused`: hands the job back with the snapshot to resume from.
    pub async fn paused(&self, job_id: &str, body: &PausedRequest) -> Result<(), Error> {
        self.post_job::<_, Value>(job_id, "paused", body)
            .await
            .map(drop)
    }

    /// `POST .../suspend`: waits until a poll time without spending the attempt.
    pub async fn suspend(&self, job_id: &str, body: &SuspendRequest) -> Result<Job, Error> {
        self.post_job(job_id, "suspend", body).await
    }

    /// `GET .../commands`: the job's unacknowledged commands after `after_seq`, waiting
    /// up to `wait_seconds` for one.
    pub async fn poll_commands(
        &self,
        job_id: &str,
        attempt: u32,
        after_seq: u64,
        wait_seconds: u32,
    ) -> Result<Vec<Command>, Error> {
        #[derive(serde::Deserialize)]
        struct Commands {
            commands: Vec<Command>,
        }
        let found: Commands = self
            .get(
                &Self::job_segments(job_id, &["commands"]),
                &[
                    ("attempt", attempt.to_string()),
                    ("after_seq", after_seq.to_string()),
                    ("wait_seconds", wait_seconds.to_string()),
                ],
            )
            .await?;
        Ok(found.commands)
    }

    /// `POST .../commands/{seq}/ack`: acknowledges a command.
    pub async fn ack_command(
        &self,
        job_id: &str,
        seq: u64,
        body: &AckCommand,
    ) -> Result<Command, Error> {
        let seq = seq.to_string();
        let request = self
            .request(
                Method::POST,
                &Self::job_segments(job_id, &["commands", &seq, "ack"]),
            )
            .json(body);
        Ok(self.call(request).await?.1)
    }

    // ---- commands and suspended jobs, as a user ---------------------------------------

    /// `POST .../runner-jobs/{id}/wake`: queues a suspended job now.
    pub async fn wake_job(&self, ws: &str, id: &str) -> Result<Job, Error> {
        self.post(
            &["v1", "workspaces", ws, "runner-jobs", id, "wake"],
            None::<&()>,
        )
        .await
    }

    /// `POST .../runner-jobs/{id}/commands`: sends a command to the job.
    pub async fn send_command(
        &self,
        ws: &str,
        id: &str,
        body: &SendCommand,
    ) -> Result<Command, Error> {
        self.post(
            &["v1", "workspaces", ws, "runner-jobs", id, "commands"],
            Some(body),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_a_path_prefix_and_encode_segments() {
        let api = Client::new("http://example.test:8080/runyard/", "t").unwrap();
        assert_eq!(
            api.url(&["v1", "workspaces", "a b/c"]).as_str(),
            "http://example.test:8080/runyard/v1/workspaces/a%20b%2Fc"
        );
        let api = Client::new("http://127.0.0.1:8080", "t").unwrap();
        assert_eq!(
            api.url(&Client::job_segments(
                "j1",
                &["artifacts", "my report #1?.txt"]
            ))
            .as_str(),
            "http://127.0.0.1:8080/v1/runner/jobs/j1/artifacts/my%20report%20%231%3F.txt"
        );
        assert_eq!(api.origin(), "http://127.0.0.1:8080");
    }

    #[test]
    fn bad_urls_and_tokens_are_refused_up_front() {
        let refused = |url: &str, token: &str| Client::new(url, token).expect_err("refused");
        assert!(matches!(
            refused("not a url", "t"),
            ConfigError::InvalidUrl { .. }
        ));
        assert!(matches!(
            refused("127.0.0.1:8080", "t"),
            ConfigError::UnsupportedScheme { .. } | ConfigError::InvalidUrl { .. }
        ));
        assert!(Client::new("https://x", "t").is_ok());
        assert!(matches!(
            Client::builder("https://x")
                .ca_cert_pem(b"not a certificate".to_vec())
                .build()
                .expect_err("refused"),
            ConfigError::CaCert { .. }
        ));
        assert!(matches!(
            refused("ftp://x", "t"),
            ConfigError::UnsupportedScheme { .. }
        ));
        assert!(matches!(refused("http://x", " "), ConfigError::EmptyToken));
        assert!(matches!(
            refused("http://x", "bad\ntoken"),
            ConfigError::TokenNotAHeader(_)
        ));
        assert!(
            Client::builder("http://x").build().is_ok(),
            "no token is allowed"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_a_transient_transport_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let api = Client::new(&format!("http://127.0.0.1:{port}"), "t").unwrap();
        let err = api.workspaces().await.expect_err("nothing listens");
        assert!(err.is_transient(), "{err}");
        assert!(
            err.to_string().starts_with(&format!(
                "cannot reach http://127.0.0.1:{port}: is the server running?"
            )),
            "{err}"
        );
    }
}
