//! The crate's error type.
//!
//! Every variant's message is meant to be shown to an operator as-is, so each
//! one says what went wrong and, where possible, what to do about it.

use std::io;
use std::path::PathBuf;

/// Why a cluster could not be found, initialised, started or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No directory holding both `initdb` and `postgres` was found.
    #[error(
        "PostgreSQL server binaries (initdb, postgres) not found on $PATH nor in {searched}: \
         install PostgreSQL server binaries (Debian: apt-get install postgresql) \
         or set DATABASE_URL to use an existing server"
    )]
    BinariesNotFound {
        /// The well-known locations that were searched besides `$PATH`.
        searched: String,
    },

    /// Running as root, but there is no unprivileged `postgres` OS user to run the server as.
    #[error(
        "running as root, but PostgreSQL refuses to run as root and there is no `{user}` OS user \
         to run it as: create one (Debian: apt-get install postgresql, or \
         adduser --system --group {user}), run as a non-root user, or set DATABASE_URL"
    )]
    NoServiceUser {
        /// The user name that was looked up.
        user: String,
    },

    /// Running as root, and a parent of the data directory cannot be entered by the service user.
    #[error(
        "PostgreSQL runs as the OS user `{user}` when started as root, but `{user}` cannot enter \
         {} (it needs execute permission on every parent of the data directory): choose a data \
         directory elsewhere, e.g. RUNYARD_DATA_DIR=/var/lib/runyard, or run `chmod o+x {}`",
        dir.display(), dir.display()
    )]
    NotTraversable {
        /// The first directory on the way to the data directory that the user cannot enter.
        dir: PathBuf,
        /// The OS user PostgreSQL runs as.
        user: String,
    },

    /// An existing cluster's data directory belongs to a different OS user than the one
    /// PostgreSQL would run as.
    #[error(
        "the data directory {} belongs to uid {owner_uid}, but PostgreSQL would run as `{user}` \
         (uid {expected_uid}): run `chown -R {user} {}` or use another data directory",
        data_dir.display(), data_dir.display()
    )]
    WrongOwner {
        /// The data directory.
        data_dir: PathBuf,
        /// Its current owner.
        owner_uid: u32,
        /// The user PostgreSQL runs as.
        user: String,
        /// That user's uid.
        expected_uid: u32,
    },

    /// The data directory path cannot be used (no parent directory or no file name).
    #[error("invalid PostgreSQL data directory {}: {reason}", path.display())]
    InvalidDataDir {
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The cluster exists but its generated superuser password is not stored next to it.
    #[error(
        "the PostgreSQL cluster in {} already exists but its superuser password file {} is \
         missing: restore that file, pass the password explicitly, or remove the data directory \
         to start afresh (this deletes all data)",
        data_dir.display(), password_file.display()
    )]
    PasswordMissing {
        /// The data directory.
        data_dir: PathBuf,
        /// Where the password was expected.
        password_file: PathBuf,
    },

    /// A file-system or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// `initdb` exited unsuccessfully.
    #[error("initdb failed for {} ({status}):\n{output}", data_dir.display())]
    InitdbFailed {
        /// The data directory being initialised.
        data_dir: PathBuf,
        /// How initdb exited.
        status: String,
        /// Its combined standard output and error.
        output: String,
    },

    /// The server exited or misbehaved while starting.
    #[error("PostgreSQL failed to start: {reason}; server log {} ends with:\n{log_tail}", log_file.display())]
    StartFailed {
        /// What went wrong.
        reason: String,
        /// The server log file.
        log_file: PathBuf,
        /// The last lines the server logged during this start.
        log_tail: String,
    },

    /// The server did not become ready in time.
    #[error(
        "PostgreSQL did not accept connections within {timeout_secs} s; server log {} ends with:\n{log_tail}",
        log_file.display()
    )]
    StartTimeout {
        /// The timeout that expired.
        timeout_secs: u64,
        /// The server log file.
        log_file: PathBuf,
        /// The last lines the server logged during this start.
        log_tail: String,
    },

    /// The server did not shut down in time and had to be killed.
    #[error("PostgreSQL (pid {pid}) did not shut down within {timeout_secs} s and was killed")]
    StopTimeout {
        /// The postmaster's pid.
        pid: u32,
        /// The timeout that expired.
        timeout_secs: u64,
    },
}

impl Error {
    /// Wraps an I/O error with a description of what was being attempted.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

/// Adds context to `io::Result`s.
pub(crate) trait IoContext<T> {
    /// Turns an I/O error into [`Error::Io`] with the context produced by `f`.
    fn context<C: Into<String>>(self, f: impl FnOnce() -> C) -> Result<T, Error>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn context<C: Into<String>>(self, f: impl FnOnce() -> C) -> Result<T, Error> {
        self.map_err(|source| Error::io(f(), source))
    }
}
