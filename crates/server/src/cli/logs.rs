//! `runyard jobs logs`: a job's log paged from the start, or followed live over
//! Server-Sent Events, resuming with `Last-Event-ID` after a dropped connection and
//! ending when the server says the job has finished (`event: end`).

use std::io::Write;
use std::time::Duration;

use runyard_client::reqwest::Method;
use runyard_client::reqwest::header::ACCEPT;
use serde_json::Value;
use tokio::time::Instant;

use super::Ctx;
use super::client::CliError;

/// Lines asked for per page.
const PAGE: &str = "1000";
/// The server sends a keep-alive every 15 s; this much silence means the connection is gone.
const IDLE_TIMEOUT: Duration = Duration::from_secs(45);
/// Reconnect delays grow up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Give up after failing to get the stream back for this long.
const GIVE_UP_AFTER: Duration = Duration::from_secs(300);

/// Prints one entry: its body on stdout or stderr by stream (other streams on stderr,
/// tagged), or the entry as one line of JSON.
fn emit(json: bool, entry: &Value) -> Result<(), CliError> {
    if json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, entry).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    let body = entry["body"].as_str().unwrap_or_default();
    match entry["stream"].as_str().unwrap_or("stdout") {
        "stdout" => writeln!(std::io::stdout().lock(), "{body}")?,
        "stderr" => writeln!(std::io::stderr().lock(), "{body}")?,
        other => writeln!(std::io::stderr().lock(), "[{other}] {body}")?,
    }
    Ok(())
}

fn seq_of(entry: &Value) -> Result<i64, CliError> {
    entry["seq"].as_i64().ok_or_else(|| {
        CliError::Other(anyhow::anyhow!(
            "a log entry without a seq from the server: {entry}"
        ))
    })
}

/// Prints every line logged so far, page by page.
pub async fn print_all(ctx: &Ctx, job: &[&str]) -> Result<(), CliError> {
    let mut path = job.to_vec();
    path.push("logs");
    let mut after = 0_i64;
    loop {
        let page = ctx
            .api
            .get(
                &path,
                &[("after_seq", after.to_string()), ("limit", PAGE.into())],
            )
            .await?;
        for entry in page["items"].as_array().into_iter().flatten() {
            emit(ctx.json, entry)?;
        }
        match page["next_cursor"]
            .as_str()
            .and_then(|c| c.parse::<i64>().ok())
        {
            Some(next) if next > after => after = next,
            _ => return Ok(()),
        }
    }
}

/// Follows the log until the job has finished, reconnecting when the stream breaks.
pub async fn follow(ctx: &Ctx, job: &[&str]) -> Result<(), CliError> {
    let mut path = job.to_vec();
    path.extend(["logs", "stream"]);
    let mut last_seq: Option<i64> = None;
    let mut backoff = Duration::from_millis(200);
    let mut failing_since: Option<Instant> = None;
    loop {
        let mut request = ctx
            .api
            .request(Method::GET, &path)
            .header(ACCEPT, "text/event-stream");
        if let Some(seq) = last_seq {
            request = request.header("Last-Event-ID", seq.to_string());
        }
        let mut received = false;
        let outcome = match ctx.api.send(request).await {
            Ok(response) => read_stream(ctx, response, &mut last_seq, &mut received).await,
            Err(e) => Err(e),
        };
        let error = match outcome {
            Ok(()) => return Ok(()),
            Err(e) if e.is_transient() => e,
            Err(e) => return Err(e),
        };
        if received {
            failing_since = None;
            backoff = Duration::from_millis(200);
        }
        let since = *failing_since.get_or_insert_with(Instant::now);
        if since.elapsed() > GIVE_UP_AFTER {
            return Err(error);
        }
        eprintln!("runyard: {}; reconnecting", error.message());
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Reads one connection's events. `Ok` once the job has finished; an error when the
/// stream broke first.
async fn read_stream(
    ctx: &Ctx,
    mut response: runyard_client::reqwest::Response,
    last_seq: &mut Option<i64>,
    received: &mut bool,
) -> Result<(), CliError> {
    let mut parser = SseParser::default();
    loop {
        let chunk = match tokio::time::timeout(IDLE_TIMEOUT, response.chunk()).await {
            Err(_) => {
                return Err(CliError::Transport(format!(
                    "no data from the server for {}s",
                    IDLE_TIMEOUT.as_secs()
                )));
            }
            Ok(Err(e)) => return Err(ctx.api.transport(e)),
            Ok(Ok(None)) => {
                return Err(CliError::Transport(
                    "the server closed the log stream before the job finished".into(),
                ));
            }
            Ok(Ok(Some(bytes))) => bytes,
        };
        *received = true;
        for event in parser.push(&chunk) {
            match event.event.as_str() {
                "log" => {
                    let entry: Value = serde_json::from_str(&event.data).map_err(|e| {
                        CliError::Other(anyhow::anyhow!(
                            "a log event that is not JSON ({e}): {}",
                            event.data
                        ))
                    })?;
                    let seq = seq_of(&entry)?;
                    if last_seq.is_some_and(|last| seq <= last) {
                        continue;
                    }
                    emit(ctx.json, &entry)?;
                    *last_seq = Some(seq);
                }
                "end" => return Ok(()),
                _ => {}
            }
        }
    }
}

/// One Server-Sent Event.
#[derive(Debug, PartialEq, Eq)]
struct SseEvent {
    event: String,
    data: String,
    id: Option<String>,
}

/// Splits a byte stream into events: `field: value` lines, a blank line ends an event,
/// `:` starts a comment (keep-alives). Lines may end in LF or CRLF and arrive split
/// across chunks.
#[derive(Debug, Default)]
struct SseParser {
    buf: Vec<u8>,
    event: String,
    data: Vec<String>,
    id: Option<String>,
}

impl SseParser {
    fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(end) = self.buf[start..].iter().position(|&b| b == b'\n') {
            let mut line = &self.buf[start..start + end];
            start += end + 1;
            if let [rest @ .., b'\r'] = line {
                line = rest;
            }
            let line = String::from_utf8_lossy(line).into_owned();
            if line.is_empty() {
                if !self.data.is_empty() || !self.event.is_empty() {
                    events.push(SseEvent {
                        event: std::mem::take(&mut self.event),
                        data: std::mem::take(&mut self.data).join("\n"),
                        id: self.id.take(),
                    });
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line.as_str(), ""),
            };
            match field {
                "event" => self.event = value.to_owned(),
                "data" => self.data.push(value.to_owned()),
                "id" => self.id = Some(value.to_owned()),
                _ => {}
            }
        }
        self.buf.drain(..start);
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event: &str, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent {
            event: event.into(),
            data: data.into(),
            id: id.map(Into::into),
        }
    }

    #[test]
    fn events_are_parsed_across_chunk_boundaries() {
        let mut p = SseParser::default();
        assert!(p.push(b"event: lo").is_empty());
        assert!(p.push(b"g\nid: 1\ndata: {\"seq\"").is_empty());
        assert_eq!(
            p.push(b": 1}\n\nevent: log\r\nid: 2\r\ndata: {}\r\n\r\n"),
            vec![
                event("log", "{\"seq\": 1}", Some("1")),
                event("log", "{}", Some("2")),
            ]
        );
    }

    #[test]
    fn comments_are_skipped_and_data_lines_joined() {
        let mut p = SseParser::default();
        assert_eq!(
            p.push(b":keep-alive\n\ndata: a\ndata:b\ndata\n\nevent: end\ndata: {}\n\n"),
            vec![event("", "a\nb\n", None), event("end", "{}", None)]
        );
    }
}
