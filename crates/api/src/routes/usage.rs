//! Model calls, usage roll-ups and queue stats, as users read them (viewer).

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use runyard_domain::Role;
use runyard_persistence::{jobs, usage};
use uuid::Uuid;

use super::paging::List;
use super::{Result, Tag, UserToken, caller};
use crate::dto;
use crate::error::ApiError;
use crate::state::AppState;

pub struct UsageApi {
    pub state: Arc<AppState>,
}

/// The default window of the usage roll-up, ending now.
const DEFAULT_DAYS: i64 = 30;

fn encode_call_key((started_at, id): usage::AiCallKey) -> String {
    List::AiCalls.encode_key(&format!(
        "{}.{}",
        started_at.timestamp_micros(),
        id.simple()
    ))
}

fn decode_call_key(cursor: &str) -> Result<usage::AiCallKey> {
    let key = List::AiCalls.decode_key(cursor)?;
    let not_ours = || ApiError::invalid_field("cursor", "is not a cursor this list returned");
    let (micros, id) = key.split_once('.').ok_or_else(not_ours)?;
    let micros: i64 = micros.parse().map_err(|_| not_ours())?;
    let started_at = Utc.timestamp_micros(micros).single().ok_or_else(not_ours)?;
    let id = Uuid::try_parse(id).map_err(|_| not_ours())?;
    let parsed = (started_at, id);
    if encode_call_key(parsed) != cursor {
        return Err(not_ours());
    }
    Ok(parsed)
}

#[OpenApi(tag = "Tag::Usage")]
impl UsageApi {
    /// A job's model calls in the order they started (viewer).
    #[oai(
        path = "/v1/workspaces/:ws/runner-jobs/:id/ai-calls",
        method = "get",
        operation_id = "listJobAiCalls"
    )]
    async fn list_job_ai_calls(
        &self,
        token: UserToken,
        ws: Path<String>,
        id: Path<Uuid>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1–1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::AiCallList>> {
        let caller = caller(&self.state, &token)?;
        let after = cursor.0.as_deref().map(decode_call_key).transpose()?;
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        jobs::get(&tx, *id)
            .await
            .map_err(|e| ApiError::from_store(e, "job"))?;
        let (page, next) =
            usage::ai_calls(&tx, *id, after, u64::from(limit.0.unwrap_or(100))).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::AiCallList {
            items: page
                .into_iter()
                .map(|c| dto::AiCall::new(c, &redactor))
                .collect(),
            next_cursor: next.map(encode_call_key),
        }))
    }

    /// The workspace's usage over `[from, to)` grouped by `group_by` (viewer), the
    /// costliest group first, at most 1000 groups. A job counts its model calls when it
    /// has any, else the tokens and cost its steps reported; calls count by when they
    /// started, step-reported usage by when its step started. Defaults: the last 30 days,
    /// by model.
    #[oai(
        path = "/v1/workspaces/:ws/usage",
        method = "get",
        operation_id = "getWorkspaceUsage"
    )]
    async fn workspace_usage(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// Start, inclusive (default: 30 days before `to`).
        from: Query<Option<DateTime<Utc>>>,
        /// End, exclusive (default: now).
        to: Query<Option<DateTime<Utc>>>,
        /// What to group by (default `model`).
        group_by: Query<Option<dto::UsageGroupBy>>,
        /// Group each group further by this (e.g. `group_by=day&then_by=model`); items
        /// then carry `subgroup`.
        then_by: Query<Option<dto::UsageGroupBy>>,
    ) -> Result<Json<dto::UsageReport>> {
        let caller = caller(&self.state, &token)?;
        let to = to.0.unwrap_or_else(Utc::now);
        let from = from.0.unwrap_or(to - Duration::days(DEFAULT_DAYS));
        if from >= to {
            return Err(ApiError::invalid_field("from", "must be before `to`"));
        }
        let group_by = group_by.0.unwrap_or(dto::UsageGroupBy::Model);
        if then_by.0 == Some(group_by) {
            return Err(ApiError::invalid_field(
                "then_by",
                "must differ from group_by",
            ));
        }
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let groups =
            usage::workspace_usage(&tx, from, to, group_by.into(), then_by.0.map(Into::into))
                .await?;
        tx.commit().await?;
        Ok(Json(dto::UsageReport {
            group_by,
            then_by: then_by.0,
            from,
            to,
            items: groups
                .into_iter()
                .map(|g| dto::UsageItem {
                    group: g.group,
                    subgroup: g.subgroup,
                    ai_calls: g.totals.ai_calls,
                    input_tokens: g.totals.input_tokens,
                    output_tokens: g.totals.output_tokens,
                    cost_usd: g.totals.cost_usd,
                })
                .collect(),
        }))
    }

    /// The workspace's queue at a glance (viewer): jobs by status, the oldest queued
    /// job's wait, running jobs per runner, completed and failed per minute over the last
    /// hour, and p50/p95 queue wait and run time over the last hour.
    #[oai(
        path = "/v1/workspaces/:ws/stats",
        method = "get",
        operation_id = "getWorkspaceStats"
    )]
    async fn workspace_stats(
        &self,
        token: UserToken,
        ws: Path<String>,
    ) -> Result<Json<dto::WorkspaceStats>> {
        let caller = caller(&self.state, &token)?;
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let stats = usage::workspace_stats(&tx).await?;
        tx.commit().await?;
        Ok(Json(stats.into()))
    }
}
