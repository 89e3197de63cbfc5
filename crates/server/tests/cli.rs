//! The client commands as a real process (`runyard workspaces|jobs|runners|login`)
//! against a real server: tables and `--json`, errors and exit codes, the saved profile
//! and its precedence, and job logs paged and followed live (also through a dropped
//! connection).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

/// A private directory for one test's profile and downloads, removed afterwards.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "runyard-cli-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of the binary left behind.
#[derive(Debug)]
struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        self
    }

    #[track_caller]
    fn failed(self, code: i32) -> Self {
        assert_eq!(self.code, code, "expected exit code {code}: {self:#?}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// Runs `runyard` as one user, with a profile file of its own and no RUNYARD_* settings
/// from the environment but the URL and token.
struct Cli {
    url: String,
    token: String,
    dir: TempDir,
}

impl Cli {
    fn new(server: &TestServer, sub: &str) -> Self {
        Self {
            url: server.base_url.clone(),
            token: server.token(sub),
            dir: TempDir::new(),
        }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config.json")
    }

    /// The command, without URL and token.
    fn bare(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_runyard"));
        cmd.args(args)
            .env_remove("RUNYARD_URL")
            .env_remove("RUNYARD_TOKEN")
            .env_remove("RUNYARD_WORKSPACE")
            .env_remove("XDG_CONFIG_HOME")
            .env("RUNYARD_CONFIG", self.config())
            .env("RUNYARD_LOG", "warn")
            .stdin(Stdio::null())
            .kill_on_drop(true);
        cmd
    }

    /// The command, with URL and token in the environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.bare(args);
        cmd.env("RUNYARD_URL", &self.url)
            .env("RUNYARD_TOKEN", &self.token);
        cmd
    }

    async fn run(&self, args: &[&str]) -> Output {
        output(self.command(args)).await
    }
}

async fn output(mut cmd: Command) -> Output {
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("the command finishes within a minute")
        .expect("runyard runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The column at which `needle` starts in `line`, in characters.
fn column(line: &str, needle: &str) -> usize {
    let at = line
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {line:?}"));
    line[..at].chars().count()
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

/// A server with workspace `acme` owned by alice, and a `runyard` that acts as her.
async fn setup() -> (TestServer, Client, Cli) {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let cli = Cli::new(&server, "alice");
    (server, alice, cli)
}

/// Claims `job` with a fresh runner and returns a client holding the runner's token.
async fn claim(alice: &Client, job: &str) -> Client {
    let (_, token) = alice.register_runner("acme", "tester", &[]).await;
    let runner = alice.with_token(&token);
    let claimed = runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await;
    let jobs = claimed.expect(200)["jobs"].as_array().unwrap().clone();
    assert_eq!(jobs.len(), 1, "nothing to claim");
    assert_eq!(jobs[0]["id"], job);
    runner
}

async fn post_logs(runner: &Client, job: &str, entries: &[(i64, &str, String)]) {
    let entries: Vec<Value> = entries
        .iter()
        .map(|(seq, stream, body)| json!({"seq": seq, "stream": stream, "body": body}))
        .collect();
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/logs"),
            json!({"attempt": 1, "entries": entries}),
        )
        .await
        .expect(200);
}

async fn complete(runner: &Client, job: &str) {
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect(200);
}

/// Log lines numbered from `from`: every fourth on stderr, the rest on stdout.
fn numbered(from: i64, count: i64) -> Vec<(i64, &'static str, String)> {
    (from..from + count)
        .map(|seq| {
            if seq % 4 == 0 {
                (seq, "stderr", format!("err {seq}"))
            } else {
                (seq, "stdout", format!("out {seq}"))
            }
        })
        .collect()
}

fn bodies(lines: &[(i64, &str, String)], stream: &str) -> Vec<String> {
    lines
        .iter()
        .filter(|(_, s, _)| *s == stream)
        .map(|(_, _, b)| b.clone())
        .collect()
}

/// The job's stderr lines in what the command printed, without its own notices.
fn job_stderr(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("runyard: "))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn workspaces_are_created_listed_and_shown() {
    let server = TestServer::start().await;
    let cli = Cli::new(&server, "alice");

    let created = cli
        .run(&[
            "workspaces",
            "create",
            "--slug",
            "acme",
            "--name",
            "Acme CI",
        ])
        .await
        .ok();
    assert!(
        created.stdout.starts_with("Created workspace acme ("),
        "{created:?}"
    );
    cli.run(&["workspaces", "create", "--slug", "beta", "--name", "B"])
        .await
        .ok();

    let table = cli.run(&["workspaces", "list"]).await.ok().stdout;
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("SLUG  NAME"), "{table}");
    let acme = line_with(&table, "acme");
    let beta = line_with(&table, "beta");
    for (col, acme_cell, beta_cell) in [("NAME", "Acme CI", "B"), ("ROLE", "owner", "owner")] {
        assert_eq!(column(header, col), column(acme, acme_cell), "{table}");
        assert_eq!(column(header, col), column(beta, beta_cell), "{table}");
    }

    let list = cli.run(&["workspaces", "list", "--json"]).await.ok().json();
    let slugs: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs.len(), 2, "{list}");
    assert!(slugs.contains(&"acme") && slugs.contains(&"beta"), "{list}");

    let shown = cli.run(&["workspaces", "show", "acme"]).await.ok().stdout;
    assert!(line_with(&shown, "name:").ends_with("Acme CI"), "{shown}");
    assert!(
        line_with(&shown, "your role:").ends_with("owner"),
        "{shown}"
    );
    // Without an argument: the configured workspace.
    let mut cmd = cli.command(&["workspaces", "show", "--json"]);
    cmd.env("RUNYARD_WORKSPACE", "beta");
    assert_eq!(output(cmd).await.ok().json()["slug"], "beta");
}

#[tokio::test]
async fn jobs_are_submitted_listed_shown_cancelled_and_retried() {
    let (_server, alice, cli) = setup().await;
    let dir = TempDir::new();

    let script = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--script",
            "echo hi",
            "--label",
            "linux",
            "--label",
            "gpu",
            "--priority",
            "-5",
            "--max-attempts",
            "2",
            "--timeout-seconds",
            "60",
            "-q",
        ])
        .await
        .ok();
    let script_id = script.stdout.trim().to_owned();
    let job = alice.get(&format!("{JOBS}/{script_id}")).await;
    let job = job.expect(200);
    assert_eq!(job["type"], "command");
    assert_eq!(job["payload"], json!({"script": "echo hi"}));
    let mut labels: Vec<&str> = job["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    labels.sort();
    assert_eq!(labels, ["gpu", "linux"]);
    assert_eq!(job["priority"], -5);
    assert_eq!(job["max_attempts"], 2);
    assert_eq!(job["timeout_seconds"], 60);
    assert_eq!(job["status"], "QUEUED");

    let payload = dir.path().join("job.json");
    std::fs::write(&payload, r#"{"target": "x86_64"}"#).unwrap();
    let later = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--type",
            "build",
            "--payload",
            &format!("@{}", payload.display()),
            "--run-after",
            "2030-01-01T00:00:00Z",
            "--json",
        ])
        .await
        .ok()
        .json();
    assert_eq!(later["status"], "PENDING");
    assert_eq!(later["payload"]["target"], "x86_64");
    let run_after = chrono::DateTime::parse_from_rfc3339(later["run_after"].as_str().unwrap());
    assert_eq!(
        run_after.unwrap(),
        chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap()
    );

    let gated = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--type",
            "deploy",
            "--payload",
            r#"{"env": "staging"}"#,
            "--requires-approval",
        ])
        .await
        .ok();
    assert!(
        gated.stdout.starts_with("Submitted job ")
            && gated.stdout.trim_end().ends_with(": PENDING"),
        "{gated:?}"
    );
    assert!(gated.stderr.contains("waits for approval"), "{gated:?}");

    let args = [
        "jobs",
        "submit",
        "-w",
        "acme",
        "--type",
        "lint",
        "--idempotency-key",
        "lint-1",
    ];
    let first = cli.run(&args).await.ok();
    let again = cli.run(&args).await.ok();
    let id_of = |out: &str| {
        out.split_whitespace()
            .map(|w| w.trim_end_matches(':'))
            .find(|w| w.len() == 36)
            .unwrap()
            .to_owned()
    };
    assert_eq!(id_of(&first.stdout), id_of(&again.stdout));
    assert!(
        again
            .stdout
            .contains("already submitted with this idempotency key"),
        "{again:?}"
    );

    // Bad input is a usage error, before anything is sent.
    let bad = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--type",
            "x",
            "--payload",
            "{nope",
        ])
        .await
        .failed(2);
    assert!(
        bad.stderr.contains("--payload is not valid JSON"),
        "{bad:?}"
    );
    cli.run(&["jobs", "submit", "-w", "acme"]).await.failed(2);
    cli.run(&[
        "jobs", "submit", "-w", "acme", "--script", "x", "--type", "y",
    ])
    .await
    .failed(2);

    // Lists: a table of every job, filters, and pages.
    let table = cli.run(&["jobs", "list", "-w", "acme"]).await.ok().stdout;
    assert!(table.starts_with("ID "), "{table}");
    assert_eq!(table.lines().count(), 1 + 4, "{table}");
    let row = line_with(&table, &script_id);
    assert!(row.contains("command") && row.contains("QUEUED"), "{table}");
    assert!(row.contains("0/2"), "{table}");
    assert!(
        row.contains("gpu,linux") || row.contains("linux,gpu"),
        "{table}"
    );
    let header = table.lines().next().unwrap();
    assert_eq!(column(header, "STATUS"), column(row, "QUEUED"), "{table}");

    let queued = cli
        .run(&["jobs", "list", "-w", "acme", "--status", "QUEUED", "--json"])
        .await
        .ok()
        .json();
    let queued: Vec<&str> = queued["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    assert_eq!(queued, ["QUEUED", "QUEUED"]);
    let gpu = cli
        .run(&["jobs", "list", "-w", "acme", "--label", "gpu", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(gpu["items"].as_array().unwrap().len(), 1);
    assert_eq!(gpu["items"][0]["id"], script_id.as_str());

    let one = cli
        .run(&["jobs", "list", "-w", "acme", "--limit", "1"])
        .await
        .ok();
    assert_eq!(one.stdout.lines().count(), 2, "{one:?}");
    assert!(one.stderr.contains("--cursor "), "{one:?}");
    let all = cli
        .run(&[
            "jobs", "list", "-w", "acme", "--limit", "1", "--all", "--json",
        ])
        .await
        .ok()
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 4, "{all}");
    assert_eq!(all["next_cursor"], Value::Null);

    let shown = cli
        .run(&["jobs", "show", "-w", "acme", &script_id])
        .await
        .ok()
        .stdout;
    assert!(line_with(&shown, "status:").ends_with("QUEUED"), "{shown}");
    assert!(line_with(&shown, "attempt:").ends_with("0 of 2"), "{shown}");
    assert!(shown.contains("\"script\": \"echo hi\""), "{shown}");
    let events = &shown[shown.find("Events:").expect("an events table")..];
    assert!(
        line_with(events, "job_created").contains("user:alice"),
        "{shown}"
    );

    let cancelled = cli
        .run(&["jobs", "cancel", "-w", "acme", &script_id])
        .await
        .ok();
    assert_eq!(
        cancelled.stdout.trim(),
        format!("Job {script_id} cancelled: CANCELLED")
    );
    let retried = cli
        .run(&["jobs", "retry", "-w", "acme", &script_id, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(retried["status"], "QUEUED");
    assert_eq!(
        alice.get(&format!("{JOBS}/{script_id}")).await.expect(200)["status"],
        "QUEUED"
    );
}

#[tokio::test]
async fn errors_name_the_problem_and_exit_non_zero() {
    let (server, alice, cli) = setup().await;
    let job = alice.create_job("acme", json!({"type": "command"})).await;
    let id = job["id"].as_str().unwrap();

    // 404
    let missing = cli
        .run(&[
            "jobs",
            "show",
            "-w",
            "acme",
            "0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11",
        ])
        .await
        .failed(1);
    assert_eq!(
        missing.stderr,
        "error: Not Found: job not found [404 not_found]\n"
    );
    assert!(missing.stdout.is_empty());
    let nowhere = cli.run(&["jobs", "list", "-w", "nope"]).await.failed(1);
    assert!(
        nowhere
            .stderr
            .starts_with("error: Not Found: workspace not found [404 not_found]\nhint: "),
        "{nowhere:?}"
    );

    // 409
    cli.run(&["jobs", "cancel", "-w", "acme", id]).await.ok();
    let again = cli
        .run(&["jobs", "cancel", "-w", "acme", id])
        .await
        .failed(1);
    assert!(
        again.stderr.starts_with("error: Conflict: ")
            && again.stderr.contains("[409 illegal_transition]"),
        "{again:?}"
    );
    let taken = cli
        .run(&["workspaces", "create", "--slug", "acme", "--name", "Again"])
        .await
        .failed(1);
    assert_eq!(
        taken.stderr,
        "error: Conflict: a workspace with this slug already exists [409 slug_taken]\n"
    );

    // 401
    let mut cmd = cli.command(&["jobs", "list", "-w", "acme"]);
    cmd.env("RUNYARD_TOKEN", "not-a-jwt");
    let refused = output(cmd).await.failed(1);
    assert!(
        refused.stderr.starts_with("error: Unauthorized: ")
            && refused
                .stderr
                .contains("[401 unauthorized]\nhint: the server refused the token"),
        "{refused:?}"
    );

    // 403: a viewer may look, not act.
    alice.add_member("acme", "vera", "viewer").await;
    let vera = Cli::new(&server, "vera");
    vera.run(&["jobs", "list", "-w", "acme"]).await.ok();
    let forbidden = vera
        .run(&["jobs", "submit", "-w", "acme", "--type", "x"])
        .await
        .failed(1);
    assert!(
        forbidden.stderr.contains("[403 forbidden]"),
        "{forbidden:?}"
    );

    // 422, naming the field.
    let invalid = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--type",
            "x",
            "--priority",
            "500",
        ])
        .await
        .failed(1);
    assert!(
        invalid.stderr.contains("priority") && invalid.stderr.contains("[422 validation_failed]"),
        "{invalid:?}"
    );

    // Nothing listening.
    let mut cmd = cli.command(&["jobs", "list", "-w", "acme"]);
    cmd.env("RUNYARD_URL", "http://127.0.0.1:1");
    let down = output(cmd).await.failed(1);
    assert!(
        down.stderr
            .starts_with("error: cannot reach http://127.0.0.1:1: is the server running?"),
        "{down:?}"
    );

    // Usage errors: exit 2 and what to do.
    let no_ws = cli.run(&["jobs", "list"]).await.failed(2);
    assert!(
        no_ws
            .stderr
            .starts_with("error: no workspace: pass --workspace/-w WS")
            && no_ws.stderr.contains("RUNYARD_WORKSPACE")
            && no_ws.stderr.contains("runyard login --workspace"),
        "{no_ws:?}"
    );
    let no_token = output(cli.bare(&["workspaces", "list"])).await.failed(2);
    assert!(
        no_token
            .stderr
            .starts_with("error: no token: pass --token, set RUNYARD_TOKEN"),
        "{no_token:?}"
    );
    let mut cmd = cli.command(&["workspaces", "list"]);
    cmd.env("RUNYARD_CA_CERT", "/nonexistent/ca.pem");
    assert!(
        output(cmd)
            .await
            .failed(2)
            .stderr
            .contains("reading the CA certificate /nonexistent/ca.pem")
    );
    cli.run(&["jobs", "frobnicate"]).await.failed(2);
}

#[tokio::test]
async fn runners_are_registered_listed_and_revoked() {
    let (_server, alice, cli) = setup().await;
    let registered = cli
        .run(&[
            "runners", "register", "-w", "acme", "--name", "laptop", "--label", "linux",
        ])
        .await
        .ok()
        .stdout;
    assert!(registered.contains("shown this once"), "{registered}");
    let token = registered
        .lines()
        .skip_while(|l| !l.contains("store it now"))
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.contains("store it now"))
        .expect("the token on its own line")
        .to_owned();
    assert!(
        registered.contains(&format!("runyard runner --url {} --token {token}", cli.url)),
        "{registered}"
    );
    let runner = alice.with_token(&token);
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);

    let quiet_token = cli
        .run(&["runners", "register", "-w", "acme", "--name", "ci-1", "-q"])
        .await
        .ok()
        .stdout;
    alice
        .with_token(quiet_token.trim())
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);

    let table = cli
        .run(&["runners", "list", "-w", "acme"])
        .await
        .ok()
        .stdout;
    let laptop = line_with(&table, "laptop");
    assert!(
        laptop.contains("linux") && laptop.contains("active"),
        "{table}"
    );
    assert!(
        laptop.contains("just now") || laptop.contains("s ago"),
        "last seen: {table}"
    );
    assert!(line_with(&table, "ci-1").contains("active"), "{table}");

    let list = cli
        .run(&["runners", "list", "-w", "acme", "--json"])
        .await
        .ok()
        .json();
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "laptop")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = cli
        .run(&["runners", "revoke", "-w", "acme", &id])
        .await
        .ok();
    assert_eq!(revoked.stdout.trim(), format!("Revoked runner {id}."));
    let table = cli
        .run(&["runners", "list", "-w", "acme"])
        .await
        .ok()
        .stdout;
    assert!(line_with(&table, "laptop").contains("revoked"), "{table}");
    assert!(line_with(&table, "ci-1").contains("active"), "{table}");
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect_problem(401, "unauthorized");
}

