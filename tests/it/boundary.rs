//! The request boundary, driven by the served spec: U+0000 (which PostgreSQL cannot
//! store) through every string field of every request body and every string path and
//! query parameter of every operation is a 4xx problem, never a 5xx. Also: strings are
//! strings, JSON is UTF-8, 405 says what is allowed, both streams treat a bad
//! `Last-Event-ID` alike.

use runyard_testkit::{Client, TestServer};
use serde_json::{Map, Value, json};

const NUL: &str = "a\u{0}b";

/// A server with workspace `acme` (alice owns it), a runner holding a claimed job, and
/// an agent task: real ids for every path parameter.
struct World {
    server: TestServer,
    alice: Client,
    runner: Client,
    job: String,
    task: String,
    runner_id: String,
}

async fn world() -> World {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    alice.add_member("acme", "bob", "viewer").await;
    let (runner_id, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    let job = alice.create_job("acme", json!({"type": "t"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);
    let task = alice
        .post("/v1/workspaces/acme/agent-tasks", json!({"title": "t"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        server,
        alice,
        runner,
        job,
        task,
        runner_id,
    }
}

impl World {
    /// A real value for path parameter `name` of `path`.
    fn param(&self, path: &str, name: &str) -> String {
        match name {
            "ws" => "acme".into(),
            "id" if path.contains("/agent-tasks/") => self.task.clone(),
            "id" if path.contains("/runners/") => self.runner_id.clone(),
            "id" => self.job.clone(),
            "ordinal" | "seq" => "1".into(),
            "name" => "a.txt".into(),
            "subject" => "bob".into(),
            other => panic!("no value for path parameter {other} of {path}"),
        }
    }

    fn client_for(&self, path: &str) -> &Client {
        if path.starts_with("/v1/runner/") {
            &self.runner
        } else {
            &self.alice
        }
    }
}

/// Follows `$ref` and the `oneOf` that wraps a described or nullable reference (its first
/// member is the reference).
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.trim_start_matches("#/components/schemas/");
        return resolve(spec, &spec["components"]["schemas"][name]);
    }
    if let Some(first) = schema["oneOf"].as_array().and_then(|parts| parts.first()) {
        return resolve(spec, first);
    }
    schema
}

/// A value the schema accepts, with only required properties.
fn minimal(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    match schema["type"].as_str() {
        Some("string") => match schema["format"].as_str() {
            Some("uuid") => json!("00000000-0000-0000-0000-000000000000"),
            Some("date-time") => json!("2030-01-01T00:00:00Z"),
            _ => json!("x"),
        },
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([]),
        Some("object") => {
            let mut map = Map::new();
            for name in schema["required"].as_array().into_iter().flatten() {
                let name = name.as_str().unwrap();
                map.insert(name.to_owned(), minimal(spec, &schema["properties"][name]));
            }
            Value::Object(map)
        }
        _ => json!({}),
    }
}

/// Every way to put a NUL into a value of `schema`: (field path, value). Strings become
/// NUL-bearing strings; free-form JSON gets a NUL in a value and in a key; objects and
/// arrays recurse into each property and into one item.
fn with_nul(spec: &Value, schema: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    let schema = resolve(spec, schema);
    if schema["enum"].is_array() {
        out.push((path.to_owned(), json!(NUL)));
        return;
    }
    match schema["type"].as_str() {
        Some("string") => out.push((path.to_owned(), json!(NUL))),
        Some("array") => {
            let mut inner = Vec::new();
            with_nul(spec, &schema["items"], &format!("{path}[0]"), &mut inner);
            out.extend(inner.into_iter().map(|(p, v)| (p, json!([v]))));
        }
        Some("object") => {
            let base = minimal(spec, schema);
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                let field = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                let mut inner = Vec::new();
                with_nul(spec, property, &field, &mut inner);
                for (p, v) in inner {
                    let mut body = base.clone();
                    body[name.as_str()] = v;
                    out.push((p, body));
                }
            }
        }
        Some(_) => {}
        None => {
            out.push((path.to_owned(), json!({ "k": NUL })));
            out.push((path.to_owned(), json!({ NUL: 1 })));
        }
    }
}

fn reqwest_method(method: &str) -> reqwest::Method {
    method.to_ascii_uppercase().parse().unwrap()
}

#[tokio::test]
async fn nul_anywhere_in_any_operation_is_a_4xx() {
    let world = world().await;
    let spec = world
        .server
        .anonymous()
        .get("/openapi.json")
        .await
        .expect(200)
        .clone();
    let mut sent = 0;
    for (template, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let params: Vec<&Value> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            let fill = |nul_in: Option<&str>| {
                let mut path = template.clone();
                for p in params.iter().filter(|p| p["in"] == "path") {
                    let name = p["name"].as_str().unwrap();
                    let value = if Some(name) == nul_in {
                        "a%00b".to_owned()
                    } else {
                        world.param(template, name)
                    };
                    path = path.replace(&format!("{{{name}}}"), &value);
                }
                path
            };
            let is_string = |p: &&&Value| resolve(&spec, &p["schema"])["type"] == "string";
            let mut requests: Vec<(String, String, Option<Value>)> = Vec::new();
            for p in params
                .iter()
                .filter(|p| p["in"] == "path")
                .filter(is_string)
            {
                let name = p["name"].as_str().unwrap();
                requests.push((name.to_owned(), fill(Some(name)), None));
            }
            for p in params
                .iter()
                .filter(|p| p["in"] == "query")
                .filter(is_string)
            {
                let name = p["name"].as_str().unwrap();
                requests.push((
                    name.to_owned(),
                    format!("{}?{name}=a%00b", fill(None)),
                    None,
                ));
            }
            if let Some(schema) = operation["requestBody"]["content"]
                .get("application/json")
                .map(|m| &m["schema"])
            {
                let mut bodies = Vec::new();
                with_nul(&spec, schema, "", &mut bodies);
                for (field, body) in bodies {
                    requests.push((field, fill(None), Some(body)));
                }
            }
            for (field, path, body) in requests {
                let mut req = world
                    .client_for(template)
                    .request(reqwest_method(method), &path);
                if let Some(body) = &body {
                    req = req.json(body);
                }
                let reply = Client::send(req).await;
                assert!(
                    (400..500).contains(&reply.status),
                    "{method} {path} with U+0000 in {field} ({body:?}): {} {}",
                    reply.status,
                    reply.text
                );
                assert!(
                    reply.content_type.starts_with("application/problem+json"),
                    "{method} {path} {field}: {}",
                    reply.text
                );
                sent += 1;
            }
        }
    }
    assert!(sent > 60, "only {sent} requests: the spec was not walked");

    // The handful named when this was found: each 422 names its field.
    let ws = "/v1/workspaces";
    let job = &world.job;
    for (path, body, field) in [
        (
            ws.to_owned(),
            json!({"name": NUL, "slug": "nul-ws"}),
            "name",
        ),
        (
            format!("{ws}/acme/runner-jobs"),
            json!({"type": "t", "payload": {"k": NUL}}),
            "payload.k",
        ),
        (
            format!("{ws}/acme/members"),
            json!({"subject": NUL, "role": "viewer"}),
            "subject",
        ),
        (
            format!("/v1/runner/jobs/{job}/fail"),
            json!({"attempt": 1, "error": NUL}),
            "error",
        ),
    ] {
        let client = world.client_for(&path);
        let reply = client.post(&path, body).await;
        assert_eq!(
            reply.expect_problem(422, "validation_failed")["field"],
            field
        );
    }
    for (path, field) in [
        (format!("{ws}/%00"), "ws"),
        (format!("{ws}/acme/runner-jobs?type=%00"), "type"),
        (format!("{ws}/acme/runner-jobs/{job}/artifacts/%00"), "name"),
    ] {
        let reply = world.alice.get(&path).await;
        assert_eq!(
            reply.expect_problem(422, "validation_failed")["field"],
            field
        );
    }
    // A validly signed token whose subject holds a NUL.
    let nul_sub = world.server.client(NUL);
    nul_sub.get(ws).await.expect_problem(401, "unauthorized");
    // Nothing was written: the job is untouched and no workspace was created.
    let mine = world.alice.get(ws).await;
    assert_eq!(mine.expect(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn string_fields_take_only_strings() {
    let world = world().await;
    for (path, body) in [
        (
            "/v1/workspaces/acme/members",
            json!({"subject": false, "role": "viewer"}),
        ),
        ("/v1/workspaces/acme/runner-jobs", json!({"type": 5})),
        (
            "/v1/workspaces/acme/runner-jobs",
            json!({"type": "t", "labels": [1]}),
        ),
        ("/v1/workspaces", json!({"name": true, "slug": "ok-slug"})),
    ] {
        world
            .alice
            .post(path, body.clone())
            .await
            .expect_problem(400, "bad_request");
    }
    let members = world.alice.get("/v1/workspaces/acme/members").await;
    assert_eq!(members.expect(200)["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn json_bodies_are_utf8_and_405_says_what_is_allowed() {
    let world = world().await;
    for content_type in [
        "application/json; charset=latin1",
        "application/json; charset=ISO-8859-1",
    ] {
        let req = world
            .alice
            .request(reqwest::Method::POST, "/v1/workspaces/acme/runner-jobs")
            .header("content-type", content_type)
            .body(r#"{"type": "t"}"#);
        Client::send(req)
            .await
            .expect_problem(415, "unsupported_media_type");
    }
    for content_type in [
        "application/json; charset=utf-8",
        "application/json; charset=\"UTF-8\"",
    ] {
        let req = world
            .alice
            .request(reqwest::Method::POST, "/v1/workspaces/acme/runner-jobs")
            .header("content-type", content_type)
            .body(r#"{"type": "t"}"#);
        Client::send(req).await.expect(201);
    }

    let req = world
        .alice
        .request(reqwest::Method::DELETE, "/v1/workspaces/acme");
    let reply = Client::send(req).await;
    reply.expect_problem(405, "method_not_allowed");
    assert_eq!(reply.headers["allow"], "GET, HEAD, PATCH");
    let req = world
        .alice
        .request(reqwest::Method::PUT, "/v1/workspaces/acme/runner-jobs");
    let reply = Client::send(req).await;
    reply.expect_problem(405, "method_not_allowed");
    assert_eq!(reply.headers["allow"], "GET, HEAD, POST");
}

#[tokio::test]
async fn a_bad_last_event_id_is_422_on_both_streams() {
    let world = world().await;
    let job = &world.job;
    for path in [
        format!("/v1/workspaces/acme/runner-jobs/{job}/logs/stream"),
        "/v1/workspaces/acme/events/stream".to_owned(),
    ] {
        for bad in ["x", "-1", "1.5"] {
            let req = world
                .alice
                .request(reqwest::Method::GET, &path)
                .header("Last-Event-ID", bad);
            let reply = Client::send(req).await;
            assert_eq!(
                reply.expect_problem(422, "validation_failed")["field"],
                "Last-Event-ID",
                "{path} {bad}"
            );
        }
    }
}

#[tokio::test]
async fn artifacts_keep_their_bytes_whatever_their_content_type() {
    let world = world().await;
    let job = &world.job;
    // An artifact is stored as bytes, so an escaped NUL in a JSON artifact is content.
    let content = r#"{"raw": "a\u0000b"}"#;
    let put = world
        .runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{job}/artifacts/report.json?attempt=1"),
        )
        .header("content-type", "application/json; charset=latin1")
        .body(content);
    Client::send(put).await.expect(201);
    let req = world.alice.request(
        reqwest::Method::GET,
        &format!("/v1/workspaces/acme/runner-jobs/{job}/artifacts/report.json"),
    );
    let reply = Client::send(req).await;
    assert_eq!((reply.status, reply.text.as_str()), (200, content));
    // Served in the content type it was uploaded with (the spec says `*/*`).
    assert!(
        reply.content_type.starts_with("application/json"),
        "{}",
        reply.content_type
    );
}
