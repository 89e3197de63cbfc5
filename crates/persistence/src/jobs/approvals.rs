//! Approval gates: approve or reject a job that waits for a decision.

use runyard_domain::{FailureKind, JobStatus, StepStatus, StepType, event_type};
use uuid::Uuid;

use super::control::{change, lock};
use crate::transition::{Change, Echo, Event, Fence, Set, Stamp};
use crate::{JobRecord, StoreError, WorkspaceTx};

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
