//! Job output as log entries: numbering them (seq from 1 per attempt, across streams),
//! batching them (every 200 ms or 200 lines), and shipping the batches with retries.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use runyard_client::AiCallIn;

use super::client::{CallError, Client, retrying};
use super::directives::{self, Directive, LatestProgress, Masker};
use super::job::JobSignal;

/// A batch is sent at the latest this long after its first line arrived.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(200);
/// A batch is sent as soon as it has this many lines.
pub const MAX_BATCH_LINES: usize = 200;
/// ... or this many bytes of line bodies (the server's request limit is larger).
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// How long to keep retrying one batch through transport errors before dropping it.
const BATCH_RETRY_FOR: Duration = Duration::from_secs(120);

/// Which output a line came from.
pub use runyard_client::LogStream as Stream;

/// A line of output, before it is numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub stream: Stream,
    pub body: String,
}

/// A numbered log entry, as the server takes it.
pub use runyard_client::LogEntryIn as LogEntry;

/// Numbers lines and gathers them into batches.
#[derive(Debug)]
pub struct LogBatcher {
    next_seq: u64,
    pending: Vec<LogEntry>,
    pending_bytes: usize,
    max_lines: usize,
    max_bytes: usize,
}

impl Default for LogBatcher {
    fn default() -> Self {
        Self::new(MAX_BATCH_LINES, MAX_BATCH_BYTES)
    }
}

impl LogBatcher {
    pub fn new(max_lines: usize, max_bytes: usize) -> Self {
        Self {
            next_seq: 1,
            pending: Vec::new(),
            pending_bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes,
        }
    }

    /// Numbers and queues a line; returns true when the batch is full and should be sent.
    /// Numbers from `seq` on (lines of earlier runs of the job keep theirs).
    pub fn starting_at(mut self, seq: u64) -> Self {
        self.next_seq = seq.max(1);
        self
    }

    pub fn push(&mut self, stream: Stream, body: String) -> bool {
        self.pending_bytes += body.len();
        self.pending.push(LogEntry {
            seq: self.next_seq,
            stream,
            body,
            level: None,
            step_ordinal: None,
            metadata: None,
        });
        self.next_seq += 1;
        self.pending.len() >= self.max_lines || self.pending_bytes >= self.max_bytes
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The queued entries, leaving the batcher empty (numbering continues).
    pub fn take(&mut self) -> Vec<LogEntry> {
        self.pending_bytes = 0;
        std::mem::take(&mut self.pending)
    }
}

/// Why shipping stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShipEnd {
    /// Every line was sent (or given up on after retries); the output has ended.
    Drained,
    /// The server says the job is no longer ours.
    LeaseLost,
    /// The server no longer accepts our token.
    Unauthorized,
}

/// What a job printed so far, newest kept when it grows past its bounds: the snapshot a
/// paused job hands back, and what a resumed one starts from.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    inner: std::sync::Arc<std::sync::Mutex<TranscriptLines>>,
}

#[derive(Debug, Default)]
struct TranscriptLines {
    lines: std::collections::VecDeque<LogLine>,
    bytes: usize,
    truncated: bool,
}

impl Transcript {
    /// Lines kept at most, and their bodies' bytes at most.
    pub const MAX_LINES: usize = 10_000;
    pub const MAX_BYTES: usize = 1024 * 1024;
    /// The `format` of the snapshots this runner writes.
    pub const FORMAT: &'static str = "runyard.command.transcript.v1";

    /// A transcript continuing from a snapshot this runner wrote (anything else is
    /// ignored: the job starts a fresh transcript).
    pub fn resuming(snapshot: Option<&serde_json::Value>) -> Self {
        let transcript = Self::default();
        let Some(snapshot) = snapshot.filter(|s| s["format"] == Self::FORMAT) else {
            return transcript;
        };
        if snapshot["truncated"] == true {
            transcript.lock().truncated = true;
        }
        for line in snapshot["lines"].as_array().into_iter().flatten() {
            let stream = match line["stream"].as_str() {
                Some("stderr") => Stream::Stderr,
                Some("system") => Stream::System,
                _ => Stream::Stdout,
            };
            if let Some(body) = line["body"].as_str() {
                transcript.push(stream, body.to_owned());
            }
        }
        transcript
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TranscriptLines> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, stream: Stream, body: String) {
        let mut t = self.lock();
        t.bytes += body.len();
        t.lines.push_back(LogLine { stream, body });
        while t.lines.len() > Self::MAX_LINES || t.bytes > Self::MAX_BYTES {
            let Some(old) = t.lines.pop_front() else {
                break;
            };
            t.bytes -= old.body.len();
            t.truncated = true;
        }
    }

