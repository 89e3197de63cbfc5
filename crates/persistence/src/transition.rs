//! Every change of a job's state, written once.
//!
//! A [`Change`] names a job, the status it must be in (`from`, checked by the statement:
//! the fence), the status it becomes (`to`, checked by [`JobStatus::transition`] before
//! anything is written), the columns to set ([`Set`], typed values, no SQL), and the
//! event to append. [`apply`] writes a batch of changes — each row and its `job_events`
//! row — in ONE statement; the event's `seq` is the job's `last_event_seq + 1`, taken
//! under the row lock the update holds, so it is gap-free per job. [`claim`] is the same
//! statement over the claimable jobs it selects and locks itself, and [`insert`] is the
//! one enqueue statement (new rows with their `job_created` events).
//!
//! A task's own changes are typed the same way ([`TaskSet`], [`change_task`]): the task
//! row and its `task_events` row in one statement.
//!
//! A transition into `QUEUED` tells the [`WorkspaceTx`] it ran in, whose commit then wakes
//! waiting runners; the sweeps collect the workspaces instead and wake after their commit.

use runyard_domain::{
    FailureKind, JobStatus, NewJob, PauseKind, Role, TaskStatus, event_type, payload_hash,
};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};
use serde_json::json;
use uuid::Uuid;

use crate::jobs::{JOB_COLUMNS, JobRow};
use crate::scope::stmt;
use crate::{StoreError, Timestamp, WorkspaceTx};

/// Which rows a change may touch besides its job id and `from` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fence {
    /// The job in its `from` status (the caller locked it and read that status).
    Status,
    /// The running job leased to `runner` at `attempt`: a stale runner touches nothing.
    Lease { runner: Uuid, attempt: i32 },
}

/// A timestamp column: set to the statement's `now()`, or cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    Now,
    Clear,
}

/// How the attempt counter moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// A claim starts the next attempt.
    Next,
    /// The attempt is handed back uncounted (release, pause, gate).
    Back,
    /// A user's retry starts over.
    Reset,
}

/// The lease columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Lease {
    Take { runner: Uuid, seconds: f64 },
    Drop,
}

/// When a suspended job is polled again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum PollAt {
    /// `now()` plus this many seconds.
    In(f64),
    At(Timestamp),
}

/// The suspension columns (`next_poll_at`, `max_wait_until`, `suspended_state`,
/// `suspensions`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Suspension {
    /// The runner suspends the job: one more uncounted attempt, and the state it kept.
    Enter {
        poll: PollAt,
        max_wait_until: Option<Timestamp>,
        state: Option<serde_json::Value>,
    },
    /// The wait is over (woken, polled, timed out): the times are cleared; the state
    /// stays for the claims that follow.
    Leave,
    /// A user's retry starts over: everything cleared.
    Reset,
}

/// The approval wait's deadline (`approval_deadline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApprovalClock {
    /// The job begins waiting for an approval: the deadline is `now()` plus its
    /// `approval_timeout_seconds` (none when it has no timeout).
    Start,
    /// The wait is decided: no deadline.
    Stop,
}

/// Who asked for a cancel, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CancelNote {
    pub by: String,
    pub reason: Option<String>,
}

/// Columns a change sets; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Set {
    pub attempt: Option<Attempt>,
    /// `now()` plus this many seconds.
    pub run_after_in: Option<f64>,
    pub lease: Option<Lease>,
    pub started_at: Option<Stamp>,
    pub finished_at: Option<Stamp>,
    pub cancel_requested_at: Option<Stamp>,
    pub pause_requested_at: Option<Stamp>,
    pub resumed_at: Option<Stamp>,
    pub result: Option<Option<serde_json::Value>>,
    pub error: Option<Option<serde_json::Value>>,
    pub clear_progress: bool,
    pub requires_approval: Option<bool>,
    pub approval_clock: Option<ApprovalClock>,
    /// Why the job ended; `Some(None)` clears it.
    pub failure_kind: Option<Option<FailureKind>>,
    /// `cancelled_by` and `cancel_reason`; `Some(None)` clears both.
    pub cancel: Option<Option<CancelNote>>,
    pub suspension: Option<Suspension>,
    /// The snapshot the job handed back at a pause; `Some(None)` clears it.
    pub resume_state: Option<Option<serde_json::Value>>,
}

