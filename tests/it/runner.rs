//! The runner protocol over HTTP: runner tokens, claims, leases and fencing, retries,
//! logs (paged and live), steps, artifacts, and many runners at once.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer, eventually};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

fn quick(lease_ms: u64) -> QueueConfig {
    QueueConfig {
        lease: Duration::from_millis(lease_ms),
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    }
}

/// A server with workspace `acme` owned by alice, and one runner with `labels`.
async fn setup(queue: QueueConfig, labels: &[&str]) -> (TestServer, Client, Client) {
    let server = TestServer::start_with(queue).await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", labels).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

async fn claim(runner: &Client, max: u32, wait: u32) -> Vec<Value> {
    let reply = runner
        .post(
            "/v1/runner/claim",
            json!({"max_jobs": max, "wait_seconds": wait}),
        )
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

#[tokio::test]
async fn runner_tokens_are_for_the_runner_api_only_and_revocable() {
    let (server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    // A runner token is not a user token, and a user token is not a runner token.
    runner
        .get("/v1/workspaces")
        .await
        .expect_problem(401, "unauthorized");
    alice
        .post("/v1/runner/claim", json!({}))
        .await
        .expect_problem(401, "unauthorized");
    server
        .anonymous()
        .post("/v1/runner/claim", json!({}))
        .await
        .expect_problem(401, "unauthorized");
    runner
        .with_token("ryr_garbage")
        .post("/v1/runner/claim", json!({}))
        .await
        .expect_problem(401, "unauthorized");
    // A well-formed token with the wrong secret.
    let forged = format!("{}{}", &runner_token(&runner)[..69], "x".repeat(48));
    runner
        .with_token(&forged)
        .post("/v1/runner/claim", json!({}))
        .await
        .expect_problem(401, "unauthorized");
    claim(&runner, 1, 0).await;

    let list = alice.get("/v1/workspaces/acme/runners").await;
    let listed = list.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0]["last_seen_at"].is_string(),
        "claiming marks the runner as seen"
    );
    assert!(listed[0].get("token").is_none() && listed[0].get("token_hash").is_none());
    let runner_id = id(&listed[0]);

    // Only admins manage runners; other workspaces see nothing.
    alice.add_member("acme", "meg", "member").await;
    let meg = server.client("meg");
    meg.get("/v1/workspaces/acme/runners")
        .await
        .expect_problem(403, "forbidden");
    meg.post("/v1/workspaces/acme/runners", json!({"name": "x"}))
        .await
        .expect_problem(403, "forbidden");
    let mallory = server.client("mallory");
    mallory
        .delete(&format!("/v1/workspaces/acme/runners/{runner_id}"))
        .await
        .expect_problem(404, "not_found");
    alice
        .post(
            "/v1/workspaces/acme/runners",
            json!({"name": "bad", "labels": ["a b"]}),
        )
        .await
        .expect_problem(422, "validation_failed");

    alice
        .delete(&format!("/v1/workspaces/acme/runners/{runner_id}"))
        .await
        .expect(204);
    runner
        .post("/v1/runner/claim", json!({}))
        .await
        .expect_problem(401, "unauthorized");
    let list = alice.get("/v1/workspaces/acme/runners").await;
    assert!(list.expect(200)["items"][0]["revoked_at"].is_string());
}

fn runner_token(runner: &Client) -> String {
    // The test client keeps its token private; rebuild it from a request.
    let req = runner.request(reqwest::Method::GET, "/").build().unwrap();
    let auth = req.headers()["authorization"].to_str().unwrap();
    auth.trim_start_matches("Bearer ").to_owned()
}

#[tokio::test]
async fn claims_respect_labels_priority_and_run_after() {
    let (_server, alice, runner) = setup(quick(30_000), &["linux"]).await;
    let gpu = alice
        .create_job("acme", json!({"type": "t", "labels": ["linux", "gpu"]}))
        .await;
    let low = alice
        .create_job(
            "acme",
            json!({"type": "t", "labels": ["linux"], "priority": -5}),
        )
        .await;
    let high = alice
        .create_job("acme", json!({"type": "t", "priority": 50}))
        .await;
    let later = alice
        .create_job("acme", json!({"type": "t", "run_after": chrono_in(1500)}))
        .await;
    assert_eq!(later["status"], "PENDING");

    let claimed = claim(&runner, 10, 0).await;
    let ids: Vec<String> = claimed.iter().map(id).collect();
    assert_eq!(
        ids,
        [id(&high), id(&low)],
        "by priority; never a job needing a label the runner lacks"
    );
    assert_eq!(claimed[0]["attempt"], 1);
    assert!(claimed[0]["lease_expires_at"].is_string());
    assert_eq!(job(&alice, &id(&gpu)).await["status"], "QUEUED");
    let running = job(&alice, &id(&high)).await;
    assert_eq!(running["status"], "RUNNING");
    assert_eq!(events(&running), ["job_created", "job_claimed"]);
    assert!(
        running["events"][1]["actor"]
            .as_str()
            .unwrap()
            .starts_with("runner:")
    );

    // The delayed job becomes claimable once its time comes.
    assert!(claim(&runner, 10, 0).await.is_empty());
    let got = claim(&runner, 10, 5).await;
    assert_eq!(got.iter().map(id).collect::<Vec<_>>(), [id(&later)]);
    assert_eq!(
        events(&job(&alice, &id(&later)).await),
        ["job_created", "job_queued", "job_claimed"]
    );
}

pub(crate) fn chrono_in(ms: i64) -> String {
    let t = std::time::SystemTime::now() + Duration::from_millis(ms as u64);
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    // RFC 3339 in UTC without a date library: let PostgreSQL-compatible seconds do.
    let whole = secs.floor() as i64;
    let millis = ((secs - secs.floor()) * 1000.0) as i64;
    let days = whole.div_euclid(86_400);
    let rem = whole.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[tokio::test]
async fn a_long_poll_wakes_when_work_arrives_and_ends_empty_at_its_deadline() {
    let (_server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    let started = Instant::now();
    assert!(claim(&runner, 1, 1).await.is_empty());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    let poller = {
        let runner = runner.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let jobs = claim(&runner, 1, 20).await;
            (jobs, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created = alice.create_job("acme", json!({"type": "t"})).await;
    let (jobs, waited) = poller.await.unwrap();
    assert_eq!(jobs.iter().map(id).collect::<Vec<_>>(), [id(&created)]);
    assert!(
        waited < Duration::from_secs(5),
        "the claim was woken, not timed out: {waited:?}"
    );
}

#[tokio::test]
async fn an_expired_lease_is_reclaimed_and_the_stale_runner_is_fenced_off() {
    let (_server, alice, first) = setup(quick(600), &[]).await;
    let (_, token) = alice.register_runner("acme", "r2", &[]).await;
    let second = first.with_token(&token);
    let created = alice
        .create_job("acme", json!({"type": "t", "backoff_seconds": 0}))
        .await;
    let jid = id(&created);
    let stale = claim(&first, 1, 0).await;
    assert_eq!(stale[0]["attempt"], 1);
    // The first runner goes silent (as if killed); the reaper frees the job.
    let mut fresh = Vec::new();
    for _ in 0..10 {
        fresh = claim(&second, 1, 2).await;
        if !fresh.is_empty() {
            break;
        }
    }
    assert!(!fresh.is_empty(), "the expired lease was never reaped");
    assert_eq!(id(&fresh[0]), jid);
    assert_eq!(fresh[0]["attempt"], 2);

    // Everything the stale runner says about its old attempt is refused.
    let base = format!("/v1/runner/jobs/{jid}");
    first
        .post(&format!("{base}/complete"), json!({"attempt": 1}))
        .await
        .expect_problem(409, "lease_lost");
    first
        .post(&format!("{base}/heartbeat"), json!({"attempt": 1}))
        .await
        .expect_problem(409, "lease_lost");
    first
        .post(
            &format!("{base}/logs"),
            json!({"attempt": 1, "entries": [{"seq": 1, "stream": "stdout", "body": "late"}]}),
        )
        .await
        .expect_problem(409, "lease_lost");
    first
        .post(&format!("{base}/fail"), json!({"attempt": 1, "error": "x"}))
        .await
        .expect_problem(409, "lease_lost");
    // The same runner with the right attempt number is still not the holder.
    first
        .post(&format!("{base}/complete"), json!({"attempt": 2}))
        .await
        .expect_problem(409, "lease_lost");

    second
        .post(
            &format!("{base}/complete"),
            json!({"attempt": 2, "result": {"ok": true}}),
        )
        .await
        .expect(200);
    let done = job(&alice, &jid).await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["result"], json!({"ok": true}));
    assert_eq!(
        events(&done),
        [
            "job_created",
            "job_claimed",
            "job_lease_expired",
            "job_claimed",
            "job_completed"
        ]
    );
    let logs = alice.get(&format!("{JOBS}/{jid}/logs")).await;
    assert_eq!(
        logs.expect(200)["items"],
        json!([]),
        "the stale runner's log was not written"
    );
    // Completing twice is refused too.
    second
        .post(&format!("{base}/complete"), json!({"attempt": 2}))
        .await
        .expect_problem(409, "lease_lost");
}

#[tokio::test]
async fn heartbeats_keep_a_lease_and_carry_cancel_requests() {
    let (_server, alice, runner) = setup(quick(800), &[]).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner, 1, 0).await;
    let beat = format!("/v1/runner/jobs/{jid}/heartbeat");
    // Heartbeats past several lease lengths keep the job.
    for _ in 0..6 {
        let reply = runner
            .post(&beat, json!({"attempt": 1, "progress": {"pct": 10}}))
            .await;
        assert_eq!(reply.expect(200)["cancel_requested"], false);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let running = job(&alice, &jid).await;
    assert_eq!(running["status"], "RUNNING");
    assert_eq!(running["progress"], json!({"pct": 10}));

    let cancelled = alice.post_empty(&format!("{JOBS}/{jid}/cancel")).await;
    assert_eq!(cancelled.expect(200)["status"], "RUNNING");
    assert!(cancelled.body["cancel_requested_at"].is_string());
    let reply = runner.post(&beat, json!({"attempt": 1})).await;
    assert_eq!(reply.expect(200)["cancel_requested"], true);
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/fail"),
            json!({"attempt": 1, "error": "cancelled", "retryable": false}),
        )
        .await
        .expect(200);
    let done = job(&alice, &jid).await;
    assert_eq!(done["status"], "CANCELLED");
    assert_eq!(
        events(&done),
        [
            "job_created",
            "job_claimed",
            "job_cancel_requested",
            "job_failed"
        ]
    );
}

#[tokio::test]
async fn failures_back_off_and_stop_at_max_attempts() {
    let (_server, alice, runner) = setup(quick(30_000), &[]).await;
    let jid = id(&alice
        .create_job(
            "acme",
            json!({"type": "t", "max_attempts": 2, "backoff_seconds": 1}),
        )
        .await);
    claim(&runner, 1, 0).await;
    let failed = runner
        .post(
            &format!("/v1/runner/jobs/{jid}/fail"),
            json!({"attempt": 1, "error": {"message": "boom"}}),
        )
        .await;
    let failed = failed.expect(200);
    assert_eq!(failed["status"], "PENDING", "retried after a backoff");
    assert_eq!(failed["error"], json!({"message": "boom"}));
    assert!(
        claim(&runner, 1, 0).await.is_empty(),
        "not before its backoff"
    );
    // Backoff of 1 s with jitter: between 0.5 and 1.5 s.
    let started = Instant::now();
    let again = claim(&runner, 1, 5).await;
    assert_eq!(again[0]["attempt"], 2);
    assert!(started.elapsed() < Duration::from_secs(3));
    let last = runner
        .post(
            &format!("/v1/runner/jobs/{jid}/fail"),
            json!({"attempt": 2, "error": "boom"}),
        )
        .await;
    assert_eq!(last.expect(200)["status"], "FAILED");
    assert!(last.body["finished_at"].is_string());
    assert_eq!(
        events(&job(&alice, &jid).await),
        [
            "job_created",
            "job_claimed",
            "job_failed",
            "job_queued",
            "job_claimed",
            "job_failed"
        ]
    );

    // A non-retryable failure fails at once; a retry by a user starts over.
    let other = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner, 1, 0).await;
    let reply = runner
        .post(
            &format!("/v1/runner/jobs/{other}/fail"),
            json!({"attempt": 1, "error": "bad input", "retryable": false}),
        )
        .await;
    assert_eq!(reply.expect(200)["status"], "FAILED");
    let retried = alice.post_empty(&format!("{JOBS}/{other}/retry")).await;
    assert_eq!(retried.expect(200)["status"], "QUEUED");
    assert_eq!(claim(&runner, 1, 0).await[0]["attempt"], 1);
}

#[tokio::test]
async fn an_attempt_past_its_timeout_is_failed_by_the_reaper() {
    let (_server, alice, runner) = setup(quick(30_000), &[]).await;
    let jid = id(&alice
        .create_job(
            "acme",
            json!({"type": "t", "timeout_seconds": 1, "max_attempts": 1}),
        )
        .await);
    claim(&runner, 1, 0).await;
    eventually(5, || {
        let alice = alice.clone();
        let jid = jid.clone();
        async move { job(&alice, &jid).await["status"] == "FAILED" }
    })
    .await;
    let done = job(&alice, &jid).await;
    assert_eq!(done["error"]["reason"], "timed_out");
    assert_eq!(events(&done).last().unwrap(), "job_timed_out");
}

#[tokio::test]
async fn logs_are_idempotent_by_seq_and_paged() {
    let (_server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner, 1, 0).await;
    let logs = format!("/v1/runner/jobs/{jid}/logs");
    let batch = json!({"attempt": 1, "entries": [
        {"seq": 1, "stream": "stdout", "body": "hello"},
        {"seq": 2, "stream": "stderr", "body": "warning"},
        {"seq": 3, "stream": "stdout", "body": "bye"},
    ]});
    let first = runner.post(&logs, batch.clone()).await;
    assert_eq!(first.expect(200)["accepted"], 3);
    let again = runner.post(&logs, batch).await;
    assert_eq!(again.expect(200), &json!({"accepted": 0, "duplicates": 3}));
    let clash = runner
        .post(
            &logs,
            json!({"attempt": 1, "entries": [{"seq": 2, "stream": "stderr", "body": "other"}]}),
        )
        .await;
    clash.expect_problem(409, "log_seq_conflict");
    runner
        .post(
            &logs,
            json!({"attempt": 1, "entries": [{"seq": 0, "stream": "stdout", "body": "x"}]}),
        )
        .await
        .expect_problem(400, "bad_request");
    runner
        .post(
            &logs,
            json!({"attempt": 1, "entries": [{"seq": 9, "stream": "tty", "body": "x"}]}),
        )
        .await
        .expect_problem(400, "bad_request");
    runner
        .post(&logs, json!({"attempt": 1, "entries": []}))
        .await
        .expect_problem(422, "validation_failed");

    let page = alice.get(&format!("{JOBS}/{jid}/logs?limit=2")).await;
    let page = page.expect(200);
    let bodies: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["body"].clone())
        .collect();
    assert_eq!(bodies, [json!("hello"), json!("warning")]);
    assert_eq!(page["next_cursor"], "2");
    let rest = alice.get(&format!("{JOBS}/{jid}/logs?after_seq=2")).await;
    assert_eq!(rest.expect(200)["items"][0]["body"], "bye");
    assert_eq!(rest.body["items"][0]["stream"], "stdout");
    assert_eq!(rest.body["items"][0]["attempt"], 1);
}

/// Reads SSE frames from a streaming response until `want` log events (or `end`) arrive.
async fn read_sse(resp: &mut reqwest::Response, want: usize) -> (Vec<(String, String)>, bool) {
    let mut buf = String::new();
    let mut logs = Vec::new();
    let mut ended = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    while logs.len() < want && !ended {
        let chunk = tokio::time::timeout_at(deadline.into(), resp.chunk())
            .await
            .expect("SSE in time")
            .unwrap();
        let Some(chunk) = chunk else { break };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let mut event = "message";
            let (mut id, mut data) = (String::new(), String::new());
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    event = if v == "end" { "end" } else { "log" };
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = v.to_owned();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = v.to_owned();
                }
            }
            match event {
                "log" => {
                    let entry: Value = serde_json::from_str(&data).unwrap();
                    logs.push((id, entry["body"].as_str().unwrap().to_owned()));
                }
                "end" => ended = true,
                _ => {}
            }
        }
    }
    (logs, ended)
}