    /// The snapshot to hand back: every line kept, oldest first.
    pub fn snapshot(&self, job_id: &str, attempt: u32) -> serde_json::Value {
        let t = self.lock();
        let lines: Vec<serde_json::Value> = t
            .lines
            .iter()
            .map(|l| serde_json::json!({"stream": l.stream.as_str(), "body": l.body}))
            .collect();
        serde_json::json!({
            "format": Self::FORMAT,
            "job_id": job_id,
            "attempt": attempt,
            "truncated": t.truncated,
            "lines": lines,
        })
    }
}

/// Sends the lines arriving on `rx` as log batches until every sender is gone. Lines
/// that are [`directives`](crate::directives) are acted on instead: model calls are
/// recorded in batches alongside the logs, progress waits in `progress` for the next
/// heartbeat. Tells the job through `signals` at once when the server refuses the lease
/// or the token. Every line passes `masker` first (see [`crate::directives`]), so nothing
/// leaves the runner unmasked: not the log, not the pause transcript, not a model call.
#[allow(clippy::too_many_arguments)]
pub async fn ship(
    client: Client,
    job_id: String,
    attempt: u32,
    mut rx: mpsc::Receiver<LogLine>,
    signals: mpsc::UnboundedSender<JobSignal>,
    transcript: Transcript,
    first_seq: u64,
    progress: LatestProgress,
    mut masker: Masker,
) -> ShipEnd {
    let mut batcher = LogBatcher::default().starting_at(first_seq);
    let mut calls: Vec<AiCallIn> = Vec::new();
    let mut due: Option<Instant> = None;
    loop {
        let line = match due {
            Some(at) => tokio::select! {
                line = rx.recv() => line,
                () = tokio::time::sleep_until(at) => {
                    due = None;
                    if !batcher.is_empty()
                        && let Err(end) = send(&client, &job_id, attempt, batcher.take(), &signals).await
                    {
                        return end;
                    }
                    if let Err(end) = send_calls(&client, &job_id, attempt, std::mem::take(&mut calls), &signals).await {
                        return end;
                    }
                    continue;
                }
            },
            None => rx.recv().await,
        };
        let Some(LogLine { stream, body }) = line else {
            if !batcher.is_empty()
                && let Err(end) = send(&client, &job_id, attempt, batcher.take(), &signals).await
            {
                return end;
            }
            if let Err(end) = send_calls(
                &client,
                &job_id,
                attempt,
                std::mem::take(&mut calls),
                &signals,
            )
            .await
            {
                return end;
            }
            return ShipEnd::Drained;
        };
        let body = masker.process(body);
        let mut lines = vec![(stream, body)];
        match directives::parse(&lines[0].1) {
            // Shipped as it is, masked: the value it announces shows as `***`.
            None | Some(Ok(Directive::AddMask(_))) => {}
            Some(Ok(Directive::Progress(value))) => {
                progress.set(value);
                continue;
            }
            Some(Ok(Directive::AiCall(call))) => {
                calls.push(*call);
                if calls.len() >= MAX_CALLS_PER_BATCH {
                    if let Err(end) = send_calls(
                        &client,
                        &job_id,
                        attempt,
                        std::mem::take(&mut calls),
                        &signals,
                    )
                    .await
                    {
                        return end;
                    }
                } else if due.is_none() {
                    due = Some(Instant::now() + FLUSH_INTERVAL);
                }
                continue;
            }
            Some(Err(why)) => lines.push((Stream::System, why)),
        }
        for (stream, body) in lines {
            if batcher.is_empty() && due.is_none() {
                due = Some(Instant::now() + FLUSH_INTERVAL);
            }
            transcript.push(stream, body.clone());
            if batcher.push(stream, body)
                && let Err(end) = send(&client, &job_id, attempt, batcher.take(), &signals).await
            {
                return end;
            }
        }
    }
}

