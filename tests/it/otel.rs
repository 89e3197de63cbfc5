//! Traces: the server exports its request and job spans as OTLP JSON to an in-test
//! receiver; a caller's `traceparent` becomes the parent of the request span, is kept
//! with the job it enqueues, handed to the runner on claim, and parents the job's span.
//! The reference runner gives it to the script as `TRACEPARENT`. `/metrics` has the
//! queue-wait and run-time histograms and the build info.

use std::sync::{Arc, Mutex};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json};
use poem::{EndpointExt, Route, handler, post};
use runyard_api::{HttpOptions, QueueConfig, Tracer};
use runyard_runner::{RunnerConfig, run};
use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const CALLER: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const CALLER_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN: &str = "b7ad6b7169203331";

type Received = Arc<Mutex<Vec<Value>>>;

#[handler]
fn traces(Json(body): Json<Value>, Data(received): Data<&Received>) -> Json<Value> {
    received.lock().unwrap().push(body);
    Json(json!({}))
}

/// An OTLP/HTTP receiver on a loopback port: its base URL and what it received.
async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor
        .local_addr()
        .into_iter()
        .find_map(|a| a.as_socket_addr().copied())
        .unwrap();
    let app = Route::new()
        .at("/v1/traces", post(traces))
        .data(received.clone());
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    (format!("http://{addr}"), received)
}

/// Every span received so far, each checked for the OTLP JSON shape.
fn spans(received: &Received) -> Vec<Value> {
    let mut out = Vec::new();
    for body in received.lock().unwrap().iter() {
        for rs in body["resourceSpans"].as_array().expect("resourceSpans") {
            let attrs = rs["resource"]["attributes"].as_array().unwrap();
            assert!(
                attrs
                    .contains(&json!({"key": "service.name", "value": {"stringValue": "runyard"}})),
                "{rs}"
            );
            for ss in rs["scopeSpans"].as_array().expect("scopeSpans") {
                for span in ss["spans"].as_array().expect("spans") {
                    assert_eq!(span["traceId"].as_str().unwrap().len(), 32, "{span}");
                    assert_eq!(span["spanId"].as_str().unwrap().len(), 16, "{span}");
                    let start: u128 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
                    let end: u128 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
                    assert!(start > 1_700_000_000_000_000_000 && start <= end, "{span}");
                    out.push(span.clone());
                }
            }
        }
    }
    out
}

