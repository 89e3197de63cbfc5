//! Agent tasks: create, list, read, pause, resume, complete, cancel, and their snapshots.
//!
//! Pausing is two-phase. A pause holds the task's waiting jobs (`PAUSED` at once) and asks
//! its running jobs to hand back (`pause_requested_at`, seen on their next heartbeat); the
//! task is `paused` once none of its jobs runs. The database function
//! `runyard_settle_pauses` makes that last step, from here, from a runner's hand-back, and
//! from the sweeper (which also catches runners that never answered). Every change of a
//! task appends a task event; every change of a job, a job event.

use std::collections::HashMap;

use runyard_domain::{JobStatus, PauseKind, TaskStatus, TaskTitle, event_type, task_event_type};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::transition::{self, CancelNote, Change, Echo, Event, Fence, Set, Stamp, TaskSet};
use crate::{
    SnapshotMeta, SnapshotRecord, StoreError, TaskEventRecord, TaskRecord, Timestamp, WorkspaceTx,
};

const TASK_COLUMNS: &str = "id, workspace_id, title, status, metadata, last_activity_at, \
    pause_requested_at, pause_kind, pause_reason, paused_at, finished_at, created_by, created_at, updated_at";

#[derive(FromQueryResult)]
struct TaskRow {
    id: Uuid,
    workspace_id: Uuid,
    title: String,
    status: String,
    metadata: serde_json::Value,
    last_activity_at: Timestamp,
    pause_requested_at: Option<Timestamp>,
    pause_kind: Option<String>,
    pause_reason: Option<String>,
    paused_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
    created_by: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

fn corrupt(what: &str, value: &str) -> StoreError {
    sea_orm::DbErr::Custom(format!("unknown {what} {value:?}")).into()
}

impl TryFrom<TaskRow> for TaskRecord {
    type Error = StoreError;