/// Which of the changed row's columns the event's payload repeats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Echo {
    pub status: bool,
    pub attempt: bool,
    pub run_after: bool,
}

impl Echo {
    pub const STATUS: Echo = Echo {
        status: true,
        attempt: false,
        run_after: false,
    };
    pub const STATUS_ATTEMPT: Echo = Echo {
        status: true,
        attempt: true,
        run_after: false,
    };
    pub const NONE: Echo = Echo {
        status: false,
        attempt: false,
        run_after: false,
    };
}

/// The event a change appends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    pub kind: String,
    pub payload: serde_json::Value,
    pub echo: Echo,
    pub step_id: Option<Uuid>,
}

impl Event {
    pub fn new(kind: &str, payload: serde_json::Value, echo: Echo) -> Self {
        Self {
            kind: kind.to_owned(),
            payload,
            echo,
            step_id: None,
        }
    }
}

/// One job's transition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    pub id: Uuid,
    pub from: JobStatus,
    /// Equal to `from` for a change that keeps the status (a cancel or pause request,
    /// a step event).
    pub to: JobStatus,
    pub fence: Fence,
    pub set: Set,
    pub event: Event,
}

impl Change {
    /// A move from `from` to `to`, checked against the state machine.
    pub fn new(
        id: Uuid,
        from: JobStatus,
        to: JobStatus,
        fence: Fence,
        set: Set,
        event: Event,
    ) -> Result<Self, StoreError> {
        from.transition(to)?;
        Ok(Self {
            id,
            from,
            to,
            fence,
            set,
            event,
        })
    }

    /// A change that keeps the job in `status`.
    pub fn keep(id: Uuid, status: JobStatus, fence: Fence, set: Set, event: Event) -> Self {
        Self {
            id,
            from: status,
            to: status,
            fence,
            set,
            event,
        }
    }

    fn record(&self) -> serde_json::Value {
        let stamp = |s: Option<Stamp>| match s {
            Some(Stamp::Now) => Some("now"),
            Some(Stamp::Clear) => Some("clear"),
            None => None,
        };
        let (fence_runner, fence_attempt) = match self.fence {
            Fence::Status => (None, None),
            Fence::Lease { runner, attempt } => (Some(runner), Some(attempt)),
        };
        let (lease_op, lease_runner, lease_seconds) = match self.set.lease {
            Some(Lease::Take { runner, seconds }) => (Some("take"), Some(runner), Some(seconds)),
            Some(Lease::Drop) => (Some("drop"), None, None),
            None => (None, None, None),
        };
        #[allow(clippy::type_complexity)]
        let (suspend_op, poll_in, poll_at, max_wait_until, suspended_state): (
            Option<&str>,
            Option<f64>,
            Option<Timestamp>,
            Option<Timestamp>,
            Option<serde_json::Value>,
        ) = match &self.set.suspension {
            Some(Suspension::Enter {
                poll,
                max_wait_until,
                state,
            }) => {
                let (poll_in, poll_at) = match poll {
                    PollAt::In(secs) => (Some(*secs), None),
                    PollAt::At(at) => (None, Some(*at)),
                };
                (
                    Some("enter"),
                    poll_in,
                    poll_at,
                    *max_wait_until,
                    state.clone(),
                )
            }
            Some(Suspension::Leave) => (Some("leave"), None, None, None, None),
            Some(Suspension::Reset) => (Some("reset"), None, None, None, None),
            None => (None, None, None, None, None),
        };
        let (cancel_by, cancel_reason) = match self.set.cancel.clone().flatten() {
            Some(note) => (Some(note.by), note.reason),
            None => (None, None),
        };
        // Only an event (e.g. a step's): the job row itself does not change.
        let event_only = self.from == self.to && self.set == Set::default();
        let mut record = json!({
            "job_id": self.id,
            "from_status": self.from.as_str(),
            "to_status": self.to.as_str(),
            "fence_runner": fence_runner,
            "fence_attempt": fence_attempt,
            "attempt_op": self.set.attempt.map(|a| match a {
                Attempt::Next => "next",
                Attempt::Back => "back",
                Attempt::Reset => "reset",
            }),
            "run_after_in": self.set.run_after_in,
            "lease_op": lease_op,
            "lease_runner": lease_runner,
            "lease_seconds": lease_seconds,
            "started_op": stamp(self.set.started_at),
            "finished_op": stamp(self.set.finished_at),
            "cancel_op": stamp(self.set.cancel_requested_at),
            "pause_op": stamp(self.set.pause_requested_at),
            "resumed_op": stamp(self.set.resumed_at),
            "set_result": self.set.result.is_some(),
            "result": self.set.result.clone().flatten(),
            "set_error": self.set.error.is_some(),
            "error": self.set.error.clone().flatten(),
            "clear_progress": self.set.clear_progress,
            "requires_approval": self.set.requires_approval,
            "set_failure_kind": self.set.failure_kind.is_some(),
            "failure_kind": self.set.failure_kind.flatten().map(FailureKind::as_str),
            "set_cancel": self.set.cancel.is_some(),
            "cancelled_by": cancel_by,
            "cancel_reason": cancel_reason,
            "suspend_op": suspend_op,
            "poll_in": poll_in,
            "poll_at": poll_at,
            "max_wait_until": max_wait_until,
            "suspended_state": suspended_state,
            "set_resume_state": self.set.resume_state.is_some(),
            "resume_state": self.set.resume_state.clone().flatten(),
            "event_only": event_only,
            "event_id": Uuid::now_v7(),
            "event_type": self.event.kind,
            "event_step": self.event.step_id,
            "event_payload": self.event.payload,
            "echo_status": self.event.echo.status,
            "echo_attempt": self.event.echo.attempt,
            "echo_run_after": self.event.echo.run_after,
        });
        // Set apart: the literal above is as large as `json!` expands.
        record["approval_op"] = self
            .set
            .approval_clock
            .map(|c| match c {
                ApprovalClock::Start => "start",
                ApprovalClock::Stop => "stop",
            })
            .into();
        record
    }
}

