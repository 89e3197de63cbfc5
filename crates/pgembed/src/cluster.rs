//! Creating, starting and stopping a private cluster.
//!
//! A cluster consists of a data directory plus two files next to it, named after it:
//! `<data dir>.password` (the generated superuser password, mode 0600, owned by the invoking
//! user, because the data directory itself is private to PostgreSQL's OS user) and
//! `<data dir>.log` (the server's standard error).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;

use crate::error::IoContext;
use crate::os_user::RunAs;
use crate::watchdog::{Launch, Watchdog};
use crate::{Error, find_bin_dir};

/// The address the server listens on.
const HOST: &str = "127.0.0.1";
/// The superuser role created by `initdb`.
const SUPERUSER: &str = "postgres";
/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many ports are tried when the port is chosen automatically and turns out taken.
const PORT_ATTEMPTS: u32 = 3;
/// Length of generated superuser passwords (alphanumeric, so about 190 bits).
const PASSWORD_LEN: usize = 32;
/// A persistent cluster's log is moved to `<log>.old` on start once it exceeds this size.
const LOG_ROTATE_BYTES: u64 = 10 * 1024 * 1024;
/// How many log lines startup errors include.
const LOG_TAIL_LINES: usize = 40;

/// How to run a cluster; see [`Cluster::start`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterOptions {
    /// The data directory (`PGDATA`) itself. It is created, with its parents, if missing, and
    /// initialised with `initdb` unless it already holds a cluster (`PG_VERSION`).
    pub data_dir: PathBuf,
    /// The TCP port on 127.0.0.1; `None` picks a free one at each start.
    pub port: Option<u16>,
    /// Tune for throw-away use (no fsync, no synchronous commit, no full-page writes) and
    /// remove the data directory and its log file when the cluster stops, even if this
    /// process is killed.
    pub ephemeral: bool,
    /// The password of the `postgres` superuser. `None` generates one at `initdb` and stores
    /// it in `<data_dir>.password` (for persistent clusters; ephemeral ones keep it in
    /// memory), from where later starts read it back. When given, it must be the password
    /// the cluster was (or will be) initialised with; it is not stored.
    pub superuser_password: Option<String>,
    /// Serve TLS (`ssl=on`) with this certificate and key as well as plain connections.
    /// Both are copied into the data directory at each start.
    pub tls: Option<ServerTls>,
}

/// The server certificate (PEM, with any intermediates) and its private key (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTls {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

impl ClusterOptions {
    /// Options for a persistent cluster in `data_dir`, on a free port, with a generated password.
    #[must_use]
    pub fn persistent(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: None,
            ephemeral: false,
            superuser_password: None,
            tls: None,
        }
    }

    /// Options for an ephemeral cluster in a fresh, uniquely named directory under the
    /// system temporary directory (`$TMPDIR` or `/tmp`), on a free port.
    ///
    /// The data directory is `<tmp>/runyard-pg-<pid>-<random>` and its log
    /// `<tmp>/runyard-pg-<pid>-<random>.log`; both are removed when the cluster stops.
    #[must_use]
    pub fn ephemeral_in_temp() -> Self {
        let suffix: u64 = rand::random();
        let name = format!("runyard-pg-{}-{suffix:016x}", std::process::id());
        Self {
            data_dir: std::env::temp_dir().join(name),
            port: None,
            ephemeral: true,
            superuser_password: None,
            tls: None,
        }
    }

    /// Where a generated superuser password is stored: `<data_dir>.password`.
    #[must_use]
    pub fn password_file(&self) -> PathBuf {
        sibling(&self.data_dir, ".password")
    }

    /// Where the server log is written: `<data_dir>.log`.
    #[must_use]
    pub fn log_file(&self) -> PathBuf {
        sibling(&self.data_dir, ".log")
    }
}

