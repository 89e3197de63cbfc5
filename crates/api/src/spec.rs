//! The OpenAPI document as served: what poem-openapi generates, plus the rules of this
//! API it cannot express, so that the spec says what the server does and generators
//! (openapi-typescript, openapi-python-client) build usable clients from it. The rules
//! apply to every operation by what it has, so a new operation follows them without
//! being listed here.
//!
//! - **Optional means nullable.** An optional property is sent as `null` when it has no
//!   value (the problem detail leaves it out instead), and `null` is accepted wherever it
//!   may be left out.
//! - **Request bodies are closed.** Every request body denies unknown fields (a typo is a
//!   400, not silently ignored), so their schemas say `additionalProperties: false`.
//! - **Plain shapes.** A described or nullable reference is a `oneOf` (generators take
//!   `allOf` only of objects), JSON request bodies are `application/json`, a binary
//!   download is `application/octet-stream`.
//! - **Summary and description.** The first sentence of an operation's doc comment is its
//!   summary, the whole comment its description.
//! - **Only the errors it can return**, derived from what the operation has: a parameter
//!   or body (400, 422), a token (401, 500, 503), a workspace and a user token (403), a
//!   path parameter (404), a change (409), a body (413, 415), jobs to enqueue (429).
//! - **Headers**: every answer carries `X-Request-Id`; a `201` carries `Location`; a JSON
//!   `GET` answers with an `ETag` and honours `If-None-Match` with `304`.
//! - **Bounds and examples**: numeric and length bounds the domain enforces are
//!   `minimum`/`maximum`, `minLength`/`maxLength`, `maxItems`; the main schemas carry an
//!   example.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

/// A line for the spec's description, stating the rules above.
pub(crate) const RULES: &str = " An optional field may be `null`, which means the same as \
     leaving it out; responses send `null` for an absent value. Request bodies accept only the \
     fields their schema lists: an unknown field is a 400. Every answer carries an `X-Request-Id` \
     header (the caller's, when it sends a short plain one), also found in problem details and \
     the server's log.";

const SCHEMA_REF: &str = "#/components/schemas/";

/// Schemas that leave an absent optional property out instead of sending `null`
/// (`#[oai(skip_serializing_if_is_none)]`), so that clients may rely on it being absent.
const OMITTED_WHEN_ABSENT: &[&str] = &["Problem"];

/// Applies the rules of the module doc to `raw`, a generated document.
pub(crate) fn finish(raw: &str) -> String {
    let mut spec: Value = serde_json::from_str(raw).expect("the generated spec is JSON");
    let requests = request_schemas(&spec);
    let types = schema_types(&spec);
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            let Some(schema) = schema.as_object_mut() else {
                continue;
            };
            if schema.get("type").and_then(Value::as_str) != Some("object") {
                continue;
            }
            if requests.contains(name) {
                schema.insert("additionalProperties".into(), Value::Bool(false));
            }
            if !OMITTED_WHEN_ABSENT.contains(&name.as_str()) {
                make_optional_nullable(schema);
            }
            plain_references(schema, &types);
        }
        add_bounds(schemas);
        add_examples(schemas);
    }
    spec["components"]["headers"] = shared_headers();
    // Paths are relative to the server the document is served from.
    spec["servers"] = json!([{"url": "/", "description": "The server serving this document"}]);
    if let Some(paths) = spec.pointer_mut("/paths").and_then(Value::as_object_mut) {
        for (path, operations) in paths.iter_mut() {
            let Some(operations) = operations.as_object_mut() else {
                continue;
            };
            for (method, operation) in operations.iter_mut() {
                finish_operation(path, method, operation);
            }
        }
    }
    serde_json::to_string_pretty(&spec).expect("a JSON value serialises")
}

/// The `type` of each named schema (`object`, or `string` for an enum).
fn schema_types(spec: &Value) -> BTreeMap<String, Value> {
    spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| (name.clone(), s["type"].clone()))
        .collect()
}

