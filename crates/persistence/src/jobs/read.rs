//! Reading jobs: pages with filters, one job, its steps and its events.

use runyard_domain::{FailureKind, JobStatus};
use sea_orm::Value;
use uuid::Uuid;

use super::*;
use crate::{EventRecord, JobRecord, StepRecord, StoreError, WorkspaceTx};

/// Which jobs a list shows. Every filter given must match.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Any of these statuses (empty: all).
    pub statuses: Vec<JobStatus>,
    pub job_type: Option<String>,
    pub agent_task_id: Option<Uuid>,
    /// Jobs carrying every one of these labels.
    pub labels: Vec<String>,
    /// Any of these failure kinds (empty: all).
    pub failure_kinds: Vec<FailureKind>,
    /// Only jobs waiting for an approval (`PENDING` with `requires_approval`), or only
    /// the others.
    pub awaiting_approval: Option<bool>,
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
    if !filter.failure_kinds.is_empty() {
        let kinds: Vec<String> = filter
            .failure_kinds
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect();
        bind(&mut sql, " AND failure_kind = ANY(?)", kinds.into());
    }
    match filter.awaiting_approval {
        Some(true) => sql.push_str(" AND status = 'PENDING' AND requires_approval"),
        Some(false) => sql.push_str(" AND NOT (status = 'PENDING' AND requires_approval)"),
        None => {}
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

/// A job's steps of `attempt` by ordinal. By default its current attempt's: the one
/// running, else the last one that ran (an attempt handed back uncounted, at a gate or a
/// pause, keeps its number for the next claim).
pub async fn steps(
    tx: &WorkspaceTx,
    job_id: Uuid,
    attempt: Option<i32>,
) -> Result<Vec<StepRecord>, StoreError> {
    let rows: Vec<StepRow> = tx
        .all(
            "SELECT id, attempt, ordinal, name, phase, type, status, started_at, completed_at, \
                    duration_ms, input_tokens, output_tokens, cost, output, updated_at \
               FROM job_steps WHERE workspace_id = $1 AND job_id = $2 \
                AND attempt = coalesce($3, greatest( \
                      (SELECT j.attempt FROM runner_jobs j WHERE j.workspace_id = $1 AND j.id = $2), \
                      (SELECT max(s.attempt) FROM job_steps s \
                        WHERE s.workspace_id = $1 AND s.job_id = $2))) \
              ORDER BY ordinal",
            [tx.workspace_id().into(), job_id.into(), attempt.into()],
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
