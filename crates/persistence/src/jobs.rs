//! Runner jobs: enqueue (single, idempotent, and batch), list, read, cancel and retry.
//!
//! Every state change updates the job and appends its event in one statement, so the
//! two commit together. An event's `seq` is the job's `last_event_seq + 1`, taken under
//! the job's row lock: gap-free and monotonic per job.

use chrono::{TimeZone, Utc};
use runyard_domain::{JobStatus, NewJob, event_type, payload_hash};
use sea_orm::{FromQueryResult, Value};
use uuid::Uuid;

use crate::error::violated_constraint;
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

fn run_after(job: &NewJob) -> Option<Timestamp> {
    job.run_after_ms
        .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
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
    let sql = format!(
        "WITH j AS ( \
           INSERT INTO runner_jobs (workspace_id, id, agent_task_id, type, payload, labels, priority, \
                  status, requires_approval, max_attempts, run_after, timeout_seconds, \
                  idempotency_key, payload_hash, last_event_seq, created_by, backoff_base_seconds) \
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, now()), $12, $13, $14, 1, $15, $17) \
           ON CONFLICT (workspace_id, idempotency_key) DO NOTHING \
           RETURNING * \
         ), e AS ( \
           INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload) \
           SELECT workspace_id, id, 1, $16, '{created}', created_by, \
                  jsonb_build_object('status', status) FROM j \
         ) \
         SELECT {JOB_COLUMNS} FROM j",
        created = event_type::CREATED,
    );
    let values: Vec<Value> = vec![
        tx.workspace_id().into(),
        Uuid::now_v7().into(),
        job.agent_task_id.into(),
        job.job_type.as_str().into(),
        job.payload.clone().into(),
        job.labels.as_slice().to_vec().into(),
        job.priority.get().into(),
        status.as_str().into(),
        job.requires_approval.into(),
        job.max_attempts.get().into(),
        run_after(job).into(),
        job.timeout_seconds.get().into(),
        idempotency_key.map(str::to_owned).into(),
        hash.clone().into(),
        tx.actor().into(),
        Uuid::now_v7().into(),
        job.backoff_seconds.into(),
    ];
    let inserted: Option<JobRow> = tx.one(&sql, values).await.map_err(map_insert_error)?;
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
    let sql = format!(
        "WITH w AS ( \
           SELECT entered_id, entered_role, entered_settings \
             FROM runyard_enter_workspace($1, $2, $3, $4) \
         ), j AS ( \
           INSERT INTO runner_jobs (workspace_id, id, type, payload, labels, priority, status, \
                  requires_approval, max_attempts, run_after, timeout_seconds, payload_hash, \
                  last_event_seq, created_by, backoff_base_seconds) \
           SELECT w.entered_id, $5, $6, $7, $8, $9, $10, $11, $12, coalesce($13, now()), $14, $15, \
                  1, $2, $16 \
             FROM w \
            WHERE w.entered_role IN ('owner', 'admin', 'member') \
              AND NOT (w.entered_settings ? 'max_queued_jobs') \
           RETURNING * \
         ), e AS ( \
           INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload) \
           SELECT workspace_id, id, 1, $17, '{created}', created_by, \
                  jsonb_build_object('status', status) FROM j \
         ) \
         SELECT {JOB_COLUMNS} FROM j",
        created = event_type::CREATED,
    );
    let values: Vec<Value> = vec![
        subject.into(),
        actor.to_string().into(),
        id.into(),
        slug.into(),
        Uuid::now_v7().into(),
        job.job_type.as_str().into(),
        job.payload.clone().into(),
        job.labels.as_slice().to_vec().into(),
        job.priority.get().into(),
        job.initial_status(now_ms()).as_str().into(),
        job.requires_approval.into(),
        job.max_attempts.get().into(),
        run_after(job).into(),
        job.timeout_seconds.get().into(),
        payload_hash(job).into(),
        job.backoff_seconds.into(),
        Uuid::now_v7().into(),
    ];
    let row = JobRow::find_by_statement(crate::scope::stmt(&sql, values))
        .one(db.connection())
        .await?;
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
    let ids: Vec<Uuid> = jobs.iter().map(|_| Uuid::now_v7()).collect();
    let rows: Vec<serde_json::Value> = jobs
        .iter()
        .zip(&ids)
        .map(|(job, id)| {
            serde_json::json!({
                "id": id,
                "event_id": Uuid::now_v7(),
                "agent_task_id": job.agent_task_id,
                "type": job.job_type.as_str(),
                "payload": job.payload,
                "labels": job.labels.as_slice(),
                "priority": job.priority.get(),
                "status": status(job).as_str(),
                "requires_approval": job.requires_approval,
                "max_attempts": job.max_attempts.get(),
                "run_after": run_after(job),
                "timeout_seconds": job.timeout_seconds.get(),
                "backoff_seconds": job.backoff_seconds,
                "payload_hash": payload_hash(job),
            })
        })
        .collect();
    let sql = format!(
        "WITH x AS MATERIALIZED ( \
           SELECT * FROM jsonb_to_recordset($2::jsonb) AS r( \
             id uuid, event_id uuid, agent_task_id uuid, type text, payload jsonb, labels text[], \
             priority smallint, status text, requires_approval boolean, max_attempts integer, \
             run_after timestamptz, timeout_seconds integer, backoff_seconds integer, payload_hash text) \
         ), j AS ( \
           INSERT INTO runner_jobs (workspace_id, id, agent_task_id, type, payload, labels, priority, \
                  status, requires_approval, max_attempts, run_after, timeout_seconds, payload_hash, \
                  last_event_seq, created_by, backoff_base_seconds) \
           SELECT $1, id, agent_task_id, type, payload, labels, priority, status, requires_approval, \
                  max_attempts, coalesce(run_after, now()), timeout_seconds, payload_hash, 1, $3, backoff_seconds \
             FROM x \
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
    let inserted: Vec<JobRow> = tx
        .all(
            &sql,
            [
                tx.workspace_id().into(),
                serde_json::Value::Array(rows).into(),
                tx.actor().into(),
            ],
        )
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
              WHERE workspace_id = $1 AND status IN ('QUEUED', 'PENDING') LIMIT $2) w",
            [tx.workspace_id().into(), limit.into()],
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

/// Locks the job's row for this transaction and returns its status.
async fn lock_status(tx: &WorkspaceTx, id: Uuid) -> Result<JobStatus, StoreError> {
    #[derive(FromQueryResult)]
    struct Status {
        status: String,
    }
    let row: Status = tx
        .one(
            "SELECT status FROM runner_jobs WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
            [tx.workspace_id().into(), id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(JobStatus::parse(&row.status)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown job status {:?}", row.status)))?)
}

/// Applies `set` (an SQL `SET` list whose parameters start at `$6`) to the locked job
/// and appends one event of `kind` with `payload`, in one statement.
async fn update_with_event(
    tx: &WorkspaceTx,
    id: Uuid,
    set: &str,
    set_values: Vec<Value>,
    kind: &str,
    payload: serde_json::Value,
) -> Result<JobRecord, StoreError> {
    let sql = format!(
        "WITH j AS ( \
           UPDATE runner_jobs SET {set}, last_event_seq = last_event_seq + 1, updated_at = now() \
            WHERE workspace_id = $1 AND id = $2 RETURNING * \
         ), e AS ( \
           INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor, payload) \
           SELECT workspace_id, id, last_event_seq, $3, $4, current_setting('runyard.actor'), \
                  $5::jsonb || jsonb_build_object('status', status) FROM j \
         ) \
         SELECT {JOB_COLUMNS} FROM j"
    );
    let mut values: Vec<Value> = vec![
        tx.workspace_id().into(),
        id.into(),
        Uuid::now_v7().into(),
        kind.into(),
        payload.into(),
    ];
    values.extend(set_values);
    let row: Option<JobRow> = tx.one(&sql, values).await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// Cancels a job. One that has not started is `CANCELLED` at once; a running one is
/// asked to stop (`cancel_requested_at`), which its runner sees on its next heartbeat.
/// A finished job cannot be cancelled.
pub async fn cancel(tx: &WorkspaceTx, id: Uuid) -> Result<JobRecord, StoreError> {
    let status = lock_status(tx, id).await?;
    let to = status.transition(JobStatus::Cancelled)?;
    if status == JobStatus::Running {
        let job = get(tx, id).await?;
        if job.cancel_requested_at.is_some() {
            return Ok(job);
        }
        return update_with_event(
            tx,
            id,
            "cancel_requested_at = now()",
            vec![],
            event_type::CANCEL_REQUESTED,
            serde_json::json!({}),
        )
        .await;
    }
    update_with_event(
        tx,
        id,
        "status = $6, finished_at = now(), lease_runner_id = NULL, lease_expires_at = NULL",
        vec![to.as_str().into()],
        event_type::CANCELLED,
        serde_json::json!({ "from": status.as_str() }),
    )
    .await
}

/// Puts a `FAILED` or `CANCELLED` job back in the queue with a fresh set of attempts.
pub async fn retry(tx: &WorkspaceTx, id: Uuid) -> Result<JobRecord, StoreError> {
    let status = lock_status(tx, id).await?;
    let to = status.transition(JobStatus::Queued)?;
    update_with_event(
        tx,
        id,
        "status = $6, attempt = 0, run_after = now(), result = NULL, error = NULL, progress = NULL, \
         cancel_requested_at = NULL, pause_requested_at = NULL, lease_runner_id = NULL, \
         lease_expires_at = NULL, started_at = NULL, finished_at = NULL",
        vec![to.as_str().into()],
        event_type::RETRIED,
        serde_json::json!({ "from": status.as_str() }),
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
    #[derive(FromQueryResult)]
    struct Waiting {
        status: String,
        requires_approval: bool,
    }
    let job: Waiting = tx
        .one(
            "SELECT status, requires_approval FROM runner_jobs \
              WHERE workspace_id = $1 AND id = $2 FOR UPDATE",
            [tx.workspace_id().into(), id.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let status = JobStatus::parse(&job.status)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown job status {:?}", job.status)))?;
    if status != JobStatus::Pending || !job.requires_approval {
        return Err(StoreError::NotAwaitingApproval);
    }
    let (step_status, kind, set) = if approved {
        status.transition(JobStatus::Queued)?;
        (
            "COMPLETED",
            event_type::APPROVED,
            "requires_approval = false,              status = CASE WHEN run_after > now() THEN 'PENDING' ELSE 'QUEUED' END",
        )
    } else {
        status.transition(JobStatus::Cancelled)?;
        (
            "FAILED",
            event_type::REJECTED,
            "requires_approval = false, status = 'CANCELLED', finished_at = now()",
        )
    };
    tx.execute(
        "UPDATE job_steps SET status = $3, completed_at = now(), updated_at = now()           WHERE workspace_id = $1 AND job_id = $2 AND type = 'GATE' AND status = 'WAITING'",
        [tx.workspace_id().into(), id.into(), step_status.into()],
    )
    .await?;
    update_with_event(
        tx,
        id,
        set,
        vec![],
        kind,
        serde_json::json!({"by": tx.actor(), "comment": comment}),
    )
    .await
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