    fn try_from(r: TaskRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.id,
            workspace_id: r.workspace_id,
            title: r.title,
            status: TaskStatus::parse(&r.status)
                .ok_or_else(|| corrupt("task status", &r.status))?,
            metadata: r.metadata,
            last_activity_at: r.last_activity_at,
            pause_requested_at: r.pause_requested_at,
            pause_kind: r
                .pause_kind
                .map(|k| PauseKind::parse(&k).ok_or_else(|| corrupt("pause kind", &k)))
                .transpose()?,
            pause_reason: r.pause_reason,
            paused_at: r.paused_at,
            finished_at: r.finished_at,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Creates an active task with its `task_created` event.
pub async fn create(
    tx: &WorkspaceTx,
    title: &TaskTitle,
    metadata: serde_json::Value,
) -> Result<TaskRecord, StoreError> {
    let sql = format!(
        "WITH t AS ( \
           INSERT INTO agent_tasks (workspace_id, id, title, metadata, created_by, last_event_seq) \
           VALUES ($1, $2, $3, $4, $5, 1) RETURNING * \
         ), e AS ( \
           INSERT INTO task_events (workspace_id, task_id, seq, id, type, actor, payload) \
           SELECT workspace_id, id, 1, $6, '{created}', created_by, \
                  jsonb_build_object('status', status, 'title', title) FROM t \
         ) \
         SELECT {TASK_COLUMNS} FROM t",
        created = task_event_type::CREATED,
    );
    let row: Option<TaskRow> = tx
        .one(
            &sql,
            [
                tx.workspace_id().into(),
                Uuid::now_v7().into(),
                title.as_str().into(),
                metadata.into(),
                tx.actor().into(),
                Uuid::now_v7().into(),
            ],
        )
        .await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// A page of tasks, newest first, after the task `after` (exclusive); with the id to
/// continue after, if there is more.
pub async fn list(
    tx: &WorkspaceTx,
    statuses: &[TaskStatus],
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<TaskRecord>, Option<Uuid>), StoreError> {
    let statuses: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
    let mut rows: Vec<TaskRow> = tx
        .all(
            &format!(
                "SELECT {TASK_COLUMNS} FROM agent_tasks \
                  WHERE workspace_id = $1 AND (cardinality($2::text[]) = 0 OR status = ANY($2)) \
                    AND ($3::uuid IS NULL OR id < $3) \
                  ORDER BY id DESC LIMIT $4"
            ),
            [
                tx.workspace_id().into(),
                statuses.into(),
                after.into(),
                ((limit + 1) as i64).into(),
            ],
        )
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let tasks = rows
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_, _>>()?;
    Ok((tasks, next))
}

/// One task of the entered workspace.
pub async fn get(tx: &WorkspaceTx, id: Uuid) -> Result<TaskRecord, StoreError> {
    let row: Option<TaskRow> = tx
        .one(
            &format!("SELECT {TASK_COLUMNS} FROM agent_tasks WHERE workspace_id = $1 AND id = $2"),
            [tx.workspace_id().into(), id.into()],
        )
        .await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// Locks the task's row for this transaction and returns it.
pub(crate) async fn lock(tx: &WorkspaceTx, id: Uuid) -> Result<TaskRecord, StoreError> {
    let row: Option<TaskRow> = tx
        .one(
            &format!(
                "SELECT {TASK_COLUMNS} FROM agent_tasks WHERE workspace_id = $1 AND id = $2 FOR UPDATE"
            ),
            [tx.workspace_id().into(), id.into()],
        )
        .await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// Changes the task and appends one task event of `kind` with `payload`, in one
/// statement (see [`transition::change_task`]).
async fn update_with_event(
    tx: &WorkspaceTx,
    id: Uuid,
    set: TaskSet,
    kind: &str,
    payload: serde_json::Value,
) -> Result<TaskRecord, StoreError> {
    let row: Option<TaskRow> =
        transition::change_task(tx, id, set, (kind, payload), TASK_COLUMNS).await?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// A job of a task, locked for this transaction.
struct TaskJob {
    id: Uuid,
    status: JobStatus,
    /// Waits for an approval or for its `run_after`.
    waits: bool,
    cancel_requested: bool,
    pause_requested: bool,
}

/// Locks the task's jobs in any of `statuses` (the task is locked first, everywhere).
async fn lock_jobs(
    tx: &WorkspaceTx,
    task_id: Uuid,
    statuses: &[JobStatus],
) -> Result<Vec<TaskJob>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        status: String,
        waits: bool,
        cancel_requested: bool,
        pause_requested: bool,
    }
    let statuses: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
    let rows: Vec<Row> = tx
        .all(
            "SELECT id, status, requires_approval OR run_after > now() AS waits, \
                    cancel_requested_at IS NOT NULL AS cancel_requested, \
                    pause_requested_at IS NOT NULL AS pause_requested \
               FROM runner_jobs WHERE workspace_id = $1 AND agent_task_id = $2 AND status = ANY($3) \
              ORDER BY id FOR UPDATE",
            [tx.workspace_id().into(), task_id.into(), statuses.into()],
        )
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TaskJob {
                id: r.id,
                status: JobStatus::parse(&r.status)
                    .ok_or_else(|| corrupt("job status", &r.status))?,
                waits: r.waits,
                cancel_requested: r.cancel_requested,
                pause_requested: r.pause_requested,
            })
        })
        .collect()
}

/// Moves the task's jobs in `from` to the status `to` chooses for each, with `set`, each
/// with an event of `kind` (its payload names the task and the status it came from).
/// Returns how many jobs moved.
async fn move_jobs(
    tx: &WorkspaceTx,
    task_id: Uuid,
    from: &[JobStatus],
    to: impl Fn(&TaskJob) -> JobStatus,
    set: Set,
    (kind, payload): (&str, serde_json::Value),
) -> Result<u64, StoreError> {
    let changes = lock_jobs(tx, task_id, from)
        .await?
        .iter()
        .map(|job| {
            let mut payload = payload.clone();
            payload["from"] = job.status.as_str().into();
            payload["task_id"] = task_id.to_string().into();
            Change::new(
                job.id,
                job.status,
                to(job),
                Fence::Status,
                set.clone(),
                Event::new(kind, payload, Echo::STATUS),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(transition::apply(tx, &changes).await?.len() as u64)
}

/// Where a resumed job goes: waiting for its approval or its time, else claimable.
fn requeued(job: &TaskJob) -> JobStatus {
    if job.waits {
        JobStatus::Pending
    } else {
        JobStatus::Queued
    }
}

/// Records a pause request on the task's running jobs (seen on their next heartbeat),
/// or clears it (`ask = false`). Returns how many jobs were touched.
async fn ask_running_jobs(
    tx: &WorkspaceTx,
    task_id: Uuid,
    ask: bool,
    (kind, payload): (&str, serde_json::Value),
) -> Result<u64, StoreError> {
    let mut payload = payload;
    payload["task_id"] = task_id.to_string().into();
    let changes = lock_jobs(tx, task_id, &[JobStatus::Running])
        .await?
        .iter()
        .filter(|job| job.pause_requested != ask)
        .map(|job| {
            Change::keep(
                job.id,
                job.status,
                Fence::Status,
                Set {
                    pause_requested_at: Some(if ask { Stamp::Now } else { Stamp::Clear }),
                    ..Set::default()
                },
                Event::new(kind, payload.clone(), Echo::STATUS),
            )
        })
        .collect::<Vec<_>>();
    Ok(transition::apply(tx, &changes).await?.len() as u64)
}

/// Makes the task `paused` if its pause was requested and none of its jobs runs.
pub(crate) async fn settle(tx: &WorkspaceTx, task_id: Uuid) -> Result<(), StoreError> {
    tx.execute(
        "SELECT 1 FROM runyard_settle_pauses($1, $2)",
        [tx.workspace_id().into(), task_id.into()],
    )
    .await?;
    Ok(())
}

/// Pauses a task. Its queued and pending jobs are held (`PAUSED`) at once; its running
/// jobs are asked to hand back a snapshot, and the task becomes `paused` when none runs
/// (at once when none did: the previous snapshot stays). Pausing a paused task, or one
/// already pausing, changes nothing.
pub async fn pause(
    tx: &WorkspaceTx,
    id: Uuid,
    kind: PauseKind,
    reason: Option<&str>,
) -> Result<TaskRecord, StoreError> {
    let task = lock(tx, id).await?;
    if task.status == TaskStatus::Paused || task.pause_requested_at.is_some() {
        return Ok(task);
    }
    task.status.transition(TaskStatus::Paused)?;
    let payload = serde_json::json!({"reason": reason, "kind": kind.as_str()});
    move_jobs(
        tx,
        id,
        &[JobStatus::Queued, JobStatus::Pending],
        |_| JobStatus::Paused,
        Set::default(),
        (kind.event_type(), payload.clone()),
    )
    .await?;
    let running =
        ask_running_jobs(tx, id, true, (event_type::PAUSE_REQUESTED, payload.clone())).await?;
    let mut payload = payload;
    payload["running_jobs"] = running.into();
    update_with_event(
        tx,
        id,
        TaskSet {
            pause_requested_at: Some(Stamp::Now),
            pause: Some(Some((kind, reason.map(str::to_owned)))),
            touch: true,
            ..TaskSet::default()
        },
        task_event_type::PAUSE_REQUESTED,
        payload,
    )
    .await?;
    settle(tx, id).await?;
    get(tx, id).await
}

/// Resumes a paused task: its paused jobs go back to the queue (or to waiting for their
/// time or an approval) and their next claims carry the task's snapshot. A task still
/// pausing has its pause request withdrawn. An active task cannot be resumed.
pub async fn resume(tx: &WorkspaceTx, id: Uuid) -> Result<TaskRecord, StoreError> {
    let task = lock(tx, id).await?;
    let payload = serde_json::json!({});
    match task.status {
        TaskStatus::Paused => {
            let moved = move_jobs(
                tx,
                id,
                &[JobStatus::Paused],
                requeued,
                Set {
                    resumed_at: Some(Stamp::Now),
                    ..Set::default()
                },
                (task_event_type::RESUME, payload.clone()),
            )
            .await?;
            update_with_event(
                tx,
                id,
                TaskSet {
                    status: Some(TaskStatus::Active),
                    paused_at: Some(Stamp::Clear),
                    pause: Some(None),
                    touch: true,
                    ..TaskSet::default()
                },
                task_event_type::RESUME,
                serde_json::json!({"jobs": moved}),
            )
            .await
        }
        TaskStatus::Active if task.pause_requested_at.is_some() => {
            ask_running_jobs(tx, id, false, (task_event_type::RESUME, payload)).await?;
            // Jobs held by the pause request go back too.
            let moved = move_jobs(
                tx,
                id,
                &[JobStatus::Paused],
                requeued,
                Set::default(),
                (task_event_type::RESUME, serde_json::json!({})),
            )
            .await?;
            update_with_event(
                tx,
                id,
                TaskSet {
                    pause_requested_at: Some(Stamp::Clear),
                    pause: Some(None),
                    touch: true,
                    ..TaskSet::default()
                },
                task_event_type::RESUME,
                serde_json::json!({"withdrawn_pause": true, "jobs": moved}),
            )
            .await
        }
        status => Err(StoreError::TaskTransition(
            runyard_domain::TaskTransitionError {
                from: status,
                to: TaskStatus::Active,
            },
        )),
    }
}

/// Counts the task's jobs in any of `statuses`.
async fn count_jobs(tx: &WorkspaceTx, id: Uuid, statuses: &[JobStatus]) -> Result<i64, StoreError> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    let statuses: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
    let row: Option<Count> = tx
        .one(
            "SELECT count(*) AS n FROM runner_jobs \
              WHERE workspace_id = $1 AND agent_task_id = $2 AND status = ANY($3)",
            [tx.workspace_id().into(), id.into(), statuses.into()],
        )
        .await?;
    Ok(row.map_or(0, |r| r.n))
}

/// Finishes a task as `completed` (or `failed`). Refused while any of its jobs is queued,
/// pending or running; its paused jobs are cancelled, as nothing will resume them.
pub async fn complete(
    tx: &WorkspaceTx,
    id: Uuid,
    outcome: TaskStatus,
) -> Result<TaskRecord, StoreError> {
    let task = lock(tx, id).await?;
    let to = task.status.transition(outcome)?;
    if !matches!(to, TaskStatus::Completed | TaskStatus::Failed) {
        return Err(StoreError::TaskTransition(
            runyard_domain::TaskTransitionError {
                from: task.status,
                to,
            },
        ));
    }
    let busy = count_jobs(
        tx,
        id,
        &[
            JobStatus::Queued,
            JobStatus::Pending,
            JobStatus::Running,
            JobStatus::Suspended,
        ],
    )
    .await?;
    if busy > 0 {
        return Err(StoreError::TaskBusy { count: busy });
    }
    cancel_waiting_jobs(tx, id, &[JobStatus::Paused]).await?;
    let kind = if to == TaskStatus::Completed {
        task_event_type::COMPLETED
    } else {
        task_event_type::FAILED
    };
    update_with_event(
        tx,
        id,
        TaskSet {
            status: Some(to),
            finished_at: Some(Stamp::Now),
            pause_requested_at: Some(Stamp::Clear),
            ..TaskSet::default()
        },
        kind,
        serde_json::json!({}),
    )
    .await
}

/// Why jobs are cancelled with their task, and by whom (the transaction's actor).
fn task_cancel_note(tx: &WorkspaceTx) -> CancelNote {
    CancelNote {
        by: tx.actor().to_owned(),
        reason: Some("task_cancelled".to_owned()),
    }
}

async fn cancel_waiting_jobs(
    tx: &WorkspaceTx,
    id: Uuid,
    from: &[JobStatus],
) -> Result<u64, StoreError> {
    let changes = lock_jobs(tx, id, from)
        .await?
        .iter()
        .map(|job| {
            crate::jobs::cancel_now(
                job.id,
                job.status,
                task_cancel_note(tx),
                serde_json::json!({"reason": "task_cancelled", "task_id": id.to_string()}),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(transition::apply(tx, &changes).await?.len() as u64)
}

/// Cancels a task: its waiting jobs are cancelled at once and its running jobs are asked
/// to stop (as a job cancel does).
pub async fn cancel(tx: &WorkspaceTx, id: Uuid) -> Result<TaskRecord, StoreError> {
    let task = lock(tx, id).await?;
    task.status.transition(TaskStatus::Cancelled)?;
    cancel_waiting_jobs(
        tx,
        id,
        &[
            JobStatus::Queued,
            JobStatus::Pending,
            JobStatus::Paused,
            JobStatus::Suspended,
        ],
    )
    .await?;
    let asks = lock_jobs(tx, id, &[JobStatus::Running])
        .await?
        .iter()
        .filter(|job| !job.cancel_requested)
        .map(|job| {
            crate::jobs::cancel_request(
                job.id,
                task_cancel_note(tx),
                serde_json::json!({"reason": "task_cancelled"}),
            )
        })
        .collect::<Vec<_>>();
    transition::apply(tx, &asks).await?;
    update_with_event(
        tx,
        id,
        TaskSet {
            status: Some(TaskStatus::Cancelled),
            finished_at: Some(Stamp::Now),
            pause_requested_at: Some(Stamp::Clear),
            ..TaskSet::default()
        },
        task_event_type::CANCELLED,
        serde_json::json!({}),
    )
    .await
}

#[derive(FromQueryResult)]
struct SnapshotMetaRow {
    job_id: Option<Uuid>,
    kind: String,
    reason: Option<String>,
    created_at: Timestamp,
}

impl TryFrom<SnapshotMetaRow> for SnapshotMeta {
    type Error = StoreError;

    fn try_from(r: SnapshotMetaRow) -> Result<Self, StoreError> {
        Ok(Self {
            job_id: r.job_id,
            kind: PauseKind::parse(&r.kind).ok_or_else(|| corrupt("pause kind", &r.kind))?,
            reason: r.reason,
            created_at: r.created_at,
        })
    }
}

/// The task's snapshot, if it has one.
pub async fn snapshot(tx: &WorkspaceTx, id: Uuid) -> Result<Option<SnapshotRecord>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        #[sea_orm(nested)]
        meta: SnapshotMetaRow,
        log_snapshot: serde_json::Value,
    }
    let row: Option<Row> = tx
        .one(
            "SELECT job_id, kind, reason, created_at, log_snapshot FROM task_snapshots \
              WHERE workspace_id = $1 AND task_id = $2",
            [tx.workspace_id().into(), id.into()],
        )
        .await?;
    row.map(|r| {
        Ok(SnapshotRecord {
            task_id: id,
            meta: r.meta.try_into()?,
            log_snapshot: r.log_snapshot,
        })
    })
    .transpose()
}

/// The snapshot's description without its content, if the task has one.
pub async fn snapshot_meta(tx: &WorkspaceTx, id: Uuid) -> Result<Option<SnapshotMeta>, StoreError> {
    let row: Option<SnapshotMetaRow> = tx
        .one(
            "SELECT job_id, kind, reason, created_at FROM task_snapshots \
              WHERE workspace_id = $1 AND task_id = $2",
            [tx.workspace_id().into(), id.into()],
        )
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// Stores the snapshot a job handed back for its task, replacing the previous one.
pub(crate) async fn put_snapshot(
    tx: &WorkspaceTx,
    task: &TaskRecord,
    job_id: Uuid,
    log_snapshot: serde_json::Value,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO task_snapshots (workspace_id, task_id, job_id, kind, reason, log_snapshot) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (workspace_id, task_id) DO UPDATE SET job_id = EXCLUDED.job_id, \
             kind = EXCLUDED.kind, reason = EXCLUDED.reason, log_snapshot = EXCLUDED.log_snapshot, \
             created_at = now()",
        [
            tx.workspace_id().into(),
            task.id.into(),
            job_id.into(),
            task.pause_kind.unwrap_or(PauseKind::Manual).as_str().into(),
            task.pause_reason.clone().into(),
            log_snapshot.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Up to `limit` of a task's events with `seq > after_seq`, in seq order.
pub async fn events(
    tx: &WorkspaceTx,
    id: Uuid,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<TaskEventRecord>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        task_id: Uuid,
        seq: i64,
        #[sea_orm(alias = "type")]
        event_type: String,
        actor: String,
        payload: serde_json::Value,
        created_at: Timestamp,
    }
    let rows: Vec<Row> = tx
        .all(
            "SELECT id, task_id, seq, type, actor, payload, created_at FROM task_events \
              WHERE workspace_id = $1 AND task_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
            [
                tx.workspace_id().into(),
                id.into(),
                after_seq.into(),
                (limit as i64).into(),
            ],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| TaskEventRecord {
            id: r.id,
            task_id: r.task_id,
            seq: r.seq,
            event_type: r.event_type,
            actor: r.actor,
            payload: r.payload,
            created_at: r.created_at,
        })
        .collect())
}

/// Admits new jobs into their tasks: each named task must exist here and be open. The
/// tasks are locked against a concurrent pause until this transaction ends and count
/// as active. Returns the tasks whose new jobs must start `PAUSED` (paused or pausing).
pub(crate) async fn admit_jobs(
    tx: &WorkspaceTx,
    task_ids: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    if task_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids = task_ids.to_vec();
    ids.sort();
    ids.dedup();
    #[derive(FromQueryResult)]
    struct Row {
        id: Uuid,
        status: String,
        pausing: bool,
    }
    let rows: Vec<Row> = tx
        .all(
            "UPDATE agent_tasks SET last_activity_at = now() \
              WHERE workspace_id = $1 AND id = ANY($2) \
             RETURNING id, status, pause_requested_at IS NOT NULL AS pausing",
            [tx.workspace_id().into(), ids.clone().into()],
        )
        .await?;
    let found: HashMap<Uuid, (TaskStatus, bool)> = rows
        .into_iter()
        .map(|r| {
            let status =
                TaskStatus::parse(&r.status).ok_or_else(|| corrupt("task status", &r.status))?;
            Ok((r.id, (status, r.pausing)))
        })
        .collect::<Result<_, StoreError>>()?;
    let mut held = Vec::new();
    for id in ids {
        match found.get(&id) {
            None => {
                return Err(StoreError::UnknownReference {
                    field: "agent_task_id",
                });
            }
            Some((status, _)) if status.is_terminal() => {
                return Err(StoreError::TaskClosed { status: *status });
            }
            Some((TaskStatus::Paused, _)) | Some((_, true)) => held.push(id),
            Some(_) => {}
        }
    }
    Ok(held)
}
