//! Workspace membership: who belongs, with which role.

use runyard_domain::Role;
use sea_orm::FromQueryResult;

use crate::error::violated_constraint;
use crate::{MemberRecord, StoreError, Timestamp, WorkspaceTx};

#[derive(FromQueryResult)]
struct MemberRow {
    subject: String,
    role: String,
    created_at: Timestamp,
}

impl TryFrom<MemberRow> for MemberRecord {
    type Error = StoreError;

    fn try_from(r: MemberRow) -> Result<Self, StoreError> {
        let role = Role::parse(&r.role)
            .ok_or_else(|| sea_orm::DbErr::Custom(format!("unknown role {:?}", r.role)))?;
        Ok(Self {
            subject: r.subject,
            role,
            created_at: r.created_at,
        })
    }
}

/// A page of the members of the entered workspace, by subject, after `after`.
pub async fn list(
    tx: &WorkspaceTx,
    after: Option<&str>,
    limit: u64,
) -> Result<(Vec<MemberRecord>, Option<String>), StoreError> {
    let mut rows: Vec<MemberRow> = tx
        .all(
            "SELECT subject, role, created_at FROM workspace_members \
              WHERE workspace_id = $1 AND ($2::text IS NULL OR subject > $2) \
              ORDER BY subject LIMIT $3",
            [
                tx.workspace_id().into(),
                after.map(str::to_owned).into(),
                ((limit + 1) as i64).into(),
            ],
        )
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let records: Vec<MemberRecord> = rows
        .into_iter()
        .map(TryInto::try_into)
        .collect::<Result<_, _>>()?;
    let next = if more {
        records.last().map(|m| m.subject.clone())
    } else {
        None
    };
    Ok((records, next))
}

/// Adds `subject` with `role`; [`StoreError::AlreadyMember`] if it is one already.
pub async fn add(tx: &WorkspaceTx, subject: &str, role: Role) -> Result<MemberRecord, StoreError> {
    let row: Option<MemberRow> = tx
        .one(
            "INSERT INTO workspace_members (workspace_id, subject, role) VALUES ($1, $2, $3) \
             RETURNING subject, role, created_at",
            [
                tx.workspace_id().into(),
                subject.into(),
                role.as_str().into(),
            ],
        )
        .await
        .map_err(|e| match e {
            StoreError::Database(ref db)
                if violated_constraint(db).as_deref() == Some("workspace_members_pkey") =>
            {
                StoreError::AlreadyMember
            }
            other => other,
        })?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// The role of `subject`, if a member.
pub async fn role_of(tx: &WorkspaceTx, subject: &str) -> Result<Option<Role>, StoreError> {
    let row: Option<MemberRow> = tx
        .one(
            "SELECT subject, role, created_at FROM workspace_members \
              WHERE workspace_id = $1 AND subject = $2",
            [tx.workspace_id().into(), subject.into()],
        )
        .await?;
    Ok(row.map(MemberRecord::try_from).transpose()?.map(|m| m.role))
}

/// Removes `subject`. The last owner cannot be removed ([`StoreError::LastOwner`]).
pub async fn remove(tx: &WorkspaceTx, subject: &str) -> Result<(), StoreError> {
    // Lock the workspace row so two concurrent removals cannot both leave it ownerless.
    tx.execute(
        "SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE",
        [tx.workspace_id().into()],
    )
    .await?;
    let removed: Option<MemberRow> = tx
        .one(
            "DELETE FROM workspace_members WHERE workspace_id = $1 AND subject = $2 \
             RETURNING subject, role, created_at",
            [tx.workspace_id().into(), subject.into()],
        )
        .await?;
    let removed = MemberRecord::try_from(removed.ok_or(StoreError::NotFound)?)?;
    if removed.role == Role::Owner {
        #[derive(FromQueryResult)]
        struct Count {
            owners: i64,
        }
        let count: Option<Count> = tx
            .one(
                "SELECT count(*) AS owners FROM workspace_members \
                  WHERE workspace_id = $1 AND role = 'owner'",
                [tx.workspace_id().into()],
            )
            .await?;
        if count.map_or(0, |c| c.owners) == 0 {
            return Err(StoreError::LastOwner);
        }
    }
    Ok(())
}
