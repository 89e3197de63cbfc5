//! End-to-end tests with real PostgreSQL processes (no mocks).
//!
//! They need the PostgreSQL server binaries and `psql` (found with `find_bin_dir`), and pass
//! both as root (PostgreSQL then runs as the `postgres` OS user) and as a normal user.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use runyard_pgembed::{Cluster, ClusterOptions, Error, find_bin_dir};

/// Environment variable that turns `orphan_helper` into the helper process of `orphan_safety`.
const HELPER_ENV: &str = "RUNYARD_PGEMBED_ORPHAN_HELPER";

/// Runs one SQL command through `psql` and returns its unaligned, tuples-only output.
fn psql(cluster: &Cluster, sql: &str) -> String {
    let output = Command::new(psql_path(cluster))
        .arg(cluster.superuser_url("postgres"))
        .args(["-X", "-v", "ON_ERROR_STOP=1", "-Atc", sql])
        .env_remove("PGPASSWORD")
        .env_remove("PGSERVICE")
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .expect("run psql");
    assert!(
        output.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8 psql output")
        .trim()
        .to_owned()
}

/// `psql` from the server's installation, or from `$PATH`.
fn psql_path(cluster: &Cluster) -> PathBuf {
    let bundled = cluster.bin_dir().join("psql");
    if bundled.exists() {
        bundled
    } else {
        PathBuf::from("psql")
    }
}

fn accepts_connections(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Polls `condition` for up to `timeout`.
fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    condition()
}

/// A unique scratch directory, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "runyard-pgembed-{label}-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        fs::DirBuilder::new()
            .mode(0o755)
            .create(&dir)
            .expect("create scratch dir");
        Self(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn is_root() -> bool {
    let status = fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

#[test]
fn ephemeral_cluster_serves_queries_and_vanishes_on_stop() {
    let cluster = Cluster::start(ClusterOptions::ephemeral_in_temp()).expect("start cluster");
    let (port, data_dir, log_file) = (
        cluster.port(),
        cluster.data_dir().to_path_buf(),
        cluster.log_file().to_path_buf(),
    );
    assert_eq!(cluster.host(), "127.0.0.1");
    assert_eq!(cluster.superuser(), "postgres");
    assert_eq!(
        cluster.superuser_url("postgres"),
        format!(
            "postgres://postgres:{}@127.0.0.1:{port}/postgres",
            cluster.superuser_password()
        )
    );
    assert!(data_dir.join("PG_VERSION").exists());
    assert_eq!(psql(&cluster, "select 1"), "1");
    assert_eq!(psql(&cluster, "show fsync"), "off");
    assert_eq!(psql(&cluster, "show max_connections"), "200");
    assert_eq!(psql(&cluster, "show server_encoding"), "UTF8");

    cluster.stop().expect("stop cluster");
    assert!(!data_dir.exists(), "{} still exists", data_dir.display());
    assert!(!log_file.exists(), "{} still exists", log_file.display());
    assert!(
        !accepts_connections(port),
        "port {port} still accepts connections"
    );
}

#[test]
fn wrong_password_is_rejected() {
    let cluster = Cluster::start(ClusterOptions::ephemeral_in_temp()).expect("start cluster");
    let output = Command::new(psql_path(&cluster))
        .arg(cluster.url("postgres", "not-the-password", "postgres"))
        .args(["-X", "-Atc", "select 1"])
        .env_remove("PGPASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("run psql");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("password authentication failed"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Dropping stops it as well.
    let (port, data_dir) = (cluster.port(), cluster.data_dir().to_path_buf());
    drop(cluster);
    assert!(!data_dir.exists());
    assert!(!accepts_connections(port));
}

#[test]
fn persistent_cluster_keeps_data_and_password_across_restarts() {
    let scratch = ScratchDir::new("persistent");
    let opts = ClusterOptions::persistent(scratch.0.join("state").join("pgdata"));

    let cluster = Cluster::start(opts.clone()).expect("first start");
    let password = cluster.superuser_password().to_owned();
    let first_port = cluster.port();
    psql(
        &cluster,
        "create table jobs (id int primary key); insert into jobs values (42)",
    );
    cluster.stop().expect("first stop");
    assert!(!accepts_connections(first_port));

    let password_file = opts.password_file();
    assert_eq!(
        fs::read_to_string(&password_file)
            .expect("password file")
            .trim(),
        password
    );
    let mode = fs::metadata(&password_file)
        .expect("password file metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(opts.log_file().exists());

    let cluster = Cluster::start(opts.clone()).expect("second start");
    assert_eq!(cluster.superuser_password(), password);
    assert_eq!(psql(&cluster, "select id from jobs"), "42");
    assert_eq!(psql(&cluster, "show fsync"), "on");
    cluster.stop().expect("second stop");
    assert!(
        opts.data_dir.join("PG_VERSION").exists(),
        "persistent data dir must survive stop"
    );

    // Without the password file, an existing cluster cannot be used.
    fs::remove_file(&password_file).expect("remove password file");
    let err = Cluster::start(opts.clone()).expect_err("start without password");
    assert!(matches!(err, Error::PasswordMissing { .. }), "{err}");
    // ...unless the password is given.
    let cluster = Cluster::start(ClusterOptions {
        superuser_password: Some(password),
        ..opts
    })
    .expect("start with explicit password");
    assert_eq!(psql(&cluster, "select count(*) from jobs"), "1");
}

#[test]
fn fixed_port_conflict_reports_the_log() {
    let first = Cluster::start(ClusterOptions::ephemeral_in_temp()).expect("start first");
    let opts = ClusterOptions {
        port: Some(first.port()),
        ..ClusterOptions::ephemeral_in_temp()
    };
    let data_dir = opts.data_dir.clone();
    let err = Cluster::start(opts).expect_err("second cluster on the same port");
    let message = err.to_string();
    assert!(matches!(err, Error::StartFailed { .. }), "{message}");
    assert!(message.contains("could not bind"), "{message}");
    assert!(
        !data_dir.exists(),
        "failed ephemeral cluster must be cleaned up"
    );
    assert_eq!(psql(&first, "select 2"), "2");
}

#[test]
fn untraversable_parent_is_reported_when_root() {
    if !is_root() {
        return;
    }
    let scratch = ScratchDir::new("private");
    let private = scratch.0.join("private");
    fs::DirBuilder::new()
        .mode(0o700)
        .create(&private)
        .expect("create private dir");
    let err = Cluster::start(ClusterOptions::persistent(private.join("pgdata")))
        .expect_err("start below a private directory");
    match &err {
        Error::NotTraversable { dir, user } => {
            assert_eq!(dir, &private.canonicalize().expect("canonical path"));
            assert_eq!(user, "postgres");
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(err.to_string().contains("RUNYARD_DATA_DIR"), "{err}");
}

#[test]
fn bin_dir_holds_server_binaries() {
    let dir = find_bin_dir().expect("bin dir");
    assert!(dir.join("initdb").exists() && dir.join("postgres").exists());
}

/// The child side of `orphan_safety`: starts an ephemeral cluster, reports it, and waits
/// to be killed.
fn run_orphan_helper() {
    let cluster = Cluster::start(ClusterOptions::ephemeral_in_temp()).expect("start cluster");
    // Bypass libtest's output capture; the line may follow "test orphan_safety ... ".
    let mut stdout = std::io::stdout();
    writeln!(
        stdout,
        "CLUSTER {} {} {}",
        cluster.port(),
        cluster.postmaster_pid(),
        cluster.data_dir().display()
    )
    .and_then(|()| stdout.flush())
    .expect("report cluster");
    thread::sleep(Duration::from_secs(120));
}

/// A process killed with SIGKILL, which runs no destructors, takes its cluster with it.
#[test]
fn orphan_safety() {
    // The test binary re-runs this very test as the process to kill.
    if std::env::var_os(HELPER_ENV).is_some() {
        run_orphan_helper();
        return;
    }
    let mut helper = Command::new(std::env::current_exe().expect("test binary path"))
        .args([
            "--exact",
            "orphan_safety",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn helper");
    let stdout = helper.stdout.take().expect("helper stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.split_once("CLUSTER ").map(|(_, rest)| rest.to_owned()));
    let Some(line) = line else {
        let _ = helper.kill();
        panic!("helper did not report a cluster: {:?}", helper.wait());
    };
    let mut fields = line.split_whitespace();
    let port: u16 = fields
        .next()
        .and_then(|port| port.parse().ok())
        .expect("port");
    let pid: u32 = fields.next().and_then(|pid| pid.parse().ok()).expect("pid");
    let data_dir = PathBuf::from(fields.next().expect("data dir"));
    assert!(accepts_connections(port));
    assert!(process_exists(pid));

    helper.kill().expect("SIGKILL helper");
    helper.wait().expect("reap helper");

    assert!(
        eventually(Duration::from_secs(15), || !process_exists(pid)),
        "postmaster {pid} survived"
    );
    assert!(!accepts_connections(port));
    assert!(
        eventually(Duration::from_secs(5), || !data_dir.exists()),
        "{} was not removed",
        data_dir.display()
    );
}
