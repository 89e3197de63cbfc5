//! Runner management for workspace admins: register, list, revoke.

use std::sync::Arc;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use runyard_domain::{Labels, Role, ValidationError};
use runyard_persistence::runners;
use uuid::Uuid;

use super::paging::List;
use super::{Tag, UserToken, caller, location};
use crate::dto;
use crate::error::ApiError;
use crate::state::AppState;

type Result<T> = std::result::Result<T, ApiError>;

pub struct RunnersApi {
    pub state: Arc<AppState>,
}

#[derive(ApiResponse)]
enum RunnerCreated {
    /// Registered. The token is in this response only; store it now.
    #[oai(status = 201)]
    Created(
        Json<dto::RunnerRegistered>,
        /// Where the created resource is.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
enum RunnerRevoked {
    /// Revoked: its token stops working on its next request.
    #[oai(status = 204)]
    Revoked,
}

#[OpenApi(tag = "Tag::Runners")]
impl RunnersApi {
    /// Register a runner (admin). Returns its token once; only a hash is kept.
    #[oai(
        path = "/v1/workspaces/:ws/runners",
        method = "post",
        operation_id = "registerRunner"
    )]
    async fn register_runner(
        &self,
        token: UserToken,
        ws: Path<String>,
        body: Json<dto::RegisterRunner>,
    ) -> Result<RunnerCreated> {
        let caller = caller(&self.state, &token)?;
        let name = body.name.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(ApiError::invalid(ValidationError::new(
                "name",
                "must be 1 to 200 characters",
            )));
        }
        let labels =
            Labels::parse(body.labels.as_deref().unwrap_or_default()).map_err(ApiError::invalid)?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        let (runner, secret) = runners::register(&tx, name, &labels).await?;
        let location = location(&[
            "v1",
            "workspaces",
            &tx.workspace_id().to_string(),
            "runners",
            &runner.id.to_string(),
        ]);
        tx.commit().await?;
        Ok(RunnerCreated::Created(
            Json(dto::RunnerRegistered {
                runner: runner.into(),
                token: secret,
            }),
            location,
        ))
    }

    /// The workspace's runners, with when each was last seen (admin).
    #[oai(
        path = "/v1/workspaces/:ws/runners",
        method = "get",
        operation_id = "listRunners"
    )]
    async fn list_runners(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–500 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::RunnerList>> {
        let caller = caller(&self.state, &token)?;
        let after = cursor
            .0
            .as_deref()
            .map(|c| List::Runners.decode_id(c))
            .transpose()?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        let (page, next) = runners::list(&tx, after, u64::from(limit.0.unwrap_or(100))).await?;
        tx.commit().await?;
        Ok(Json(dto::RunnerList {
            items: page.into_iter().map(Into::into).collect(),
            next_cursor: next.map(|id| List::Runners.encode_id(id)),
        }))
    }

    /// Revoke a runner (admin).
    #[oai(
        path = "/v1/workspaces/:ws/runners/:id",
        method = "delete",
        operation_id = "revokeRunner"
    )]
    async fn revoke_runner(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
    ) -> Result<RunnerRevoked> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Admin).await?;
        runners::revoke(&tx, *id)
            .await
            .map_err(|e| ApiError::from_store(e, "runner"))?;
        tx.commit().await?;
        Ok(RunnerRevoked::Revoked)
    }
}
