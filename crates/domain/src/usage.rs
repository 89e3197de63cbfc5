//! Model calls and usage: exact amounts of money, a call's outcome, and how usage is
//! grouped.

use std::fmt;

use crate::str_enum::str_enum;
use crate::validate::ValidationError;

/// An amount of US dollars, exact: a non-negative decimal written as digits with an
/// optional fraction (`"0.004250"`, `"12"`), at most 12 digits before the point and 12
/// after. Floats, exponents, signs and blanks are refused, so the database stores what
/// the client meant to the last digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UsdAmount(String);

impl UsdAmount {
    pub const MAX_INTEGER_DIGITS: usize = 12;
    pub const MAX_FRACTION_DIGITS: usize = 12;

    /// Parses `raw` as the value of `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let err = || {
            ValidationError::new(
                field,
                "must be a decimal string of US dollars such as \"0.004250\": digits, an \
                 optional '.' and up to 12 decimals, no sign or exponent",
            )
        };
        let (int, frac) = match raw.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (raw, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return Err(err());
        }
        if int.len() > 1 && int.starts_with('0') {
            return Err(ValidationError::new(field, "must not have leading zeros"));
        }
        if int.len() > Self::MAX_INTEGER_DIGITS {
            return Err(ValidationError::new(
                field,
                "must be below 1000000000000 (12 digits before the point)",
            ));
        }
        if frac.is_some_and(|f| f.len() > Self::MAX_FRACTION_DIGITS) {
            return Err(ValidationError::new(
                field,
                "must have at most 12 digits after the point",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UsdAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

str_enum!(
    /// How a model call ended.
    pub enum AiCallStatus {
        Ok = "ok",
        Error = "error",
    }
);

str_enum!(
    /// What the workspace usage roll-up groups by.
    pub enum UsageGroupBy {
        Model = "model",
        Provider = "provider",
        /// The job's type.
        JobType = "type",
        /// The job's agent task (jobs of no task form one group).
        Task = "task",
        /// The UTC day the call started (`YYYY-MM-DD`).
        Day = "day",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_plain_decimal_strings() {
        for ok in ["0", "0.004250", "12", "12.5", "999999999999.999999999999"] {
            assert_eq!(UsdAmount::parse("cost_usd", ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            ".5",
            "5.",
            "-1",
            "+1",
            "1e3",
            "0x10",
            "1,5",
            " 1",
            "NaN",
            "inf",
            "007",
            "1.0000000000001",
            "1000000000000",
        ] {
            let e = UsdAmount::parse("cost_usd", bad).unwrap_err();
            assert_eq!(e.field, "cost_usd", "{bad:?}");
        }
    }

    #[test]
    fn group_by_values_are_the_api_spelling() {
        assert_eq!(UsageGroupBy::parse("type"), Some(UsageGroupBy::JobType));
        assert_eq!(UsageGroupBy::parse("Model"), None);
    }
}
