//! The OpenAPI document as served: what poem-openapi generates, plus two rules of this
//! API it cannot express, so that the spec says what the server does.
//!
//! - **Optional means nullable.** An optional property is sent as `null` when it has no
//!   value (the problem detail leaves it out instead), and `null` is accepted wherever it
//!   may be left out.
//! - **Request bodies are closed.** Every request body denies unknown fields (a typo is a
//!   400, not silently ignored), so their schemas say `additionalProperties: false`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// A line for the spec's description, stating the rules above.
pub(crate) const RULES: &str = " An optional field may be `null`, which means the same as \
     leaving it out; responses send `null` for an absent value. Request bodies accept only the \
     fields their schema lists: an unknown field is a 400.";

const SCHEMA_REF: &str = "#/components/schemas/";

/// Schemas that leave an absent optional property out instead of sending `null`
/// (`#[oai(skip_serializing_if_is_none)]`), so that clients may rely on it being absent.
const OMITTED_WHEN_ABSENT: &[&str] = &["Problem"];

/// Applies the rules of the module doc to `raw`, a generated document.
pub(crate) fn finish(raw: &str) -> String {
    let mut spec: Value = serde_json::from_str(raw).expect("the generated spec is JSON");
    let requests = request_schemas(&spec);
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
        }
    }
    serde_json::to_string_pretty(&spec).expect("a JSON value serialises")
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
            schemas["Job"]["properties"]["lease"]["allOf"][0]["$ref"],
            "#/components/schemas/Lease"
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
}