#[tokio::test]
async fn the_live_tail_receives_lines_written_after_it_connects_and_resumes() {
    let (_server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner, 1, 0).await;
    let logs = format!("/v1/runner/jobs/{jid}/logs");
    runner
        .post(
            &logs,
            json!({"attempt": 1, "entries": [{"seq": 1, "stream": "stdout", "body": "before"}]}),
        )
        .await
        .expect(200);

    let stream_path = format!("{JOBS}/{jid}/logs/stream");
    let mut resp = alice
        .request(reqwest::Method::GET, &stream_path)
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
    let (got, _) = read_sse(&mut resp, 1).await;
    assert_eq!(got, [("1".to_owned(), "before".to_owned())]);

    // Written after the tail connected: it arrives live.
    let writer = runner.clone();
    let logs2 = logs.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        writer
            .post(&logs2, json!({"attempt": 1, "entries": [{"seq": 2, "stream": "stdout", "body": "during"}, {"seq": 3, "stream": "stderr", "body": "more"}]}))
            .await
            .expect(200);
    });
    let (got, _) = read_sse(&mut resp, 2).await;
    assert_eq!(
        got,
        [
            ("2".to_owned(), "during".to_owned()),
            ("3".to_owned(), "more".to_owned())
        ]
    );
    drop(resp);

    // Reconnecting with Last-Event-ID resumes after it; the finished job ends the stream.
    runner
        .post(
            &logs,
            json!({"attempt": 1, "entries": [{"seq": 4, "stream": "stdout", "body": "after"}]}),
        )
        .await
        .expect(200);
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200);
    let mut resp = alice
        .request(reqwest::Method::GET, &stream_path)
        .header("Last-Event-ID", "2")
        .send()
        .await
        .unwrap();
    let (got, ended) = read_sse(&mut resp, 10).await;
    assert_eq!(
        got,
        [
            ("3".to_owned(), "more".to_owned()),
            ("4".to_owned(), "after".to_owned())
        ]
    );
    assert!(ended, "the stream ends once the job is finished");

    needs_a_token(&alice, &stream_path).await;
}

