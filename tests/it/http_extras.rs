//! HTTP niceties for web frontends: request ids on every response, CORS for configured
//! origins, ETags with `304 Not Modified` for cheap polling, and `Location` on every
//! single resource created.

use runyard_api::{CorsOrigins, HttpOptions, QueueConfig};
use runyard_testkit::{Client, Reply, TestServer};
use serde_json::json;

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

fn header<'a>(reply: &'a Reply, name: &str) -> Option<&'a str> {
    reply.headers.get(name).map(|v| v.to_str().unwrap())
}

/// Whether `id` is a UUID of version 7 (time-ordered).
fn is_uuid_v7(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 7)
}

async fn get_with(client: &Client, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = client.request(reqwest::Method::GET, path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    Client::send(req).await
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let server = TestServer::start().await;
    let anon = server.anonymous();

    // Generated when the caller sends none: a fresh UUIDv7 each time.
    let first = anon.get("/healthz").await;
    first.expect(200);
    let second = anon.get("/healthz").await;
    let (a, b) = (
        header(&first, "x-request-id").unwrap(),
        header(&second, "x-request-id").unwrap(),
    );
    assert!(is_uuid_v7(a) && is_uuid_v7(b), "{a} {b}");
    assert_ne!(a, b);

    // On problems too, in the header and in the body: an unknown route, a missing token,
    // and an error raised by a handler.
    let alice = server.client("alice");
    for reply in [
        anon.get("/no/such/route").await,
        anon.get("/v1/workspaces").await,
        alice.get("/v1/workspaces/nowhere").await,
        alice
            .post("/v1/workspaces", json!({"name": "x", "slug": "Not A Slug"}))
            .await,
    ] {
        assert!(reply.status >= 400, "{}", reply.text);
        let id = header(&reply, "x-request-id").expect("a request id");
        assert!(is_uuid_v7(id), "{id}");
        assert_eq!(reply.body["request_id"], id, "{}", reply.text);
        assert!(
            reply.body["code"].is_string(),
            "still a problem: {}",
            reply.text
        );
    }
    anon.get("/no/such/route")
        .await
        .expect_problem(404, "not_found");

    // A sane incoming id is kept, on success and on error alike.
    let ours = "trace-1.2_ABC";
    let ok = get_with(&anon, "/healthz", &[("x-request-id", ours)]).await;
    assert_eq!(header(&ok, "x-request-id"), Some(ours));
    let missing = get_with(&anon, "/no/such/route", &[("x-request-id", ours)]).await;
    assert_eq!(header(&missing, "x-request-id"), Some(ours));
    assert_eq!(missing.body["request_id"], ours);

    // An insane one is replaced: bad characters, or too long.
    let long = "a".repeat(129);
    for insane in ["has spaces", "semi;colon", "<script>", long.as_str()] {
        let reply = get_with(&anon, "/healthz", &[("x-request-id", insane)]).await;
        let id = header(&reply, "x-request-id").unwrap();
        assert!(is_uuid_v7(id), "{insane:?} was echoed as {id:?}");
    }
    let longest = "b".repeat(128);
    let reply = get_with(&anon, "/healthz", &[("x-request-id", &longest)]).await;
    assert_eq!(header(&reply, "x-request-id"), Some(longest.as_str()));
}

async fn with_cors(origins: &str) -> TestServer {
    TestServer::start_with_options(
        QueueConfig::default(),
        HttpOptions {
            cors_origins: CorsOrigins::parse(origins).unwrap(),
            ..HttpOptions::default()
        },
    )
    .await
}

async fn preflight(client: &Client, path: &str, origin: &str) -> Reply {
    Client::send(
        client
            .request(reqwest::Method::OPTIONS, path)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type,idempotency-key",
            ),
    )
    .await
}

