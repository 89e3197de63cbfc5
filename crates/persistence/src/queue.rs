//! The runner side of the queue: claim, heartbeat, report, finish.
//!
//! Fencing: every call about a job names the attempt it is for, and is applied only while
//! the job is `RUNNING`, leased to this runner, at that attempt. Otherwise it fails with
//! [`StoreError::LeaseLost`], so a runner whose lease expired and whose job was claimed
//! again can never write into the newer attempt.

use std::time::Duration;

use runyard_domain::{
    FailureKind, JobStatus, PauseKind, PollAfter, StepPhase, StepStatus, StepType, Suspend,
    after_failed_attempt, event_type,
};
use sea_orm::{FromQueryResult, Value};
use uuid::Uuid;

use crate::jobs::StepRow;
use crate::jobs::commands::{COMMAND_COLUMNS, CommandRow};
use crate::transition::{
    self, ApprovalClock, Attempt, Change, Echo, Event, Fence, Lease, PollAt, Set, Stamp, Suspension,
};
use crate::{
    ArtifactRecord, ClaimedJob, CommandRecord, Heartbeat, JobRecord, StepRecord, StoreError,
    Timestamp, WorkspaceTx,
};

/// The runner a [`WorkspaceTx`] was entered for, by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerIdentity {
    pub id: Uuid,
    pub labels: Vec<String>,
}

fn secs(d: Duration) -> Value {
    d.as_secs_f64().into()
}

/// How many more jobs the workspace's `max_running_jobs` lets this claim take (all of
/// `max` when unlimited). With a limit, concurrent claims of the workspace take turns on
/// an advisory lock held to the end of the transaction, so the limit holds under races.
async fn running_room(tx: &WorkspaceTx, max: u32) -> Result<u32, StoreError> {
    let Some(limit) = tx.settings().max_running_jobs else {
        return Ok(max);
    };
    #[derive(FromQueryResult)]
    struct Running {
        n: i64,
    }
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('runyard_running:' || $1::text))",
        [tx.workspace_id().into()],
    )
    .await?;
    // A fresh statement, so it sees every claim committed before the lock was granted.
    let running: Option<Running> = tx
        .one(
            "SELECT count(*) AS n FROM (SELECT 1 FROM runner_jobs \
              WHERE workspace_id = $1 AND status = $3 LIMIT $2) r",
            [
                tx.workspace_id().into(),
                limit.max(0).into(),
                JobStatus::Running.as_str().into(),
            ],
        )
        .await?;
    let room = (limit - running.map_or(0, |r| r.n)).max(0);
    Ok(u32::try_from(room).unwrap_or(u32::MAX).min(max))
}

/// What a claim got.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub jobs: Vec<ClaimedJob>,
    /// The workspace's `max_running_jobs` held the claim back.
    pub at_running_limit: bool,
}

/// Claims up to `max` claimable jobs whose labels the runner has, in priority, then
/// `run_after`, then id order, leasing each for `lease`. Locked rows are skipped, so
/// concurrent claimers never get the same job.
pub async fn claim(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    max: u32,
    lease: Duration,
) -> Result<Claimed, StoreError> {
    let room = running_room(tx, max).await?;
    if room == 0 {
        return Ok(Claimed {
            jobs: Vec::new(),
            at_running_limit: true,
        });
    }
    let change = Change::new(
        Uuid::nil(),
        JobStatus::Queued,
        JobStatus::Running,
        Fence::Status,
        Set {
            attempt: Some(Attempt::Next),
            lease: Some(Lease::Take {
                runner: runner.id,
                seconds: lease.as_secs_f64(),
            }),
            started_at: Some(Stamp::Now),
            // A resume is handed over once: this claim takes it (see transition::claim).
            resumed_at: Some(Stamp::Clear),
            ..Set::default()
        },
        Event::new(
            event_type::CLAIMED,
            serde_json::json!({"runner_id": runner.id}),
            Echo::STATUS_ATTEMPT,
        ),
    )?;
    let rows = transition::claim(tx, &runner.labels, room, change).await?;
    let jobs = rows
        .into_iter()
        .map(|r| ClaimedJob {
            id: r.id,
            workspace_id: r.workspace_id,
            job_type: r.job_type,
            payload: r.payload,
            labels: r.labels,
            priority: r.priority,
            attempt: r.attempt,
            max_attempts: r.max_attempts,
            timeout_seconds: r.timeout_seconds,
            lease_expires_at: r.lease_expires_at,
            agent_task_id: r.agent_task_id,
            resume_snapshot: r.resume_snapshot,
            suspended_state: r.suspended_state,
            next_log_seq: r.next_log_seq,
            secrets: r.secrets,
            traceparent: r.traceparent,
            queue_wait_seconds: r.queue_wait_seconds,
        })
        .collect::<Vec<_>>();
    Ok(Claimed {
        at_running_limit: tx.settings().max_running_jobs.is_some()
            && jobs.len() as u32 == room
            && room < max,
        jobs,
    })
}

