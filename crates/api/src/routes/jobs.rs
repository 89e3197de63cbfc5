//! Runner jobs as users see them: enqueue, list, read, cancel, retry, approve, logs, artifacts.

use std::sync::Arc;

use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use runyard_domain::{FailureKind, JobStatus, Labels, Role, ValidationError};
use runyard_persistence::jobs::{self, Created, JobFilter};
use uuid::Uuid;

use super::logs;
use super::paging::{List, after_seq_or_cursor, comma_list, parse_seq, seq_cursor};
use super::{Result, Tag, UserToken, caller, location};
use crate::dto;
use crate::error::ApiError;
use crate::state::{AppState, Caller};

pub struct JobsApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
enum JobCreated {
    /// Created and enqueued.
    #[oai(status = 201)]
    Created(
        Json<dto::Job>,
        /// Where the created resource is.
        #[oai(header = "Location")]
        String,
    ),
    /// The same request was made before with this `Idempotency-Key`: the job it created.
    #[oai(status = 200)]
    Replayed(Json<dto::Job>),
}

#[derive(ApiResponse)]
enum BatchCreated {
    /// All jobs created and enqueued, in request order.
    #[oai(status = 201)]
    Created(Json<dto::JobBatch>),
}

impl JobCreated {
    fn created(job: dto::Job) -> Self {
        let location = location(&[
            "v1",
            "workspaces",
            &job.workspace_id.to_string(),
            "runner-jobs",
            &job.id.to_string(),
        ]);
        Self::Created(Json(job), location)
    }
}

const MAX_BATCH: usize = 1000;
const MAX_COMMAND_BYTES: usize = 64 * 1024;

#[derive(ApiResponse)]
enum CommandSent {
    /// Appended with the job's next seq.
    #[oai(status = 201)]
    Created(Json<dto::Command>),
}

/// "A, B, C": every value of a string enum, for error messages.
fn one_of<T: std::fmt::Display>(all: impl IntoIterator<Item = T>) -> String {
    all.into_iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_filter(
    status: Option<&str>,
    job_type: Option<String>,
    agent_task_id: Option<Uuid>,
    label: Option<&str>,
    failure_kind: Option<&str>,
    awaiting_approval: Option<bool>,
) -> std::result::Result<JobFilter, ValidationError> {
    let statuses = comma_list(status)
        .into_iter()
        .map(|s| {
            JobStatus::parse(&s.to_ascii_uppercase()).ok_or_else(|| {
                ValidationError::new(
                    "status",
                    format!(
                        "unknown status {s:?}; expected one of {}",
                        one_of(JobStatus::ALL)
                    ),
                )
            })
        })
        .collect::<std::result::Result<_, _>>()?;
    let failure_kinds = comma_list(failure_kind)
        .into_iter()
        .map(|k| {
            FailureKind::parse(&k.to_ascii_lowercase()).ok_or_else(|| {
                ValidationError::new(
                    "failure_kind",
                    format!(
                        "unknown failure kind {k:?}; expected one of {}",
                        one_of(FailureKind::ALL)
                    ),
                )
            })
        })
        .collect::<std::result::Result<_, _>>()?;
    let labels = comma_list(label)
        .into_iter()
        .map(|l| Labels::parse_one(l).map_err(|e| ValidationError::new("label", e.message)))
        .collect::<std::result::Result<_, _>>()?;
    Ok(JobFilter {
        statuses,
        job_type,
        agent_task_id,
        labels,
        failure_kinds,
        awaiting_approval,
    })
}

fn log_filter(
    since: Option<chrono::DateTime<chrono::Utc>>,
    until: Option<chrono::DateTime<chrono::Utc>>,
    level: Option<dto::LogLevel>,
    step: Option<i64>,
) -> Result<jobs::LogFilter> {
    if let (Some(since), Some(until)) = (since, until)
        && until < since
    {
        return Err(ApiError::invalid_field("until", "must not be before since"));
    }
    Ok(jobs::LogFilter {
        since,
        until,
        min_level: level.map(Into::into),
        step_ordinal: step.map(|s| s as i32),
    })
}

fn approval_comment(body: dto::ApprovalDecision) -> Result<Option<String>> {
    let comment = body.comment.map(|c| c.trim().to_owned());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 1000) {
        return Err(ApiError::invalid_field(
            "comment",
            "must be at most 1000 characters",
        ));
    }
    Ok(comment)
}

