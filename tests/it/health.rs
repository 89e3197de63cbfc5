//! Liveness, readiness, the spec and the docs.

use runyard_testkit::TestServer;

#[tokio::test]
async fn healthz_and_readyz_report_status_and_schema_version() {
    let server = TestServer::start().await;
    let anon = server.anonymous();
    assert_eq!(anon.get("/healthz").await.expect(200)["status"], "ok");
    let ready = anon.get("/readyz").await;
    let body = ready.expect(200);
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["schema_version"], runyard_migration_latest());
    assert_eq!(body["schema_version"], body["expected_schema_version"]);
}

fn runyard_migration_latest() -> serde_json::Value {
    // The committed spec's server knows the newest migration; so does this test binary.
    serde_json::Value::String(
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migration/src/sql"))
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".sql").map(str::to_owned))
            .max()
            .unwrap(),
    )
}

#[tokio::test]
async fn the_served_spec_is_the_committed_one_and_docs_are_served() {
    let server = TestServer::start().await;
    let anon = server.anonymous();
    let served = anon.get("/openapi.json").await;
    served.expect(200);
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../openapi/runyard.openapi.json"
        ))
        .unwrap(),
    )
    .unwrap();
    assert!(
        served.body == committed,
        "the served /openapi.json differs from the committed spec: run `cargo xtask openapi`"
    );
    let docs = anon.get("/docs").await;
    assert_eq!(docs.status, 200);
    assert!(
        docs.content_type.starts_with("text/html"),
        "{}",
        docs.content_type
    );
}
