//! Every path that makes a job claimable wakes a runner already waiting in a long-poll
//! claim: the wake-up is sent by the committing transaction (or the sweep), so none can
//! be forgotten.

use std::time::{Duration, Instant};

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::runner::chrono_in;

const WS: &str = "/v1/workspaces/acme";
/// How soon a waiting claim must get the job.
const PROMPTLY: Duration = Duration::from_secs(1);

/// A server with workspace `acme` owned by alice, and two runners: `worker` takes jobs
/// and gives them back, `waiter` waits in a long poll.
async fn setup(queue: QueueConfig) -> (TestServer, Client, Client, Client) {
    let server = TestServer::start_with(queue).await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, worker) = alice.register_runner("acme", "worker", &[]).await;
    let (_, waiter) = alice.register_runner("acme", "waiter", &[]).await;
    let worker = Client::new(&server.base_url, Some(worker));
    let waiter = Client::new(&server.base_url, Some(waiter));
    (server, alice, worker, waiter)
}

/// Sweeps often, so time-driven paths are prompt too.
fn brisk() -> QueueConfig {
    QueueConfig {
        lease: Duration::from_millis(1500),
        sweep_interval: Duration::from_millis(100),
        ..QueueConfig::default()
    }
}

/// Starts a long-poll claim (up to 20 s) and returns once it is waiting.
async fn waiting_claim(runner: &Client) -> JoinHandle<(Vec<Value>, Instant)> {
    let runner = runner.clone();
    let handle = tokio::spawn(async move {
        let reply = runner
            .post(
                "/v1/runner/claim",
                json!({"max_jobs": 1, "wait_seconds": 20}),
            )
            .await;
        let jobs = reply.expect(200)["jobs"].as_array().unwrap().clone();
        (jobs, Instant::now())
    });
    // Long enough for the claim to find nothing and start waiting.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(
        !handle.is_finished(),
        "the claim should be waiting for work"
    );
    handle
}

/// The waiting claim got job `id` within [`PROMPTLY`] of `since`.
async fn woken(claim: JoinHandle<(Vec<Value>, Instant)>, since: Instant, id: &str) {
    let (jobs, at) = tokio::time::timeout(Duration::from_secs(25), claim)
        .await
        .expect("the claim answers by its deadline")
        .expect("the claim task");
    assert_eq!(jobs.len(), 1, "the waiting claim got no job");
    assert_eq!(jobs[0]["id"], id);
    let took = at.saturating_duration_since(since);
    assert!(
        took < PROMPTLY,
        "the waiting claim got the job only after {took:?}"
    );
}

