//! Directives: lines a job prints to talk to the runner instead of to its log.
//!
//! A line of the form `::runyard::<name> <json>` on stdout or stderr is a directive. The
//! runner acts on it and does not ship it as log output:
//!
//! - `::runyard::ai-call {"provider", "model", "input_tokens"?, "output_tokens"?,
//!   "cached_tokens"?, "cost_usd"?, "latency_ms"?, "status"?, "error"?, "batch_id"?,
//!   "step_ordinal"?, "started_at"?, "metadata"?, "id"?}` records a model call (`cost_usd`
//!   a decimal string such as `"0.004250"`; `id` defaults to a fresh UUID, `started_at`
//!   to now, `status` to `ok`, counts and cost to zero).
//! - `::runyard::progress <json>` sets the job's progress, sent with the next heartbeat.
//! - `::runyard::add-mask VALUE` asks that VALUE never appear in the job's log: from that
//!   line on (the directive's own line included, which is shipped) it is replaced by `***`,
//!   like the job's secrets and the values under secret-looking keys of its payload.
//!   Masking ([`Masker`]) comes first, so a model call's fields are masked too.
//!
//! A line that starts like a directive but cannot be understood is shipped as ordinary
//! output, followed by a `system` line saying why.

use chrono::{DateTime, Utc};
use runyard_client::{AiCallIn, AiCallStatus};
use serde::Deserialize;
use serde_json::Value;

/// What every directive line starts with.
pub const PREFIX: &str = "::runyard::";

/// A line a job printed for the runner.
#[derive(Debug, Clone, PartialEq)]
pub enum Directive {
    /// Record a model call.
    AiCall(Box<AiCallIn>),
    /// Report progress.
    Progress(Value),
    /// Mask this value in all later output.
    AddMask(String),
}

/// The latest progress a job reported, waiting for the next heartbeat to carry it.
#[derive(Debug, Clone, Default)]
pub struct LatestProgress(std::sync::Arc<std::sync::Mutex<Option<Value>>>);

impl LatestProgress {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Value>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn set(&self, progress: Value) {
        *self.lock() = Some(progress);
    }

    /// The progress not yet sent, if any.
    pub fn take(&self) -> Option<Value> {
        self.lock().take()
    }

    /// Puts back progress a failed heartbeat could not send, unless newer arrived.
    pub fn restore(&self, progress: Value) {
        self.lock().get_or_insert(progress);
    }
}

