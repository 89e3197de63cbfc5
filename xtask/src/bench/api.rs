//! The HTTP calls the bench makes, over one pooled `reqwest` client: the user API
//! (workspaces, runners, enqueue) and the runner protocol (claim, complete).
//!
//! Every non-2xx answer becomes an error naming the call; a 404 from an endpoint the server
//! does not have says so plainly instead of leaving a phase to wait for jobs that never come.

use std::time::Duration;

use anyhow::{Context, anyhow};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

/// A job a runner holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub attempt: i64,
}

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    user_token: String,
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The error for a non-2xx answer.
fn failure(method: &str, path: &str, status: StatusCode, body: &[u8]) -> anyhow::Error {
    let body = String::from_utf8_lossy(body);
    let body = body.chars().take(400).collect::<String>();
    if status == StatusCode::NOT_FOUND && body.contains("no such route") {
        anyhow!(
            "{method} {path} answered 404 Not Found: this server build does not have that \
             endpoint (is the runner protocol implemented yet?) — {body}"
        )
    } else {
        anyhow!("{method} {path} answered {status}: {body}")
    }
}

impl Api {
    pub fn new(base: &str, user_token: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            // Long polls wait up to 30 s; nothing else should take anywhere near this long.
            .timeout(Duration::from_secs(90))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            user_token: user_token.to_owned(),
        })
    }

    /// POSTs raw JSON bytes with `token`; returns the body of a 2xx answer.
    pub async fn post_raw(
        &self,
        path: &str,
        token: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Vec<u8>> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(AUTHORIZATION, bearer(token))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .with_context(|| format!("POST {path}: reading the body"))?;
        if !status.is_success() {
            return Err(failure("POST", path, status, &bytes));
        }
        Ok(bytes.to_vec())
    }

    /// POSTs `body` with `token`; returns the parsed body of a 2xx answer (`null` if empty).
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> anyhow::Result<Value> {
        let bytes = self
            .post_raw(path, token, serde_json::to_vec(body)?)
            .await?;
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes)
            .with_context(|| format!("POST {path}: the answer is not JSON"))
    }

    /// GETs `path` with the user token.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .header(AUTHORIZATION, bearer(&self.user_token))
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if !status.is_success() {
            return Err(failure("GET", path, status, &bytes));
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Creates a workspace; returns its id.
    pub async fn create_workspace(&self, slug: &str) -> anyhow::Result<String> {
        let ws = self
            .post(
                "/v1/workspaces",
                &self.user_token,
                &json!({"name": format!("Bench {slug}"), "slug": slug}),
            )
            .await?;
        ws["id"]
            .as_str()
            .map(str::to_owned)
            .context("the created workspace has no id")
    }

    /// Registers a runner with no labels; returns its token.
    pub async fn register_runner(&self, ws: &str, name: &str) -> anyhow::Result<String> {
        let path = format!("/v1/workspaces/{ws}/runners");
        let created = self
            .post(
                &path,
                &self.user_token,
                &json!({"name": name, "labels": []}),
            )
            .await?;
        created["token"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("POST {path}: no token in {created}"))
    }

    /// Enqueues one job; returns its id.
    pub async fn enqueue(&self, ws: &str, n: u64) -> anyhow::Result<String> {
        let path = format!("/v1/workspaces/{ws}/runner-jobs");
        let job = self
            .post(
                &path,
                &self.user_token,
                &json!({"type": "noop", "payload": {"n": n}}),
            )
            .await?;
        job["id"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("POST {path}: no id in the answer"))
    }

    /// Enqueues one job and ignores the answer's body (the hot loop of the enqueue phase).
    pub async fn enqueue_quiet(&self, ws_path: &str, n: u64) -> anyhow::Result<()> {
        let body = format!(r#"{{"type":"noop","payload":{{"n":{n}}}}}"#).into_bytes();
        self.post_raw(ws_path, &self.user_token, body).await?;
        Ok(())
    }

    /// Enqueues a prepared `{"jobs": [...]}` body.
    pub async fn enqueue_batch(&self, batch_path: &str, body: Vec<u8>) -> anyhow::Result<()> {
        self.post_raw(batch_path, &self.user_token, body).await?;
        Ok(())
    }

    /// Claims up to `max_jobs`, long-polling up to `wait_seconds`.
    pub async fn claim(
        &self,
        runner_token: &str,
        max_jobs: u32,
        wait_seconds: u32,
    ) -> anyhow::Result<Vec<Claimed>> {
        let answer = self
            .post(
                "/v1/runner/claim",
                runner_token,
                &json!({"max_jobs": max_jobs, "wait_seconds": wait_seconds}),
            )
            .await?;
        let jobs = answer["jobs"]
            .as_array()
            .with_context(|| format!("POST /v1/runner/claim: no \"jobs\" in {answer}"))?;
        jobs.iter()
            .map(|j| {
                Ok(Claimed {
                    id: j["id"]
                        .as_str()
                        .context("a claimed job has no id")?
                        .to_owned(),
                    attempt: j["attempt"]
                        .as_i64()
                        .context("a claimed job has no attempt")?,
                })
            })
            .collect()
    }

    /// Completes one job.
    pub async fn complete(&self, runner_token: &str, job: &Claimed) -> anyhow::Result<()> {
        let path = format!("/v1/runner/jobs/{}/complete", job.id);
        self.post(&path, runner_token, &json!({"attempt": job.attempt}))
            .await?;
        Ok(())
    }

    /// Completes jobs in one call; returns how many the server accepted, and the first
    /// refusal's code.
    pub async fn complete_batch(
        &self,
        runner_token: &str,
        jobs: &[Claimed],
    ) -> anyhow::Result<(usize, Option<String>)> {
        let body = json!({
            "jobs": jobs.iter().map(|j| json!({"id": j.id, "attempt": j.attempt})).collect::<Vec<_>>()
        });
        let answer = self
            .post("/v1/runner/complete", runner_token, &body)
            .await?;
        let results = answer["results"]
            .as_array()
            .with_context(|| format!("POST /v1/runner/complete: no \"results\" in {answer}"))?;
        let ok = results.iter().filter(|r| r["ok"] == json!(true)).count();
        let refused = results
            .iter()
            .find(|r| r["ok"] != json!(true))
            .map(|r| r["code"].as_str().unwrap_or("no code").to_owned());
        Ok((ok, refused))
    }
}
