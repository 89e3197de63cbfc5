//! The HTTP side of the client commands: one authenticated connection to the API, and
//! the ways a call can fail (problem details, an unreachable server), each with its exit
//! code and its message.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use runyard_client::reqwest;
use runyard_client::{ConfigError, Error as ApiError};
use serde_json::Value;

/// How long an ordinary call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a call is retried while the server answers 503 (its database is away).
const UNAVAILABLE_RETRY_FOR: Duration = Duration::from_secs(30);

/// Says on stderr that a call is tried again, so a waiting command is not silent.
fn announce_retry(origin: &str, problem: &runyard_client::Problem, delay: Duration) {
    eprintln!("{origin}: {}; trying again in {delay:?}", problem.detail);
}

/// Why a client command failed.
#[derive(Debug)]
pub enum CliError {
    /// The command line (or the settings) cannot work: exit 2, as clap does.
    Usage(String),
    /// The server refused the request, was out of reach, or answered nonsense.
    Api(ApiError),
    /// A stream was cut short in a way the transport does not report (idle, closed early).
    Transport(String),
    /// Writing the output failed.
    Io(std::io::Error),
    Other(anyhow::Error),
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<anyhow::Error> for CliError {
    fn from(e: anyhow::Error) -> Self {
        Self::Other(e)
    }
}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl CliError {
    /// Worth trying again: the server was out of reach or busy, or the connection broke.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api(e) => e.is_transient(),
            Self::Transport(_) => true,
            _ => false,
        }
    }

    /// The one-line message, without the `error: ` prefix.
    pub fn message(&self) -> String {
        match self {
            Self::Usage(m) | Self::Transport(m) => m.clone(),
            Self::Api(e) => e.to_string(),
            Self::Io(e) => e.to_string(),
            Self::Other(e) => format!("{e:#}"),
        }
    }

    fn hint(&self) -> Option<&'static str> {
        let Self::Api(ApiError::Problem(p)) = self else {
            return None;
        };
        match (p.status, p.detail.as_str()) {
            (401, _) => Some(
                "the server refused the token: pass --token, set RUNYARD_TOKEN, or run `runyard login`",
            ),
            (404, "no such route") => {
                Some("the server does not know this endpoint; it may be older than this client")
            }
            (404, "workspace not found") => Some(
                "the workspace does not exist or you are not a member; `runyard workspaces list` shows yours",
            ),
            _ => None,
        }
    }

    /// Prints the error to stderr and gives the exit code. A closed stdout (`| head`) is
    /// not an error.
    pub fn report(&self) -> ExitCode {
        if let Self::Io(e) = self
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {}", self.message());
        if let Some(hint) = self.hint() {
            eprintln!("hint: {hint}");
        }
        match self {
            Self::Usage(_) => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }
}

/// An authenticated connection to one server: the API client, with its answers read as
/// JSON for rendering and its errors as [`CliError`]s.
pub struct Api {
    client: runyard_client::Client,
}

impl Api {
    /// A client for `base_url` presenting `token`, trusting the CA certificates in the
    /// PEM file `ca_cert` (if any) besides the system's roots.
    pub fn new(base_url: &str, token: &str, ca_cert: Option<&Path>) -> Result<Self, CliError> {
        let mut builder = runyard_client::Client::builder(base_url)
            .token(token)
            .user_agent(concat!("runyard-cli/", env!("CARGO_PKG_VERSION")))
            .call_timeout(CALL_TIMEOUT)
            .retry_unavailable(UNAVAILABLE_RETRY_FOR, announce_retry);
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path).map_err(|e| {
                CliError::Usage(format!(
                    "reading the CA certificate {}: {e}",
                    path.display()
                ))
            })?;
            builder = builder.ca_cert_pem(pem);
        }
        let client = builder.build().map_err(|e| match e {
            ConfigError::Http(e) => {
                CliError::Other(anyhow::anyhow!("building the HTTP client: {e}"))
            }
            usage => CliError::Usage(usage.to_string()),
        })?;
        Ok(Self { client })
    }

    /// A request without a deadline (streams and downloads set their own).
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.client.request(method, segments)
    }

    /// Maps a failure to send or read into a [`CliError`].
    pub fn transport(&self, e: reqwest::Error) -> CliError {
        CliError::Api(self.client.transport(e))
    }

    /// Sends `request`; any answer but 2xx becomes a problem.
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, CliError> {
        Ok(self.client.send(request).await?)
    }

    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Value, CliError> {
        Ok(self.client.get(segments, query).await?)
    }

    /// POSTs `body` (or nothing) and returns the status with the answer.
    pub async fn post_with(
        &self,
        segments: &[&str],
        body: Option<&Value>,
        headers: HeaderMap,
    ) -> Result<(StatusCode, Value), CliError> {
        Ok(self.client.post_with(segments, body, headers).await?)
    }

    pub async fn post(&self, segments: &[&str], body: Option<&Value>) -> Result<Value, CliError> {
        Ok(self.post_with(segments, body, HeaderMap::new()).await?.1)
    }

    pub async fn delete(&self, segments: &[&str]) -> Result<(), CliError> {
        Ok(self.client.delete(segments).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_become_one_line_messages_with_hints() {
        let problem = runyard_client::Problem::from_answer(
            StatusCode::CONFLICT,
            r#"{"type":"urn:runyard:problem:illegal_transition","title":"Conflict","status":409,"detail":"no","code":"illegal_transition"}"#,
        );
        assert_eq!(
            CliError::Api(ApiError::Problem(problem)).message(),
            "Conflict: no [409 illegal_transition]"
        );
        let unauthorized = runyard_client::Problem::from_answer(StatusCode::UNAUTHORIZED, "");
        let err = CliError::Api(ApiError::Problem(unauthorized));
        assert!(err.hint().is_some_and(|h| h.contains("RUNYARD_TOKEN")));
        assert!(!err.is_transient());
    }

    #[test]
    fn urls_keep_a_path_prefix_and_encode_segments() {
        let api = Api::new("http://example.test:8080/runyard/", "t", None).unwrap();
        assert_eq!(
            api.client.url(&["v1", "workspaces", "a b/c"]).as_str(),
            "http://example.test:8080/runyard/v1/workspaces/a%20b%2Fc"
        );
    }

    #[test]
    fn bad_urls_and_tokens_are_usage_errors() {
        for (url, token) in [("ftp://x", "t"), ("not a url", "t"), ("http://x", " ")] {
            let err = Api::new(url, token, None).err().expect("refused");
            assert!(matches!(err, CliError::Usage(_)), "{url}: {err:?}");
        }
    }
}
