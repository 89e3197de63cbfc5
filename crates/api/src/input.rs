//! The request boundary: what every request must satisfy before a handler sees it.
//!
//! PostgreSQL stores no U+0000 in `text` or `jsonb`, so a NUL anywhere a request carries
//! text — a path segment, a query parameter, a JSON string or object key — is refused
//! here, once, with a 422 problem naming the field, instead of failing deep in a query.
//! JSON bodies must be UTF-8 (a `charset` other than `utf-8` is 415). Where the JSON body
//! is optional (a cancel's reason), a request with no body and no `Content-Type` is read
//! as having none. Answers of 405
//! carry `Allow`, listing the methods the route does serve.

use std::fmt::Write as _;
use std::sync::Arc;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use serde_json::Value;

use crate::error::{Problem, problem_for};

/// The API's routes, from the spec's paths, to name path parameters and list methods.
pub(crate) struct RouteTable(Vec<Route>);

struct Route {
    segments: Vec<Segment>,
    /// Each method served, and what request body it takes.
    methods: Vec<(Method, Body)>,
}

/// What request body an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// None, or one that is not JSON (e.g. an artifact's bytes).
    Other,
    /// A JSON body, required.
    Json,
    /// A JSON body the client may leave out.
    OptionalJson,
}

enum Segment {
    Literal(String),
    Param(String),
}

impl RouteTable {
    /// From the spec's paths (`/v1/workspaces/{ws}`) and each path's methods, each with
    /// the body it takes.
    pub(crate) fn new(paths: impl IntoIterator<Item = (String, Vec<(Method, Body)>)>) -> Self {
        let routes = paths
            .into_iter()
            .map(|(path, methods)| Route {
                segments: path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name.to_owned()),
                            None => Segment::Literal(s.to_owned()),
                        },
                    )
                    .collect(),
                methods,
            })
            .collect();
        Self(routes)
    }

    /// The routes the router picks for a raw request path: of those it matches (a
    /// parameter matches any segment), the most specific, where a literal segment beats a
    /// parameter at the first place they differ (`/runner-jobs/batch` before
    /// `/runner-jobs/{id}`). Several when APIs share a template.
    fn matching(&self, path: &str) -> Vec<&Route> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let candidates: Vec<&Route> =
            self.0
                .iter()
                .filter(|route| {
                    route.segments.len() == segments.len()
                        && route.segments.iter().zip(&segments).all(
                            |(template, raw)| match template {
                                Segment::Literal(l) => l == raw,
                                Segment::Param(_) => true,
                            },
                        )
                })
                .collect();
        let shape = |route: &Route| -> Vec<bool> {
            route
                .segments
                .iter()
                .map(|s| matches!(s, Segment::Literal(_)))
                .collect()
        };
        let Some(best) = candidates.iter().map(|r| shape(r)).max() else {
            return Vec::new();
        };
        candidates
            .into_iter()
            .filter(|route| shape(route) == best)
            .collect()
    }

    /// The name of the path parameter at segment `index` of `path`, when a route says.
    fn param_name(&self, path: &str, index: usize) -> Option<String> {
        self.matching(path)
            .into_iter()
            .find_map(|route| match route.segments.get(index) {
                Some(Segment::Param(name)) => Some(name.clone()),
                _ => None,
            })
    }

    /// Whether `method` at `path` takes a JSON body (an artifact upload, say, does not:
    /// its bytes are stored as they are).
    fn takes_json(&self, path: &str, method: &Method) -> bool {
        self.matching(path)
            .into_iter()
            .flat_map(|route| &route.methods)
            .any(|(m, body)| m == method && *body != Body::Other)
    }

    /// Whether `method` at `path` takes a JSON body the client may leave out.
    fn json_is_optional(&self, path: &str, method: &Method) -> bool {
        self.matching(path)
            .into_iter()
            .flat_map(|route| &route.methods)
            .any(|(m, body)| m == method && *body == Body::OptionalJson)
    }

    /// The methods served at `path`, as an `Allow` value.
    fn allow(&self, path: &str) -> Option<String> {
        let mut methods: Vec<&str> = self
            .matching(path)
            .into_iter()
            .flat_map(|route| route.methods.iter().map(|(m, _)| m.as_str()))
            .collect();
        if methods.is_empty() {
            return None;
        }
        if methods.contains(&"GET") {
            methods.push("HEAD");
        }
        methods.sort_unstable();
        methods.dedup();
        Some(methods.join(", "))
    }
}

