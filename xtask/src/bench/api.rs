//! The HTTP calls the bench makes, through the API client (`runyard-client`) over one
//! connection pool: the user API (workspaces, runners, enqueue) and the runner protocol
//! (claim, complete). Runner calls present the runner's token on the same pool.
//!
//! Every non-2xx answer becomes an error naming the call; a 404 from an endpoint the server
//! does not have says so plainly instead of leaving a phase to wait for jobs that never come.

use std::time::Duration;

use anyhow::{Context, anyhow};
use runyard_client::reqwest::Method;
use runyard_client::{
    BatchComplete, Client, CompleteItem, CompleteRequest, CreateJob, CreateWorkspace, Error,
    RegisterRunner,
};
use serde_json::{Value, json};

/// Long polls wait up to 30 s; nothing else should take anywhere near this long.
const CALL_TIMEOUT: Duration = Duration::from_secs(90);

/// A job a runner holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub attempt: u32,
}

#[derive(Clone)]
pub struct Api {
    user: Client,
}

/// The error for a failed call.
fn failure(method: &str, path: &str, e: Error) -> anyhow::Error {
    match &e {
        Error::Problem(p) if p.status == 404 && p.detail == "no such route" => anyhow!(
            "{method} {path} answered 404 Not Found: this server build does not have that \
             endpoint (is the runner protocol implemented yet?) — {e}"
        ),
        Error::Problem(p) => anyhow!("{method} {path} answered {}: {e}", p.status_code()),
        _ => anyhow!(e).context(format!("{method} {path}")),
    }
}

impl Api {
    pub fn new(base: &str, user_token: &str) -> anyhow::Result<Self> {
        let user = Client::builder(base)
            .token(user_token)
            .user_agent("runyard-bench")
            .call_timeout(CALL_TIMEOUT)
            .build()?;
        Ok(Self { user })
    }

    /// The client for a runner's calls: same pool, the runner's token.
    fn runner(&self, token: &str) -> anyhow::Result<Client> {
        Ok(self.user.with_token(token)?)
    }

    /// POSTs raw JSON bytes with the user token; returns the body of a 2xx answer.
    async fn post_raw(&self, path: &str, body: Vec<u8>) -> anyhow::Result<Vec<u8>> {
        let request = self
            .user
            .request_path(Method::POST, path)
            .timeout(CALL_TIMEOUT)
            .header("content-type", "application/json")
            .body(body);
        let response = self
            .user
            .send(request)
            .await
            .map_err(|e| failure("POST", path, e))?;
        let bytes = response
            .bytes()
            .await
            .with_context(|| format!("POST {path}: reading the body"))?;
        Ok(bytes.to_vec())
    }

    /// GETs `path` (query included) with the user token.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let request = self
            .user
            .request_path(Method::GET, path)
            .timeout(CALL_TIMEOUT);
        let (_, value) = self
            .user
            .call(request)
            .await
            .map_err(|e| failure("GET", path, e))?;
        Ok(value)
    }

    /// Creates a workspace; returns its id.
    pub async fn create_workspace(&self, slug: &str) -> anyhow::Result<String> {
        let body = CreateWorkspace {
            name: format!("Bench {slug}"),
            slug: slug.to_owned(),
        };
        let ws = self
            .user
            .create_workspace(&body)
            .await
            .map_err(|e| failure("POST", "/v1/workspaces", e))?;
        Ok(ws.id)
    }

    /// Registers a runner with no labels; returns its token.
    pub async fn register_runner(&self, ws: &str, name: &str) -> anyhow::Result<String> {
        let body = RegisterRunner {
            name: name.to_owned(),
            labels: Vec::new(),
        };
        let created = self
            .user
            .register_runner(ws, &body)
            .await
            .map_err(|e| failure("POST", &format!("/v1/workspaces/{ws}/runners"), e))?;
        Ok(created.token)
    }

    /// Enqueues one job; returns its id.
    pub async fn enqueue(&self, ws: &str, n: u64) -> anyhow::Result<String> {
        let job = self
            .user
            .create_job(ws, &CreateJob::new("noop", json!({ "n": n })))
            .await
            .map_err(|e| failure("POST", &format!("/v1/workspaces/{ws}/runner-jobs"), e))?;
        Ok(job.id)
    }

    /// Enqueues one job and ignores the answer's body (the hot loop of the enqueue phase).
    pub async fn enqueue_quiet(&self, ws_path: &str, n: u64) -> anyhow::Result<()> {
        let body = format!(r#"{{"type":"noop","payload":{{"n":{n}}}}}"#).into_bytes();
        self.post_raw(ws_path, body).await?;
        Ok(())
    }

    /// Enqueues a prepared `{"jobs": [...]}` body.
    pub async fn enqueue_batch(&self, batch_path: &str, body: Vec<u8>) -> anyhow::Result<()> {
        self.post_raw(batch_path, body).await?;
        Ok(())
    }

    /// Claims up to `max_jobs`, long-polling up to `wait_seconds`.
    pub async fn claim(
        &self,
        runner_token: &str,
        max_jobs: u32,
        wait_seconds: u32,
    ) -> anyhow::Result<Vec<Claimed>> {
        let jobs = self
            .runner(runner_token)?
            .claim(max_jobs, wait_seconds)
            .await
            .map_err(|e| failure("POST", "/v1/runner/claim", e))?;
        Ok(jobs
            .into_iter()
            .map(|j| Claimed {
                id: j.id,
                attempt: j.attempt,
            })
            .collect())
    }

    /// Records model calls of a job this runner holds; returns how many were new.
    pub async fn record_ai_calls(
        &self,
        runner_token: &str,
        job: &Claimed,
        calls: Vec<runyard_client::AiCallIn>,
    ) -> anyhow::Result<u64> {
        let body = runyard_client::AiCallBatch {
            attempt: job.attempt,
            calls,
        };
        let answer = self
            .runner(runner_token)?
            .record_ai_calls(&job.id, &body)
            .await
            .map_err(|e| failure("POST", &format!("/v1/runner/jobs/{}/ai-calls", job.id), e))?;
        Ok(answer.accepted)
    }

    /// Completes one job.
    pub async fn complete(&self, runner_token: &str, job: &Claimed) -> anyhow::Result<()> {
        let body = CompleteRequest {
            attempt: job.attempt,
            result: None,
        };
        self.runner(runner_token)?
            .complete(&job.id, &body)
            .await
            .map_err(|e| failure("POST", &format!("/v1/runner/jobs/{}/complete", job.id), e))
    }

    /// Completes jobs in one call; returns how many the server accepted, and the first
    /// refusal's code.
    pub async fn complete_batch(
        &self,
        runner_token: &str,
        jobs: &[Claimed],
    ) -> anyhow::Result<(usize, Option<String>)> {
        let body = BatchComplete {
            jobs: jobs
                .iter()
                .map(|j| CompleteItem {
                    id: j.id.clone(),
                    attempt: j.attempt,
                    result: None,
                })
                .collect(),
        };
        let answer = self
            .runner(runner_token)?
            .complete_batch(&body)
            .await
            .map_err(|e| failure("POST", "/v1/runner/complete", e))?;
        let ok = answer.results.iter().filter(|r| r.ok).count();
        let refused = answer
            .results
            .iter()
            .find(|r| !r.ok)
            .map(|r| r.code.clone().unwrap_or_else(|| "no code".to_owned()));
        Ok((ok, refused))
    }
}