/// The columns of a change after its job id (a claim decodes them once for all its jobs).
macro_rules! change_columns {
    () => {
        "from_status text, to_status text, fence_runner uuid, \
    fence_attempt integer, attempt_op text, run_after_in float8, lease_op text, lease_runner uuid, \
    lease_seconds float8, started_op text, finished_op text, cancel_op text, pause_op text, \
    resumed_op text, set_result boolean, result jsonb, set_error boolean, error jsonb, \
    clear_progress boolean, requires_approval boolean, approval_op text, set_failure_kind boolean, \
    failure_kind text, set_cancel boolean, cancelled_by text, cancel_reason text, suspend_op text, poll_in float8, \
    poll_at timestamptz, max_wait_until timestamptz, suspended_state jsonb, set_resume_state boolean, resume_state jsonb, event_only boolean, event_id uuid, event_type text, \
    event_step uuid, event_payload jsonb, echo_status boolean, echo_attempt boolean, \
    echo_run_after boolean"
    };
}

/// The shape of one change as the statement reads it.
const RECORD: &str = concat!("job_id uuid, ", change_columns!());

/// Which rows an update touches, and the changes it applies to them (`x`).
enum Locate {
    /// Each change names its job (`x.job_id`): rows are found through the primary key.
    ById,
    /// Every row the claim's `c` locked gets the one change in `t` (one row: the change
    /// is not copied per job and joined 250 × 250).
    Claimed,
}

impl Locate {
    fn sql(&self) -> String {
        let rows = match self {
            Locate::ById => {
                "FROM x \
                WHERE r.workspace_id = $1 AND r.id = ANY(ARRAY(SELECT job_id FROM x)) \
                  AND r.id = x.job_id"
            }
            // No status condition: `c` locked these rows, QUEUED, and holds them to the end
            // of the transaction. The ids are an index condition on the primary key, so
            // the rows are found as ids whatever the workspace is estimated at (a join on
            // ctid was tried: the planner hashed or materialised the whole workspace, which
            // a one-row estimate made look cheaper than 10 TID scans).
            Locate::Claimed => {
                return "FROM t AS x, c \
                        WHERE r.workspace_id = $1 AND r.id = ANY(ARRAY(SELECT id FROM c)) \
                          AND r.id = c.id"
                    .to_owned();
            }
        };
        format!(
            "{rows} AND r.status = x.from_status \
               AND (x.fence_attempt IS NULL \
                    OR (r.lease_runner_id = x.fence_runner AND r.attempt = x.fence_attempt))"
        )
    }
}

