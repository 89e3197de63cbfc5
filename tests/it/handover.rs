//! Exact snapshot hand-over: after a task's pause and resume, each job's first claim gets
//! what that job handed back, a job that never ran gets nothing, and later claims get
//! nothing; the task keeps its one (last) snapshot for users.

use std::time::Duration;

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const WS: &str = "/v1/workspaces/acme";

#[tokio::test]
async fn a_three_job_task_hands_each_job_only_its_own_state() {
    let server = TestServer::start_with(QueueConfig {
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    let task = alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "t"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let new_job = |priority: i64| {
        let alice = alice.clone();
        let task = task.clone();
        async move {
            alice
                .create_job(
                    "acme",
                    json!({"type": "agent", "agent_task_id": task, "priority": priority}),
                )
                .await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let claim = |max: u32| {
        let runner = runner.clone();
        async move {
            runner
                .post("/v1/runner/claim", json!({"max_jobs": max}))
                .await
                .expect(200)["jobs"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    // a and b run; c is held (it never runs before the pause).
    let a = new_job(10).await;
    let b = new_job(5).await;
    let claimed = claim(2).await;
    assert_eq!(claimed.len(), 2);
    let c = new_job(0).await;

    alice
        .post(&format!("{WS}/agent-tasks/{task}/pause"), json!({}))
        .await
        .expect(200);
    for (job, state) in [(&a, json!({"who": "a"})), (&b, json!({"who": "b"}))] {
        runner
            .post(
                &format!("/v1/runner/jobs/{job}/paused"),
                json!({"attempt": 1, "snapshot": state}),
            )
            .await
            .expect(200);
    }
    // Users read the task's one snapshot: the last hand-back.
    let snap = alice
        .get(&format!("{WS}/agent-tasks/{task}/snapshot"))
        .await
        .expect(200)
        .clone();
    assert_eq!(snap["log_snapshot"], json!({"who": "b"}));

    alice
        .post_empty(&format!("{WS}/agent-tasks/{task}/resume"))
        .await
        .expect(200);
    let claimed = claim(3).await;
    let handed = |id: &str| -> Value {
        claimed
            .iter()
            .find(|j| j["id"] == id)
            .unwrap_or_else(|| panic!("{id} claimed"))["resume_snapshot"]
            .clone()
    };
    assert_eq!(handed(&a), json!({"who": "a"}));
    assert_eq!(handed(&b), json!({"who": "b"}));
    assert_eq!(handed(&c), Value::Null, "c never ran: nothing to resume");

    // A claim after the resume was handed over gets nothing.
    runner
        .post(
            &format!("/v1/runner/jobs/{a}/release"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200);
    let again = claim(1).await;
    assert_eq!(again[0]["id"], a.as_str());
    assert_eq!(again[0]["resume_snapshot"], Value::Null);
}
