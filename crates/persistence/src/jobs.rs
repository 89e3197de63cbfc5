//! Runner jobs: enqueue (single, idempotent, and batch), list, read, cancel and retry.
//!
//! Every state change updates the job and appends its event in one statement, so the
//! two commit together. An event's `seq` is the job's `last_event_seq + 1`, taken under
//! the job's row lock: gap-free and monotonic per job.

use chrono::Utc;
use runyard_domain::{JobStatus, NewJob, StepStatus, StepType, event_type, payload_hash};
use sea_orm::{FromQueryResult, Value};
use uuid::Uuid;

use crate::error::violated_constraint;
use crate::transition::{self, Attempt, Change, Echo, Event, Fence, Lease, NewRow, Set, Stamp};
use crate::{
    ArtifactRecord, EventRecord, JobRecord, LogRecord, StepRecord, StoreError, Timestamp,
    WorkspaceTx,
};

/// Columns read into a [`JobRecord`].
pub(crate) const JOB_COLUMNS: &str = "id, workspace_id, agent_task_id, type, payload, labels, priority, status, \
    requires_approval, attempt, max_attempts, run_after, timeout_seconds, backoff_base_seconds, idempotency_key, \
    lease_runner_id, lease_expires_at, cancel_requested_at, pause_requested_at, progress, result, \
    error, created_by, created_at, updated_at, started_at, finished_at";

#[derive(FromQueryResult)]
pub(crate) struct JobRow {
    id: Uuid,
    workspace_id: Uuid,
    agent_task_id: Option<Uuid>,
    #[sea_orm(alias = "type")]
    job_type: String,
    payload: serde_json::Value,
    labels: Vec<String>,
    priority: i16,
    status: String,
    requires_approval: bool,
    attempt: i32,
    max_attempts: i32,
    run_after: Timestamp,
    timeout_seconds: i32,
    backoff_base_seconds: i32,
    idempotency_key: Option<String>,
    lease_runner_id: Option<Uuid>,
    lease_expires_at: Option<Timestamp>,
    cancel_requested_at: Option<Timestamp>,
    pause_requested_at: Option<Timestamp>,
    progress: Option<serde_json::Value>,
    result: Option<serde_json::Value>,
    error: Option<serde_json::Value>,
    created_by: String,
    created_at: Timestamp,
    updated_at: Timestamp,
    started_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
}

impl JobRow {
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    pub(crate) fn status(&self) -> &str {
        &self.status
    }
}

impl TryFrom<JobRow> for JobRecord {
    type Error = StoreError;

