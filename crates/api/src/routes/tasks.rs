//! Agent tasks: create, list, read, pause, resume, snapshot, complete, cancel.

use std::sync::Arc;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use runyard_domain::{PauseKind, Role, TaskStatus, TaskTitle, ValidationError};
use runyard_persistence::jobs::{self, JobFilter};
use runyard_persistence::{WorkspaceTx, tasks};
use uuid::Uuid;

use super::paging::{List, after_seq_or_cursor, comma_list, seq_cursor};
use super::{Result, Tag, UserToken, caller, location};
use crate::dto;
use crate::error::ApiError;
use crate::state::AppState;

pub struct TasksApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
enum TaskCreated {
    /// Created.
    #[oai(status = 201)]
    Created(
        Json<dto::AgentTask>,
        /// Where the created resource is.
        #[oai(header = "Location")]
        String,
    ),
}

fn store_err(e: runyard_persistence::StoreError) -> ApiError {
    ApiError::from_store(e, "agent task")
}

fn parse_statuses(raw: Option<&str>) -> std::result::Result<Vec<TaskStatus>, ValidationError> {
    comma_list(raw)
        .into_iter()
        .map(|s| {
            TaskStatus::parse(&s.to_ascii_lowercase()).ok_or_else(|| {
                ValidationError::new(
                    "status",
                    format!(
                        "unknown status {s:?}; expected one of active, paused, completed, failed, cancelled"
                    ),
                )
            })
        })
        .collect()
}

/// Metadata must be a JSON object, and not a huge one.
fn parse_metadata(raw: Option<serde_json::Value>) -> Result<serde_json::Value> {
    const MAX_METADATA_BYTES: usize = 64 * 1024;
    let value = raw.unwrap_or_else(|| serde_json::json!({}));
    if !value.is_object() {
        return Err(ApiError::invalid_field("metadata", "must be a JSON object"));
    }
    if value.to_string().len() > MAX_METADATA_BYTES {
        return Err(ApiError::invalid_field(
            "metadata",
            "must be at most 65536 bytes as JSON",
        ));
    }
    Ok(value)
}

impl TasksApi {
    async fn enter(&self, token: &UserToken, ws: &str, required: Role) -> Result<WorkspaceTx> {
        let caller = caller(&self.state, token)?;
        self.state.enter(&caller, ws, required).await
    }
}

