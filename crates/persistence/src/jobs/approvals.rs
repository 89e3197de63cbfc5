//! Approval gates: approve or reject a job that waits for a decision.

use runyard_domain::{FailureKind, JobStatus, StepStatus, StepType, event_type};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::control::{change, lock};
use crate::transition::{ApprovalClock, Change, Echo, Event, Fence, Set, Stamp};
use crate::{JobRecord, StoreError, Timestamp, WorkspaceTx};

/// One approval decision on a job.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ApprovalRecord {
    pub id: Uuid,
    /// The gate step it answered; none for a job created with `requires_approval`.
    pub step_id: Option<Uuid>,
    pub step_ordinal: Option<i32>,
    /// `approved` or `rejected`.
    pub decision: String,
    /// `user:<sub>`, or `system` when its `approval_timeout_seconds` passed.
    pub decided_by: String,
    pub comment: Option<String>,
    pub decided_at: Timestamp,
}

/// The job's approval decisions, oldest first.
pub async fn approvals(tx: &WorkspaceTx, job_id: Uuid) -> Result<Vec<ApprovalRecord>, StoreError> {
    tx.all(
        "SELECT a.id, a.step_id, s.ordinal AS step_ordinal, a.decision, a.decided_by, a.comment, \
                a.decided_at \
           FROM job_approvals a \
           LEFT JOIN job_steps s ON s.workspace_id = a.workspace_id AND s.id = a.step_id \
          WHERE a.workspace_id = $1 AND a.job_id = $2 \
          ORDER BY a.decided_at, a.id",
        [tx.workspace_id().into(), job_id.into()],
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
            approval_clock: Some(ApprovalClock::Stop),
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
            approval_clock: Some(ApprovalClock::Stop),
            finished_at: Some(Stamp::Now),
            failure_kind: Some(Some(FailureKind::Rejected)),
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
    record(tx, id, step_status, approved, comment).await?;
    change(tx, next).await
}

/// What the system writes as the comment of a rejection by timeout.
pub const TIMEOUT_COMMENT: &str = "approval timed out: no decision within approval_timeout_seconds";

/// Rejects, as the transaction's actor (the system), a job whose approval wait passed
/// its deadline: the job becomes `FAILED` (`approval_timeout`), a gate step waiting on it
/// fails, and the rejection is recorded. `None` when the job no longer waits or was
/// decided in the meantime.
pub(crate) async fn time_out(tx: &WorkspaceTx, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
    let job = lock(tx, id).await?;
    if job.status != JobStatus::Pending || !job.requires_approval || !job.approval_overdue {
        return Ok(None);
    }
    let reason = FailureKind::ApprovalTimeout.as_str();
    let next = Change::new(
        id,
        job.status,
        JobStatus::Failed,
        Fence::Status,
        Set {
            requires_approval: Some(false),
            approval_clock: Some(ApprovalClock::Stop),
            finished_at: Some(Stamp::Now),
            failure_kind: Some(Some(FailureKind::ApprovalTimeout)),
            error: Some(Some(serde_json::json!({"reason": reason}))),
            ..Set::default()
        },
        Event::new(
            event_type::FAILED,
            serde_json::json!({"reason": reason, "by": tx.actor(), "comment": TIMEOUT_COMMENT}),
            Echo::STATUS,
        ),
    )?;
    record(tx, id, StepStatus::Failed, false, Some(TIMEOUT_COMMENT)).await?;
    change(tx, next).await.map(Some)
}

/// Decides the job's waiting gate step (if any) and records the decision against it,
/// by the transaction's actor.
async fn record(
    tx: &WorkspaceTx,
    id: Uuid,
    step_status: StepStatus,
    approved: bool,
    comment: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "WITH gate AS ( \
           UPDATE job_steps SET status = $3, completed_at = now(), updated_at = now() \
            WHERE workspace_id = $1 AND job_id = $2 AND type = $4 AND status = $5 \
           RETURNING id \
         ) \
         INSERT INTO job_approvals (workspace_id, id, job_id, step_id, decision, decided_by, comment) \
         SELECT $1, $6, $2, (SELECT id FROM gate LIMIT 1), $7, $8, $9",
        [
            tx.workspace_id().into(),
            id.into(),
            step_status.as_str().into(),
            StepType::Gate.as_str().into(),
            StepStatus::Waiting.as_str().into(),
            Uuid::now_v7().into(),
            if approved { "approved" } else { "rejected" }.into(),
            tx.actor().into(),
            comment.map(str::to_owned).into(),
        ],
    )
    .await?;
    Ok(())
}