#[tokio::test]
async fn login_saves_a_profile_and_flags_and_env_override_it() {
    use std::os::unix::fs::PermissionsExt;
    let (server, alice, cli) = setup().await;
    alice.create_workspace("beta").await;
    let in_acme = alice.create_job("acme", json!({"type": "a"})).await;
    let in_beta = alice.create_job("beta", json!({"type": "b"})).await;

    let saved = output(cli.bare(&[
        "login",
        "--url",
        &cli.url,
        "--token",
        &cli.token,
        "--workspace",
        "acme",
    ]))
    .await
    .ok();
    assert!(saved.stdout.contains("member of 2 workspaces"), "{saved:?}");
    let mode = std::fs::metadata(cli.config())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let profile: Value =
        serde_json::from_str(&std::fs::read_to_string(cli.config()).unwrap()).unwrap();
    assert_eq!(
        profile,
        json!({"url": cli.url, "token": cli.token, "workspace": "acme"})
    );

    let only = |out: Output| -> Vec<String> {
        out.ok().json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let acme = vec![in_acme["id"].as_str().unwrap().to_owned()];
    let beta = vec![in_beta["id"].as_str().unwrap().to_owned()];

    // The profile alone.
    let list = || cli.bare(&["jobs", "list", "--json"]);
    assert_eq!(only(output(list()).await), acme);
    // Environment over profile; flag over environment.
    let mut cmd = list();
    cmd.env("RUNYARD_WORKSPACE", "beta");
    assert_eq!(only(output(cmd).await), beta);
    let mut cmd = cli.bare(&["jobs", "list", "--json", "-w", "acme"]);
    cmd.env("RUNYARD_WORKSPACE", "beta");
    assert_eq!(only(output(cmd).await), acme);

    let mut cmd = list();
    cmd.env("RUNYARD_URL", "http://127.0.0.1:1");
    let down = output(cmd).await.failed(1);
    assert!(
        down.stderr.contains("cannot reach http://127.0.0.1:1"),
        "{down:?}"
    );
    let mut cmd = cli.bare(&["jobs", "list", "--json", "--url", &cli.url]);
    cmd.env("RUNYARD_URL", "http://127.0.0.1:1");
    assert_eq!(only(output(cmd).await), acme);

    // Bob's token from the environment beats alice's from the profile: not his workspace.
    let mut cmd = list();
    cmd.env("RUNYARD_TOKEN", server.token("bob"));
    let strange = output(cmd).await.failed(1);
    assert!(
        strange.stderr.contains("workspace not found"),
        "{strange:?}"
    );

    // A refused token is not saved.
    let refused = output(cli.bare(&["login", "--url", &cli.url, "--token", "nope"]))
        .await
        .failed(1);
    assert!(refused.stderr.contains("[401 unauthorized]"), "{refused:?}");
    let unchanged: Value =
        serde_json::from_str(&std::fs::read_to_string(cli.config()).unwrap()).unwrap();
    assert_eq!(unchanged, profile);

    // A broken profile is reported, not ignored.
    std::fs::write(cli.config(), "{not json").unwrap();
    let broken = output(list()).await.failed(1);
    assert!(
        broken
            .stderr
            .contains("is not valid; run `runyard login` again"),
        "{broken:?}"
    );

    // Without RUNYARD_CONFIG: $XDG_CONFIG_HOME/runyard/config.json.
    let xdg = TempDir::new();
    let mut cmd = cli.bare(&["login", "--url", &cli.url, "--token", &cli.token]);
    cmd.env_remove("RUNYARD_CONFIG")
        .env("XDG_CONFIG_HOME", xdg.path());
    output(cmd).await.ok();
    let path = xdg.path().join("runyard/config.json");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let mut cmd = cli.bare(&["workspaces", "list", "--json"]);
    cmd.env_remove("RUNYARD_CONFIG")
        .env("XDG_CONFIG_HOME", xdg.path());
    assert_eq!(
        output(cmd).await.ok().json()["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn logs_are_paged_through_to_the_end() {
    let (_server, alice, cli) = setup().await;
    let job = alice.create_job("acme", json!({"type": "command"})).await;
    let id = job["id"].as_str().unwrap();
    let runner = claim(&alice, id).await;
    // More than two pages of 1000.
    let lines = numbered(1, 2500);
    post_logs(&runner, id, &lines).await;

    let out = cli.run(&["jobs", "logs", "-w", "acme", id]).await.ok();
    let stdout: Vec<String> = out.stdout.lines().map(str::to_owned).collect();
    assert_eq!(stdout, bodies(&lines, "stdout"));
    assert_eq!(job_stderr(&out.stderr), bodies(&lines, "stderr"));

    let json = cli
        .run(&["jobs", "logs", "-w", "acme", id, "--json"])
        .await
        .ok();
    let seqs: Vec<i64> = json
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["seq"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, (1..=2500).collect::<Vec<_>>());
}

/// Collects a child's stdout line by line as it is written.
fn stream_lines(
    out: impl tokio::io::AsyncRead + Unpin + Send + 'static,
) -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut lines = BufReader::new(out).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

async fn next_lines(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    n: usize,
) -> Vec<String> {
    let mut got = Vec::new();
    while got.len() < n {
        let line = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap_or_else(|_| panic!("only {got:?} arrived"))
            .expect("the output goes on");
        got.push(line);
    }
    got
}

async fn finish(mut child: tokio::process::Child) -> (i32, String) {
    let mut stderr = child.stderr.take().unwrap();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the follower exits once the job has finished")
        .unwrap();
    let mut text = String::new();
    stderr.read_to_string(&mut text).await.unwrap();
    (status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn follow_prints_lines_as_they_arrive_and_exits_when_the_job_finishes() {
    let (_server, alice, cli) = setup().await;
    let job = alice.create_job("acme", json!({"type": "command"})).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let runner = claim(&alice, &id).await;

    let mut child = cli
        .command(&["jobs", "logs", "-w", "acme", &id, "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = stream_lines(child.stdout.take().unwrap());

    let mut all = Vec::new();
    for batch in 0..5 {
        let lines = numbered(batch * 20 + 1, 20);
        post_logs(&runner, &id, &lines).await;
        // Each batch is printed before the next one is even written.
        let expected = bodies(&lines, "stdout");
        assert_eq!(next_lines(&mut stdout, expected.len()).await, expected);
        all.extend(lines);
    }
    complete(&runner, &id).await;
    let (code, stderr) = finish(child).await;
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.recv().await.is_none(), "nothing more on stdout");
    assert_eq!(job_stderr(&stderr), bodies(&all, "stderr"));
}

/// A TCP proxy whose open connections can be cut at will, keeping the head of each
/// request it forwarded.
struct Proxy {
    url: String,
    connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
    requests: Arc<Mutex<Vec<String>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(target: &str) -> Self {
        let target = target.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (held, seen) = (connections.clone(), requests.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let (target, seen) = (target.clone(), seen.clone());
                let task = tokio::spawn(async move {
                    // The request head (a GET has no body), then the rest as it comes.
                    let mut head = Vec::new();
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        let mut buf = [0_u8; 4096];
                        match inbound.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    seen.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).to_lowercase());
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    if outbound.write_all(&head).await.is_ok() {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                held.lock().unwrap().push(task.abort_handle());
            }
        });
        Self {
            url,
            connections,
            requests,
            accept,
        }
    }

    /// Drops every open connection, as a network failure would.
    fn cut(&self) -> usize {
        let mut held = self.connections.lock().unwrap();
        let n = held.len();
        for task in held.drain(..) {
            task.abort();
        }
        n
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

#[tokio::test]
async fn follow_resumes_where_it_left_off_after_the_connection_drops() {
    let (server, alice, cli) = setup().await;
    let job = alice.create_job("acme", json!({"type": "command"})).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let runner = claim(&alice, &id).await;
    let proxy = Proxy::start(&server.base_url).await;

    let mut child = cli
        .command(&["jobs", "logs", "-w", "acme", &id, "--follow"])
        .env("RUNYARD_URL", &proxy.url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = stream_lines(child.stdout.take().unwrap());

    let before: Vec<_> = (1..=3)
        .map(|s| (s, "stdout", format!("line {s}")))
        .collect();
    post_logs(&runner, &id, &before).await;
    assert_eq!(next_lines(&mut stdout, 3).await, bodies(&before, "stdout"));

    assert!(proxy.cut() >= 1, "the follower was connected");
    let after: Vec<_> = (4..=6)
        .map(|s| (s, "stdout", format!("line {s}")))
        .collect();
    post_logs(&runner, &id, &after).await;
    assert_eq!(next_lines(&mut stdout, 3).await, bodies(&after, "stdout"));
    complete(&runner, &id).await;

    let (code, stderr) = finish(child).await;
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.recv().await.is_none(), "no line twice, nothing more");
    assert!(stderr.contains("reconnecting"), "{stderr}");
    // It asked to resume after the last line it had printed.
    let requests = proxy.requests.lock().unwrap().clone();
    assert!(requests.len() >= 2, "{requests:?}");
    assert!(!requests[0].contains("last-event-id"), "{requests:?}");
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.contains("\r\nlast-event-id: 3\r\n")),
        "{requests:?}"
    );
}

#[tokio::test]
async fn artifacts_are_listed_and_downloaded_with_their_checksum() {
    let (_server, alice, cli) = setup().await;
    let job = alice.create_job("acme", json!({"type": "command"})).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let runner = claim(&alice, &id).await;
    let content = "hello artifact\n";
    let put = runner
        .request(
            reqwest::Method::PUT,
            &format!("/v1/runner/jobs/{id}/artifacts/report.txt?attempt=1"),
        )
        .header("Content-Type", "text/plain")
        .body(content);
    let stored = Client::send(put).await;
    let sha = stored.expect(201)["sha256"].as_str().unwrap().to_owned();

    let table = cli
        .run(&["jobs", "artifacts", "-w", "acme", &id])
        .await
        .ok()
        .stdout;
    let row = line_with(&table, "report.txt");
    assert!(
        row.contains("15 B") && row.contains("text/plain") && row.contains(&sha),
        "{table}"
    );

    let dir = TempDir::new();
    let target = dir.path().join("out.txt");
    let saved = cli
        .run(&[
            "jobs",
            "download",
            "-w",
            "acme",
            &id,
            "report.txt",
            "-o",
            target.to_str().unwrap(),
        ])
        .await
        .ok();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), content);
    assert!(saved.stderr.contains(&sha), "{saved:?}");

    let mut cmd = cli.command(&["jobs", "download", "-w", "acme", &id, "report.txt"]);
    cmd.current_dir(dir.path());
    output(cmd).await.ok();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.txt")).unwrap(),
        content
    );

    let piped = cli
        .run(&[
            "jobs",
            "download",
            "-w",
            "acme",
            &id,
            "report.txt",
            "-o",
            "-",
        ])
        .await
        .ok();
    assert_eq!(piped.stdout, content);

    let missing = cli
        .run(&["jobs", "download", "-w", "acme", &id, "nope.txt", "-o", "-"])
        .await
        .failed(1);
    assert!(missing.stderr.contains("[404 not_found]"), "{missing:?}");
}

#[tokio::test]
async fn tasks_pause_resume_and_show_their_snapshot_and_jobs_are_approved() {
    let (_server, alice, cli) = setup().await;
    let created = cli
        .run(&["tasks", "create", "-w", "acme", "--title", "chat", "--json"])
        .await
        .ok()
        .json();
    let task = created["id"].as_str().unwrap().to_owned();
    let job = alice
        .create_job("acme", json!({"type": "agent", "agent_task_id": task}))
        .await;
    let job = job["id"].as_str().unwrap().to_owned();
    let runner = claim(&alice, &job).await;

    let paused = cli
        .run(&["tasks", "pause", "-w", "acme", &task, "--reason", "lunch"])
        .await
        .ok();
    assert!(paused.stdout.contains("active"), "{paused:?}");
    // No snapshot yet: a clear 404.
    let none = cli
        .run(&["tasks", "snapshot", "-w", "acme", &task])
        .await
        .failed(1);
    assert!(none.stderr.contains("[404 not_found]"), "{none:?}");
    runner
        .post(
            &format!("/v1/runner/jobs/{job}/paused"),
            json!({"attempt": 1, "snapshot": {"messages": ["hi"]}}),
        )
        .await
        .expect(200);
    let shown = cli.run(&["tasks", "show", "-w", "acme", &task]).await.ok();
    assert!(shown.stdout.contains("paused"), "{shown:?}");
    assert!(shown.stdout.contains(&job), "{shown:?}");
    let listed = cli
        .run(&["tasks", "list", "-w", "acme", "--status", "paused"])
        .await
        .ok();
    assert!(
        line_with(&listed.stdout, &task).contains("paused"),
        "{listed:?}"
    );
    let snapshot = cli
        .run(&["tasks", "snapshot", "-w", "acme", &task, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(snapshot["log_snapshot"], json!({"messages": ["hi"]}));
    let dir = TempDir::new();
    let file = dir.path().join("snap.json");
    cli.run(&[
        "tasks",
        "snapshot",
        "-w",
        "acme",
        &task,
        "-o",
        file.to_str().unwrap(),
    ])
    .await
    .ok();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(saved, json!({"messages": ["hi"]}));

    let resumed = cli
        .run(&["tasks", "resume", "-w", "acme", &task, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(resumed["status"], "active");
    let again = cli
        .run(&["tasks", "resume", "-w", "acme", &task])
        .await
        .failed(1);
    assert!(again.stderr.contains("illegal_transition"), "{again:?}");
    let cancelled = cli
        .run(&["tasks", "cancel", "-w", "acme", &task, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(cancelled["status"], "cancelled");

    // Approvals.
    let gated = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--type",
            "deploy",
            "--requires-approval",
            "-q",
        ])
        .await
        .ok()
        .stdout
        .trim()
        .to_owned();
    let approved = cli
        .run(&[
            "jobs",
            "approve",
            "-w",
            "acme",
            &gated,
            "--comment",
            "go",
            "--json",
        ])
        .await
        .ok()
        .json();
    assert_eq!(approved["status"], "QUEUED");
    let twice = cli
        .run(&["jobs", "reject", "-w", "acme", &gated])
        .await
        .failed(1);
    assert!(twice.stderr.contains("not_awaiting_approval"), "{twice:?}");
    let other = cli
        .run(&[
            "jobs",
            "submit",
            "-w",
            "acme",
            "--type",
            "deploy",
            "--requires-approval",
            "-q",
        ])
        .await
        .ok()
        .stdout
        .trim()
        .to_owned();
    let rejected = cli
        .run(&["jobs", "reject", "-w", "acme", &other, "--json"])
        .await
        .ok()
        .json();
    assert_eq!(rejected["status"], "CANCELLED");
}

#[tokio::test]
async fn usage_and_stats_are_shown_as_tables_and_json() {
    let (_server, alice, cli) = setup().await;
    let job = alice.create_job("acme", json!({"type": "agent"})).await;
    let id = job["id"].as_str().unwrap();
    let runner = claim(&alice, id).await;
    let call = |n: u8, model: &str, cost: &str| {
        json!({"id": format!("0193e0a0-0000-7000-8000-{n:012x}"), "provider": "anthropic", "model": model,
               "input_tokens": 1000, "output_tokens": 100, "cost_usd": cost,
               "latency_ms": 5, "status": "ok", "started_at": chrono::Utc::now()})
    };
    runner
        .post(
            &format!("/v1/runner/jobs/{id}/ai-calls"),
            json!({"attempt": 1, "calls": [call(1, "big", "0.250000"), call(2, "big", "0.5"), call(3, "small", "0.000125")]}),
        )
        .await
        .expect(200);
    complete(&runner, id).await;

    let table = cli.run(&["usage", "-w", "acme"]).await.ok();
    let big = line_with(&table.stdout, "big");
    assert!(
        big.contains("2000") && big.contains("0.750000"),
        "{}",
        table.stdout
    );
    assert!(line_with(&table.stdout, "small").contains("0.000125"));
    let json = cli
        .run(&["usage", "-w", "acme", "--group-by", "type", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(json["group_by"], "type");
    assert_eq!(json["items"][0]["group"], "agent");
    assert_eq!(json["items"][0]["ai_calls"], 3);
    assert_eq!(json["items"][0]["cost_usd"], "0.750125");
    let empty = cli
        .run(&[
            "usage",
            "-w",
            "acme",
            "--from",
            "2020-01-01T00:00:00Z",
            "--to",
            "2020-02-01T00:00:00Z",
        ])
        .await
        .ok();
    assert!(empty.stderr.contains("No usage"), "{empty:?}");
    cli.run(&["usage", "-w", "acme", "--group-by", "colour"])
        .await
        .failed(2);

    let stats = cli.run(&["stats", "-w", "acme"]).await.ok();
    assert!(
        line_with(&stats.stdout, "COMPLETED").contains('1'),
        "{}",
        stats.stdout
    );
    assert!(line_with(&stats.stdout, "LAST HOUR").contains("1 completed, 0 failed"));
    let json = cli
        .run(&["stats", "-w", "acme", "--json"])
        .await
        .ok()
        .json();
    assert_eq!(json["throughput"].as_array().unwrap().len(), 60);
    assert_eq!(json["run_time"]["samples"], 1);
}

#[tokio::test]
async fn jobs_are_suspended_woken_sent_commands_and_cancelled_with_a_reason() {
    let (_server, alice, cli) = setup().await;
    let id = alice.create_job("acme", json!({"type": "t"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, token) = alice.register_runner("acme", "tester", &[]).await;
    let runner = alice.with_token(&token);
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);

    // The runner's token suspends (no workspace needed), keeping a state.
    let suspended = cli
        .run(&[
            "jobs",
            "suspend",
            "--token",
            &token,
            &id,
            "--attempt",
            "1",
            "--poll-after",
            "3600",
            "--state",
            r#"{"step": 3}"#,
        ])
        .await
        .ok();
    assert_eq!(
        suspended.stdout.trim(),
        format!("Job {id} suspended: SUSPENDED")
    );
    let woken = cli.run(&["jobs", "wake", "-w", "acme", &id]).await.ok();
    assert_eq!(woken.stdout.trim(), format!("Job {id} woken: QUEUED"));
    let again = cli
        .run(&["jobs", "wake", "-w", "acme", &id])
        .await
        .failed(1);
    assert!(again.stderr.contains("[409 not_suspended]"), "{again:?}");

    let sent = cli
        .run(&[
            "jobs",
            "command",
            "-w",
            "acme",
            &id,
            "--type",
            "user_turn",
            "--payload",
            r#"{"text": "go on"}"#,
            "-q",
        ])
        .await
        .ok();
    assert_eq!(sent.stdout.trim(), "1");
    let listed = alice
        .get(&format!("{JOBS}/{id}/commands"))
        .await
        .expect(200)
        .clone();
    assert_eq!(listed["items"][0]["payload"], json!({"text": "go on"}));

    let cancelled = cli
        .run(&[
            "jobs",
            "cancel",
            "-w",
            "acme",
            &id,
            "--reason",
            "no longer needed",
        ])
        .await
        .ok();
    assert_eq!(
        cancelled.stdout.trim(),
        format!("Job {id} cancelled: CANCELLED")
    );
    let job = alice.get(&format!("{JOBS}/{id}")).await.expect(200).clone();
    assert_eq!(job["cancel_reason"], "no longer needed");
    assert_eq!(job["failure_kind"], "cancelled");
    let refused = cli
        .run(&["jobs", "command", "-w", "acme", &id, "--type", "x"])
        .await
        .failed(1);
    assert!(refused.stderr.contains("[409 job_finished]"), "{refused:?}");
}