/// Why a fenced statement touched no row: the job is not there, or not ours.
async fn explain_miss(tx: &WorkspaceTx, job_id: Uuid, attempt: i32) -> StoreError {
    #[derive(FromQueryResult)]
    struct Exists {
        #[allow(dead_code)]
        one: i32,
    }
    let found: Result<Option<Exists>, _> = tx
        .one(
            "SELECT 1 AS one FROM runner_jobs WHERE workspace_id = $1 AND id = $2",
            [tx.workspace_id().into(), job_id.into()],
        )
        .await;
    match found {
        Ok(Some(_)) => StoreError::LeaseLost { attempt },
        Ok(None) => StoreError::NotFound,
        Err(e) => e,
    }
}

/// The fence, as SQL for the reads and the heartbeat: this runner holds this attempt of
/// this running job (parameters from [`fence_values`]). State changes use the same rule
/// as [`Fence::Lease`].
const FENCE: &str =
    "workspace_id = $1 AND id = $2 AND status = $5 AND lease_runner_id = $3 AND attempt = $4";

fn fence_values(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
) -> Vec<Value> {
    vec![
        tx.workspace_id().into(),
        job_id.into(),
        runner.id.into(),
        attempt.into(),
        JobStatus::Running.as_str().into(),
    ]
}

/// Extends the lease and records progress; answers whether a cancel or pause was asked.
pub async fn heartbeat(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    lease: Duration,
    progress: Option<serde_json::Value>,
) -> Result<Heartbeat, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        lease_expires_at: Timestamp,
        cancel_requested: bool,
        pause_requested: bool,
    }
    let mut values = fence_values(tx, runner, job_id, attempt);
    values.push(secs(lease));
    values.push(progress.into());
    let row: Option<Row> = tx
        .one(
            &format!(
                "UPDATE runner_jobs SET lease_expires_at = now() + make_interval(secs => $6), \
                        progress = coalesce($7, progress), updated_at = now() \
                  WHERE {FENCE} \
                 RETURNING lease_expires_at, cancel_requested_at IS NOT NULL AS cancel_requested, \
                           pause_requested_at IS NOT NULL AS pause_requested"
            ),
            values,
        )
        .await?;
    match row {
        Some(r) => Ok(Heartbeat {
            lease_expires_at: r.lease_expires_at,
            cancel_requested: r.cancel_requested,
            pause_requested: r.pause_requested,
        }),
        None => Err(explain_miss(tx, job_id, attempt).await),
    }
}

/// How firmly [`hold`] locks the job row.
#[derive(Clone, Copy)]
enum Lock {
    /// Enough to keep the job from changing hands before the caller's writes commit.
    Share,
    /// Also serialises writers of the job row (e.g. to take an event seq from it).
    Update,
}

/// Locks the job while this runner holds the attempt; otherwise says why not.
async fn hold(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    lock: Lock,
) -> Result<(), StoreError> {
    #[derive(FromQueryResult)]
    struct Held {
        #[allow(dead_code)]
        one: i32,
    }
    let mode = match lock {
        Lock::Share => "SHARE",
        Lock::Update => "UPDATE",
    };
    let held: Option<Held> = tx
        .one(
            &format!("SELECT 1 AS one FROM runner_jobs WHERE {FENCE} FOR {mode}"),
            fence_values(tx, runner, job_id, attempt),
        )
        .await?;
    match held {
        Some(_) => Ok(()),
        None => Err(explain_miss(tx, job_id, attempt).await),
    }
}

/// One log line as the runner sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub seq: i64,
    pub stream: String,
    pub body: String,
    pub level: Option<runyard_domain::LogLevel>,
    pub step_ordinal: Option<i32>,
    pub metadata: Option<serde_json::Value>,
}

