//! Running a `command` job's script: a private working directory, `sh -c` in a process
//! group of its own, killing that whole group, turning output into log lines, and naming
//! how the process ended.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use super::logs::{LogLine, Stream};

/// Longest log entry body, in bytes; longer output without a newline is split.
pub const MAX_LINE_BYTES: usize = 16 * 1024;

/// Environment variables of the runner that a job must not inherit.
const SECRET_ENV: &[&str] = &["RUNYARD_RUNNER_TOKEN"];

/// A fresh directory for one attempt, removed by [`WorkDir::remove`] (or, failing that,
/// when dropped).
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    removed: bool,
}

impl WorkDir {
    /// Creates `<root>/runyard-job-<id>-<attempt>-<unique>`, readable only by us.
    pub fn create(root: &Path, job_id: &str, attempt: u32) -> io::Result<Self> {
        use std::os::unix::fs::DirBuilderExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let safe_id: String = job_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(64)
            .collect();
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = root.join(format!(
            "runyard-job-{safe_id}-{attempt}-{}-{unique}",
            std::process::id()
        ));
        std::fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(Self {
            path,
            removed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the directory and everything in it, off the async threads.
    pub async fn remove(mut self) {
        self.removed = true;
        let path = self.path.clone();
        let result = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&path)).await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) if e.kind() == io::ErrorKind::NotFound => {}
            Ok(Err(e)) => tracing::warn!(
                dir = %self.path.display(), error = %e, "could not remove the work directory"
            ),
            Err(e) => tracing::warn!(error = %e, "removing the work directory did not finish"),
        }
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if !self.removed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// What to run and where.
#[derive(Debug, Clone)]
pub struct ScriptSpec<'a> {
    pub script: &'a str,
    pub env: &'a BTreeMap<String, String>,
    pub job_id: &'a str,
    pub attempt: u32,
    pub dir: &'a Path,
    /// A file holding the snapshot to resume from, named to the script by
    /// `RUNYARD_RESUME_SNAPSHOT`.
    pub resume_snapshot: Option<&'a Path>,
    /// The file commands sent to the job are appended to, one JSON line each, named to
    /// the script by `RUNYARD_COMMANDS`.
    pub commands: Option<&'a Path>,
}

/// A started script: the child (`sh`) and its process group, whose id is the child's pid.
#[derive(Debug)]
pub struct Started {
    pub child: Child,
    pub pgid: u32,
}

/// Starts `sh -c <script>` in `dir`, in a new process group, stdin from /dev/null and
/// stdout/stderr piped. The job's variables are added to ours (minus the runner's
/// token), then `RUNYARD_JOB_ID`, `RUNYARD_ATTEMPT`, `RUNYARD_COMMANDS` and (when
/// resuming) `RUNYARD_RESUME_SNAPSHOT`, which the job cannot override.
pub fn spawn_script(spec: &ScriptSpec<'_>) -> io::Result<Started> {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(spec.script)
        .current_dir(spec.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    for name in SECRET_ENV {
        command.env_remove(name);
    }
    command
        .envs(spec.env)
        .env("RUNYARD_JOB_ID", spec.job_id)
        .env("RUNYARD_ATTEMPT", spec.attempt.to_string());
    command.env_remove("RUNYARD_RESUME_SNAPSHOT");
    if let Some(path) = spec.resume_snapshot {
        command.env("RUNYARD_RESUME_SNAPSHOT", path);
    }
    command.env_remove("RUNYARD_COMMANDS");
    if let Some(path) = spec.commands {
        command.env("RUNYARD_COMMANDS", path);
    }
    let child = command.spawn()?;
    let pgid = child
        .id()
        .ok_or_else(|| io::Error::other("the child exited before its pid was known"))?;
    Ok(Started { child, pgid })
}

/// Sends SIGKILL to every process in group `pgid` (`kill -KILL -- -<pgid>`).
///
/// Returns `Ok(false)` when the group no longer exists.
pub async fn kill_group(pgid: u32) -> io::Result<bool> {
    // `kill -KILL -- -1` would kill everything we may signal; never let 0 or 1 through.
    if pgid <= 1 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to kill process group {pgid}"),
        ));
    }
    let target = format!("-{pgid}");
    let output = match Command::new("kill")
        .args(["-KILL", "--", &target])
        .stdin(Stdio::null())
        .output()
        .await
    {
        Ok(output) => output,
        // No `kill` binary: use the shell's builtin, which takes the same arguments.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            Command::new("sh")
                .args(["-c", "kill -KILL -- \"$1\"", "sh", &target])
                .stdin(Stdio::null())
                .output()
                .await?
        }
        Err(e) => return Err(e),
    };
    if output.status.success() {
        return Ok(true);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No such process") {
        Ok(false)
    } else {
        Err(io::Error::other(format!(
            "kill -KILL -- {target}: {}",
            stderr.trim()
        )))
    }
}