async fn claim_now(runner: &Client) -> Value {
    let reply = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await;
    let jobs = reply.expect(200)["jobs"].as_array().unwrap().clone();
    assert_eq!(jobs.len(), 1, "expected a job to claim");
    jobs[0].clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn enqueue_wakes_a_waiting_claim() {
    let (_server, alice, _worker, waiter) = setup(QueueConfig::default()).await;
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    let job = alice.create_job("acme", json!({"type": "t"})).await;
    woken(claim, t0, &id(&job)).await;
}

#[tokio::test]
async fn idempotent_enqueue_wakes_a_waiting_claim() {
    let (_server, alice, _worker, waiter) = setup(QueueConfig::default()).await;
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    let reply = Client::send(
        alice
            .request(reqwest::Method::POST, &format!("{WS}/runner-jobs"))
            .header("Idempotency-Key", "k1")
            .json(&json!({"type": "t"})),
    )
    .await;
    woken(claim, t0, &id(reply.expect(201))).await;
}

#[tokio::test]
async fn a_batch_wakes_a_waiting_claim() {
    let (_server, alice, _worker, waiter) = setup(QueueConfig::default()).await;
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    let reply = alice
        .post(
            &format!("{WS}/runner-jobs/batch"),
            json!({"jobs": [{"type": "t"}]}),
        )
        .await;
    let job = reply.expect(201)["items"][0].clone();
    woken(claim, t0, &id(&job)).await;
}

#[tokio::test]
async fn a_retry_wakes_a_waiting_claim() {
    let (_server, alice, worker, waiter) = setup(QueueConfig::default()).await;
    let job = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim_now(&worker).await;
    worker
        .post(
            &format!("/v1/runner/jobs/{job}/fail"),
            json!({"attempt": 1, "error": "no", "retryable": false}),
        )
        .await
        .expect(200);
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    alice
        .post_empty(&format!("{WS}/runner-jobs/{job}/retry"))
        .await
        .expect(200);
    woken(claim, t0, &job).await;
}

#[tokio::test]
async fn a_retryable_failure_without_backoff_wakes_a_waiting_claim() {
    let (_server, alice, worker, waiter) = setup(QueueConfig::default()).await;
    let job = id(&alice
        .create_job("acme", json!({"type": "t", "backoff_seconds": 0}))
        .await);
    claim_now(&worker).await;
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    let failed = worker
        .post(
            &format!("/v1/runner/jobs/{job}/fail"),
            json!({"attempt": 1, "error": "flaky", "retryable": true}),
        )
        .await;
    assert_eq!(failed.expect(200)["status"], "QUEUED");
    woken(claim, t0, &job).await;
}

#[tokio::test]
async fn a_release_wakes_another_runners_waiting_claim() {
    let (_server, alice, worker, waiter) = setup(QueueConfig::default()).await;
    let job = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim_now(&worker).await;
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    worker
        .post(
            &format!("/v1/runner/jobs/{job}/release"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200);
    woken(claim, t0, &job).await;
}

#[tokio::test]
async fn resuming_a_task_wakes_a_waiting_claim() {
    let (_server, alice, _worker, waiter) = setup(QueueConfig::default()).await;
    let task = alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "t"}))
        .await;
    let task = id(task.expect(201));
    alice
        .post(&format!("{WS}/agent-tasks/{task}/pause"), json!({}))
        .await
        .expect(200);
    let job = alice
        .create_job("acme", json!({"type": "t", "agent_task_id": task}))
        .await;
    assert_eq!(job["status"], "PAUSED");
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    alice
        .post_empty(&format!("{WS}/agent-tasks/{task}/resume"))
        .await
        .expect(200);
    woken(claim, t0, &id(&job)).await;
}

#[tokio::test]
async fn an_approval_wakes_a_waiting_claim() {
    let (_server, alice, _worker, waiter) = setup(QueueConfig::default()).await;
    let job = alice
        .create_job("acme", json!({"type": "t", "requires_approval": true}))
        .await;
    assert_eq!(job["status"], "PENDING");
    let claim = waiting_claim(&waiter).await;
    let t0 = Instant::now();
    let approved = alice
        .post(&format!("{WS}/runner-jobs/{}/approve", id(&job)), json!({}))
        .await;
    assert_eq!(approved.expect(200)["status"], "QUEUED");
    woken(claim, t0, &id(&job)).await;
}

#[tokio::test]
async fn a_job_falling_due_wakes_a_waiting_claim() {
    let (_server, alice, _worker, waiter) = setup(brisk()).await;
    let due_in = Duration::from_millis(1500);
    let job = alice
        .create_job(
            "acme",
            json!({"type": "t", "run_after": chrono_in(due_in.as_millis() as i64)}),
        )
        .await;
    let due = Instant::now() + due_in;
    assert_eq!(job["status"], "PENDING");
    let claim = waiting_claim(&waiter).await;
    woken(claim, due, &id(&job)).await;
}

#[tokio::test]
async fn an_expired_lease_wakes_a_waiting_claim() {
    let (_server, alice, worker, waiter) = setup(brisk()).await;
    let job = id(&alice
        .create_job("acme", json!({"type": "t", "backoff_seconds": 0}))
        .await);
    claim_now(&worker).await;
    let expires = Instant::now() + brisk().lease;
    let claim = waiting_claim(&waiter).await;
    woken(claim, expires, &job).await;
}