/// Turns poem's `allOf: [{$ref}, {description}]` (a described reference) and the
/// `allOf: [{$ref}]` of a nullable one into `oneOf` with the description beside it:
/// generators take `allOf` only of objects. A nullable reference is
/// `oneOf: [{$ref}, {type, nullable: true, enum: [null]}]`, the form OpenAPI 3.0 allows
/// (`nullable` needs a `type` beside it) and generators read as "or null".
fn plain_references(schema: &mut Map<String, Value>, types: &BTreeMap<String, Value>) {
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for property in properties.values_mut() {
        let Some(map) = property.as_object_mut() else {
            continue;
        };
        let Some(Value::Array(parts)) = map.remove("allOf") else {
            continue;
        };
        let (mut refs, rest): (Vec<Value>, Vec<Value>) =
            parts.into_iter().partition(|p| p.get("$ref").is_some());
        for extra in rest {
            for (key, value) in extra.as_object().into_iter().flatten() {
                map.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        if map.remove("nullable") == Some(Value::Bool(true)) {
            let target = refs
                .first()
                .and_then(|r| r["$ref"].as_str())
                .and_then(|r| r.strip_prefix(SCHEMA_REF))
                .and_then(|name| types.get(name))
                .cloned()
                .unwrap_or_else(|| Value::String("object".into()));
            refs.push(json!({"type": target, "nullable": true, "enum": [null]}));
        }
        map.insert("oneOf".into(), Value::Array(refs));
    }
}

/// One operation: id check aside, everything the module doc lists for operations.
fn finish_operation(path: &str, method: &str, operation: &mut Value) {
    // No `security` means none: say so, rather than leave it to a default.
    if operation.get("security").is_none() {
        operation["security"] = Value::Array(Vec::new());
    }
    split_summary(operation);
    plain_media_types(operation);
    keep_possible_errors(path, method, operation);
    document_headers(method, operation);
}

/// The first sentence of the doc comment as the summary, the whole as the description.
fn split_summary(operation: &mut Value) {
    let Some(text) = operation.get("summary").and_then(Value::as_str) else {
        return;
    };
    let text = text.replace('\n', " ");
    if operation.get("description").is_none() {
        operation["description"] = Value::String(text.clone());
    }
    operation["summary"] = Value::String(first_sentence(&text).to_owned());
}

/// Up to the first `. ` outside parentheses (so `(e.g. on shutdown)` stays whole),
/// without the full stop.
fn first_sentence(text: &str) -> &str {
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    for (i, byte) in bytes.iter().enumerate() {
        match byte {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'.' if depth == 0 && bytes.get(i + 1).is_none_or(|b| *b == b' ') => {
                return &text[..i];
            }
            _ => {}
        }
    }
    text
}

/// A header name as HTTP documents spell it: `Retry-After`, not poem's `RETRY-AFTER`.
fn header_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let lower = part.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `application/json; charset=utf-8` request bodies as `application/json` (the server
/// takes both); a `*/*` answer (a download of any type) as `application/octet-stream`;
/// no `Content-Type` response header (OpenAPI ignores it; the media type says it).
fn plain_media_types(operation: &mut Value) {
    if let Some(content) = operation
        .pointer_mut("/requestBody/content")
        .and_then(Value::as_object_mut)
        && let Some(media) = content.remove("application/json; charset=utf-8")
    {
        content.insert("application/json".into(), media);
    }
    for response in operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|r| r.values_mut())
    {
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
            && let Some(media) = content.remove("*/*")
        {
            content.insert("application/octet-stream".into(), media);
        }
        if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
            let named = std::mem::take(headers);
            for (name, header) in named {
                if !name.eq_ignore_ascii_case("content-type") {
                    headers.insert(header_case(&name), header);
                }
            }
        }
    }
}

/// The error statuses an operation can answer with, from what it has.
fn possible_errors(path: &str, method: &str, operation: &Value) -> BTreeSet<&'static str> {
    let schemes: Vec<&str> = operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|s| s.keys().map(String::as_str))
        .collect();
    let authenticated = !schemes.is_empty();
    let has_params = operation["parameters"]
        .as_array()
        .is_some_and(|p| !p.is_empty());
    let body = operation.get("requestBody").is_some();
    let body_schema = operation
        .pointer("/requestBody/content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| m.pointer("/schema/$ref"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut errors = BTreeSet::new();
    if has_params || body {
        errors.extend(["400", "422"]);
    }
    if authenticated {
        errors.extend(["401", "500", "503"]);
    }
    if schemes.contains(&"UserToken") && path.contains("{ws}") {
        errors.insert("403");
    }
    if path.contains('{') {
        errors.insert("404");
    }
    if authenticated && method != "get" {
        errors.insert("409");
    }
    if body {
        errors.extend(["413", "415"]);
    }
    // Enqueueing is what a workspace's `max_queued_jobs` limits.
    if body_schema.starts_with(&format!("{SCHEMA_REF}CreateJob")) {
        errors.insert("429");
    }
    errors
}

