//! Cursors, page boundaries and list filters shared by the lists.

use base64::Engine;
use uuid::Uuid;

use super::Result;
use crate::error::ApiError;

pub(super) fn encode_cursor(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

pub(super) fn decode_cursor(cursor: &str) -> Result<Uuid> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| Uuid::from_slice(&b).ok())
        .ok_or_else(|| ApiError::invalid_field("cursor", "is not a cursor this API returned"))
}

pub(super) fn encode_text_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

pub(super) fn decode_text_cursor(cursor: &str) -> Result<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::invalid_field("cursor", "is not a cursor this API returned"))
}

/// Where a seq-ordered page starts: `after_seq`, or the `cursor` a previous page returned
/// (the same number, as the API's other lists take it).
pub(super) fn after_seq_or_cursor(after_seq: Option<i64>, cursor: Option<&str>) -> Result<i64> {
    match (after_seq, cursor) {
        (Some(seq), _) => Ok(seq),
        (None, Some(c)) => c
            .parse::<i64>()
            .ok()
            .filter(|seq| *seq >= 0)
            .ok_or_else(|| ApiError::invalid_field("cursor", "is not a cursor this API returned")),
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
