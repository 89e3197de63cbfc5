//! Directives a script writes to its output as `::runyard::<name> <argument>` lines, and
//! the masking they drive.
//!
//! `::runyard::add-mask VALUE` asks that VALUE never appear in the job's log: from that
//! line on (the directive's own line included) it is replaced by `***`, like the job's
//! secrets and the values under secret-looking keys of its payload.

/// What a line before a script's output is shipped may ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Directive {
    /// Mask this value in all later output.
    AddMask(String),
}

/// The line's directive, when it is one this runner knows (other lines are plain output).
pub fn parse(line: &str) -> Option<Directive> {
    let rest = line.trim_start().strip_prefix("::runyard::")?;
    let (name, argument) = rest.split_once(' ').unwrap_or((rest, ""));
    match name {
        "add-mask" => {
            let value = argument.trim_end_matches(['\r', '\n']);
            (!value.trim().is_empty()).then(|| Directive::AddMask(value.to_owned()))
        }
        _ => None,
    }
}

/// What masked text reads as.
pub const MASK: &str = "***";

/// The values to hide in a job's output. Masking is per line: a value is found wherever it
/// lies within one line, and a value spanning lines is masked line by line.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Longest first, so a value containing another is masked whole.
    values: Vec<String>,
}

impl Masker {
    pub fn new(values: impl IntoIterator<Item = String>) -> Self {
        let mut masker = Self::default();
        for value in values {
            masker.add(&value);
        }
        masker
    }

    /// Masks `value` from now on (each of its lines, when it has several; blank ones are
    /// ignored, since masking every space would hide everything).
    pub fn add(&mut self, value: &str) {
        for part in value.lines() {
            let part = part.trim_end_matches('\r');
            if part.trim().is_empty() || self.values.iter().any(|v| v == part) {
                continue;
            }
            self.values.push(part.to_owned());
        }
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    /// `line` with every masked value replaced by `***`.
    pub fn mask(&self, line: String) -> String {
        let mut line = line;
        for value in &self.values {
            if line.contains(value.as_str()) {
                line = line.replace(value.as_str(), MASK);
            }
        }
        line
    }

    /// Takes in a line of output: follows its directive, if any, and returns it masked.
    pub fn process(&mut self, line: String) -> String {
        if let Some(Directive::AddMask(value)) = parse(&line) {
            self.add(&value);
        }
        self.mask(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_parsed_and_other_lines_are_not() {
        assert_eq!(
            parse("::runyard::add-mask s3cr3t value"),
            Some(Directive::AddMask("s3cr3t value".into()))
        );
        assert_eq!(
            parse("  ::runyard::add-mask x"),
            Some(Directive::AddMask("x".into()))
        );
        assert_eq!(parse("::runyard::add-mask "), None);
        assert_eq!(parse("::runyard::unknown x"), None);
        assert_eq!(parse("echo ::runyard::add-mask"), None);
    }

    #[test]
    fn values_are_masked_from_their_announcement_on() {
        let mut m = Masker::new(["sk-live-1".to_owned(), "  ".to_owned()]);
        assert_eq!(m.process("key=sk-live-1!".into()), "key=***!");
        assert_eq!(m.process("before hunter2".into()), "before hunter2");
        assert_eq!(
            m.process("::runyard::add-mask hunter2".into()),
            "::runyard::add-mask ***"
        );
        assert_eq!(m.process("after hunter2 hunter2".into()), "after *** ***");
    }

    #[test]
    fn longer_values_win_and_multi_line_values_mask_each_line() {
        let mut m = Masker::new(["abc".to_owned(), "abcdef".to_owned()]);
        assert_eq!(m.mask("xabcdefx abc".into()), "x***x ***");
        m.add("line one\nline two\n");
        assert_eq!(m.mask("line two".into()), "***");
    }
}
