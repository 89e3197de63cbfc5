//! Agent tasks over HTTP: pause, snapshot, resume, auto-pause, approvals and gates,
//! workspace quotas, retention, and cross-workspace isolation of every new endpoint.

use std::time::{Duration, Instant};

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer, eventually};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

const WS: &str = "/v1/workspaces/acme";

fn quick() -> QueueConfig {
    QueueConfig {
        lease: Duration::from_secs(30),
        sweep_interval: Duration::from_millis(50),
        pause_grace: Duration::from_secs(30),
        retention_interval: Duration::from_millis(100),
    }
}

/// A server with workspace `acme` owned by alice, and one runner.
async fn setup(queue: QueueConfig) -> (TestServer, Client, Client) {
    let server = TestServer::start_with(queue).await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    (server, alice, runner)
}

async fn create_task(alice: &Client, title: &str) -> String {
    let task = alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": title}))
        .await;
    let task = task.expect(201);
    assert_eq!(task["status"], "active");
    task["id"].as_str().unwrap().to_owned()
}

async fn task_job(alice: &Client, task: &str) -> String {
    let job = alice
        .create_job(
            "acme",
            json!({"type": "agent", "payload": {"prompt": "go"}, "agent_task_id": task}),
        )
        .await;
    job["id"].as_str().unwrap().to_owned()
}

async fn claim(runner: &Client, max: u32) -> Vec<Value> {
    runner
        .post("/v1/runner/claim", json!({"max_jobs": max}))
        .await
        .expect(200)["jobs"]
        .as_array()
        .unwrap()
        .clone()
}

async fn task(alice: &Client, id: &str) -> Value {
    alice
        .get(&format!("{WS}/agent-tasks/{id}"))
        .await
        .expect(200)
        .clone()
}

async fn job(alice: &Client, id: &str) -> Value {
    alice
        .get(&format!("{WS}/runner-jobs/{id}"))
        .await
        .expect(200)
        .clone()
}

fn types(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn task_events(alice: &Client, id: &str) -> Vec<String> {
    let page = alice.get(&format!("{WS}/agent-tasks/{id}/events")).await;
    types(&page.expect(200)["items"])
}

async fn heartbeat(runner: &Client, job: &str, attempt: i64) -> Value {
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/heartbeat"),
            json!({"attempt": attempt}),
        )
        .await
        .expect(200)
        .clone()
}

async fn patch_settings(alice: &Client, settings: Value) -> Value {
    let req = alice
        .request(reqwest::Method::PATCH, WS)
        .json(&json!({ "settings": settings }));
    Client::send(req).await.expect(200).clone()
}