/// Appends log entries. An entry whose `seq` exists with the same stream and body is a
/// duplicate (a retried batch) and is skipped; with another body it is a conflict and
/// nothing of the batch is written. Returns (accepted, duplicates).
pub async fn append_logs(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    entries: &[LogEntry],
) -> Result<(u64, u64), StoreError> {
    hold(tx, runner, job_id, attempt, Lock::Share).await?;
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "seq": e.seq,
                "stream": e.stream,
                "body": e.body,
                "level": e.level.map(runyard_domain::LogLevel::as_str),
                "step_ordinal": e.step_ordinal,
                "metadata": e.metadata,
            })
        })
        .collect();
    #[derive(FromQueryResult)]
    struct Conflict {
        seq: i64,
    }
    // Entries already stored with other content, or repeated within the batch differently.
    let conflicts: Vec<Conflict> = tx
        .all(
            "WITH x AS (SELECT * FROM jsonb_to_recordset($3::jsonb) AS r(seq bigint, stream text, body text)) \
             SELECT x.seq FROM x JOIN job_logs l \
                 ON l.workspace_id = $1 AND l.job_id = $2 AND l.seq = x.seq \
              WHERE l.body <> x.body OR l.stream <> x.stream \
             UNION ALL \
             SELECT seq FROM x GROUP BY seq HAVING count(DISTINCT (stream, body)) > 1 \
             LIMIT 1",
            [tx.workspace_id().into(), job_id.into(), serde_json::Value::Array(rows.clone()).into()],
        )
        .await?;
    if let Some(c) = conflicts.first() {
        return Err(StoreError::LogConflict { seq: c.seq });
    }
    let inserted = tx
        .execute(
            "INSERT INTO job_logs (workspace_id, job_id, seq, attempt, stream, body, level, \
                                   step_ordinal, metadata) \
             SELECT DISTINCT ON (seq) $1, $2, seq, $4, stream, body, level, step_ordinal, metadata \
               FROM jsonb_to_recordset($3::jsonb) \
                    AS r(seq bigint, stream text, body text, level text, step_ordinal integer, \
                         metadata jsonb) \
             ON CONFLICT (workspace_id, job_id, seq) DO NOTHING",
            [
                tx.workspace_id().into(),
                job_id.into(),
                serde_json::Value::Array(rows).into(),
                attempt.into(),
            ],
        )
        .await?;
    Ok((inserted, entries.len() as u64 - inserted))
}

/// A step as the runner reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepReport {
    pub name: String,
    pub phase: StepPhase,
    pub step_type: StepType,
    pub status: StepStatus,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub duration_ms: Option<i64>,
    pub input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub cost: Option<f64>,
    pub output: Option<serde_json::Value>,
}