fn refuse(status: StatusCode, code: &str, detail: String, field: Option<String>) -> poem::Error {
    let mut problem = Problem::new(status, code, detail);
    problem.field = field;
    poem::Error::from_response(problem.into_http_response())
}

fn nul_in(field: String, place: &str) -> poem::Error {
    refuse(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        format!("{field}: {place} contains U+0000 (NUL), which cannot be stored"),
        Some(field),
    )
}

/// Checks paths, queries and JSON bodies (see the module doc), and adds `Allow` to 405s.
pub(crate) async fn check<E: Endpoint>(
    next: E,
    mut req: Request,
    routes: Arc<RouteTable>,
) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    if let Some(err) = check_path(&routes, &path).or_else(|| check_query(req.uri().query())) {
        return Err(err);
    }
    if content_type(&req).is_none() && routes.json_is_optional(&path, req.method()) {
        let body = req.take_body().into_bytes().await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            // No body at all: the operation's defaults apply, as the spec allows.
            req.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            req.set_body(Vec::new());
        } else {
            req.set_body(body);
        }
    }
    if is_json(&req) && routes.takes_json(&path, req.method()) {
        check_charset(&req)?;
        let body = req.take_body().into_bytes().await?;
        if let Some(field) = nul_in_json(&body) {
            return Err(nul_in(field, "a string or key"));
        }
        req.set_body(body);
    }
    let result = next.call(req).await.map(IntoResponse::into_response);
    let status = match &result {
        Ok(resp) => resp.status(),
        Err(err) => err.status(),
    };
    if status != StatusCode::METHOD_NOT_ALLOWED {
        return result;
    }
    let mut resp = problem_for(StatusCode::METHOD_NOT_ALLOWED, "").into_http_response();
    if let Some(allow) = routes
        .allow(&path)
        .and_then(|a| HeaderValue::from_str(&a).ok())
    {
        resp.headers_mut().insert(header::ALLOW, allow);
    }
    Ok(resp)
}

fn has_encoded_nul(raw: &str) -> bool {
    raw.contains("%00")
}

fn check_path(routes: &RouteTable, path: &str) -> Option<poem::Error> {
    if !has_encoded_nul(path) {
        return None;
    }
    let index = path
        .split('/')
        .filter(|s| !s.is_empty())
        .position(has_encoded_nul)?;
    let field = routes
        .param_name(path, index)
        .unwrap_or_else(|| "path".to_owned());
    Some(nul_in(field, "the path parameter"))
}

fn check_query(query: Option<&str>) -> Option<poem::Error> {
    let query = query.filter(|q| has_encoded_nul(q))?;
    let pair = query.split('&').find(|pair| has_encoded_nul(pair))?;
    let name = pair.split('=').next().unwrap_or_default();
    let field = if has_encoded_nul(name) {
        "query".to_owned()
    } else {
        percent_decode(name)
    };
    Some(nul_in(field, "the query parameter"))
}

/// Decodes `%XX` escapes and `+` of a query parameter's name, for naming it.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| char::from(b).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

fn is_json(req: &Request) -> bool {
    content_type(req).is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/json")
            || essence.to_ascii_lowercase().ends_with("+json")
    })
}

/// JSON is UTF-8 (RFC 8259): a body declared in any other charset is refused, not
/// misread.
fn check_charset(req: &Request) -> poem::Result<()> {
    let Some(ct) = content_type(req) else {
        return Ok(());
    };
    for param in ct.split(';').skip(1) {
        let Some((name, value)) = param.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("charset") {
            continue;
        }
        let value = value.trim().trim_matches('"');
        if !value.eq_ignore_ascii_case("utf-8") && !value.eq_ignore_ascii_case("utf8") {
            return Err(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("JSON bodies must be UTF-8; this one declares charset={value}"),
                None,
            ));
        }
    }
    Ok(())
}

