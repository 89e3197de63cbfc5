//! The runner protocol: `/v1/runner/*`, authenticated by runner tokens.

use std::sync::Arc;
use std::time::Duration;

use poem::Request;
use poem_openapi::auth::Bearer;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi, SecurityScheme};
use runyard_domain::{AiCallStatus, StepPhase, StepStatus, StepType, UsdAmount};
use runyard_persistence::queue::{self, Completion, LogEntry, NewAiCall, NewArtifact, StepReport};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Tag;
use crate::dto::{self, Text};
use crate::error::ApiError;
use crate::state::AppState;

type Result<T> = std::result::Result<T, ApiError>;

/// A runner's token (`ryr_…`), as returned when the runner was registered.
#[derive(SecurityScheme)]
#[oai(rename = "RunnerToken", ty = "bearer")]
pub struct RunnerToken(Bearer);

pub struct RunnerApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
enum ArtifactStored {
    /// Stored (replacing any artifact of the same name).
    #[oai(status = 201)]
    Created(
        Json<dto::Artifact>,
        /// Where users download it.
        #[oai(header = "Location")]
        String,
    ),
}

impl ArtifactStored {
    /// Commits the upload or skip and answers with the artifact (redacted as users see
    /// it) and where users download it.
    async fn commit(
        tx: runyard_persistence::WorkspaceTx,
        job_id: Uuid,
        stored: runyard_persistence::ArtifactRecord,
    ) -> Result<Self> {
        let location = super::location(&[
            "v1",
            "workspaces",
            &tx.workspace_id().to_string(),
            "runner-jobs",
            &job_id.to_string(),
            "artifacts",
            &stored.name,
        ]);
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Self::Created(
            Json(dto::Artifact::new(stored, &redactor)),
            location,
        ))
    }
}

const MAX_LOG_ENTRIES: usize = 5000;
const MAX_COMPLETIONS: usize = 1000;
const MAX_AI_CALLS: usize = 1000;
const MAX_AI_CALL_METADATA_BYTES: usize = 16 * 1024;

fn store_err(e: runyard_persistence::StoreError) -> ApiError {
    ApiError::from_store(e, "job")
}

fn artifact_name(name: &str) -> Result<runyard_domain::ArtifactName> {
    runyard_domain::ArtifactName::parse(name).map_err(ApiError::invalid)
}

/// Artifact metadata: a JSON object (given as JSON text on uploads, whose body is the
/// content).
fn artifact_metadata(
    field: &str,
    raw: Option<serde_json::Value>,
) -> Result<Option<serde_json::Value>> {
    match raw {
        Some(serde_json::Value::Object(map)) => Ok(Some(serde_json::Value::Object(map))),
        Some(_) => Err(ApiError::invalid_field(field, "must be a JSON object")),
        None => Ok(None),
    }
}

