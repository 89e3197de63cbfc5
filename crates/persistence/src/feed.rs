//! The workspace event feed: every job and task event of a workspace, in one order that
//! never changes once an event is handed out.
//!
//! Events are ordered by the id of the transaction that wrote them (`tx_id`), then by
//! source (jobs before tasks), entity and seq. A reader only takes events whose
//! transaction is below the oldest one still running (`pg_snapshot_xmin`): those are all
//! committed or rolled back, so nothing can later appear before a position already
//! passed. A cursor is that position; resuming from it yields no gap and no repeat.
//! The price: a long-running transaction holds the feed back until it ends.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use crate::{StoreError, Timestamp, WorkspaceTx};

/// Where a feed reader stands: after this event (or, with `entity` all ones, after
/// everything written by transactions up to `tx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedPosition {
    pub tx: i64,
    /// 0 for job events, 1 for task events, 2 past both.
    pub source: i16,
    pub entity: Uuid,
    pub seq: i64,
}

impl FeedPosition {
    /// Before every event.
    pub const START: FeedPosition = FeedPosition {
        tx: 0,
        source: 0,
        entity: Uuid::nil(),
        seq: 0,
    };

    /// After every event of transactions up to and including `tx`.
    fn after_tx(tx: i64) -> Self {
        Self {
            tx,
            source: 2,
            entity: Uuid::max(),
            seq: i64::MAX,
        }
    }

    /// As text: `<tx>.<source>.<entity>.<seq>`, for cursors and SSE ids.
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.tx,
            self.source,
            self.entity.simple(),
            self.seq
        )
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let mut parts = raw.split('.');
        let position = Self {
            tx: parts.next()?.parse().ok().filter(|t: &i64| *t >= 0)?,
            source: parts.next()?.parse().ok().filter(|s| (0..=2).contains(s))?,
            entity: Uuid::parse_str(parts.next()?).ok()?,
            seq: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(position)
    }
}

/// Which entity an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedSource {
    Job,
    Task,
}

/// One event of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    pub position: FeedPosition,
    pub source: FeedSource,
    pub id: Uuid,
    pub job_id: Option<Uuid>,
    pub task_id: Option<Uuid>,
    pub step_id: Option<Uuid>,
    pub seq: i64,
    pub event_type: String,
    pub actor: String,
    pub payload: serde_json::Value,
    pub created_at: Timestamp,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedPage {
    pub events: Vec<FeedEvent>,
    /// Where to continue from: after the last event, or past everything settled when the
    /// page was not full.
    pub next: FeedPosition,
    /// The page was full: more may be waiting right now.
    pub more: bool,
}

/// A row of the page query: the horizon, and an event unless the page is empty (then
/// the one row carries only the horizon).
#[derive(FromQueryResult)]
struct Row {
    horizon: i64,
    tx: Option<i64>,
    source: Option<i16>,
    entity: Option<Uuid>,
    seq: Option<i64>,
    id: Option<Uuid>,
    step_id: Option<Uuid>,
    #[sea_orm(alias = "type")]
    event_type: Option<String>,
    actor: Option<String>,
    payload: Option<serde_json::Value>,
    created_at: Option<Timestamp>,
}

impl Row {
    fn event(self) -> Option<FeedEvent> {
        let (tx, source_code, entity, seq) = (self.tx?, self.source?, self.entity?, self.seq?);
        let source = if source_code == 0 {
            FeedSource::Job
        } else {
            FeedSource::Task
        };
        Some(FeedEvent {
            position: FeedPosition {
                tx,
                source: source_code,
                entity,
                seq,
            },
            source,
            id: self.id?,
            job_id: (source == FeedSource::Job).then_some(entity),
            task_id: (source == FeedSource::Task).then_some(entity),
            step_id: self.step_id,
            seq,
            event_type: self.event_type?,
            actor: self.actor?,
            payload: self.payload?,
            created_at: self.created_at?,
        })
    }
}

/// Up to `limit` events after `after`, in feed order.
pub async fn page(
    tx: &WorkspaceTx,
    after: FeedPosition,
    limit: u64,
) -> Result<FeedPage, StoreError> {
    // One statement, so the horizon and the rows come from the same snapshot.
    let rows: Vec<Row> = tx
        .all(
            "WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin), \
             e AS ( \
               SELECT j.tx_id, 0::int2 AS source, j.job_id AS entity, j.seq, j.id, j.step_id, j.type, \
                      j.actor, j.payload, j.created_at \
                 FROM job_events j, h \
                WHERE j.workspace_id = $1 AND j.tx_id >= $2::text::xid8 AND j.tx_id < h.xmin \
               UNION ALL \
               SELECT t.tx_id, 1::int2, t.task_id, t.seq, t.id, NULL::uuid, t.type, t.actor, t.payload, \
                      t.created_at \
                 FROM task_events t, h \
                WHERE t.workspace_id = $1 AND t.tx_id >= $2::text::xid8 AND t.tx_id < h.xmin \
             ), page AS ( \
               SELECT * FROM e \
                WHERE (e.tx_id, e.source, e.entity, e.seq) > ($2::text::xid8, $3::int2, $4::uuid, $5::int8) \
                ORDER BY e.tx_id, e.source, e.entity, e.seq \
                LIMIT $6 \
             ) \
             SELECT p.tx_id::text::int8 AS tx, p.source, p.entity, p.seq, p.id, p.step_id, p.type, \
                    p.actor, p.payload, p.created_at, h.xmin::text::int8 AS horizon \
               FROM h LEFT JOIN page p ON true \
              ORDER BY p.tx_id, p.source, p.entity, p.seq",
            [
                tx.workspace_id().into(),
                after.tx.to_string().into(),
                after.source.into(),
                after.entity.into(),
                after.seq.into(),
                (limit as i64).into(),
            ],
        )
        .await?;
    let horizon = rows.first().map_or(0, |r| r.horizon);
    let events: Vec<FeedEvent> = rows.into_iter().filter_map(Row::event).collect();
    let more = events.len() as u64 >= limit;
    let next = match events.last() {
        Some(last) if more => last.position,
        // Everything below the horizon has been read: continue past it.
        _ => after.max(FeedPosition::after_tx(horizon - 1)),
    };
    Ok(FeedPage { events, next, more })
}

/// The position past every event settled now: where a live-only reader starts.
pub async fn now(tx: &WorkspaceTx) -> Result<FeedPosition, StoreError> {
    Ok(page(tx, FeedPosition::START, 0).await?.next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_order_like_the_feed() {
        let p = FeedPosition {
            tx: 42,
            source: 1,
            entity: Uuid::now_v7(),
            seq: 7,
        };
        assert_eq!(FeedPosition::decode(&p.encode()), Some(p));
        assert!(FeedPosition::START < p);
        assert!(p < FeedPosition::after_tx(42));
        assert!(
            FeedPosition::after_tx(42)
                < FeedPosition {
                    tx: 43,
                    ..FeedPosition::START
                }
        );
        for bad in [
            "",
            "1.2.3",
            "x.0.00000000000000000000000000000000.1",
            "-1.0.00000000000000000000000000000000.1",
            "1.3.00000000000000000000000000000000.1",
            "1.0.00000000000000000000000000000000.1.9",
        ] {
            assert_eq!(FeedPosition::decode(bad), None, "{bad}");
        }
    }
}
