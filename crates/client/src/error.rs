//! How a call can fail: the server's problem details, a broken transport, an answer that
//! is not what was expected; and why a client cannot be built at all.

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

/// An RFC 9457 problem, as the API answers errors (or as close as a non-API answer gets:
/// a proxy's HTML page becomes a problem whose detail is the start of that page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// The stable machine-readable code (`lease_lost`, `validation`, ...); absent only when
    /// the answer did not come from the API.
    #[serde(default)]
    pub code: Option<String>,
    /// The request field the problem is about, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// The problem in an error answer's body; a made-up one when the body is not a problem.
    pub fn from_answer(status: StatusCode, body: &str) -> Self {
        let reason = status.canonical_reason().unwrap_or("Error");
        match serde_json::from_str::<Problem>(body) {
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
                let text = body.trim();
                Problem {
                    status: status.as_u16(),
                    title: reason.to_owned(),
                    detail: if text.is_empty() {
                        format!("the server answered {status}")
                    } else {
                        text.chars().take(500).collect()
                    },
                    code: None,
                    field: None,
                    request_id: None,
                }
            }
        }
    }

    /// The answer's status as a [`StatusCode`].
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Whether the problem carries this code.
    pub fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

impl std::fmt::Display for Problem {
    /// `Title: detail [status code]`, e.g. `Conflict: no [409 illegal_transition]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} [{}", self.title, self.detail, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        f.write_str("]")
    }
}

/// Why a call did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered, with a status other than 2xx.
    #[error("{0}")]
    Problem(Problem),
    /// The request or its answer did not get through: nothing listens at the URL, the
    /// call timed out, or the connection broke.
    #[error("{}", transport_message(origin, source))]
    Transport {
        /// The server's base URL, for messages.
        origin: String,
        #[source]
        source: reqwest::Error,
    },
    /// A 2xx answer whose body is not what the call expects.
    #[error("the server answered {status} with a body that is not {expected}: {source}")]
    Decode {
        status: StatusCode,
        expected: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

fn transport_message(origin: &str, e: &reqwest::Error) -> String {
    if e.is_connect() {
        format!(
            "cannot reach {origin}: is the server running? ({})",
            root_cause(e)
        )
    } else if e.is_timeout() {
        format!("{origin} did not answer in time")
    } else {
        format!("the connection to {origin} failed: {}", root_cause(e))
    }
}

/// The cause at the bottom of an error chain ("Connection refused (os error 111)").
pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

impl Error {
    /// Worth trying again: the server was out of reach or busy, or the connection broke.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Problem(p) => p.status == 429 || p.status >= 500,
            Self::Decode { .. } => false,
        }
    }

    /// The problem, when the server answered with one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Problem(p) => Some(p),
            _ => None,
        }
    }

    /// The answer's status, when there was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Problem(p) => Some(p.status_code()),
            Self::Decode { status, .. } => Some(*status),
            Self::Transport { .. } => None,
        }
    }
}

/// Why a [`Client`](crate::Client) cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid server URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The CA certificate file given to trust holds no usable PEM certificate.
    #[error("the CA certificate is not a PEM certificate: {reason}")]
    CaCert { reason: String },
    #[error("{url}: unsupported URL scheme {scheme:?}; use http:// or https://")]
    UnsupportedScheme { url: String, scheme: String },
    #[error("{url}: not a server URL")]
    NotAServerUrl { url: String },
    #[error("the token is empty")]
    EmptyToken,
    #[error("the token contains characters not allowed in a header")]
    TokenNotAHeader(#[source] reqwest::header::InvalidHeaderValue),
    #[error("building the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_read_from_problem_json_and_made_up_otherwise() {
        let p = Problem::from_answer(
            StatusCode::CONFLICT,
            r#"{"type":"urn:runyard:problem:illegal_transition","title":"Conflict","status":409,"detail":"no","code":"illegal_transition"}"#,
        );
        assert_eq!(p.to_string(), "Conflict: no [409 illegal_transition]");
        assert!(p.has_code("illegal_transition"));
        let p = Problem::from_answer(StatusCode::BAD_GATEWAY, "<html>upstream down</html>");
        assert_eq!(
            p.to_string(),
            "Bad Gateway: <html>upstream down</html> [502]"
        );
        assert!(Error::Problem(p).is_transient());
        let p = Problem::from_answer(StatusCode::NOT_FOUND, "");
        assert_eq!(p.detail, "the server answered 404 Not Found");
        assert!(!Error::Problem(p).is_transient());
    }
}