impl JobsApi {
    /// Enters `ws` as a viewer and checks job `id` is there (404 otherwise), for the
    /// endpoints that read what belongs to a job.
    async fn enter_job(
        &self,
        caller: &Caller,
        ws: &str,
        id: Uuid,
    ) -> Result<runyard_persistence::WorkspaceTx> {
        let tx = self.state.enter(caller, ws, Role::Viewer).await?;
        jobs::get(&tx, id)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        Ok(tx)
    }
}

impl JobsApi {
    /// Approves or rejects a job waiting for an approval, as an admin.
    async fn decide(
        &self,
        token: &UserToken,
        ws: &str,
        id: Uuid,
        body: dto::ApprovalDecision,
        approve: bool,
    ) -> Result<Json<dto::Job>> {
        let comment = approval_comment(body)?;
        let caller = caller(&self.state, token)?;
        let tx = self.state.enter(&caller, ws, Role::Admin).await?;
        let decided = if approve {
            jobs::approve(&tx, id, comment.as_deref()).await
        } else {
            jobs::reject(&tx, id, comment.as_deref()).await
        };
        let job = decided.map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }
}

#[OpenApi(tag = "Tag::Jobs")]
impl JobsApi {
    /// Create and enqueue a job (member). With an `Idempotency-Key`, repeating the same
    /// request returns the same job with 200; reusing the key for a different request is
    /// a 409.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs",
        method = "post",
        operation_id = "createJob"
    )]
    async fn create_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// Makes retries safe: the same key and request always yield the same job.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        /// W3C trace context of the caller (`00-<trace id>-<span id>-<flags>`): kept with
        /// the job, given to its runner, and the parent of the job's span. An invalid
        /// value is ignored.
        #[oai(name = "traceparent")]
        _traceparent: Header<Option<String>>,
        body: Json<dto::CreateJob>,
        req: &poem::Request,
    ) -> Result<JobCreated> {
        let caller = caller(&self.state, &token)?;
        let mut job = body.parse().map_err(ApiError::invalid)?;
        job.traceparent = crate::otel::job_traceparent(req, &self.state.tracer);
        let key = idempotency_key
            .0
            .as_deref()
            .map(runyard_domain::IdempotencyKey::parse)
            .transpose()
            .map_err(ApiError::invalid)?;
        let key = key.as_ref().map(runyard_domain::IdempotencyKey::as_str);
        // The plain case in one round trip; anything else (or a refusal, to be explained)
        // takes the general path.
        if key.is_none() && job.agent_task_id.is_none() {
            let direct = jobs::create_direct(
                &self.state.db,
                &caller.subject,
                &caller.actor,
                &runyard_persistence::WorkspaceRef::parse(&ws),
                &job,
            )
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
            if let Some(record) = direct {
                self.state.metrics.jobs_created.add(1);
                // The direct path skips workspaces with their own pattern: the default
                // one applies.
                let redactor = runyard_domain::Redactor::default();
                return Ok(JobCreated::created(dto::Job::new(record, &redactor)));
            }
        }
        let tx = self.state.enter(&caller, &ws, Role::Member).await?;
        let (record, created) = jobs::create(&tx, &job, key)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let job = Json(dto::Job::new(record, &redactor));
        Ok(match created {
            Created::New => {
                self.state.metrics.jobs_created.add(1);
                JobCreated::created(job.0)
            }
            Created::Replayed => JobCreated::Replayed(job),
        })
    }

    /// Create and enqueue up to 1000 jobs in one transaction (member): all or none.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/batch",
        method = "post",
        operation_id = "createJobBatch"
    )]
    async fn create_jobs(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// W3C trace context of the caller, kept with every job of the batch.
        #[oai(name = "traceparent")]
        _traceparent: Header<Option<String>>,
        body: Json<dto::CreateJobBatch>,
        req: &poem::Request,
    ) -> Result<BatchCreated> {
        let caller = caller(&self.state, &token)?;
        if body.jobs.is_empty() || body.jobs.len() > MAX_BATCH {
            return Err(ApiError::invalid_field("jobs", "must hold 1 to 1000 jobs"));
        }
        let traceparent = crate::otel::job_traceparent(req, &self.state.tracer);
        let parsed = body
            .jobs
            .iter()
            .enumerate()
            .map(|(i, j)| {
                let mut job = j.parse().map_err(|e| e.within(&format!("jobs[{i}].")))?;
                job.traceparent.clone_from(&traceparent);
                Ok(job)
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(ApiError::invalid)?;
        let tx = self.state.enter(&caller, &ws, Role::Member).await?;
        let records = jobs::create_batch(&tx, &parsed)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        self.state.metrics.jobs_created.add(records.len() as u64);
        Ok(BatchCreated::Created(Json(dto::JobBatch {
            items: records
                .into_iter()
                .map(|j| dto::Job::new(j, &redactor))
                .collect(),
        })))
    }

    /// List jobs, newest first (viewer). Filters combine; `status` and `label` take
    /// comma-separated lists (any of the statuses; all of the labels).
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs",
        method = "get",
        operation_id = "listJobs"
    )]
    async fn list_jobs(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// e.g. `QUEUED` or `QUEUED,RUNNING`.
        status: Query<Option<String>>,
        /// Job type, exact.
        #[oai(name = "type")]
        job_type: Query<Option<String>>,
        agent_task_id: Query<Option<Uuid>>,
        /// Jobs carrying every one of these labels, e.g. `linux,gpu`.
        label: Query<Option<String>>,
        /// Finished jobs that ended for any of these reasons, e.g. `timeout,lease_expired`.
        failure_kind: Query<Option<String>>,
        /// `true`: only jobs waiting for an approval; `false`: only the others.
        awaiting_approval: Query<Option<bool>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::JobList>> {
        let caller = caller(&self.state, &token)?;
        let filter = parse_filter(
            status.0.as_deref(),
            job_type.0,
            agent_task_id.0,
            label.0.as_deref(),
            failure_kind.0.as_deref(),
            awaiting_approval.0,
        )
        .map_err(ApiError::invalid)?;
        let after = cursor
            .0
            .as_deref()
            .map(|c| List::Jobs.decode_id(c))
            .transpose()?;
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let (page, next) =
            jobs::list(&tx, &filter, after, u64::from(limit.0.unwrap_or(50))).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::JobList {
            items: page
                .into_iter()
                .map(|j| dto::Job::new(j, &redactor))
                .collect(),
            next_cursor: next.map(|id| List::Jobs.encode_id(id)),
        }))
    }

    /// One job with its steps and first events (viewer). The steps are those of its
    /// current attempt; `attempt` reads an earlier one's.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id",
        method = "get",
        operation_id = "getJob"
    )]
    async fn get_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// Show the steps of this attempt instead of the current one's.
        #[oai(validator(minimum(value = "0")))]
        attempt: Query<Option<i32>>,
    ) -> Result<Json<dto::JobDetail>> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let job = jobs::get(&tx, *id)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let steps = jobs::steps(&tx, *id, attempt.0).await?;
        const INLINE_EVENTS: u64 = 500;
        let events = jobs::events(&tx, *id, 0, INLINE_EVENTS).await?;
        let usage = runyard_persistence::usage::job_usage(&tx, *id).await?;
        let approvals = jobs::approvals(&tx, *id).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let events_next_cursor =
            seq_cursor(events.len(), INLINE_EVENTS, events.last().map(|e| e.seq));
        Ok(Json(dto::JobDetail {
            job: dto::Job::new(job, &redactor),
            steps: steps
                .into_iter()
                .map(|s| dto::Step::new(s, &redactor))
                .collect(),
            events: events
                .into_iter()
                .map(|e| dto::JobEvent::new(e, &redactor))
                .collect(),
            usage: usage.into(),
            events_next_cursor,
            approvals: approvals.into_iter().map(Into::into).collect(),
        }))
    }

    /// A page of a job's events in `seq` order, after `after_seq` (viewer).
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/events",
        method = "get",
        operation_id = "listJobEvents"
    )]
    async fn list_job_events(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// Return events with a greater `seq` (default 0: from the start).
        #[oai(validator(minimum(value = "0")))]
        after_seq: Query<Option<i64>>,
        /// `next_cursor` of the previous page (the same as `after_seq`).
        cursor: Query<Option<String>>,
        /// Page size, 1–1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::JobEventList>> {
        let caller = caller(&self.state, &token)?;
        let after = after_seq_or_cursor(after_seq.0, cursor.0.as_deref())?;
        let tx = self.enter_job(&caller, &ws, *id).await?;
        let limit = u64::from(limit.0.unwrap_or(100));
        let events = jobs::events(&tx, *id, after, limit).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let next_cursor = seq_cursor(events.len(), limit, events.last().map(|e| e.seq));
        Ok(Json(dto::JobEventList {
            items: events
                .into_iter()
                .map(|e| dto::JobEvent::new(e, &redactor))
                .collect(),
            next_cursor,
        }))
    }

    /// Cancel a job (member), optionally saying why (the body may be omitted). Not
    /// running (queued, waiting, paused, suspended): `CANCELLED` at once. Running: the
    /// job is flagged (`cancel_requested_at`) and its runner is told on its next
    /// heartbeat. Finished: 409. Who asked and why are kept as `cancelled_by` and
    /// `cancel_reason`; the job ends with `failure_kind: "cancelled"`.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/cancel",
        method = "post",
        operation_id = "cancelJob"
    )]
    async fn cancel_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        body: Json<Option<dto::CancelJob>>,
    ) -> Result<Json<dto::Job>> {
        let reason = body
            .0
            .and_then(|b| b.reason)
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 1000) {
            return Err(ApiError::invalid_field(
                "reason",
                "must be at most 1000 characters",
            ));
        }
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Member).await?;
        let job = jobs::cancel(&tx, *id, reason.as_deref())
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// Wake a `SUSPENDED` job before its poll time (member): it is `QUEUED` at once and
    /// its next claim gets the state it handed back. 409 `not_suspended` otherwise.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/wake",
        method = "post",
        operation_id = "wakeJob"
    )]
    async fn wake_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<dto::Job>> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Member).await?;
        let job = jobs::wake(&tx, *id, serde_json::json!({"reason": "wake"}))
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// Send a command to a job (member): appended with the job's next `seq` and handed
    /// to its runner (in the heartbeat answer, or a long-poll of
    /// `/v1/runner/jobs/{id}/commands`) until acknowledged, again to each new attempt.
    /// A `SUSPENDED` job is woken by it. 409 `job_finished` for a finished job.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/commands",
        method = "post",
        operation_id = "sendJobCommand"
    )]
    async fn send_command(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        body: Json<dto::SendCommand>,
    ) -> Result<CommandSent> {
        let body = body.0;
        let command_type = body.command_type.trim();
        if command_type.is_empty()
            || command_type.chars().count() > 100
            || command_type.chars().any(char::is_control)
        {
            return Err(ApiError::invalid_field(
                "type",
                "must be 1 to 100 characters, none of them control characters",
            ));
        }
        let payload = body
            .payload
            .unwrap_or(serde_json::Value::Object(Default::default()));
        if serde_json::to_vec(&payload).map_or(usize::MAX, |v| v.len()) > MAX_COMMAND_BYTES {
            return Err(ApiError::invalid_field(
                "payload",
                "must be at most 65536 bytes of JSON",
            ));
        }
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Member).await?;
        let command = jobs::commands::send(&tx, *id, command_type, payload)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(CommandSent::Created(Json(dto::Command::new(
            command, &redactor,
        ))))
    }

    /// A page of a job's commands in `seq` order, after `after_seq`, with their status
    /// (viewer).
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/commands",
        method = "get",
        operation_id = "listJobCommands"
    )]
    async fn list_commands(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// Return commands with a greater `seq` (default 0: from the start).
        #[oai(validator(minimum(value = "0")))]
        after_seq: Query<Option<i64>>,
        /// `next_cursor` of the previous page (the same as `after_seq`).
        cursor: Query<Option<String>>,
        /// Page size, 1–1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::CommandList>> {
        let caller = caller(&self.state, &token)?;
        let after = after_seq_or_cursor(after_seq.0, cursor.0.as_deref())?;
        let tx = self.enter_job(&caller, &ws, *id).await?;
        let limit = u64::from(limit.0.unwrap_or(100));
        let commands = jobs::commands::list(&tx, *id, after, limit).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let next_cursor = seq_cursor(commands.len(), limit, commands.last().map(|c| c.seq));
        Ok(Json(dto::CommandList {
            items: commands
                .into_iter()
                .map(|c| dto::Command::new(c, &redactor))
                .collect(),
            next_cursor,
        }))
    }

    /// Re-queue a `FAILED` or `CANCELLED` job with a fresh set of attempts (member).
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/retry",
        method = "post",
        operation_id = "retryJob"
    )]
    async fn retry_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<dto::Job>> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Member).await?;
        let job = jobs::retry(&tx, *id)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::Job::new(job, &redactor)))
    }

    /// Approve a job waiting for an approval (admin): created with
    /// `requires_approval`, or stopped at a `GATE` step. It becomes `QUEUED` (or waits for
    /// its `run_after`); a waiting gate step completes. 409 when it waits for no approval.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/approve",
        method = "post",
        operation_id = "approveJob"
    )]
    async fn approve_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        body: Json<dto::ApprovalDecision>,
    ) -> Result<Json<dto::Job>> {
        self.decide(&token, &ws, *id, body.0, true).await
    }

    /// Reject a job waiting for an approval (admin): it is `CANCELLED`, and a waiting
    /// gate step fails. 409 when it waits for no approval.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/reject",
        method = "post",
        operation_id = "rejectJob"
    )]
    async fn reject_job(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        body: Json<dto::ApprovalDecision>,
    ) -> Result<Json<dto::Job>> {
        self.decide(&token, &ws, *id, body.0, false).await
    }

    /// A page of a job's log lines in `seq` order, after `after_seq` (viewer), optionally
    /// only those written in `[since, until)`, at `level` or above (a line without a level
    /// counts as `info`), or of one `step`.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/logs",
        method = "get",
        operation_id = "listJobLogs"
    )]
    async fn list_job_logs(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// Lines written at or after this time.
        since: Query<Option<chrono::DateTime<chrono::Utc>>>,
        /// Lines written before this time.
        until: Query<Option<chrono::DateTime<chrono::Utc>>>,
        /// The minimum level: `debug`, `info`, `warn` or `error`.
        level: Query<Option<dto::LogLevel>>,
        /// Lines of the step with this ordinal.
        #[oai(validator(minimum(value = "0"), maximum(value = "2147483647")))]
        step: Query<Option<i64>>,
        /// Return lines with a greater `seq` (default 0: from the start).
        #[oai(validator(minimum(value = "0")))]
        after_seq: Query<Option<i64>>,
        /// `next_cursor` of the previous page (the same as `after_seq`).
        cursor: Query<Option<String>>,
        /// Page size, 1–5000 (default 1000).
        #[oai(validator(minimum(value = "1"), maximum(value = "5000")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::LogList>> {
        let caller = caller(&self.state, &token)?;
        let after = after_seq_or_cursor(after_seq.0, cursor.0.as_deref())?;
        let filter = log_filter(since.0, until.0, level.0, step.0)?;
        let tx = self.enter_job(&caller, &ws, *id).await?;
        let limit = u64::from(limit.0.unwrap_or(1000));
        let lines = jobs::logs(&tx, *id, after, limit, &filter).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let next_cursor = seq_cursor(lines.len(), limit, lines.last().map(|l| l.seq));
        Ok(Json(dto::LogList {
            items: lines
                .into_iter()
                .map(|l| dto::LogEntry::new(l, &redactor))
                .collect(),
            next_cursor,
        }))
    }

    /// Follow a job's log live, as Server-Sent Events (viewer): `event: log` per line,
    /// with the line's `seq` as the event id, then `event: end` once the job has finished
    /// and every line was sent. Reconnect with `Last-Event-ID` (or `after_seq`) to resume
    /// without gaps or repeats. `level` and `step` filter as on the page read.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/logs/stream",
        method = "get",
        operation_id = "streamJobLogs"
    )]
    async fn stream_job_logs(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// Start after this seq.
        #[oai(validator(minimum(value = "0")))]
        after_seq: Query<Option<i64>>,
        /// Set by EventSource on reconnect: the last seq received.
        #[oai(name = "Last-Event-ID")]
        last_event_id: poem_openapi::param::Header<Option<String>>,
        /// The minimum level: `debug`, `info`, `warn` or `error`.
        level: Query<Option<dto::LogLevel>>,
        /// Lines of the step with this ordinal.
        #[oai(validator(minimum(value = "0"), maximum(value = "2147483647")))]
        step: Query<Option<i64>>,
    ) -> Result<
        poem_openapi::payload::EventStream<
            futures_util::stream::BoxStream<'static, dto::LogStreamItem>,
        >,
    > {
        let caller = caller(&self.state, &token)?;
        let after = match last_event_id.0.as_deref() {
            Some(raw) => parse_seq("Last-Event-ID", raw)?,
            None => after_seq.0.unwrap_or(0),
        };
        // Check access once up front, so a stranger gets a 404 rather than a stream.
        let tx = self.enter_job(&caller, &ws, *id).await?;
        tx.commit().await?;
        let filter = log_filter(None, None, level.0, step.0)?;
        let stream = logs::tail(self.state.clone(), caller, ws.0, *id, after, filter);
        Ok(poem_openapi::payload::EventStream::new(stream)
            .keep_alive(std::time::Duration::from_secs(15))
            .to_event(logs::to_event))
    }

    /// A job's artifacts (viewer).
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/artifacts",
        method = "get",
        operation_id = "listJobArtifacts"
    )]
    async fn list_job_artifacts(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–500 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::ArtifactList>> {
        let caller = caller(&self.state, &token)?;
        let after = cursor
            .0
            .as_deref()
            .map(|c| List::Artifacts.decode_key(c))
            .transpose()?;
        let tx = self.enter_job(&caller, &ws, *id).await?;
        let (page, next) = jobs::artifacts(
            &tx,
            *id,
            after.as_deref(),
            u64::from(limit.0.unwrap_or(100)),
        )
        .await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::ArtifactList {
            items: page
                .into_iter()
                .map(|a| dto::Artifact::new(a, &redactor))
                .collect(),
            next_cursor: next.as_deref().map(|k| List::Artifacts.encode_key(k)),
        }))
    }

    /// Delete one of a job's artifacts (admin): its content and its record.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/artifacts/:name",
        method = "delete",
        operation_id = "deleteJobArtifact"
    )]
    async fn delete_job_artifact(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        name: Path<String>,
    ) -> Result<ArtifactDeleted> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        jobs::delete_artifact(&tx, *id, &name)
            .await
            .map_err(|e| ApiError::from_store(e, "artifact"))?;
        tx.commit().await?;
        Ok(ArtifactDeleted::Deleted)
    }

    /// Download an artifact (viewer): its content, with its content type. A skipped
    /// artifact has none: 404.
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/artifacts/:name",
        method = "get",
        operation_id = "downloadJobArtifact"
    )]
    async fn download_job_artifact(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        name: Path<String>,
    ) -> Result<ArtifactDownload> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let (meta, content) = jobs::artifact(&tx, *id, &name)
            .await
            .map_err(|e| ApiError::from_store(e, "artifact"))?;
        tx.commit().await?;
        if meta.status == "skipped" {
            return Err(ApiError::not_found("artifact"));
        }
        Ok(ArtifactDownload::Ok(
            ArtifactBytes(content),
            meta.content_type,
            meta.sha256,
            format!(
                "attachment; filename=\"{}\"",
                meta.name.replace(['"', '\\'], "_")
            ),
        ))
    }
}