/// Drops the error responses (4xx, 5xx) the operation cannot answer with.
fn keep_possible_errors(path: &str, method: &str, operation: &mut Value) {
    let possible = possible_errors(path, method, operation);
    let own_503 = operation["security"]
        .as_array()
        .is_none_or(|s| s.is_empty());
    if let Some(responses) = operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        responses.retain(|status, _| {
            !(status.starts_with('4') || status.starts_with('5'))
                || possible.contains(status.as_str())
                || (own_503 && status == "503")
        });
    }
}

/// Shared response headers, referenced from every operation.
fn shared_headers() -> Value {
    json!({
        "X-Request-Id": {
            "description": "The request's id: the caller's `X-Request-Id` when it is short and \
                plain, else a new one. Problem details and the server's log carry it too.",
            "schema": {"type": "string"}
        },
        "ETag": {
            "description": "A strong tag of this answer's body; send it as `If-None-Match` to \
                get `304 Not Modified` while nothing changed.",
            "schema": {"type": "string"}
        }
    })
}

/// `X-Request-Id` on every answer; for a JSON `GET`, `ETag` on its 200, the
/// `If-None-Match` parameter and the `304` answer.
fn document_headers(method: &str, operation: &mut Value) {
    let json_ok = operation
        .pointer("/responses/200/content")
        .and_then(Value::as_object)
        .is_some_and(|c| c.keys().any(|k| k.starts_with("application/json")));
    if method == "get" && json_ok {
        operation["responses"]["200"]["headers"]["ETag"] =
            json!({"$ref": "#/components/headers/ETag"});
        operation["responses"]["304"] = json!({
            "description": "Not Modified: the body would be the one whose `ETag` was sent \
                in `If-None-Match`."
        });
        let parameters = operation
            .as_object_mut()
            .expect("an operation is an object")
            .entry("parameters")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(parameters) = parameters.as_array_mut() {
            parameters.push(json!({
                "name": "If-None-Match",
                "in": "header",
                "required": false,
                "description": "The `ETag` of an answer already held: unchanged, it is \
                    answered with `304` and no body.",
                "schema": {"type": "string"}
            }));
        }
    }
    for response in operation
        .get_mut("responses")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|r| r.values_mut())
    {
        response["headers"]["X-Request-Id"] = json!({"$ref": "#/components/headers/X-Request-Id"});
    }
}

