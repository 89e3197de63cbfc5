//! Bad input gets a clear 4xx problem, never a 500, and writes nothing.

use runyard_testkit::{Client, TestServer};
use serde_json::json;

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

#[tokio::test]
async fn malformed_requests_are_4xx_problems() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;

    let raw = |body: &'static str, content_type: &'static str| {
        let alice = alice.clone();
        async move {
            Client::send(
                alice
                    .request(reqwest::Method::POST, JOBS)
                    .header("content-type", content_type)
                    .body(body),
            )
            .await
        }
    };
    raw("{\"type\": ", "application/json")
        .await
        .expect_problem(400, "bad_request");
    raw("[]", "application/json")
        .await
        .expect_problem(400, "bad_request");
    raw("{\"type\": [\"x\"]}", "application/json")
        .await
        .expect_problem(400, "bad_request");
    raw(
        "{\"type\": \"x\", \"priority\": \"high\"}",
        "application/json",
    )
    .await
    .expect_problem(400, "bad_request");
    raw("type=command", "application/x-www-form-urlencoded")
        .await
        .expect_problem(415, "unsupported_media_type");
    let unknown = alice
        .post(JOBS, json!({"type": "command", "priorty": 5}))
        .await;
    assert!(
        unknown.expect_problem(400, "bad_request")["detail"]
            .as_str()
            .unwrap()
            .contains("priorty")
    );

    for (body, field) in [
        (json!({"type": ""}), "type"),
        (json!({"type": "has space"}), "type"),
        (json!({"type": "x", "priority": 101}), "priority"),
        (
            json!({"type": "x", "priority": -1000000000000i64}),
            "priority",
        ),
        (json!({"type": "x", "max_attempts": 0}), "max_attempts"),
        (
            json!({"type": "x", "timeout_seconds": 0}),
            "timeout_seconds",
        ),
        (
            json!({"type": "x", "labels": ["ok", "not ok"]}),
            "labels[1]",
        ),
        (
            json!({"type": "x", "agent_task_id": "01a20000-0000-7000-8000-000000000000"}),
            "agent_task_id",
        ),
    ] {
        let reply = alice.post(JOBS, body.clone()).await;
        assert!(
            reply.status == 422,
            "{body}: {} {}",
            reply.status,
            reply.text
        );
        assert_eq!(reply.body["field"], field, "{body}: {}", reply.text);
        assert!(reply.content_type.starts_with("application/problem+json"));
    }
    let bad_key = Client::send(
        alice
            .request(reqwest::Method::POST, JOBS)
            .header("Idempotency-Key", "x".repeat(300))
            .json(&json!({"type": "x"})),
    )
    .await;
    assert_eq!(
        bad_key.expect_problem(422, "validation_failed")["field"],
        "Idempotency-Key"
    );

    alice
        .get(&format!("{JOBS}/not-a-uuid"))
        .await
        .expect_problem(400, "bad_request");
    alice
        .get("/v1/no-such-route")
        .await
        .expect_problem(404, "not_found");
    Client::send(alice.request(reqwest::Method::PATCH, JOBS))
        .await
        .expect_problem(405, "method_not_allowed");

    // None of that wrote anything.
    assert_eq!(alice.get(JOBS).await.expect(200)["items"], json!([]));
}

#[tokio::test]
async fn oversized_bodies_are_413_with_or_without_a_length() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let big = format!(
        "{{\"type\": \"x\", \"payload\": {{\"blob\": \"{}\"}}}}",
        "a".repeat(runyard_api::MAX_BODY_BYTES)
    );
    let sized = Client::send(
        alice
            .request(reqwest::Method::POST, JOBS)
            .header("content-type", "application/json")
            .body(big.clone()),
    )
    .await;
    sized.expect_problem(413, "payload_too_large");
    // Chunked, so no Content-Length announces the size.
    let chunks: Vec<Result<String, std::io::Error>> = big
        .as_bytes()
        .chunks(64 * 1024)
        .map(|c| Ok(String::from_utf8(c.to_vec()).unwrap()))
        .collect();
    let stream = futures::stream::iter(chunks);
    let chunked = Client::send(
        alice
            .request(reqwest::Method::POST, JOBS)
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(stream)),
    )
    .await;
    chunked.expect_problem(413, "payload_too_large");
    // A payload under the body limit but over the payload limit is a 422.
    let payload = format!(
        "{{\"type\": \"x\", \"payload\": {{\"blob\": \"{}\"}}}}",
        "a".repeat(300 * 1024)
    );
    let reply = Client::send(
        alice
            .request(reqwest::Method::POST, JOBS)
            .header("content-type", "application/json")
            .body(payload),
    )
    .await;
    assert_eq!(
        reply.expect_problem(422, "validation_failed")["field"],
        "payload"
    );
    assert_eq!(alice.get(JOBS).await.expect(200)["items"], json!([]));
}