#[tokio::test]
async fn pause_snapshot_resume_and_a_second_pause_overwrites_the_snapshot() {
    let (_server, alice, runner) = setup(quick()).await;
    let task_id = create_task(&alice, "write the report").await;
    let job_id = task_job(&alice, &task_id).await;
    let claimed = claim(&runner, 1).await;
    assert_eq!(claimed[0]["id"], job_id.as_str());
    assert_eq!(claimed[0]["agent_task_id"], task_id.as_str());
    assert_eq!(claimed[0]["resume_snapshot"], Value::Null);
    runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/logs"),
            json!({"attempt": 1, "entries": [{"seq": 1, "stream": "stdout", "body": "thinking"}]}),
        )
        .await
        .expect(200);

    // Pause: the task waits for its running job, whose heartbeat now asks it to hand back.
    let paused = alice
        .post(
            &format!("{WS}/agent-tasks/{task_id}/pause"),
            json!({"reason": "lunch"}),
        )
        .await;
    let paused = paused.expect(200);
    assert_eq!(paused["status"], "active");
    assert!(paused["pause_requested_at"].is_string());
    assert_eq!(
        heartbeat(&runner, &job_id, 1).await["pause_requested"],
        true
    );
    // Asking again changes nothing.
    alice
        .post(&format!("{WS}/agent-tasks/{task_id}/pause"), json!({}))
        .await
        .expect(200);

    let first = json!({"messages": ["hello", "thinking"]});
    let handed = runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/paused"),
            json!({"attempt": 1, "snapshot": first}),
        )
        .await;
    assert_eq!(handed.expect(200)["status"], "PAUSED");

    let detail = task(&alice, &task_id).await;
    assert_eq!(detail["task"]["status"], "paused");
    assert_eq!(detail["task"]["pause_kind"], "manual");
    assert_eq!(detail["snapshot"]["job_id"], job_id.as_str());
    assert_eq!(detail["snapshot"]["reason"], "lunch");
    assert_eq!(detail["jobs"][0]["status"], "PAUSED");
    let snap = alice
        .get(&format!("{WS}/agent-tasks/{task_id}/snapshot"))
        .await;
    assert_eq!(snap.expect(200)["log_snapshot"], first);
    // The paused job's logs and events stay readable.
    let logs = alice.get(&format!("{WS}/runner-jobs/{job_id}/logs")).await;
    assert_eq!(logs.expect(200)["items"][0]["body"], "thinking");
    let job_events = types(&job(&alice, &job_id).await["events"]);
    assert!(
        job_events.contains(&"job_pause_requested".to_owned()),
        "{job_events:?}"
    );
    assert_eq!(job_events.last().unwrap(), "task_manual_pause");
    assert_eq!(
        task_events(&alice, &task_id).await,
        ["task_created", "task_pause_requested", "task_manual_pause"]
    );
    // The stale runner cannot touch the paused job; nothing is claimable while paused.
    runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect_problem(409, "lease_lost");
    assert!(claim(&runner, 5).await.is_empty());
    // Pausing a paused task is a no-op.
    let again = alice
        .post(&format!("{WS}/agent-tasks/{task_id}/pause"), json!({}))
        .await;
    assert_eq!(again.expect(200)["status"], "paused");

    // Resume: the next claim carries the snapshot; the paused attempt was not counted.
    let resumed = alice
        .post_empty(&format!("{WS}/agent-tasks/{task_id}/resume"))
        .await;
    assert_eq!(resumed.expect(200)["status"], "active");
    alice
        .post_empty(&format!("{WS}/agent-tasks/{task_id}/resume"))
        .await
        .expect_problem(409, "illegal_transition");
    let claimed = claim(&runner, 1).await;
    assert_eq!(claimed[0]["id"], job_id.as_str());
    assert_eq!(claimed[0]["attempt"], 1);
    assert_eq!(claimed[0]["resume_snapshot"], first);
    // Its log lines continue after the paused run's.
    assert_eq!(claimed[0]["next_log_seq"], 2);
    assert_eq!(
        task_events(&alice, &task_id).await.last().unwrap(),
        "task_resume"
    );

    // A second pause overwrites the snapshot.
    alice
        .post(&format!("{WS}/agent-tasks/{task_id}/pause"), json!({}))
        .await
        .expect(200);
    let second = json!({"messages": ["hello", "thinking", "more"]});
    runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/paused"),
            json!({"attempt": 1, "snapshot": second}),
        )
        .await
        .expect(200);
    let snap = alice
        .get(&format!("{WS}/agent-tasks/{task_id}/snapshot"))
        .await;
    assert_eq!(snap.expect(200)["log_snapshot"], second);
    alice
        .post_empty(&format!("{WS}/agent-tasks/{task_id}/resume"))
        .await
        .expect(200);
    assert_eq!(claim(&runner, 1).await[0]["resume_snapshot"], second);
}

#[tokio::test]
async fn a_task_without_a_running_job_pauses_at_once_and_holds_new_jobs() {
    let (_server, alice, runner) = setup(quick()).await;
    let task_id = create_task(&alice, "idle").await;
    let queued = task_job(&alice, &task_id).await;
    let paused = alice
        .post(&format!("{WS}/agent-tasks/{task_id}/pause"), json!({}))
        .await;
    assert_eq!(paused.expect(200)["status"], "paused");
    assert_eq!(job(&alice, &queued).await["status"], "PAUSED");
    // No snapshot was ever handed back.
    alice
        .get(&format!("{WS}/agent-tasks/{task_id}/snapshot"))
        .await
        .expect_problem(404, "not_found");
    // A job added to a paused task waits with it.
    let added = task_job(&alice, &task_id).await;
    assert_eq!(job(&alice, &added).await["status"], "PAUSED");
    assert!(claim(&runner, 5).await.is_empty());
    // A runner cannot hand back a job nobody asked to pause.
    alice
        .post_empty(&format!("{WS}/agent-tasks/{task_id}/resume"))
        .await
        .expect(200);
    let claimed = claim(&runner, 5).await;
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|j| j["resume_snapshot"].is_null()));
    let first = claimed[0]["id"].as_str().unwrap();
    runner
        .post(
            &format!("/v1/runner/jobs/{first}/paused"),
            json!({"attempt": 1, "snapshot": {}}),
        )
        .await
        .expect_problem(409, "not_pausable");
}

