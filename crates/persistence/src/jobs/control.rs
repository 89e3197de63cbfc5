//! A user's state changes of one job: cancel and retry.

use runyard_domain::{FailureKind, JobStatus, event_type};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::*;
use crate::transition::{
    self, Attempt, CancelNote, Change, Echo, Event, Fence, Lease, Set, Stamp, Suspension,
};
use crate::{JobRecord, StoreError, WorkspaceTx};

/// The job's row, locked for this transaction: its status and whether it waits for an
/// approval and for its `run_after`.
pub(super) struct Locked {
    pub status: JobStatus,
    pub requires_approval: bool,
    pub not_yet_due: bool,
    pub cancel_requested: bool,
    /// Its approval wait's deadline passed.
    pub approval_overdue: bool,
}

pub(super) async fn lock(tx: &WorkspaceTx, id: Uuid) -> Result<Locked, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        status: String,
        requires_approval: bool,
        not_yet_due: bool,
        cancel_requested: bool,
        approval_overdue: bool,
    }
    let row: Row = tx
        .one(
            "SELECT status, requires_approval, run_after > now() AS not_yet_due, \
                    cancel_requested_at IS NOT NULL AS cancel_requested, \
                    coalesce(approval_deadline <= now(), false) AS approval_overdue \
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
        approval_overdue: row.approval_overdue,
    })
}

/// Applies a change to a job this transaction locked.
pub(super) async fn change(tx: &WorkspaceTx, change: Change) -> Result<JobRecord, StoreError> {
    transition::apply_one(tx, change)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

/// Cancels a job, recording who asked (the transaction's actor) and `reason`. One that
/// has not started (or is suspended) is `CANCELLED` at once; a running one is asked to
/// stop (`cancel_requested_at`), which its runner sees on its next heartbeat. A finished
/// job cannot be cancelled.
pub async fn cancel(
    tx: &WorkspaceTx,
    id: Uuid,
    reason: Option<&str>,
) -> Result<JobRecord, StoreError> {
    let job = lock(tx, id).await?;
    let status = job.status;
    status.transition(JobStatus::Cancelled)?;
    let note = CancelNote {
        by: tx.actor().to_owned(),
        reason: reason.map(str::to_owned),
    };
    let payload = match reason {
        Some(reason) => serde_json::json!({ "reason": reason }),
        None => serde_json::json!({}),
    };
    if status == JobStatus::Running {
        if job.cancel_requested {
            return get(tx, id).await;
        }
        return change(tx, cancel_request(id, note, payload)).await;
    }
    change(tx, cancel_now(id, status, note, payload)?).await
}

/// A job that does not run becomes `CANCELLED` at once.
pub(crate) fn cancel_now(
    id: Uuid,
    from: JobStatus,
    note: CancelNote,
    payload: serde_json::Value,
) -> Result<Change, StoreError> {
    let mut payload = payload;
    payload["from"] = from.as_str().into();
    Change::new(
        id,
        from,
        JobStatus::Cancelled,
        Fence::Status,
        Set {
            finished_at: Some(Stamp::Now),
            lease: Some(Lease::Drop),
            failure_kind: Some(Some(FailureKind::Cancelled)),
            cancel: Some(Some(note)),
            suspension: (from == JobStatus::Suspended).then_some(Suspension::Leave),
            ..Set::default()
        },
        Event::new(event_type::CANCELLED, payload, Echo::STATUS),
    )
}

/// Asks a running job to stop, noting who asked and why; its runner sees it on its next
/// heartbeat.
pub(crate) fn cancel_request(id: Uuid, note: CancelNote, payload: serde_json::Value) -> Change {
    Change::keep(
        id,
        JobStatus::Running,
        Fence::Status,
        Set {
            cancel_requested_at: Some(Stamp::Now),
            cancel: Some(Some(note)),
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
                failure_kind: Some(None),
                cancel: Some(None),
                suspension: Some(Suspension::Reset),
                resumed_at: Some(Stamp::Clear),
                resume_state: Some(None),
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

/// Wakes a `SUSPENDED` job before its poll time: it is `QUEUED` at once, keeping the
/// state its runner handed back. `why` goes into the `job_woken` event.
pub async fn wake(
    tx: &WorkspaceTx,
    id: Uuid,
    why: serde_json::Value,
) -> Result<JobRecord, StoreError> {
    let status = lock(tx, id).await?.status;
    if status != JobStatus::Suspended {
        return Err(StoreError::NotSuspended { status });
    }
    change(tx, woken(id, why)?).await
}

/// The change that re-queues a suspended job (woken by a user, a command or its poll time).
pub(crate) fn woken(id: Uuid, why: serde_json::Value) -> Result<Change, StoreError> {
    Change::new(
        id,
        JobStatus::Suspended,
        JobStatus::Queued,
        Fence::Status,
        Set {
            run_after_in: Some(0.0),
            suspension: Some(Suspension::Leave),
            ..Set::default()
        },
        Event::new(event_type::WOKEN, why, Echo::STATUS_ATTEMPT),
    )
}

/// The change that fails a suspended job whose `max_wait_until` passed.
pub(crate) fn suspend_timed_out(id: Uuid) -> Result<Change, StoreError> {
    Change::new(
        id,
        JobStatus::Suspended,
        JobStatus::Failed,
        Fence::Status,
        Set {
            finished_at: Some(Stamp::Now),
            suspension: Some(Suspension::Leave),
            failure_kind: Some(Some(FailureKind::SuspendTimeout)),
            error: Some(Some(serde_json::json!({"reason": "suspend_timeout"}))),
            ..Set::default()
        },
        Event::new(
            event_type::FAILED,
            serde_json::json!({"reason": "suspend_timeout"}),
            Echo::STATUS_ATTEMPT,
        ),
    )
}