/// Bounds the domain enforces, as schema keywords: `(schema, property, keyword, value)`.
fn bounds() -> Vec<(&'static str, &'static str, &'static str, i64)> {
    use runyard_domain::{Priority, TimeoutSeconds};
    let mut bounds = vec![
        ("CreateJob", "priority", "minimum", i64::from(Priority::MIN)),
        ("CreateJob", "priority", "maximum", i64::from(Priority::MAX)),
        ("CreateJob", "max_attempts", "minimum", 1),
        ("CreateJob", "max_attempts", "maximum", 100),
        ("CreateJob", "backoff_seconds", "minimum", 0),
        ("CreateJob", "backoff_seconds", "maximum", 3600),
        ("CreateJob", "timeout_seconds", "minimum", 1),
        (
            "CreateJob",
            "timeout_seconds",
            "maximum",
            i64::from(TimeoutSeconds::MAX),
        ),
        ("CreateJob", "type", "minLength", 1),
        ("CreateJob", "type", "maxLength", 64),
        ("CreateJob", "labels", "maxItems", 32),
        ("CreateJobBatch", "jobs", "minItems", 1),
        ("CreateJobBatch", "jobs", "maxItems", 1000),
        ("BatchComplete", "jobs", "minItems", 1),
        ("BatchComplete", "jobs", "maxItems", 1000),
        ("LogBatch", "entries", "minItems", 1),
        ("LogBatch", "entries", "maxItems", 5000),
        ("CreateTask", "title", "minLength", 1),
        ("CreateTask", "title", "maxLength", 200),
        ("CreateWorkspace", "slug", "minLength", 3),
        ("CreateWorkspace", "slug", "maxLength", 63),
        ("RegisterRunner", "labels", "maxItems", 32),
    ];
    for (key, min, max) in [
        ("auto_pause_after_seconds", 1, 30 * 24 * 3600),
        ("max_running_jobs", 0, 100_000_000),
        ("max_queued_jobs", 0, 100_000_000),
        ("retention_days", 1, 36_500),
    ] {
        for schema in ["WorkspaceSettings", "WorkspaceSettingsPatch"] {
            bounds.push((schema, key, "minimum", min));
            bounds.push((schema, key, "maximum", max));
        }
    }
    bounds
}

fn add_bounds(schemas: &mut Map<String, Value>) {
    for (schema, property, keyword, value) in bounds() {
        if let Some(target) = schemas
            .get_mut(schema)
            .and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
            .and_then(Value::as_object_mut)
        {
            target.insert(keyword.into(), Value::from(value));
        }
    }
}

/// Examples of the main schemas, as a client would send or receive them.
fn add_examples(schemas: &mut Map<String, Value>) {
    let job_id = "01938a6e-7c1a-7b3e-9f4d-2a1c5e8b9d01";
    let workspace_id = "01938a6d-2f00-7a51-8c3e-5b7d9e0f1a22";
    let examples = [
        (
            "CreateWorkspace",
            json!({"name": "Acme builds", "slug": "acme-builds"}),
        ),
        (
            "Workspace",
            json!({
                "id": workspace_id, "slug": "acme-builds", "name": "Acme builds",
                "settings": {"max_running_jobs": null, "max_queued_jobs": null,
                    "auto_pause_after_seconds": null, "retention_days": null},
                "role": "owner",
                "created_at": "2026-12-03T09:00:00Z", "updated_at": "2026-12-03T09:00:00Z"
            }),
        ),
        (
            "CreateJob",
            json!({
                "type": "build", "payload": {"repo": "acme/web", "ref": "main"},
                "labels": ["linux"], "priority": 10, "max_attempts": 3, "timeout_seconds": 1800
            }),
        ),
        (
            "Job",
            json!({
                "id": job_id, "workspace_id": workspace_id, "type": "build",
                "payload": {"repo": "acme/web", "ref": "main"}, "labels": ["linux"],
                "priority": 10, "status": "QUEUED", "requires_approval": false, "attempt": 0,
                "max_attempts": 3, "run_after": "2026-12-03T09:00:00Z", "timeout_seconds": 1800,
                "backoff_seconds": 10, "created_by": "user:alice",
                "created_at": "2026-12-03T09:00:00Z", "updated_at": "2026-12-03T09:00:00Z"
            }),
        ),
        ("ClaimRequest", json!({"max_jobs": 4, "wait_seconds": 30})),
        (
            "ClaimedJob",
            json!({
                "id": job_id, "workspace_id": workspace_id, "type": "build",
                "payload": {"repo": "acme/web", "ref": "main"}, "labels": ["linux"],
                "priority": 10, "attempt": 1, "max_attempts": 3, "timeout_seconds": 1800,
                "lease_expires_at": "2026-12-03T09:01:00Z", "next_log_seq": 1
            }),
        ),
        (
            "Problem",
            json!({
                "type": "urn:runyard:problem:validation_failed", "title": "Unprocessable Entity",
                "status": 422, "detail": "priority: must be between -100 and 100",
                "code": "validation_failed", "field": "priority"
            }),
        ),
    ];
    for (name, example) in examples {
        if let Some(schema) = schemas.get_mut(name).and_then(Value::as_object_mut) {
            schema.insert("example".into(), example);
        }
    }
}