/// How a script ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

impl Exit {
    pub fn from_status(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => Self::Code(code),
            (None, Some(signal)) => Self::Signal(signal),
            // Neither can happen on Unix for a reaped child; report it as a failure.
            (None, None) => Self::Code(-1),
        }
    }

    /// The `fail` error text for an unsuccessful exit.
    pub fn describe(self) -> String {
        match self {
            Self::Code(code) => format!("exit code {code}"),
            Self::Signal(signal) => match signal_name(signal) {
                Some(name) => format!("killed by signal {signal} ({name})"),
                None => format!("killed by signal {signal}"),
            },
        }
    }
}

/// The conventional name of a Linux signal number.
pub fn signal_name(signal: i32) -> Option<&'static str> {
    Some(match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        _ => return None,
    })
}

/// Splits a byte stream into lines: `\n` (and a `\r` before it) ends a line, a line
/// longer than `max_bytes` is cut at a UTF-8 boundary, and invalid UTF-8 is replaced.
#[derive(Debug)]
pub struct LineSplitter {
    buf: Vec<u8>,
    max_bytes: usize,
}

impl LineSplitter {
    pub fn new(max_bytes: usize) -> Self {
        Self {
            buf: Vec::new(),
            max_bytes: max_bytes.max(4),
        }
    }

    /// Adds a chunk of output; returns the lines it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        let mut rest = chunk;
        while let Some(newline) = rest.iter().position(|b| *b == b'\n') {
            self.buf.extend_from_slice(&rest[..newline]);
            rest = &rest[newline + 1..];
            self.split_long(&mut lines);
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            lines.push(text(&self.buf));
            self.buf.clear();
        }
        self.buf.extend_from_slice(rest);
        self.split_long(&mut lines);
        lines
    }

    /// The unterminated last line, if any (at end of output).
    pub fn finish(self) -> Option<String> {
        (!self.buf.is_empty()).then(|| text(&self.buf))
    }

    /// Moves full-length pieces off the front of the buffer while it is too long.
    fn split_long(&mut self, lines: &mut Vec<String>) {
        while self.buf.len() > self.max_bytes {
            let mut cut = self.max_bytes;
            // Back off to the start of a character (continuation bytes are 0b10xxxxxx);
            // give up after 3 bytes, which means the data is not UTF-8 anyway.
            while cut > self.max_bytes - 3 && (self.buf[cut] & 0xC0) == 0x80 {
                cut -= 1;
            }
            if (self.buf[cut] & 0xC0) == 0x80 {
                cut = self.max_bytes;
            }
            let piece: Vec<u8> = self.buf.drain(..cut).collect();
            lines.push(text(&piece));
        }
    }
}

/// Output bytes as log text: invalid UTF-8 and NUL (which PostgreSQL text cannot hold)
/// become U+FFFD.
fn text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text.into_owned()
    }
}

/// Reads `reader` to its end, sending each line to `tx`. Stops early when nobody is
/// listening any more.
pub async fn pump_lines<R: AsyncRead + Unpin>(
    mut reader: R,
    stream: Stream,
    tx: mpsc::Sender<LogLine>,
) {
    let mut splitter = LineSplitter::new(MAX_LINE_BYTES);
    let mut chunk = vec![0u8; 8192];
    loop {
        let n = match reader.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                tracing::warn!(stream = stream.as_str(), error = %e, "reading the job's output failed");
                break;
            }
        };
        for body in splitter.push(&chunk[..n]) {
            if tx.send(LogLine { stream, body }).await.is_err() {
                return;
            }
        }
    }
    if let Some(body) = splitter.finish() {
        let _ = tx.send(LogLine { stream, body }).await;
    }
}

