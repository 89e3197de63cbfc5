//! Commands sent to a job by its users: appended in a gap-free `seq` per job (taken
//! under the job's row lock), listed with their delivery status. The runner's side
//! (delivery and acknowledgement) is in `queue`.

use runyard_domain::{CommandStatus, JobStatus, event_type};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::control::{change, lock, woken};
use crate::transition::{self, Change, Echo, Event, Fence, Set};
use crate::{CommandRecord, StoreError, Timestamp, WorkspaceTx};

/// The columns read into a [`CommandRecord`], from `job_commands c` joined to its job
/// `j`: an unacknowledged command of a finished job reads as `expired`.
pub(crate) const COMMAND_COLUMNS: &str = "c.job_id, c.seq, c.type, c.payload, \
    CASE WHEN c.status <> 'acked' AND j.status IN ('COMPLETED', 'FAILED', 'CANCELLED') \
         THEN 'expired' ELSE c.status END AS status, \
    c.created_by, c.created_at, c.delivered_attempt, c.delivered_at, c.acked_attempt, \
    c.acked_at, c.result";

#[derive(FromQueryResult)]
pub(crate) struct CommandRow {
    job_id: Uuid,
    seq: i64,
    #[sea_orm(alias = "type")]
    command_type: String,
    payload: serde_json::Value,
    status: String,
    created_by: String,
    created_at: Timestamp,
    delivered_attempt: Option<i32>,
    delivered_at: Option<Timestamp>,
    acked_attempt: Option<i32>,
    acked_at: Option<Timestamp>,
    result: Option<serde_json::Value>,
}

impl TryFrom<CommandRow> for CommandRecord {
    type Error = StoreError;

    fn try_from(r: CommandRow) -> Result<Self, StoreError> {
        let status = CommandStatus::parse(&r.status).ok_or_else(|| {
            sea_orm::DbErr::Custom(format!("unknown command status {:?}", r.status))
        })?;
        Ok(Self {
            job_id: r.job_id,
            seq: r.seq,
            command_type: r.command_type,
            payload: r.payload,
            status,
            created_by: r.created_by,
            created_at: r.created_at,
            delivered_attempt: r.delivered_attempt,
            delivered_at: r.delivered_at,
            acked_attempt: r.acked_attempt,
            acked_at: r.acked_at,
            result: r.result,
        })
    }
}

/// Appends a command to job `job_id` (the next `seq`), recording a `job_command_sent`
/// event. A `SUSPENDED` job is woken by it (`QUEUED` at once); a finished job takes no
/// commands ([`StoreError::JobFinished`]).
pub async fn send(
    tx: &WorkspaceTx,
    job_id: Uuid,
    command_type: &str,
    payload: serde_json::Value,
) -> Result<CommandRecord, StoreError> {
    let status = lock(tx, job_id).await?.status;
    if status.is_terminal() {
        return Err(StoreError::JobFinished { status });
    }
    // The job row is locked: the next seq is ours alone.
    let row: CommandRow = tx
        .one(
            &format!(
                "WITH c AS ( \
                   INSERT INTO job_commands (workspace_id, job_id, seq, type, payload, created_by) \
                   SELECT $1, $2, coalesce(max(seq), 0) + 1, $3, $4, $5 FROM job_commands \
                    WHERE workspace_id = $1 AND job_id = $2 \
                   RETURNING * \
                 ) \
                 SELECT {COMMAND_COLUMNS} FROM c \
                   JOIN runner_jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id"
            ),
            [
                tx.workspace_id().into(),
                job_id.into(),
                command_type.into(),
                payload.into(),
                tx.actor().into(),
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let record: CommandRecord = row.try_into()?;
    let noted = serde_json::json!({"seq": record.seq, "type": record.command_type});
    transition::apply_one(
        tx,
        Change::keep(
            job_id,
            status,
            Fence::Status,
            Set::default(),
            Event::new(event_type::COMMAND_SENT, noted.clone(), Echo::NONE),
        ),
    )
    .await?;
    if status == JobStatus::Suspended {
        let mut why = noted;
        why["reason"] = "command".into();
        change(tx, woken(job_id, why)?).await?;
    }
    Ok(record)
}

/// Up to `limit` of the job's commands with `seq > after_seq`, in seq order.
pub async fn list(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after_seq: i64,
    limit: u64,
) -> Result<Vec<CommandRecord>, StoreError> {
    let rows: Vec<CommandRow> = tx
        .all(
            &format!(
                "SELECT {COMMAND_COLUMNS} FROM job_commands c \
                   JOIN runner_jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id \
                  WHERE c.workspace_id = $1 AND c.job_id = $2 AND c.seq > $3 \
                  ORDER BY c.seq LIMIT $4"
            ),
            [
                tx.workspace_id().into(),
                job_id.into(),
                after_seq.into(),
                (limit as i64).into(),
            ],
        )
        .await?;
    rows.into_iter().map(TryInto::try_into).collect()
}