    fn try_from(r: JobRow) -> Result<Self, StoreError> {
        let status = JobStatus::parse(&r.status)
            .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown job status {:?}", r.status)))?;
        Ok(Self {
            id: r.id,
            workspace_id: r.workspace_id,
            agent_task_id: r.agent_task_id,
            job_type: r.job_type,
            payload: r.payload,
            labels: r.labels,
            priority: r.priority,
            status,
            requires_approval: r.requires_approval,
            attempt: r.attempt,
            max_attempts: r.max_attempts,
            run_after: r.run_after,
            timeout_seconds: r.timeout_seconds,
            backoff_seconds: r.backoff_base_seconds,
            idempotency_key: r.idempotency_key,
            lease_runner_id: r.lease_runner_id,
            lease_expires_at: r.lease_expires_at,
            cancel_requested_at: r.cancel_requested_at,
            pause_requested_at: r.pause_requested_at,
            progress: r.progress,
            result: r.result,
            error: r.error,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

#[derive(FromQueryResult)]
pub(crate) struct StepRow {
    id: Uuid,
    ordinal: i32,
    name: String,
    phase: String,
    #[sea_orm(alias = "type")]
    step_type: String,
    status: String,
    started_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    duration_ms: Option<i64>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cost: Option<f64>,
    output: Option<serde_json::Value>,
    updated_at: Timestamp,
}

impl From<StepRow> for StepRecord {
    fn from(r: StepRow) -> Self {
        Self {
            id: r.id,
            ordinal: r.ordinal,
            name: r.name,
            phase: r.phase,
            step_type: r.step_type,
            status: r.status,
            started_at: r.started_at,
            completed_at: r.completed_at,
            duration_ms: r.duration_ms,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cost: r.cost,
            output: r.output,
            updated_at: r.updated_at,
        }
    }
}

#[derive(FromQueryResult)]
pub(crate) struct ArtifactRow {
    name: String,
    attempt: i32,
    content_type: String,
    size: i64,
    sha256: String,
    created_at: Timestamp,
}

impl From<ArtifactRow> for ArtifactRecord {
    fn from(r: ArtifactRow) -> Self {
        Self {
            name: r.name,
            attempt: r.attempt,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

#[derive(FromQueryResult)]
struct EventRow {
    id: Uuid,
    job_id: Uuid,
    seq: i64,
    step_id: Option<Uuid>,
    #[sea_orm(alias = "type")]
    event_type: String,
    actor: String,
    payload: serde_json::Value,
    created_at: Timestamp,
}

/// Whether a create made a new job or found the one made earlier under the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    Replayed,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn map_insert_error(e: StoreError) -> StoreError {
    match e {
        StoreError::Database(ref db)
            if violated_constraint(db).as_deref() == Some("runner_jobs_agent_task_fkey") =>
        {
            StoreError::UnknownReference {
                field: "agent_task_id",
            }
        }
        other => other,
    }
}

/// Enqueues one job with its `job_created` event. With an idempotency key, a second call
/// with the same request returns the first job ([`Created::Replayed`]) and one with a
/// different request fails with [`StoreError::IdempotencyMismatch`] — also when the two
/// calls race: the unique key makes the loser wait for the winner and then read its job.
pub async fn create(
    tx: &WorkspaceTx,
    job: &NewJob,
    idempotency_key: Option<&str>,
) -> Result<(JobRecord, Created), StoreError> {
    let hash = payload_hash(job);
    check_queue_room(tx, 1).await?;
    let held = crate::tasks::admit_jobs(tx, job.agent_task_id.as_slice()).await?;
    let status = if held.is_empty() {
        job.initial_status(now_ms())
    } else {
        JobStatus::Paused
    };
    let (inserted, _) = transition::insert(tx, idempotency_key, &[NewRow { job, status }])
        .await
        .map_err(map_insert_error)?;
    let inserted = inserted.into_iter().next();
    if let Some(row) = inserted {
        return Ok((row.try_into()?, Created::New));
    }
    // Only an idempotency key can make the insert do nothing: the key is taken.
    #[derive(FromQueryResult)]
    struct Existing {
        payload_hash: Option<String>,
    }
    let key = idempotency_key.ok_or(StoreError::NotFound)?;
    let existing: Existing = tx
        .one(
            "SELECT payload_hash FROM runner_jobs WHERE workspace_id = $1 AND idempotency_key = $2",
            [tx.workspace_id().into(), key.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    if existing.payload_hash.as_deref() != Some(hash.as_str()) {
        return Err(StoreError::IdempotencyMismatch);
    }
    let row: JobRow = tx
        .one(
            &format!(
                "SELECT {JOB_COLUMNS} FROM runner_jobs WHERE workspace_id = $1 AND idempotency_key = $2"
            ),
            [tx.workspace_id().into(), key.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.try_into()?, Created::Replayed))
}

/// Enters workspace `ws` as `subject` and enqueues `job` with its `job_created` event in
/// ONE statement, outside an explicit transaction: one round trip instead of four
/// (BEGIN, enter, insert, COMMIT) on the hottest write path. It covers the plain case only
/// and returns `None` — the caller then takes the general path, which explains why — when
/// the subject may not create jobs there, the workspace does not exist, or it has a
/// `max_queued_jobs` quota. Jobs with an idempotency key or an agent task must take the
/// general path.
///
/// Safe as one statement: the workspace is entered while the source row is produced,
/// before the row is inserted and checked against row-level security, and the setting is
/// transaction-local, so it ends with the statement's implicit transaction.
pub async fn create_direct(
    db: &crate::Database,
    subject: &str,
    actor: &runyard_domain::Actor,
    ws: &crate::WorkspaceRef,
    job: &NewJob,
) -> Result<Option<JobRecord>, StoreError> {
    debug_assert!(job.agent_task_id.is_none());
    let (id, slug) = match ws {
        crate::WorkspaceRef::Id(id) => (Some(*id), None),
        crate::WorkspaceRef::Slug(slug) => (None, Some(slug.clone())),
    };
    let enter: Vec<Value> = vec![
        subject.into(),
        actor.to_string().into(),
        id.into(),
        slug.into(),
    ];
    let status = job.initial_status(now_ms());
    let (sql, values, _) = transition::insert_sql(
        &transition::Target::Direct(enter),
        &[NewRow { job, status }],
    );
    let row = JobRow::find_by_statement(crate::scope::stmt(&sql, values))
        .one(db.connection())
        .await?;
    if let Some(row) = &row
        && row.status() == JobStatus::Queued.as_str()
    {
        db.signals().jobs_queued(row.workspace_id);
    }
    row.map(TryInto::try_into).transpose()
}

/// Enqueues many jobs in one statement, each with its `job_created` event. All or
/// nothing: the caller's transaction commits them together. Returned in input order.
pub async fn create_batch(tx: &WorkspaceTx, jobs: &[NewJob]) -> Result<Vec<JobRecord>, StoreError> {
    let now = now_ms();
    check_queue_room(tx, jobs.len()).await?;
    let task_ids: Vec<Uuid> = jobs.iter().filter_map(|j| j.agent_task_id).collect();
    let held = crate::tasks::admit_jobs(tx, &task_ids).await?;
    let status = |job: &NewJob| match job.agent_task_id {
        Some(t) if held.contains(&t) => JobStatus::Paused,
        _ => job.initial_status(now),
    };
    let rows: Vec<NewRow<'_>> = jobs
        .iter()
        .map(|job| NewRow {
            job,
            status: status(job),
        })
        .collect();
    let (inserted, ids) = transition::insert(tx, None, &rows)
        .await
        .map_err(map_insert_error)?;
    let mut by_id: std::collections::HashMap<Uuid, JobRow> =
        inserted.into_iter().map(|r| (r.id, r)).collect();
    ids.iter()
        .map(|id| by_id.remove(id).ok_or(StoreError::NotFound)?.try_into())
        .collect()
}

/// Refuses `adding` more jobs when the workspace's `max_queued_jobs` would be exceeded.
/// Concurrent enqueues of a workspace with a limit take turns on an advisory lock held to
/// the end of the transaction, so the limit holds under races.
async fn check_queue_room(tx: &WorkspaceTx, adding: usize) -> Result<(), StoreError> {
    let Some(limit) = tx.settings().max_queued_jobs else {
        return Ok(());
    };
    let exceeded = || StoreError::QuotaExceeded {
        setting: runyard_domain::WorkspaceSettings::MAX_QUEUED_JOBS,
        what: "queued or pending jobs",
        limit,
    };
    if adding as i64 > limit {
        return Err(exceeded());
    }
    #[derive(FromQueryResult)]
    struct Waiting {
        n: i64,
    }
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('runyard_queued:' || $1::text))",
        [tx.workspace_id().into()],
    )
    .await?;
    let waiting: Option<Waiting> = tx
        .one(
            "SELECT count(*) AS n FROM (SELECT 1 FROM runner_jobs \
              WHERE workspace_id = $1 AND status = ANY($3) LIMIT $2) w",
            [
                tx.workspace_id().into(),
                limit.into(),
                vec![
                    JobStatus::Queued.as_str().to_owned(),
                    JobStatus::Pending.as_str().to_owned(),
                ]
                .into(),
            ],
        )
        .await?;
    if waiting.map_or(0, |w| w.n) + adding as i64 > limit {
        return Err(exceeded());
    }
    Ok(())
}

/// Which jobs a list shows. Every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<JobStatus>,
    pub job_type: Option<String>,
    pub agent_task_id: Option<Uuid>,
    /// Jobs carrying every one of these labels.
    pub labels: Vec<String>,
}

/// A page of jobs, newest first, after the job `after` (exclusive). Returns the page and
/// the id to continue after, if there is more.
pub async fn list(
    tx: &WorkspaceTx,
    filter: &JobFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<JobRecord>, Option<Uuid>), StoreError> {
    let mut sql = format!("SELECT {JOB_COLUMNS} FROM runner_jobs WHERE workspace_id = $1");
    let mut values: Vec<Value> = vec![tx.workspace_id().into()];
    let mut bind = |sql: &mut String, clause: &str, value: Value| {
        values.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", values.len())));
    };
    if !filter.statuses.is_empty() {
        let statuses: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        bind(&mut sql, " AND status = ANY(?)", statuses.into());
    }
    if let Some(t) = &filter.job_type {
        bind(&mut sql, " AND type = ?", t.clone().into());
    }
    if let Some(task) = filter.agent_task_id {
        bind(&mut sql, " AND agent_task_id = ?", task.into());
    }
    if !filter.labels.is_empty() {
        bind(&mut sql, " AND labels @> ?", filter.labels.clone().into());
    }
    if let Some(after) = after {
        bind(&mut sql, " AND id < ?", after.into());
    }
    bind(
        &mut sql,
        " ORDER BY id DESC LIMIT ?",
        ((limit + 1) as i64).into(),
    );
    let mut rows: Vec<JobRow> = tx.all(&sql, values).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let jobs = rows
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_, _>>()?;
    Ok((jobs, next))
}

/// One job of the entered workspace.
pub async fn get(tx: &WorkspaceTx, id: Uuid) -> Result<JobRecord, StoreError> {
    let row: Option<JobRow> = tx
        .one(
            &format!("SELECT {JOB_COLUMNS} FROM runner_jobs WHERE workspace_id = $1 AND id = $2"),
            [tx.workspace_id().into(), id.into()],
        )
        .await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// A job's steps by ordinal.
pub async fn steps(tx: &WorkspaceTx, job_id: Uuid) -> Result<Vec<StepRecord>, StoreError> {
    let rows: Vec<StepRow> = tx
        .all(
            "SELECT id, ordinal, name, phase, type, status, started_at, completed_at, duration_ms, \
                    input_tokens, output_tokens, cost, output, updated_at \
               FROM job_steps WHERE workspace_id = $1 AND job_id = $2 ORDER BY ordinal",
            [tx.workspace_id().into(), job_id.into()],
        )
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Up to `limit` of a job's events with `seq > after_seq`, in seq order.
pub async fn events(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<EventRecord>, StoreError> {
    let rows: Vec<EventRow> = tx
        .all(
            "SELECT id, job_id, seq, step_id, type, actor, payload, created_at FROM job_events \
              WHERE workspace_id = $1 AND job_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
            [
                tx.workspace_id().into(),
                job_id.into(),
                after_seq.into(),
                (limit as i64).into(),
            ],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| EventRecord {
            id: r.id,
            job_id: r.job_id,
            seq: r.seq,
            step_id: r.step_id,
            event_type: r.event_type,
            actor: r.actor,
            payload: r.payload,
            created_at: r.created_at,
        })
        .collect())
}

/// The job's row, locked for this transaction: its status and whether it waits for an
/// approval and for its `run_after`.
struct Locked {
    status: JobStatus,
    requires_approval: bool,
    not_yet_due: bool,
    cancel_requested: bool,
}

async fn lock(tx: &WorkspaceTx, id: Uuid) -> Result<Locked, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        status: String,
        requires_approval: bool,
        not_yet_due: bool,
        cancel_requested: bool,
    }
    let row: Row = tx
        .one(
            "SELECT status, requires_approval, run_after > now() AS not_yet_due, \
                    cancel_requested_at IS NOT NULL AS cancel_requested \
               FROM runner_jobs WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
            [tx.workspace_id().into(), id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let status = JobStatus::parse(&row.status)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown job status {:?}", row.status)))?;
    Ok(Locked {
        status,
        requires_approval: row.requires_approval,
        not_yet_due: row.not_yet_due,
        cancel_requested: row.cancel_requested,
    })
}

/// Applies a change to a job this transaction locked.
async fn change(tx: &WorkspaceTx, change: Change) -> Result<JobRecord, StoreError> {
    transition::apply_one(tx, change)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

/// Cancels a job. One that has not started is `CANCELLED` at once; a running one is
/// asked to stop (`cancel_requested_at`), which its runner sees on its next heartbeat.
/// A finished job cannot be cancelled.
pub async fn cancel(tx: &WorkspaceTx, id: Uuid) -> Result<JobRecord, StoreError> {
    let job = lock(tx, id).await?;
    let status = job.status;
    status.transition(JobStatus::Cancelled)?;
    if status == JobStatus::Running {
        if job.cancel_requested {
            return get(tx, id).await;
        }
        return change(tx, cancel_request(id, serde_json::json!({}))).await;
    }
    change(
        tx,
        Change::new(
            id,
            status,
            JobStatus::Cancelled,
            Fence::Status,
            Set {
                finished_at: Some(Stamp::Now),
                lease: Some(Lease::Drop),
                ..Set::default()
            },
            Event::new(
                event_type::CANCELLED,
                serde_json::json!({ "from": status.as_str() }),
                Echo::STATUS,
            ),
        )?,
    )
    .await
}

/// Asks a running job to stop; its runner sees it on its next heartbeat.
pub(crate) fn cancel_request(id: Uuid, payload: serde_json::Value) -> Change {
    Change::keep(
        id,
        JobStatus::Running,
        Fence::Status,
        Set {
            cancel_requested_at: Some(Stamp::Now),
            ..Set::default()
        },
        Event::new(event_type::CANCEL_REQUESTED, payload, Echo::STATUS),
    )
}

/// Puts a `FAILED` or `CANCELLED` job back in the queue with a fresh set of attempts.
pub async fn retry(tx: &WorkspaceTx, id: Uuid) -> Result<JobRecord, StoreError> {
    let status = lock(tx, id).await?.status;
    change(
        tx,
        Change::new(
            id,
            status,
            JobStatus::Queued,
            Fence::Status,
            Set {
                attempt: Some(Attempt::Reset),
                run_after_in: Some(0.0),
                result: Some(None),
                error: Some(None),
                clear_progress: true,
                cancel_requested_at: Some(Stamp::Clear),
                pause_requested_at: Some(Stamp::Clear),
                lease: Some(Lease::Drop),
                started_at: Some(Stamp::Clear),
                finished_at: Some(Stamp::Clear),
                ..Set::default()
            },
            Event::new(
                event_type::RETRIED,
                serde_json::json!({ "from": status.as_str() }),
                Echo::STATUS,
            ),
        )?,
    )
    .await
}

/// Approves a job waiting for an approval: it becomes claimable (or waits for its
/// `run_after`), and a gate step waiting on it is completed. Records the approver and
/// the comment.
pub async fn approve(
    tx: &WorkspaceTx,
    id: Uuid,
    comment: Option<&str>,
) -> Result<JobRecord, StoreError> {
    decide(tx, id, true, comment).await
}

/// Rejects a job waiting for an approval: it is `CANCELLED`, and a gate step waiting on
/// it fails.
pub async fn reject(
    tx: &WorkspaceTx,
    id: Uuid,
    comment: Option<&str>,
) -> Result<JobRecord, StoreError> {
    decide(tx, id, false, comment).await
}

async fn decide(
    tx: &WorkspaceTx,
    id: Uuid,
    approved: bool,
    comment: Option<&str>,
) -> Result<JobRecord, StoreError> {
    let job = lock(tx, id).await?;
    if job.status != JobStatus::Pending || !job.requires_approval {
        return Err(StoreError::NotAwaitingApproval);
    }
    let payload = serde_json::json!({"by": tx.actor(), "comment": comment});
    let (step_status, next) = if approved {
        let set = Set {
            requires_approval: Some(false),
            ..Set::default()
        };
        let event = Event::new(event_type::APPROVED, payload, Echo::STATUS);
        // Claimable now, or still waiting for its time.
        let change = if job.not_yet_due {
            job.status.transition(JobStatus::Queued)?;
            Change::keep(id, job.status, Fence::Status, set, event)
        } else {
            Change::new(id, job.status, JobStatus::Queued, Fence::Status, set, event)?
        };
        (StepStatus::Completed, change)
    } else {
        let set = Set {
            requires_approval: Some(false),
            finished_at: Some(Stamp::Now),
            ..Set::default()
        };
        (
            StepStatus::Failed,
            Change::new(
                id,
                job.status,
                JobStatus::Cancelled,
                Fence::Status,
                set,
                Event::new(event_type::REJECTED, payload, Echo::STATUS),
            )?,
        )
    };
    tx.execute(
        "UPDATE job_steps SET status = $3, completed_at = now(), updated_at = now() \
          WHERE workspace_id = $1 AND job_id = $2 AND type = $4 AND status = $5",
        [
            tx.workspace_id().into(),
            id.into(),
            step_status.as_str().into(),
            StepType::Gate.as_str().into(),
            StepStatus::Waiting.as_str().into(),
        ],
    )
    .await?;
    change(tx, next).await
}

/// Up to `limit` of a job's log entries with `seq > after_seq`, in seq order.
pub async fn logs(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<LogRecord>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        seq: i64,
        attempt: i32,
        stream: String,
        body: String,
        created_at: Timestamp,
    }
    let rows: Vec<Row> = tx
        .all(
            "SELECT seq, attempt, stream, body, created_at FROM job_logs \
              WHERE workspace_id = $1 AND job_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
            [
                tx.workspace_id().into(),
                job_id.into(),
                after_seq.into(),
                (limit as i64).into(),
            ],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LogRecord {
            seq: r.seq,
            attempt: r.attempt,
            stream: r.stream,
            body: r.body,
            created_at: r.created_at,
        })
        .collect())
}

/// A page of a job's artifacts by name, after the name `after`.
pub async fn artifacts(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<ArtifactRecord>, Option<String>), StoreError> {
    let mut rows: Vec<ArtifactRow> = tx
        .all(
            "SELECT name, attempt, content_type, size, sha256, created_at FROM job_artifacts \
              WHERE workspace_id = $1 AND job_id = $2 AND ($3::text IS NULL OR name > $3) \
              ORDER BY name LIMIT $4",
            [
                tx.workspace_id().into(),
                job_id.into(),
                after.map(str::to_owned).into(),
                ((limit + 1) as i64).into(),
            ],
        )
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let records: Vec<ArtifactRecord> = rows.into_iter().map(Into::into).collect();
    let next = if more {
        records.last().map(|a| a.name.clone())
    } else {
        None
    };
    Ok((records, next))
}

/// One artifact with its content.
pub async fn artifact(
    tx: &WorkspaceTx,
    job_id: Uuid,
    name: &str,
) -> Result<(ArtifactRecord, Vec<u8>), StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        #[sea_orm(nested)]
        meta: ArtifactRow,
        content: Vec<u8>,
    }
    let row: Row = tx
        .one(
            "SELECT name, attempt, content_type, size, sha256, created_at, content FROM job_artifacts \
              WHERE workspace_id = $1 AND job_id = $2 AND name = $3",
            [tx.workspace_id().into(), job_id.into(), name.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.meta.into(), row.content))
}
