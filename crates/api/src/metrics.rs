//! Prometheus metrics: a small in-process registry (atomic counters, fixed-bucket
//! histograms), the middleware that records every HTTP request by its route template,
//! and `GET /metrics`, which renders the text exposition format and reads the queue's
//! gauges from the database at scrape time.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, PathPattern, Request, Response};
use runyard_persistence::stats::{PoolStats, QueueStats};
use sha2::{Digest, Sha256};

use crate::error::Problem;
use crate::otel::{AttrValue, RequestTrace, Span, SpanKind, TraceContext, Tracer};
use crate::state::AppState;

/// The content type of the Prometheus text exposition format.
pub const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the request-duration buckets, in seconds. Long-polling claims and log
/// streams wait up to a minute, hence the long tail.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// Upper bounds of the queue-wait and run-time buckets, in seconds.
const JOB_BUCKETS: [f64; 12] = [
    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0,
];

/// A fixed-bucket histogram over [`JOB_BUCKETS`] (non-cumulative slots, the last +Inf).
#[derive(Default, Clone)]
struct JobHistogram {
    buckets: [u64; JOB_BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl JobHistogram {
    fn observe(&mut self, secs: f64) {
        let secs = secs.max(0.0);
        let i = JOB_BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(JOB_BUCKETS.len());
        self.buckets[i] += 1;
        self.sum += secs;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, job_type: &str) {
        let mut cumulative = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            cumulative += n;
            let le = JOB_BUCKETS
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
            sample(
                out,
                &format!("{name}_bucket"),
                &[("type", job_type), ("le", &le)],
                cumulative as f64,
            );
        }
        sample(out, &format!("{name}_sum"), &[("type", job_type)], self.sum);
        sample(
            out,
            &format!("{name}_count"),
            &[("type", job_type)],
            self.count as f64,
        );
    }
}

/// A monotonic counter.
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Requests of one (method, route): counts per status and the duration histogram.
#[derive(Default)]
struct RouteStats {
    statuses: BTreeMap<u16, u64>,
    /// Non-cumulative: `buckets[i]` counts durations in `(BUCKETS[i-1], BUCKETS[i]]`;
    /// the last slot is `(BUCKETS[last], +Inf)`.
    buckets: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

/// Every metric one server keeps in memory. Gauges of the queue and the pool are not
/// kept: they are read when scraped.
#[derive(Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(&'static str, Arc<str>), RouteStats>>,
    pub(crate) jobs_created: Counter,
    pub(crate) jobs_claimed: Counter,
    pub(crate) jobs_completed: Counter,
    pub(crate) jobs_failed: Counter,
    pub(crate) leases_expired: Counter,
    pub(crate) jobs_promoted: Counter,
    /// By job type: time from claimable to claimed.
    queue_wait: Mutex<BTreeMap<String, JobHistogram>>,
    /// By job type: time from claimed to finished (completed or failed).
    run_time: Mutex<BTreeMap<String, JobHistogram>>,
}

/// The route label of requests no route matched.
const UNMATCHED: &str = "unmatched";

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        // Anything else is bounded to one label value.
        _ => "OTHER",
    }
}

impl Metrics {
    /// A job of `job_type` was claimed after waiting `secs` since it became claimable.
    pub(crate) fn observe_queue_wait(&self, job_type: &str, secs: f64) {
        let mut m = self.queue_wait.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(job_type.to_owned()).or_default().observe(secs);
    }

    /// An attempt of a job of `job_type` finished `secs` after its claim.
    pub(crate) fn observe_run_time(&self, job_type: &str, secs: f64) {
        let mut m = self.run_time.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(job_type.to_owned()).or_default().observe(secs);
    }

    fn observe_http(&self, method: &'static str, route: Arc<str>, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|le| secs <= *le)
            .unwrap_or(BUCKETS.len());
        let mut http = self.http.lock().unwrap_or_else(|e| e.into_inner());
        let stats = http.entry((method, route)).or_default();
        *stats.statuses.entry(status).or_default() += 1;
        stats.buckets[bucket] += 1;
        stats.sum += secs;
        stats.count += 1;
    }