/// Creates or updates the step at `ordinal`. A change of its status is recorded as a
/// `step_<status>` event on the job.
pub async fn upsert_step(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    ordinal: i32,
    step: &StepReport,
) -> Result<StepRecord, StoreError> {
    // The event seq is taken from the job row, so writers of it are serialised.
    hold(tx, runner, job_id, attempt, Lock::Update).await?;
    #[derive(FromQueryResult)]
    struct Previous {
        status: String,
    }
    let previous: Option<Previous> = tx
        .one(
            "SELECT status FROM job_steps \
              WHERE workspace_id = $1 AND job_id = $2 AND attempt = $4 AND ordinal = $3",
            [
                tx.workspace_id().into(),
                job_id.into(),
                ordinal.into(),
                attempt.into(),
            ],
        )
        .await?;
    let row: StepRow = tx
        .one(
            "INSERT INTO job_steps (workspace_id, id, job_id, ordinal, name, phase, type, status, started_at, \
                                    completed_at, duration_ms, input_tokens, output_tokens, cost, output, attempt) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (workspace_id, job_id, attempt, ordinal) DO UPDATE SET \
                 name = EXCLUDED.name, phase = EXCLUDED.phase, type = EXCLUDED.type, status = EXCLUDED.status, \
                 started_at = coalesce(EXCLUDED.started_at, job_steps.started_at), \
                 completed_at = coalesce(EXCLUDED.completed_at, job_steps.completed_at), \
                 duration_ms = coalesce(EXCLUDED.duration_ms, job_steps.duration_ms), \
                 input_tokens = coalesce(EXCLUDED.input_tokens, job_steps.input_tokens), \
                 output_tokens = coalesce(EXCLUDED.output_tokens, job_steps.output_tokens), \
                 cost = coalesce(EXCLUDED.cost, job_steps.cost), \
                 output = coalesce(EXCLUDED.output, job_steps.output), updated_at = now() \
             RETURNING id, attempt, ordinal, name, phase, type, status, started_at, completed_at, \
                       duration_ms, input_tokens, output_tokens, cost, output, updated_at",
            [
                tx.workspace_id().into(),
                Uuid::now_v7().into(),
                job_id.into(),
                ordinal.into(),
                step.name.clone().into(),
                step.phase.as_str().into(),
                step.step_type.as_str().into(),
                step.status.as_str().into(),
                step.started_at.into(),
                step.completed_at.into(),
                step.duration_ms.into(),
                step.input_tokens.into(),
                step.output_tokens.into(),
                step.cost.into(),
                step.output.clone().into(),
                attempt.into(),
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let record: StepRecord = row.into();
    if previous.map(|p| p.status) != Some(record.status.clone()) {
        let mut event = Event::new(
            &format!("step_{}", record.status.to_ascii_lowercase()),
            serde_json::json!({"ordinal": ordinal, "name": record.name, "status": record.status}),
            Echo::NONE,
        );
        event.step_id = Some(record.id);
        let noted = Change::keep(
            job_id,
            JobStatus::Running,
            lease_fence(runner, attempt),
            Set::default(),
            event,
        );
        transition::apply_one(tx, noted).await?;
    }
    if step.step_type == StepType::Gate && step.status == StepStatus::Waiting {
        // The job waits for an approval: the lease is handed back, the attempt not counted.
        finish(
            tx,
            runner,
            job_id,
            attempt,
            JobStatus::Pending,
            Set {
                requires_approval: Some(true),
                approval_clock: Some(ApprovalClock::Start),
                attempt: Some(Attempt::Back),
                started_at: Some(Stamp::Clear),
                ..Set::default()
            },
            (
                event_type::AWAITING_APPROVAL,
                serde_json::json!({"step_id": record.id, "ordinal": ordinal, "name": record.name}),
            ),
        )
        .await?;
    }
    Ok(record)
}

/// An artifact being uploaded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArtifact {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
    /// Hex SHA-256 of `content`.
    pub sha256: String,
    /// Declared but not produced, and why: stored without content.
    pub skipped: Option<String>,
    pub step_ordinal: Option<i32>,
    pub metadata: Option<serde_json::Value>,
}

/// Stores (or replaces) an artifact of the job.
pub async fn put_artifact(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    artifact: NewArtifact,
) -> Result<ArtifactRecord, StoreError> {
    hold(tx, runner, job_id, attempt, Lock::Share).await?;
    let NewArtifact {
        name,
        content_type,
        content,
        sha256,
        skipped,
        step_ordinal,
        metadata,
    } = artifact;
    let size = content.len() as i64;
    check_artifact_room(tx, job_id, &name, size).await?;
    let status = if skipped.is_some() {
        "skipped"
    } else {
        "uploaded"
    };
    let row: crate::jobs::ArtifactRow = tx
        .one(
            &format!(
                "INSERT INTO job_artifacts (workspace_id, id, job_id, name, attempt, content_type, size, \
                        sha256, content, status, skip_reason, step_ordinal, metadata) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (workspace_id, job_id, name) DO UPDATE SET attempt = EXCLUDED.attempt, \
                 content_type = EXCLUDED.content_type, size = EXCLUDED.size, sha256 = EXCLUDED.sha256, \
                 content = EXCLUDED.content, status = EXCLUDED.status, \
                 skip_reason = EXCLUDED.skip_reason, step_ordinal = EXCLUDED.step_ordinal, \
                 metadata = EXCLUDED.metadata, created_at = now() \
             RETURNING {}",
                crate::jobs::ARTIFACT_COLUMNS
            ),
            [
                tx.workspace_id().into(),
                Uuid::now_v7().into(),
                job_id.into(),
                name.into(),
                attempt.into(),
                content_type.into(),
                size.into(),
                sha256.into(),
                content.into(),
                status.into(),
                skipped.into(),
                step_ordinal.into(),
                metadata.into(),
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.into())
}

/// Refuses an upload of `size` bytes that would take the workspace's artifacts past its
/// `max_artifact_bytes` (the artifact it replaces no longer counts). Uploads of a
/// workspace with a limit take turns on an advisory lock to the end of the transaction.
async fn check_artifact_room(
    tx: &WorkspaceTx,
    job_id: Uuid,
    name: &str,
    size: i64,
) -> Result<(), StoreError> {
    let Some(limit) = tx.settings().max_artifact_bytes else {
        return Ok(());
    };
    let exceeded = || StoreError::QuotaExceeded {
        setting: runyard_domain::WorkspaceSettings::MAX_ARTIFACT_BYTES,
        what: "bytes of artifacts",
        limit,
    };
    if size > limit {
        return Err(exceeded());
    }
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('runyard_artifacts:' || $1::text))",
        [tx.workspace_id().into()],
    )
    .await?;
    #[derive(FromQueryResult)]
    struct Used {
        bytes: i64,
    }
    let used: Option<Used> = tx
        .one(
            "SELECT coalesce(sum(size), 0)::bigint AS bytes FROM job_artifacts \
              WHERE workspace_id = $1 AND NOT (job_id = $2 AND name = $3)",
            [tx.workspace_id().into(), job_id.into(), name.into()],
        )
        .await?;
    if used.map_or(0, |u| u.bytes) + size > limit {
        return Err(exceeded());
    }
    Ok(())
}