#[tokio::test]
async fn a_runner_that_ignores_a_pause_loses_its_lease_and_the_task_still_pauses() {
    let (_server, alice, runner) = setup(QueueConfig {
        pause_grace: Duration::from_millis(300),
        ..quick()
    })
    .await;
    let task_id = create_task(&alice, "stubborn").await;
    let job_id = task_job(&alice, &task_id).await;
    claim(&runner, 1).await;
    alice
        .post(&format!("{WS}/agent-tasks/{task_id}/pause"), json!({}))
        .await
        .expect(200);
    eventually(10, || async {
        task(&alice, &task_id).await["task"]["status"] == "paused"
    })
    .await;
    let j = job(&alice, &job_id).await;
    assert_eq!(j["status"], "PAUSED");
    assert_eq!(j["attempt"], 0, "the interrupted attempt is not counted");
    assert_eq!(types(&j["events"]).last().unwrap(), "task_manual_pause");
    runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/heartbeat"),
            json!({"attempt": 1}),
        )
        .await
        .expect_problem(409, "lease_lost");
}

#[tokio::test]
async fn idle_tasks_are_paused_automatically() {
    let (_server, alice, runner) = setup(quick()).await;
    let settings = patch_settings(&alice, json!({"auto_pause_after_seconds": 1})).await;
    assert_eq!(settings["settings"]["auto_pause_after_seconds"], 1);
    let busy = create_task(&alice, "busy").await;
    let job_id = task_job(&alice, &busy).await;
    claim(&runner, 1).await;
    // Heartbeats are not activity: the task goes idle and its job is asked to pause.
    eventually(10, || async {
        heartbeat(&runner, &job_id, 1).await["pause_requested"] == true
    })
    .await;
    assert_eq!(task(&alice, &busy).await["task"]["pause_kind"], "auto");
    runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/paused"),
            json!({"attempt": 1, "snapshot": {"step": 3}}),
        )
        .await
        .expect(200);
    let detail = task(&alice, &busy).await;
    assert_eq!(detail["task"]["status"], "paused");
    assert_eq!(detail["snapshot"]["kind"], "auto");
    assert!(
        task_events(&alice, &busy)
            .await
            .contains(&"task_auto_pause".to_owned())
    );
    assert_eq!(
        types(&job(&alice, &job_id).await["events"]).last().unwrap(),
        "task_auto_pause"
    );
    // A task with nothing running pauses straight away; turning the setting off stops it.
    let quiet = create_task(&alice, "quiet").await;
    eventually(10, || async {
        task(&alice, &quiet).await["task"]["status"] == "paused"
    })
    .await;
    patch_settings(&alice, json!({"auto_pause_after_seconds": null})).await;
    let kept = create_task(&alice, "kept").await;
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(task(&alice, &kept).await["task"]["status"], "active");
}