/// Where a JSON body holds a NUL (in a string or an object key), as a field path like
/// `jobs[0].payload.name`; `None` when it holds none or is not JSON at all (the
/// endpoint then says what is wrong with it).
fn nul_in_json(body: &[u8]) -> Option<String> {
    // A NUL can only be written `\u0000` in JSON; most bodies never contain it.
    let escaped_nul = body
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\\' && body[i + 1..].starts_with(b"u0000"));
    if !escaped_nul {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    let mut path = String::new();
    find_nul(&value, &mut path).then(|| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path
        }
    })
}

/// Walks `value`; on finding a NUL, leaves the field's path in `path` and says so.
fn find_nul(value: &Value, path: &mut String) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
            let len = path.len();
            let _ = write!(path, "[{i}]");
            let found = find_nul(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        Value::Object(map) => map.iter().any(|(key, item)| {
            if key.contains('\0') {
                return true;
            }
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = find_nul(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_holding_a_nul() {
        let find = |body: &str| nul_in_json(body.as_bytes());
        assert_eq!(find(r#"{"name": "a\u0000b"}"#).as_deref(), Some("name"));
        assert_eq!(
            find(r#"{"jobs": [{"type": "x"}, {"payload": {"k": ["\u0000"]}}]}"#).as_deref(),
            Some("jobs[1].payload.k[0]")
        );
        assert_eq!(
            find(r#"{"payload": {"a\u0000": 1}}"#).as_deref(),
            Some("payload")
        );
        assert_eq!(find(r#""\u0000""#).as_deref(), Some("body"));
        assert_eq!(find(r#"{"name": "a\\u0000b"}"#), None);
        assert_eq!(find(r#"{"name": "plain"}"#), None);
        assert_eq!(find(r#"{"name": "\u0000"#), None);
    }

    #[test]
    fn names_path_and_query_parameters() {
        let routes = RouteTable::new([
            (
                "/v1/workspaces/{ws}/runner-jobs/{id}/artifacts/{name}".to_owned(),
                vec![(Method::GET, Body::Other)],
            ),
            (
                "/v1/workspaces/{ws}/runner-jobs/{id}".to_owned(),
                vec![(Method::GET, Body::Other)],
            ),
            (
                "/v1/workspaces/{ws}/runner-jobs/batch".to_owned(),
                vec![(Method::POST, Body::Json)],
            ),
        ]);
        let field = |err: poem::Error| {
            let resp = err.into_response();
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
            resp
        };
        assert!(check_path(&routes, "/v1/workspaces/acme/runner-jobs/x").is_none());
        field(check_path(&routes, "/v1/workspaces/a%00/runner-jobs/1/artifacts/n").unwrap());
        assert_eq!(
            routes
                .param_name("/v1/workspaces/a/runner-jobs/1/artifacts/%00", 6)
                .as_deref(),
            Some("name")
        );
        assert_eq!(
            routes
                .param_name("/v1/workspaces/%00/runner-jobs/1/artifacts/n", 2)
                .as_deref(),
            Some("ws")
        );
        assert!(check_query(Some("type=x&limit=5")).is_none());
        field(check_query(Some("limit=5&type=%00")).unwrap());
        assert_eq!(percent_decode("a%5Fb+c"), "a_b c");
        assert_eq!(
            routes
                .allow("/v1/workspaces/a/runner-jobs/1/artifacts/n")
                .as_deref(),
            Some("GET, HEAD")
        );
        assert_eq!(
            routes
                .allow("/v1/workspaces/a/runner-jobs/batch")
                .as_deref(),
            Some("POST")
        );
        assert_eq!(
            routes.allow("/v1/workspaces/a/runner-jobs/x").as_deref(),
            Some("GET, HEAD")
        );
        assert!(routes.takes_json("/v1/workspaces/a/runner-jobs/batch", &Method::POST));
        assert!(!routes.takes_json("/v1/workspaces/a/runner-jobs/x", &Method::GET));
    }
}
