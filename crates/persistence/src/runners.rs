//! Runners of a workspace: register (the token is shown once), list, revoke.

use rand::distr::{Alphanumeric, SampleString};
use runyard_domain::{Labels, RunnerToken};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::{RunnerRecord, StoreError, Timestamp, WorkspaceTx};

#[derive(FromQueryResult)]
struct RunnerRow {
    id: Uuid,
    name: String,
    labels: Vec<String>,
    created_by: String,
    created_at: Timestamp,
    last_seen_at: Option<Timestamp>,
    revoked_at: Option<Timestamp>,
}

impl From<RunnerRow> for RunnerRecord {
    fn from(r: RunnerRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            labels: r.labels,
            created_by: r.created_by,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            revoked_at: r.revoked_at,
        }
    }
}

const COLUMNS: &str = "id, name, labels, created_by, created_at, last_seen_at, revoked_at";

/// Registers a runner and returns it with its token; only the token's hash is stored.
pub async fn register(
    tx: &WorkspaceTx,
    name: &str,
    labels: &Labels,
) -> Result<(RunnerRecord, String), StoreError> {
    let id = Uuid::now_v7();
    let secret = Alphanumeric.sample_string(&mut rand::rng(), 48);
    let token = RunnerToken::new(tx.workspace_id(), id, secret);
    let row: RunnerRow = tx
        .one(
            &format!(
                "INSERT INTO runners (workspace_id, id, name, labels, token_hash, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
            ),
            [
                tx.workspace_id().into(),
                id.into(),
                name.into(),
                labels.as_slice().to_vec().into(),
                token.secret_hash().into(),
                tx.actor().into(),
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.into(), token.expose()))
}

/// Every runner of the workspace, oldest first (revoked ones too).
pub async fn list(
    tx: &WorkspaceTx,
    after: Option<Uuid>,
    limit: u64,
) -> Result<(Vec<RunnerRecord>, Option<Uuid>), StoreError> {
    let mut rows: Vec<RunnerRow> = tx
        .all(
            &format!(
                "SELECT {COLUMNS} FROM runners WHERE workspace_id = $1 AND ($2::uuid IS NULL OR id > $2) \
                  ORDER BY id LIMIT $3"
            ),
            [tx.workspace_id().into(), after.into(), ((limit + 1) as i64).into()],
        )
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let records: Vec<RunnerRecord> = rows.into_iter().map(Into::into).collect();
    let next = if more {
        records.last().map(|r| r.id)
    } else {
        None
    };
    Ok((records, next))
}

/// Revokes a runner: its token stops working on its next request. Idempotent.
pub async fn revoke(tx: &WorkspaceTx, id: Uuid) -> Result<RunnerRecord, StoreError> {
    let row: Option<RunnerRow> = tx
        .one(
            &format!(
                "UPDATE runners SET revoked_at = coalesce(revoked_at, now()) \
                  WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}"
            ),
            [tx.workspace_id().into(), id.into()],
        )
        .await?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
