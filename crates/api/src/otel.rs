//! Traces: W3C trace context, spans, and an optional OTLP/HTTP exporter that posts spans
//! as OTLP JSON to `{endpoint}/v1/traces`.
//!
//! Spans are queued on a bounded channel and sent in batches (every second, or at
//! [`BATCH`] spans); when the channel is full a span is dropped and counted. Export
//! failures are logged and never reach a request.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

/// Most spans sent in one export request.
const BATCH: usize = 512;
/// Spans waiting to be sent; past this, new spans are dropped.
const QUEUE: usize = 8192;
/// The longest a span waits before its batch is sent.
const INTERVAL: Duration = Duration::from_secs(1);

/// A W3C trace context (`traceparent`: `00-<32 hex>-<16 hex>-<2 hex>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub flags: u8,
}

fn hex_into(s: &str, out: &mut [u8]) -> Option<()> {
    if s.len() != out.len() * 2 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = s.get(2 * i..2 * i + 2)?;
        if !pair
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl TraceContext {
    /// Parses a `traceparent` header value; `None` when it is not a valid version-00
    /// context (all-zero ids are invalid).
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let mut parts = value.split('-');
        let (version, trace, span, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || version != "00" {
            return None;
        }
        let mut ctx = Self {
            trace_id: [0; 16],
            span_id: [0; 8],
            flags: 0,
        };
        hex_into(trace, &mut ctx.trace_id)?;
        hex_into(span, &mut ctx.span_id)?;
        let mut f = [0u8; 1];
        hex_into(flags, &mut f)?;
        ctx.flags = f[0];
        if ctx.trace_id == [0; 16] || ctx.span_id == [0; 8] {
            return None;
        }
        Some(ctx)
    }

    /// A new root context (random trace and span ids, sampled).
    pub fn root() -> Self {
        Self {
            trace_id: nonzero(),
            span_id: nonzero(),
            flags: 1,
        }
    }

    /// A child of this context: same trace, new span id.
    pub fn child(&self) -> Self {
        Self {
            span_id: nonzero(),
            ..*self
        }
    }

    pub fn trace_id_hex(&self) -> String {
        hex(&self.trace_id)
    }

    pub fn span_id_hex(&self) -> String {
        hex(&self.span_id)
    }
}

impl std::fmt::Display for TraceContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "00-{}-{}-{:02x}",
            hex(&self.trace_id),
            hex(&self.span_id),
            self.flags
        )
    }
}

fn nonzero<const N: usize>() -> [u8; N] {
    loop {
        let id: [u8; N] = std::array::from_fn(|_| rand::random());
        if id != [0; N] {
            return id;
        }
    }
}

/// The trace context of the request being answered: its own span, and the caller's
/// `traceparent` when it sent a valid one. Kept in the request's extensions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestTrace {
    /// The request span's context.
    pub span: TraceContext,
    /// The caller's, when it sent a valid `traceparent`.
    pub parent: Option<TraceContext>,
}

/// The trace context a job enqueued by `req` keeps: the request span's own when spans
/// are exported (so the job's span hangs under it), else the caller's `traceparent`.
pub(crate) fn job_traceparent(req: &poem::Request, tracer: &Tracer) -> Option<String> {
    let trace = req.extensions().get::<RequestTrace>()?;
    if tracer.enabled() {
        Some(trace.span.to_string())
    } else {
        trace.parent.map(|p| p.to_string())
    }
}

/// An attempt of `job` ended (`outcome`: completed or failed): observes its run time and
/// exports its span (CONSUMER, `job <type>`), parented to the job's stored trace context,
/// from its claim until now.
pub(crate) fn job_finished(
    state: &crate::AppState,
    job: &runyard_persistence::JobRecord,
    outcome: &'static str,
) {
    let now = SystemTime::now();
    let start = job.started_at.map_or(now, SystemTime::from);
    let run = now.duration_since(start).unwrap_or_default();
    state
        .metrics
        .observe_run_time(&job.job_type, run.as_secs_f64());
    if !state.tracer.enabled() {
        return;
    }
    let parent = job.traceparent.as_deref().and_then(TraceContext::parse);
    state.tracer.record(Span {
        context: parent.map_or_else(TraceContext::root, |p| p.child()),
        parent_span_id: parent.map(|p| p.span_id),
        name: format!("job {}", job.job_type),
        kind: SpanKind::Consumer,
        start,
        end: now,
        attributes: vec![
            ("runyard.job.id", AttrValue::Str(job.id.to_string())),
            ("runyard.job.type", AttrValue::Str(job.job_type.clone())),
            (
                "runyard.job.attempt",
                AttrValue::Int(i64::from(job.attempt)),
            ),
            ("runyard.job.outcome", AttrValue::Str(outcome.to_owned())),
            (
                "runyard.workspace.id",
                AttrValue::Str(job.workspace_id.to_string()),
            ),
        ],
        error: outcome != "completed",
    });
}

/// OTLP span kinds.
#[derive(Debug, Clone, Copy)]
pub enum SpanKind {
    Internal = 1,
    Server = 2,
    Consumer = 5,
}

/// An attribute value.
#[derive(Debug, Clone)]
pub enum AttrValue {
    Str(String),
    Int(i64),
}

