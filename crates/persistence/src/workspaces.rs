//! Workspaces: create one (its creator becomes owner) and read the entered one.

use runyard_domain::{Actor, Role, Slug, WorkspaceName, WorkspaceSettings};
use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::error::violated_constraint;
use crate::{Database, StoreError, Timestamp, WorkspaceRecord, WorkspaceTx};

#[derive(FromQueryResult)]
pub(crate) struct WorkspaceRow {
    id: Uuid,
    slug: String,
    name: String,
    settings: serde_json::Value,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl From<WorkspaceRow> for WorkspaceRecord {
    fn from(r: WorkspaceRow) -> Self {
        Self {
            id: r.id,
            slug: r.slug,
            name: r.name,
            settings: r.settings,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const COLUMNS: &str = "id, slug, name, settings, created_at, updated_at";

/// Creates a workspace with `subject` as its owner, in one transaction.
pub async fn create(
    db: &Database,
    subject: &str,
    actor: &Actor,
    slug: &Slug,
    name: &WorkspaceName,
) -> Result<WorkspaceRecord, StoreError> {
    let id = Uuid::now_v7();
    let tx = db.begin_creating(id, subject, actor).await?;
    let row: Option<WorkspaceRow> = tx
        .one(
            &format!(
                "INSERT INTO workspaces (id, slug, name) VALUES ($1, $2, $3) RETURNING {COLUMNS}"
            ),
            [id.into(), slug.as_str().into(), name.as_str().into()],
        )
        .await
        .map_err(|e| match e {
            StoreError::Database(ref db)
                if violated_constraint(db).as_deref() == Some("workspaces_slug_key") =>
            {
                StoreError::SlugTaken
            }
            other => other,
        })?;
    let row = row.ok_or(StoreError::NotFound)?;
    tx.execute(
        "INSERT INTO workspace_members (workspace_id, subject, role) VALUES ($1, $2, $3)",
        [id.into(), subject.into(), Role::Owner.as_str().into()],
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// The entered workspace.
pub async fn current(tx: &WorkspaceTx) -> Result<WorkspaceRecord, StoreError> {
    let row: Option<WorkspaceRow> = tx
        .one(
            &format!("SELECT {COLUMNS} FROM workspaces WHERE id = $1"),
            [tx.workspace_id().into()],
        )
        .await?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}

/// Renames the entered workspace and/or replaces its settings.
pub async fn update(
    tx: &WorkspaceTx,
    name: Option<&WorkspaceName>,
    settings: Option<WorkspaceSettings>,
) -> Result<WorkspaceRecord, StoreError> {
    let known: Vec<String> = [
        WorkspaceSettings::AUTO_PAUSE_AFTER_SECONDS,
        WorkspaceSettings::MAX_RUNNING_JOBS,
        WorkspaceSettings::MAX_QUEUED_JOBS,
        WorkspaceSettings::RETENTION_DAYS,
        WorkspaceSettings::REDACT_PATTERN,
        WorkspaceSettings::MAX_ARTIFACT_BYTES,
    ]
    .map(str::to_owned)
    .to_vec();
    let row: Option<WorkspaceRow> = tx
        .one(
            &format!(
                "UPDATE workspaces SET name = coalesce($2, name), \
                        settings = CASE WHEN $3::jsonb IS NULL THEN settings \
                                        ELSE (settings - $4::text[]) || $3::jsonb END, \
                        updated_at = now() \
                  WHERE id = $1 RETURNING {COLUMNS}"
            ),
            [
                tx.workspace_id().into(),
                name.map(|n| n.as_str().to_owned()).into(),
                settings.as_ref().map(WorkspaceSettings::to_json).into(),
                known.into(),
            ],
        )
        .await?;
    row.map(Into::into).ok_or(StoreError::NotFound)
}