#[tokio::test]
async fn approvals_gate_jobs_and_record_who_decided() {
    let (_server, alice, runner) = setup(quick()).await;
    alice.add_member("acme", "bob", "member").await;
    let bob = _server.client("bob");
    let gated = alice
        .create_job("acme", json!({"type": "deploy", "requires_approval": true}))
        .await;
    assert_eq!(gated["status"], "PENDING");
    let gated = gated["id"].as_str().unwrap().to_owned();
    assert!(claim(&runner, 5).await.is_empty());
    bob.post(&format!("{WS}/runner-jobs/{gated}/approve"), json!({}))
        .await
        .expect_problem(403, "forbidden");
    let approved = alice
        .post(
            &format!("{WS}/runner-jobs/{gated}/approve"),
            json!({"comment": "ship it"}),
        )
        .await;
    assert_eq!(approved.expect(200)["status"], "QUEUED");
    let j = job(&alice, &gated).await;
    let event = j["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["type"], "job_approved");
    assert_eq!(event["payload"]["by"], "user:alice");
    assert_eq!(event["payload"]["comment"], "ship it");
    assert_eq!(claim(&runner, 5).await[0]["id"], gated.as_str());
    // Nothing to approve any more.
    alice
        .post(&format!("{WS}/runner-jobs/{gated}/approve"), json!({}))
        .await
        .expect_problem(409, "not_awaiting_approval");

    let rejected = alice
        .create_job("acme", json!({"type": "deploy", "requires_approval": true}))
        .await;
    let rejected = rejected["id"].as_str().unwrap().to_owned();
    let r = alice
        .post(
            &format!("{WS}/runner-jobs/{rejected}/reject"),
            json!({"comment": "not today"}),
        )
        .await;
    assert_eq!(r.expect(200)["status"], "CANCELLED");
    let j = job(&alice, &rejected).await;
    let event = j["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(event["type"], "job_rejected");
    assert_eq!(event["payload"]["comment"], "not today");
}

#[tokio::test]
async fn a_waiting_gate_step_parks_the_job_until_it_is_approved() {
    let (_server, alice, runner) = setup(quick()).await;
    let id = alice.create_job("acme", json!({"type": "release"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    claim(&runner, 1).await;
    let step = runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{id}/steps/0"),
        )
        .json(&json!({"attempt": 1, "name": "sign-off", "phase": "VALIDATION", "type": "GATE", "status": "WAITING"}));
    assert_eq!(Client::send(step).await.expect(200)["status"], "WAITING");
    let j = job(&alice, &id).await;
    assert_eq!(j["status"], "PENDING");
    assert_eq!(j["requires_approval"], true);
    assert_eq!(j["attempt"], 0, "waiting at a gate is not a failed attempt");
    assert!(j["lease"].is_null());
    assert_eq!(types(&j["events"]).last().unwrap(), "job_awaiting_approval");
    // The lease is gone: the runner's next call is refused, and nobody can claim it.
    runner
        .post(
            &format!("/v1/runner/jobs/{id}/heartbeat"),
            json!({"attempt": 1}),
        )
        .await
        .expect_problem(409, "lease_lost");
    assert!(claim(&runner, 1).await.is_empty());
    alice
        .post(&format!("{WS}/runner-jobs/{id}/approve"), json!({}))
        .await
        .expect(200);
    let j = job(&alice, &id).await;
    assert_eq!(j["steps"][0]["status"], "COMPLETED");
    let claimed = claim(&runner, 1).await;
    assert_eq!(claimed[0]["id"], id.as_str());
    assert_eq!(claimed[0]["attempt"], 1);
}

#[tokio::test]
async fn quotas_refuse_enqueues_with_429_and_hold_claims_back() {
    let (_server, alice, runner) = setup(quick()).await;
    // Settings are checked.
    let bad = alice
        .request(reqwest::Method::PATCH, WS)
        .json(&json!({"settings": {"retention_days": 0}}));
    let bad = Client::send(bad).await;
    assert_eq!(
        bad.expect_problem(422, "validation_failed")["field"],
        "settings.retention_days"
    );

    patch_settings(&alice, json!({"max_queued_jobs": 2})).await;
    for _ in 0..2 {
        alice.create_job("acme", json!({"type": "t"})).await;
    }
    let full = alice
        .post(&format!("{WS}/runner-jobs"), json!({"type": "t"}))
        .await;
    let problem = full.expect_problem(429, "quota_exceeded");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("max_queued_jobs")
    );
    let batch = alice
        .post(
            &format!("{WS}/runner-jobs/batch"),
            json!({"jobs": [{"type": "t"}]}),
        )
        .await;
    batch.expect_problem(429, "quota_exceeded");
    let listed = alice.get(&format!("{WS}/runner-jobs")).await;
    assert_eq!(listed.expect(200)["items"].as_array().unwrap().len(), 2);

    // At most one running: a claim of three gets one, then none until it finishes.
    let settings = patch_settings(
        &alice,
        json!({"max_queued_jobs": null, "max_running_jobs": 1}),
    )
    .await;
    assert_eq!(settings["settings"]["max_queued_jobs"], Value::Null);
    assert_eq!(settings["settings"]["max_running_jobs"], 1);
    alice.create_job("acme", json!({"type": "t"})).await;
    let first = claim(&runner, 3).await;
    assert_eq!(first.len(), 1);
    assert!(claim(&runner, 3).await.is_empty());
    let id = first[0]["id"].as_str().unwrap();
    runner
        .post(
            &format!("/v1/runner/jobs/{id}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200);
    // A waiting long-poll notices the room without a new enqueue.
    let started = Instant::now();
    let next = runner
        .post(
            "/v1/runner/claim",
            json!({"max_jobs": 3, "wait_seconds": 5}),
        )
        .await;
    assert_eq!(next.expect(200)["jobs"].as_array().unwrap().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn retention_deletes_only_finished_jobs_past_their_workspace_limit() {
    let (server, alice, runner) = setup(quick()).await;
    alice.create_workspace("keep").await;
    let mut finished = Vec::new();
    for _ in 0..3 {
        finished.push(
            alice.create_job("acme", json!({"type": "t"})).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for j in claim(&runner, 3).await {
        let id = j["id"].as_str().unwrap();
        runner
            .post(
                &format!("/v1/runner/jobs/{id}/logs"),
                json!({"attempt": 1, "entries": [{"seq": 1, "stream": "stdout", "body": "x"}]}),
            )
            .await
            .expect(200);
        let upload = runner
            .request(
                reqwest::Method::PUT,
                &format!("/v1/runner/jobs/{id}/artifacts/out.txt?attempt=1"),
            )
            .header("content-type", "text/plain")
            .body("bytes");
        Client::send(upload).await.expect(201);
        runner
            .post(
                &format!("/v1/runner/jobs/{id}/complete"),
                json!({"attempt": 1}),
            )
            .await
            .expect(200);
    }
    let waiting = alice.create_job("acme", json!({"type": "t"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let elsewhere = alice.create_job("keep", json!({"type": "t"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Two of acme's finished jobs (and keep's job, finished) are old.
    let su = Database::connect(&server.db.superuser_url).await.unwrap();
    su.execute_unprepared(&format!(
        "UPDATE runner_jobs SET finished_at = now() - interval '3 days' WHERE id IN ('{}', '{}'); \
         UPDATE runner_jobs SET status = 'COMPLETED', finished_at = now() - interval '3 days' WHERE id = '{elsewhere}'; \
         UPDATE runner_jobs SET finished_at = now() - interval '3 days' WHERE id = '{waiting}'",
        finished[0], finished[1]
    ))
    .await
    .unwrap();
    patch_settings(&alice, json!({"retention_days": 2})).await;
    eventually(10, || async {
        alice
            .get(&format!("{WS}/runner-jobs/{}", finished[0]))
            .await
            .status
            == 404
    })
    .await;
    alice
        .get(&format!("{WS}/runner-jobs/{}", finished[1]))
        .await
        .expect(404);
    job(&alice, &finished[2]).await;
    job(&alice, &waiting).await;
    alice
        .get(&format!("/v1/workspaces/keep/runner-jobs/{elsewhere}"))
        .await
        .expect(200);
    // Their steps, logs, artifacts and events went with them.
    for table in ["job_logs", "job_artifacts", "job_events"] {
        let row = su
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                format!(
                    "SELECT count(*) AS n FROM {table} WHERE job_id IN ('{}', '{}')",
                    finished[0], finished[1]
                ),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), 0, "{table}");
    }
}

#[tokio::test]
async fn tasks_refuse_what_their_state_does_not_allow() {
    let (_server, alice, runner) = setup(quick()).await;
    alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "  "}))
        .await
        .expect_problem(422, "validation_failed");
    alice
        .post(
            &format!("{WS}/agent-tasks"),
            json!({"title": "x", "metadata": [1]}),
        )
        .await
        .expect_problem(422, "validation_failed");
    let unknown = uuid::Uuid::now_v7();
    let r = alice
        .post(
            &format!("{WS}/runner-jobs"),
            json!({"type": "t", "agent_task_id": unknown}),
        )
        .await;
    assert_eq!(
        r.expect_problem(422, "unknown_reference")["field"],
        "agent_task_id"
    );

    let task_id = create_task(&alice, "finish me").await;
    let job_id = task_job(&alice, &task_id).await;
    alice
        .post(&format!("{WS}/agent-tasks/{task_id}/complete"), json!({}))
        .await
        .expect_problem(409, "task_busy");
    let claimed = claim(&runner, 1).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/complete"),
            json!({"attempt": claimed[0]["attempt"]}),
        )
        .await
        .expect(200);
    let done = alice
        .post(
            &format!("{WS}/agent-tasks/{task_id}/complete"),
            json!({"status": "failed"}),
        )
        .await;
    assert_eq!(done.expect(200)["status"], "failed");
    alice
        .post(
            &format!("{WS}/runner-jobs"),
            json!({"type": "t", "agent_task_id": task_id}),
        )
        .await
        .expect_problem(409, "task_closed");
    alice
        .post(&format!("{WS}/agent-tasks/{task_id}/pause"), json!({}))
        .await
        .expect_problem(409, "illegal_transition");

    // Cancel: waiting jobs are cancelled, running ones asked to stop.
    let other = create_task(&alice, "cancel me").await;
    let running = task_job(&alice, &other).await;
    claim(&runner, 1).await;
    let waiting = task_job(&alice, &other).await;
    let cancelled = alice
        .post_empty(&format!("{WS}/agent-tasks/{other}/cancel"))
        .await;
    assert_eq!(cancelled.expect(200)["status"], "cancelled");
    assert_eq!(job(&alice, &waiting).await["status"], "CANCELLED");
    assert_eq!(
        heartbeat(&runner, &running, 1).await["cancel_requested"],
        true
    );

    // Listing, filtered and paged.
    let page = alice
        .get(&format!("{WS}/agent-tasks?status=failed,cancelled&limit=1"))
        .await;
    let page = page.expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest = alice
        .get(&format!(
            "{WS}/agent-tasks?status=failed,cancelled&limit=1&cursor={cursor}"
        ))
        .await;
    let rest = rest.expect(200);
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_ne!(rest["items"][0]["id"], page["items"][0]["id"]);
    assert!(rest["next_cursor"].is_null());
    alice
        .get(&format!("{WS}/agent-tasks?status=sleeping"))
        .await
        .expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn the_task_endpoints_of_another_workspace_are_404() {
    let (server, alice, runner) = setup(quick()).await;
    let task_id = create_task(&alice, "alice's").await;
    let job_id = task_job(&alice, &task_id).await;
    let gated = alice
        .create_job("acme", json!({"type": "t", "requires_approval": true}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    claim(&runner, 1).await;
    let mallory = server.client("mallory");
    mallory.create_workspace("evil").await;
    let (_, evil_token) = mallory.register_runner("evil", "r", &[]).await;
    let evil_runner = Client::new(&server.base_url, Some(evil_token));
    let base = "/v1/workspaces/evil";
    for path in [
        format!("{base}/agent-tasks/{task_id}"),
        format!("{base}/agent-tasks/{task_id}/snapshot"),
        format!("{base}/agent-tasks/{task_id}/events"),
    ] {
        mallory.get(&path).await.expect_problem(404, "not_found");
    }
    for path in [
        format!("{base}/agent-tasks/{task_id}/pause"),
        format!("{base}/agent-tasks/{task_id}/complete"),
        format!("{base}/runner-jobs/{gated}/approve"),
        format!("{base}/runner-jobs/{gated}/reject"),
    ] {
        mallory
            .post(&path, json!({}))
            .await
            .expect_problem(404, "not_found");
    }
    for path in [
        format!("{base}/agent-tasks/{task_id}/resume"),
        format!("{base}/agent-tasks/{task_id}/cancel"),
    ] {
        mallory
            .post_empty(&path)
            .await
            .expect_problem(404, "not_found");
    }
    // Through alice's workspace, mallory is not a member: 404 as well.
    mallory
        .get(&format!("{WS}/agent-tasks/{task_id}"))
        .await
        .expect_problem(404, "not_found");
    let settings = mallory
        .request(reqwest::Method::PATCH, WS)
        .json(&json!({"settings": {"max_running_jobs": 0}}));
    Client::send(settings)
        .await
        .expect_problem(404, "not_found");
    // Another workspace's runner cannot hand back alice's job.
    evil_runner
        .post(
            &format!("/v1/runner/jobs/{job_id}/paused"),
            json!({"attempt": 1, "snapshot": {}}),
        )
        .await
        .expect_problem(404, "not_found");
    // A task id cannot be used for a job of another workspace.
    mallory
        .post(
            &format!("{base}/runner-jobs"),
            json!({"type": "t", "agent_task_id": task_id}),
        )
        .await
        .expect_problem(422, "unknown_reference");
    // Nothing changed for alice.
    assert_eq!(task(&alice, &task_id).await["task"]["status"], "active");
    assert_eq!(job(&alice, &gated).await["status"], "PENDING");
}
