//! Newtypes that can only be built by parsing, so a value in hand is a valid value.

use std::fmt;

/// Why an input value was refused: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error reported under `prefix` (e.g. `jobs[3].`), for batch inputs.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}{}", self.field);
        self
    }
}

/// A workspace slug: 3–63 characters of `a-z`, `0-9` and `-`, starting with a letter,
/// not ending with `-`, and never shaped like a UUID (paths accept either).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let err = |m: &str| Err(ValidationError::new("slug", m));
        if !(3..=63).contains(&raw.len()) {
            return err("must be 3 to 63 characters long");
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return err("may contain only lower-case letters, digits and '-'");
        }
        if !raw.as_bytes()[0].is_ascii_lowercase() {
            return err("must start with a lower-case letter");
        }
        if raw.ends_with('-') {
            return err("must not end with '-'");
        }
        if uuid::Uuid::parse_str(raw).is_ok() {
            return err("must not look like a UUID");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A workspace's display name: 1–200 characters, not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceName(String);

impl WorkspaceName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::new("name", "must not be blank"));
        }
        if trimmed.chars().count() > 200 {
            return Err(ValidationError::new(
                "name",
                "must be at most 200 characters long",
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A job type such as `command` or `ai.review`: 1–64 characters of letters, digits and
/// `_ . : -`, starting with a letter or digit. Runners dispatch on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobType(String);

impl JobType {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let err = |m: &str| Err(ValidationError::new("type", m));
        if !(1..=64).contains(&raw.len()) {
            return err("must be 1 to 64 characters long");
        }
        if !raw.as_bytes()[0].is_ascii_alphanumeric() {
            return err("must start with a letter or digit");
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b))
        {
            return err("may contain only letters, digits and '_', '.', ':', '-'");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A step's name as a runner reports it: trimmed, 1–200 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StepName(String);

impl StepName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        if name.is_empty() || name.len() > 200 {
            return Err(ValidationError::new("name", "must be 1 to 200 characters"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An artifact's name, unique per job and part of its download path: 1–255 bytes, not
/// `.` or `..`, without `/` or control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArtifactName(String);

impl ArtifactName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let ok = !raw.is_empty()
            && raw.len() <= 255
            && raw != "."
            && raw != ".."
            && !raw.contains('/')
            && !raw.chars().any(char::is_control);
        if !ok {
            return Err(ValidationError::new(
                "name",
                "must be 1 to 255 characters, without '/' or control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The `Idempotency-Key` of a create: 1–255 bytes, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.is_empty() || raw.len() > 255 || raw.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "Idempotency-Key",
                "must be 1 to 255 printable characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Scheduling priority: higher runs first. `-100..=100`, default 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Priority(i16);

impl Priority {
    pub const MIN: i16 = -100;
    pub const MAX: i16 = 100;

    pub fn new(value: i64) -> Result<Self, ValidationError> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&value) {
            Ok(Self(value as i16))
        } else {
            Err(ValidationError::new(
                "priority",
                format!("must be between {} and {}", Self::MIN, Self::MAX),
            ))
        }
    }

    pub fn get(self) -> i16 {
        self.0
    }
}

/// How many attempts a job gets before it is `FAILED` for good: `1..=100`, default 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaxAttempts(i32);

impl MaxAttempts {
    pub const DEFAULT: Self = Self(3);

    pub fn new(value: i64) -> Result<Self, ValidationError> {
        if (1..=100).contains(&value) {
            Ok(Self(value as i32))
        } else {
            Err(ValidationError::new(
                "max_attempts",
                "must be between 1 and 100",
            ))
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl Default for MaxAttempts {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How long one attempt may run: 1 second to 7 days, default one hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeoutSeconds(i32);

impl TimeoutSeconds {
    pub const DEFAULT: Self = Self(3600);
    pub const MAX: i32 = 7 * 24 * 3600;

    pub fn new(value: i64) -> Result<Self, ValidationError> {
        if (1..=i64::from(Self::MAX)).contains(&value) {
            Ok(Self(value as i32))
        } else {
            Err(ValidationError::new(
                "timeout_seconds",
                format!("must be between 1 and {}", Self::MAX),
            ))
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

impl Default for TimeoutSeconds {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A set of labels (at most 32, each 1–64 characters of letters, digits and
/// `_ . : / = + -`), kept sorted and without duplicates. A job runs only on a runner
/// that has every one of its labels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Labels(Vec<String>);

impl Labels {
    pub const MAX_COUNT: usize = 32;

    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, ValidationError> {
        if raw.len() > Self::MAX_COUNT {
            return Err(ValidationError::new(
                "labels",
                format!("at most {} labels are allowed", Self::MAX_COUNT),
            ));
        }
        let mut labels = Vec::with_capacity(raw.len());
        for (i, label) in raw.iter().enumerate() {
            labels.push(
                Self::parse_one(label.as_ref()).map_err(|e| e.within(&format!("labels[{i}]")))?,
            );
        }
        labels.sort();
        labels.dedup();
        Ok(Self(labels))
    }

    /// One label, as used in a list filter. The error's field is empty so callers can name it.
    pub fn parse_one(label: &str) -> Result<String, ValidationError> {
        if !(1..=64).contains(&label.len()) {
            return Err(ValidationError::new("", "must be 1 to 64 characters long"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.:/=+-".contains(&b))
        {
            return Err(ValidationError::new(
                "",
                "may contain only letters, digits and '_', '.', ':', '/', '=', '+', '-'",
            ));
        }
        Ok(label.to_owned())
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<String> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_accepts_ordinary_names_and_rejects_the_rest() {
        assert!(Slug::parse("acme").is_ok());
        assert!(Slug::parse("acme-ci-2").is_ok());
        for bad in [
            "ab",
            "Acme",
            "1acme",
            "acme-",
            "acme_ci",
            "ac me",
            "abcdef12-1234-1234-1234-123456789abc",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(Slug::parse(&"a".repeat(64)).unwrap_err().field, "slug");
    }

    #[test]
    fn priority_range_is_enforced() {
        assert_eq!(Priority::new(100).unwrap().get(), 100);
        assert_eq!(Priority::new(-100).unwrap().get(), -100);
        assert!(Priority::new(101).is_err());
        assert!(Priority::new(-101).is_err());
        assert!(Priority::new(i64::MAX).is_err());
    }

    #[test]
    fn labels_are_sorted_deduplicated_and_checked() {
        let labels = Labels::parse(&["linux", "gpu", "linux"]).unwrap();
        assert_eq!(labels.as_slice(), ["gpu", "linux"]);
        let err = Labels::parse(&["ok", "not ok"]).unwrap_err();
        assert_eq!(err.field, "labels[1]");
        assert!(Labels::parse(&vec!["x"; 33]).is_err());
        assert!(Labels::parse(&[""]).is_err());
    }

    #[test]
    fn job_type_rules() {
        assert!(JobType::parse("command").is_ok());
        assert!(JobType::parse("ai.review:v2").is_ok());
        assert!(JobType::parse("").is_err());
        assert!(JobType::parse("-x").is_err());
        assert!(JobType::parse("a b").is_err());
    }

    #[test]
    fn numeric_ranges() {
        assert!(MaxAttempts::new(0).is_err());
        assert!(MaxAttempts::new(101).is_err());
        assert_eq!(MaxAttempts::default().get(), 3);
        assert!(TimeoutSeconds::new(0).is_err());
        assert!(TimeoutSeconds::new(i64::from(TimeoutSeconds::MAX) + 1).is_err());
        assert!(WorkspaceName::parse("   ").is_err());
        assert_eq!(WorkspaceName::parse(" Acme ").unwrap().as_str(), "Acme");
    }
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn step_and_artifact_names_and_idempotency_keys_are_parsed() {
        assert_eq!(StepName::parse("  build ").unwrap().as_str(), "build");
        assert!(StepName::parse("   ").is_err());
        assert!(StepName::parse(&"x".repeat(201)).is_err());
        assert_eq!(ArtifactName::parse("out.tar").unwrap().as_str(), "out.tar");
        for bad in ["", ".", "..", "a/b", "a\nb"] {
            assert_eq!(
                ArtifactName::parse(bad).unwrap_err().field,
                "name",
                "{bad:?}"
            );
        }
        assert!(ArtifactName::parse(&"x".repeat(256)).is_err());
        assert_eq!(IdempotencyKey::parse("k-1").unwrap().as_str(), "k-1");
        for bad in [String::new(), "x".repeat(256), "a\tb".to_owned()] {
            assert_eq!(
                IdempotencyKey::parse(&bad).unwrap_err().field,
                "Idempotency-Key"
            );
        }
    }
}
