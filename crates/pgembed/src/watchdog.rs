//! The watchdog shell that ties the postmaster's lifetime to this process.
//!
//! The postmaster is not started directly but by a small `sh` script (run as the same OS
//! user as PostgreSQL, in its own process group) whose standard input is a pipe whose only
//! write end this process holds:
//!
//! 1. the script starts the postmaster in the background, with its stdin on `/dev/null` and
//!    its stdout/stderr on the server log, and reports the postmaster's pid on its stdout;
//! 2. a background subshell blocks reading the pipe. It reads end-of-file when
//!    [`Watchdog::shutdown`] closes the write end **or when this process dies for any
//!    reason, including `kill -9`** (the kernel closes its descriptors). It then sends the
//!    postmaster SIGINT, PostgreSQL's "fast shutdown";
//! 3. the main script waits for the postmaster to exit, whether because of that signal or
//!    by itself (a crash, a failed start), and stops the reader;
//! 4. for ephemeral clusters, if the shutdown was requested through the pipe, it finally
//!    removes the data directory and the log file, so that even the clusters of killed test
//!    processes leave nothing behind. A postmaster that exits by itself keeps its data
//!    directory, so that a start can be retried on another port.
//!
//! Being in its own process group, the watchdog and the postmaster do not receive the
//! terminal's Ctrl-C meant for this process: the application can shut down gracefully while
//! its database is still up, and the cluster stops once the application is gone.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::Error;
use crate::error::IoContext;
use crate::os_user::RunAs;

/// The watchdog script; see the module documentation.
///
/// Positional parameters: `$1` is `1` for an ephemeral cluster, `$2` the data directory,
/// `$3` the log file, and the rest the postmaster command line.
const SCRIPT: &str = r#": runyard PostgreSQL watchdog
ephemeral=$1 data=$2 log=$3
shift 3
# Keep the watch pipe on fd 3 only; nothing started below reads it by accident.
exec 3<&0 </dev/null
"$@" >&2 3<&- &
pg=$!
echo "$pg"
exec >/dev/null
(
    while read -r _; do :; done
    # Asked to stop: from here on, finish even when the postmaster exits before we do
    # and the kill below reaches us (it ends only a reader still waiting on the pipe).
    trap '' TERM
    kill -INT "$pg" 2>/dev/null
    exit 0
) <&3 &
reader=$!
exec 3<&-
# Outlive signals aimed at the process group: the pipe is the only way to stop us.
trap '' HUP INT QUIT TERM
wait "$pg"
status=$?
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
requested=$?
if [ "$requested" -eq 0 ] && [ "$ephemeral" = 1 ]; then
    rm -rf -- "$data" "$log"
fi
exit "$status"
"#;

/// How long a fast shutdown may take before escalating to an immediate one.
const FAST_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(60);
/// How long an immediate shutdown may take before killing the postmaster.
const IMMEDIATE_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// A running watchdog shell and the postmaster it supervises.
#[derive(Debug)]
pub(crate) struct Watchdog {
    child: Child,
    /// The write end of the watch pipe; dropping it asks for a fast shutdown.
    pipe: Option<ChildStdin>,
    postmaster_pid: u32,
    run_as: RunAs,
}

/// What the watchdog needs to start a postmaster.
pub(crate) struct Launch<'a> {
    pub(crate) run_as: &'a RunAs,
    pub(crate) home: &'a Path,
    pub(crate) ephemeral: bool,
    pub(crate) data_dir: &'a Path,
    pub(crate) log_path: &'a Path,
    pub(crate) log: File,
    pub(crate) postgres: &'a Path,
    pub(crate) args: Vec<OsString>,
}

impl Watchdog {
    /// Starts the watchdog, which starts the postmaster, and returns once the latter's pid is known.
    pub(crate) fn spawn(launch: Launch<'_>) -> Result<Self, Error> {
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(SCRIPT)
            .arg("runyard-pg-watchdog")
            .arg(if launch.ephemeral { "1" } else { "0" })
            .arg(launch.data_dir)
            .arg(launch.log_path)
            .arg(launch.postgres)
            .args(&launch.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(launch.log)
            .process_group(0);
        launch.run_as.configure(&mut cmd, launch.home);
        let mut child = cmd
            .spawn()
            .context(|| "cannot start the PostgreSQL watchdog shell")?;
        let pipe = child.stdin.take();
        let pid_line = child.stdout.take().map(|stdout| {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        });
        let mut watchdog = Self {
            child,
            pipe,
            postmaster_pid: 0,
            run_as: launch.run_as.clone(),
        };
        let pid = match pid_line {
            Some(Ok(line)) => line
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("unexpected output {line:?}")),
            Some(Err(err)) => Err(err.to_string()),
            None => Err("no stdout".to_owned()),
        };
        match pid {
            Ok(pid) if pid > 0 => {
                watchdog.postmaster_pid = pid;
                Ok(watchdog)
            }
            other => {
                let detail = other.err().unwrap_or_else(|| "pid 0".to_owned());
                // The shell has failed already; reap it.
                let _ = watchdog.shutdown();
                Err(Error::io(
                    "the PostgreSQL watchdog shell did not report the postmaster's pid",
                    std::io::Error::other(detail),
                ))
            }
        }
    }