    /// The whole registry in the text exposition format, with the gauges read at scrape
    /// time (left out when they could not be read).
    fn render(&self, queue: Option<&QueueStats>, pool: Option<PoolStats>) -> String {
        let mut out = String::with_capacity(4096);
        {
            let http = self.http.lock().unwrap_or_else(|e| e.into_inner());
            family(
                &mut out,
                "runyard_http_requests_total",
                "counter",
                "HTTP requests answered, by method, route template and status.",
            );
            for ((method, route), stats) in http.iter() {
                for (status, n) in &stats.statuses {
                    sample(
                        &mut out,
                        "runyard_http_requests_total",
                        &[
                            ("method", method),
                            ("route", route),
                            ("status", &status.to_string()),
                        ],
                        *n as f64,
                    );
                }
            }
            family(
                &mut out,
                "runyard_http_request_duration_seconds",
                "histogram",
                "Time to answer an HTTP request (until the response head), by method and route template.",
            );
            for ((method, route), stats) in http.iter() {
                let mut cumulative = 0;
                for (i, n) in stats.buckets.iter().enumerate() {
                    cumulative += n;
                    let le = BUCKETS
                        .get(i)
                        .map_or_else(|| "+Inf".to_owned(), |b| b.to_string());
                    sample(
                        &mut out,
                        "runyard_http_request_duration_seconds_bucket",
                        &[("method", method), ("route", route), ("le", &le)],
                        cumulative as f64,
                    );
                }
                let labels = [("method", *method), ("route", route.as_ref())];
                sample(
                    &mut out,
                    "runyard_http_request_duration_seconds_sum",
                    &labels,
                    stats.sum,
                );
                sample(
                    &mut out,
                    "runyard_http_request_duration_seconds_count",
                    &labels,
                    stats.count as f64,
                );
            }
        }
        for (name, help, counter) in [
            (
                "runyard_jobs_created_total",
                "Jobs created (idempotent replays not counted).",
                &self.jobs_created,
            ),
            (
                "runyard_jobs_claimed_total",
                "Jobs leased to runners by claims.",
                &self.jobs_claimed,
            ),
            (
                "runyard_jobs_completed_total",
                "Jobs runners completed.",
                &self.jobs_completed,
            ),
            (
                "runyard_jobs_failed_total",
                "Attempts runners reported failed (retried later or not).",
                &self.jobs_failed,
            ),
            (
                "runyard_leases_expired_total",
                "Running jobs the reaper took back: lease expired or attempt timed out.",
                &self.leases_expired,
            ),
            (
                "runyard_jobs_promoted_total",
                "Pending jobs the promoter queued once they fell due.",
                &self.jobs_promoted,
            ),
        ] {
            family(&mut out, name, "counter", help);
            sample(&mut out, name, &[], counter.get() as f64);
        }
        for (name, help, histograms) in [
            (
                "runyard_job_queue_wait_seconds",
                "Time from a job becoming claimable (created, due or re-queued) to its claim, by job type.",
                &self.queue_wait,
            ),
            (
                "runyard_job_run_seconds",
                "Time from a claim to the attempt's completion or failure, by job type.",
                &self.run_time,
            ),
        ] {
            family(&mut out, name, "histogram", help);
            let histograms = histograms.lock().unwrap_or_else(|e| e.into_inner());
            for (job_type, h) in histograms.iter() {
                h.render(&mut out, name, job_type);
            }
        }
        family(
            &mut out,
            "runyard_build_info",
            "gauge",
            "Always 1; the version label says which build this server runs.",
        );
        sample(
            &mut out,
            "runyard_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1.0,
        );
        if let Some(queue) = queue {
            family(
                &mut out,
                "runyard_queue_jobs",
                "gauge",
                "Jobs in each non-terminal status, across all workspaces.",
            );
            for (status, n) in [
                ("PENDING", queue.pending),
                ("QUEUED", queue.queued),
                ("RUNNING", queue.running),
                ("PAUSED", queue.paused),
            ] {
                sample(
                    &mut out,
                    "runyard_queue_jobs",
                    &[("status", status)],
                    n as f64,
                );
            }
            family(
                &mut out,
                "runyard_queue_oldest_queued_age_seconds",
                "gauge",
                "How long the longest-waiting claimable job has been claimable (0 when none is).",
            );
            sample(
                &mut out,
                "runyard_queue_oldest_queued_age_seconds",
                &[],
                queue.oldest_queued_age_seconds,
            );
        }
        if let Some(pool) = pool {
            family(
                &mut out,
                "runyard_db_pool_connections",
                "gauge",
                "Open connections of this server's database pool, by state.",
            );
            sample(
                &mut out,
                "runyard_db_pool_connections",
                &[("state", "idle")],
                pool.idle as f64,
            );
            sample(
                &mut out,
                "runyard_db_pool_connections",
                &[("state", "in_use")],
                pool.in_use as f64,
            );
            family(
                &mut out,
                "runyard_db_pool_max_connections",
                "gauge",
                "The most connections this server's database pool opens.",
            );
            sample(
                &mut out,
                "runyard_db_pool_max_connections",
                &[],
                pool.max as f64,
            );
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    out.push_str(name);
    if !labels.is_empty() {
        out.push('{');
        for (i, (key, value)) in labels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(key);
            out.push_str("=\"");
            for c in value.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '"' => out.push_str("\\\""),
                    '\n' => out.push_str("\\n"),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        out.push('}');
    }
    let _ = writeln!(out, " {value}");
}

/// The route labels of the API's routes. Its router names path parameters by position
/// (`/v1/workspaces/:param0/runner-jobs/:param1`); labels use the spec's names
/// (`/v1/workspaces/:ws/runner-jobs/:id`).
pub(crate) struct RouteLabels(HashMap<String, Arc<str>>);

impl RouteLabels {
    /// From the spec's paths (`/v1/workspaces/{ws}`).
    pub(crate) fn new(spec_paths: impl IntoIterator<Item = String>) -> Self {
        let labels = spec_paths
            .into_iter()
            .map(|path| {
                let (mut routed, mut label) = (String::new(), String::new());
                let mut n = 0;
                for segment in path.split('/').filter(|s| !s.is_empty()) {
                    match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => {
                            let _ = write!(routed, "/:param{n}");
                            let _ = write!(label, "/:{name}");
                            n += 1;
                        }
                        None => {
                            let _ = write!(routed, "/{segment}");
                            let _ = write!(label, "/{segment}");
                        }
                    }
                }
                (routed, Arc::from(label))
            })
            .collect();
        Self(labels)
    }

    fn label(&self, pattern: Option<&PathPattern>) -> Arc<str> {
        match pattern {
            Some(p) => self.0.get(&*p.0).cloned().unwrap_or_else(|| p.0.clone()),
            None => Arc::from(UNMATCHED),
        }
    }
}

/// Records each request in `runyard_http_requests_total` and
/// `runyard_http_request_duration_seconds`, labelled with the route template the router
/// matched (`/v1/workspaces/:ws/runner-jobs/:id`), never the raw path.
///
/// With a tracer configured, also exports one SERVER span per request (`METHOD route`),
/// parented to the caller's valid `traceparent`; the span's context is put in the
/// request's extensions ([`RequestTrace`]) for handlers that pass it on.
pub(crate) async fn record_http<E: Endpoint>(
    next: E,
    mut req: Request,
    metrics: Arc<Metrics>,
    routes: Arc<RouteLabels>,
    tracer: Arc<Tracer>,
) -> poem::Result<Response> {
    let started = Instant::now();
    let wall_start = SystemTime::now();
    let method = method_label(req.method());
    let parent = req.header("traceparent").and_then(TraceContext::parse);
    let span = parent.map_or_else(TraceContext::root, |p| p.child());
    req.extensions_mut().insert(RequestTrace { span, parent });
    let path = tracer.enabled().then(|| req.uri().path().to_owned());
    let result = next.call(req).await.map(IntoResponse::into_response);
    let (status, pattern) = match &result {
        Ok(resp) => (resp.status(), resp.data::<PathPattern>()),
        Err(err) if err.is::<poem::error::NotFoundError>() => (err.status(), None),
        Err(err) => (err.status(), err.data::<PathPattern>()),
    };
    let route = routes.label(pattern);
    if let Some(path) = path {
        let route_attr = if pattern.is_some() {
            route.to_string()
        } else {
            path
        };
        tracer.record(Span {
            context: span,
            parent_span_id: parent.map(|p| p.span_id),
            name: format!("{method} {route_attr}"),
            kind: SpanKind::Server,
            start: wall_start,
            end: SystemTime::now(),
            attributes: vec![
                ("http.request.method", AttrValue::Str(method.to_owned())),
                ("http.route", AttrValue::Str(route_attr)),
                (
                    "http.response.status_code",
                    AttrValue::Int(i64::from(status.as_u16())),
                ),
            ],
            error: status.is_server_error(),
        });
    }
    metrics.observe_http(method, route, status.as_u16(), started.elapsed());
    result
}

/// `GET /metrics`: the text exposition format. With a token configured, only for
/// `Authorization: Bearer <token>`.
pub(crate) struct MetricsEndpoint {
    pub state: Arc<AppState>,
    /// SHA-256 of the token, compared in constant time.
    pub token_hash: Option<[u8; 32]>,
}

impl MetricsEndpoint {
    pub(crate) fn new(state: Arc<AppState>, token: Option<&str>) -> Self {
        Self {
            state,
            token_hash: token.map(|t| Sha256::digest(t.as_bytes()).into()),
        }
    }

