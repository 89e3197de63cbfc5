//! Workspaces: create, list, read, update, and their members.

use std::sync::Arc;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use runyard_domain::{Role, Slug, ValidationError, WorkspaceName, WorkspaceSettings};
use runyard_persistence::{members, workspaces};

use super::paging::List;
use super::{Result, Tag, UserToken, caller, location};
use crate::dto;
use crate::error::ApiError;
use crate::state::AppState;

pub struct WorkspacesApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
enum WorkspaceCreated {
    /// Created; the caller is its owner.
    #[oai(status = 201)]
    Created(
        Json<dto::Workspace>,
        /// Where the created resource is.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
enum MemberAdded {
    /// Added.
    #[oai(status = 201)]
    Created(
        Json<dto::Member>,
        /// Where the created resource is.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
enum MemberRemoved {
    #[oai(status = 204)]
    Removed,
}

#[OpenApi(tag = "Tag::Workspaces")]
impl WorkspacesApi {
    /// Create a workspace. The caller becomes its owner.
    #[oai(
        path = "/v1/workspaces",
        method = "post",
        operation_id = "createWorkspace"
    )]
    async fn create_workspace(
        &self,
        token: UserToken,
        body: Json<dto::CreateWorkspace>,
    ) -> Result<WorkspaceCreated> {
        let caller = caller(&self.state, &token)?;
        let slug = Slug::parse(&body.slug).map_err(ApiError::invalid)?;
        let name = WorkspaceName::parse(&body.name).map_err(ApiError::invalid)?;
        let ws = workspaces::create(&self.state.db, &caller.subject, &caller.actor, &slug, &name)
            .await
            .map_err(|e| ApiError::from_store(e, "workspace"))?;
        let location = location(&["v1", "workspaces", &ws.id.to_string()]);
        Ok(WorkspaceCreated::Created(
            Json(dto::Workspace::new(ws, Role::Owner)),
            location,
        ))
    }

    /// The workspaces the caller is a member of.
    #[oai(
        path = "/v1/workspaces",
        method = "get",
        operation_id = "listWorkspaces"
    )]
    async fn list_workspaces(&self, token: UserToken) -> Result<Json<dto::WorkspaceList>> {
        let caller = caller(&self.state, &token)?;
        let items = self
            .state
            .db
            .workspaces_of(&caller.subject)
            .await?
            .into_iter()
            .map(|(w, role)| dto::Workspace::new(w, role))
            .collect();
        Ok(Json(dto::WorkspaceList {
            items,
            next_cursor: None,
        }))
    }

