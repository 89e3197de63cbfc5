//! Why a job ended: `failure_kind` on every path that finishes a job without success,
//! the list filter on it, and a cancel that records who asked and why.

use std::time::Duration;

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer, eventually};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

async fn setup(queue: QueueConfig) -> (TestServer, Client, Client) {
    let server = TestServer::start_with(queue).await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

async fn claim_one(runner: &Client) -> Value {
    let reply = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await;
    let jobs = reply.expect(200)["jobs"].as_array().unwrap().clone();
    assert_eq!(jobs.len(), 1, "one job to claim");
    jobs[0].clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn job(alice: &Client, id: &str) -> Value {
    alice.get(&format!("{JOBS}/{id}")).await.expect(200).clone()
}

async fn create(alice: &Client, body: Value) -> String {
    id(&alice.create_job("acme", body).await)
}

#[tokio::test]
async fn every_way_a_job_ends_badly_is_named() {
    let (_server, alice, runner) = setup(QueueConfig {
        lease: Duration::from_millis(300),
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;

    // A non-retryable failure: error.
    let errored = create(&alice, json!({"type": "t", "max_attempts": 3})).await;
    let c = claim_one(&runner).await;
    assert_eq!(id(&c), errored);
    runner
        .post(
            &format!("/v1/runner/jobs/{errored}/fail"),
            json!({"attempt": 1, "error": "boom", "retryable": false}),
        )
        .await
        .expect(200);
    let j = job(&alice, &errored).await;
    assert_eq!(j["status"], "FAILED");
    assert_eq!(j["failure_kind"], "error");

    // A retryable failure on the last attempt: max_attempts. A retry clears it.
    let spent = create(&alice, json!({"type": "t", "max_attempts": 1})).await;
    claim_one(&runner).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{spent}/fail"),
            json!({"attempt": 1, "error": "flaky"}),
        )
        .await
        .expect(200);
    assert_eq!(job(&alice, &spent).await["failure_kind"], "max_attempts");
    let retried = alice
        .post_empty(&format!("{JOBS}/{spent}/retry"))
        .await
        .expect(200)
        .clone();
    assert_eq!(retried["status"], "QUEUED");
    assert_eq!(retried["failure_kind"], Value::Null);
    claim_one(&runner).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{spent}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200);
    assert_eq!(job(&alice, &spent).await["failure_kind"], Value::Null);

    // A runner that stops heartbeating on the last attempt: lease_expired.
    let lost = create(&alice, json!({"type": "t", "max_attempts": 1})).await;
    claim_one(&runner).await;
    eventually(10, || {
        let alice = alice.clone();
        let lost = lost.clone();
        async move { job(&alice, &lost).await["status"] == "FAILED" }
    })
    .await;
    assert_eq!(job(&alice, &lost).await["failure_kind"], "lease_expired");

    // An attempt past its timeout: timeout.
    let slow = create(
        &alice,
        json!({"type": "t", "max_attempts": 1, "timeout_seconds": 1}),
    )
    .await;
    let c = claim_one(&runner).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while job(&alice, &slow).await["status"] == "RUNNING" {
        assert!(
            std::time::Instant::now() < deadline,
            "the attempt timed out"
        );
        // Keep the lease, so only the timeout can end the attempt.
        runner
            .post(
                &format!("/v1/runner/jobs/{slow}/heartbeat"),
                json!({"attempt": c["attempt"]}),
            )
            .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(job(&alice, &slow).await["failure_kind"], "timeout");

    // Rejected at an approval: rejected.
    let gated = create(&alice, json!({"type": "t", "requires_approval": true})).await;
    alice
        .post(&format!("{JOBS}/{gated}/reject"), json!({"comment": "no"}))
        .await
        .expect(200);
    let j = job(&alice, &gated).await;
    assert_eq!(j["status"], "CANCELLED");
    assert_eq!(j["failure_kind"], "rejected");

    // The list filters on it (several at once, any case); unknown kinds are a 422.
    let page = alice
        .get(&format!("{JOBS}?failure_kind=error,LEASE_EXPIRED"))
        .await
        .expect(200)
        .clone();
    let mut ids: Vec<String> = page["items"].as_array().unwrap().iter().map(id).collect();
    ids.sort();
    let mut want = vec![errored.clone(), lost.clone()];
    want.sort();
    assert_eq!(ids, want);
    let page = alice
        .get(&format!("{JOBS}?failure_kind=rejected&status=CANCELLED"))
        .await
        .expect(200)
        .clone();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let problem = alice
        .get(&format!("{JOBS}?failure_kind=bored"))
        .await
        .expect_problem(422, "validation_failed")
        .clone();
    assert!(problem.to_string().contains("failure_kind"), "{problem}");
}

#[tokio::test]
async fn a_cancel_records_who_and_why() {
    let (server, alice, runner) = setup(QueueConfig::default()).await;
    alice.add_member("acme", "meg", "member").await;
    let meg = server.client("meg");

    // Not running: cancelled at once, with the reason and who asked.
    let waiting = create(
        &alice,
        json!({"type": "t", "run_after": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let j = meg
        .post(
            &format!("{JOBS}/{waiting}/cancel"),
            json!({"reason": "  not needed  "}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(j["status"], "CANCELLED");
    assert_eq!(j["failure_kind"], "cancelled");
    assert_eq!(j["cancelled_by"], "user:meg");
    assert_eq!(j["cancel_reason"], "not needed");
    let detail = job(&alice, &waiting).await;
    let event = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "job_cancelled")
        .unwrap()
        .clone();
    assert_eq!(event["actor"], "user:meg");
    assert_eq!(event["payload"]["reason"], "not needed");

    // Running: the request is recorded at once; the job ends cancelled when its runner
    // reports back. No body at all is fine too.
    let running = create(&alice, json!({"type": "t"})).await;
    let c = claim_one(&runner).await;
    let j = alice
        .post_empty(&format!("{JOBS}/{running}/cancel"))
        .await
        .expect(200)
        .clone();
    assert_eq!(j["status"], "RUNNING");
    assert_eq!(j["cancelled_by"], "user:alice");
    assert_eq!(j["cancel_reason"], Value::Null);
    runner
        .post(
            &format!("/v1/runner/jobs/{running}/fail"),
            json!({"attempt": c["attempt"], "error": "stopped"}),
        )
        .await
        .expect(200);
    let j = job(&alice, &running).await;
    assert_eq!(j["status"], "CANCELLED");
    assert_eq!(j["failure_kind"], "cancelled");

    // Bad input is named.
    let other = create(&alice, json!({"type": "t"})).await;
    alice
        .post(&format!("{JOBS}/{other}/cancel"), json!({"reason": 5}))
        .await
        .expect(400);
    alice
        .post(
            &format!("{JOBS}/{other}/cancel"),
            json!({"reason": "x".repeat(1001)}),
        )
        .await
        .expect_problem(422, "validation_failed");
    alice
        .post(&format!("{JOBS}/{other}/cancel"), json!({"why": "x"}))
        .await
        .expect(400);
    assert_eq!(job(&alice, &other).await["status"], "QUEUED");
}