fn listed(reply: &Reply, name: &str) -> Vec<String> {
    reply
        .headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn cors_answers_allowed_origins_only() {
    const APP: &str = "https://app.example.com";
    let server = with_cors("https://app.example.com, http://localhost:5173").await;
    let anon = server.anonymous();
    let alice = server.client("alice");
    alice.create_workspace("acme").await;

    // The preflight is answered for an allowed origin, with what a frontend sends.
    let pre = preflight(&anon, JOBS, APP).await;
    assert_eq!(pre.status, 204, "{}", pre.text);
    assert_eq!(header(&pre, "access-control-allow-origin"), Some(APP));
    let methods = listed(&pre, "access-control-allow-methods");
    for m in ["get", "post", "put", "delete"] {
        assert!(methods.contains(&m.to_owned()), "{methods:?}");
    }
    let allowed = listed(&pre, "access-control-allow-headers");
    for h in [
        "authorization",
        "content-type",
        "idempotency-key",
        "last-event-id",
        "if-none-match",
    ] {
        assert!(allowed.contains(&h.to_owned()), "{h} not in {allowed:?}");
    }
    assert!(header(&pre, "access-control-max-age").is_some());
    assert!(listed(&pre, "vary").contains(&"origin".to_owned()));

    // The actual request: the origin is allowed and the headers a frontend reads exposed,
    // on success and on a problem alike.
    for reply in [
        get_with(&alice, JOBS, &[("origin", APP)]).await,
        get_with(&anon, JOBS, &[("origin", APP)]).await,
    ] {
        assert_eq!(header(&reply, "access-control-allow-origin"), Some(APP));
        let exposed = listed(&reply, "access-control-expose-headers");
        for h in ["x-request-id", "etag", "location"] {
            assert!(exposed.contains(&h.to_owned()), "{h} not in {exposed:?}");
        }
        assert!(listed(&reply, "vary").contains(&"origin".to_owned()));
    }
    assert_eq!(get_with(&alice, JOBS, &[("origin", APP)]).await.status, 200);
    let local = get_with(&alice, JOBS, &[("origin", "http://localhost:5173")]).await;
    assert_eq!(
        header(&local, "access-control-allow-origin"),
        Some("http://localhost:5173")
    );

    // Another origin gets no CORS headers (the browser hides the answer), but the server
    // still serves it as it would without CORS: same-origin pages and tools are unaffected.
    let evil = "https://evil.example";
    let pre = preflight(&anon, JOBS, evil).await;
    assert_ne!(pre.status, 204);
    assert_eq!(header(&pre, "access-control-allow-origin"), None);
    let reply = get_with(&alice, JOBS, &[("origin", evil)]).await;
    reply.expect(200);
    assert_eq!(header(&reply, "access-control-allow-origin"), None);
    assert_eq!(header(&reply, "access-control-expose-headers"), None);
    // Nor does a request without an Origin.
    let plain = alice.get(JOBS).await;
    assert_eq!(header(&plain, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_can_allow_any_origin_and_is_off_by_default() {
    let any = with_cors("*").await;
    let pre = preflight(&any.anonymous(), "/v1/workspaces", "https://x.example").await;
    assert_eq!(pre.status, 204);
    assert_eq!(header(&pre, "access-control-allow-origin"), Some("*"));
    let reply = get_with(
        &any.anonymous(),
        "/healthz",
        &[("origin", "https://y.example")],
    )
    .await;
    assert_eq!(header(&reply, "access-control-allow-origin"), Some("*"));

    let off = TestServer::start().await;
    let pre = preflight(&off.anonymous(), "/v1/workspaces", "https://x.example").await;
    assert_ne!(pre.status, 204);
    assert_eq!(header(&pre, "access-control-allow-origin"), None);
    let reply = get_with(
        &off.anonymous(),
        "/healthz",
        &[("origin", "https://x.example")],
    )
    .await;
    reply.expect(200);
    assert_eq!(header(&reply, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn etags_let_pollers_skip_unchanged_bodies() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let job = alice.create_job("acme", json!({"type": "build"})).await;
    let path = format!("{JOBS}/{}", job["id"].as_str().unwrap());

    let first = alice.get(&path).await;
    first.expect(200);
    let tag = header(&first, "etag").expect("an ETag").to_owned();
    assert!(
        tag.starts_with('"') && tag.ends_with('"') && tag.len() > 10,
        "{tag}"
    );
    assert_eq!(header(&first, "cache-control"), Some("no-cache"));
    // The same body, the same tag.
    assert_eq!(header(&alice.get(&path).await, "etag"), Some(tag.as_str()));

    // A matching If-None-Match: 304, no body, the tag again (and still a request id).
    let other_and_ours = format!("\"nope\", {tag}");
    let weak = format!("W/{tag}");
    for if_none_match in [tag.as_str(), &other_and_ours, &weak, "*"] {
        let not_modified = get_with(&alice, &path, &[("if-none-match", if_none_match)]).await;
        assert_eq!(not_modified.status, 304, "{if_none_match}");
        assert!(not_modified.text.is_empty());
        assert_eq!(header(&not_modified, "etag"), Some(tag.as_str()));
        assert!(header(&not_modified, "x-request-id").is_some());
    }
    // HEAD: the GET's tag, no body; and 304 when it matches.
    let head = Client::send(alice.request(reqwest::Method::HEAD, &path)).await;
    assert_eq!(head.status, 200);
    assert_eq!(header(&head, "etag"), Some(tag.as_str()));
    assert!(head.text.is_empty());
    let head = Client::send(
        alice
            .request(reqwest::Method::HEAD, &path)
            .header("if-none-match", &tag),
    )
    .await;
    assert_eq!(head.status, 304);

    // The job changes: the old tag no longer matches; the new body has a new tag.
    alice
        .post_empty(&format!("{path}/cancel"))
        .await
        .expect(200);
    let changed = get_with(&alice, &path, &[("if-none-match", &tag)]).await;
    changed.expect(200);
    assert_eq!(changed.body["status"], "CANCELLED");
    let new_tag = header(&changed, "etag").unwrap();
    assert_ne!(new_tag, tag);
    let again = get_with(&alice, &path, &[("if-none-match", new_tag)]).await;
    assert_eq!(again.status, 304);

    // Lists are tagged too.
    let list = alice.get(JOBS).await;
    assert!(header(&list, "etag").is_some());

    // Not tagged: problems, writes, and what is not JSON.
    let missing = alice.get(&format!("{JOBS}/{}", uuid::Uuid::now_v7())).await;
    missing.expect_problem(404, "not_found");
    assert_eq!(header(&missing, "etag"), None);
    let created = alice.post(JOBS, json!({"type": "build"})).await;
    created.expect(201);
    assert_eq!(header(&created, "etag"), None);
    let metrics = server.anonymous().get("/metrics").await;
    metrics.expect(200);
    assert_eq!(header(&metrics, "etag"), None);
}

#[tokio::test]
async fn downloads_and_streams_are_not_tagged() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    let job = alice.create_job("acme", json!({"type": "build"})).await;
    let id = job["id"].as_str().unwrap();
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);
    // An artifact whose content is JSON is still a download.
    Client::send(
        runner
            .request(
                reqwest::Method::PUT,
                &format!("/v1/runner/jobs/{id}/artifacts/report.json?attempt=1"),
            )
            .header("content-type", "application/json")
            .body("{\"ok\": true}"),
    )
    .await
    .expect(201);
    runner
        .post(
            &format!("/v1/runner/jobs/{id}/complete"),
            json!({"attempt": 1, "result": {}}),
        )
        .await
        .expect(200);

    let download = alice
        .get(&format!("{JOBS}/{id}/artifacts/report.json"))
        .await;
    download.expect(200);
    assert!(download.content_type.starts_with("application/json"));
    assert_eq!(header(&download, "etag"), None);
    assert_eq!(download.text, "{\"ok\": true}");

    let stream = alice
        .request(reqwest::Method::GET, &format!("{JOBS}/{id}/logs/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert!(
        stream.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    assert!(stream.headers().get("etag").is_none());
    assert!(stream.headers().get("x-request-id").is_some());

    // The artifact list is ordinary JSON, and tagged.
    let list = alice.get(&format!("{JOBS}/{id}/artifacts")).await;
    assert!(header(&list, "etag").is_some());
}

/// Each `201` names what it created in `Location`, and that location answers.
#[tokio::test]
async fn created_resources_are_named_in_location() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    let created = alice
        .post("/v1/workspaces", json!({"name": "Acme", "slug": "acme"}))
        .await;
    let ws = created.expect(201)["id"].as_str().unwrap().to_owned();
    let location = header(&created, "location").unwrap().to_owned();
    assert_eq!(location, format!("/v1/workspaces/{ws}"));
    assert_eq!(alice.get(&location).await.expect(200)["slug"], "acme");

    let created = alice.post(JOBS, json!({"type": "build"})).await;
    let job = created.expect(201)["id"].as_str().unwrap().to_owned();
    let location = header(&created, "location").unwrap().to_owned();
    assert_eq!(location, format!("/v1/workspaces/{ws}/runner-jobs/{job}"));
    assert_eq!(alice.get(&location).await.expect(200)["id"], job);

    let created = alice
        .post(
            "/v1/workspaces/acme/agent-tasks",
            json!({"title": "Nightly"}),
        )
        .await;
    let task = created.expect(201)["id"].as_str().unwrap().to_owned();
    let location = header(&created, "location").unwrap().to_owned();
    assert_eq!(location, format!("/v1/workspaces/{ws}/agent-tasks/{task}"));
    assert_eq!(alice.get(&location).await.expect(200)["task"]["id"], task);

    let created = alice
        .post(
            "/v1/workspaces/acme/members",
            json!({"subject": "bob|github:7", "role": "viewer"}),
        )
        .await;
    created.expect(201);
    assert_eq!(
        header(&created, "location"),
        Some(format!("/v1/workspaces/{ws}/members/bob%7Cgithub%3A7").as_str())
    );

    let created = alice
        .post(
            "/v1/workspaces/acme/runners",
            json!({"name": "r1", "labels": []}),
        )
        .await;
    let runner_id = created.expect(201)["runner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        header(&created, "location"),
        Some(format!("/v1/workspaces/{ws}/runners/{runner_id}").as_str())
    );
    let token = created.body["token"].as_str().unwrap().to_owned();
    let runner = Client::new(&server.base_url, Some(token));
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);
    let uploaded = Client::send(
        runner
            .request(
                reqwest::Method::PUT,
                &format!("/v1/runner/jobs/{job}/artifacts/report.txt?attempt=1"),
            )
            .header("content-type", "text/plain")
            .body("done"),
    )
    .await;
    uploaded.expect(201);
    let location = header(&uploaded, "location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/v1/workspaces/{ws}/runner-jobs/{job}/artifacts/report.txt")
    );
    assert_eq!(alice.get(&location).await.text, "done");
}
