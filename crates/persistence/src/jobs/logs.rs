//! Reading a job's log entries.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::{LogRecord, StoreError, Timestamp, WorkspaceTx};

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