/// A running PostgreSQL server on 127.0.0.1, owned by this process.
///
/// The server stops when [`Cluster::stop`] is called, when the value is dropped, and — via
/// the watchdog described in the crate documentation — when this process exits in any way,
/// including `kill -9`.
#[derive(Debug)]
pub struct Cluster {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    log_file: PathBuf,
    port: u16,
    password: String,
    ephemeral: bool,
    postmaster_pid: u32,
    watchdog: Option<Watchdog>,
}

impl Cluster {
    /// Initialises the cluster if needed, starts the server and waits until it accepts
    /// connections (up to 30 s).
    ///
    /// This blocks; from async code, call it inside `spawn_blocking`. When this process is
    /// root, PostgreSQL runs as the OS user `postgres`, which must be able to reach the data
    /// directory.
    ///
    /// # Errors
    ///
    /// See [`Error`]: missing binaries or OS user, an unusable data directory, a failing
    /// `initdb`, or a server that exits or does not become ready (with its log tail).
    pub fn start(opts: ClusterOptions) -> Result<Self, Error> {
        let bin_dir = find_bin_dir()?;
        let run_as = RunAs::detect()?;
        let data_dir = std::path::absolute(&opts.data_dir)
            .context(|| format!("cannot resolve {}", opts.data_dir.display()))?;
        let home = match (data_dir.parent(), data_dir.file_name()) {
            (Some(parent), Some(_)) => parent.to_path_buf(),
            _ => {
                return Err(Error::InvalidDataDir {
                    path: data_dir,
                    reason: "it must be a directory below an existing or creatable parent",
                });
            }
        };
        let opts = ClusterOptions { data_dir, ..opts };
        prepare_data_dir(&opts.data_dir, &run_as)?;
        let needs_init = !opts.data_dir.join("PG_VERSION").exists();
        let password = resolve_password(&opts, needs_init)?;
        let started = (|| {
            if needs_init {
                initdb(&bin_dir, &opts, &run_as, &home, &password)?;
            }
            if let Some(tls) = &opts.tls {
                install_tls(tls, &opts.data_dir, &run_as)?;
            }
            launch(&bin_dir, &opts, &run_as, &home)
        })();
        match started {
            Ok((watchdog, port)) => {
                tracing::info!("PostgreSQL listening on {HOST}:{port}");
                Ok(Self {
                    bin_dir,
                    log_file: opts.log_file(),
                    data_dir: opts.data_dir,
                    port,
                    password,
                    ephemeral: opts.ephemeral,
                    postmaster_pid: watchdog.postmaster_pid(),
                    watchdog: Some(watchdog),
                })
            }
            Err(err) => {
                if opts.ephemeral {
                    remove_ephemeral(&opts.data_dir, &opts.log_file());
                }
                Err(err)
            }
        }
    }

    /// The TCP port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address the server listens on: `127.0.0.1`.
    pub fn host(&self) -> &str {
        HOST
    }

    /// The superuser role: `postgres`.
    pub fn superuser(&self) -> &str {
        SUPERUSER
    }

    /// The superuser's password.
    pub fn superuser_password(&self) -> &str {
        &self.password
    }

    /// A `postgres://user:password@127.0.0.1:port/database` connection URL.
    pub fn url(&self, user: &str, password: &str, database: &str) -> String {
        format!(
            "postgres://{}:{}@{HOST}:{}/{}",
            percent_encode(user),
            percent_encode(password),
            self.port,
            percent_encode(database)
        )
    }

    /// A connection URL for the superuser.
    pub fn superuser_url(&self, database: &str) -> String {
        self.url(SUPERUSER, &self.password, database)
    }

    /// The absolute data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server log file.
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// The directory of the PostgreSQL binaries in use (which also holds `psql` and
    /// `pg_dump` when the client package is installed).
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The postmaster's process id.
    pub fn postmaster_pid(&self) -> u32 {
        self.postmaster_pid
    }

    /// Whether the server is still running (it may have crashed or been killed).
    pub fn is_running(&mut self) -> bool {
        self.watchdog
            .as_mut()
            .is_some_and(|watchdog| matches!(watchdog.try_wait(), Ok(None)))
    }

