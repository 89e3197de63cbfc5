//! Model calls, usage roll-ups and workspace stats over HTTP: idempotent recording,
//! conflicts, fencing, roll-ups that equal the records, every group-by, isolation and
//! roles.

use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};
use uuid::Uuid;

const WS: &str = "/v1/workspaces/acme";

/// A server with workspace `acme` (alice owns it, vera views it) and one runner.
async fn setup() -> (TestServer, Client, Client) {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    alice.add_member("acme", "vera", "viewer").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

/// Creates a job (of `task`, if any), claims it and returns its id.
async fn running_job(
    alice: &Client,
    runner: &Client,
    job_type: &str,
    task: Option<&str>,
) -> String {
    let mut body = json!({"type": job_type, "backoff_seconds": 0});
    if let Some(t) = task {
        body["agent_task_id"] = json!(t);
    }
    let job = alice.create_job("acme", body).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let claimed = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200)["jobs"]
        .clone();
    assert_eq!(claimed[0]["id"], id.as_str());
    id
}

fn call(model: &str, input: i64, output: i64, cost: &str) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "provider": if model.starts_with("gpt") { "openai" } else { "anthropic" },
        "model": model,
        "input_tokens": input,
        "output_tokens": output,
        "cost_usd": cost,
        "latency_ms": 850,
        "status": "ok",
        "started_at": "2026-12-01T10:00:00Z",
    })
}

async fn record(
    runner: &Client,
    job: &str,
    attempt: i64,
    calls: &[Value],
) -> runyard_testkit::Reply {
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/ai-calls"),
            json!({"attempt": attempt, "calls": calls}),
        )
        .await
}