fn lease_fence(runner: &RunnerIdentity, attempt: i32) -> Fence {
    Fence::Lease {
        runner: runner.id,
        attempt,
    }
}

/// Ends the attempt: the running job becomes `to` with `set` applied and its lease
/// dropped, appending one event, in one fenced statement.
async fn finish(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    to: JobStatus,
    set: Set,
    (kind, payload): (&str, serde_json::Value),
) -> Result<JobRecord, StoreError> {
    let at_gate = set.requires_approval == Some(true);
    let change = Change::new(
        job_id,
        JobStatus::Running,
        to,
        lease_fence(runner, attempt),
        Set {
            lease: Some(Lease::Drop),
            ..set
        },
        Event::new(kind, payload, Echo::STATUS_ATTEMPT),
    )?;
    let Some(row) = transition::apply_one(tx, change).await? else {
        return Err(explain_miss(tx, job_id, attempt).await);
    };
    // The attempt ended without success (failed, paused, suspended, cancelled, handed
    // back): what it left running or pending is closed. A gate's wait continues it.
    if to != JobStatus::Completed && !at_gate {
        crate::jobs::close_steps(tx.conn(), tx.workspace_id(), &[(job_id, attempt)]).await?;
    }
    row.try_into()
}

/// What completing an attempt sets.
fn completed(result: Option<serde_json::Value>) -> Set {
    Set {
        result: Some(result),
        clear_progress: true,
        finished_at: Some(Stamp::Now),
        ..Set::default()
    }
}

/// The attempt succeeded: the job is `COMPLETED` with its result.
pub async fn complete(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    result: Option<serde_json::Value>,
) -> Result<JobRecord, StoreError> {
    finish(
        tx,
        runner,
        job_id,
        attempt,
        JobStatus::Completed,
        completed(result),
        (event_type::COMPLETED, serde_json::json!({})),
    )
    .await
}

/// The attempt failed. The job is retried after a backoff while attempts remain and the
/// failure is retryable, is `CANCELLED` if a cancel was asked, else `FAILED`.
pub async fn fail(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    error: serde_json::Value,
    retryable: bool,
) -> Result<JobRecord, StoreError> {
    #[derive(FromQueryResult)]
    struct State {
        max_attempts: i32,
        backoff_base_seconds: i32,
        cancel_requested: bool,
    }
    let state: Option<State> = tx
        .one(
            &format!(
                "SELECT max_attempts + suspensions AS max_attempts, backoff_base_seconds, \
                        cancel_requested_at IS NOT NULL AS cancel_requested \
                   FROM runner_jobs WHERE {FENCE} FOR UPDATE"
            ),
            fence_values(tx, runner, job_id, attempt),
        )
        .await?;
    let Some(state) = state else {
        return Err(explain_miss(tx, job_id, attempt).await);
    };
    let (next, delay) = after_failed_attempt(
        attempt,
        state.max_attempts,
        state.cancel_requested,
        retryable,
        state.backoff_base_seconds,
        rand::random::<f64>(),
    );
    finish(
        tx,
        runner,
        job_id,
        attempt,
        next,
        Set {
            error: Some(Some(error.clone())),
            failure_kind: Some(FailureKind::after_attempt(
                next,
                FailureKind::Error,
                retryable,
            )),
            run_after_in: delay,
            finished_at: Some(if next.is_terminal() {
                Stamp::Now
            } else {
                Stamp::Clear
            }),
            ..Set::default()
        },
        (
            event_type::FAILED,
            serde_json::json!({"error": error, "retryable": retryable}),
        ),
    )
    .await
}