    /// Shuts the server down ("fast" shutdown: open sessions are disconnected), waits for it
    /// to exit and, for ephemeral clusters, removes the data directory and log file.
    ///
    /// This blocks; from async code, call it inside `spawn_blocking`.
    ///
    /// # Errors
    ///
    /// [`Error::StopTimeout`] if the server had to be killed, [`Error::Io`] if an
    /// ephemeral cluster's files could not be removed.
    pub fn stop(mut self) -> Result<(), Error> {
        self.shutdown()
    }

    /// Stops the server if still running; idempotent.
    fn shutdown(&mut self) -> Result<(), Error> {
        let Some(mut watchdog) = self.watchdog.take() else {
            return Ok(());
        };
        let stopped = watchdog.shutdown();
        match &stopped {
            Ok(status) if status.success() => {
                tracing::info!("PostgreSQL on {HOST}:{} stopped", self.port);
            }
            Ok(status) => tracing::warn!(
                "PostgreSQL on {HOST}:{} exited abnormally ({status}); see {}",
                self.port,
                self.log_file.display()
            ),
            Err(_) => {}
        }
        if self.ephemeral {
            remove_dir_if_exists(&self.data_dir)?;
            remove_file_if_exists(&self.log_file)?;
        }
        stopped.map(drop)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown() {
            tracing::warn!("cannot stop PostgreSQL cleanly: {err}");
        }
    }
}

/// `path` with `suffix` appended to its file name (`/a/pgdata` + `.log` = `/a/pgdata.log`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(OsString::from).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Creates the data directory (mode 0700, owned by PostgreSQL's user) and any missing parents,
/// and checks that PostgreSQL's user can reach it.
fn prepare_data_dir(data_dir: &Path, run_as: &RunAs) -> Result<(), Error> {
    let parent = data_dir.parent().unwrap_or(Path::new("/"));
    create_parents(parent, run_as)?;
    run_as.check_traversable(parent)?;
    match fs::metadata(data_dir) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            match DirBuilder::new().mode(0o700).create(data_dir) {
                Err(err) if err.kind() != io::ErrorKind::AlreadyExists => {
                    return Err(Error::io(
                        format!("cannot create {}", data_dir.display()),
                        err,
                    ));
                }
                _ => {}
            }
            run_as.chown(data_dir)
        }
        Err(err) => Err(Error::io(
            format!("cannot inspect {}", data_dir.display()),
            err,
        )),
        Ok(meta) if !meta.is_dir() => Err(Error::InvalidDataDir {
            path: data_dir.to_path_buf(),
            reason: "it exists and is not a directory",
        }),
        Ok(meta) if meta.uid() == run_as.uid() => Ok(()),
        Ok(meta) => {
            if data_dir.join("PG_VERSION").exists() {
                Err(Error::WrongOwner {
                    data_dir: data_dir.to_path_buf(),
                    owner_uid: meta.uid(),
                    user: run_as.describe(),
                    expected_uid: run_as.uid(),
                })
            } else {
                // Not initialised yet (typically created by hand as root): hand it over.
                run_as.chown(data_dir)
            }
        }
    }
}

/// Creates `dir` and its missing ancestors; as root, makes the new ones world-searchable
/// (0755) regardless of the umask so that PostgreSQL's user can traverse them.
fn create_parents(dir: &Path, run_as: &RunAs) -> Result<(), Error> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|ancestor| !ancestor.exists())
        .collect();
    for ancestor in missing.into_iter().rev() {
        match fs::create_dir(ancestor) {
            Ok(()) => {
                if matches!(run_as, RunAs::Service(_)) {
                    fs::set_permissions(ancestor, fs::Permissions::from_mode(0o755))
                        .context(|| format!("cannot chmod {}", ancestor.display()))?;
                }
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => {
                return Err(Error::io(
                    format!("cannot create {}", ancestor.display()),
                    err,
                ));
            }
        }
    }
    Ok(())
}

