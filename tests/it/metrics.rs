//! `/metrics`: request counters and latency histograms by route template, job counters,
//! the sweeper's work, queue and pool gauges read at scrape time, and the optional
//! bearer token. Every scrape is parsed whole by a Prometheus text-format parser.

use std::time::{Duration, Instant};

use prometheus_parse::{LineInfo, Sample, Scrape, Value as Metric};
use runyard_api::{HttpOptions, QueueConfig};
use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";
const JOB_ROUTE: &str = "/v1/workspaces/:ws/runner-jobs/:id";
const JOBS_ROUTE: &str = "/v1/workspaces/:ws/runner-jobs";

/// Scrapes `/metrics` and parses every line: a line the parser does not recognise as a
/// comment, a type, or a sample fails the test.
async fn scrape(client: &Client) -> Vec<Sample> {
    let reply = client.get("/metrics").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.content_type, "text/plain; version=0.0.4; charset=utf-8",
        "the Prometheus text format"
    );
    for line in reply.text.lines() {
        assert!(
            !matches!(LineInfo::parse(line), LineInfo::Ignored | LineInfo::Empty),
            "not a line of the text format: {line:?}"
        );
    }
    let scrape = Scrape::parse(reply.text.lines().map(|l| Ok(l.to_owned()))).expect("parses");
    let sample_lines = reply.text.lines().filter(|l| !l.starts_with('#')).count();
    let histogram_lines: usize = scrape
        .samples
        .iter()
        .map(|s| match &s.value {
            Metric::Histogram(buckets) => buckets.len() - 1,
            _ => 0,
        })
        .sum();
    assert_eq!(
        scrape.samples.len() + histogram_lines,
        sample_lines,
        "every sample line became a sample:\n{}",
        reply.text
    );
    scrape.samples
}

/// The value of the one sample of `metric` with exactly these labels.
fn value(samples: &[Sample], metric: &str, labels: &[(&str, &str)]) -> f64 {
    let found: Vec<_> = samples
        .iter()
        .filter(|s| s.metric == metric && has_labels(s, labels))
        .collect();
    assert_eq!(found.len(), 1, "{metric}{labels:?}: {found:?}");
    match &found[0].value {
        Metric::Counter(v) | Metric::Gauge(v) | Metric::Untyped(v) => *v,
        other => panic!("{metric} is not a single value: {other:?}"),
    }
}

fn has_labels(sample: &Sample, labels: &[(&str, &str)]) -> bool {
    sample.labels.len() == labels.len()
        && labels.iter().all(|(k, v)| sample.labels.get(k) == Some(*v))
}

fn counter(samples: &[Sample], metric: &str) -> f64 {
    let v = value(samples, metric, &[]);
    let sample = samples.iter().find(|s| s.metric == metric).unwrap();
    assert!(
        matches!(sample.value, Metric::Counter(_)),
        "{metric} is a counter"
    );
    v
}

fn requests(samples: &[Sample], method: &str, route: &str, status: &str) -> f64 {
    value(
        samples,
        "runyard_http_requests_total",
        &[("method", method), ("route", route), ("status", status)],
    )
}

