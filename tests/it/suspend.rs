//! Suspend: a runner hands a job back to wait until a poll time, spending no attempt;
//! the promoter queues it again (or fails it past `max_wait_until`), a user may wake it
//! early, and the next claim gets the state the runner kept.

use std::time::{Duration, Instant};

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer, eventually};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

async fn setup(sweep_ms: u64) -> (TestServer, Client, Client) {
    let server = TestServer::start_with(QueueConfig {
        sweep_interval: Duration::from_millis(sweep_ms),
        ..QueueConfig::default()
    })
    .await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

async fn claim(runner: &Client) -> Vec<Value> {
    let reply = runner
        .post("/v1/runner/claim", json!({"max_jobs": 10}))
        .await;
    reply.expect(200)["jobs"].as_array().unwrap().clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn job(alice: &Client, id: &str) -> Value {
    alice.get(&format!("{JOBS}/{id}")).await.expect(200).clone()
}

fn events(job: &Value) -> Vec<String> {
    job["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn suspend(runner: &Client, job: &str, body: Value) -> Value {
    runner
        .post(&format!("/v1/runner/jobs/{job}/suspend"), body)
        .await
        .expect(200)
        .clone()
}

#[tokio::test]
async fn a_suspend_spends_no_attempt_and_the_promoter_wakes_it_with_its_state() {
    let sweep = Duration::from_millis(200);
    let (_server, alice, runner) = setup(sweep.as_millis() as u64).await;
    let jid = id(&alice
        .create_job(
            "acme",
            json!({"type": "t", "max_attempts": 2, "backoff_seconds": 0}),
        )
        .await);

    let first = claim(&runner).await;
    assert_eq!(first[0]["attempt"], 1);
    assert_eq!(first[0]["suspended_state"], Value::Null);
    let poll = Duration::from_millis(700);
    let suspended_at = Instant::now();
    let j = suspend(
        &runner,
        &jid,
        json!({"attempt": 1, "poll_after_seconds": poll.as_secs_f64(), "state": {"batch": "b-1"}}),
    )
    .await;
    assert_eq!(j["status"], "SUSPENDED");
    assert_eq!(j["lease"], Value::Null);
    assert_eq!(j["suspensions"], 1);
    assert!(j["next_poll_at"].is_string());
    assert_eq!(j["max_wait_until"], Value::Null);

    // Nothing to claim while it waits; listed as SUSPENDED.
    assert!(claim(&runner).await.is_empty());
    let listed = alice
        .get(&format!("{JOBS}?status=SUSPENDED"))
        .await
        .expect(200)
        .clone();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);

    // The stale attempt can do nothing more with it.
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/suspend"),
            json!({"attempt": 1, "poll_after_seconds": 1}),
        )
        .await
        .expect_problem(409, "lease_lost");

    // Queued again within one sweep of its poll time, not before.
    let mut queued_after = None;
    while queued_after.is_none() {
        let status = job(&alice, &jid).await["status"].clone();
        if status == "QUEUED" {
            queued_after = Some(suspended_at.elapsed());
        } else {
            assert_eq!(status, "SUSPENDED");
            assert!(
                suspended_at.elapsed() < poll + sweep + Duration::from_secs(2),
                "the promoter did not wake the job"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let queued_after = queued_after.unwrap();
    assert!(queued_after >= poll, "woken early: {queued_after:?}");
    assert!(
        queued_after <= poll + sweep + Duration::from_millis(500),
        "woken late: {queued_after:?}"
    );

    // The next claim is a new attempt with the state handed back.
    let second = claim(&runner).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0]["attempt"], 2);
    assert_eq!(second[0]["suspended_state"], json!({"batch": "b-1"}));
    // The old attempt is fenced off.
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect_problem(409, "lease_lost");

    // Attempt 2 of max 2 fails retryably: the suspend did not count, so it runs again.
    let j = runner
        .post(
            &format!("/v1/runner/jobs/{jid}/fail"),
            json!({"attempt": 2, "error": "flaky"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(j["status"], "QUEUED", "{j}");
    assert_eq!(j["failure_kind"], Value::Null);
    let third = claim(&runner).await;
    assert_eq!(third[0]["attempt"], 3);
    let j = runner
        .post(
            &format!("/v1/runner/jobs/{jid}/fail"),
            json!({"attempt": 3, "error": "flaky"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(j["status"], "FAILED");
    assert_eq!(j["failure_kind"], "max_attempts");

    let detail = job(&alice, &jid).await;
    let kinds = events(&detail);
    assert!(kinds.contains(&"job_suspended".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"job_woken".to_owned()), "{kinds:?}");
    let woken = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "job_woken")
        .unwrap()
        .clone();
    assert_eq!(woken["actor"], "system");
    assert_eq!(woken["payload"]["reason"], "poll");
}

#[tokio::test]
async fn past_max_wait_until_a_suspended_job_fails() {
    let (_server, alice, runner) = setup(100).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner).await;
    let deadline = chrono::Utc::now() + chrono::Duration::milliseconds(600);
    suspend(
        &runner,
        &jid,
        json!({"attempt": 1, "poll_after_seconds": 3600, "max_wait_until": deadline}),
    )
    .await;
    eventually(10, || {
        let alice = alice.clone();
        let jid = jid.clone();
        async move { job(&alice, &jid).await["status"] == "FAILED" }
    })
    .await;
    let j = job(&alice, &jid).await;
    assert_eq!(j["failure_kind"], "suspend_timeout");
    assert_eq!(j["next_poll_at"], Value::Null);
    assert!(j["finished_at"].is_string());
    let listed = alice
        .get(&format!("{JOBS}?failure_kind=suspend_timeout"))
        .await
        .expect(200)
        .clone();
    assert_eq!(listed["items"][0]["id"], jid);
    // A retry starts over.
    let retried = alice
        .post_empty(&format!("{JOBS}/{jid}/retry"))
        .await
        .expect(200)
        .clone();
    assert_eq!(retried["status"], "QUEUED");
    assert_eq!(retried["suspensions"], 0);
    let again = claim(&runner).await;
    assert_eq!(again[0]["attempt"], 1);
    assert_eq!(again[0]["suspended_state"], Value::Null);
}

#[tokio::test]
async fn a_member_wakes_a_suspended_job_and_bad_suspends_are_named() {
    let (server, alice, runner) = setup(1000).await;
    alice.add_member("acme", "vic", "viewer").await;
    let vic = server.client("vic");
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    let other = id(&alice.create_job("acme", json!({"type": "t"})).await);
    let claimed = claim(&runner).await;
    assert_eq!(claimed.len(), 2);
    let path = format!("/v1/runner/jobs/{jid}/suspend");

    for (body, field) in [
        (json!({"attempt": 1}), "poll_after_seconds"),
        (
            json!({"attempt": 1, "poll_after_seconds": 1, "until": "2030-01-01T00:00:00Z"}),
            "poll_after_seconds",
        ),
        (
            json!({"attempt": 1, "poll_after_seconds": -1}),
            "poll_after_seconds",
        ),
        (
            json!({"attempt": 1, "until": "2999-01-01T00:00:00Z"}),
            "until",
        ),
        (
            json!({"attempt": 1, "poll_after_seconds": 1, "max_wait_until": "2001-01-01T00:00:00Z"}),
            "max_wait_until",
        ),
        (
            json!({"attempt": 1, "poll_after_seconds": 1, "state": {"x": "y".repeat(70_000)}}),
            "state",
        ),
    ] {
        let problem = runner
            .post(&path, body.clone())
            .await
            .expect_problem(422, "validation_failed")
            .clone();
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    runner
        .post(&path, json!({"attempt": 1, "poll_after_seconds": "soon"}))
        .await
        .expect(400);
    assert_eq!(job(&alice, &jid).await["status"], "RUNNING");

    let until = chrono::Utc::now() + chrono::Duration::hours(1);
    let j = suspend(&runner, &jid, json!({"attempt": 1, "until": until})).await;
    assert_eq!(j["status"], "SUSPENDED");
    let wake = format!("{JOBS}/{jid}/wake");
    vic.post_empty(&wake).await.expect_problem(403, "forbidden");
    server
        .client("mallory")
        .post_empty(&wake)
        .await
        .expect_problem(404, "not_found");
    let woken = alice.post_empty(&wake).await.expect(200).clone();
    assert_eq!(woken["status"], "QUEUED");
    assert_eq!(woken["next_poll_at"], Value::Null);
    alice
        .post_empty(&wake)
        .await
        .expect_problem(409, "not_suspended");
    let again = claim(&runner).await;
    assert_eq!(again[0]["attempt"], 2);
    let detail = job(&alice, &jid).await;
    let woken = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "job_woken")
        .unwrap()
        .clone();
    assert_eq!(woken["actor"], "user:alice");

    // A suspended job is cancelled at once.
    suspend(
        &runner,
        &other,
        json!({"attempt": 1, "poll_after_seconds": 3600}),
    )
    .await;
    let cancelled = alice
        .post(
            &format!("{JOBS}/{other}/cancel"),
            json!({"reason": "gave up"}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(cancelled["failure_kind"], "cancelled");
    assert_eq!(cancelled["next_poll_at"], Value::Null);

    // A job whose cancel was asked is cancelled instead of suspended.
    alice
        .post_empty(&format!("{JOBS}/{jid}/cancel"))
        .await
        .expect(200);
    let j = suspend(
        &runner,
        &jid,
        json!({"attempt": 2, "poll_after_seconds": 5}),
    )
    .await;
    assert_eq!(j["status"], "CANCELLED");
    assert_eq!(j["failure_kind"], "cancelled");
}
