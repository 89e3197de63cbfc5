//! The workspace event feed: pages and the live stream deliver every job and task event
//! once, in an order that later commits cannot slip in front of, and resume from a
//! cursor after a disconnect.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use runyard_testkit::{Client, TestServer};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use serde_json::{Value, json};

const WS: &str = "/v1/workspaces/acme";

async fn setup() -> (TestServer, Client, Client) {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

/// Every event of the feed after `after`, page by page; and the cursor to go on from.
async fn drain(alice: &Client, after: &str, limit: u32) -> (Vec<Value>, String) {
    let mut events = Vec::new();
    let mut cursor = after.to_owned();
    loop {
        let page = alice
            .get(&format!("{WS}/events?after={cursor}&limit={limit}"))
            .await;
        let page = page.expect(200).clone();
        events.extend(page["items"].as_array().unwrap().iter().cloned());
        cursor = page["next_cursor"].as_str().unwrap().to_owned();
        if page["has_more"] == false {
            return (events, cursor);
        }
    }
}

/// Drains the feed until at least `want` events arrived (events become visible once every
/// transaction older than theirs has ended, in this test's cluster too).
async fn drain_until(alice: &Client, after: &str, limit: u32, want: usize) -> (Vec<Value>, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut events, mut cursor) = drain(alice, after, limit).await;
    while events.len() < want {
        assert!(
            Instant::now() < deadline,
            "only {} of {want} events: {events:#?}",
            events.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (more, next) = drain(alice, &cursor, limit).await;
        events.extend(more);
        cursor = next;
    }
    (events, cursor)
}

/// (entity, seq) of each event, checking each entity's seqs rise by one from 1.
fn check_order(events: &[Value]) -> Vec<(String, i64)> {
    let mut last: HashMap<String, i64> = HashMap::new();
    let mut keys = Vec::new();
    for e in events {
        let entity = e["job_id"]
            .as_str()
            .or(e["task_id"].as_str())
            .unwrap()
            .to_owned();
        let seq = e["seq"].as_i64().unwrap();
        let prev = last.insert(entity.clone(), seq).unwrap_or(0);
        assert_eq!(seq, prev + 1, "events of {entity} out of order or missing");
        keys.push((entity, seq));
    }
    keys
}

#[tokio::test]
async fn pages_hold_every_job_and_task_event_once_in_order() {
    let (_server, alice, runner) = setup().await;
    let task = alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "t"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut jobs = Vec::new();
    for _ in 0..4 {
        jobs.push(alice.create_job("acme", json!({"type": "t"})).await);
    }
    let claimed = runner
        .post("/v1/runner/claim", json!({"max_jobs": 2}))
        .await
        .expect(200)["jobs"]
        .clone();
    for j in claimed.as_array().unwrap() {
        let id = j["id"].as_str().unwrap();
        runner
            .post(
                &format!("/v1/runner/jobs/{id}/complete"),
                json!({"attempt": 1}),
            )
            .await
            .expect(200);
    }
    alice
        .post(&format!("{WS}/agent-tasks/{task}/pause"), json!({}))
        .await
        .expect(200);

    let (events, cursor) = drain_until(&alice, "start", 3, 11).await;
    let keys = check_order(&events);
    // 4 jobs created, 2 claimed and completed; the task created, asked to pause and paused.
    assert_eq!(events.len(), 4 + 2 * 2 + 3, "{events:#?}");
    assert_eq!(keys.iter().collect::<HashSet<_>>().len(), events.len());
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.iter().filter(|t| **t == "job_created").count(), 4);
    assert_eq!(types.iter().filter(|t| **t == "job_completed").count(), 2);
    assert!(
        types.contains(&"task_created")
            && types.contains(&"task_pause_requested")
            && types.contains(&"task_manual_pause")
    );
    assert_eq!(events[0]["source"], "task");
    assert!(events.iter().any(|e| e["source"] == "job"));
    // Paging from the first page's cursor gives the rest, and the same events overall.
    let first = alice.get(&format!("{WS}/events?limit=3")).await;
    let first = first.expect(200).clone();
    assert_eq!(first["has_more"], true);
    let (rest, _) = drain_until(&alice, first["next_cursor"].as_str().unwrap(), 100, 8).await;
    assert_eq!(
        first["items"].as_array().unwrap().len() + rest.len(),
        events.len()
    );

    // Polling the cursor: nothing new, then exactly what happened since.
    let (none, same) = drain(&alice, &cursor, 100).await;
    assert!(none.is_empty());
    let job = alice.create_job("acme", json!({"type": "t"})).await;
    let (new, _) = drain_until(&alice, &same, 100, 1).await;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["job_id"], job["id"]);
    assert_eq!(new[0]["type"], "job_created");

    alice
        .get(&format!("{WS}/events?after=nonsense"))
        .await
        .expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn an_event_committed_late_is_not_skipped_by_a_reader_that_went_ahead() {
    let (server, alice, _runner) = setup().await;
    let (_, start) = drain(&alice, "start", 100).await;
    let workspace = alice.get(WS).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A transaction that writes an event and stays open, like a slow request.
    let db = Database::connect(&server.db.superuser_url).await.unwrap();
    let slow = db.begin().await.unwrap();
    let slow_job = uuid::Uuid::now_v7();
    slow.execute_unprepared(&format!(
        "INSERT INTO runner_jobs (workspace_id, id, type, status, created_by, last_event_seq) \
         VALUES ('{workspace}', '{slow_job}', 'slow', 'QUEUED', 'user:alice', 1); \
         INSERT INTO job_events (workspace_id, job_id, seq, id, type, actor) \
         VALUES ('{workspace}', '{slow_job}', 1, gen_random_uuid(), 'job_created', 'user:alice')"
    ))
    .await
    .unwrap();
    // A later transaction commits first.
    let fast = alice.create_job("acme", json!({"type": "fast"})).await;
    let (seen, cursor) = drain(&alice, &start, 100).await;
    assert!(
        seen.is_empty(),
        "the later commit must wait for the open one: {seen:#?}"
    );
    slow.commit().await.unwrap();
    let (seen, _) = drain_until(&alice, &cursor, 100, 2).await;
    let jobs: Vec<&str> = seen.iter().map(|e| e["job_id"].as_str().unwrap()).collect();
    assert_eq!(
        jobs,
        [slow_job.to_string().as_str(), fast["id"].as_str().unwrap()]
    );
}

