//! Reading a job's log entries.

use runyard_domain::LogLevel;
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::{LogRecord, StoreError, Timestamp, WorkspaceTx};

/// Which log lines a read wants; the default is all of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    /// Written at or after this time.
    pub since: Option<Timestamp>,
    /// Written before this time.
    pub until: Option<Timestamp>,
    /// At this level or above (a line without a level counts as `info`).
    pub min_level: Option<LogLevel>,
    /// Of this step.
    pub step_ordinal: Option<i32>,
}

/// Up to `limit` of a job's log entries with `seq > after_seq` that pass `filter`, in seq
/// order.
pub async fn logs(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after_seq: i64,
    limit: u64,
    filter: &LogFilter,
) -> Result<Vec<LogRecord>, StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        seq: i64,
        attempt: i32,
        stream: String,
        body: String,
        level: Option<String>,
        step_ordinal: Option<i32>,
        metadata: Option<serde_json::Value>,
        created_at: Timestamp,
    }
    let levels: Option<Vec<String>> = filter.min_level.map(|min| {
        min.at_least()
            .into_iter()
            .map(|l| l.as_str().to_owned())
            .collect()
    });
    let rows: Vec<Row> = tx
        .all(
            "SELECT seq, attempt, stream, body, level, step_ordinal, metadata, created_at \
               FROM job_logs \
              WHERE workspace_id = $1 AND job_id = $2 AND seq > $3 \
                AND ($5::timestamptz IS NULL OR created_at >= $5) \
                AND ($6::timestamptz IS NULL OR created_at < $6) \
                AND ($7::text[] IS NULL OR coalesce(level, 'info') = ANY($7)) \
                AND ($8::integer IS NULL OR step_ordinal = $8) \
              ORDER BY seq LIMIT $4",
            [
                tx.workspace_id().into(),
                job_id.into(),
                after_seq.into(),
                (limit as i64).into(),
                filter.since.into(),
                filter.until.into(),
                levels.into(),
                filter.step_ordinal.into(),
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
            level: r.level,
            step_ordinal: r.step_ordinal,
            metadata: r.metadata,
            created_at: r.created_at,
        })
        .collect())
}