async fn needs_a_token(alice: &Client, path: &str) {
    let stranger = alice.with_token("not-a-token");
    stranger.get(path).await.expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn steps_are_upserted_by_ordinal_with_events() {
    let (_server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner, 1, 0).await;
    let step = |ordinal: u32, body: Value| {
        let runner = runner.clone();
        let path = format!("/v1/runner/jobs/{jid}/steps/{ordinal}");
        async move { Client::send(runner.request(reqwest::Method::PUT, &path).json(&body)).await }
    };
    step(0, json!({"attempt": 1, "name": "checkout", "phase": "SETUP", "type": "COMMAND", "status": "RUNNING"})).await.expect(200);
    let done = step(0, json!({"attempt": 1, "name": "checkout", "phase": "SETUP", "type": "COMMAND", "status": "COMPLETED", "duration_ms": 1200})).await;
    assert_eq!(done.expect(200)["duration_ms"], 1200);
    step(1, json!({"attempt": 1, "name": "review", "phase": "EXECUTION", "type": "AI_ACTION", "status": "COMPLETED", "input_tokens": 1000, "output_tokens": 200, "cost": 0.012})).await.expect(200);
    step(
        2,
        json!({"attempt": 1, "name": "x", "phase": "NOPE", "type": "COMMAND", "status": "RUNNING"}),
    )
    .await
    .expect_problem(400, "bad_request");
    step(2, json!({"attempt": 9, "name": "x", "phase": "SETUP", "type": "COMMAND", "status": "RUNNING"})).await.expect_problem(409, "lease_lost");

    let detail = job(&alice, &jid).await;
    let steps = detail["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["status"], "COMPLETED");
    assert_eq!(steps[1]["type"], "AI_ACTION");
    assert_eq!(steps[1]["output_tokens"], 200);
    assert_eq!(
        events(&detail),
        [
            "job_created",
            "job_claimed",
            "step_running",
            "step_completed",
            "step_completed"
        ]
    );
    assert_eq!(detail["events"][2]["step_id"], steps[0]["id"]);
}

#[tokio::test]
async fn artifacts_are_stored_listed_and_downloaded() {
    let (server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    claim(&runner, 1, 0).await;
    let put = |name: &str, body: Vec<u8>, attempt: u32| {
        let runner = runner.clone();
        let path = format!("/v1/runner/jobs/{jid}/artifacts/{name}?attempt={attempt}");
        async move {
            Client::send(
                runner
                    .request(reqwest::Method::PUT, &path)
                    .header("content-type", "text/plain")
                    .body(body),
            )
            .await
        }
    };
    let stored = put("report.txt", b"all good\n".to_vec(), 1).await;
    let stored = stored.expect(201);
    assert_eq!(stored["size"], 9);
    // sha256 of "all good\n", as `sha256sum` prints it.
    assert_eq!(
        stored["sha256"],
        "8a87c7c88bb013c74959ab4aee7e5f01a9d843bdf7d1a3a8fb517f8d872e127a"
    );
    put("report.txt", b"x".to_vec(), 2)
        .await
        .expect_problem(409, "lease_lost");
    let too_big = vec![b'a'; runyard_api::MAX_ARTIFACT_BYTES + 1];
    put("big.bin", too_big, 1)
        .await
        .expect_problem(413, "payload_too_large");

    let list = alice.get(&format!("{JOBS}/{jid}/artifacts")).await;
    assert_eq!(list.expect(200)["items"].as_array().unwrap().len(), 1);
    let download = alice
        .get(&format!("{JOBS}/{jid}/artifacts/report.txt"))
        .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.text, "all good\n");
    assert!(
        download.content_type.starts_with("text/plain"),
        "{}",
        download.content_type
    );
    assert_eq!(
        download.headers["x-checksum-sha256"].to_str().unwrap(),
        stored["sha256"].as_str().unwrap()
    );
    alice
        .get(&format!("{JOBS}/{jid}/artifacts/missing.txt"))
        .await
        .expect_problem(404, "not_found");
    let mallory = server.client("mallory");
    mallory
        .get(&format!("{JOBS}/{jid}/artifacts/report.txt"))
        .await
        .expect_problem(404, "not_found");
    mallory
        .get(&format!("{JOBS}/{jid}/logs"))
        .await
        .expect_problem(404, "not_found");
    mallory
        .get(&format!("{JOBS}/{jid}/logs/stream"))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn eight_runners_complete_two_thousand_jobs_exactly_once() {
    let (_server, alice, _runner) = setup(QueueConfig::default(), &[]).await;
    let mut runners = Vec::new();
    for i in 0..8 {
        let (rid, token) = alice
            .register_runner("acme", &format!("worker-{i}"), &[])
            .await;
        runners.push((rid, alice.with_token(&token)));
    }
    let mut expected = HashSet::new();
    for _ in 0..2 {
        let jobs: Vec<Value> = (0..1000)
            .map(|i| json!({"type": "noop", "payload": {"i": i}}))
            .collect();
        let reply = alice
            .post(&format!("{JOBS}/batch"), json!({"jobs": jobs}))
            .await;
        expected.extend(
            reply.expect(201)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(id),
        );
    }
    assert_eq!(expected.len(), 2000);

    let tasks = runners.into_iter().map(|(rid, runner)| {
        tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let jobs = claim(&runner, 50, 0).await;
                if jobs.is_empty() {
                    break;
                }
                let items: Vec<Value> = jobs
                    .iter()
                    .map(|j| json!({"id": j["id"], "attempt": j["attempt"]}))
                    .collect();
                let reply = runner
                    .post("/v1/runner/complete", json!({"jobs": items}))
                    .await;
                for r in reply.expect(200)["results"].as_array().unwrap() {
                    assert_eq!(r["ok"], true, "{r}");
                    done.push(id(r));
                }
            }
            (rid, done)
        })
    });
    let mut completed: HashMap<String, String> = HashMap::new();
    for task in futures::future::join_all(tasks).await {
        let (rid, done) = task.unwrap();
        for jid in done {
            assert!(
                completed.insert(jid.clone(), rid.clone()).is_none(),
                "job {jid} completed twice"
            );
        }
    }
    let got: HashSet<String> = completed.keys().cloned().collect();
    assert_eq!(got, expected, "every job completed, none lost");
    // Each job was claimed exactly once (never held by two runners) and completed by its claimer.
    for jid in expected.iter().take(200) {
        let detail = job(&alice, jid).await;
        assert_eq!(
            events(&detail),
            ["job_created", "job_claimed", "job_completed"],
            "{jid}"
        );
        assert_eq!(detail["status"], "COMPLETED");
        let claimer = detail["events"][1]["payload"]["runner_id"]
            .as_str()
            .unwrap();
        assert_eq!(claimer, completed[jid]);
    }
    let queued = alice
        .get(&format!("{JOBS}?status=QUEUED,RUNNING,PENDING"))
        .await;
    assert_eq!(queued.expect(200)["items"], json!([]));
}