/// Reads SSE frames until `want` events (other than those of job `skip`) arrived; returns
/// (id, data) per event.
async fn read_events(
    resp: &mut reqwest::Response,
    want: usize,
    skip: &str,
) -> Vec<(String, Value)> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while out.len() < want {
        let chunk = tokio::time::timeout_at(deadline.into(), resp.chunk())
            .await
            .expect("events in time")
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let (mut id, mut data) = (None, None);
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str::<Value>(v).unwrap());
                }
            }
            if let (Some(id), Some(data)) = (id, data)
                && data["job_id"] != skip
            {
                out.push((id, data));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_stream_resumes_after_a_disconnect_without_gaps_or_duplicates() {
    let (_server, alice, _runner) = setup().await;
    let before = alice.create_job("acme", json!({"type": "before"})).await;
    let before = before["id"].as_str().unwrap().to_owned();
    // Without a cursor the stream starts now: history is not replayed (an event still
    // settling when the stream opened may come, which is why `before` is skipped below).
    let mut resp = alice
        .request(reqwest::Method::GET, &format!("{WS}/events/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    // Jobs keep arriving from several writers while we read, disconnect and resume.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let alice = alice.clone();
            tokio::spawn(async move {
                for i in 0..15 {
                    alice
                        .create_job("acme", json!({"type": "t", "payload": {"w": w, "i": i}}))
                        .await;
                }
            })
        })
        .collect();
    let first = read_events(&mut resp, 10, &before).await;
    drop(resp);
    for w in writers {
        w.await.unwrap();
    }
    let last_id = first.last().unwrap().0.clone();
    let mut resp = alice
        .request(reqwest::Method::GET, &format!("{WS}/events/stream"))
        .header("Last-Event-ID", &last_id)
        .send()
        .await
        .unwrap();
    let rest = read_events(&mut resp, 60 - first.len(), &before).await;
    let all: Vec<Value> = first.iter().chain(&rest).map(|(_, d)| d.clone()).collect();
    assert!(all.iter().all(|e| e["type"] == "job_created"), "{all:#?}");
    assert!(all.iter().all(|e| e["payload"]["status"] == "QUEUED"));
    let keys = check_order(&all);
    assert_eq!(
        keys.iter().collect::<HashSet<_>>().len(),
        60,
        "no duplicates"
    );
    for (id, data) in first.iter().chain(&rest) {
        assert_eq!(data["cursor"].as_str().unwrap(), id);
    }
    // Exactly the 60 jobs the writers made, in the feed's order.
    let (everything, _) = drain_until(&alice, "start", 1000, 61).await;
    assert_eq!(everything.len(), 61);
    let writers: Vec<Value> = everything
        .into_iter()
        .filter(|e| e["job_id"] != before.as_str())
        .collect();
    assert_eq!(writers, all);
}

#[tokio::test]
async fn another_workspace_s_feed_is_404_and_its_own_feed_is_private() {
    let (server, alice, _runner) = setup().await;
    alice.create_job("acme", json!({"type": "t"})).await;
    let mallory = server.client("mallory");
    mallory.create_workspace("evil").await;
    mallory
        .get(&format!("{WS}/events"))
        .await
        .expect_problem(404, "not_found");
    mallory
        .get(&format!("{WS}/events/stream"))
        .await
        .expect_problem(404, "not_found");
    let own = mallory.get("/v1/workspaces/evil/events").await;
    assert!(own.expect(200)["items"].as_array().unwrap().is_empty());
    server
        .anonymous()
        .get(&format!("{WS}/events"))
        .await
        .expect_problem(401, "unauthorized");
}