/// (le, cumulative count) of the duration histogram of (method, route).
fn histogram(samples: &[Sample], method: &str, route: &str) -> Vec<(f64, f64)> {
    let found: Vec<_> = samples
        .iter()
        .filter(|s| {
            s.metric == "runyard_http_request_duration_seconds"
                && has_labels(s, &[("method", method), ("route", route)])
        })
        .collect();
    assert_eq!(found.len(), 1, "{method} {route}: {found:?}");
    let Metric::Histogram(buckets) = &found[0].value else {
        panic!("not a histogram: {:?}", found[0]);
    };
    buckets.iter().map(|b| (b.less_than, b.count)).collect()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
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

#[tokio::test]
async fn requests_jobs_and_the_queue_are_measured() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    let ws = alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));

    // Four jobs created: one with a key (its replay is not a new job), two in a batch,
    // and one that waits for a time far ahead.
    let keyed = |alice: &Client| {
        Client::send(
            alice
                .request(reqwest::Method::POST, JOBS)
                .header("Idempotency-Key", "k1")
                .json(&json!({"type": "build", "priority": 50})),
        )
    };
    let first = keyed(&alice).await.expect(201).clone();
    keyed(&alice).await.expect(200);
    alice
        .post(
            &format!("{JOBS}/batch"),
            json!({"jobs": [{"type": "build", "priority": 10}, {"type": "build"}]}),
        )
        .await
        .expect(201);
    alice
        .create_job(
            "acme",
            json!({"type": "later", "run_after": "2999-01-01T00:00:00Z"}),
        )
        .await;

    // Claimed: the keyed job (highest priority), completed; then the next one, failed
    // for good.
    let claimed = claim(&runner, 1).await;
    assert_eq!(id(&claimed[0]), id(&first));
    runner
        .post(
            &format!("/v1/runner/jobs/{}/complete", id(&first)),
            json!({"attempt": 1, "result": {}}),
        )
        .await
        .expect(200);
    let second = claim(&runner, 1).await;
    runner
        .post(
            &format!("/v1/runner/jobs/{}/fail", id(&second[0])),
            json!({"attempt": 1, "error": {"message": "boom"}, "retryable": false}),
        )
        .await
        .expect(200);

    // Reads by id and by slug share one route label; a malformed id keeps its route; an
    // unknown path is "unmatched".
    alice
        .get(&format!("{JOBS}/{}", id(&first)))
        .await
        .expect(200);
    alice
        .get(&format!("/v1/workspaces/{ws}/runner-jobs/{}", id(&first)))
        .await
        .expect(200);
    alice
        .get(&format!("{JOBS}/not-a-uuid"))
        .await
        .expect_problem(400, "bad_request");
    server
        .anonymous()
        .get("/no/such/route")
        .await
        .expect_problem(404, "not_found");

    let samples = scrape(&server.anonymous()).await;

    assert_eq!(requests(&samples, "GET", JOB_ROUTE, "200"), 2.0);
    assert_eq!(requests(&samples, "GET", JOB_ROUTE, "400"), 1.0);
    assert_eq!(requests(&samples, "POST", JOBS_ROUTE, "201"), 2.0);
    assert_eq!(requests(&samples, "POST", JOBS_ROUTE, "200"), 1.0);
    assert_eq!(requests(&samples, "POST", "/v1/runner/claim", "200"), 2.0);
    assert_eq!(
        requests(&samples, "POST", "/v1/runner/jobs/:id/complete", "200"),
        1.0
    );
    assert_eq!(requests(&samples, "POST", "/v1/workspaces", "201"), 1.0);
    assert_eq!(requests(&samples, "GET", "unmatched", "404"), 1.0);
    // Labels are templates: no id, slug or unknown path ever becomes one.
    for s in samples.iter() {
        if let Some(route) = s.labels.get("route") {
            assert!(
                route == "unmatched"
                    || (route.starts_with('/')
                        && !route.contains("acme")
                        && !route.contains(&ws)
                        && !route.contains(&id(&first))
                        && !route.contains("no/such")),
                "route label {route:?} is not a template"
            );
        }
    }

    // The duration histogram: cumulative buckets, ending in +Inf = the request count,
    // which `_count` repeats.
    let buckets = histogram(&samples, "GET", JOB_ROUTE);
    assert!(buckets.len() > 5, "{buckets:?}");
    assert!(
        buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "{buckets:?}"
    );
    assert_eq!(buckets.last().unwrap(), &(f64::INFINITY, 3.0));
    let labels = [("method", "GET"), ("route", JOB_ROUTE)];
    assert_eq!(
        value(
            &samples,
            "runyard_http_request_duration_seconds_count",
            &labels
        ),
        3.0
    );
    let sum = value(
        &samples,
        "runyard_http_request_duration_seconds_sum",
        &labels,
    );
    assert!(sum > 0.0 && sum < 30.0, "{sum}");

    assert_eq!(counter(&samples, "runyard_jobs_created_total"), 4.0);
    assert_eq!(counter(&samples, "runyard_jobs_claimed_total"), 2.0);
    assert_eq!(counter(&samples, "runyard_jobs_completed_total"), 1.0);
    assert_eq!(counter(&samples, "runyard_jobs_failed_total"), 1.0);
    assert_eq!(counter(&samples, "runyard_leases_expired_total"), 0.0);
    assert_eq!(counter(&samples, "runyard_jobs_promoted_total"), 0.0);

    // What is left: one claimable job, one waiting for its time.
    let queue = |status| value(&samples, "runyard_queue_jobs", &[("status", status)]);
    assert_eq!(
        [
            queue("PENDING"),
            queue("QUEUED"),
            queue("RUNNING"),
            queue("PAUSED")
        ],
        [1.0, 1.0, 0.0, 0.0]
    );
    let age = value(&samples, "runyard_queue_oldest_queued_age_seconds", &[]);
    assert!((0.0..120.0).contains(&age), "{age}");

    let idle = value(
        &samples,
        "runyard_db_pool_connections",
        &[("state", "idle")],
    );
    let in_use = value(
        &samples,
        "runyard_db_pool_connections",
        &[("state", "in_use")],
    );
    assert!(
        idle + in_use >= 1.0 && idle + in_use <= 8.0,
        "{idle} {in_use}"
    );
    assert_eq!(value(&samples, "runyard_db_pool_max_connections", &[]), 8.0);

    // The scrape itself was counted by the next one, and the queue follows the jobs.
    runner
        .post(
            &format!(
                "/v1/runner/jobs/{}/complete",
                id(&claim(&runner, 1).await[0])
            ),
            json!({"attempt": 1, "result": {}}),
        )
        .await
        .expect(200);
    let samples = scrape(&server.anonymous()).await;
    assert_eq!(requests(&samples, "GET", "/metrics", "200"), 1.0);
    assert_eq!(counter(&samples, "runyard_jobs_completed_total"), 2.0);
    assert_eq!(
        value(&samples, "runyard_queue_jobs", &[("status", "QUEUED")]),
        0.0
    );
    assert_eq!(
        value(&samples, "runyard_queue_oldest_queued_age_seconds", &[]),
        0.0
    );
}