/// The superuser password: given, stored, or (for a cluster about to be initialised) generated.
fn resolve_password(opts: &ClusterOptions, needs_init: bool) -> Result<String, Error> {
    if let Some(password) = &opts.superuser_password {
        return Ok(password.clone());
    }
    let file = opts.password_file();
    match fs::read_to_string(&file) {
        Ok(stored) if !stored.trim().is_empty() => return Ok(stored.trim().to_owned()),
        Ok(_) => {}
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(Error::io(format!("cannot read {}", file.display()), err)),
    }
    if !needs_init {
        return Err(Error::PasswordMissing {
            data_dir: opts.data_dir.clone(),
            password_file: file,
        });
    }
    let password: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(PASSWORD_LEN)
        .map(char::from)
        .collect();
    if !opts.ephemeral {
        write_private(&file, &password)?;
    }
    Ok(password)
}

/// Atomically writes `contents` and a newline to `path`, readable only by its owner.
fn write_private(path: &Path, contents: &str) -> Result<(), Error> {
    let tmp = sibling(path, ".tmp");
    let write = || -> io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        // An existing file keeps its mode; make sure it is private.
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
        writeln!(file, "{contents}")?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().context(|| format!("cannot write {}", path.display()))
}

/// Runs `initdb` for `opts.data_dir`.
fn initdb(
    bin_dir: &Path,
    opts: &ClusterOptions,
    run_as: &RunAs,
    home: &Path,
    password: &str,
) -> Result<(), Error> {
    tracing::info!(
        "initialising PostgreSQL cluster at {}",
        opts.data_dir.display()
    );
    // initdb reads the password from a file, which PostgreSQL's user must be able to read.
    let pwfile = sibling(&opts.data_dir, ".initdb-pwfile");
    write_private(&pwfile, password)?;
    let output = run_as.chown(&pwfile).and_then(|()| {
        let mut pwfile_arg = OsString::from("--pwfile=");
        pwfile_arg.push(&pwfile);
        let mut cmd = Command::new(bin_dir.join("initdb"));
        cmd.arg("-D")
            .arg(&opts.data_dir)
            .args([
                "-U",
                SUPERUSER,
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
            ])
            .args(["-E", "UTF8", "--no-locale"])
            .arg(pwfile_arg)
            .stdin(Stdio::null());
        if opts.ephemeral {
            cmd.arg("--no-sync");
        }
        run_as.configure(&mut cmd, home);
        cmd.output()
            .context(|| format!("cannot run {}", bin_dir.join("initdb").display()))
    });
    let _ = fs::remove_file(&pwfile);
    let output = output?;
    if output.status.success() {
        return Ok(());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(Error::InitdbFailed {
        data_dir: opts.data_dir.clone(),
        status: output.status.to_string(),
        output: text.trim_end().to_owned(),
    })
}

/// Copies the certificate and key to `server.crt` and `server.key` in the data directory,
/// private to PostgreSQL's OS user, as the server requires of its key.
fn install_tls(tls: &ServerTls, data_dir: &Path, run_as: &RunAs) -> Result<(), Error> {
    for (from, name) in [
        (&tls.cert_file, "server.crt"),
        (&tls.key_file, "server.key"),
    ] {
        let to = data_dir.join(name);
        let pem = fs::read(from).context(|| format!("cannot read {}", from.display()))?;
        let _ = fs::remove_file(&to);
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&to)
            .and_then(|mut file| file.write_all(&pem))
            .context(|| format!("cannot write {}", to.display()))?;
        run_as.chown(&to)?;
    }
    Ok(())
}

/// Why an attempt to start the server failed.
enum NotReady {
    /// The server could not bind its port; another port may work.
    PortTaken(Error),
    /// Anything else.
    Failed(Error),
}