#[derive(ApiResponse)]
enum ArtifactDeleted {
    /// Deleted, content and record.
    #[oai(status = 204)]
    Deleted,
}

/// An artifact's bytes as a response body: any content type in the spec (`*/*`), and the
/// one it was uploaded with on the wire (set by [`ArtifactDownload`]'s header).
struct ArtifactBytes(Vec<u8>);

impl poem_openapi::payload::Payload for ArtifactBytes {
    const CONTENT_TYPE: &'static str = "*/*";

    fn schema_ref() -> poem_openapi::registry::MetaSchemaRef {
        <poem_openapi::payload::Binary<Vec<u8>> as poem_openapi::payload::Payload>::schema_ref()
    }
}

impl poem::IntoResponse for ArtifactBytes {
    fn into_response(self) -> poem::Response {
        poem::Response::builder().body(self.0)
    }
}

#[derive(ApiResponse)]
enum ArtifactDownload {
    /// The artifact's bytes, with the content type it was uploaded with.
    #[oai(status = 200)]
    Ok(
        ArtifactBytes,
        #[oai(header = "Content-Type")] String,
        /// Hex SHA-256 of the content.
        #[oai(header = "X-Checksum-Sha256")]
        String,
        #[oai(header = "Content-Disposition")] String,
    ),
}
