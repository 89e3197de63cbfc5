//! Locating the PostgreSQL server binaries.
//!
//! Distributions rarely put `initdb` and `postgres` on `$PATH` (Debian keeps them in
//! `/usr/lib/postgresql/<major>/bin`), so after `$PATH` a few well-known per-version
//! locations are searched and the highest version wins.

use std::env;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::Error;

/// Glob-like roots searched after `$PATH`: `(prefix, suffix)` around a version directory.
const VERSIONED_ROOTS: &[(&str, &str, &str)] = &[
    // Debian and Ubuntu: /usr/lib/postgresql/15/bin
    ("/usr/lib/postgresql", "", "bin"),
    // PGDG RPMs: /usr/pgsql-15/bin
    ("/usr", "pgsql-", "bin"),
];

/// Fixed locations searched last.
const FIXED_DIRS: &[&str] = &["/usr/local/pgsql/bin"];

/// Returns the directory holding the `initdb` and `postgres` executables.
///
/// `$PATH` is searched first, then the highest-versioned `/usr/lib/postgresql/*/bin`
/// (Debian, Ubuntu), then `/usr/pgsql-*/bin` (PGDG RPMs) and `/usr/local/pgsql/bin`.
///
/// # Errors
///
/// [`Error::BinariesNotFound`] when no such directory exists.
pub fn find_bin_dir() -> Result<PathBuf, Error> {
    if let Some(path) = env::var_os("PATH")
        && let Some(dir) = env::split_paths(&path).find(|dir| is_server_bin_dir(dir))
    {
        return Ok(resolve_symlinked(dir));
    }
    for &(root, prefix, bin) in VERSIONED_ROOTS {
        if let Some(dir) = highest_versioned(Path::new(root), prefix, bin) {
            return Ok(dir);
        }
    }
    if let Some(dir) = FIXED_DIRS
        .iter()
        .map(PathBuf::from)
        .find(|dir| is_server_bin_dir(dir))
    {
        return Ok(dir);
    }
    let searched = VERSIONED_ROOTS
        .iter()
        .map(|(root, prefix, bin)| format!("{root}/{prefix}*/{bin}"))
        .chain(FIXED_DIRS.iter().map(|dir| (*dir).to_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    Err(Error::BinariesNotFound { searched })
}

/// The installation directory behind `dir` when its `initdb` is a symlink into one (such
/// as `/usr/local/bin/initdb` -> `/usr/lib/postgresql/15/bin/initdb`), so that the other
/// tools of that installation (`pg_ctl`, `psql`, ...) are found next to it.
fn resolve_symlinked(dir: PathBuf) -> PathBuf {
    fs::canonicalize(dir.join("initdb"))
        .ok()
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
        .filter(|real| is_server_bin_dir(real))
        .unwrap_or(dir)
}

/// Whether `dir` holds executable `initdb` and `postgres` files.
fn is_server_bin_dir(dir: &Path) -> bool {
    dir.is_absolute() && is_executable(&dir.join("initdb")) && is_executable(&dir.join("postgres"))
}

/// Whether `path` is a regular file with an execute bit set.
pub(crate) fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Among `root/<prefix><version>/<bin>`, the server binary directory with the highest version.
fn highest_versioned(root: &Path, prefix: &str, bin: &str) -> Option<PathBuf> {
    let entries = fs::read_dir(root).ok()?;
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let version = parse_version(name.to_str()?.strip_prefix(prefix)?)?;
            let dir = entry.path().join(bin);
            is_server_bin_dir(&dir).then_some((version, dir))
        })
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, dir)| dir)
}

/// Parses a version directory name such as `15` or `9.6` into comparable numbers.
fn parse_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(parse_version("10") > parse_version("9.6"));
        assert!(parse_version("15") > parse_version("9"));
        assert_eq!(parse_version("15beta"), None);
    }

    #[test]
    fn finds_installed_binaries() {
        let dir = find_bin_dir().expect("PostgreSQL binaries installed on the test machine");
        assert!(is_executable(&dir.join("initdb")));
        assert!(is_executable(&dir.join("postgres")));
    }
}