fn usage_of(v: &Value) -> (i64, i64, i64, String) {
    (
        v["ai_calls"].as_i64().unwrap(),
        v["input_tokens"].as_i64().unwrap(),
        v["output_tokens"].as_i64().unwrap(),
        v["cost_usd"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn calls_are_recorded_once_listed_in_order_and_conflicts_refused() {
    let (_server, alice, runner) = setup().await;
    let job = running_job(&alice, &runner, "agent", None).await;
    let mut calls: Vec<Value> = (0..5)
        .map(|i| {
            let mut c = call("claude-sonnet-4-5", 100 + i, 10, "0.004250");
            c["started_at"] = json!(format!("2026-12-01T10:00:0{i}Z"));
            c
        })
        .collect();
    calls[0]["metadata"] = json!({"purpose": "plan"});
    calls[1]["batch_id"] = json!("b-1");
    calls[1]["cached_tokens"] = json!(40);
    calls[1]["step_ordinal"] = json!(2);
    let first = record(&runner, &job, 1, &calls).await;
    assert_eq!(first.expect(200), &json!({"accepted": 5, "duplicates": 0}));
    // A resent batch (say, after a lost answer) is recognised, also in part.
    let again = record(&runner, &job, 1, &calls).await;
    assert_eq!(again.expect(200), &json!({"accepted": 0, "duplicates": 5}));
    let mut extra = call("gpt-5", 7, 3, "0.5");
    extra["started_at"] = json!("2026-12-01T10:00:09Z");
    let mixed = record(&runner, &job, 1, &[calls[4].clone(), extra.clone()]).await;
    assert_eq!(mixed.expect(200), &json!({"accepted": 1, "duplicates": 1}));

    // Another call under a recorded id: 409, and nothing of its batch is stored.
    let mut changed = calls[2].clone();
    changed["cost_usd"] = json!("0.004251");
    let newcomer = call("gpt-5", 1, 1, "1");
    record(&runner, &job, 1, &[newcomer.clone(), changed])
        .await
        .expect_problem(409, "ai_call_conflict");
    // The same id recorded for another job conflicts too.
    let other = running_job(&alice, &runner, "agent", None).await;
    record(&runner, &other, 1, &[calls[0].clone()])
        .await
        .expect_problem(409, "ai_call_conflict");

    // Listed in start order, paged; money exactly as sent.
    let page = alice
        .get(&format!("{WS}/runner-jobs/{job}/ai-calls?limit=4"))
        .await
        .expect(200)
        .clone();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["id"], calls[0]["id"]);
    assert_eq!(items[0]["cost_usd"], "0.004250");
    assert_eq!(items[0]["metadata"], json!({"purpose": "plan"}));
    assert_eq!(items[1]["batch_id"], "b-1");
    assert_eq!(items[1]["cached_tokens"], 40);
    assert_eq!(items[1]["step_ordinal"], 2);
    assert_eq!(items[1]["attempt"], 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = alice
        .get(&format!(
            "{WS}/runner-jobs/{job}/ai-calls?limit=4&cursor={cursor}"
        ))
        .await
        .expect(200)
        .clone();
    let ids: Vec<&Value> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, [&calls[4]["id"], &extra["id"]]);
    assert!(rest["next_cursor"].is_null());
    assert!(!ids.contains(&&newcomer["id"]));
    alice
        .get(&format!("{WS}/runner-jobs/{job}/ai-calls?cursor=bm9wZQ"))
        .await
        .expect_problem(422, "validation_failed");

    let detail = alice
        .get(&format!("{WS}/runner-jobs/{job}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        usage_of(&detail["usage"]),
        (
            6,
            100 + 101 + 102 + 103 + 104 + 7,
            53,
            "0.521250".to_owned()
        )
    );
}

#[tokio::test]
async fn bad_calls_are_refused_naming_the_field() {
    let (_server, alice, runner) = setup().await;
    let job = running_job(&alice, &runner, "agent", None).await;
    for (cost, why) in [
        (json!(0.00425), "a JSON number"),
        (json!(1), "a JSON number"),
        (json!("abc"), "decimal string"),
        (json!("1e-3"), "decimal string"),
        (json!("-1"), "decimal string"),
        (json!("0.0000000000001"), "12 digits after"),
        (json!(null), "null"),
    ] {
        let mut c = call("m", 1, 1, "0");
        c["cost_usd"] = cost.clone();
        let reply = record(&runner, &job, 1, &[call("m", 1, 1, "0"), c]).await;
        let problem = reply.expect_problem(422, "validation_failed");
        assert_eq!(problem["field"], "calls[1].cost_usd", "{cost}");
        assert!(
            problem["detail"].as_str().unwrap().contains(why),
            "{cost}: {problem}"
        );
    }
    let mut blank = call("m", 1, 1, "0");
    blank["model"] = json!(" ");
    assert_eq!(
        record(&runner, &job, 1, &[blank])
            .await
            .expect_problem(422, "validation_failed")["field"],
        "calls[0].model"
    );
    let mut meta = call("m", 1, 1, "0");
    meta["metadata"] = json!(["not", "an", "object"]);
    assert_eq!(
        record(&runner, &job, 1, &[meta])
            .await
            .expect_problem(422, "validation_failed")["field"],
        "calls[0].metadata"
    );
    let mut big = call("m", 1, 1, "0");
    big["metadata"] = json!({"text": "x".repeat(17 * 1024)});
    assert_eq!(
        record(&runner, &job, 1, &[big])
            .await
            .expect_problem(422, "validation_failed")["field"],
        "calls[0].metadata"
    );
    let twice = call("m", 1, 1, "0");
    assert_eq!(
        record(&runner, &job, 1, &[twice.clone(), twice])
            .await
            .expect_problem(422, "validation_failed")["field"],
        "calls[1].id"
    );
    assert_eq!(
        record(&runner, &job, 1, &[])
            .await
            .expect_problem(422, "validation_failed")["field"],
        "calls"
    );
    let many: Vec<Value> = (0..1001).map(|_| call("m", 1, 1, "0")).collect();
    assert_eq!(
        record(&runner, &job, 1, &many)
            .await
            .expect_problem(422, "validation_failed")["field"],
        "calls"
    );
    // 1000 is fine, in one request.
    let most: Vec<Value> = (0..1000).map(|_| call("m", 1, 1, "0.000001")).collect();
    assert_eq!(
        record(&runner, &job, 1, &most).await.expect(200)["accepted"],
        1000
    );
    let detail = alice
        .get(&format!("{WS}/runner-jobs/{job}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        usage_of(&detail["usage"]),
        (1000, 1000, 1000, "0.001000".to_owned())
    );
}

#[tokio::test]
async fn a_stale_attempt_cannot_record_calls() {
    let (_server, alice, runner) = setup().await;
    let job = running_job(&alice, &runner, "agent", None).await;
    record(&runner, &job, 1, &[call("m", 1, 1, "0.1")])
        .await
        .expect(200);
    // Attempt 1 fails and the job runs again as attempt 2.
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/fail"),
            json!({"attempt": 1, "error": "boom"}),
        )
        .await
        .expect(200);
    runyard_testkit::eventually(10, || async {
        let claimed = runner
            .post("/v1/runner/claim", json!({"max_jobs": 1}))
            .await
            .expect(200)["jobs"]
            .clone();
        claimed.as_array().is_some_and(|j| !j.is_empty())
    })
    .await;
    let stale = call("m", 5, 5, "5");
    record(&runner, &job, 1, std::slice::from_ref(&stale))
        .await
        .expect_problem(409, "lease_lost");
    record(&runner, &job, 2, &[call("m", 2, 2, "0.2")])
        .await
        .expect(200);
    // A job that is not running (here: finished) takes none either.
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/complete"),
            json!({"attempt": 2, "result": {}}),
        )
        .await
        .expect(200);
    record(&runner, &job, 2, &[call("m", 1, 1, "1")])
        .await
        .expect_problem(409, "lease_lost");
    record(
        &runner,
        &Uuid::now_v7().to_string(),
        1,
        &[call("m", 1, 1, "1")],
    )
    .await
    .expect_problem(404, "not_found");
    let list = alice
        .get(&format!("{WS}/runner-jobs/{job}/ai-calls"))
        .await
        .expect(200)
        .clone();
    let attempts: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["attempt"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 2]);
    let detail = alice
        .get(&format!("{WS}/runner-jobs/{job}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(usage_of(&detail["usage"]), (2, 3, 3, "0.3".to_owned()));
}

async fn step(runner: &Client, job: &str, ordinal: u32, input: i64, output: i64, cost: f64) {
    let path = format!("/v1/runner/jobs/{job}/steps/{ordinal}");
    let body = json!({"attempt": 1, "name": "think", "phase": "EXECUTION", "type": "AI_ACTION",
                      "status": "COMPLETED", "input_tokens": input, "output_tokens": output,
                      "cost": cost, "started_at": "2026-12-02T08:00:00Z"});
    Client::send(runner.request(reqwest::Method::PUT, &path).json(&body))
        .await
        .expect(200);
}

#[tokio::test]
async fn roll_ups_equal_the_records_and_calls_win_over_steps() {
    let (_server, alice, runner) = setup().await;
    let task = alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "review"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Job A (task): calls and a step; the calls count, the step does not.
    let a = running_job(&alice, &runner, "review", Some(&task)).await;
    let mut a1 = call("claude-sonnet-4-5", 1000, 200, "0.012000");
    let mut a2 = call("gpt-5", 500, 100, "0.003125");
    a2["started_at"] = json!("2026-12-02T09:30:00Z");
    a1["status"] = json!("error");
    a1["error"] = json!("overloaded");
    record(&runner, &a, 1, &[a1, a2]).await.expect(200);
    step(&runner, &a, 0, 9999, 9999, 9.0).await;
    // Job B (task): only steps report usage.
    let b = running_job(&alice, &runner, "summarise", Some(&task)).await;
    step(&runner, &b, 0, 300, 30, 0.25).await;
    step(&runner, &b, 1, 200, 20, 0.5).await;
    // Job C (no task): calls only.
    let c = running_job(&alice, &runner, "review", None).await;
    record(
        &runner,
        &c,
        1,
        &[call("claude-sonnet-4-5", 10, 1, "0.000001")],
    )
    .await
    .expect(200);

    let job_usage = |id: String| {
        let alice = alice.clone();
        async move {
            let d = alice
                .get(&format!("{WS}/runner-jobs/{id}"))
                .await
                .expect(200)
                .clone();
            usage_of(&d["usage"])
        }
    };
    assert_eq!(
        job_usage(a.clone()).await,
        (2, 1500, 300, "0.015125".to_owned())
    );
    assert_eq!(job_usage(b.clone()).await, (0, 500, 50, "0.75".to_owned()));
    assert_eq!(
        job_usage(c.clone()).await,
        (1, 10, 1, "0.000001".to_owned())
    );
    let task_detail = alice
        .get(&format!("{WS}/agent-tasks/{task}"))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        usage_of(&task_detail["usage"]),
        (2, 2000, 350, "0.765125".to_owned())
    );

    let range = "from=2026-11-01T00:00:00Z&to=2027-01-01T00:00:00Z";
    let groups = |by: &'static str| {
        let alice = alice.clone();
        async move {
            let r = alice
                .get(&format!("{WS}/usage?{range}&group_by={by}"))
                .await
                .expect(200)
                .clone();
            assert_eq!(r["group_by"], by);
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| (i["group"].as_str().map(str::to_owned), usage_of(i)))
                .collect::<Vec<_>>()
        }
    };
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        groups("model").await,
        [
            (s("(step-reported)"), (0, 500, 50, "0.75".to_owned())),
            (
                s("claude-sonnet-4-5"),
                (2, 1010, 201, "0.012001".to_owned())
            ),
            (s("gpt-5"), (1, 500, 100, "0.003125".to_owned())),
        ]
    );
    assert_eq!(
        groups("provider").await,
        [
            (s("(step-reported)"), (0, 500, 50, "0.75".to_owned())),
            (s("anthropic"), (2, 1010, 201, "0.012001".to_owned())),
            (s("openai"), (1, 500, 100, "0.003125".to_owned())),
        ]
    );
    assert_eq!(
        groups("type").await,
        [
            (s("summarise"), (0, 500, 50, "0.75".to_owned())),
            (s("review"), (3, 1510, 301, "0.015126".to_owned())),
        ]
    );
    assert_eq!(
        groups("task").await,
        [
            (Some(task.clone()), (2, 2000, 350, "0.765125".to_owned())),
            (None, (1, 10, 1, "0.000001".to_owned())),
        ]
    );
    assert_eq!(
        groups("day").await,
        [
            (s("2026-12-02"), (1, 1000, 150, "0.753125".to_owned())),
            (s("2026-12-01"), (2, 1010, 201, "0.012001".to_owned())),
        ]
    );
    // Two keys: each day by model.
    let by_day_model = alice
        .get(&format!("{WS}/usage?{range}&group_by=day&then_by=model"))
        .await
        .expect(200)
        .clone();
    assert_eq!(by_day_model["then_by"], "model");
    let cells: Vec<(String, String, String)> = by_day_model["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["group"].as_str().unwrap().to_owned(),
                i["subgroup"].as_str().unwrap().to_owned(),
                i["cost_usd"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let cell = |d: &str, m: &str, c: &str| (d.to_owned(), m.to_owned(), c.to_owned());
    assert_eq!(
        cells,
        [
            cell("2026-12-02", "(step-reported)", "0.75"),
            cell("2026-12-01", "claude-sonnet-4-5", "0.012001"),
            cell("2026-12-02", "gpt-5", "0.003125"),
        ]
    );
    alice
        .get(&format!("{WS}/usage?group_by=day&then_by=day"))
        .await
        .expect_problem(422, "validation_failed");
    // The window bounds calls by when they started.
    let narrow = alice
        .get(&format!(
            "{WS}/usage?from=2026-12-02T09:00:00Z&to=2026-12-02T10:00:00Z"
        ))
        .await
        .expect(200)
        .clone();
    assert_eq!(narrow["group_by"], "model");
    assert_eq!(narrow["items"].as_array().unwrap().len(), 1);
    assert_eq!(narrow["items"][0]["group"], "gpt-5");
    alice
        .get(&format!(
            "{WS}/usage?from=2026-12-02T10:00:00Z&to=2026-12-02T09:00:00Z"
        ))
        .await
        .expect_problem(422, "validation_failed");
    alice
        .get(&format!("{WS}/usage?group_by=colour"))
        .await
        .expect_problem(400, "bad_request");
}

#[tokio::test]
async fn other_workspaces_see_nothing_and_viewers_only_read() {
    let (server, alice, runner) = setup().await;
    let job = running_job(&alice, &runner, "agent", None).await;
    record(&runner, &job, 1, &[call("m", 1, 1, "0.5")])
        .await
        .expect(200);

    // Bob's own workspace shows none of it; acme's paths are 404 to him.
    let bob = server.client("bob");
    bob.create_workspace("bobs").await;
    bob.get(&format!("/v1/workspaces/bobs/runner-jobs/{job}/ai-calls"))
        .await
        .expect_problem(404, "not_found");
    let empty = bob
        .get("/v1/workspaces/bobs/usage")
        .await
        .expect(200)
        .clone();
    assert_eq!(empty["items"], json!([]));
    let stats = bob
        .get("/v1/workspaces/bobs/stats")
        .await
        .expect(200)
        .clone();
    assert!(
        stats["counts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["count"] == 0)
    );
    for path in [
        format!("{WS}/runner-jobs/{job}/ai-calls"),
        format!("{WS}/usage"),
        format!("{WS}/stats"),
    ] {
        bob.get(&path).await.expect_problem(404, "not_found");
    }
    // Bob's runner cannot write into acme's job.
    let (_, bob_token) = bob.register_runner("bobs", "rb", &[]).await;
    let bob_runner = Client::new(&server.base_url, Some(bob_token));
    record(&bob_runner, &job, 1, &[call("m", 1, 1, "9")])
        .await
        .expect_problem(404, "not_found");

    // A viewer reads everything; writing takes a runner token, which users do not hold.
    let vera = server.client("vera");
    let calls = vera
        .get(&format!("{WS}/runner-jobs/{job}/ai-calls"))
        .await
        .expect(200)
        .clone();
    assert_eq!(calls["items"].as_array().unwrap().len(), 1);
    let report = vera.get(&format!("{WS}/usage")).await.expect(200).clone();
    assert_eq!(report["items"][0]["cost_usd"], "0.5");
    vera.get(&format!("{WS}/stats")).await.expect(200);
    record(&vera, &job, 1, &[call("m", 1, 1, "1")])
        .await
        .expect_problem(401, "unauthorized");
    record(&alice, &job, 1, &[call("m", 1, 1, "1")])
        .await
        .expect_problem(401, "unauthorized");
    server
        .anonymous()
        .get(&format!("{WS}/usage"))
        .await
        .expect_problem(401, "unauthorized");
    let still = alice
        .get(&format!("{WS}/runner-jobs/{job}/ai-calls"))
        .await
        .expect(200)
        .clone();
    assert_eq!(still["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn stats_count_the_queue_and_the_last_hour() {
    let (_server, alice, runner) = setup().await;
    let done = running_job(&alice, &runner, "t", None).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{done}/complete"),
            json!({"attempt": 1, "result": {}}),
        )
        .await
        .expect(200);
    let failed = running_job(&alice, &runner, "t", None).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{failed}/fail"),
            json!({"attempt": 1, "error": "x", "retryable": false}),
        )
        .await
        .expect(200);
    let _running = running_job(&alice, &runner, "t", None).await;
    alice.create_job("acme", json!({"type": "t"})).await;
    alice.create_job("acme", json!({"type": "t"})).await;

    let stats = alice.get(&format!("{WS}/stats")).await.expect(200).clone();
    let count = |status: &str| {
        stats["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == status)
            .unwrap_or_else(|| panic!("{status} missing: {stats}"))["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        [
            count("QUEUED"),
            count("RUNNING"),
            count("COMPLETED"),
            count("FAILED"),
            count("PENDING")
        ],
        [2, 1, 1, 1, 0]
    );
    assert!(
        stats["oldest_queued_seconds"].as_f64().unwrap() >= 0.0,
        "{stats}"
    );
    let by_runner = stats["running_by_runner"].as_array().unwrap();
    assert_eq!(by_runner.len(), 1);
    assert_eq!(by_runner[0]["name"], "r1");
    assert_eq!(by_runner[0]["running"], 1);
    let minutes = stats["throughput"].as_array().unwrap();
    assert_eq!(minutes.len(), 60);
    let completed: i64 = minutes
        .iter()
        .map(|m| m["completed"].as_i64().unwrap())
        .sum();
    let failed_n: i64 = minutes.iter().map(|m| m["failed"].as_i64().unwrap()).sum();
    assert_eq!((completed, failed_n), (1, 1));
    assert_eq!(stats["queue_wait"]["samples"], 3);
    assert!(
        stats["queue_wait"]["p95_ms"].as_f64().unwrap()
            >= stats["queue_wait"]["p50_ms"].as_f64().unwrap()
    );
    assert_eq!(stats["run_time"]["samples"], 2);
    assert!(stats["run_time"]["p50_ms"].as_f64().unwrap() >= 0.0);
}
