//! The web console: the files `npm run build` wrote to `console/dist/`, embedded in the
//! binary at compile time and served at `/` (the page) and `/assets/...` (its script and
//! styles). The console routes by URL fragment (`#/w/acme/jobs`), so nothing else is
//! needed on the server. None of this is part of the OpenAPI document.

use std::sync::LazyLock;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response, Route, get, handler};
use sha2::{Digest, Sha256};

/// One embedded file, with the strong ETag of its bytes.
pub(crate) struct Asset {
    bytes: &'static [u8],
    content_type: &'static str,
    etag: LazyLock<String>,
}

macro_rules! asset {
    ($path:literal, $content_type:literal) => {
        Asset {
            bytes: include_bytes!(concat!("../../../console/dist/", $path)),
            content_type: $content_type,
            etag: LazyLock::new(|| {
                tag_of(include_bytes!(concat!("../../../console/dist/", $path)))
            }),
        }
    };
}

fn tag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

pub(crate) static INDEX: Asset = asset!("index.html", "text/html; charset=utf-8");
pub(crate) static SCRIPT: Asset = asset!("assets/app.js", "text/javascript; charset=utf-8");
pub(crate) static STYLES: Asset = asset!("assets/app.css", "text/css; charset=utf-8");

/// What the page may load and talk to: only this origin (and `data:` images, for its
/// inline icon).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'; object-src 'none'";

fn serve(asset: &'static Asset, req: &Request) -> Response {
    let etag = asset.etag.as_str();
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::builder()
            .content_type(asset.content_type)
            .body(asset.bytes)
    };
    let headers = resp.headers_mut();
    // The file names never change, so browsers revalidate (cheaply, by ETag) every time.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if std::ptr::eq(asset, &INDEX) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    resp
}

#[handler]
fn script(req: &Request) -> Response {
    serve(&SCRIPT, req)
}

#[handler]
fn styles(req: &Request) -> Response {
    serve(&STYLES, req)
}

/// Adds the console's assets to `route`.
pub(crate) fn routes(route: Route) -> Route {
    route
        .at("/assets/app.js", get(script))
        .at("/assets/app.css", get(styles))
}

/// Answers `GET /` (and `HEAD /`) with the console's page, and passes anything else on.
/// A middleware rather than a route: the API is nested at `/`, and poem's router gives a
/// nested catch-all precedence over an exact `/`.
pub(crate) async fn index<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let page =
        req.uri().path() == "/" && (req.method() == Method::GET || req.method() == Method::HEAD);
    if page {
        return Ok(serve(&INDEX, &req));
    }
    next.call(req).await.map(IntoResponse::into_response)
}