#[OpenApi(tag = "Tag::Runner")]
impl RunnerApi {
    /// Claim up to `max_jobs` jobs whose labels this runner has, highest priority first.
    /// With `wait_seconds`, waits for work to arrive (woken by the database, not by
    /// polling) and returns an empty list at the deadline.
    #[oai(path = "/v1/runner/claim", method = "post", operation_id = "claimJobs")]
    async fn claim(
        &self,
        token: RunnerToken,
        body: Json<dto::ClaimRequest>,
    ) -> Result<Json<dto::ClaimResponse>> {
        let max = body.max_jobs.unwrap_or(1);
        let wait = Duration::from_secs(u64::from(body.wait_seconds.unwrap_or(0)));
        let deadline = tokio::time::Instant::now() + wait;
        let parsed = runyard_domain::RunnerToken::parse(&token.0.token);
        let workspace = parsed.as_ref().map(|t| t.workspace_id);
        let epoch = parsed
            .as_ref()
            .map(|t| self.state.db.signals().runner_epoch(t.runner_id));
        let mut first = true;
        loop {
            // A runner that handed work back since this poll began is stopping; its client
            // may be gone, so do not lease it anything more.
            if !first
                && parsed
                    .as_ref()
                    .map(|t| self.state.db.signals().runner_epoch(t.runner_id))
                    != epoch
            {
                return Ok(Json(dto::ClaimResponse { jobs: Vec::new() }));
            }
            first = false;
            // Listen before looking, so work enqueued in between wakes us.
            let notify = workspace.map(|ws| self.state.db.signals().jobs(ws));
            let notified = notify.as_ref().map(|n| n.notified());
            tokio::pin!(notified);
            if let Some(n) = notified.as_mut().as_pin_mut() {
                n.enable();
            }
            let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
            let claimed = queue::claim(&tx, &runner, max, self.state.queue.lease)
                .await
                .map_err(store_err)?;
            let redact_pattern = tx
                .settings()
                .redact_pattern
                .clone()
                .unwrap_or_else(|| runyard_domain::DEFAULT_REDACT_PATTERN.to_owned());
            tx.commit().await?;
            self.state
                .metrics
                .jobs_claimed
                .add(claimed.jobs.len() as u64);
            for job in &claimed.jobs {
                self.state
                    .metrics
                    .observe_queue_wait(&job.job_type, job.queue_wait_seconds);
            }
            if !claimed.jobs.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(Json(dto::ClaimResponse {
                    jobs: claimed
                        .jobs
                        .into_iter()
                        .map(|j| dto::ClaimedJob::new(j, &redact_pattern))
                        .collect(),
                }));
            }
            // At the workspace's running limit, room appears when a job finishes, which
            // sends no notification: look again every second.
            let wake = if claimed.at_running_limit {
                deadline.min(tokio::time::Instant::now() + Duration::from_secs(1))
            } else {
                deadline
            };
            let waited = async {
                match notified.as_mut().as_pin_mut() {
                    Some(n) => {
                        let _ = tokio::time::timeout_at(wake, n).await;
                    }
                    None => tokio::time::sleep_until(wake).await,
                }
            };
            tokio::select! {
                () = waited => {}
                // Shutting down: answer now rather than hold the drain up.
                () = self.state.stopping() => {
                    return Ok(Json(dto::ClaimResponse { jobs: Vec::new() }));
                }
            }
        }
    }

    /// Extend the lease on a job; the answer says whether a cancel or pause was asked,
    /// and carries the commands this attempt has not been handed yet.
    #[oai(
        path = "/v1/runner/jobs/:id/heartbeat",
        method = "post",
        operation_id = "heartbeatJob"
    )]
    async fn heartbeat(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::HeartbeatRequest>,
    ) -> Result<Json<dto::HeartbeatResponse>> {
        let attempt = body.attempt;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let beat = queue::heartbeat(
            &tx,
            &runner,
            *id,
            body.attempt,
            self.state.queue.lease,
            body.0.progress,
        )
        .await
        .map_err(store_err)?;
        let commands = queue::deliver_commands(&tx, &runner, *id, attempt, queue::Deliver::New)
            .await
            .map_err(store_err)?;
        tx.commit().await?;
        Ok(Json(dto::HeartbeatResponse {
            lease_expires_at: beat.lease_expires_at,
            cancel_requested: beat.cancel_requested,
            pause_requested: beat.pause_requested,
            commands: commands.into_iter().map(dto::Command::for_runner).collect(),
        }))
    }

    /// Append log lines. Resending a batch is safe: entries already stored with the same
    /// content are skipped; a seq stored with different content is a 409.
    #[oai(
        path = "/v1/runner/jobs/:id/logs",
        method = "post",
        operation_id = "appendJobLogs"
    )]
    async fn append_logs(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::LogBatch>,
    ) -> Result<Json<dto::LogsAccepted>> {
        if body.entries.is_empty() || body.entries.len() > MAX_LOG_ENTRIES {
            return Err(ApiError::invalid_field(
                "entries",
                "must hold 1 to 5000 entries",
            ));
        }
        let entries: Vec<LogEntry> = body
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                if e.metadata.as_ref().is_some_and(|m| !m.is_object()) {
                    return Err(ApiError::invalid_field(
                        &format!("entries[{i}].metadata"),
                        "must be a JSON object",
                    ));
                }
                Ok(LogEntry {
                    seq: e.seq,
                    stream: e.stream.as_str().to_owned(),
                    body: e.body.0.clone(),
                    level: e.level.map(Into::into),
                    step_ordinal: e.step_ordinal.map(|s| s as i32),
                    metadata: e.metadata.clone(),
                })
            })
            .collect::<Result<_>>()?;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let (accepted, duplicates) = queue::append_logs(&tx, &runner, *id, body.attempt, &entries)
            .await
            .map_err(store_err)?;
        tx.commit().await?;
        Ok(Json(dto::LogsAccepted {
            accepted,
            duplicates,
        }))
    }

    /// Create or update the step at `ordinal` (0-based). Status changes are recorded as
    /// job events.
    #[oai(
        path = "/v1/runner/jobs/:id/steps/:ordinal",
        method = "put",
        operation_id = "reportJobStep"
    )]
    async fn put_step(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        #[oai(validator(minimum(value = "0"), maximum(value = "10000")))] ordinal: Path<i32>,
        body: Json<dto::StepReportIn>,
    ) -> Result<Json<dto::Step>> {
        let name = runyard_domain::StepName::parse(&body.name).map_err(ApiError::invalid)?;
        let report = StepReport {
            name: name.as_str().to_owned(),
            phase: step_phase(body.phase),
            step_type: step_type(body.step_type),
            status: step_status(body.status),
            started_at: body.started_at,
            completed_at: body.completed_at,
            duration_ms: body.duration_ms,
            input_tokens: body.input_tokens,
            output_tokens: body.output_tokens,
            cost: body.cost,
            output: body.output.clone(),
        };
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let step = queue::upsert_step(&tx, &runner, *id, body.attempt, *ordinal, &report)
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Step::new(step, &redactor)))
    }

    /// Upload an artifact: the raw body is its content, `Content-Type` its type; `step`
    /// and `metadata` (a JSON object, as JSON text) describe it. An artifact of the same
    /// name is replaced. Past the workspace's `max_artifact_bytes`: 429.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/v1/runner/jobs/:id/artifacts/:name",
        method = "put",
        operation_id = "uploadJobArtifact"
    )]
    async fn put_artifact(
        &self,
        token: RunnerToken,
        req: &Request,
        id: Path<Uuid>,
        name: Path<String>,
        /// The attempt uploading it.
        attempt: Query<i32>,
        /// The ordinal of the step that produced it.
        #[oai(validator(minimum(value = "0"), maximum(value = "2147483647")))]
        step: Query<Option<i64>>,
        /// A JSON object kept with the artifact, as JSON text.
        metadata: Query<Option<String>>,
        body: Binary<Vec<u8>>,
    ) -> Result<ArtifactStored> {
        let name = artifact_name(&name)?;
        let metadata = metadata
            .0
            .as_deref()
            .map(|raw| {
                serde_json::from_str(raw)
                    .map_err(|_| ApiError::invalid_field("metadata", "must be a JSON object"))
            })
            .transpose()?;
        let metadata = artifact_metadata("metadata", metadata)?;
        let content_type = req
            .header(poem::http::header::CONTENT_TYPE)
            .filter(|v| !v.is_empty() && v.len() <= 255)
            .unwrap_or("application/octet-stream")
            .to_owned();
        let sha256: String = Sha256::digest(&body.0)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let artifact = NewArtifact {
            name: name.as_str().to_owned(),
            content_type,
            content: body.0,
            sha256,
            skipped: None,
            step_ordinal: step.0.map(|s| s as i32),
            metadata,
        };
        let stored = queue::put_artifact(&tx, &runner, *id, *attempt, artifact)
            .await
            .map_err(store_err)?;
        ArtifactStored::commit(tx, *id, stored).await
    }

    /// Record an artifact the job declared but did not produce: `status: skipped` with the
    /// reason, and no content. It replaces an artifact of the same name.
    #[oai(
        path = "/v1/runner/jobs/:id/artifacts/:name/skip",
        method = "post",
        operation_id = "skipJobArtifact"
    )]
    async fn skip_artifact(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        name: Path<String>,
        body: Json<dto::SkipArtifact>,
    ) -> Result<ArtifactStored> {
        let name = artifact_name(&name)?;
        let body = body.0;
        let reason = body.reason.trim().to_owned();
        if reason.is_empty() || reason.chars().count() > 1000 {
            return Err(ApiError::invalid_field(
                "reason",
                "must be 1 to 1000 characters",
            ));
        }
        let metadata = artifact_metadata("metadata", body.metadata)?;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let artifact = NewArtifact {
            name: name.as_str().to_owned(),
            content_type: "application/octet-stream".to_owned(),
            content: Vec::new(),
            sha256: format!("{:x}", Sha256::digest(b"")),
            skipped: Some(reason),
            step_ordinal: body.step_ordinal.map(|s| s as i32),
            metadata,
        };
        let stored = queue::put_artifact(&tx, &runner, *id, body.attempt, artifact)
            .await
            .map_err(store_err)?;
        ArtifactStored::commit(tx, *id, stored).await
    }

    /// The attempt succeeded: the job is `COMPLETED`.
    #[oai(
        path = "/v1/runner/jobs/:id/complete",
        method = "post",
        operation_id = "completeJob"
    )]
    async fn complete(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::CompleteRequest>,
    ) -> Result<Json<dto::Job>> {
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let job = queue::complete(&tx, &runner, *id, body.attempt, body.0.result)
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        self.state.metrics.jobs_completed.add(1);
        crate::otel::job_finished(&self.state, &job, "completed");
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// The attempt failed: retried after a backoff while attempts remain and `retryable`
    /// (default true), else `FAILED`; `CANCELLED` when a cancel was asked.
    #[oai(
        path = "/v1/runner/jobs/:id/fail",
        method = "post",
        operation_id = "failJob"
    )]
    async fn fail(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::FailRequest>,
    ) -> Result<Json<dto::Job>> {
        let body = body.0;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let job = queue::fail(
            &tx,
            &runner,
            *id,
            body.attempt,
            body.error,
            body.retryable.unwrap_or(true),
        )
        .await
        .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        self.state.metrics.jobs_failed.add(1);
        crate::otel::job_finished(&self.state, &job, "failed");
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// Hand back a job whose task is pausing (its heartbeat said `pause_requested`), with
    /// the snapshot to resume from. In one transaction the task's snapshot is replaced, the
    /// job becomes `PAUSED` (the attempt is not counted) and the task `paused` once none of
    /// its jobs runs. 409 `not_pausable` when no pause was asked.
    #[oai(
        path = "/v1/runner/jobs/:id/paused",
        method = "post",
        operation_id = "reportJobPaused"
    )]
    async fn paused(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::PausedRequest>,
    ) -> Result<Json<dto::Job>> {
        let body = body.0;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let job = queue::paused(&tx, &runner, *id, body.attempt, body.snapshot)
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// Suspend the job to wait for something outside (a batch, a reply, a webhook): the
    /// lease ends and the job is `SUSPENDED` until `poll_after_seconds` or `until`, when
    /// it is `QUEUED` again (within one sweep), or until a user wakes it or sends it a
    /// command. Past `max_wait_until` it is `FAILED` (`suspend_timeout`).
    ///
    /// Attempts: the next claim is attempt + 1, as every claim is, so calls about the
    /// suspended attempt are fenced off (409 `lease_lost`); but a suspend spends no
    /// attempt: `suspensions` grows by one and is added to `max_attempts` wherever
    /// attempts are counted. `state` (up to 64 KiB) is handed to the next claims as
    /// `suspended_state`, until the job suspends again. A job whose cancel was asked is
    /// `CANCELLED` instead.
    #[oai(
        path = "/v1/runner/jobs/:id/suspend",
        method = "post",
        operation_id = "suspendJob"
    )]
    async fn suspend(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::SuspendRequest>,
    ) -> Result<Json<dto::Job>> {
        let request = body.parse().map_err(ApiError::invalid)?;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let job = queue::suspend(&tx, &runner, *id, body.attempt, request)
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// The job's unacknowledged commands with a greater seq than `after_seq`, in seq
    /// order; with `wait_seconds` (0–60), waits for one to arrive (woken by the
    /// database, not by polling) and answers an empty list at the deadline. 409
    /// `lease_lost` when this runner does not hold `attempt`.
    #[oai(
        path = "/v1/runner/jobs/:id/commands",
        method = "get",
        operation_id = "pollJobCommands"
    )]
    async fn poll_commands(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        /// The attempt this runner holds.
        attempt: Query<i32>,
        /// Only commands after this seq (default 0: all unacknowledged).
        #[oai(validator(minimum(value = "0")))]
        after_seq: Query<Option<i64>>,
        /// Wait up to this long for a command, 0–60 (default 0).
        #[oai(validator(minimum(value = "0"), maximum(value = "60")))]
        wait_seconds: Query<Option<u32>>,
    ) -> Result<Json<dto::RunnerCommands>> {
        let wait = Duration::from_secs(u64::from(wait_seconds.0.unwrap_or(0)));
        let deadline = tokio::time::Instant::now() + wait;
        let after = after_seq.0.unwrap_or(0);
        loop {
            // Listen before looking, so a command sent in between wakes us.
            let notify = self.state.db.signals().commands(*id);
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
            let commands =
                queue::deliver_commands(&tx, &runner, *id, *attempt, queue::Deliver::After(after))
                    .await
                    .map_err(store_err)?;
            tx.commit().await?;
            if !commands.is_empty() || tokio::time::Instant::now() >= deadline {
                return Ok(Json(dto::RunnerCommands {
                    commands: commands.into_iter().map(dto::Command::for_runner).collect(),
                }));
            }
            tokio::select! {
                _ = tokio::time::timeout_at(deadline, notified) => {}
                () = self.state.stopping() => {
                    return Ok(Json(dto::RunnerCommands { commands: Vec::new() }));
                }
            }
        }
    }

    /// Acknowledge command `seq`, optionally with a result. Acknowledging it again
    /// answers the same and changes nothing. 409 `lease_lost` when this runner does not
    /// hold `attempt`; 404 when the job has no such command.
    #[oai(
        path = "/v1/runner/jobs/:id/commands/:seq/ack",
        method = "post",
        operation_id = "ackJobCommand"
    )]
    async fn ack_command(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        seq: Path<i64>,
        body: Json<dto::AckCommand>,
    ) -> Result<Json<dto::Command>> {
        let body = body.0;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let command = queue::ack_command(&tx, &runner, *id, body.attempt, *seq, body.result)
            .await
            .map_err(store_err)?;
        tx.commit().await?;
        Ok(Json(dto::Command::for_runner(command)))
    }

    /// Hand the job back to the queue (e.g. on shutdown); the attempt is not counted.
    #[oai(
        path = "/v1/runner/jobs/:id/release",
        method = "post",
        operation_id = "releaseJob"
    )]
    async fn release(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::ReleaseRequest>,
    ) -> Result<Json<dto::Job>> {
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let job = queue::release(&tx, &runner, *id, body.attempt)
            .await
            .map_err(store_err)?;
        // Before the commit makes the job claimable (and wakes claims), so this runner's
        // own abandoned long-poll cannot take it straight back.
        self.state
            .db
            .signals()
            .runner_stopping(runner.id, tx.workspace_id());
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// Record model calls the attempt made (up to 1000). Each call carries an id chosen
    /// by the client: resending a call is a no-op (counted in `duplicates`), another call
    /// under a recorded id is a 409 `ai_call_conflict` and nothing of the batch is stored.
    #[oai(
        path = "/v1/runner/jobs/:id/ai-calls",
        method = "post",
        operation_id = "recordAiCalls"
    )]
    async fn record_ai_calls(
        &self,
        token: RunnerToken,
        id: Path<Uuid>,
        body: Json<dto::AiCallBatch>,
    ) -> Result<Json<dto::AiCallsAccepted>> {
        let body = body.0;
        let calls = ai_calls(body.calls)?;
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let (accepted, duplicates) =
            queue::record_ai_calls(&tx, &runner, *id, body.attempt, &calls)
                .await
                .map_err(store_err)?;
        tx.commit().await?;
        Ok(Json(dto::AiCallsAccepted {
            accepted,
            duplicates,
        }))
    }

    /// Complete many jobs at once. Each result says whether it was applied; jobs this
    /// runner no longer holds are reported, not failed as a whole.
    #[oai(
        path = "/v1/runner/complete",
        method = "post",
        operation_id = "completeJobs"
    )]
    async fn complete_many(
        &self,
        token: RunnerToken,
        body: Json<dto::BatchComplete>,
    ) -> Result<Json<dto::BatchCompleteResult>> {
        if body.jobs.is_empty() || body.jobs.len() > MAX_COMPLETIONS {
            return Err(ApiError::invalid_field("jobs", "must hold 1 to 1000 jobs"));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = body.jobs.iter().find(|j| !seen.insert(j.id)) {
            return Err(ApiError::invalid_field(
                "jobs",
                &format!("job {} appears more than once", dup.id),
            ));
        }
        let items: Vec<Completion> = body
            .0
            .jobs
            .into_iter()
            .map(|j| Completion {
                id: j.id,
                attempt: j.attempt,
                result: j.result,
            })
            .collect();
        let (tx, runner) = self.state.enter_runner(&token.0.token).await?;
        let outcomes = queue::complete_many(&tx, &runner, &items)
            .await
            .map_err(store_err)?;
        tx.commit().await?;
        let completed = outcomes.iter().filter(|o| o.is_ok()).count();
        self.state.metrics.jobs_completed.add(completed as u64);
        let results = items
            .iter()
            .zip(outcomes)
            .map(|(item, outcome)| dto::CompletionResult {
                id: item.id,
                ok: outcome.is_ok(),
                code: outcome.err().map(|e| match e {
                    runyard_persistence::StoreError::NotFound => "not_found".to_owned(),
                    _ => "lease_lost".to_owned(),
                }),
            })
            .collect();
        Ok(Json(dto::BatchCompleteResult { results }))
    }
}

