//! Redaction: values under secret-looking keys are replaced before anything is shown to
//! a user. Runners are the only readers of the real values.

use std::sync::{Arc, OnceLock};

use crate::ValidationError;

/// What a redacted value reads as.
pub const REDACTED: &str = "[redacted]";

/// Keys that look secret unless a workspace says otherwise (matched case-insensitively,
/// anywhere in the key).
pub const DEFAULT_REDACT_PATTERN: &str =
    "token|secret|password|passwd|authorization|api[_-]?key|private[_-]?key|credential|cookie";

/// The longest pattern a workspace may set.
pub const MAX_REDACT_PATTERN_CHARS: usize = 1000;

/// Which object keys hold secrets: a case-insensitive regular expression searched in each
/// key. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Redactor {
    keys: Arc<regex::Regex>,
}

impl Redactor {
    /// A redactor for `pattern` (a regular expression, matched case-insensitively
    /// anywhere in a key), or why the pattern is refused.
    pub fn parse(pattern: &str) -> Result<Self, ValidationError> {
        let field = "settings.redact_pattern";
        if pattern.trim().is_empty() {
            return Err(ValidationError::new(field, "must not be blank"));
        }
        if pattern.chars().count() > MAX_REDACT_PATTERN_CHARS {
            return Err(ValidationError::new(
                field,
                format!("must be at most {MAX_REDACT_PATTERN_CHARS} characters"),
            ));
        }
        let keys = regex::RegexBuilder::new(pattern)
            .case_insensitive(true)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| {
                let detail = match e {
                    regex::Error::Syntax(s) => s.lines().last().unwrap_or_default().to_owned(),
                    regex::Error::CompiledTooBig(_) => "is too complex".to_owned(),
                    _ => "is not a valid regular expression".to_owned(),
                };
                ValidationError::new(
                    field,
                    format!("is not a valid regular expression: {detail}"),
                )
            })?;
        if keys.is_match("") {
            return Err(ValidationError::new(
                field,
                "matches every key (it matches the empty string)",
            ));
        }
        Ok(Self {
            keys: Arc::new(keys),
        })
    }

    /// The redactor for `pattern` when set, else the default one.
    pub fn for_pattern(pattern: Option<&str>) -> Self {
        pattern
            .and_then(|p| Self::parse(p).ok())
            .unwrap_or_default()
    }

    /// Whether values under `key` are secret.
    pub fn is_secret_key(&self, key: &str) -> bool {
        self.keys.is_match(key)
    }
}

impl Default for Redactor {
    fn default() -> Self {
        static DEFAULT: OnceLock<Redactor> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                Redactor::parse(DEFAULT_REDACT_PATTERN).expect("the default pattern is valid")
            })
            .clone()
    }
}

/// `value` with every value under a secret-looking key, at any depth (in objects, also
/// inside arrays), replaced by `"[redacted]"`. `null` stays `null`, so "not set" still
/// reads as such.
pub fn redact(value: serde_json::Value, redactor: &Redactor) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if !v.is_null() && redactor.is_secret_key(&k) {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact(v, redactor)
                    };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| redact(v, redactor)).collect())
        }
        other => other,
    }
}

/// Every string value under a secret-looking key in `value` (at any depth), for a runner
/// to mask in its output. Values that are not strings are collected as their JSON text.
pub fn secret_values(value: &serde_json::Value, redactor: &Redactor) -> Vec<String> {
    fn walk(
        value: &serde_json::Value,
        redactor: &Redactor,
        under_secret: bool,
        out: &mut Vec<String>,
    ) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    walk(v, redactor, under_secret || redactor.is_secret_key(k), out);
                }
            }
            Value::Array(items) => {
                for v in items {
                    walk(v, redactor, under_secret, out);
                }
            }
            Value::Null => {}
            Value::String(s) if under_secret => out.push(s.clone()),
            other if under_secret => out.push(other.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, redactor, false, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_keys_are_redacted_at_any_depth() {
        let r = Redactor::default();
        let value = json!({
            "env": {"API_KEY": "sk-1", "Api-Key": "sk-2", "HOME": "/root"},
            "steps": [{"auth": {"Authorization": "Bearer x"}}, {"password": null}],
            "github_token": {"nested": "whole object"},
            "count": 3,
        });
        assert_eq!(
            redact(value, &r),
            json!({
                "env": {"API_KEY": REDACTED, "Api-Key": REDACTED, "HOME": "/root"},
                "steps": [{"auth": {"Authorization": REDACTED}}, {"password": null}],
                "github_token": REDACTED,
                "count": 3,
            })
        );
    }

    #[test]
    fn a_workspace_pattern_replaces_the_default() {
        let r = Redactor::parse("^internal_").unwrap();
        let out = redact(json!({"INTERNAL_url": "x", "password": "p"}), &r);
        assert_eq!(out, json!({"INTERNAL_url": REDACTED, "password": "p"}));
    }

    #[test]
    fn bad_patterns_are_refused_with_a_reason() {
        for bad in ["(", "", "   ", "a|", ".*"] {
            let err = Redactor::parse(bad).unwrap_err();
            assert_eq!(err.field, "settings.redact_pattern", "{bad:?}");
        }
        assert!(Redactor::parse(&"a".repeat(1001)).is_err());
    }

    #[test]
    fn secret_values_lists_what_a_runner_masks() {
        let r = Redactor::default();
        let value = json!({"env": {"TOKEN": "t0k", "PORT": 80}, "db": {"password": 1234}, "list": [{"secret": ["a", "b"]}]});
        let mut found = secret_values(&value, &r);
        found.sort();
        assert_eq!(found, ["1234", "a", "b", "t0k"]);
    }
}
