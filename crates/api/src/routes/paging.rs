//! Cursors, page boundaries and list filters shared by the lists.

use base64::Engine;
use uuid::Uuid;

use super::Result;
use crate::error::ApiError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn not_ours(field: &str) -> ApiError {
    ApiError::invalid_field(field, "is not a cursor this list returned")
}

/// A list whose cursor names the last row of a page by its key. The cursor is URL-safe
/// base64 (no padding) of `<list>:<key>`; a list accepts exactly the shape it issues, so
/// a made-up cursor, one of another list or one re-encoded differently is a 422.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum List {
    Jobs,
    Runners,
    Tasks,
    Members,
    Artifacts,
    AiCalls,
}

impl List {
    fn prefix(self) -> &'static str {
        match self {
            Self::Jobs => "jobs",
            Self::Runners => "runners",
            Self::Tasks => "tasks",
            Self::Members => "members",
            Self::Artifacts => "artifacts",
            Self::AiCalls => "ai-calls",
        }
    }

    pub(super) fn encode_id(self, id: Uuid) -> String {
        self.encode_key(&id.simple().to_string())
    }

    pub(super) fn decode_id(self, cursor: &str) -> Result<Uuid> {
        let key = self.decode_key(cursor)?;
        Uuid::try_parse(&key)
            .ok()
            .filter(|id| id.simple().to_string() == key)
            .ok_or_else(|| not_ours("cursor"))
    }

    pub(super) fn encode_key(self, key: &str) -> String {
        B64.encode(format!("{}:{key}", self.prefix()))
    }

    pub(super) fn decode_key(self, cursor: &str) -> Result<String> {
        let bytes = B64.decode(cursor).map_err(|_| not_ours("cursor"))?;
        let text = String::from_utf8(bytes).map_err(|_| not_ours("cursor"))?;
        let key = text
            .strip_prefix(self.prefix())
            .and_then(|rest| rest.strip_prefix(':'))
            .filter(|key| !key.is_empty() && !key.chars().any(char::is_control))
            .ok_or_else(|| not_ours("cursor"))?;
        if self.encode_key(key) != cursor {
            return Err(not_ours("cursor"));
        }
        Ok(key.to_owned())
    }
}

/// A seq cursor (`after_seq`, `next_cursor` of a seq-ordered list, an SSE id): a
/// non-negative decimal number written as the API writes it (no sign, no leading zero).
pub(super) fn parse_seq(field: &str, raw: &str) -> Result<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 0 && seq.to_string() == raw)
        .ok_or_else(|| not_ours(field))
}

/// Where a seq-ordered page starts: `after_seq`, or the `cursor` a previous page returned
/// (the same number, as the API's other lists take it).
pub(super) fn after_seq_or_cursor(after_seq: Option<i64>, cursor: Option<&str>) -> Result<i64> {
    match (after_seq, cursor) {
        (Some(seq), _) => Ok(seq),
        (None, Some(c)) => parse_seq("cursor", c),
        (None, None) => Ok(0),
    }
}

/// The `after_seq` to continue from: the last seq of a full page, none after a short one.
pub(super) fn seq_cursor(count: usize, limit: u64, last_seq: Option<i64>) -> Option<String> {
    (count as u64 == limit)
        .then_some(last_seq)
        .flatten()
        .map(|seq| seq.to_string())
}

/// The items of a comma-separated filter, trimmed, empty ones dropped.
pub(super) fn comma_list(raw: Option<&str>) -> Vec<&str> {
    raw.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_takes_back_only_the_cursors_it_issues() {
        let id = Uuid::now_v7();
        let jobs = List::Jobs.encode_id(id);
        assert_eq!(List::Jobs.decode_id(&jobs).unwrap(), id);
        assert!(List::Runners.decode_id(&jobs).is_err());
        let member = List::Members.encode_key("alice@example.com");
        assert_eq!(
            List::Members.decode_key(&member).unwrap(),
            "alice@example.com"
        );
        assert!(List::Artifacts.decode_key(&member).is_err());
        for foreign in [
            "AAAA",
            "eyJ9",
            "",
            "!!",
            &B64.encode(id.as_bytes()),
            &B64.encode("members:"),
            &B64.encode("members:a\0b"),
            &B64.encode(format!("jobs:{id}")),
            &format!("{member}="),
        ] {
            assert!(List::Members.decode_key(foreign).is_err(), "{foreign:?}");
            assert!(List::Jobs.decode_id(foreign).is_err(), "{foreign:?}");
        }
        assert_eq!(parse_seq("cursor", "42").unwrap(), 42);
        for bad in ["", "-1", "+1", "01", "1.0", "x", "99999999999999999999"] {
            assert!(parse_seq("cursor", bad).is_err(), "{bad:?}");
        }
    }
}