/// A finished span.
#[derive(Debug, Clone)]
pub struct Span {
    pub context: TraceContext,
    pub parent_span_id: Option<[u8; 8]>,
    pub name: String,
    pub kind: SpanKind,
    pub start: SystemTime,
    pub end: SystemTime,
    pub attributes: Vec<(&'static str, AttrValue)>,
    pub error: bool,
}

fn unix_nanos(t: SystemTime) -> String {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
        .to_string()
}

impl Span {
    fn to_json(&self) -> Value {
        let attributes: Vec<Value> = self
            .attributes
            .iter()
            .map(|(key, value)| {
                let value = match value {
                    AttrValue::Str(s) => json!({ "stringValue": s }),
                    AttrValue::Int(i) => json!({ "intValue": i.to_string() }),
                };
                json!({ "key": key, "value": value })
            })
            .collect();
        let mut span = json!({
            "traceId": hex(&self.context.trace_id),
            "spanId": hex(&self.context.span_id),
            "name": self.name,
            "kind": self.kind as i32,
            "startTimeUnixNano": unix_nanos(self.start),
            "endTimeUnixNano": unix_nanos(self.end),
            "attributes": attributes,
            // STATUS_CODE_ERROR = 2, UNSET = 0.
            "status": { "code": if self.error { 2 } else { 0 } },
        });
        if let Some(parent) = self.parent_span_id {
            span["parentSpanId"] = Value::String(hex(&parent));
        }
        span
    }
}

/// A batch of spans as an OTLP `ExportTraceServiceRequest` in JSON.
pub fn encode(spans: &[Span]) -> Value {
    json!({
        "resourceSpans": [{
            "resource": {
                "attributes": [
                    { "key": "service.name", "value": { "stringValue": "runyard" } },
                    { "key": "service.version", "value": { "stringValue": env!("CARGO_PKG_VERSION") } },
                ]
            },
            "scopeSpans": [{
                "scope": { "name": "runyard", "version": env!("CARGO_PKG_VERSION") },
                "spans": spans.iter().map(Span::to_json).collect::<Vec<_>>(),
            }]
        }]
    })
}

/// Where spans go: nowhere (the default), or an OTLP/HTTP exporter.
#[derive(Default)]
pub struct Tracer {
    tx: Option<mpsc::Sender<Span>>,
    dropped: AtomicU64,
}

impl Tracer {
    /// Whether spans are exported at all.
    pub fn enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// Spans dropped because the export queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Queues `span` for export; drops (and counts) it when the queue is full.
    pub fn record(&self, span: Span) {
        if let Some(tx) = &self.tx
            && tx.try_send(span).is_err()
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A tracer exporting to `endpoint` (e.g. `http://collector:4318`), and the handle
    /// that flushes what is queued on shutdown. Needs a Tokio runtime.
    pub fn otlp(endpoint: &str) -> (Arc<Self>, ExportHandle) {
        let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        let (tx, rx) = mpsc::channel(QUEUE);
        let (stop_tx, stop_rx) = oneshot::channel();
        let task = tokio::spawn(export_loop(url, rx, stop_rx));
        (
            Arc::new(Self {
                tx: Some(tx),
                dropped: AtomicU64::new(0),
            }),
            ExportHandle {
                stop: Some(stop_tx),
                task: Some(task),
            },
        )
    }
}

/// Stops the exporter: [`ExportHandle::shutdown`] sends what is queued first.
pub struct ExportHandle {
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl ExportHandle {
    /// Sends every queued span, then stops (waiting at most 5 seconds).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for ExportHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn export_loop(url: String, mut rx: mpsc::Receiver<Span>, mut stop: oneshot::Receiver<()>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let mut batch: Vec<Span> = Vec::with_capacity(BATCH);
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tokio::select! {
            span = rx.recv() => match span {
                Some(span) => {
                    batch.push(span);
                    if batch.len() >= BATCH {
                        send(&client, &url, &mut batch).await;
                    }
                }
                None => break,
            },
            _ = tick.tick() => send(&client, &url, &mut batch).await,
            _ = &mut stop => break,
        }
    }
    while let Ok(span) = rx.try_recv() {
        batch.push(span);
        if batch.len() >= BATCH {
            send(&client, &url, &mut batch).await;
        }
    }
    send(&client, &url, &mut batch).await;
}

async fn send(client: &reqwest::Client, url: &str, batch: &mut Vec<Span>) {
    if batch.is_empty() {
        return;
    }
    let body = encode(batch);
    let n = batch.len();
    batch.clear();
    match client.post(url).json(&body).send().await {
        Ok(resp) if resp.status().is_success() => {}
        Ok(resp) => {
            tracing::warn!(
                status = resp.status().as_u16(),
                spans = n,
                "the OTLP endpoint refused spans"
            );
        }
        Err(e) => tracing::warn!(error = %e, spans = n, "could not export spans"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_parses_and_round_trips() {
        let s = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let ctx = TraceContext::parse(s).expect("valid");
        assert_eq!(ctx.to_string(), s);
        assert_eq!(ctx.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
            "00-+bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceContext::parse(bad), None, "{bad}");
        }
        let child = ctx.child();
        assert_eq!(child.trace_id, ctx.trace_id);
        assert_ne!(child.span_id, ctx.span_id);
    }
}
