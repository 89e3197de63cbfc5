//! Approval timeouts over HTTP: a job (or a gate) waiting for an approval past its
//! `approval_timeout_seconds` is rejected by the system and fails (`approval_timeout`),
//! with the rejection recorded and the usual event; a decision in time stops the clock;
//! bad values are refused naming the field.

use std::time::Duration;

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer, eventually};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

async fn setup() -> (TestServer, Client, Client) {
    let server = TestServer::start_with(QueueConfig {
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

async fn job(alice: &Client, id: &str) -> Value {
    alice.get(&format!("{JOBS}/{id}")).await.expect(200).clone()
}

/// Waits until job `id` is `FAILED`; returns it.
async fn failed(alice: &Client, id: &str) -> Value {
    eventually(10, || {
        let alice = alice.clone();
        let id = id.to_owned();
        async move { job(&alice, &id).await["status"] == "FAILED" }
    })
    .await;
    job(alice, id).await
}

/// The system's rejection: recorded, the job failed with `approval_timeout`, one
/// `job_failed` event saying so.
fn assert_timed_out(j: &Value) {
    assert_eq!(j["status"], "FAILED", "{j}");
    assert_eq!(j["failure_kind"], "approval_timeout", "{j}");
    assert_eq!(j["requires_approval"], false, "{j}");
    assert!(j["approval_deadline"].is_null(), "{j}");
    assert!(j["finished_at"].is_string(), "{j}");
    let approvals = j["approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 1, "{j}");
    assert_eq!(approvals[0]["decision"], "rejected");
    assert_eq!(approvals[0]["decided_by"], "system");
    assert!(
        approvals[0]["comment"]
            .as_str()
            .unwrap()
            .contains("approval_timeout_seconds"),
        "{j}"
    );
    let events: Vec<&Value> = j["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "job_failed")
        .collect();
    assert_eq!(events.len(), 1, "{j}");
    assert_eq!(events[0]["payload"]["reason"], "approval_timeout");
    assert_eq!(events[0]["actor"], "system", "{j}");
}

#[tokio::test]
async fn a_job_held_for_approval_fails_when_nobody_decides_in_time() {
    let (_server, alice, _runner) = setup().await;
    let held = alice
        .create_job(
            "acme",
            json!({"type": "deploy", "requires_approval": true, "approval_timeout_seconds": 1}),
        )
        .await;
    assert_eq!(held["status"], "PENDING");
    assert_eq!(held["approval_timeout_seconds"], 1);
    let created =
        chrono::DateTime::parse_from_rfc3339(held["created_at"].as_str().unwrap()).unwrap();
    let deadline =
        chrono::DateTime::parse_from_rfc3339(held["approval_deadline"].as_str().unwrap()).unwrap();
    assert_eq!((deadline - created).num_seconds(), 1, "{held}");
    let id = held["id"].as_str().unwrap();
    let j = failed(&alice, id).await;
    assert_timed_out(&j);
    assert!(j["approvals"][0]["step_id"].is_null());
    // It no longer waits: a late decision is refused.
    alice
        .post(&format!("{JOBS}/{id}/approve"), json!({}))
        .await
        .expect_problem(409, "not_awaiting_approval");
}

#[tokio::test]
async fn a_gate_fails_when_nobody_decides_in_time() {
    let (_server, alice, runner) = setup().await;
    // The timeout without requires_approval: it applies to the job's gates.
    let created = alice
        .create_job(
            "acme",
            json!({"type": "deploy", "approval_timeout_seconds": 1}),
        )
        .await;
    assert_eq!(created["status"], "QUEUED");
    assert!(created["approval_deadline"].is_null(), "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);
    runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{id}/steps/1"),
        )
        .json(
            &json!({"attempt": 1, "name": "ship?", "phase": "EXECUTION", "type": "GATE",
                      "status": "WAITING"}),
        )
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let waiting = job(&alice, &id).await;
    assert_eq!(waiting["status"], "PENDING", "{waiting}");
    assert!(waiting["approval_deadline"].is_string(), "{waiting}");
    let j = failed(&alice, &id).await;
    assert_timed_out(&j);
    assert_eq!(j["approvals"][0]["step_id"], j["steps"][0]["id"], "{j}");
    assert_eq!(j["steps"][0]["status"], "FAILED", "{j}");
}

#[tokio::test]
async fn an_approval_in_time_stops_the_clock() {
    let (_server, alice, _runner) = setup().await;
    let held = alice
        .create_job(
            "acme",
            json!({"type": "deploy", "requires_approval": true, "approval_timeout_seconds": 1}),
        )
        .await;
    let id = held["id"].as_str().unwrap();
    let approved = alice
        .post(&format!("{JOBS}/{id}/approve"), json!({"comment": "go"}))
        .await
        .expect(200)
        .clone();
    assert_eq!(approved["status"], "QUEUED");
    assert!(approved["approval_deadline"].is_null(), "{approved}");
    // Well past the deadline: the sweeper left it alone.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let j = job(&alice, id).await;
    assert_eq!(j["status"], "QUEUED", "{j}");
    assert!(j["failure_kind"].is_null(), "{j}");
    let approvals = j["approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 1, "{j}");
    assert_eq!(approvals[0]["decision"], "approved");
    assert_eq!(approvals[0]["decided_by"], "user:alice");
}

#[tokio::test]
async fn bad_timeouts_are_refused_naming_the_field() {
    let (_server, alice, _runner) = setup().await;
    for bad in [json!(0), json!(-5), json!(2_592_001)] {
        let one = json!({"type": "t", "requires_approval": true, "approval_timeout_seconds": bad});
        let problem = alice
            .post(JOBS, one.clone())
            .await
            .expect_problem(422, "validation_failed")
            .clone();
        assert!(
            problem.to_string().contains("approval_timeout_seconds"),
            "{problem}"
        );
        let batch = json!({"jobs": [{"type": "fine"}, one]});
        let problem = alice
            .post(&format!("{JOBS}/batch"), batch)
            .await
            .expect_problem(422, "validation_failed")
            .clone();
        assert!(
            problem.to_string().contains("approval_timeout_seconds"),
            "{problem}"
        );
    }
    // Nothing of a refused batch was written.
    let list = alice.get(JOBS).await.expect(200).clone();
    assert_eq!(list["items"], json!([]), "{list}");
    // The longest allowed is 30 days.
    let longest = alice
        .create_job(
            "acme",
            json!({"type": "t", "requires_approval": true, "approval_timeout_seconds": 2_592_000}),
        )
        .await;
    assert_eq!(longest["approval_timeout_seconds"], 2_592_000);
}
