//! Logging: human-readable text (the default) or one JSON object per line, filtered by
//! `RUNYARD_LOG`. Span fields (a request's `request_id`) go with every line.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

/// The logger; `ansi` colours text lines (for a terminal).
fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi && format == LogFormat::Text);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// Installs the process's logger, writing to stderr (in colour when it is a terminal).
pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    let filter =
        EnvFilter::try_from_env("RUNYARD_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = tracing::subscriber::set_global_default(subscriber(
        format,
        filter,
        std::io::stderr,
        std::io::stderr().is_terminal(),
    ));
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn log_in_a_request(format: LogFormat) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = subscriber(
            format,
            EnvFilter::new("info"),
            move || writer.clone(),
            false,
        );
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = %"req-7");
            let _entered = span.enter();
            tracing::info!(target: "runyard::http", status = 200, "request");
        });
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn json_lines_carry_the_event_and_the_request_id() {
        let out = log_in_a_request(LogFormat::Json);
        let line: serde_json::Value = serde_json::from_str(out.trim()).expect(&out);
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["target"], "runyard::http");
        assert_eq!(line["message"], "request");
        assert_eq!(line["status"], 200);
        assert_eq!(line["span"]["request_id"], "req-7");
    }

    #[test]
    fn text_lines_carry_the_request_id() {
        let out = log_in_a_request(LogFormat::Text);
        assert!(out.contains("request{request_id=req-7}"), "{out}");
        assert!(serde_json::from_str::<serde_json::Value>(out.trim()).is_err());
    }
}