    /// The postmaster's pid.
    pub(crate) fn postmaster_pid(&self) -> u32 {
        self.postmaster_pid
    }

    /// The watchdog's exit status if it has exited, which means the postmaster has too.
    pub(crate) fn try_wait(&mut self) -> Result<Option<ExitStatus>, Error> {
        self.child
            .try_wait()
            .context(|| "cannot poll the PostgreSQL watchdog")
    }

    /// Asks for a fast shutdown and waits for the postmaster and the watchdog to exit.
    ///
    /// Escalates to an immediate shutdown (SIGQUIT) and then SIGKILL if the server takes
    /// too long, reporting [`Error::StopTimeout`] in that case.
    pub(crate) fn shutdown(&mut self) -> Result<ExitStatus, Error> {
        drop(self.pipe.take());
        if let Some(status) = self.wait_timeout(FAST_SHUTDOWN_TIMEOUT)? {
            return Ok(status);
        }
        tracing::warn!(
            pid = self.postmaster_pid,
            "PostgreSQL fast shutdown timed out, sending SIGQUIT"
        );
        self.signal_postmaster("QUIT");
        if self.wait_timeout(IMMEDIATE_SHUTDOWN_TIMEOUT)?.is_none() {
            self.signal_postmaster("KILL");
            // The shell ignores catchable signals; SIGKILL it too and reap it.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        Err(Error::StopTimeout {
            pid: self.postmaster_pid,
            timeout_secs: (FAST_SHUTDOWN_TIMEOUT + IMMEDIATE_SHUTDOWN_TIMEOUT).as_secs(),
        })
    }

    /// Polls the watchdog for up to `timeout`.
    fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<ExitStatus>, Error> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends `signal` to the postmaster with kill(1), as PostgreSQL's OS user.
    fn signal_postmaster(&self, signal: &str) {
        if self.postmaster_pid == 0 {
            return;
        }
        let mut cmd = Command::new("/bin/sh");
        cmd.args(["-c", r#"kill -s "$1" "$2""#, "kill"])
            .arg(signal)
            .arg(self.postmaster_pid.to_string())
            .stdin(Stdio::null());
        self.run_as.configure(&mut cmd, Path::new("/"));
        if let Err(err) = cmd.status() {
            tracing::warn!(pid = self.postmaster_pid, %err, "cannot signal PostgreSQL");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Runs the watchdog around `sh -c <script>` instead of a postmaster, as the current user.
    fn spawn_fake(dir: &Path, script: &str) -> Watchdog {
        let log_path = dir.with_extension("log");
        let log = File::create(&log_path).expect("create log");
        let uid = crate::os_user::current_uid().expect("current uid");
        Watchdog::spawn(Launch {
            run_as: &RunAs::Current { uid },
            home: Path::new("/"),
            ephemeral: true,
            data_dir: dir,
            log_path: &log_path,
            log,
            postgres: Path::new("/bin/sh"),
            args: vec!["-c".into(), script.into()],
        })
        .expect("spawn watchdog")
    }

    fn scratch_dir(label: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "runyard-pgembed-watchdog-{label}-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        fs::create_dir(&dir).expect("create scratch dir");
        dir
    }

    #[test]
    fn server_exiting_by_itself_keeps_the_data_dir() {
        let dir = scratch_dir("exit");
        let mut watchdog = spawn_fake(&dir, "echo failing >&2; exit 3");
        assert!(watchdog.postmaster_pid() > 0);
        let status = watchdog
            .wait_timeout(Duration::from_secs(10))
            .expect("poll");
        assert_eq!(status.and_then(|status| status.code()), Some(3));
        assert!(
            dir.exists(),
            "a failed start must keep the data dir for a retry"
        );
        let log = fs::read_to_string(dir.with_extension("log")).expect("read log");
        assert_eq!(log.trim(), "failing");
        fs::remove_dir_all(&dir).expect("remove scratch dir");
        fs::remove_file(dir.with_extension("log")).expect("remove log");
    }

    #[test]
    fn closing_the_pipe_signals_the_server_and_cleans_up() {
        // The stand-in must, like the postmaster, catch SIGINT although background jobs
        // start with it ignored; perl can.
        if !crate::bin_dir::is_executable(Path::new("/usr/bin/perl")) {
            return;
        }
        let dir = scratch_dir("eof");
        let mut watchdog = spawn_fake(
            &dir,
            "exec /usr/bin/perl -e '$SIG{INT} = sub { exit 0 }; $| = 1; print qq(ready\\n); sleep 1 while 1'",
        );
        // Shut down only once the stand-in has its handler, however slow the machine is.
        let log = dir.with_extension("log");
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("ready")
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the stand-in never started"
            );
            thread::sleep(Duration::from_millis(20));
        }
        assert!(watchdog.try_wait().expect("poll").is_none());
        let status = watchdog.shutdown().expect("shutdown");
        assert!(status.success(), "{status}");
        assert!(!dir.exists(), "ephemeral data dir must be removed");
        assert!(
            !dir.with_extension("log").exists(),
            "ephemeral log must be removed"
        );
    }
}
