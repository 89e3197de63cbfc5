//! Steps per attempt: steps record their attempt, a new attempt starts with none (earlier
//! ones stay readable with `?attempt=`), and an attempt that ends without success closes
//! what it left open (`RUNNING` → `FAILED`, `PENDING` → `SKIPPED`).

use std::time::Duration;

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer, eventually};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

async fn put_step(runner: &Client, job: &str, attempt: i64, ordinal: u32, status: &str) {
    let path = format!("/v1/runner/jobs/{job}/steps/{ordinal}");
    let body = json!({"attempt": attempt, "name": format!("s{ordinal}"), "phase": "EXECUTION",
                      "type": "COMMAND", "status": status});
    Client::send(runner.request(reqwest::Method::PUT, &path).json(&body))
        .await
        .expect(200);
}

async fn steps(alice: &Client, job: &str, attempt: Option<i64>) -> Vec<(i64, String)> {
    let path = match attempt {
        Some(a) => format!("{JOBS}/{job}?attempt={a}"),
        None => format!("{JOBS}/{job}"),
    };
    alice.get(&path).await.expect(200)["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert!(s["attempt"].is_i64());
            (
                s["attempt"].as_i64().unwrap(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn claim(runner: &Client) -> Value {
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200)["jobs"][0]
        .clone()
}

#[tokio::test]
async fn each_attempt_has_its_own_steps_and_a_failed_one_closes_them() {
    let server = TestServer::start_with(QueueConfig {
        lease: Duration::from_millis(400),
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    let jid = alice
        .create_job(
            "acme",
            json!({"type": "t", "max_attempts": 5, "backoff_seconds": 0}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Attempt 1 fails with a step running, one pending and one done.
    assert_eq!(claim(&runner).await["attempt"], 1);
    put_step(&runner, &jid, 1, 0, "COMPLETED").await;
    put_step(&runner, &jid, 1, 1, "RUNNING").await;
    put_step(&runner, &jid, 1, 2, "PENDING").await;
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/fail"),
            json!({"attempt": 1, "error": "boom"}),
        )
        .await
        .expect(200);
    let closed = vec![
        (1, "COMPLETED".to_owned()),
        (1, "FAILED".to_owned()),
        (1, "SKIPPED".to_owned()),
    ];
    assert_eq!(steps(&alice, &jid, None).await, closed);

    // Attempt 2 starts with none; attempt 1's stay readable.
    assert_eq!(claim(&runner).await["attempt"], 2);
    assert!(steps(&alice, &jid, None).await.is_empty());
    put_step(&runner, &jid, 2, 0, "RUNNING").await;
    assert_eq!(steps(&alice, &jid, None).await, [(2, "RUNNING".to_owned())]);
    assert_eq!(steps(&alice, &jid, Some(1)).await, closed);

    // A suspend ends attempt 2: its running step fails.
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/suspend"),
            json!({"attempt": 2, "poll_after_seconds": 0}),
        )
        .await
        .expect(200);
    assert_eq!(
        steps(&alice, &jid, Some(2)).await,
        [(2, "FAILED".to_owned())]
    );

    // A lost lease ends attempt 3 the same way.
    eventually(10, || {
        let alice = alice.clone();
        let jid = jid.clone();
        async move { alice.get(&format!("{JOBS}/{jid}")).await.expect(200)["status"] == "QUEUED" }
    })
    .await;
    assert_eq!(claim(&runner).await["attempt"], 3);
    put_step(&runner, &jid, 3, 0, "PENDING").await;
    eventually(10, || {
        let alice = alice.clone();
        let jid = jid.clone();
        async move { steps(&alice, &jid, Some(3)).await == [(3, "SKIPPED".to_owned())] }
    })
    .await;
}