/// Starts the server under a watchdog, retrying on another port if an automatically chosen
/// one turns out taken, and waits until it accepts connections.
fn launch(
    bin_dir: &Path,
    opts: &ClusterOptions,
    run_as: &RunAs,
    home: &Path,
) -> Result<(Watchdog, u16), Error> {
    let log_path = opts.log_file();
    let attempts = if opts.port.is_some() {
        1
    } else {
        PORT_ATTEMPTS
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let port = match opts.port {
            Some(port) => port,
            None => free_port()?,
        };
        let (log, log_offset) = open_log(&log_path, run_as, opts.ephemeral)?;
        let mut watchdog = Watchdog::spawn(Launch {
            run_as,
            home,
            ephemeral: opts.ephemeral,
            data_dir: &opts.data_dir,
            log_path: &log_path,
            log,
            postgres: &bin_dir.join("postgres"),
            args: postgres_args(opts, port),
        })?;
        match wait_ready(&mut watchdog, &opts.data_dir, port, &log_path, log_offset) {
            Ok(()) => return Ok((watchdog, port)),
            Err(NotReady::PortTaken(err)) if attempt < attempts => {
                tracing::debug!("port {port} was taken, retrying on another one: {err}");
            }
            Err(NotReady::PortTaken(err) | NotReady::Failed(err)) => {
                if let Err(stop_err) = watchdog.shutdown() {
                    tracing::warn!("cannot stop the failed PostgreSQL server: {stop_err}");
                }
                return Err(err);
            }
        }
    }
}

/// The postmaster's command-line arguments.
fn postgres_args(opts: &ClusterOptions, port: u16) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["-D".into(), opts.data_dir.clone().into(), "-p".into()];
    args.push(port.to_string().into());
    let mut settings = vec![
        format!("listen_addresses={HOST}"),
        "unix_socket_directories=".to_owned(),
        "max_connections=200".to_owned(),
    ];
    if opts.tls.is_some() {
        settings.push("ssl=on".to_owned());
    }
    if opts.ephemeral {
        settings.extend(
            [
                "fsync=off",
                "synchronous_commit=off",
                "full_page_writes=off",
            ]
            .map(str::to_owned),
        );
    }
    for setting in settings {
        args.push("-c".into());
        args.push(setting.into());
    }
    args
}

/// A loopback port that is free right now.
fn free_port() -> Result<u16, Error> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .context(|| "cannot find a free TCP port on 127.0.0.1")
}

/// Opens the server log for appending and returns it with its current length, from which
/// this start's output can be read back.
fn open_log(path: &Path, run_as: &RunAs, ephemeral: bool) -> Result<(File, u64), Error> {
    if fs::metadata(path).is_ok_and(|meta| meta.len() > LOG_ROTATE_BYTES) {
        fs::rename(path, sibling(path, ".old"))
            .context(|| format!("cannot rotate {}", path.display()))?;
    }
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .open(path)
        .context(|| format!("cannot open the PostgreSQL log {}", path.display()))?;
    if ephemeral {
        // The watchdog removes it, possibly from a sticky directory such as /tmp.
        run_as.chown(path)?;
    }
    let offset = log
        .metadata()
        .context(|| format!("cannot inspect {}", path.display()))?
        .len();
    Ok((log, offset))
}

/// Waits until the postmaster reports itself ready and accepts TCP connections.
fn wait_ready(
    watchdog: &mut Watchdog,
    data_dir: &Path,
    port: u16,
    log_file: &Path,
    log_offset: u64,
) -> Result<(), NotReady> {
    let deadline = Instant::now() + START_TIMEOUT;
    let pid = watchdog.postmaster_pid();
    loop {
        if let Some(status) = watchdog.try_wait().map_err(NotReady::Failed)? {
            let log_tail = log_tail(log_file, log_offset);
            let port_taken = log_tail.contains("could not bind")
                || log_tail.contains("could not create any TCP/IP sockets");
            let err = Error::StartFailed {
                reason: format!("the server exited ({status})"),
                log_file: log_file.to_path_buf(),
                log_tail,
            };
            return Err(if port_taken {
                NotReady::PortTaken(err)
            } else {
                NotReady::Failed(err)
            });
        }
        if postmaster_ready(data_dir, pid, port) && accepts_connections(port) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(NotReady::Failed(Error::StartTimeout {
                timeout_secs: START_TIMEOUT.as_secs(),
                log_file: log_file.to_path_buf(),
                log_tail: log_tail(log_file, log_offset),
            }));
        }
        thread::sleep(Duration::from_millis(25));
    }
}

