//! The HTTP side of the client commands: one authenticated connection to the API, and
//! the ways a call can fail (problem details, an unreachable server), each with its exit
//! code and its message.

use std::process::ExitCode;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;
use serde_json::Value;

/// How long an ordinary call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a call is retried while the server answers 503.
const UNAVAILABLE_RETRY_FOR: Duration = Duration::from_secs(30);

/// An RFC 9457 problem, as the API answers errors (or as close as a non-API answer gets).
#[derive(Debug, Clone, Deserialize)]
pub struct Problem {
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub code: Option<String>,
}

/// Why a client command failed.
#[derive(Debug)]
pub enum CliError {
    /// The command line (or the settings) cannot work: exit 2, as clap does.
    Usage(String),
    /// The server refused the request.
    Problem(Problem),
    /// Nothing answers at the URL.
    Unreachable {
        url: String,
        cause: String,
    },
    /// The request or its answer was cut short (timeout, dropped connection).
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

impl CliError {
    /// Worth trying again: the server was out of reach or busy, or the connection broke.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable { .. } | Self::Transport(_) => true,
            Self::Problem(p) => p.status == 429 || p.status >= 500,
            _ => false,
        }
    }

    /// The one-line message, without the `error: ` prefix.
    pub fn message(&self) -> String {
        match self {
            Self::Usage(m) | Self::Transport(m) => m.clone(),
            Self::Problem(p) => {
                let code = p
                    .code
                    .as_deref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default();
                format!("{}: {} [{}{code}]", p.title, p.detail, p.status)
            }
            Self::Unreachable { url, cause } => {
                format!("cannot reach {url}: is the server running? ({cause})")
            }
            Self::Io(e) => e.to_string(),
            Self::Other(e) => format!("{e:#}"),
        }
    }

    fn hint(&self) -> Option<&'static str> {
        let Self::Problem(p) = self else {
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

/// The cause at the bottom of an error chain ("Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// An authenticated connection to one server.
pub struct Api {
    http: reqwest::Client,
    base: Url,
}

impl Api {
    pub fn new(base_url: &str, token: &str) -> Result<Self, CliError> {
        let usage = |m: String| CliError::Usage(m);
        let base = Url::parse(base_url)
            .map_err(|e| usage(format!("invalid server URL {base_url:?}: {e}")))?;
        match base.scheme() {
            "http" => {}
            "https" => {
                return Err(usage(format!(
                    "{base_url}: this build speaks plain HTTP only (no TLS); use an http:// URL, \
                     e.g. through a local TLS-terminating proxy"
                )));
            }
            other => {
                return Err(usage(format!(
                    "{base_url}: unsupported URL scheme {other:?}; use http://"
                )));
            }
        }
        if base.cannot_be_a_base() || base.host().is_none() {
            return Err(usage(format!("{base_url}: not a server URL")));
        }
        let token = token.trim();
        if token.is_empty() {
            return Err(usage("the token is empty".into()));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| usage("the token contains characters not allowed in a header".into()))?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("runyard-cli/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| CliError::Other(anyhow::anyhow!("building the HTTP client: {e}")))?;
        Ok(Self { http, base })
    }

    /// `base` + `segments`, each segment percent-encoded.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// A request without a deadline (streams and downloads set their own).
    pub fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.http.request(method, self.url(segments))
    }

    /// The server's address, for messages.
    fn origin(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }

    /// Maps a failure to send or read into a [`CliError`].
    pub fn transport(&self, e: reqwest::Error) -> CliError {
        if e.is_connect() {
            CliError::Unreachable {
                url: self.origin(),
                cause: root_cause(&e),
            }
        } else if e.is_timeout() {
            CliError::Transport(format!("{} did not answer in time", self.origin()))
        } else {
            CliError::Transport(format!(
                "the connection to {} failed: {}",
                self.origin(),
                root_cause(&e)
            ))
        }
    }

    /// Sends `request` like [`Api::send`], trying again with backoff for up to
    /// [`UNAVAILABLE_RETRY_FOR`] while the server answers 503 (its database is away).
    /// Only requests that are safe to repeat: not a POST, unless it carries an
    /// `Idempotency-Key`.
    async fn send_retrying(&self, request: RequestBuilder) -> Result<Response, CliError> {
        let repeatable = request
            .try_clone()
            .and_then(|r| r.build().ok())
            .is_some_and(|r| {
                r.method() != Method::POST || r.headers().contains_key("idempotency-key")
            });
        let deadline = std::time::Instant::now() + UNAVAILABLE_RETRY_FOR;
        let mut delay = Duration::from_millis(500);
        loop {
            let Some(attempt) = request.try_clone().filter(|_| repeatable) else {
                return self.send(request).await;
            };
            match self.send(attempt).await {
                Err(CliError::Problem(p))
                    if p.status == 503 && std::time::Instant::now() + delay < deadline =>
                {
                    eprintln!("{}: {}; trying again in {delay:?}", self.origin(), p.detail);
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
                other => return other,
            }
        }
    }

    /// Sends `request`; any answer but 2xx becomes [`CliError::Problem`].
    pub async fn send(&self, request: RequestBuilder) -> Result<Response, CliError> {
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        Err(CliError::Problem(problem_from(status, &text)))
    }

    async fn json(&self, request: RequestBuilder) -> Result<(StatusCode, Value), CliError> {
        let response = self.send_retrying(request.timeout(CALL_TIMEOUT)).await?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.transport(e))?;
        if bytes.is_empty() {
            return Ok((status, Value::Null));
        }
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            CliError::Other(anyhow::anyhow!(
                "the server answered {status} with a body that is not JSON: {e}"
            ))
        })?;
        Ok((status, value))
    }

    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, String)],
    ) -> Result<Value, CliError> {
        let request = self.request(Method::GET, segments).query(query);
        Ok(self.json(request).await?.1)
    }

    /// POSTs `body` (or nothing) and returns the status with the answer.
    pub async fn post_with(
        &self,
        segments: &[&str],
        body: Option<&Value>,
        headers: HeaderMap,
    ) -> Result<(StatusCode, Value), CliError> {
        let mut request = self.request(Method::POST, segments).headers(headers);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.json(request).await
    }

    pub async fn post(&self, segments: &[&str], body: Option<&Value>) -> Result<Value, CliError> {
        Ok(self.post_with(segments, body, HeaderMap::new()).await?.1)
    }

    pub async fn delete(&self, segments: &[&str]) -> Result<(), CliError> {
        self.json(self.request(Method::DELETE, segments)).await?;
        Ok(())
    }
}