fn attr(span: &Value, key: &str) -> Value {
    span["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .map(|a| a["value"].clone())
        .unwrap_or(Value::Null)
}

async fn find(received: &Received, what: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        if let Some(span) = spans(received).into_iter().find(&what) {
            return span;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no such span among {:#?}", spans(received));
}

#[tokio::test]
async fn request_and_job_spans_join_the_callers_trace() {
    let (endpoint, received) = receiver().await;
    let (tracer, exporter) = Tracer::otlp(&endpoint);
    let server =
        TestServer::start_traced(QueueConfig::default(), HttpOptions::default(), tracer).await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));

    // The enqueue carries the caller's trace context.
    let created = Client::send(
        alice
            .request(reqwest::Method::POST, "/v1/workspaces/acme/runner-jobs")
            .header("traceparent", CALLER)
            .json(&json!({"type": "build", "payload": {}})),
    )
    .await;
    let jid = created.expect(201)["id"].as_str().unwrap().to_owned();
    // An invalid traceparent is ignored, not refused.
    Client::send(
        alice
            .request(reqwest::Method::GET, "/v1/workspaces/acme")
            .header("traceparent", "00-zz-nope-01"),
    )
    .await
    .expect(200);

    let request = find(&received, |s| {
        s["name"] == "POST /v1/workspaces/:ws/runner-jobs"
    })
    .await;
    assert_eq!(request["traceId"], CALLER_TRACE);
    assert_eq!(request["parentSpanId"], CALLER_SPAN);
    assert_eq!(request["kind"], 2, "SERVER");
    assert_eq!(
        attr(&request, "http.request.method"),
        json!({"stringValue": "POST"})
    );
    assert_eq!(
        attr(&request, "http.route"),
        json!({"stringValue": "/v1/workspaces/:ws/runner-jobs"})
    );
    assert_eq!(
        attr(&request, "http.response.status_code"),
        json!({"intValue": "201"})
    );
    let other = find(&received, |s| s["name"] == "GET /v1/workspaces/:ws").await;
    assert_ne!(other["traceId"], CALLER_TRACE, "a new trace");
    assert!(other.get("parentSpanId").is_none(), "{other}");

    // The claim hands the runner the enqueuing request's context: the caller's trace.
    let claimed = runner
        .post(
            "/v1/runner/claim",
            json!({"max_jobs": 1, "wait_seconds": 0}),
        )
        .await;
    let job = claimed.expect(200)["jobs"][0].clone();
    assert_eq!(job["id"], jid.as_str());
    let traceparent = job["traceparent"]
        .as_str()
        .expect("a traceparent")
        .to_owned();
    assert_eq!(
        traceparent,
        format!(
            "00-{CALLER_TRACE}-{}-01",
            request["spanId"].as_str().unwrap()
        )
    );
    runner
        .post(
            &format!("/v1/runner/jobs/{jid}/complete"),
            json!({"attempt": 1, "result": {"ok": true}}),
        )
        .await
        .expect(200);

    let span = find(&received, |s| s["name"] == "job build").await;
    assert_eq!(span["traceId"], CALLER_TRACE);
    assert_eq!(span["parentSpanId"], request["spanId"]);
    assert_eq!(span["kind"], 5, "CONSUMER");
    assert_eq!(attr(&span, "runyard.job.id"), json!({"stringValue": jid}));
    assert_eq!(
        attr(&span, "runyard.job.type"),
        json!({"stringValue": "build"})
    );
    assert_eq!(attr(&span, "runyard.job.attempt"), json!({"intValue": "1"}));
    assert_eq!(
        attr(&span, "runyard.job.outcome"),
        json!({"stringValue": "completed"})
    );

    // Shutting the exporter down sends what is still queued.
    alice.get("/v1/workspaces/acme/runners").await.expect(200);
    exporter.shutdown().await;
    assert!(
        spans(&received)
            .iter()
            .any(|s| s["name"] == "GET /v1/workspaces/:ws/runners"),
        "flushed on shutdown"
    );
}

#[tokio::test]
async fn the_script_sees_the_jobs_traceparent_and_metrics_time_the_queue() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let work = std::env::temp_dir().join(format!("runyard-it-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work).unwrap();
    let config = RunnerConfig {
        wait_seconds: 1,
        work_root: work.clone(),
        ..RunnerConfig::new(server.base_url.clone(), token)
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn(run(config, async {
        let _ = stopped.await;
    }));

    let created = Client::send(
        alice
            .request(reqwest::Method::POST, "/v1/workspaces/acme/runner-jobs")
            .header("traceparent", CALLER)
            .json(&json!({"type": "command", "payload": {"script": "echo \"tp=$TRACEPARENT\""}})),
    )
    .await;
    let jid = created.expect(201)["id"].as_str().unwrap().to_owned();
    let mut status = Value::Null;
    for _ in 0..200 {
        status = alice
            .get(&format!("/v1/workspaces/acme/runner-jobs/{jid}"))
            .await
            .expect(200)["status"]
            .clone();
        if status == "COMPLETED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "COMPLETED");
    let logs = alice
        .get(&format!("/v1/workspaces/acme/runner-jobs/{jid}/logs"))
        .await
        .expect(200)
        .clone();
    let out: Vec<&str> = logs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["stream"] == "stdout")
        .map(|l| l["body"].as_str().unwrap())
        .collect();
    // Without an exporter the caller's own context is what the job keeps.
    assert_eq!(out, [format!("tp={CALLER}").as_str()]);
    let _ = stop.send(());
    let _ = runner.await;
    let _ = std::fs::remove_dir_all(&work);

    let text = alice.get("/metrics").await.text;
    assert!(
        text.contains(&format!(
            "runyard_build_info{{version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    for name in ["runyard_job_queue_wait_seconds", "runyard_job_run_seconds"] {
        assert!(
            text.contains(&format!("# TYPE {name} histogram\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("{name}_count{{type=\"command\"}} 1\n")),
            "{name} counts the job: {text}"
        );
        assert!(
            text.contains(&format!(
                "{name}_bucket{{type=\"command\",le=\"+Inf\"}} 1\n"
            )),
            "{text}"
        );
    }
}