/// Whether `postmaster.pid` shows our postmaster, on `port`, in the "ready" state.
///
/// This is immune to another server answering on the same port. If the file cannot be read
/// for lack of permission, readiness is left to the TCP check.
fn postmaster_ready(data_dir: &Path, pid: u32, port: u16) -> bool {
    match fs::read_to_string(data_dir.join("postmaster.pid")) {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            lines.len() >= 8
                && lines[0] == pid.to_string()
                && lines[3] == port.to_string()
                && lines[7] == "ready"
        }
        Err(err) => err.kind() == io::ErrorKind::PermissionDenied,
    }
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
fn accepts_connections(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
}

/// The last lines written to the log after `offset`, for error messages.
fn log_tail(path: &Path, offset: u64) -> String {
    const MAX_BYTES: u64 = 64 * 1024;
    let read = || -> io::Result<String> {
        let mut file = File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(offset.max(len.saturating_sub(MAX_BYTES))))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    };
    match read() {
        Ok(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n");
            if tail.trim().is_empty() {
                "(nothing logged)".to_owned()
            } else {
                tail
            }
        }
        Err(err) => format!("(cannot read the log: {err})"),
    }
}

/// Best-effort removal of an ephemeral cluster's files after a failed start.
fn remove_ephemeral(data_dir: &Path, log_file: &Path) {
    for result in [
        remove_dir_if_exists(data_dir),
        remove_file_if_exists(log_file),
    ] {
        if let Err(err) = result {
            tracing::warn!("{err}");
        }
    }
}

/// Removes a directory tree; missing is fine.
fn remove_dir_if_exists(dir: &Path) -> Result<(), Error> {
    match fs::remove_dir_all(dir) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => {
            Err(Error::io(format!("cannot remove {}", dir.display()), err))
        }
        _ => Ok(()),
    }
}

/// Removes a file; missing is fine.
fn remove_file_if_exists(file: &Path) -> Result<(), Error> {
    match fs::remove_file(file) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => {
            Err(Error::io(format!("cannot remove {}", file.display()), err))
        }
        _ => Ok(()),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, for URL user info and paths.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sibling_appends_to_the_file_name() {
        assert_eq!(
            sibling(Path::new("/a/pgdata"), ".log"),
            Path::new("/a/pgdata.log")
        );
        assert_eq!(
            sibling(Path::new("/a/pg.d"), ".password"),
            Path::new("/a/pg.d.password")
        );
    }

    #[test]
    fn percent_encoding_keeps_unreserved_characters() {
        assert_eq!(percent_encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(percent_encode("p@ss:w/rd é"), "p%40ss%3Aw%2Frd%20%C3%A9");
    }

    #[test]
    fn ephemeral_options_are_unique_temp_dirs() {
        let a = ClusterOptions::ephemeral_in_temp();
        let b = ClusterOptions::ephemeral_in_temp();
        assert!(a.ephemeral && a.port.is_none());
        assert!(a.data_dir.starts_with(std::env::temp_dir()));
        assert_ne!(a.data_dir, b.data_dir);
    }

    #[test]
    fn postgres_args_tune_ephemeral_clusters() {
        let mut opts = ClusterOptions::persistent("/x/data");
        let args = postgres_args(&opts, 5433);
        assert!(args.contains(&"unix_socket_directories=".into()));
        assert!(!args.contains(&"fsync=off".into()));
        opts.ephemeral = true;
        assert!(postgres_args(&opts, 5433).contains(&"fsync=off".into()));
    }
}
