//! The records a job keeps: log lines with level, step and metadata, read back through
//! their filters.

use std::time::Duration;

use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

async fn setup() -> (TestServer, Client, Client) {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

/// Creates a job and claims it; returns its id.
async fn running_job(alice: &Client, runner: &Client) -> String {
    let job = alice.create_job("acme", json!({"type": "t"})).await;
    let claimed = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200)["jobs"]
        .clone();
    assert_eq!(claimed[0]["id"], job["id"]);
    job["id"].as_str().unwrap().to_owned()
}

fn seqs(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["seq"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn log_lines_carry_level_step_and_metadata_and_reads_filter_on_them() {
    let (_server, alice, runner) = setup().await;
    let id = running_job(&alice, &runner).await;
    let logs = format!("/v1/runner/jobs/{id}/logs");
    let first = json!({"attempt": 1, "entries": [
        {"seq": 1, "stream": "stdout", "body": "plain"},
        {"seq": 2, "stream": "stdout", "body": "dbg", "level": "debug", "step_ordinal": 0},
        {"seq": 3, "stream": "stderr", "body": "careful", "level": "warn", "step_ordinal": 1,
         "metadata": {"file": "a.rs", "api_key": "sk-in-metadata"}},
    ]});
    assert_eq!(runner.post(&logs, first).await.expect(200)["accepted"], 3);
    // A later batch, in a transaction of its own: its lines alone are at or after its time.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = json!({"attempt": 1, "entries": [
        {"seq": 4, "stream": "stderr", "body": "boom", "level": "error", "step_ordinal": 1},
        {"seq": 5, "stream": "stdout", "body": "info", "level": "info"},
    ]});
    runner.post(&logs, second).await.expect(200);

    let all = alice
        .get(&format!("{JOBS}/{id}/logs"))
        .await
        .expect(200)
        .clone();
    assert_eq!(seqs(&all), [1, 2, 3, 4, 5]);
    let warn = &all["items"][2];
    assert_eq!(warn["level"], "warn");
    assert_eq!(warn["step_ordinal"], 1);
    assert_eq!(warn["metadata"]["file"], "a.rs");
    assert_eq!(warn["metadata"]["api_key"], "[redacted]");
    assert!(all["items"][0]["level"].is_null());

    let read = |query: String| {
        let alice = alice.clone();
        let id = id.clone();
        async move {
            let reply = alice.get(&format!("{JOBS}/{id}/logs?{query}")).await;
            seqs(reply.expect(200))
        }
    };
    // Minimum level; a line without one counts as info.
    assert_eq!(read("level=debug".into()).await, [1, 2, 3, 4, 5]);
    assert_eq!(read("level=info".into()).await, [1, 3, 4, 5]);
    assert_eq!(read("level=warn".into()).await, [3, 4]);
    assert_eq!(read("level=error".into()).await, [4]);
    assert_eq!(read("step=1".into()).await, [3, 4]);
    assert_eq!(read("step=0&level=warn".into()).await, Vec::<i64>::new());
    let cut = all["items"][3]["created_at"].as_str().unwrap().to_owned();
    let enc = |t: &str| t.replace('+', "%2B").replace(':', "%3A");
    assert_eq!(read(format!("since={}", enc(&cut))).await, [4, 5]);
    assert_eq!(read(format!("until={}", enc(&cut))).await, [1, 2, 3]);
    assert_eq!(read(format!("until={}&level=warn", enc(&cut))).await, [3]);

    for bad in ["level=loud", "step=-1", "since=yesterday"] {
        let reply = alice.get(&format!("{JOBS}/{id}/logs?{bad}")).await;
        assert!(
            reply.status == 400 || reply.status == 422,
            "{bad}: {} {}",
            reply.status,
            reply.text
        );
    }
    let reply = alice
        .get(&format!(
            "{JOBS}/{id}/logs?since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z"
        ))
        .await;
    reply.expect_problem(422, "validation_failed");
    let refused = runner
        .post(
            &logs,
            json!({"attempt": 1, "entries": [{"seq": 6, "stream": "stdout", "body": "x", "metadata": [1]}]}),
        )
        .await;
    refused.expect_problem(422, "validation_failed");
}