/// The update and its events, over the changes in `x`; `$1` is the workspace.
fn update_sql(source: &str, locate: Locate, output: &str) -> String {
    fn stamp(column: &str, op: &str) -> String {
        format!(
            "{column} = CASE x.{op} WHEN 'now' THEN now() WHEN 'clear' THEN NULL ELSE r.{column} END"
        )
    }
    let stamps = [
        stamp("started_at", "started_op"),
        stamp("finished_at", "finished_op"),
        stamp("cancel_requested_at", "cancel_op"),
        stamp("pause_requested_at", "pause_op"),
        stamp("resumed_at", "resumed_op"),
    ]
    .join(", ");
    format!(
        "WITH {source}, j AS ( \
           UPDATE runner_jobs r SET status = x.to_status, \
                  attempt = CASE x.attempt_op WHEN 'next' THEN r.attempt + 1 \
                                 WHEN 'back' THEN r.attempt - 1 WHEN 'reset' THEN 0 ELSE r.attempt END, \
                  run_after = CASE WHEN x.run_after_in IS NULL THEN r.run_after \
                                   ELSE now() + make_interval(secs => x.run_after_in) END, \
                  lease_runner_id = CASE x.lease_op WHEN 'take' THEN x.lease_runner \
                                         WHEN 'drop' THEN NULL ELSE r.lease_runner_id END, \
                  lease_expires_at = CASE x.lease_op \
                                          WHEN 'take' THEN now() + make_interval(secs => x.lease_seconds) \
                                          WHEN 'drop' THEN NULL ELSE r.lease_expires_at END, \
                  {stamps}, \
                  result = CASE WHEN x.set_result THEN x.result ELSE r.result END, \
                  error = CASE WHEN x.set_error THEN x.error ELSE r.error END, \
                  progress = CASE WHEN x.clear_progress THEN NULL ELSE r.progress END, \
                  requires_approval = coalesce(x.requires_approval, r.requires_approval), \
                  approval_deadline = CASE x.approval_op \
                      WHEN 'start' THEN now() + make_interval(secs => r.approval_timeout_seconds) \
                      WHEN 'stop' THEN NULL ELSE r.approval_deadline END, \
                  failure_kind = CASE WHEN x.set_failure_kind THEN x.failure_kind ELSE r.failure_kind END, \
                  cancelled_by = CASE WHEN x.set_cancel THEN x.cancelled_by ELSE r.cancelled_by END, \
                  cancel_reason = CASE WHEN x.set_cancel THEN x.cancel_reason ELSE r.cancel_reason END, \
                  next_poll_at = CASE x.suspend_op \
                      WHEN 'enter' THEN coalesce(x.poll_at, now() + make_interval(secs => x.poll_in)) \
                      WHEN 'leave' THEN NULL WHEN 'reset' THEN NULL ELSE r.next_poll_at END, \
                  max_wait_until = CASE x.suspend_op WHEN 'enter' THEN x.max_wait_until \
                      WHEN 'leave' THEN NULL WHEN 'reset' THEN NULL ELSE r.max_wait_until END, \
                  suspended_state = CASE x.suspend_op WHEN 'enter' THEN x.suspended_state \
                      WHEN 'reset' THEN NULL ELSE r.suspended_state END, \
                  suspensions = CASE x.suspend_op WHEN 'enter' THEN r.suspensions + 1 \
                      WHEN 'reset' THEN 0 ELSE r.suspensions END, \
                  resume_state = CASE WHEN x.set_resume_state THEN x.resume_state ELSE r.resume_state END, \
                  last_event_seq = r.last_event_seq + 1, \
                  updated_at = CASE WHEN x.event_only THEN r.updated_at ELSE now() END \
             {locate} \
           RETURNING r.*, x.event_id AS x_event_id, x.event_type AS x_event_type, \
                     x.event_step AS x_event_step, x.event_payload AS x_event_payload, \
                     x.echo_status AS x_echo_status, x.echo_attempt AS x_echo_attempt, \
                     x.echo_run_after AS x_echo_run_after \
         ), e AS ( \
           INSERT INTO job_events (workspace_id, job_id, seq, id, step_id, type, actor, payload) \
           SELECT workspace_id, id, last_event_seq, coalesce(x_event_id, gen_random_uuid()), \
                  x_event_step, x_event_type, current_setting('runyard.actor'), \
                  coalesce(x_event_payload, '{{}}'::jsonb) || jsonb_strip_nulls(jsonb_build_object( \
                      'status', CASE WHEN x_echo_status THEN status END, \
                      'attempt', CASE WHEN x_echo_attempt THEN attempt END, \
                      'run_after', CASE WHEN x_echo_run_after THEN run_after END)) \
             FROM j \
         ) \
         {output}",
        locate = locate.sql(),
    )
}