#[OpenApi(tag = "Tag::Tasks")]
impl TasksApi {
    /// Create an agent task (member). Jobs join it with `agent_task_id`.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks",
        method = "post",
        operation_id = "createAgentTask"
    )]
    async fn create_task(
        &self,
        token: UserToken,
        ws: Path<String>,
        body: Json<dto::CreateTask>,
    ) -> Result<TaskCreated> {
        let title = TaskTitle::parse(&body.title).map_err(ApiError::invalid)?;
        let metadata = parse_metadata(body.0.metadata)?;
        let tx = self.enter(&token, &ws, Role::Member).await?;
        let task = tasks::create(&tx, &title, metadata)
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let task = dto::AgentTask::new(task, &redactor);
        let location = location(&[
            "v1",
            "workspaces",
            &task.workspace_id.to_string(),
            "agent-tasks",
            &task.id.to_string(),
        ]);
        Ok(TaskCreated::Created(Json(task), location))
    }

    /// List agent tasks, newest first (viewer).
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks",
        method = "get",
        operation_id = "listAgentTasks"
    )]
    async fn list_tasks(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// e.g. `paused` or `active,paused`.
        status: Query<Option<String>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::TaskList>> {
        let statuses = parse_statuses(status.0.as_deref()).map_err(ApiError::invalid)?;
        let after = cursor
            .0
            .as_deref()
            .map(|c| List::Tasks.decode_id(c))
            .transpose()?;
        let tx = self.enter(&token, &ws, Role::Viewer).await?;
        let (page, next) =
            tasks::list(&tx, &statuses, after, u64::from(limit.0.unwrap_or(50))).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::TaskList {
            items: page
                .into_iter()
                .map(|t| dto::AgentTask::new(t, &redactor))
                .collect(),
            next_cursor: next.map(|id| List::Tasks.encode_id(id)),
        }))
    }

    /// One agent task with its newest jobs and its snapshot's description (viewer).
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id",
        method = "get",
        operation_id = "getAgentTask"
    )]
    async fn get_task(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<dto::TaskDetail>> {
        let tx = self.enter(&token, &ws, Role::Viewer).await?;
        let task = tasks::get(&tx, *id).await.map_err(store_err)?;
        let filter = JobFilter {
            agent_task_id: Some(task.id),
            ..Default::default()
        };
        let (jobs, _) = jobs::list(&tx, &filter, None, 100).await?;
        let snapshot = tasks::snapshot_meta(&tx, task.id).await?;
        let usage = runyard_persistence::usage::task_usage(&tx, task.id).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::TaskDetail {
            task: dto::AgentTask::new(task, &redactor),
            jobs: jobs
                .into_iter()
                .map(|j| dto::Job::new(j, &redactor))
                .collect(),
            snapshot: snapshot.map(Into::into),
            usage: usage.into(),
        }))
    }

    /// A page of the task's own lifecycle events in `seq` order, after `after_seq`
    /// (viewer). Events of its jobs are on the jobs.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id/events",
        method = "get",
        operation_id = "listAgentTaskEvents"
    )]
    async fn list_task_events(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// Return events with a greater `seq` (default 0: from the start).
        #[oai(validator(minimum(value = "0")))]
        after_seq: Query<Option<i64>>,
        /// `next_cursor` of the previous page (the same as `after_seq`).
        cursor: Query<Option<String>>,
        /// Page size, 1–1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::TaskEventList>> {
        let after = after_seq_or_cursor(after_seq.0, cursor.0.as_deref())?;
        let tx = self.enter(&token, &ws, Role::Viewer).await?;
        tasks::get(&tx, *id).await.map_err(store_err)?;
        let limit = u64::from(limit.0.unwrap_or(100));
        let events = tasks::events(&tx, *id, after, limit).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        let next_cursor = seq_cursor(events.len(), limit, events.last().map(|e| e.seq));
        Ok(Json(dto::TaskEventList {
            items: events
                .into_iter()
                .map(|e| dto::TaskEvent::new(e, &redactor))
                .collect(),
            next_cursor,
        }))
    }

    /// Pause a task (member). Its queued and pending jobs are held at once; its running
    /// jobs are asked (on their next heartbeat) to hand back a snapshot, and the task is
    /// `paused` when none runs any more — at once if none did, keeping the previous
    /// snapshot. A runner that does not hand back within the server's grace period loses
    /// its lease and the task is paused all the same. Pausing a paused (or pausing) task
    /// is a no-op; a finished task gives 409.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id/pause",
        method = "post",
        operation_id = "pauseAgentTask"
    )]
    async fn pause_task(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        body: Json<dto::PauseTask>,
    ) -> Result<Json<dto::AgentTask>> {
        let reason = body.0.reason.map(|r| r.trim().to_owned());
        if reason.as_ref().is_some_and(|r| r.chars().count() > 1000) {
            return Err(ApiError::invalid_field(
                "reason",
                "must be at most 1000 characters",
            ));
        }
        let tx = self.enter(&token, &ws, Role::Member).await?;
        let task = tasks::pause(&tx, *id, PauseKind::Manual, reason.as_deref())
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::AgentTask::new(task, &redactor)))
    }

    /// Resume a paused task (member): its paused jobs go back to the queue and their next
    /// claims carry the task's snapshot as `resume_snapshot`. On a task still pausing,
    /// withdraws the pause. An active task gives 409.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id/resume",
        method = "post",
        operation_id = "resumeAgentTask"
    )]
    async fn resume_task(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<dto::AgentTask>> {
        let tx = self.enter(&token, &ws, Role::Member).await?;
        let task = tasks::resume(&tx, *id).await.map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::AgentTask::new(task, &redactor)))
    }

    /// The task's latest snapshot (viewer): what its last paused job handed back. Each
    /// pause overwrites it. 404 when the task has none.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id/snapshot",
        method = "get",
        operation_id = "getAgentTaskSnapshot"
    )]
    async fn get_snapshot(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<dto::TaskSnapshot>> {
        let tx = self.enter(&token, &ws, Role::Viewer).await?;
        tasks::get(&tx, *id).await.map_err(store_err)?;
        let snapshot = tasks::snapshot(&tx, *id)
            .await?
            .ok_or_else(|| ApiError::not_found("snapshot"))?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::TaskSnapshot::new(snapshot, &redactor)))
    }

    /// Finish a task as `completed` (default) or `failed` (member). 409 while any of its
    /// jobs is queued, pending or running; its paused jobs are cancelled.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id/complete",
        method = "post",
        operation_id = "completeAgentTask"
    )]
    async fn complete_task(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        body: Json<dto::CompleteTask>,
    ) -> Result<Json<dto::AgentTask>> {
        let outcome = match body.0.status {
            None | Some(dto::TaskOutcome::Completed) => TaskStatus::Completed,
            Some(dto::TaskOutcome::Failed) => TaskStatus::Failed,
        };
        let tx = self.enter(&token, &ws, Role::Member).await?;
        let task = tasks::complete(&tx, *id, outcome)
            .await
            .map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::AgentTask::new(task, &redactor)))
    }

    /// Cancel a task (member): its waiting jobs are cancelled and its running jobs asked
    /// to stop.
    #[oai(
        path = "/v1/workspaces/:ws/agent-tasks/:id/cancel",
        method = "post",
        operation_id = "cancelAgentTask"
    )]
    async fn cancel_task(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<Json<dto::AgentTask>> {
        let tx = self.enter(&token, &ws, Role::Member).await?;
        let task = tasks::cancel(&tx, *id).await.map_err(store_err)?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::AgentTask::new(task, &redactor)))
    }
}