#[tokio::test]
async fn the_sweepers_work_is_counted() {
    let server = TestServer::start_with(QueueConfig {
        lease: Duration::from_millis(300),
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));
    let job = alice
        .create_job(
            "acme",
            json!({"type": "flaky", "max_attempts": 3, "backoff_seconds": 1}),
        )
        .await;
    assert_eq!(id(&claim(&runner, 1).await[0]), id(&job));

    // The runner goes silent: the lease expires, the job backs off (PENDING), then the
    // promoter queues it again.
    let deadline = Instant::now() + Duration::from_secs(15);
    let samples = loop {
        let samples = scrape(&server.anonymous()).await;
        if counter(&samples, "runyard_jobs_promoted_total") >= 1.0 || Instant::now() > deadline {
            break samples;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(counter(&samples, "runyard_leases_expired_total"), 1.0);
    assert_eq!(counter(&samples, "runyard_jobs_promoted_total"), 1.0);
    assert_eq!(
        value(&samples, "runyard_queue_jobs", &[("status", "QUEUED")]),
        1.0
    );
    let state = alice.get(&format!("{JOBS}/{}", id(&job))).await;
    assert_eq!(state.expect(200)["status"], "QUEUED");
}

#[tokio::test]
async fn a_metrics_token_guards_the_scrape() {
    let server = TestServer::start_with_options(
        QueueConfig::default(),
        HttpOptions {
            metrics_token: Some("scrape-secret".into()),
            ..HttpOptions::default()
        },
    )
    .await;
    let anonymous = server.anonymous();
    let refused = anonymous.get("/metrics").await;
    refused.expect_problem(401, "unauthorized");
    assert_eq!(refused.headers["www-authenticate"], "Bearer");
    anonymous
        .with_token("wrong")
        .get("/metrics")
        .await
        .expect_problem(401, "unauthorized");
    // A user token is no metrics token either.
    server
        .client("alice")
        .get("/metrics")
        .await
        .expect_problem(401, "unauthorized");

    let samples = scrape(&anonymous.with_token("scrape-secret")).await;
    assert_eq!(requests(&samples, "GET", "/metrics", "401"), 3.0);
    assert_eq!(counter(&samples, "runyard_jobs_created_total"), 0.0);
    // The rest of the API is not affected by the metrics token.
    anonymous.get("/healthz").await.expect(200);
}