/// Applies `changes` to jobs of `workspace` in one statement, on a connection that has
/// entered it. Returns the rows that matched their fence, in no particular order.
pub(crate) async fn apply_on(
    conn: &impl ConnectionTrait,
    workspace: Uuid,
    changes: &[Change],
) -> Result<Vec<JobRow>, StoreError> {
    apply_reading(
        conn,
        workspace,
        changes,
        &format!("SELECT {JOB_COLUMNS} FROM j"),
    )
    .await
}

/// Applies `changes` (see [`apply_on`]) and reads `output` (a `SELECT … FROM j`) back.
async fn apply_reading<T: FromQueryResult>(
    conn: &impl ConnectionTrait,
    workspace: Uuid,
    changes: &[Change],
    output: &str,
) -> Result<Vec<T>, StoreError> {
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    let records: Vec<serde_json::Value> = changes.iter().map(Change::record).collect();
    let sql = update_sql(
        &format!("x AS MATERIALIZED (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x({RECORD}))"),
        Locate::ById,
        output,
    );
    Ok(T::find_by_statement(stmt(
        &sql,
        [workspace.into(), serde_json::Value::Array(records).into()],
    ))
    .all(conn)
    .await?)
}

/// Like [`apply`], reading back only the ids of the jobs that matched their fence: for
/// batches whose callers need no more than that (sending whole rows back costs both sides).
pub(crate) async fn apply_ids(
    tx: &WorkspaceTx,
    changes: &[Change],
) -> Result<Vec<Uuid>, StoreError> {
    #[derive(FromQueryResult)]
    struct Changed {
        id: Uuid,
        status: String,
    }
    let rows: Vec<Changed> = apply_reading(
        tx.conn(),
        tx.workspace_id(),
        changes,
        "SELECT id, status FROM j",
    )
    .await?;
    if rows.iter().any(|r| r.status == JobStatus::Queued.as_str()) {
        tx.made_claimable();
    }
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Applies `changes` in the entered workspace; see [`apply_on`]. A job that became
/// `QUEUED` makes the transaction's commit wake waiting runners.
pub(crate) async fn apply(tx: &WorkspaceTx, changes: &[Change]) -> Result<Vec<JobRow>, StoreError> {
    let rows = apply_on(tx.conn(), tx.workspace_id(), changes).await?;
    if rows
        .iter()
        .any(|r| r.status() == JobStatus::Queued.as_str())
    {
        tx.made_claimable();
    }
    Ok(rows)
}

/// Applies one change; `None` when the job did not match its fence.
pub(crate) async fn apply_one(
    tx: &WorkspaceTx,
    change: Change,
) -> Result<Option<JobRow>, StoreError> {
    Ok(apply(tx, std::slice::from_ref(&change)).await?.pop())
}

/// What a claim returns per job.
#[derive(FromQueryResult)]
pub(crate) struct ClaimRow {
    pub id: Uuid,
    pub workspace_id: Uuid,
    #[sea_orm(alias = "type")]
    pub job_type: String,
    pub payload: serde_json::Value,
    pub labels: Vec<String>,
    pub priority: i16,
    pub attempt: i32,
    pub max_attempts: i32,
    pub timeout_seconds: i32,
    pub lease_expires_at: Timestamp,
    pub agent_task_id: Option<Uuid>,
    pub resume_snapshot: Option<serde_json::Value>,
    pub suspended_state: Option<serde_json::Value>,
    pub next_log_seq: i64,
    pub secrets: Option<serde_json::Value>,
    pub traceparent: Option<String>,
    pub queue_wait_seconds: f64,
}

/// Claims up to `limit` `QUEUED` jobs whose labels are within `labels`, in priority,
/// then `run_after`, then id order, applying `change` (its `id` is ignored) to each.
/// Locked rows are skipped, so concurrent claimers never get the same job.
pub(crate) async fn claim(
    tx: &WorkspaceTx,
    labels: &[String],
    limit: u32,
    change: Change,
) -> Result<Vec<ClaimRow>, StoreError> {
    // Only QUEUED jobs are claimable; runyard_claimable picks and locks them in claim
    // order through the claim index (see its definition for why it is a function).
    if change.from != JobStatus::Queued {
        return Err(StoreError::Database(sea_orm::DbErr::Custom(format!(
            "a claim takes QUEUED jobs, not {}",
            change.from.as_str()
        ))));
    }
    let source = format!(
        "c AS MATERIALIZED ( \
           SELECT id, handed FROM runyard_claimable($1, $3::text[], $4::integer) \
         ), t AS MATERIALIZED ( \
           SELECT * FROM jsonb_to_record($2::jsonb) AS t({rest}) \
         )",
        // Every claimed job gets the same change: its record is decoded once.
        rest = change_columns!(),
    );
    let output = "SELECT id, workspace_id, type, payload, labels, priority, attempt, max_attempts, \
                timeout_seconds, lease_expires_at, agent_task_id, secrets, traceparent, \
                greatest(0, extract(epoch FROM now() - run_after))::float8 AS queue_wait_seconds, \
                CASE WHEN j.resume_state IS NOT NULL \
                     THEN (SELECT c.handed FROM c WHERE c.id = j.id) END AS resume_snapshot, suspended_state, \
                (SELECT coalesce(max(l.seq), 0) + 1 FROM job_logs l \
                  WHERE l.workspace_id = j.workspace_id AND l.job_id = j.id) AS next_log_seq \
           FROM j ORDER BY priority DESC, run_after, id";
    let mut template = change.record();
    template["event_id"] = serde_json::Value::Null;
    tx.all(
        &update_sql(&source, Locate::Claimed, output),
        [
            tx.workspace_id().into(),
            template.into(),
            labels.to_vec().into(),
            i32::try_from(limit).unwrap_or(i32::MAX).into(),
        ],
    )
    .await
}

/// Where new jobs are inserted.
pub(crate) enum Target<'a> {
    /// The entered workspace; with an idempotency key, a taken key inserts nothing.
    Tx(&'a WorkspaceTx, Option<&'a str>),
    /// Enters the workspace in the same statement (see [`crate::jobs::create_direct`]):
    /// `$1` subject, `$2` actor, `$3` id, `$4` slug. Inserts nothing when the subject may
    /// not create jobs there (is not an owner, admin or member) or the workspace has a
    /// `max_queued_jobs` quota or its own `redact_pattern` (whose answer needs the
    /// settings in hand).
    Direct(Vec<Value>),
}

