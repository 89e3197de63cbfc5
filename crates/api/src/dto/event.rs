//! The workspace event feed.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

/// What a workspace event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum EventSource {
    Job,
    Task,
}

/// One event of the workspace feed: a job event or a task event.
#[derive(Object)]
pub struct WorkspaceEvent {
    /// This event's place in the feed: pass it as `after` (or `Last-Event-ID`) to continue
    /// after it.
    pub cursor: String,
    pub source: EventSource,
    pub id: Uuid,
    /// The job, for job events.
    pub job_id: Option<Uuid>,
    /// The task, for task events.
    pub task_id: Option<Uuid>,
    pub step_id: Option<Uuid>,
    /// Per job (or per task), gap-free, from 1.
    pub seq: i64,
    /// e.g. `job_created`, `job_claimed`, `job_completed`, `task_manual_pause`.
    #[oai(rename = "type")]
    pub event_type: String,
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

impl WorkspaceEvent {
    /// The event as users see it: values under secret-looking keys redacted.
    pub fn new(
        e: runyard_persistence::feed::FeedEvent,
        redactor: &runyard_domain::Redactor,
    ) -> Self {
        use runyard_persistence::feed::FeedSource;
        Self {
            cursor: e.position.encode(),
            source: match e.source {
                FeedSource::Job => EventSource::Job,
                FeedSource::Task => EventSource::Task,
            },
            id: e.id,
            job_id: e.job_id,
            task_id: e.task_id,
            step_id: e.step_id,
            seq: e.seq,
            event_type: e.event_type,
            actor: e.actor,
            payload: runyard_domain::redact(e.payload, redactor),
            created_at: e.created_at,
        }
    }
}

/// A page of the workspace feed.
#[derive(Object)]
pub struct WorkspaceEventList {
    pub items: Vec<WorkspaceEvent>,
    /// Where to continue from: always set, since a feed never ends. Poll with it, or pass
    /// it to the stream.
    pub next_cursor: String,
    /// The page was full: more events are waiting now.
    pub has_more: bool,
}