    /// One workspace, by id or slug.
    #[oai(
        path = "/v1/workspaces/:ws",
        method = "get",
        operation_id = "getWorkspace"
    )]
    async fn get_workspace(
        &self,
        token: UserToken,
        ws: Path<String>,
    ) -> Result<Json<dto::Workspace>> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let record = workspaces::current(&tx).await?;
        let role = tx.role();
        tx.commit().await?;
        Ok(Json(dto::Workspace::new(record, role)))
    }

    /// Rename a workspace or change its settings (admin): quotas (`max_running_jobs`,
    /// `max_queued_jobs`, `max_artifact_bytes`), `auto_pause_after_seconds`, `retention_days` and
    /// `redact_pattern` (422 when it is not a usable regular expression). In `settings`,
    /// a value sets, `null` clears (no limit / off), an absent key keeps.
    #[oai(
        path = "/v1/workspaces/:ws",
        method = "patch",
        operation_id = "updateWorkspace"
    )]
    async fn update_workspace(
        &self,
        token: UserToken,
        ws: Path<String>,
        body: Json<dto::UpdateWorkspace>,
    ) -> Result<Json<dto::Workspace>> {
        let caller = caller(&self.state, &token)?;
        let body = body.0;
        let name = body
            .name
            .as_deref()
            .map(WorkspaceName::parse)
            .transpose()
            .map_err(ApiError::invalid)?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        let settings = body
            .settings
            .map(|patch| apply_settings(tx.settings().clone(), patch))
            .transpose()
            .map_err(ApiError::invalid)?;
        let record = workspaces::update(&tx, name.as_ref(), settings).await?;
        let role = tx.role();
        tx.commit().await?;
        Ok(Json(dto::Workspace::new(record, role)))
    }

    /// The workspace's members (admin).
    #[oai(
        path = "/v1/workspaces/:ws/members",
        method = "get",
        operation_id = "listMembers"
    )]
    async fn list_members(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–500 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::MemberList>> {
        let caller = caller(&self.state, &token)?;
        let after = cursor
            .0
            .as_deref()
            .map(|c| List::Members.decode_key(c))
            .transpose()?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        let (page, next) =
            members::list(&tx, after.as_deref(), u64::from(limit.0.unwrap_or(100))).await?;
        tx.commit().await?;
        Ok(Json(dto::MemberList {
            items: page.into_iter().map(Into::into).collect(),
            next_cursor: next.as_deref().map(|k| List::Members.encode_key(k)),
        }))
    }

    /// Add a member (admin; only an owner may add an owner).
    #[oai(
        path = "/v1/workspaces/:ws/members",
        method = "post",
        operation_id = "addMember"
    )]
    async fn add_member(
        &self,
        token: UserToken,
        ws: Path<String>,
        body: Json<dto::AddMember>,
    ) -> Result<MemberAdded> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        let subject = body.subject.trim();
        if subject.is_empty() || subject.len() > 255 {
            return Err(ApiError::invalid_field(
                "subject",
                "must be 1 to 255 characters",
            ));
        }
        let role: Role = body.role.into();
        if role == Role::Owner && tx.role() != Role::Owner {
            return Err(ApiError::forbidden("only an owner may add another owner"));
        }
        let member = members::add(&tx, subject, role)
            .await
            .map_err(|e| ApiError::from_store(e, "member"))?;
        let location = location(&[
            "v1",
            "workspaces",
            &tx.workspace_id().to_string(),
            "members",
            &member.subject,
        ]);
        tx.commit().await?;
        Ok(MemberAdded::Created(Json(member.into()), location))
    }

    /// Remove a member (admin; only an owner may remove an owner; the last owner stays).
    #[oai(
        path = "/v1/workspaces/:ws/members/:subject",
        method = "delete",
        operation_id = "removeMember"
    )]
    async fn remove_member(
        &self,
        token: UserToken,
        ws: Path<String>,
        subject: Path<String>,
    ) -> Result<MemberRemoved> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        let target = members::role_of(&tx, &subject)
            .await?
            .ok_or_else(|| ApiError::not_found("member"))?;
        if target == Role::Owner && tx.role() != Role::Owner {
            return Err(ApiError::forbidden("only an owner may remove an owner"));
        }
        members::remove(&tx, &subject)
            .await
            .map_err(|e| ApiError::from_store(e, "member"))?;
        tx.commit().await?;
        Ok(MemberRemoved::Removed)
    }
}

/// Applies a settings patch: a value sets (once checked), `null` clears, absent keeps.
fn apply_settings(
    current: WorkspaceSettings,
    patch: dto::WorkspaceSettingsPatch,
) -> std::result::Result<WorkspaceSettings, ValidationError> {
    use poem_openapi::types::MaybeUndefined;
    let merge = |key: &'static str, now: Option<i64>, change: MaybeUndefined<i64>| match change {
        MaybeUndefined::Undefined => Ok(now),
        MaybeUndefined::Null => Ok(None),
        MaybeUndefined::Value(v) => WorkspaceSettings::check(key, v).map(Some),
    };
    Ok(WorkspaceSettings {
        auto_pause_after_seconds: merge(
            WorkspaceSettings::AUTO_PAUSE_AFTER_SECONDS,
            current.auto_pause_after_seconds,
            patch.auto_pause_after_seconds,
        )?,
        max_running_jobs: merge(
            WorkspaceSettings::MAX_RUNNING_JOBS,
            current.max_running_jobs,
            patch.max_running_jobs,
        )?,
        max_queued_jobs: merge(
            WorkspaceSettings::MAX_QUEUED_JOBS,
            current.max_queued_jobs,
            patch.max_queued_jobs,
        )?,
        retention_days: merge(
            WorkspaceSettings::RETENTION_DAYS,
            current.retention_days,
            patch.retention_days,
        )?,
        max_artifact_bytes: merge(
            WorkspaceSettings::MAX_ARTIFACT_BYTES,
            current.max_artifact_bytes,
            patch.max_artifact_bytes,
        )?,
        redact_pattern: match patch.redact_pattern {
            MaybeUndefined::Undefined => current.redact_pattern,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(pattern) => {
                runyard_domain::Redactor::parse(&pattern)?;
                Some(pattern.0)
            }
        },
    })
}
