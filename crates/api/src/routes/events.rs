//! The workspace event feed: every job and task event of a workspace in one order, as
//! pages and as Server-Sent Events, resumable from a cursor without gaps or repeats.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use poem::web::sse::Event;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{EventStream, Json};
use poem_openapi::types::ToJSON;
use runyard_domain::Role;
use runyard_persistence::feed::{self, FeedPosition};

use super::{Result, Tag, UserToken, caller};
use crate::dto;
use crate::error::ApiError;
use crate::state::{AppState, Caller};

/// How often an idle stream looks for new events. Enqueues in the workspace seen by this
/// server wake it sooner.
const POLL: Duration = Duration::from_millis(500);
const PAGE: u64 = 500;

pub struct EventsApi {
    pub state: Arc<AppState>,
}

/// A feed position from `field`: `start`, or a cursor exactly as this feed wrote it.
fn parse_cursor(field: &str, raw: &str) -> Result<FeedPosition> {
    if raw == "start" {
        return Ok(FeedPosition::START);
    }
    FeedPosition::decode(raw)
        .filter(|position| position.encode() == raw)
        .ok_or_else(|| {
            ApiError::invalid_field(field, "is not a cursor this feed returned (or `start`)")
        })
}

#[OpenApi(tag = "Tag::Events")]
impl EventsApi {
    /// A page of the workspace's events (viewer): every job and task event, in the order
    /// they became final. Without `after`, from the beginning. `next_cursor` is always
    /// set: continue from it, by polling this endpoint or with the stream. Events appear
    /// once the transaction that wrote them — and any that started before it — has ended.
    #[oai(
        path = "/v1/workspaces/:ws/events",
        method = "get",
        operation_id = "listWorkspaceEvents"
    )]
    async fn list_events(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// A `cursor` or `next_cursor` from this feed, or `start`.
        after: Query<Option<String>>,
        /// Page size, 1–1000 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<dto::WorkspaceEventList>> {
        let caller = caller(&self.state, &token)?;
        let after = match after.0.as_deref() {
            Some(raw) => parse_cursor("after", raw)?,
            None => FeedPosition::START,
        };
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let page = feed::page(&tx, after, u64::from(limit.0.unwrap_or(100))).await?;
        let redactor = tx.settings().redactor();
        tx.commit().await?;
        Ok(Json(dto::WorkspaceEventList {
            items: page
                .events
                .into_iter()
                .map(|e| dto::WorkspaceEvent::new(e, &redactor))
                .collect(),
            next_cursor: page.next.encode(),
            has_more: page.more,
        }))
    }

    /// Follow the workspace's events live, as Server-Sent Events (viewer). Each event's
    /// data is a `WorkspaceEvent` and its SSE id is its cursor. Starts after `after` (or
    /// `Last-Event-ID`, which EventSource sends on reconnect); with neither, from now
    /// (only new events). Resuming from an id yields every later event exactly once.
    #[oai(
        path = "/v1/workspaces/:ws/events/stream",
        method = "get",
        operation_id = "streamWorkspaceEvents"
    )]
    async fn stream_events(
        &self,
        token: UserToken,
        ws: Path<String>,
        /// A cursor from this feed, or `start`.
        after: Query<Option<String>>,
        /// The last event id received (set by EventSource on reconnect).
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> Result<EventStream<BoxStream<'static, dto::WorkspaceEvent>>> {
        let caller = caller(&self.state, &token)?;
        let given = match (last_event_id.0.as_deref(), after.0.as_deref()) {
            (Some(id), _) => Some(parse_cursor("Last-Event-ID", id)?),
            (None, Some(after)) => Some(parse_cursor("after", after)?),
            (None, None) => None,
        };
        let tx = self.state.enter(&caller, &ws, Role::Viewer).await?;
        let workspace = tx.workspace_id();
        let start = match given {
            Some(position) => position,
            None => feed::now(&tx).await?,
        };
        tx.commit().await?;
        let stream = follow(self.state.clone(), caller, ws.0, workspace, start);
        Ok(EventStream::new(stream)
            .keep_alive(Duration::from_secs(15))
            .to_event(to_event))
    }
}

struct Follow {
    state: Arc<AppState>,
    caller: Caller,
    ws: String,
    workspace: uuid::Uuid,
    after: FeedPosition,
    buffered: VecDeque<dto::WorkspaceEvent>,
}

fn follow(
    state: Arc<AppState>,
    caller: Caller,
    ws: String,
    workspace: uuid::Uuid,
    after: FeedPosition,
) -> BoxStream<'static, dto::WorkspaceEvent> {
    let f = Follow {
        state,
        caller,
        ws,
        workspace,
        after,
        buffered: VecDeque::new(),
    };
    stream::unfold(f, |mut f| async move {
        loop {
            if let Some(event) = f.buffered.pop_front() {
                return Some((event, f));
            }
            let notify = f.state.db.signals().jobs(f.workspace);
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // Access is checked on every read: a member removed stops receiving.
            let tx = f.state.enter(&f.caller, &f.ws, Role::Viewer).await.ok()?;
            let page = feed::page(&tx, f.after, PAGE).await.ok()?;
            // Read on every page, so a changed pattern applies to a stream already open.
            let redactor = tx.settings().redactor();
            tx.commit().await.ok()?;
            f.after = page.next;
            f.buffered.extend(
                page.events
                    .into_iter()
                    .map(|e| dto::WorkspaceEvent::new(e, &redactor)),
            );
            if f.buffered.is_empty() && !page.more {
                tokio::select! {
                    _ = tokio::time::timeout(POLL, notified) => {}
                    // Shutting down: end the stream; clients resume elsewhere.
                    () = f.state.stopping() => return None,
                }
            }
        }
    })
    .boxed()
}

fn to_event(event: dto::WorkspaceEvent) -> Event {
    let id = event.cursor.clone();
    Event::message(event.to_json_string()).id(id)
}
