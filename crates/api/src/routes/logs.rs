//! The live log tail behind `.../logs/stream`: reads new lines as they are committed,
//! woken by `LISTEN runyard_logs`, and ends once the job has finished.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, BoxStream, StreamExt};
use poem::web::sse::Event;
use poem_openapi::types::ToJSON;
use runyard_domain::Role;
use runyard_persistence::jobs;
use uuid::Uuid;

use crate::dto;
use crate::state::{AppState, Caller};

/// How long an idle tail waits before looking at the job's status again. Lines wake it at
/// once; this only bounds how late it notices that the job finished.
const STATUS_CHECK: Duration = Duration::from_secs(1);
const PAGE: u64 = 500;

struct Tail {
    state: Arc<AppState>,
    caller: Caller,
    ws: String,
    job: Uuid,
    after: i64,
    filter: jobs::LogFilter,
    buffered: std::collections::VecDeque<dto::LogStreamItem>,
    done: bool,
}

pub(crate) fn tail(
    state: Arc<AppState>,
    caller: Caller,
    ws: String,
    job: Uuid,
    after: i64,
    filter: jobs::LogFilter,
) -> BoxStream<'static, dto::LogStreamItem> {
    let tail = Tail {
        state,
        caller,
        ws,
        job,
        after,
        filter,
        buffered: Default::default(),
        done: false,
    };
    stream::unfold(tail, |mut t| async move {
        loop {
            if let Some(item) = t.buffered.pop_front() {
                return Some((item, t));
            }
            if t.done {
                return None;
            }
            let notify = t.state.db.signals().logs(t.job);
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match fetch(&t).await {
                Ok((lines, finished, redactor)) => {
                    if let Some(last) = lines.last() {
                        t.after = last.seq;
                    }
                    let more = lines.len() as u64 == PAGE;
                    t.buffered
                        .extend(lines.into_iter().map(|l| dto::LogStreamItem {
                            event: "log".into(),
                            entry: Some(dto::LogEntry::new(l, &redactor)),
                        }));
                    if finished && !more {
                        t.buffered.push_back(dto::LogStreamItem {
                            event: "end".into(),
                            entry: None,
                        });
                        t.done = true;
                    }
                    if t.buffered.is_empty() {
                        tokio::select! {
                            _ = tokio::time::timeout(STATUS_CHECK, notified) => {}
                            // Shutting down: end the stream; clients resume elsewhere.
                            () = t.state.stopping() => return None,
                        }
                    }
                }
                Err(()) => return None,
            }
        }
    })
    .boxed()
}

/// New lines after `t.after`, and whether the job has finished.
type Fetched = (
    Vec<runyard_persistence::LogRecord>,
    bool,
    runyard_domain::Redactor,
);

async fn fetch(t: &Tail) -> Result<Fetched, ()> {
    let tx = t
        .state
        .enter(&t.caller, &t.ws, Role::Viewer)
        .await
        .map_err(|_| ())?;
    let job = jobs::get(&tx, t.job).await.map_err(|_| ())?;
    let lines = jobs::logs(&tx, t.job, t.after, PAGE, &t.filter)
        .await
        .map_err(|_| ())?;
    let redactor = tx.settings().redactor();
    tx.commit().await.map_err(|_| ())?;
    Ok((lines, job.status.is_terminal(), redactor))
}

pub(crate) fn to_event(item: dto::LogStreamItem) -> Event {
    match item.entry {
        Some(entry) => {
            let id = entry.seq.to_string();
            Event::message(entry.to_json_string())
                .event_type("log")
                .id(id)
        }
        None => Event::message("{}").event_type(item.event),
    }
}
