//! ETags for cheap polling: a `200 application/json` answer to `GET`/`HEAD` carries a
//! strong ETag (a hash of its body) and `Cache-Control: no-cache`; a request whose
//! `If-None-Match` matches gets `304 Not Modified` without a body. Streams
//! (`text/event-stream`), downloads (`Content-Disposition`) and anything not JSON pass
//! through untouched.

use poem::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use sha2::{Digest, Sha256};

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The strong ETag of a body: the first 128 bits of its SHA-256, in hex.
fn tag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` value matches `tag`: `*`, or a list of entity tags
/// compared weakly (`W/"x"` matches `"x"`), as RFC 9110 asks for this header.
fn none_match(if_none_match: &str, tag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

pub(crate) async fn etag<E: Endpoint>(next: E, mut req: Request) -> poem::Result<Response> {
    let head = req.method() == Method::HEAD;
    if !head && req.method() != Method::GET {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let if_none_match = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    // HEAD is answered by GET without the body; the tag must be the GET body's.
    if head {
        req.set_method(Method::GET);
    }
    let mut resp = next.call(req).await?.into_response();
    if resp.status() != StatusCode::OK
        || !is_json(resp.headers())
        || resp.headers().contains_key(header::CONTENT_DISPOSITION)
        || resp.headers().contains_key(header::ETAG)
    {
        if head {
            resp.set_body(());
        }
        return Ok(resp);
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await?;
    let tag = tag_of(&bytes);
    let tag_value = HeaderValue::from_str(&tag).expect("hex in quotes is a header value");
    let no_cache = HeaderValue::from_static("no-cache");
    if !if_none_match.is_empty() && none_match(&if_none_match, &tag) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        let headers = not_modified.headers_mut();
        headers.insert(header::ETAG, tag_value);
        headers.insert(header::CACHE_CONTROL, no_cache);
        for vary in parts.headers.get_all(header::VARY) {
            headers.append(header::VARY, vary.clone());
        }
        return Ok(not_modified);
    }
    parts.headers.insert(header::ETAG, tag_value);
    parts.headers.insert(header::CACHE_CONTROL, no_cache);
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = if head {
        poem::Body::empty()
    } else {
        poem::Body::from(bytes)
    };
    Ok(Response::from_parts(parts, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_a_star() {
        let tag = tag_of(b"{}");
        assert_eq!(tag.len(), 34);
        assert!(none_match(&tag, &tag));
        assert!(none_match(&format!("\"other\", {tag}"), &tag));
        assert!(none_match(&format!("W/{tag}"), &tag));
        assert!(none_match("*", &tag));
        assert!(!none_match("\"other\"", &tag));
        assert!(!none_match(&tag_of(b"[]"), &tag));
    }

    #[test]
    fn only_json_bodies_get_tags() {
        let mut headers = HeaderMap::new();
        for (ct, json) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("Application/JSON", true),
            ("application/problem+json", false),
            ("text/event-stream", false),
            ("text/plain; version=0.0.4", false),
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            assert_eq!(is_json(&headers), json, "{ct}");
        }
    }
}
