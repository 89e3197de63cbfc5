//! Cross-origin requests from browsers (CORS), for web frontends served elsewhere.
//!
//! Off unless origins are configured. A request from an allowed origin gets
//! `Access-Control-Allow-Origin` and the headers a frontend needs to read; a preflight
//! (`OPTIONS` with `Access-Control-Request-Method`) is answered here with 204. A request
//! from any other origin is served exactly as without CORS: no CORS headers, so the
//! browser keeps the response from the page, while same-origin pages (e.g. `/docs`) and
//! non-browser clients that send an `Origin` are unaffected.

use std::sync::Arc;

use poem::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

/// Which origins may call the API from a browser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers at all (the default).
    #[default]
    None,
    /// Any origin (`*`).
    Any,
    /// These origins exactly (`scheme://host[:port]`, lower case).
    List(Vec<String>),
}

impl CorsOrigins {
    /// Parses a comma-separated list of origins (`https://app.example.com`), or `*`.
    /// Empty means none.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut origins = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "*" {
                return Ok(Self::Any);
            }
            let origin = item.trim_end_matches('/').to_ascii_lowercase();
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .filter(|h| !h.is_empty() && !h.contains(['/', '?', '#', '@', ' ']))
                .ok_or_else(|| {
                    format!(
                        "{item:?} is not an origin: expected scheme://host[:port], e.g. https://app.example.com, or *"
                    )
                })?;
            if HeaderValue::from_str(host).is_err() {
                return Err(format!("{item:?} is not an origin"));
            }
            origins.push(origin);
        }
        Ok(if origins.is_empty() {
            Self::None
        } else {
            Self::List(origins)
        })
    }

    /// The `Access-Control-Allow-Origin` value for a request from `origin`, if allowed.
    fn allow(&self, origin: &HeaderValue) -> Option<HeaderValue> {
        match self {
            Self::None => None,
            Self::Any => Some(HeaderValue::from_static("*")),
            Self::List(list) => {
                let origin_str = origin.to_str().ok()?;
                list.iter()
                    .any(|o| o.eq_ignore_ascii_case(origin_str))
                    .then(|| origin.clone())
            }
        }
    }
}

const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";
const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, Idempotency-Key, Last-Event-ID, If-None-Match, X-Request-Id";
const EXPOSE_HEADERS: &str = "X-Request-Id, ETag, Location";
/// How long browsers may cache a preflight answer, in seconds.
const MAX_AGE: &str = "7200";

fn add_vary(headers: &mut HeaderMap, value: &'static str) {
    headers.append(header::VARY, HeaderValue::from_static(value));
}

pub(crate) async fn cors<E: Endpoint>(
    next: E,
    req: Request,
    origins: Arc<CorsOrigins>,
) -> poem::Result<Response> {
    if *origins == CorsOrigins::None {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    // With a list, the answer depends on the Origin: caches must keep them apart.
    let varies = matches!(*origins, CorsOrigins::List(_));
    let allowed = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| origins.allow(o));
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (Some(allow_origin), true) = (&allowed, preflight) {
        let mut resp = StatusCode::NO_CONTENT.into_response();
        let headers = resp.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static(MAX_AGE),
        );
        if varies {
            add_vary(headers, "Origin");
        }
        add_vary(headers, "Access-Control-Request-Method");
        add_vary(headers, "Access-Control-Request-Headers");
        return Ok(resp);
    }
    let mut resp = next.get_response(req).await;
    let headers = resp.headers_mut();
    if let Some(allow_origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSE_HEADERS),
        );
    }
    if varies {
        add_vary(headers, "Origin");
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_from_a_comma_separated_list() {
        assert_eq!(CorsOrigins::parse("").unwrap(), CorsOrigins::None);
        assert_eq!(CorsOrigins::parse(" , ").unwrap(), CorsOrigins::None);
        assert_eq!(CorsOrigins::parse("*").unwrap(), CorsOrigins::Any);
        assert_eq!(
            CorsOrigins::parse("https://a.example, http://LOCALHOST:5173/").unwrap(),
            CorsOrigins::List(vec![
                "https://a.example".into(),
                "http://localhost:5173".into()
            ])
        );
        for bad in [
            "a.example",
            "ftp://a.example",
            "https://a.example/app",
            "https://",
        ] {
            let err = CorsOrigins::parse(bad).unwrap_err();
            assert!(err.contains("not an origin"), "{bad}: {err}");
        }
    }
}
