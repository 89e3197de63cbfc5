//! Enqueue: one job (idempotent by key), one job in one round trip, or a batch. Every
//! new job and its `job_created` event go through the one insert statement in
//! [`crate::transition`].

use chrono::Utc;
use runyard_domain::{JobStatus, NewJob, payload_hash};
use sea_orm::{FromQueryResult, Value};
use uuid::Uuid;

use super::*;
use crate::error::violated_constraint;
use crate::transition::{self, NewRow};
use crate::{JobRecord, StoreError, WorkspaceTx};

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
        .one(&db.single())
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