    fn authorized(&self, req: &Request) -> bool {
        let Some(expected) = &self.token_hash else {
            return true;
        };
        let Some(given) = req
            .header(header::AUTHORIZATION)
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
        given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl Endpoint for MetricsEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if !self.authorized(&req) {
            let mut resp = Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "/metrics needs 'Authorization: Bearer <metrics token>'",
            )
            .into_http_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Ok(resp);
        }
        let queue = match self.state.db.queue_stats().await {
            Ok(q) => Some(q),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the queue's statistics for /metrics");
                None
            }
        };
        let mut body = self
            .state
            .metrics
            .render(queue.as_ref(), self.state.db.pool_stats());
        if self.state.tracer.enabled() {
            family(
                &mut body,
                "runyard_otlp_spans_dropped_total",
                "counter",
                "Spans dropped because the OTLP export queue was full.",
            );
            sample(
                &mut body,
                "runyard_otlp_spans_dropped_total",
                &[],
                self.state.tracer.dropped() as f64,
            );
        }
        Ok(Response::builder()
            .content_type(TEXT_FORMAT)
            .header(header::CACHE_CONTROL, "no-store")
            .body(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_into_cumulative_buckets_and_labels_are_escaped() {
        let m = Metrics::default();
        let route: Arc<str> = Arc::from("/a\"b\\c\nd");
        m.observe_http("GET", route.clone(), 200, Duration::from_millis(3));
        m.observe_http("GET", route.clone(), 200, Duration::from_millis(70));
        m.observe_http("GET", route, 404, Duration::from_secs(500));
        let text = m.render(None, None);
        let labels = r#"method="GET",route="/a\"b\\c\nd""#;
        assert!(
            text.contains(&format!(
                "runyard_http_requests_total{{{labels},status=\"200\"}} 2\n"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "runyard_http_requests_total{{{labels},status=\"404\"}} 1\n"
            )),
            "{text}"
        );
        for (le, n) in [
            ("0.005", 1),
            ("0.05", 1),
            ("0.1", 2),
            ("120", 2),
            ("+Inf", 3),
        ] {
            let line = format!(
                "runyard_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {n}\n"
            );
            assert!(text.contains(&line), "missing {line:?} in {text}");
        }
        assert!(text.contains(&format!(
            "runyard_http_request_duration_seconds_count{{{labels}}} 3\n"
        )));
        assert!(
            !text.contains("runyard_queue_jobs"),
            "no gauges when they were not read"
        );
    }
}