/// One new job and the status it starts in.
pub(crate) struct NewRow<'a> {
    pub job: &'a NewJob,
    pub status: JobStatus,
}

fn run_after(job: &NewJob) -> Option<Timestamp> {
    use chrono::TimeZone;
    job.run_after_ms
        .and_then(|ms| chrono::Utc.timestamp_millis_opt(ms).single())
}

/// The enqueue statement: inserts `rows` with their `job_created` events; returns the
/// inserted rows (and their ids, in input order).
pub(crate) fn insert_sql(
    into: &Target<'_>,
    rows: &[NewRow<'_>],
) -> (String, Vec<Value>, Vec<Uuid>) {
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let records: Vec<serde_json::Value> = rows
        .iter()
        .zip(&ids)
        .map(|(row, id)| {
            let job = row.job;
            json!({
                "id": id,
                "event_id": Uuid::now_v7(),
                "agent_task_id": job.agent_task_id,
                "type": job.job_type.as_str(),
                "payload": job.payload,
                "labels": job.labels.as_slice(),
                "priority": job.priority.get(),
                "status": row.status.as_str(),
                "requires_approval": job.requires_approval,
                "approval_timeout_seconds": job.approval_timeout_seconds,
                "max_attempts": job.max_attempts.get(),
                "run_after": run_after(job),
                "timeout_seconds": job.timeout_seconds.get(),
                "backoff_seconds": job.backoff_seconds,
                "payload_hash": payload_hash(job),
                "secrets": job.secrets.as_ref().map(runyard_domain::JobSecrets::to_json),
                "traceparent": job.traceparent,
            })
        })
        .collect();
    let (head, workspace, actor, from, conflict, values): (_, _, _, _, _, Vec<Value>) = match into {
        Target::Tx(tx, key) => (
            String::new(),
            "$1::uuid",
            "$3",
            "x",
            if key.is_some() {
                " ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL \
                   DO NOTHING"
            } else {
                ""
            },
            vec![
                tx.workspace_id().into(),
                serde_json::Value::Array(records).into(),
                tx.actor().into(),
                key.map(str::to_owned).into(),
            ],
        ),
        Target::Direct(enter) => {
            let mut values = enter.clone();
            values.push(serde_json::Value::Array(records).into());
            let may_create: Vec<String> = [Role::Owner, Role::Admin, Role::Member]
                .map(|r| r.as_str().to_owned())
                .to_vec();
            values.push(may_create.into());
            (
                "w AS ( \
                       SELECT entered_id, entered_role, entered_settings \
                         FROM runyard_enter_workspace($1, $2, $3, $4) \
                     ), "
                .to_owned(),
                "w.entered_id",
                "$2",
                "w, x WHERE w.entered_role = ANY($6) \
                       AND NOT (w.entered_settings ?| ARRAY['max_queued_jobs', 'redact_pattern'])",
                "",
                values,
            )
        }
    };
    let (records_param, key) = match into {
        Target::Tx(..) => ("$2", "$4::text"),
        Target::Direct(_) => ("$5", "NULL::text"),
    };
    let sql = format!(
        "WITH {head}x AS MATERIALIZED ( \
           SELECT * FROM jsonb_to_recordset({records_param}::jsonb) AS r( \
             id uuid, event_id uuid, agent_task_id uuid, type text, payload jsonb, labels text[], \
             priority smallint, status text, requires_approval boolean, \
             approval_timeout_seconds integer, max_attempts integer, run_after timestamptz, timeout_seconds integer, backoff_seconds integer, payload_hash text, \
             secrets jsonb, traceparent text) \
         ), j AS ( \
           INSERT INTO runner_jobs (workspace_id, id, agent_task_id, type, payload, labels, priority, \
                  status, requires_approval, max_attempts, run_after, timeout_seconds, idempotency_key, \
                  payload_hash, last_event_seq, created_by, backoff_base_seconds, secrets, \
                  approval_timeout_seconds, approval_deadline, traceparent) \
           SELECT {workspace}, x.id, x.agent_task_id, x.type, x.payload, x.labels, x.priority, x.status, \
                  x.requires_approval, x.max_attempts, coalesce(x.run_after, now()), x.timeout_seconds, \
                  {key}, x.payload_hash, 1, {actor}, x.backoff_seconds, x.secrets, \
                  x.approval_timeout_seconds, \
                  CASE WHEN x.requires_approval \
                       THEN now() + make_interval(secs => x.approval_timeout_seconds) END, \
                  x.traceparent \
             FROM {from}{conflict} \
           RETURNING * \
         ), e AS ( \
           INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload) \
           SELECT j.workspace_id, j.id, 1, x.event_id, '{created}', j.created_by, \
                  jsonb_build_object('status', j.status) \
             FROM j JOIN x ON x.id = j.id \
         ) \
         SELECT {JOB_COLUMNS} FROM j",
        created = event_type::CREATED,
    );
    (sql, values, ids)
}

/// Inserts new jobs into the entered workspace; see [`insert_sql`]. A job inserted as
/// `QUEUED` makes the transaction's commit wake waiting runners.
pub(crate) async fn insert(
    tx: &WorkspaceTx,
    key: Option<&str>,
    rows: &[NewRow<'_>],
) -> Result<(Vec<JobRow>, Vec<Uuid>), StoreError> {
    let (sql, values, ids) = insert_sql(&Target::Tx(tx, key), rows);
    let inserted: Vec<JobRow> = tx.all(&sql, values).await?;
    if inserted
        .iter()
        .any(|r| r.status() == JobStatus::Queued.as_str())
    {
        tx.made_claimable();
    }
    Ok((inserted, ids))
}

/// Columns a task change sets; `None` leaves a column as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TaskSet {
    /// The new status, already checked by [`TaskStatus::transition`].
    pub status: Option<TaskStatus>,
    pub pause_requested_at: Option<Stamp>,
    /// Why and how the task pauses: `Some(None)` clears both.
    pub pause: Option<Option<(PauseKind, Option<String>)>>,
    pub paused_at: Option<Stamp>,
    pub finished_at: Option<Stamp>,
    /// Counts as activity (`last_activity_at = now()`).
    pub touch: bool,
}

/// Changes task `id` and appends its task event of `kind` (`payload` plus the new
/// status), in one statement. Returns the task's `columns`; `None` when it is not there.
pub(crate) async fn change_task<T: FromQueryResult>(
    tx: &WorkspaceTx,
    id: Uuid,
    set: TaskSet,
    (kind, payload): (&str, serde_json::Value),
    columns: &str,
) -> Result<Option<T>, StoreError> {
    fn stamp(column: &str, param: &str) -> String {
        format!(
            "{column} = CASE {param}::text WHEN 'now' THEN now() WHEN 'clear' THEN NULL ELSE {column} END"
        )
    }
    let stamp_value = |s: Option<Stamp>| -> Value {
        match s {
            Some(Stamp::Now) => Some("now").into(),
            Some(Stamp::Clear) => Some("clear").into(),
            None => None::<&str>.into(),
        }
    };
    let sql = format!(
        "WITH t AS ( \
           UPDATE agent_tasks SET status = coalesce($6::text, status), {pause_requested}, \
                  pause_kind = CASE WHEN $7 THEN $8::text ELSE pause_kind END, \
                  pause_reason = CASE WHEN $7 THEN $9::text ELSE pause_reason END, \
                  {paused}, {finished}, \
                  last_activity_at = CASE WHEN $12 THEN now() ELSE last_activity_at END, \
                  last_event_seq = last_event_seq + 1, updated_at = now() \
            WHERE workspace_id = $1 AND id = $2 RETURNING * \
         ), e AS ( \
           INSERT INTO task_events (workspace_id, task_id, seq, id, type, actor, payload) \
           SELECT workspace_id, id, last_event_seq, $3, $4, current_setting('runyard.actor'), \
                  $5::jsonb || jsonb_build_object('status', status) FROM t \
         ) \
         SELECT {columns} FROM t",
        pause_requested = stamp("pause_requested_at", "$10"),
        paused = stamp("paused_at", "$11"),
        finished = stamp("finished_at", "$13"),
    );
    let (set_pause, pause_kind, pause_reason) = match set.pause {
        Some(Some((kind, reason))) => (true, Some(kind.as_str()), reason),
        Some(None) => (true, None, None),
        None => (false, None, None),
    };
    let values: Vec<Value> = vec![
        tx.workspace_id().into(),
        id.into(),
        Uuid::now_v7().into(),
        kind.into(),
        payload.into(),
        set.status.map(TaskStatus::as_str).into(),
        set_pause.into(),
        pause_kind.into(),
        pause_reason.into(),
        stamp_value(set.pause_requested_at),
        stamp_value(set.paused_at),
        set.touch.into(),
        stamp_value(set.finished_at),
    ];
    tx.one(&sql, values).await
}