#[tokio::test]
async fn a_released_job_goes_back_uncounted_and_not_to_the_stopping_runner() {
    let (_server, alice, runner) = setup(QueueConfig::default(), &[]).await;
    let jid = id(&alice.create_job("acme", json!({"type": "t"})).await);
    assert_eq!(claim(&runner, 1, 0).await[0]["attempt"], 1);
    // The runner is shutting down: a long-poll of its own is still waiting on the server.
    let abandoned = {
        let runner = runner.clone();
        tokio::spawn(async move { claim(&runner, 1, 10).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let released = runner
        .post(
            &format!("/v1/runner/jobs/{jid}/release"),
            json!({"attempt": 1}),
        )
        .await;
    let released = released.expect(200);
    assert_eq!(released["status"], "QUEUED");
    assert_eq!(
        released["attempt"], 0,
        "a handed-back attempt does not count"
    );
    let started = Instant::now();
    assert!(
        abandoned.await.unwrap().is_empty(),
        "the stopping runner's poll must not take the job back"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(job(&alice, &jid).await["status"], "QUEUED");
    // A fresh claim (the runner restarted, or another one) gets it as attempt 1 again.
    assert_eq!(claim(&runner, 1, 0).await[0]["attempt"], 1);
    assert_eq!(
        events(&job(&alice, &jid).await),
        ["job_created", "job_claimed", "job_released", "job_claimed"]
    );
}