/// Validates a batch of model calls; errors name the field (`calls[3].cost_usd`).
fn ai_calls(calls: Vec<dto::AiCallIn>) -> Result<Vec<NewAiCall>> {
    if calls.is_empty() || calls.len() > MAX_AI_CALLS {
        return Err(ApiError::invalid_field(
            "calls",
            "must hold 1 to 1000 calls",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    calls
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let field = |name: &str| format!("calls[{i}].{name}");
            let bad = |name: &str, why: &str| ApiError::invalid_field(&field(name), why);
            if !seen.insert(c.id) {
                return Err(bad("id", "appears more than once in the batch"));
            }
            let text = |name: &str, value: Text, max: usize| {
                let n = value.chars().count();
                if n == 0 || n > max || value.trim().is_empty() {
                    return Err(bad(
                        name,
                        &format!("must be 1 to {max} characters, not blank"),
                    ));
                }
                Ok(value.into_string())
            };
            let cost_usd = match &c.cost_usd.0 {
                serde_json::Value::String(s) => {
                    UsdAmount::parse(&field("cost_usd"), s).map_err(ApiError::invalid)?
                }
                other => {
                    return Err(bad(
                        "cost_usd",
                        &format!(
                            "must be a decimal string such as \"0.004250\", not {}",
                            json_kind(other)
                        ),
                    ));
                }
            };
            if let Some(m) = &c.metadata {
                if !m.is_object() {
                    return Err(bad("metadata", "must be a JSON object"));
                }
                if m.to_string().len() > MAX_AI_CALL_METADATA_BYTES {
                    return Err(bad("metadata", "must be at most 16 KiB serialised"));
                }
            }
            let status = match c.status {
                dto::AiCallStatus::Ok => AiCallStatus::Ok,
                dto::AiCallStatus::Error => AiCallStatus::Error,
            };
            Ok(NewAiCall {
                id: c.id,
                step_ordinal: c.step_ordinal,
                provider: text("provider", c.provider, 100)?,
                model: text("model", c.model, 200)?,
                input_tokens: c.input_tokens,
                output_tokens: c.output_tokens,
                cached_tokens: c.cached_tokens,
                cost_usd,
                latency_ms: c.latency_ms,
                status,
                error: c.error.map(|e| text("error", e, 10_000)).transpose()?,
                batch_id: c.batch_id.map(|b| text("batch_id", b, 200)).transpose()?,
                started_at: c.started_at,
                metadata: c.metadata,
            })
        })
        .collect()
}

/// What kind of JSON value `v` is, for error messages.
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a JSON number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn step_phase(p: dto::StepPhase) -> StepPhase {
    match p {
        dto::StepPhase::Setup => StepPhase::Setup,
        dto::StepPhase::Execution => StepPhase::Execution,
        dto::StepPhase::Validation => StepPhase::Validation,
        dto::StepPhase::Cleanup => StepPhase::Cleanup,
    }
}

fn step_type(t: dto::StepType) -> StepType {
    match t {
        dto::StepType::Command => StepType::Command,
        dto::StepType::AiAction => StepType::AiAction,
        dto::StepType::Gate => StepType::Gate,
        dto::StepType::Artifact => StepType::Artifact,
    }
}

fn step_status(s: dto::StepStatus) -> StepStatus {
    match s {
        dto::StepStatus::Pending => StepStatus::Pending,
        dto::StepStatus::Running => StepStatus::Running,
        dto::StepStatus::Waiting => StepStatus::Waiting,
        dto::StepStatus::Completed => StepStatus::Completed,
        dto::StepStatus::Failed => StepStatus::Failed,
        dto::StepStatus::Skipped => StepStatus::Skipped,
    }
}