/// The runner suspends the job to wait for something outside (a batch, a reply): the
/// job is `SUSPENDED` until its poll time, when the promoter queues it again, or past
/// `max_wait_until`, when it fails (`suspend_timeout`). The attempt ends without
/// counting against `max_attempts`: the next claim is attempt + 1, and `suspensions`
/// (added to `max_attempts` wherever attempts are counted) grows by one. `state` is
/// handed to the next claims as `suspended_state`. A job whose cancel was asked is
/// `CANCELLED` instead.
pub async fn suspend(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    request: Suspend,
) -> Result<JobRecord, StoreError> {
    use chrono::TimeZone;
    #[derive(FromQueryResult)]
    struct State {
        cancel_requested: bool,
    }
    let state: Option<State> = tx
        .one(
            &format!(
                "SELECT cancel_requested_at IS NOT NULL AS cancel_requested \
                   FROM runner_jobs WHERE {FENCE} FOR UPDATE"
            ),
            fence_values(tx, runner, job_id, attempt),
        )
        .await?;
    let Some(state) = state else {
        return Err(explain_miss(tx, job_id, attempt).await);
    };
    if state.cancel_requested {
        return finish(
            tx,
            runner,
            job_id,
            attempt,
            JobStatus::Cancelled,
            Set {
                finished_at: Some(Stamp::Now),
                clear_progress: true,
                failure_kind: Some(Some(FailureKind::Cancelled)),
                ..Set::default()
            },
            (
                event_type::CANCELLED,
                serde_json::json!({"from": JobStatus::Running.as_str(), "instead_of": "suspend"}),
            ),
        )
        .await;
    }
    // The times come from parsed timestamps, so they are in chrono's range.
    let at = |ms: i64| chrono::Utc.timestamp_millis_opt(ms).single();
    let poll = match request.poll {
        PollAfter::Seconds(s) => PollAt::In(s),
        PollAfter::AtMs(ms) => PollAt::At(at(ms).unwrap_or_else(chrono::Utc::now)),
    };
    let max_wait_until = request.max_wait_until_ms.and_then(at);
    let kept_state = request.state.is_some();
    finish(
        tx,
        runner,
        job_id,
        attempt,
        JobStatus::Suspended,
        Set {
            started_at: Some(Stamp::Clear),
            suspension: Some(Suspension::Enter {
                poll,
                max_wait_until,
                state: request.state,
            }),
            ..Set::default()
        },
        (
            event_type::SUSPENDED,
            serde_json::json!({
                "poll_after_seconds": match poll { PollAt::In(s) => Some(s), PollAt::At(_) => None },
                "until": match poll { PollAt::At(t) => Some(t), PollAt::In(_) => None },
                "max_wait_until": max_wait_until,
                "state": kept_state,
            }),
        ),
    )
    .await
}

/// Hands the job back to the queue (e.g. the runner is shutting down); the attempt is not
/// counted against `max_attempts`.
pub async fn release(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
) -> Result<JobRecord, StoreError> {
    finish(
        tx,
        runner,
        job_id,
        attempt,
        JobStatus::Queued,
        Set {
            attempt: Some(Attempt::Back),
            started_at: Some(Stamp::Clear),
            ..Set::default()
        },
        (event_type::RELEASED, serde_json::json!({})),
    )
    .await
}

/// The runner hands back a job whose task asked it to pause, with the snapshot to resume
/// from. In one transaction: the task's snapshot is replaced (what users read), the job
/// keeps its own copy (what its first claim after the resume gets), the job becomes `PAUSED`
/// (the attempt is not counted), and the task becomes `paused` if no job of it still runs.
pub async fn paused(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    snapshot: serde_json::Value,
) -> Result<JobRecord, StoreError> {
    #[derive(FromQueryResult)]
    struct Job {
        agent_task_id: Option<Uuid>,
    }
    let job: Option<Job> = tx
        .one(
            &format!("SELECT agent_task_id FROM runner_jobs WHERE {FENCE}"),
            fence_values(tx, runner, job_id, attempt),
        )
        .await?;
    let Some(job) = job else {
        return Err(explain_miss(tx, job_id, attempt).await);
    };
    let Some(task_id) = job.agent_task_id else {
        return Err(StoreError::NotPausable(
            "only a job of an agent task can hand back a snapshot",
        ));
    };
    // Task before job, as a pause takes them.
    let task = crate::tasks::lock(tx, task_id).await?;
    #[derive(FromQueryResult)]
    struct Asked {
        asked: bool,
    }
    let asked: Option<Asked> = tx
        .one(
            &format!(
                "SELECT pause_requested_at IS NOT NULL AS asked FROM runner_jobs WHERE {FENCE} FOR UPDATE"
            ),
            fence_values(tx, runner, job_id, attempt),
        )
        .await?;
    match asked {
        None => return Err(explain_miss(tx, job_id, attempt).await),
        Some(Asked { asked: false }) => {
            return Err(StoreError::NotPausable(
                "the job was not asked to pause (or the pause was withdrawn)",
            ));
        }
        Some(_) => {}
    }
    crate::tasks::put_snapshot(tx, &task, job_id, snapshot.clone()).await?;
    let kind = task.pause_kind.unwrap_or(PauseKind::Manual);
    let job = finish(
        tx,
        runner,
        job_id,
        attempt,
        JobStatus::Paused,
        Set {
            attempt: Some(Attempt::Back),
            started_at: Some(Stamp::Clear),
            pause_requested_at: Some(Stamp::Clear),
            // What this job (not the task's last hand-back) resumes from.
            resume_state: Some(Some(snapshot)),
            ..Set::default()
        },
        (
            kind.event_type(),
            serde_json::json!({"snapshot": true, "reason": task.pause_reason, "task_id": task_id}),
        ),
    )
    .await?;
    crate::tasks::settle(tx, task_id).await?;
    Ok(job)
}

