//! Reading a job's artifacts.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::*;
use crate::{ArtifactRecord, StoreError, WorkspaceTx};

/// A page of a job's artifacts by name, after the name `after`.
pub async fn artifacts(
    tx: &WorkspaceTx,
    job_id: Uuid,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<ArtifactRecord>, Option<String>), StoreError> {
    let mut rows: Vec<ArtifactRow> = tx
        .all(
            &format!(
                "SELECT {ARTIFACT_COLUMNS} FROM job_artifacts \
              WHERE workspace_id = $1 AND job_id = $2 AND ($3::text IS NULL OR name > $3) \
              ORDER BY name LIMIT $4"
            ),
            [
                tx.workspace_id().into(),
                job_id.into(),
                after.map(str::to_owned).into(),
                ((limit + 1) as i64).into(),
            ],
        )
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let records: Vec<ArtifactRecord> = rows.into_iter().map(Into::into).collect();
    let next = if more {
        records.last().map(|a| a.name.clone())
    } else {
        None
    };
    Ok((records, next))
}

/// One artifact with its content.
pub async fn artifact(
    tx: &WorkspaceTx,
    job_id: Uuid,
    name: &str,
) -> Result<(ArtifactRecord, Vec<u8>), StoreError> {
    #[derive(FromQueryResult)]
    struct Row {
        #[sea_orm(nested)]
        meta: ArtifactRow,
        content: Vec<u8>,
    }
    let row: Row = tx
        .one(
            &format!(
                "SELECT {ARTIFACT_COLUMNS}, content FROM job_artifacts \
              WHERE workspace_id = $1 AND job_id = $2 AND name = $3"
            ),
            [tx.workspace_id().into(), job_id.into(), name.into()],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((row.meta.into(), row.content))
}

/// Deletes one artifact of the job (content and record). `NotFound` when there is none.
pub async fn delete_artifact(tx: &WorkspaceTx, job_id: Uuid, name: &str) -> Result<(), StoreError> {
    let deleted = tx
        .execute(
            "DELETE FROM job_artifacts WHERE workspace_id = $1 AND job_id = $2 AND name = $3",
            [tx.workspace_id().into(), job_id.into(), name.into()],
        )
        .await?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
