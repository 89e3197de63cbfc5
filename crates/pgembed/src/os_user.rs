//! The OS identity PostgreSQL processes run under.
//!
//! `initdb` and `postgres` refuse to run as root. When this process is root, every
//! PostgreSQL process is therefore started as the unprivileged `postgres` user (looked up
//! in `/etc/passwd`, falling back to `getent`), and files it must own are chowned to it.
//! Otherwise they run as the current user and nothing is chowned.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{MetadataExt, chown};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::Error;
use crate::error::IoContext;

/// The OS user PostgreSQL runs as when this process is root.
pub(crate) const SERVICE_USER: &str = "postgres";

/// Who PostgreSQL processes run as.
#[derive(Debug, Clone)]
pub(crate) enum RunAs {
    /// The current, unprivileged user.
    Current {
        /// The current effective uid.
        uid: u32,
    },
    /// An unprivileged service user, because this process is root.
    Service(ServiceUser),
}

/// An OS account from the password database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceUser {
    pub(crate) name: String,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

impl RunAs {
    /// Decides who PostgreSQL runs as, looking up the service user when root.
    pub(crate) fn detect() -> Result<Self, Error> {
        let uid = current_uid()?;
        if uid != 0 {
            return Ok(Self::Current { uid });
        }
        lookup_user(SERVICE_USER)
            .map(Self::Service)
            .ok_or_else(|| Error::NoServiceUser {
                user: SERVICE_USER.to_owned(),
            })
    }

    /// The uid PostgreSQL processes have.
    pub(crate) fn uid(&self) -> u32 {
        match self {
            Self::Current { uid } => *uid,
            Self::Service(user) => user.uid,
        }
    }

    /// A human-readable name for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Current { uid } => format!("uid {uid}"),
            Self::Service(user) => user.name.clone(),
        }
    }

    /// Makes `cmd` run as this identity, from `/`, with a PostgreSQL-neutral environment.
    ///
    /// All `PG*` variables are removed so that nothing from the caller's environment
    /// (`PGDATA`, `PGPORT`, `PGHOST`, ...) leaks into the cluster, `HOME` is set to `home`
    /// and messages are kept in English (`LC_ALL=C`) so that logs can be matched.
    pub(crate) fn configure(&self, cmd: &mut Command, home: &Path) {
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|key| key.starts_with("PG")) {
                cmd.env_remove(key);
            }
        }
        cmd.env("HOME", home).env("LC_ALL", "C").current_dir("/");
        if let Self::Service(user) = self {
            // std clears supplementary groups when a root process sets a uid.
            cmd.uid(user.uid).gid(user.gid);
        }
    }

    /// Gives `path` to the service user; a no-op when running as the current user.
    pub(crate) fn chown(&self, path: &Path) -> Result<(), Error> {
        match self {
            Self::Current { .. } => Ok(()),
            Self::Service(user) => chown(path, Some(user.uid), Some(user.gid))
                .context(|| format!("cannot chown {} to {}", path.display(), user.name)),
        }
    }

    /// Checks that the service user can enter `dir` and every directory above it.
    ///
    /// Only permission bits are considered (not ACLs), with the user's primary group,
    /// because its supplementary groups are dropped when switching to it.
    pub(crate) fn check_traversable(&self, dir: &Path) -> Result<(), Error> {
        let Self::Service(user) = self else {
            return Ok(());
        };
        let dir = dir
            .canonicalize()
            .context(|| format!("cannot resolve {}", dir.display()))?;
        for ancestor in dir.ancestors() {
            let meta = fs::metadata(ancestor)
                .context(|| format!("cannot inspect {}", ancestor.display()))?;
            let search_bit = if meta.uid() == user.uid {
                0o100
            } else if meta.gid() == user.gid {
                0o010
            } else {
                0o001
            };
            if meta.mode() & search_bit == 0 {
                return Err(Error::NotTraversable {
                    dir: ancestor.to_path_buf(),
                    user: user.name.clone(),
                });
            }
        }
        Ok(())
    }
}

/// The effective uid of this process, from `/proc/self/status` (or `id -u` without procfs).
pub(crate) fn current_uid() -> Result<u32, Error> {
    if let Ok(status) = fs::read_to_string("/proc/self/status") {
        let effective = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .and_then(|uid| uid.parse().ok());
        if let Some(uid) = effective {
            return Ok(uid);
        }
    }
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context(|| "cannot run `id -u`")?;
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|_| {
            Error::io(
                "cannot determine the current uid",
                std::io::Error::other(String::from_utf8_lossy(&output.stderr).into_owned()),
            )
        })
}

/// Looks `name` up in `/etc/passwd`, then through NSS with `getent passwd`.
fn lookup_user(name: &str) -> Option<ServiceUser> {
    if let Ok(passwd) = fs::read_to_string("/etc/passwd")
        && let Some(user) = find_in_passwd(&passwd, name)
    {
        return Some(user);
    }
    let output = Command::new("getent")
        .args([OsStr::new("passwd"), OsStr::new(name)])
        .output()
        .ok()?;
    find_in_passwd(&String::from_utf8_lossy(&output.stdout), name)
}

/// Finds `name` in passwd(5)-formatted text.
fn find_in_passwd(passwd: &str, name: &str) -> Option<ServiceUser> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        if fields.next()? != name {
            return None;
        }
        let _password = fields.next()?;
        let uid = fields.next()?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some(ServiceUser {
            name: name.to_owned(),
            uid,
            gid,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_passwd_lines() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      # comment\n\
                      postgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n";
        assert_eq!(
            find_in_passwd(passwd, "postgres"),
            Some(ServiceUser {
                name: "postgres".into(),
                uid: 101,
                gid: 104
            })
        );
        assert_eq!(find_in_passwd(passwd, "postgre"), None);
        assert_eq!(
            find_in_passwd("postgres:x:bad:1::/:/bin/sh", "postgres"),
            None
        );
    }

    #[test]
    fn detects_current_uid() {
        let expected = Command::new("id").arg("-u").output().expect("run id -u");
        let expected: u32 = String::from_utf8_lossy(&expected.stdout)
            .trim()
            .parse()
            .expect("uid");
        assert_eq!(current_uid().expect("current uid"), expected);
    }
}
