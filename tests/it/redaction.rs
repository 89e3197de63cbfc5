//! Secrets stay with runners: values under secret-looking keys read as `"[redacted]"` to
//! every user (owner, member, viewer; jobs, lists, events, the feed page and stream, task
//! metadata, errors and results), a job's `secrets` are never returned at all, and the
//! claiming runner gets everything real.

use std::time::{Duration, Instant};

use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const WS: &str = "/v1/workspaces/acme";
const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

/// The secret values used below; none may appear in anything a user reads.
const SECRETS: [&str; 6] = [
    "sk-live-payload",
    "pw-nested-deep",
    "tok-only-for-runners",
    "res-access-token",
    "err-api-key",
    "meta-password",
];

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

async fn setup() -> (TestServer, Client, Client, Client, Client) {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    alice.add_member("acme", "bob", "member").await;
    alice.add_member("acme", "carol", "viewer").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    let bob = server.client("bob");
    let carol = server.client("carol");
    (server, alice, bob, carol, runner)
}

async fn open_stream(user: &Client) -> reqwest::Response {
    let resp = user
        .request(
            reqwest::Method::GET,
            &format!("{WS}/events/stream?after=start"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp
}

/// Reads the stream until an event of `job_id` with type `until` arrived; returns the text.
async fn read_stream_until(resp: &mut reqwest::Response, job_id: &str, until: &str) -> String {
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let chunk = tokio::time::timeout_at(deadline.into(), resp.chunk())
            .await
            .expect("events in time")
            .unwrap()
            .expect("the stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
        let done = text.lines().any(|line| {
            line.strip_prefix("data: ")
                .and_then(|d| serde_json::from_str::<Value>(d).ok())
                .is_some_and(|e| e["job_id"] == job_id && e["type"] == until)
        });
        if done {
            return text;
        }
    }
}

#[tokio::test]
async fn users_never_see_secrets_and_the_runner_does() {
    let (_server, alice, bob, carol, runner) = setup().await;
    let mut viewer_stream = open_stream(&carol).await;
    let mut member_stream = open_stream(&bob).await;

    let task = alice
        .post(
            &format!("{WS}/agent-tasks"),
            json!({"title": "deploy", "metadata": {"db": {"Password": "meta-password"}, "team": "ops"}}),
        )
        .await
        .expect(201)
        .clone();
    assert_no_secret("the created task", &task.to_string());
    assert_eq!(task["metadata"]["db"]["Password"], "[redacted]");
    assert_eq!(task["metadata"]["team"], "ops");

    // A member creates the job; even the answer to the create hides the secrets.
    let payload = json!({
        "script": "true",
        "env": {"API_KEY": "sk-live-payload", "HOME": "/home/app"},
        "deep": [{"config": {"db_password": "pw-nested-deep"}}],
    });
    let created = bob
        .post(
            JOBS,
            json!({"type": "deploy", "payload": payload, "agent_task_id": task["id"],
                   "secrets": {"DEPLOY_TOKEN": "tok-only-for-runners"}}),
        )
        .await
        .expect(201)
        .clone();
    assert_no_secret("the create answer", &created.to_string());
    assert!(created.get("secrets").is_none(), "{created}");
    assert_eq!(created["payload"]["env"]["API_KEY"], "[redacted]");
    assert_eq!(created["payload"]["env"]["HOME"], "/home/app");
    assert_eq!(
        created["payload"]["deep"][0]["config"]["db_password"],
        "[redacted]"
    );
    let id = created["id"].as_str().unwrap().to_owned();

    // The runner gets the real payload and the secrets.
    let claimed = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200)["jobs"][0]
        .clone();
    assert_eq!(claimed["id"], id.as_str());
    assert_eq!(claimed["payload"], payload);
    assert_eq!(
        claimed["secrets"],
        json!({"DEPLOY_TOKEN": "tok-only-for-runners"})
    );
    assert!(claimed["redact_pattern"].as_str().unwrap().contains("api"));

    // A step's output and the failure's error carry secrets too.
    runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{id}/steps/1"),
        )
        .json(
            &json!({"attempt": 1, "name": "login", "status": "COMPLETED",
                      "phase": "SETUP", "type": "COMMAND",
                      "output": {"access_token": "res-access-token"}}),
        )
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    runner
        .post(
            &format!("/v1/runner/jobs/{id}/fail"),
            json!({"attempt": 1, "retryable": false,
                   "error": {"message": "denied", "api_key": "err-api-key"}}),
        )
        .await
        .expect(200);

    for (who, user) in [("owner", &alice), ("member", &bob), ("viewer", &carol)] {
        let job = user.get(&format!("{JOBS}/{id}")).await.expect(200).clone();
        let text = job.to_string();
        assert_no_secret(&format!("the job to the {who}"), &text);
        assert!(job.get("secrets").is_none(), "{text}");
        assert_eq!(job["error"]["api_key"], "[redacted]", "{text}");
        assert_eq!(job["error"]["message"], "denied");
        assert_eq!(job["steps"][0]["output"]["access_token"], "[redacted]");
        let failed = job["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "job_failed")
            .expect("a job_failed event");
        assert_eq!(failed["payload"]["error"]["api_key"], "[redacted]");
        for path in [
            JOBS.to_owned(),
            format!("{JOBS}/{id}/events"),
            format!("{WS}/events?after=start"),
            format!("{WS}/agent-tasks"),
            format!("{WS}/agent-tasks/{}", task["id"].as_str().unwrap()),
        ] {
            let body = user.get(&path).await.expect(200).to_string();
            assert_no_secret(&format!("{path} to the {who}"), &body);
            assert!(body.contains("[redacted]"), "{path}: {body}");
        }
    }
    for (who, stream) in [
        ("viewer", &mut viewer_stream),
        ("member", &mut member_stream),
    ] {
        let text = read_stream_until(stream, &id, "job_failed").await;
        assert_no_secret(&format!("the feed stream to the {who}"), &text);
        assert!(text.contains("[redacted]"), "{text}");
    }
}

#[tokio::test]
async fn the_pattern_is_a_workspace_setting_checked_on_write() {
    let (_server, alice, _bob, carol, runner) = setup().await;
    let ws = alice.get(WS).await.expect(200).clone();
    let default = ws["settings"]["redact_pattern"].as_str().unwrap();
    assert!(
        default.contains("password") && default.contains("api"),
        "{default}"
    );
    for bad in ["(", ".*", ""] {
        let reply = Client::send(
            alice
                .request(reqwest::Method::PATCH, WS)
                .json(&json!({"settings": {"redact_pattern": bad}})),
        )
        .await;
        let problem = reply.expect_problem(422, "validation_failed");
        assert!(
            problem.to_string().contains("settings.redact_pattern"),
            "{problem}"
        );
    }
    Client::send(
        alice
            .request(reqwest::Method::PATCH, WS)
            .json(&json!({"settings": {"redact_pattern": "^internal_"}})),
    )
    .await
    .expect(200);
    let job = alice
        .create_job(
            "acme",
            json!({"type": "t", "payload": {"INTERNAL_url": "hidden", "password": "shown"}}),
        )
        .await;
    assert_eq!(job["payload"]["INTERNAL_url"], "[redacted]");
    assert_eq!(job["payload"]["password"], "shown");
    let listed = carol.get(JOBS).await.expect(200).clone();
    assert_eq!(listed["items"][0]["payload"]["INTERNAL_url"], "[redacted]");
    let claimed = runner.post("/v1/runner/claim", json!({})).await.expect(200)["jobs"][0].clone();
    assert_eq!(claimed["payload"]["INTERNAL_url"], "hidden");
    assert_eq!(claimed["redact_pattern"], "^internal_");
    // null restores the default.
    Client::send(
        alice
            .request(reqwest::Method::PATCH, WS)
            .json(&json!({"settings": {"redact_pattern": null}})),
    )
    .await
    .expect(200);
    let job = carol
        .get(&format!("{JOBS}/{}", job["id"].as_str().unwrap()))
        .await;
    assert_eq!(job.expect(200)["payload"]["password"], "[redacted]");
}

#[tokio::test]
async fn bad_secrets_are_refused_naming_the_problem() {
    let (_server, alice, ..) = setup().await;
    for (secrets, field) in [
        (json!(["x"]), "secrets"),
        (json!({"NOT-A-NAME": "x"}), "secrets"),
        (json!({"TOKEN": 5}), "secrets.TOKEN"),
    ] {
        let reply = alice
            .post(JOBS, json!({"type": "t", "secrets": secrets}))
            .await;
        let problem = reply.expect_problem(422, "validation_failed").clone();
        assert!(problem.to_string().contains(field), "{problem}");
    }
}

/// Command payloads (and the runner's acknowledgement) and model-call metadata read as
/// redacted to every user; the runner holding the job gets the command's real payload
/// on its heartbeat, its long-poll and its acknowledgement.
#[tokio::test]
async fn commands_and_model_calls_hide_secrets_from_users() {
    const HIDDEN: [&str; 3] = ["cmd-secret-token", "ack-secret-pw", "call-api-key"];
    let (_server, alice, bob, carol, runner) = setup().await;
    let job = alice.create_job("acme", json!({"type": "agent"})).await;
    let id = job["id"].as_str().unwrap().to_owned();
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);
    let command_payload = json!({"text": "go on", "auth": {"token": "cmd-secret-token"}});
    let sent = bob
        .post(
            &format!("{JOBS}/{id}/commands"),
            json!({"type": "steer", "payload": command_payload}),
        )
        .await
        .expect(201)
        .clone();
    assert_eq!(sent["payload"]["auth"]["token"], "[redacted]", "{sent}");
    assert_eq!(sent["payload"]["text"], "go on");

    // The runner sees the real payload wherever it is handed the command.
    let beat = runner
        .post(
            &format!("/v1/runner/jobs/{id}/heartbeat"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(beat["commands"][0]["payload"], command_payload, "{beat}");
    let polled = runner
        .get(&format!(
            "/v1/runner/jobs/{id}/commands?attempt=1&after_seq=0&wait_seconds=0"
        ))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        polled["commands"][0]["payload"], command_payload,
        "{polled}"
    );
    let acked = runner
        .post(
            &format!("/v1/runner/jobs/{id}/commands/1/ack"),
            json!({"attempt": 1, "result": {"password": "ack-secret-pw"}}),
        )
        .await
        .expect(200)
        .clone();
    assert_eq!(acked["payload"], command_payload, "{acked}");

    runner
        .post(
            &format!("/v1/runner/jobs/{id}/ai-calls"),
            json!({"attempt": 1, "calls": [{
                "id": uuid::Uuid::now_v7(), "provider": "openai", "model": "gpt-5",
                "input_tokens": 1, "output_tokens": 1, "cost_usd": "0.1", "latency_ms": 5,
                "status": "ok", "started_at": "2026-12-01T10:00:00Z",
                "metadata": {"purpose": "plan", "headers": {"X-Api-Key": "call-api-key"}},
            }]}),
        )
        .await
        .expect(200);

    for (who, user) in [("owner", &alice), ("member", &bob), ("viewer", &carol)] {
        let commands = user
            .get(&format!("{JOBS}/{id}/commands"))
            .await
            .expect(200)
            .clone();
        let calls = user
            .get(&format!("{JOBS}/{id}/ai-calls"))
            .await
            .expect(200)
            .clone();
        for (what, body) in [("commands", &commands), ("model calls", &calls)] {
            let text = body.to_string();
            for secret in HIDDEN {
                assert!(
                    !text.contains(secret),
                    "{what} to the {who} show {secret}: {text}"
                );
            }
        }
        let command = &commands["items"][0];
        assert_eq!(command["payload"]["auth"]["token"], "[redacted]");
        assert_eq!(command["payload"]["text"], "go on");
        assert_eq!(command["result"]["password"], "[redacted]");
        let call = &calls["items"][0];
        assert_eq!(call["metadata"]["headers"]["X-Api-Key"], "[redacted]");
        assert_eq!(call["metadata"]["purpose"], "plan");
    }
}