/// One job of a batch completion.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub id: Uuid,
    pub attempt: i32,
    pub result: Option<serde_json::Value>,
}

/// Completes many jobs in one statement. Returns, per input, whether it was applied;
/// jobs the runner does not hold (or that do not exist) are left alone.
pub async fn complete_many(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    items: &[Completion],
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let changes = items
        .iter()
        .map(|c| {
            Change::new(
                c.id,
                JobStatus::Running,
                JobStatus::Completed,
                lease_fence(runner, c.attempt),
                Set {
                    lease: Some(Lease::Drop),
                    ..completed(c.result.clone())
                },
                Event::new(
                    event_type::COMPLETED,
                    serde_json::json!({}),
                    Echo::STATUS_ATTEMPT,
                ),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let done: std::collections::HashSet<Uuid> = transition::apply_ids(tx, &changes)
        .await?
        .into_iter()
        .collect();
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        if done.contains(&item.id) {
            results.push(Ok(()));
        } else {
            results.push(Err(explain_miss(tx, item.id, item.attempt).await));
        }
    }
    Ok(results)
}

/// A model call as the runner reports it (already validated).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAiCall {
    /// Chosen by the client: the same id again is the same call.
    pub id: Uuid,
    pub step_ordinal: Option<i32>,
    pub provider: String,
    pub model: String,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cached_tokens: Option<i64>,
    /// Exact decimal US dollars, e.g. `0.004250`.
    pub cost_usd: runyard_domain::UsdAmount,
    pub latency_ms: i64,
    pub status: runyard_domain::AiCallStatus,
    pub error: Option<String>,
    pub batch_id: Option<String>,
    pub started_at: Timestamp,
    pub metadata: Option<serde_json::Value>,
}

/// Records model calls of the attempt this runner holds. A call whose id is stored with
/// the same content is a duplicate (a resent batch) and is skipped; with other content it
/// is a conflict and nothing of the batch is written. Returns (accepted, duplicates).
///
/// The insert runs before the comparison, so a concurrent batch carrying the same id has
/// committed (and is compared against) by the time this one looks.
pub async fn record_ai_calls(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    calls: &[NewAiCall],
) -> Result<(u64, u64), StoreError> {
    hold(tx, runner, job_id, attempt, Lock::Share).await?;
    let rows: Vec<serde_json::Value> = calls
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "step_ordinal": c.step_ordinal,
                "provider": c.provider,
                "model": c.model,
                "input_tokens": c.input_tokens,
                "output_tokens": c.output_tokens,
                "cached_tokens": c.cached_tokens,
                "cost_usd": c.cost_usd.as_str(),
                "latency_ms": c.latency_ms,
                "status": c.status.as_str(),
                "error": c.error,
                "batch_id": c.batch_id,
                "started_at": c.started_at,
                "metadata": c.metadata,
            })
        })
        .collect();
    let rows = serde_json::Value::Array(rows);
    const CALLS: &str = "jsonb_to_recordset($3::jsonb) AS x(id uuid, step_ordinal integer, \
        provider text, model text, input_tokens bigint, output_tokens bigint, cached_tokens bigint, \
        cost_usd numeric, latency_ms bigint, status text, error text, batch_id text, \
        started_at timestamptz, metadata jsonb)";
    let inserted = tx
        .execute(
            &format!(
                "INSERT INTO ai_calls (workspace_id, id, job_id, attempt, job_type, agent_task_id, \
                     step_ordinal, provider, model, input_tokens, output_tokens, cached_tokens, cost_usd, \
                     latency_ms, status, error, batch_id, started_at, metadata) \
                 SELECT $1, x.id, j.id, $4, j.type, j.agent_task_id, x.step_ordinal, x.provider, x.model, \
                        x.input_tokens, x.output_tokens, x.cached_tokens, x.cost_usd, x.latency_ms, \
                        x.status, x.error, x.batch_id, x.started_at, x.metadata \
                   FROM {CALLS} \
                   JOIN runner_jobs j ON j.workspace_id = $1 AND j.id = $2 \
                 ON CONFLICT (workspace_id, id) DO NOTHING"
            ),
            [
                tx.workspace_id().into(),
                job_id.into(),
                rows.clone().into(),
                attempt.into(),
            ],
        )
        .await?;
    if inserted < calls.len() as u64 {
        #[derive(FromQueryResult)]
        struct Conflict {
            id: Uuid,
        }
        let conflict: Option<Conflict> = tx
            .one(
                &format!(
                    "SELECT x.id FROM {CALLS} JOIN ai_calls a ON a.workspace_id = $1 AND a.id = x.id \
                      WHERE (a.job_id, a.attempt, a.step_ordinal, a.provider, a.model, a.input_tokens, \
                             a.output_tokens, a.cached_tokens, a.cost_usd, a.latency_ms, a.status, \
                             a.error, a.batch_id, a.started_at, a.metadata) \
                            IS DISTINCT FROM \
                            ($2, $4, x.step_ordinal, x.provider, x.model, x.input_tokens, \
                             x.output_tokens, x.cached_tokens, x.cost_usd, x.latency_ms, x.status, \
                             x.error, x.batch_id, x.started_at, x.metadata) \
                      LIMIT 1"
                ),
                [
                    tx.workspace_id().into(),
                    job_id.into(),
                    rows.into(),
                    attempt.into(),
                ],
            )
            .await?;
        if let Some(c) = conflict {
            return Err(StoreError::AiCallConflict { id: c.id });
        }
    }
    Ok((inserted, calls.len() as u64 - inserted))
}