/// Marks every property not in `required` as nullable.
fn make_optional_nullable(schema: &mut Map<String, Value>) {
    let required: BTreeSet<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, property) in properties.iter_mut() {
        if required.contains(name) {
            continue;
        }
        let Some(map) = property.as_object_mut() else {
            continue;
        };
        if let Some(target) = map.remove("$ref") {
            // OpenAPI 3.0 ignores siblings of `$ref`: wrap it to say nullable.
            map.insert(
                "allOf".into(),
                Value::Array(vec![serde_json::json!({ "$ref": target })]),
            );
            map.insert("nullable".into(), Value::Bool(true));
        } else if map.contains_key("type") || map.contains_key("allOf") {
            map.insert("nullable".into(), Value::Bool(true));
        }
        // No type at all (any JSON value): `null` is already allowed.
    }
}

/// The names of the schemas request bodies use, directly or nested.
fn request_schemas(spec: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<&Value> = Vec::new();
    for operations in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for operation in operations.as_object().into_iter().flat_map(|o| o.values()) {
            for media in operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.values())
            {
                pending.push(&media["schema"]);
            }
        }
    }
    while let Some(schema) = pending.pop() {
        match schema {
            Value::Object(map) => {
                if let Some(name) = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix(SCHEMA_REF))
                    && found.insert(name.to_owned())
                {
                    pending.push(&spec["components"]["schemas"][name]);
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn optional_properties_are_nullable_and_request_bodies_closed() {
        let spec: serde_json::Value = serde_json::from_str(&crate::spec_json()).unwrap();
        let schemas = &spec["components"]["schemas"];
        for (schema, property) in [
            ("WorkspaceSettings", "max_running_jobs"),
            ("ClaimedJob", "agent_task_id"),
            ("JobList", "next_cursor"),
            ("MemberList", "next_cursor"),
        ] {
            assert_eq!(
                schemas[schema]["properties"][property]["nullable"], true,
                "{schema}.{property}"
            );
        }
        assert_eq!(schemas["Job"]["properties"]["id"].get("nullable"), None);
        assert_eq!(
            schemas["Problem"]["properties"]["field"].get("nullable"),
            None
        );
        assert_eq!(
            schemas["Job"]["properties"]["lease"]["oneOf"],
            serde_json::json!([
                {"$ref": "#/components/schemas/Lease"},
                {"type": "object", "nullable": true, "enum": [null]}
            ])
        );
        assert_eq!(
            schemas["AgentTask"]["properties"]["pause_kind"]["oneOf"][1]["type"],
            "string"
        );
        for schema in [
            "CreateJob",
            "CreateJobBatch",
            "AddMember",
            "WorkspaceSettingsPatch",
        ] {
            assert_eq!(schemas[schema]["additionalProperties"], false, "{schema}");
        }
        assert_eq!(schemas["Job"].get("additionalProperties"), None);
    }

    fn spec() -> serde_json::Value {
        serde_json::from_str(&crate::spec_json()).unwrap()
    }

    fn operations(spec: &serde_json::Value) -> Vec<(String, String, &serde_json::Value)> {
        let mut found = Vec::new();
        for (path, operations) in spec["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                found.push((method.clone(), path.clone(), operation));
            }
        }
        found
    }

    /// Generated clients name their functions after `operationId`: every operation needs
    /// a unique camelCase one (`#[oai(operation_id = "verbNoun")]`).
    #[test]
    fn every_operation_has_a_unique_camel_case_operation_id() {
        let spec = spec();
        let mut seen = std::collections::BTreeSet::new();
        for (method, path, operation) in operations(&spec) {
            let id = operation["operationId"].as_str().unwrap_or_else(|| {
                panic!("{method} {path} has no operationId: add operation_id to its #[oai(..)]")
            });
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{method} {path}: operationId {id:?} is not camelCase"
            );
            assert!(
                seen.insert(id.to_owned()),
                "operationId {id:?} is used twice"
            );
            let summary = operation["summary"].as_str().unwrap_or_default();
            assert!(
                !summary.is_empty() && !summary.ends_with('.'),
                "{method} {path}: summary {summary:?}"
            );
            assert!(operation["description"].is_string(), "{method} {path}");
        }
    }

    #[test]
    fn operations_list_only_the_errors_they_can_return() {
        let spec = spec();
        let statuses = |id: &str| -> Vec<String> {
            let (_, _, operation) = operations(&spec)
                .into_iter()
                .find(|(_, _, o)| o["operationId"] == id)
                .unwrap();
            operation["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(statuses("getLiveness"), ["200", "304"]);
        assert_eq!(
            statuses("listWorkspaces"),
            ["200", "304", "401", "500", "503"]
        );
        assert_eq!(
            statuses("cancelJob"),
            [
                "200", "400", "401", "403", "404", "409", "413", "415", "422", "500", "503"
            ]
        );
        assert_eq!(
            statuses("claimJobs"),
            [
                "200", "400", "401", "409", "413", "415", "422", "500", "503"
            ]
        );
        assert!(statuses("createJob").contains(&"429".to_owned()));
        assert!(statuses("createJobBatch").contains(&"429".to_owned()));
        assert!(!statuses("createAgentTask").contains(&"429".to_owned()));
    }

    #[test]
    fn shapes_are_plain_for_generators() {
        let spec = spec();
        for (method, path, operation) in operations(&spec) {
            for media in operation["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.keys())
            {
                assert!(
                    media == "application/json" || media == "application/octet-stream",
                    "{method} {path} takes {media}"
                );
            }
            for (status, response) in operation["responses"].as_object().unwrap() {
                assert!(
                    response["headers"]["X-Request-Id"].is_object(),
                    "{method} {path} {status}"
                );
                if status == "201" {
                    assert!(
                        response["headers"]["Location"].is_object()
                            // Many jobs, or a command (known by its job and seq): no
                            // one URL of their own.
                            || operation["operationId"] == "createJobBatch"
                            || operation["operationId"] == "sendJobCommand",
                        "{method} {path}: a 201 names its resource in Location"
                    );
                }
            }
        }
        let schemas = &spec["components"]["schemas"];
        for (name, schema) in schemas.as_object().unwrap() {
            for (property, value) in schema["properties"].as_object().into_iter().flatten() {
                assert!(value.get("allOf").is_none(), "{name}.{property} uses allOf");
                if let Some(parts) = value["oneOf"].as_array() {
                    assert!(parts[0]["$ref"].is_string(), "{name}.{property}");
                    assert!(
                        value.get("nullable").is_none(),
                        "{name}.{property}: nullable goes on the null member"
                    );
                }
            }
        }
        assert_eq!(
            schemas["Workspace"]["properties"]["role"]["oneOf"][0]["$ref"],
            "#/components/schemas/Role"
        );
        assert_eq!(
            schemas["CreateJob"]["properties"]["priority"]["minimum"],
            -100
        );
        assert_eq!(
            schemas["WorkspaceSettingsPatch"]["properties"]["retention_days"]["maximum"],
            36_500
        );
        for name in ["Job", "CreateJob", "Workspace", "ClaimedJob", "Problem"] {
            assert!(
                schemas[name]["example"].is_object(),
                "{name} has an example"
            );
        }
    }
}