/// The most model calls one request records (the protocol's limit).
const MAX_CALLS_PER_BATCH: usize = 1000;

async fn send_calls(
    client: &Client,
    job_id: &str,
    attempt: u32,
    calls: Vec<AiCallIn>,
    signals: &mpsc::UnboundedSender<JobSignal>,
) -> Result<(), ShipEnd> {
    if calls.is_empty() {
        return Ok(());
    }
    let deadline = Instant::now() + BATCH_RETRY_FOR;
    let result = retrying("recording model calls", deadline, || {
        client.record_ai_calls(job_id, attempt, &calls)
    })
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(CallError::LeaseLost(detail)) => {
            tracing::warn!(job_id, attempt, %detail, "lease lost while recording model calls");
            let _ = signals.send(JobSignal::LeaseLost);
            Err(ShipEnd::LeaseLost)
        }
        Err(CallError::Unauthorized(detail)) => {
            let _ = signals.send(JobSignal::Unauthorized(detail));
            Err(ShipEnd::Unauthorized)
        }
        Err(e) => {
            tracing::warn!(job_id, attempt, error = %e, count = calls.len(), "dropping model calls");
            Ok(())
        }
    }
}

async fn send(
    client: &Client,
    job_id: &str,
    attempt: u32,
    entries: Vec<LogEntry>,
    signals: &mpsc::UnboundedSender<JobSignal>,
) -> Result<(), ShipEnd> {
    let deadline = Instant::now() + BATCH_RETRY_FOR;
    let result = retrying("sending logs", deadline, || {
        client.append_logs(job_id, attempt, &entries)
    })
    .await;
    match result {
        Ok(()) => Ok(()),
        Err(CallError::LeaseLost(detail)) => {
            tracing::warn!(job_id, attempt, %detail, "lease lost while sending logs");
            let _ = signals.send(JobSignal::LeaseLost);
            Err(ShipEnd::LeaseLost)
        }
        Err(CallError::Unauthorized(detail)) => {
            let _ = signals.send(JobSignal::Unauthorized(detail));
            Err(ShipEnd::Unauthorized)
        }
        Err(e) => {
            let (first, last) = (
                entries.first().map_or(0, |e| e.seq),
                entries.last().map_or(0, |e| e.seq),
            );
            tracing::warn!(job_id, attempt, error = %e, first, last, "dropping a log batch");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_starts_at_one_and_runs_across_streams_and_batches() {
        let mut b = LogBatcher::new(3, 1 << 20);
        assert!(!b.push(Stream::Stdout, "a".into()));
        assert!(!b.push(Stream::Stderr, "b".into()));
        let first = b.take();
        assert!(b.is_empty());
        assert!(!b.push(Stream::Stdout, "c".into()));
        let second = b.take();
        let seqs: Vec<_> = first.iter().chain(&second).map(|e| e.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        assert_eq!(first[1].stream, Stream::Stderr);
    }

    #[test]
    fn a_batch_is_full_at_the_line_or_byte_limit() {
        let mut b = LogBatcher::new(3, 10);
        assert!(!b.push(Stream::Stdout, "x".into()));
        assert!(!b.push(Stream::Stdout, "x".into()));
        assert!(b.push(Stream::Stdout, "x".into()));
        assert_eq!(b.take().len(), 3);
        assert!(!b.push(Stream::Stdout, "12345".into()));
        assert!(b.push(Stream::Stdout, "67890".into()));
        assert_eq!(b.take().len(), 2);
        assert!(
            !b.push(Stream::Stdout, "x".into()),
            "bytes reset after take"
        );
    }

    #[test]
    fn entries_serialize_as_the_protocol_expects() {
        let entry = LogEntry {
            seq: 1,
            stream: Stream::Stderr,
            body: "oops".into(),
            level: None,
            step_ordinal: None,
            metadata: None,
        };
        assert_eq!(
            serde_json::to_value(&entry).expect("json"),
            serde_json::json!({"seq": 1, "stream": "stderr", "body": "oops"})
        );
    }
}