/// Which of the job's unacknowledged commands a runner is handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deliver {
    /// Those not yet handed to this attempt (a heartbeat): each command reaches each
    /// attempt once, and again the next attempt until it is acknowledged.
    New,
    /// Every one with a greater seq (a long-poll: the runner says where it is).
    After(i64),
}

/// Hands the runner the job's unacknowledged commands (see [`Deliver`]), in seq order,
/// marking them delivered to this attempt.
pub async fn deliver_commands(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    which: Deliver,
) -> Result<Vec<CommandRecord>, StoreError> {
    hold(tx, runner, job_id, attempt, Lock::Share).await?;
    let (after, again) = match which {
        Deliver::New => (0, false),
        Deliver::After(seq) => (seq, true),
    };
    let rows: Vec<CommandRow> = tx
        .all(
            &format!(
                "WITH c AS ( \
                   UPDATE job_commands SET status = 'delivered', delivered_attempt = $3, \
                          delivered_at = now() \
                    WHERE workspace_id = $1 AND job_id = $2 AND status IN ('pending', 'delivered') \
                      AND seq > $4 AND ($5 OR coalesce(delivered_attempt, 0) < $3) \
                   RETURNING * \
                 ) \
                 SELECT {COMMAND_COLUMNS} FROM c \
                   JOIN runner_jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id \
                  ORDER BY c.seq"
            ),
            [
                tx.workspace_id().into(),
                job_id.into(),
                attempt.into(),
                after.into(),
                again.into(),
            ],
        )
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}

/// The runner acknowledges command `seq` (with an optional result), recording a
/// `job_command_acked` event. Acknowledging it again changes nothing and answers the same.
pub async fn ack_command(
    tx: &WorkspaceTx,
    runner: &RunnerIdentity,
    job_id: Uuid,
    attempt: i32,
    seq: i64,
    result: Option<serde_json::Value>,
) -> Result<CommandRecord, StoreError> {
    // The event seq is taken from the job row, so writers of it are serialised.
    hold(tx, runner, job_id, attempt, Lock::Update).await?;
    let acked: Option<CommandRow> = tx
        .one(
            &format!(
                "WITH c AS ( \
                   UPDATE job_commands SET status = 'acked', acked_attempt = $4, \
                          acked_at = now(), result = $5 \
                    WHERE workspace_id = $1 AND job_id = $2 AND seq = $3 AND status <> 'acked' \
                   RETURNING * \
                 ) \
                 SELECT {COMMAND_COLUMNS} FROM c \
                   JOIN runner_jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id"
            ),
            [
                tx.workspace_id().into(),
                job_id.into(),
                seq.into(),
                attempt.into(),
                result.into(),
            ],
        )
        .await?;
    let Some(acked) = acked else {
        // Acknowledged before, or not there.
        let known: Option<CommandRow> = tx
            .one(
                &format!(
                    "SELECT {COMMAND_COLUMNS} FROM job_commands c \
                       JOIN runner_jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id \
                      WHERE c.workspace_id = $1 AND c.job_id = $2 AND c.seq = $3"
                ),
                [tx.workspace_id().into(), job_id.into(), seq.into()],
            )
            .await?;
        return known.ok_or(StoreError::CommandNotFound)?.try_into();
    };
    let record: CommandRecord = acked.try_into()?;
    transition::apply_one(
        tx,
        Change::keep(
            job_id,
            JobStatus::Running,
            lease_fence(runner, attempt),
            Set::default(),
            Event::new(
                event_type::COMMAND_ACKED,
                serde_json::json!({"seq": seq, "type": record.command_type}),
                Echo::NONE,
            ),
        ),
    )
    .await?;
    Ok(record)
}
