//! Whether a database's applied migrations are the ones this build was made with.

use std::fmt;

use crate::str_enum::str_enum;

str_enum!(
    /// Where one migration stands in a database.
    pub enum MigrationState {
        /// Applied, with the text this build has (or applied before checksums were kept).
        Applied = "applied",
        /// Known to this build, not applied yet.
        Pending = "pending",
        /// Applied, but its text changed since: the recorded checksum differs.
        Changed = "changed",
        /// Applied, but this build does not know it (a newer build migrated the database).
        Unknown = "unknown",
    }
);

/// One migration's state, with both checksums where they exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub name: String,
    pub state: MigrationState,
    /// The checksum recorded when it was applied.
    pub recorded: Option<String>,
    /// The checksum of this build's text.
    pub built: Option<String>,
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sha = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".to_owned());
        match self.state {
            MigrationState::Changed => write!(
                f,
                "migration {} changed since it was applied: recorded sha256 {}, this build's sha256 {}",
                self.name,
                sha(&self.recorded),
                sha(&self.built)
            ),
            MigrationState::Unknown => write!(
                f,
                "migration {} is applied but unknown to this build (recorded sha256 {})",
                self.name,
                sha(&self.recorded)
            ),
            state => write!(f, "migration {} is {state}", self.name),
        }
    }
}

/// Every migration of `built` (name, sha256; oldest first) and every applied one
/// (name, recorded sha256 if any), with its state: this build's in order, then the
/// unknown ones.
pub fn migration_status(
    built: &[(String, String)],
    applied: &[(String, Option<String>)],
) -> Vec<MigrationStatus> {
    let mut out: Vec<MigrationStatus> = built
        .iter()
        .map(|(name, sha)| {
            let found = applied.iter().find(|(n, _)| n == name);
            let (state, recorded) = match found {
                None => (MigrationState::Pending, None),
                Some((_, Some(recorded))) if recorded != sha => {
                    (MigrationState::Changed, Some(recorded.clone()))
                }
                Some((_, recorded)) => (MigrationState::Applied, recorded.clone()),
            };
            MigrationStatus {
                name: name.clone(),
                state,
                recorded,
                built: Some(sha.clone()),
            }
        })
        .collect();
    out.extend(
        applied
            .iter()
            .filter(|(name, _)| !built.iter().any(|(b, _)| b == name))
            .map(|(name, recorded)| MigrationStatus {
                name: name.clone(),
                state: MigrationState::Unknown,
                recorded: recorded.clone(),
                built: None,
            }),
    );
    out
}

/// The applied migrations that stop a server: changed since applied, or unknown.
pub fn migration_drift(
    built: &[(String, String)],
    applied: &[(String, Option<String>)],
) -> Vec<MigrationStatus> {
    migration_status(built, applied)
        .into_iter()
        .filter(|m| matches!(m.state, MigrationState::Changed | MigrationState::Unknown))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_follow_the_recorded_checksums() {
        let built = vec![
            ("m1".to_owned(), "aa".to_owned()),
            ("m2".to_owned(), "bb".to_owned()),
            ("m3".to_owned(), "cc".to_owned()),
            ("m4".to_owned(), "dd".to_owned()),
        ];
        let applied = vec![
            ("m1".to_owned(), Some("aa".to_owned())),
            ("m2".to_owned(), Some("xx".to_owned())),
            ("m3".to_owned(), None),
            ("m9".to_owned(), Some("ff".to_owned())),
        ];
        let states: Vec<_> = migration_status(&built, &applied)
            .into_iter()
            .map(|m| (m.name, m.state))
            .collect();
        use MigrationState::*;
        assert_eq!(
            states,
            [
                ("m1".into(), Applied),
                ("m2".into(), Changed),
                ("m3".into(), Applied),
                ("m4".into(), Pending),
                ("m9".into(), Unknown),
            ]
        );
        let drift = migration_drift(&built, &applied);
        assert_eq!(drift.len(), 2);
        assert_eq!(
            drift[0].to_string(),
            "migration m2 changed since it was applied: recorded sha256 xx, this build's sha256 bb"
        );
        assert!(drift[1].to_string().contains("m9 is applied but unknown"));
    }
}
