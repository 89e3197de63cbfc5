//! Commands to jobs: sent by members with a gap-free seq, handed to the runner in the
//! heartbeat answer (once per attempt) or by long-poll, acknowledged with fencing, and
//! handed again to the next attempt until acknowledged.

use std::time::{Duration, Instant};

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

async fn claim(runner: &Client) -> Vec<Value> {
    let reply = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await;
    reply.expect(200)["jobs"].as_array().unwrap().clone()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn send(alice: &Client, job: &str, kind: &str, text: &str) -> Value {
    alice
        .post(
            &format!("{JOBS}/{job}/commands"),
            json!({"type": kind, "payload": {"text": text}}),
        )
        .await
        .expect(201)
        .clone()
}

async fn heartbeat(runner: &Client, job: &str, attempt: i64) -> Vec<Value> {
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/heartbeat"),
            json!({"attempt": attempt}),
        )
        .await
        .expect(200)["commands"]
        .as_array()
        .unwrap()
        .clone()
}

fn seqs(commands: &[Value]) -> Vec<i64> {
    commands
        .iter()
        .map(|c| c["seq"].as_i64().unwrap())
        .collect()
}

async fn listed(alice: &Client, job: &str) -> Vec<Value> {
    alice
        .get(&format!("{JOBS}/{job}/commands"))
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn commands_arrive_in_order_once_per_attempt_and_survive_a_crash() {
    let (server, alice, runner) = setup(QueueConfig {
        lease: Duration::from_millis(400),
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;
    let jid = id(&alice
        .create_job(
            "acme",
            json!({"type": "t", "max_attempts": 3, "backoff_seconds": 0}),
        )
        .await);
    // Sent before the job runs: pending, numbered 1, 2, 3.
    for (n, text) in ["one", "two", "three"].iter().enumerate() {
        let c = send(&alice, &jid, "user_turn", text).await;
        assert_eq!(c["seq"], n as i64 + 1);
        assert_eq!(c["status"], "pending");
        assert_eq!(c["created_by"], "user:alice");
    }
    assert_eq!(claim(&runner).await[0]["attempt"], 1);

    // The first heartbeat hands all three in order; the next hands none again.
    let got = heartbeat(&runner, &jid, 1).await;
    assert_eq!(seqs(&got), [1, 2, 3]);
    assert_eq!(got[1]["payload"], json!({"text": "two"}));
    assert!(heartbeat(&runner, &jid, 1).await.is_empty());
    // A fourth arrives with the next heartbeat, alone.
    send(&alice, &jid, "steer", "four").await;
    assert_eq!(seqs(&heartbeat(&runner, &jid, 1).await), [4]);

    // Acknowledge 1 (twice: the same answer) and 2.
    let ack = |seq: i64, attempt: i64| {
        let runner = runner.clone();
        let jid = jid.clone();
        async move {
            runner
                .post(
                    &format!("/v1/runner/jobs/{jid}/commands/{seq}/ack"),
                    json!({"attempt": attempt, "result": {"ok": seq}}),
                )
                .await
        }
    };
    let first = ack(1, 1).await.expect(200).clone();
    assert_eq!(first["status"], "acked");
    assert_eq!(first["acked_attempt"], 1);
    assert_eq!(ack(1, 1).await.expect(200)["acked_at"], first["acked_at"]);
    ack(2, 1).await.expect(200);
    ack(99, 1).await.expect_problem(404, "not_found");
    let statuses: Vec<Value> = listed(&alice, &jid)
        .await
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(statuses, ["acked", "acked", "delivered", "delivered"]);

    // The runner crashes: its lease runs out and the job runs again as attempt 2, which
    // is handed the unacknowledged commands again, in order, once.
    eventually(10, || {
        let alice = alice.clone();
        let jid = jid.clone();
        async move {
            let j = alice.get(&format!("{JOBS}/{jid}")).await;
            j.expect(200)["status"] == "QUEUED"
        }
    })
    .await;
    assert_eq!(claim(&runner).await[0]["attempt"], 2);
    // The crashed attempt can no longer acknowledge.
    ack(3, 1).await.expect_problem(409, "lease_lost");
    let again = heartbeat(&runner, &jid, 2).await;
    assert_eq!(seqs(&again), [3, 4]);
    assert!(heartbeat(&runner, &jid, 2).await.is_empty());
    ack(3, 2).await.expect(200);
    ack(4, 2).await.expect(200);
    let all = listed(&alice, &jid).await;
    assert_eq!(all[3]["acked_attempt"], 2);
    assert_eq!(all[3]["delivered_attempt"], 2);

    // Each send and each acknowledgement is in the job's history.
    let detail = alice
        .get(&format!("{JOBS}/{jid}"))
        .await
        .expect(200)
        .clone();
    let count = |kind: &str| {
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == kind)
            .count()
    };
    assert_eq!(count("job_command_sent"), 4);
    assert_eq!(count("job_command_acked"), 4);

    // A finished job takes no commands; one it never acknowledged reads as expired.
    send(&alice, &jid, "steer", "five").await;
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/complete"),
            json!({"attempt": 2}),
        )
        .await
        .expect(200);
    alice
        .post(&format!("{JOBS}/{jid}/commands"), json!({"type": "steer"}))
        .await
        .expect_problem(409, "job_finished");
    let all = listed(&alice, &jid).await;
    assert_eq!(all.len(), 5);
    assert_eq!(all[4]["status"], "expired");
    assert_eq!(all[0]["status"], "acked");

    // Who may send and list; bad input is named.
    alice.add_member("acme", "vic", "viewer").await;
    let vic = server.client("vic");
    let other = id(&alice.create_job("acme", json!({"type": "t"})).await);
    vic.post(&format!("{JOBS}/{other}/commands"), json!({"type": "x"}))
        .await
        .expect_problem(403, "forbidden");
    assert!(listed(&vic, &other).await.is_empty());
    server
        .client("mallory")
        .get(&format!("{JOBS}/{other}/commands"))
        .await
        .expect_problem(404, "not_found");
    for body in [
        json!({"type": ""}),
        json!({"type": "x".repeat(101)}),
        json!({"type": "x", "payload": {"t": "y".repeat(70_000)}}),
    ] {
        alice
            .post(&format!("{JOBS}/{other}/commands"), body)
            .await
            .expect_problem(422, "validation_failed");
    }
    alice
        .post(&format!("{JOBS}/{other}/commands"), json!({"type": 5}))
        .await
        .expect(400);
}

#[tokio::test]
async fn a_long_poll_wakes_when_a_command_arrives() {
    let (_server, alice, runner) = setup(QueueConfig::default()).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner).await;

    // Nothing there: an empty answer at the deadline.
    let started = Instant::now();
    let empty = runner
        .get(&format!(
            "/v1/runner/jobs/{jid}/commands?attempt=1&wait_seconds=1"
        ))
        .await
        .expect(200)
        .clone();
    assert_eq!(empty["commands"], json!([]));
    assert!(started.elapsed() >= Duration::from_millis(900));

    let poll = {
        let runner = runner.clone();
        let jid = jid.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let reply = runner
                .get(&format!(
                    "/v1/runner/jobs/{jid}/commands?attempt=1&after_seq=0&wait_seconds=30"
                ))
                .await;
            (reply.expect(200).clone(), started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    send(&alice, &jid, "user_turn", "hello").await;
    let (got, took) = poll.await.unwrap();
    assert_eq!(seqs(got["commands"].as_array().unwrap()), [1]);
    assert!(
        took < Duration::from_secs(5),
        "woken, not timed out: {took:?}"
    );

    // after_seq is where the runner is: asking again from 0 hands it again, from 1 not.
    let again = runner
        .get(&format!("/v1/runner/jobs/{jid}/commands?attempt=1"))
        .await
        .expect(200)
        .clone();
    assert_eq!(seqs(again["commands"].as_array().unwrap()), [1]);
    let none = runner
        .get(&format!(
            "/v1/runner/jobs/{jid}/commands?attempt=1&after_seq=1"
        ))
        .await
        .expect(200)
        .clone();
    assert_eq!(none["commands"], json!([]));
    // A stale attempt is refused.
    runner
        .get(&format!("/v1/runner/jobs/{jid}/commands?attempt=7"))
        .await
        .expect_problem(409, "lease_lost");
}

#[tokio::test]
async fn a_command_wakes_a_suspended_job() {
    let (_server, alice, runner) = setup(QueueConfig::default()).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/suspend"),
            json!({"attempt": 1, "poll_after_seconds": 3600, "state": {"step": 2}}),
        )
        .await
        .expect(200);
    send(&alice, &jid, "user_turn", "the answer").await;
    let job = alice
        .get(&format!("{JOBS}/{jid}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(job["status"], "QUEUED");
    let woken = job["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "job_woken")
        .unwrap()
        .clone();
    assert_eq!(woken["payload"]["reason"], "command");
    assert_eq!(woken["payload"]["seq"], 1);
    let claimed = claim(&runner).await;
    assert_eq!(claimed[0]["attempt"], 2);
    assert_eq!(claimed[0]["suspended_state"], json!({"step": 2}));
    assert_eq!(seqs(&heartbeat(&runner, &jid, 2).await), [1]);
}
