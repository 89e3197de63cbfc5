//! The committed OpenAPI document must be the one the code generates.

#[test]
fn committed_spec_is_current() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/runyard.openapi.json"
    );
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = format!("{}\n", runyard_api::spec_json());
    assert!(
        committed == generated,
        "openapi/runyard.openapi.json is stale: run `cargo xtask openapi` and commit the result"
    );
}

#[test]
fn every_error_status_is_a_problem_in_the_spec() {
    let spec: serde_json::Value = serde_json::from_str(&runyard_api::spec_json()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            // Which other errors an operation lists depends on what it has (`spec.rs`).
            if path.starts_with("/v1/") {
                for status in ["401", "500"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') && path.starts_with("/v1/") {
                    assert!(
                        response["content"]
                            .get("application/problem+json")
                            .is_some(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
        }
    }
}