/// `None` when `line` is ordinary output; else the directive, or why it is malformed.
pub fn parse(line: &str) -> Option<Result<Directive, String>> {
    let rest = line.strip_prefix(PREFIX)?;
    let (name, json) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    Some(match name {
        "ai-call" => ai_call(json.trim()).map(|c| Directive::AiCall(Box::new(c))),
        "add-mask" => {
            let value = json.trim_end_matches(['\r', '\n']);
            if value.trim().is_empty() {
                Err("::runyard::add-mask needs a value".to_owned())
            } else {
                Ok(Directive::AddMask(value.to_owned()))
            }
        }
        "progress" => serde_json::from_str(json.trim())
            .map(Directive::Progress)
            .map_err(|e| format!("::runyard::progress needs a JSON value: {e}")),
        other => Err(format!("unknown directive ::runyard::{other}")),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAiCall {
    id: Option<String>,
    provider: String,
    model: String,
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    cached_tokens: Option<u64>,
    cost_usd: Option<String>,
    #[serde(default)]
    latency_ms: u64,
    status: Option<AiCallStatus>,
    error: Option<String>,
    batch_id: Option<String>,
    step_ordinal: Option<u32>,
    started_at: Option<DateTime<Utc>>,
    metadata: Option<Value>,
}

fn ai_call(json: &str) -> Result<AiCallIn, String> {
    let raw: RawAiCall = serde_json::from_str(json)
        .map_err(|e| format!("::runyard::ai-call needs a JSON object: {e}"))?;
    Ok(AiCallIn {
        id: raw.id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        step_ordinal: raw.step_ordinal,
        provider: raw.provider,
        model: raw.model,
        input_tokens: raw.input_tokens,
        output_tokens: raw.output_tokens,
        cached_tokens: raw.cached_tokens,
        cost_usd: raw.cost_usd.unwrap_or_else(|| "0".to_owned()),
        latency_ms: raw.latency_ms,
        status: raw.status.unwrap_or(AiCallStatus::Ok),
        error: raw.error,
        batch_id: raw.batch_id,
        started_at: raw.started_at.unwrap_or_else(Utc::now),
        metadata: raw.metadata,
    })
}

/// What masked text reads as.
pub const MASK: &str = "***";

/// The values to hide in a job's output. Masking is per line: a value is found wherever it
/// lies within one line, and a value spanning lines is masked line by line.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Longest first, so a value containing another is masked whole.
    values: Vec<String>,
}

impl Masker {
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut masker = Self::default();
        for value in values {
            masker.add(&value);
        }
        masker
    }

    /// Masks `value` from now on (each of its lines, when it has several; blank ones are
    /// ignored, since masking every space would hide everything).
    pub fn add(&mut self, value: &str) {
        for part in value.lines() {
            let part = part.trim_end_matches('\r');
            if part.trim().is_empty() || self.values.iter().any(|v| v == part) {
                continue;
            }
            self.values.push(part.to_owned());
        }
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// `line` with every masked value replaced by `***`.
    pub fn mask(&self, line: String) -> String {
        let mut line = line;
        for value in &self.values {
            if line.contains(value.as_str()) {
                line = line.replace(value.as_str(), MASK);
            }
        }
        line
    }

    /// Takes in a line of output: follows its directive, if any, and returns it masked.
    pub fn process(&mut self, line: String) -> String {
        if let Some(Ok(Directive::AddMask(value))) = parse(&line) {
            self.add(&value);
        }
        self.mask(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_lines_are_not_directives() {
        assert_eq!(parse("hello"), None);
        assert_eq!(parse(" ::runyard::progress {}"), None);
        assert_eq!(parse("::runyard:progress {}"), None);
    }

    #[test]
    fn ai_calls_take_defaults_and_keep_money_as_text() {
        let Some(Ok(Directive::AiCall(call))) = parse(
            r#"::runyard::ai-call {"provider":"anthropic","model":"claude","input_tokens":12,"cost_usd":"0.004250","batch_id":"b"}"#,
        ) else {
            panic!("not an ai-call");
        };
        assert_eq!(call.provider, "anthropic");
        assert_eq!(call.input_tokens, 12);
        assert_eq!(call.output_tokens, 0);
        assert_eq!(call.cost_usd, "0.004250");
        assert_eq!(call.status, AiCallStatus::Ok);
        assert_eq!(call.batch_id.as_deref(), Some("b"));
        assert!(uuid::Uuid::parse_str(&call.id).is_ok());
    }

    #[test]
    fn progress_takes_any_json() {
        assert_eq!(
            parse(r#"::runyard::progress {"done": 3, "of": 10}"#),
            Some(Ok(Directive::Progress(
                serde_json::json!({"done": 3, "of": 10})
            )))
        );
    }

    #[test]
    fn malformed_directives_say_why() {
        for line in [
            "::runyard::ai-call",
            "::runyard::ai-call {\"model\": \"m\"}",
            "::runyard::ai-call {\"provider\":\"p\",\"model\":\"m\",\"cost_usd\":0.1}",
            "::runyard::ai-call {\"provider\":\"p\",\"model\":\"m\",\"colour\":1}",
            "::runyard::progress",
            "::runyard::launch {}",
        ] {
            assert!(matches!(parse(line), Some(Err(_))), "{line}");
        }
    }
}

#[cfg(test)]
mod masking_tests {
    use super::*;

    #[test]
    fn directives_are_parsed_and_other_lines_are_not() {
        assert_eq!(
            parse("::runyard::add-mask s3cr3t value"),
            Some(Ok(Directive::AddMask("s3cr3t value".into())))
        );
        assert!(matches!(parse("::runyard::add-mask "), Some(Err(_))));
        assert_eq!(parse("echo ::runyard::add-mask"), None);
    }

    #[test]
    fn values_are_masked_from_their_announcement_on() {
        let mut m = Masker::new(["sk-live-1".to_owned(), "  ".to_owned()]);
        assert_eq!(m.process("key=sk-live-1!".into()), "key=***!");
        assert_eq!(m.process("before hunter2".into()), "before hunter2");
        assert_eq!(
            m.process("::runyard::add-mask hunter2".into()),
            "::runyard::add-mask ***"
        );
        assert_eq!(m.process("after hunter2 hunter2".into()), "after *** ***");
    }

    #[test]
    fn longer_values_win_and_multi_line_values_mask_each_line() {
        let mut m = Masker::new(["abc".to_owned(), "abcdef".to_owned()]);
        assert_eq!(m.mask("xabcdefx abc".into()), "x***x ***");
        m.add("line one\nline two\n");
        assert_eq!(m.mask("line two".into()), "***");
    }
}