/// The problem in an error answer; a made-up one when the body is not a problem.
fn problem_from(status: StatusCode, text: &str) -> Problem {
    let reason = status.canonical_reason().unwrap_or("Error");
    match serde_json::from_str::<Problem>(text) {
        Ok(mut p) if !p.detail.is_empty() || p.code.is_some() => {
            if p.status == 0 {
                p.status = status.as_u16();
            }
            if p.title.is_empty() {
                p.title = reason.to_owned();
            }
            p
        }
        _ => {
            let text = text.trim();
            Problem {
                status: status.as_u16(),
                title: reason.to_owned(),
                detail: if text.is_empty() {
                    format!("the server answered {status}")
                } else {
                    text.chars().take(500).collect()
                },
                code: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_read_from_problem_json_and_made_up_otherwise() {
        let p = problem_from(
            StatusCode::CONFLICT,
            r#"{"type":"urn:runyard:problem:illegal_transition","title":"Conflict","status":409,"detail":"no","code":"illegal_transition"}"#,
        );
        assert_eq!(
            CliError::Problem(p).message(),
            "Conflict: no [409 illegal_transition]"
        );
        let p = problem_from(StatusCode::BAD_GATEWAY, "<html>upstream down</html>");
        assert_eq!(
            CliError::Problem(p).message(),
            "Bad Gateway: <html>upstream down</html> [502]"
        );
        let p = problem_from(StatusCode::NOT_FOUND, "");
        assert_eq!(p.detail, "the server answered 404 Not Found");
    }

    #[test]
    fn urls_keep_a_path_prefix_and_encode_segments() {
        let api = Api::new("http://example.test:8080/runyard/", "t").unwrap();
        assert_eq!(
            api.url(&["v1", "workspaces", "a b/c"]).as_str(),
            "http://example.test:8080/runyard/v1/workspaces/a%20b%2Fc"
        );
    }

    #[test]
    fn bad_urls_and_tokens_are_usage_errors() {
        for (url, token) in [
            ("https://x", "t"),
            ("ftp://x", "t"),
            ("not a url", "t"),
            ("http://x", " "),
        ] {
            let err = Api::new(url, token).err().expect("refused");
            assert!(matches!(err, CliError::Usage(_)), "{url}: {err:?}");
        }
    }
}
