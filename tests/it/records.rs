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

/// Uploads `content` as artifact `name` of job `id`, attempt 1, with extra query `extra`.
async fn upload(
    runner: &Client,
    id: &str,
    name: &str,
    content: &str,
    extra: &str,
) -> runyard_testkit::Reply {
    let req = runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{id}/artifacts/{name}?attempt=1{extra}"),
        )
        .header("Content-Type", "text/plain")
        .body(content.to_owned());
    Client::send(req).await
}

#[tokio::test]
async fn artifacts_can_be_skipped_described_deleted_and_limited() {
    let (server, alice, runner) = setup().await;
    let id = running_job(&alice, &runner).await;
    let meta = "%7B%22rows%22%3A3%2C%22password%22%3A%22pw-meta%22%7D"; // {"rows":3,"password":"pw-meta"}
    let stored = upload(
        &runner,
        &id,
        "report.csv",
        "a,b\n",
        &format!("&step=2&metadata={meta}"),
    )
    .await;
    let stored = stored.expect(201).clone();
    assert_eq!(stored["status"], "uploaded");
    assert_eq!(stored["step_ordinal"], 2);
    assert_eq!(stored["metadata"]["rows"], 3);
    upload(&runner, &id, "x", "", "&metadata=%5B1%5D")
        .await
        .expect_problem(422, "validation_failed");

    // A declared artifact that was not produced.
    let skipped = runner
        .post(
            &format!("/v1/runner/jobs/{id}/artifacts/coverage.html/skip"),
            json!({"attempt": 1, "reason": "coverage.html was not produced", "step_ordinal": 3}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(skipped["status"], "skipped");
    assert_eq!(skipped["size"], 0);
    runner
        .post(
            &format!("/v1/runner/jobs/{id}/artifacts/y/skip"),
            json!({"attempt": 1, "reason": "  "}),
        )
        .await
        .expect_problem(422, "validation_failed");

    let list = alice
        .get(&format!("{JOBS}/{id}/artifacts"))
        .await
        .expect(200)
        .clone();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(items[0]["name"], "coverage.html");
    assert_eq!(items[0]["status"], "skipped");
    assert_eq!(items[0]["skip_reason"], "coverage.html was not produced");
    assert_eq!(items[0]["step_ordinal"], 3);
    assert_eq!(items[1]["metadata"]["password"], "[redacted]");
    // A skipped artifact has no content to download.
    alice
        .get(&format!("{JOBS}/{id}/artifacts/coverage.html"))
        .await
        .expect_problem(404, "not_found");

    // Only admins delete; then it is gone.
    alice.add_member("acme", "bob", "member").await;
    let bob = server.client("bob");
    let path = format!("{JOBS}/{id}/artifacts/report.csv");
    bob.delete(&path).await.expect_problem(403, "forbidden");
    assert_eq!(alice.delete(&path).await.status, 204);
    alice.get(&path).await.expect_problem(404, "not_found");
    alice.delete(&path).await.expect_problem(404, "not_found");

    // A byte limit per workspace: 429 naming the limit; replacing an artifact counts its
    // new size only.
    let patch = alice
        .request(reqwest::Method::PATCH, "/v1/workspaces/acme")
        .json(&json!({"settings": {"max_artifact_bytes": 10}}));
    Client::send(patch).await.expect(200);
    upload(&runner, &id, "a.txt", "123456", "")
        .await
        .expect(201);
    let over = upload(&runner, &id, "b.txt", "12345", "").await;
    let problem = over.expect_problem(429, "quota_exceeded").to_string();
    assert!(
        problem.contains("10") && problem.contains("max_artifact_bytes"),
        "{problem}"
    );
    upload(&runner, &id, "a.txt", "1234567890", "")
        .await
        .expect(201);
    upload(&runner, &id, "c.txt", "1", "")
        .await
        .expect_problem(429, "quota_exceeded");
}

#[tokio::test]
async fn approvals_are_recorded_per_gate_and_waiting_jobs_can_be_listed() {
    let (_server, alice, runner) = setup().await;
    // A job held for approval from the start, and one that will stop at a gate.
    let held = alice
        .create_job("acme", json!({"type": "deploy", "requires_approval": true}))
        .await;
    let held_id = held["id"].as_str().unwrap().to_owned();
    let gated_id = running_job(&alice, &runner).await;
    runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{gated_id}/steps/2"),
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
    let plain = alice.create_job("acme", json!({"type": "other"})).await;

    let awaiting = |flag: &'static str| {
        let alice = alice.clone();
        async move {
            let list = alice
                .get(&format!("{JOBS}?awaiting_approval={flag}"))
                .await
                .expect(200)
                .clone();
            let mut ids: Vec<String> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        }
    };
    let mut both = vec![held_id.clone(), gated_id.clone()];
    both.sort();
    assert_eq!(awaiting("true").await, both);
    assert_eq!(awaiting("false").await, [plain["id"].as_str().unwrap()]);

    alice
        .post(
            &format!("{JOBS}/{gated_id}/approve"),
            json!({"comment": "looks good"}),
        )
        .await
        .expect(200);
    alice
        .post(&format!("{JOBS}/{held_id}/reject"), json!({}))
        .await
        .expect(200);
    assert!(awaiting("true").await.is_empty());

    let gated = alice
        .get(&format!("{JOBS}/{gated_id}"))
        .await
        .expect(200)
        .clone();
    let approvals = gated["approvals"].as_array().unwrap();
    assert_eq!(approvals.len(), 1, "{gated}");
    assert_eq!(approvals[0]["decision"], "approved");
    assert_eq!(approvals[0]["decided_by"], "user:alice");
    assert_eq!(approvals[0]["comment"], "looks good");
    assert_eq!(approvals[0]["step_ordinal"], 2);
    assert_eq!(approvals[0]["step_id"], gated["steps"][0]["id"]);
    assert!(approvals[0]["decided_at"].is_string());

    let held = alice
        .get(&format!("{JOBS}/{held_id}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(held["approvals"][0]["decision"], "rejected");
    assert!(held["approvals"][0]["step_id"].is_null());
    assert!(held["approvals"][0]["comment"].is_null());
    let plain = alice
        .get(&format!("{JOBS}/{}", plain["id"].as_str().unwrap()))
        .await;
    assert_eq!(plain.expect(200)["approvals"], json!([]));
}
