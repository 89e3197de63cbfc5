//! Rendering for people: aligned tables, `key: value` blocks, times, sizes; and pretty
//! JSON for `--json`.

use std::io::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

/// Columns aligned on the widest cell, two spaces apart; the last column is not padded.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| one_line(&c)).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|h| (*h).to_owned()).collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate().take(columns) {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                if i + 1 < columns {
                    let pad = widths[i] - cell.chars().count();
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Prints the table, or `empty` on stderr when it has no rows.
    pub fn print(&self, empty: &str) -> std::io::Result<()> {
        if self.is_empty() {
            eprintln!("{empty}");
            return Ok(());
        }
        std::io::stdout().lock().write_all(self.render().as_bytes())
    }
}

/// `key: value` lines with the values aligned.
#[derive(Default)]
pub struct Fields(Vec<(&'static str, String)>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, key: &'static str, value: impl Into<String>) -> &mut Self {
        self.0.push((key, value.into()));
        self
    }

    pub fn render(&self) -> String {
        let width = self.0.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
        let mut out = String::new();
        for (key, value) in &self.0 {
            let key = format!("{key}:");
            // Multi-line values (pretty JSON) continue under the value column.
            let indent = " ".repeat(width + 1);
            let value = value.replace('\n', &format!("\n{indent}"));
            out.push_str(format!("{key:<width$} {value}").trim_end());
            out.push('\n');
        }
        out
    }

    pub fn print(&self) -> std::io::Result<()> {
        std::io::stdout().lock().write_all(self.render().as_bytes())
    }
}

/// A cell on one line: control characters become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// At most `max` characters, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json(value: &Value) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// Prints a line on stdout.
pub fn say(line: impl std::fmt::Display) -> std::io::Result<()> {
    writeln!(std::io::stdout().lock(), "{line}")
}

/// A timestamp as RFC 3339 in UTC, to the second.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An optional timestamp as RFC 3339, `-` when absent.
pub fn time_opt(t: Option<DateTime<Utc>>) -> String {
    t.map(time).unwrap_or_else(|| "-".into())
}

/// A timestamp relative to now: `12s ago`, `in 5m`; the date past a month.
pub fn ago(t: DateTime<Utc>) -> String {
    ago_from(t, Utc::now())
}

pub fn ago_opt(t: Option<DateTime<Utc>>) -> String {
    t.map(ago).unwrap_or_else(|| "-".into())
}

fn ago_from(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds();
    let span = secs.unsigned_abs();
    let amount = match span {
        0..=1 => return "just now".into(),
        2..=119 => format!("{span}s"),
        120..=7199 => format!("{}m", span / 60),
        7200..=172_799 => format!("{}h", span / 3600),
        172_800..=2_592_000 => format!("{}d", span / 86_400),
        _ => return t.format("%Y-%m-%d").to_string(),
    };
    if secs >= 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// A byte count for people: `512 B`, `1.5 KiB`.
pub fn size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Compact JSON, `-` for null or absent.
pub fn json_inline(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// A list, comma-separated; `-` when empty.
pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(",")
    }
}

pub fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_on_the_widest_cell() {
        let mut t = Table::new(&["ID", "NAME", "NOTE"]);
        t.row(vec!["1".into(), "a much longer name".into(), "x".into()]);
        t.row(vec!["22".into(), "b".into(), "line\nbreak".into()]);
        assert_eq!(
            t.render(),
            "ID  NAME                NOTE\n\
             1   a much longer name  x\n\
             22  b                   line break\n"
        );
    }

    #[test]
    fn fields_align_values_and_indent_continuations() {
        let mut f = Fields::new();
        f.add("id", "1").add("payload", "{\n  \"a\": 1\n}");
        assert_eq!(
            f.render(),
            "id:      1\npayload: {\n           \"a\": 1\n         }\n"
        );
    }

    #[test]
    fn relative_times_pick_a_readable_unit() {
        let now = Utc::now();
        let s = chrono::Duration::seconds;
        assert_eq!(ago_from(now, now), "just now");
        assert_eq!(ago_from(now - s(42), now), "42s ago");
        assert_eq!(ago_from(now - s(600), now), "10m ago");
        assert_eq!(ago_from(now + s(3 * 3600), now), "in 3h");
        assert_eq!(ago_from(now - s(5 * 86_400), now), "5d ago");
        let old = now - s(90 * 86_400);
        assert_eq!(ago_from(old, now), old.format("%Y-%m-%d").to_string());
    }

    #[test]
    fn sizes_and_truncation() {
        assert_eq!(size(10), "10 B");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
