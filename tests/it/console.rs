//! The web console: `/` serves its page, and the page's script and styles are served
//! from `/assets/` with the right types, as the files committed in `console/dist`.

use runyard_testkit::{Client, TestServer};

fn committed(name: &str) -> Vec<u8> {
    let path = format!("{}/../console/dist/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// The `./assets/...` URLs an attribute (`src=` or `href=`) of the page names.
fn asset_links(html: &str, attribute: &str) -> Vec<String> {
    html.split(&format!("{attribute}=\""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|url| url.starts_with("./assets/"))
        .map(|url| url.trim_start_matches('.').to_owned())
        .collect()
}

#[tokio::test]
async fn the_root_serves_the_console_page_with_its_script_and_styles() {
    let server = TestServer::start().await;
    let anon = server.anonymous();

    let page = anon.get("/").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type, "text/html; charset=utf-8");
    assert_eq!(page.headers["cache-control"], "no-cache");
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert_eq!(page.text.as_bytes(), committed("index.html"));
    assert!(page.text.contains(r#"<div id="app">"#));

    let scripts = asset_links(&page.text, "src");
    let styles = asset_links(&page.text, "href");
    assert_eq!(scripts, ["/assets/app.js"]);
    assert_eq!(styles, ["/assets/app.css"]);
    for (url, content_type) in [
        (&scripts[0], "text/javascript; charset=utf-8"),
        (&styles[0], "text/css; charset=utf-8"),
    ] {
        let asset = anon.get(url).await;
        assert_eq!(asset.status, 200, "{url}");
        assert_eq!(asset.content_type, content_type, "{url}");
        assert_eq!(asset.headers["cache-control"], "no-cache", "{url}");
        assert!(!asset.text.is_empty(), "{url}");
        assert_eq!(
            asset.text.as_bytes(),
            committed(url.trim_start_matches('/'))
        );
    }
}

#[tokio::test]
async fn console_files_revalidate_by_etag() {
    let server = TestServer::start().await;
    let anon = server.anonymous();
    for url in ["/", "/assets/app.js", "/assets/app.css"] {
        let first = anon.get(url).await;
        let etag = first.headers["etag"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "{url}: {etag}"
        );
        let again = Client::send(
            anon.request(reqwest::Method::GET, url)
                .header("If-None-Match", &etag),
        )
        .await;
        assert_eq!(again.status, 304, "{url}");
        assert!(again.text.is_empty(), "{url}");
        let stale = Client::send(
            anon.request(reqwest::Method::GET, url)
                .header("If-None-Match", "\"something-else\""),
        )
        .await;
        assert_eq!(stale.status, 200, "{url}");
    }
}

#[tokio::test]
async fn the_console_leaves_the_api_and_its_spec_alone() {
    let server = TestServer::start().await;
    let anon = server.anonymous();
    // Only GET and HEAD of `/` are the page; anything else under it is the API's.
    anon.post("/", serde_json::json!({}))
        .await
        .expect_problem(404, "not_found");
    anon.get("/assets/missing.js")
        .await
        .expect_problem(404, "not_found");
    anon.get("/v1/workspaces")
        .await
        .expect_problem(401, "unauthorized");
    let spec = anon.get("/openapi.json").await;
    let paths = spec.expect(200)["paths"].as_object().unwrap();
    assert!(
        paths.keys().all(|p| p != "/" && !p.starts_with("/assets")),
        "the console is not part of the API's spec"
    );
}