/// The MIME type for an artifact, from its file extension.
pub fn content_type_for(name: &str) -> &'static str {
    let ext = Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("txt" | "log" | "out") => "text/plain; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("ndjson" | "jsonl") => "application/x-ndjson",
        Some("xml") => "application/xml",
        Some("yaml" | "yml") => "application/yaml",
        Some("toml") => "application/toml",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("gz" | "tgz") => "application/gzip",
        Some("tar") => "application/x-tar",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Resolves an artifact path from a job's payload inside its working directory; `None`
/// when it is absolute, empty or climbs out with `..`.
pub fn artifact_path(dir: &Path, relative: &str) -> Option<(PathBuf, String)> {
    use std::path::Component;
    let rel = Path::new(relative);
    if relative.is_empty()
        || !rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let name = rel.file_name()?.to_str()?.to_owned();
    Some((dir.join(rel), name))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn lines_are_split_across_chunks() {
        let mut s = LineSplitter::new(100);
        assert!(s.push(b"hel").is_empty());
        assert_eq!(s.push(b"lo\nwor"), vec!["hello"]);
        assert_eq!(s.push(b"ld\r\n\nlast"), vec!["world", ""]);
        assert_eq!(s.finish().as_deref(), Some("last"));
    }

    #[test]
    fn output_ending_in_a_newline_leaves_nothing_behind() {
        let mut s = LineSplitter::new(100);
        assert_eq!(s.push(b"a\nb\n"), vec!["a", "b"]);
        assert_eq!(s.finish(), None);
    }

    #[test]
    fn long_lines_are_cut_at_character_boundaries() {
        let mut s = LineSplitter::new(4);
        // "abc" + "é" (2 bytes): a cut after 4 bytes would split the "é".
        let lines = s.push("abcédéf\n".as_bytes());
        assert_eq!(lines, vec!["abc", "éd", "éf"]);
        assert!(lines.iter().all(|l| !l.contains('\u{FFFD}')));
        let mut s = LineSplitter::new(4);
        assert_eq!(s.push(b"0123456789"), vec!["0123", "4567"]);
        assert_eq!(s.finish().as_deref(), Some("89"));
    }

    #[test]
    fn invalid_utf8_and_nul_are_replaced_not_dropped() {
        let mut s = LineSplitter::new(100);
        assert_eq!(s.push(b"a\xffb\0c\n"), vec!["a\u{FFFD}b\u{FFFD}c"]);
    }

    #[test]
    fn exits_are_described() {
        assert_eq!(Exit::Code(3).describe(), "exit code 3");
        assert_eq!(Exit::Signal(9).describe(), "killed by signal 9 (SIGKILL)");
        assert_eq!(Exit::Signal(64).describe(), "killed by signal 64");
    }

    #[test]
    fn artifact_paths_stay_inside_the_work_directory() {
        let dir = Path::new("/w");
        assert_eq!(
            artifact_path(dir, "out/report.json"),
            Some((PathBuf::from("/w/out/report.json"), "report.json".into()))
        );
        assert_eq!(
            artifact_path(dir, "./a.txt"),
            Some((PathBuf::from("/w/./a.txt"), "a.txt".into()))
        );
        assert_eq!(artifact_path(dir, "/etc/passwd"), None);
        assert_eq!(artifact_path(dir, "../x"), None);
        assert_eq!(artifact_path(dir, "a/../../x"), None);
        assert_eq!(artifact_path(dir, ""), None);
    }

    #[test]
    fn content_types_come_from_extensions() {
        assert_eq!(content_type_for("r.JSON"), "application/json");
        assert_eq!(content_type_for("build.log"), "text/plain; charset=utf-8");
        assert_eq!(content_type_for("blob"), "application/octet-stream");
        assert_eq!(content_type_for("x.weird"), "application/octet-stream");
    }

    fn alive(pid: u32) -> bool {
        // A zombie still has a /proc entry; it is dead for our purposes.
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
            Err(_) => false,
        }
    }

    fn group_members(pgid: u32) -> Vec<u32> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|stat| {
                        let (_, rest) = stat.rsplit_once(')')?;
                        // Fields after the command: state, ppid, pgrp, ...
                        rest.split_whitespace().nth(2)?.parse::<u32>().ok()
                    })
                    == Some(pgid)
            })
            .filter(|pid| alive(*pid))
            .collect()
    }

    #[tokio::test]
    async fn killing_the_group_kills_background_children_too() {
        let root = std::env::temp_dir();
        let dir = WorkDir::create(&root, "test-kill", 1).expect("work dir");
        let env = BTreeMap::new();
        let Started { mut child, pgid } = spawn_script(&ScriptSpec {
            script: "sleep 60 & sleep 60",
            env: &env,
            job_id: "test-kill",
            attempt: 1,
            dir: dir.path(),
            resume_snapshot: None,
            commands: None,
        })
        .expect("spawn");
        // Wait until sh has started both sleeps.
        let mut members = Vec::new();
        for _ in 0..100 {
            members = group_members(pgid);
            if members.len() >= 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(members.len() >= 3, "group {pgid} has {members:?}");
        assert!(kill_group(pgid).await.expect("kill"));
        let status = tokio::time::timeout(Duration::from_secs(5), child.wait())
            .await
            .expect("sh exits after the kill")
            .expect("wait");
        assert_eq!(Exit::from_status(status), Exit::Signal(9));
        for _ in 0..100 {
            if members.iter().all(|pid| !alive(*pid)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let survivors: Vec<_> = members.iter().filter(|pid| alive(**pid)).collect();
        assert!(survivors.is_empty(), "still alive: {survivors:?}");
        // (A second kill of `pgid` may still "succeed": orphans reparented to a PID 1 that
        // does not reap, as in some containers, stay in the group as zombies.)
        // Above the kernel's largest pid_max, no group can exist.
        assert!(
            !kill_group(4_194_304 + 7)
                .await
                .expect("kill a missing group")
        );
        assert!(kill_group(1).await.is_err() && kill_group(0).await.is_err());
        dir.remove().await;
    }

    #[tokio::test]
    async fn scripts_get_their_environment_and_directory() {
        let root = std::env::temp_dir();
        let dir = WorkDir::create(&root, "test-env", 7).expect("work dir");
        let path = dir.path().to_path_buf();
        let env = BTreeMap::from([
            ("GREETING".to_owned(), "hi".to_owned()),
            ("RUNYARD_JOB_ID".to_owned(), "spoofed".to_owned()),
        ]);
        let Started { mut child, .. } = spawn_script(&ScriptSpec {
            script: "echo \"$GREETING $RUNYARD_JOB_ID $RUNYARD_ATTEMPT $(pwd)\"; \
                     echo \"token=${RUNYARD_RUNNER_TOKEN-unset}\"; echo err >&2; \
                     read x || echo stdin-empty; exit 4",
            env: &env,
            job_id: "job-1",
            attempt: 7,
            dir: &path,
            resume_snapshot: None,
            commands: None,
        })
        .expect("spawn");
        let (tx, mut rx) = mpsc::channel(16);
        let out = tokio::spawn(pump_lines(
            child.stdout.take().expect("stdout"),
            Stream::Stdout,
            tx.clone(),
        ));
        let err = tokio::spawn(pump_lines(
            child.stderr.take().expect("stderr"),
            Stream::Stderr,
            tx,
        ));
        let status = child.wait().await.expect("wait");
        out.await.expect("stdout pump");
        err.await.expect("stderr pump");
        assert_eq!(Exit::from_status(status), Exit::Code(4));
        let mut lines = Vec::new();
        while let Some(line) = rx.recv().await {
            lines.push((line.stream, line.body));
        }
        let canonical = std::fs::canonicalize(&path).expect("canonical");
        assert!(lines.contains(&(
            Stream::Stdout,
            format!("hi job-1 7 {}", canonical.display())
        )));
        assert!(lines.contains(&(Stream::Stdout, "token=unset".to_owned())));
        assert!(lines.contains(&(Stream::Stdout, "stdin-empty".to_owned())));
        assert!(lines.contains(&(Stream::Stderr, "err".to_owned())));
        dir.remove().await;
        assert!(!path.exists());
    }
}
