//! `cargo xtask dev`: a working demo in one command — the server on its embedded database,
//! a `demo` workspace, one reference runner and a few jobs it runs — stopped in order
//! (runner, then server) on Ctrl-C or SIGTERM.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use runyard_client::{Client, CreateWorkspace, Error, Job, LogList, Readiness, RegisterRunner};
use serde_json::{Value, json};
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};
use tokio::sync::watch;

pub const HELP: &str = "\
cargo xtask dev

Builds the server (cargo build -p runyard), starts `runyard serve` (the embedded PostgreSQL
in ./.runyard and 127.0.0.1:8080 unless RUNYARD_DATA_DIR, RUNYARD_LISTEN or DATABASE_URL say
otherwise), mints a token for subject `dev`, creates the workspace `demo` (or reuses it),
registers a runner and starts `runyard runner` with it, submits a few demo `command` jobs,
and prints the API and docs URLs, the token and curl lines to try. Then it waits: Ctrl-C or
SIGTERM stops the runner (its running jobs go back to the queue), revokes it, and stops the
server. Logs go to target/dev/server.log and target/dev/runner.log.
";

const WORKSPACE: &str = "demo";
const RUNNER_NAME: &str = "xtask-dev";
const READY_WITHIN: Duration = Duration::from_secs(180);
const RUNNER_STOPS_WITHIN: Duration = Duration::from_secs(30);
const SERVER_STOPS_WITHIN: Duration = Duration::from_secs(60);

/// The demo jobs: quick, slow, with environment variables, and one that fails.
fn demo_jobs() -> Vec<Value> {
    let script = |script: &str| json!({"type": "command", "payload": {"script": script}});
    let mut with_env = script("echo \"building $TARGET\"; echo done >&2");
    with_env["payload"]["env"] = json!({"TARGET": "demo-app"});
    let mut failing = script("echo this one fails; exit 3");
    failing["max_attempts"] = json!(1);
    vec![
        script("echo hello from Runyard on $(uname -sm)"),
        script("for i in 1 2 3 4 5; do echo tick $i; sleep 1; done"),
        with_env,
        failing,
    ]
}

/// `cargo xtask dev`.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    if let Some(arg) = args.first() {
        if arg == "-h" || arg == "--help" {
            print!("{HELP}");
            return Ok(());
        }
        bail!("unknown argument {arg:?}\n\n{HELP}");
    }
    heading("cargo build -p runyard");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "-p", "runyard"])
        .current_dir(root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build -p runyard failed ({status})");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(dev(root))
}

fn heading(text: &str) {
    println!("==> {text}");
}

/// A child process in its own process group, so that Ctrl-C in the terminal reaches only
/// this command, which then stops the children in order.
struct Proc {
    name: &'static str,
    child: Child,
    log: PathBuf,
    exited: Option<String>,
}

impl Proc {
    fn spawn(name: &'static str, mut cmd: Command, log: PathBuf) -> anyhow::Result<Self> {
        let child = cmd
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting the {name}"))?;
        Ok(Self {
            name,
            child,
            log,
            exited: None,
        })
    }

    /// How it exited, if it has.
    fn check_exit(&mut self) -> anyhow::Result<Option<String>> {
        if self.exited.is_none()
            && let Some(status) = self.child.try_wait()?
        {
            self.exited = Some(status.to_string());
        }
        Ok(self.exited.clone())
    }

    /// Waits until it exits; says how.
    async fn wait(&mut self) -> String {
        if let Some(how) = &self.exited {
            return how.clone();
        }
        let how = match self.child.wait().await {
            Ok(status) => status.to_string(),
            Err(e) => format!("unknown ({e})"),
        };
        self.exited = Some(how.clone());
        how
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`.
    async fn stop(&mut self, grace: Duration) {
        if self.check_exit().ok().flatten().is_some() {
            return;
        }
        let Some(pid) = self.child.id() else { return };
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let how = match tokio::time::timeout(grace, self.wait()).await {
            Ok(how) => how,
            Err(_) => {
                let _ = self.child.start_kill();
                format!("killed after {} s ({})", grace.as_secs(), self.wait().await)
            }
        };
        println!("    {} stopped: {how}", self.name);
    }

    fn failure(&self, why: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "the {} {why}; last lines of {}:\n{}",
            self.name,
            self.log.display(),
            tail(&self.log, 20)
        )
    }
}

/// The last `n` lines of a file.
fn tail(path: &Path, n: usize) -> String {
    let Ok(file) = std::fs::File::open(path) else {
        return "(no log)".into();
    };
    let lines: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// What is running, for the orderly stop.
struct Session {
    server: Proc,
    runner: Option<Proc>,
    api: Option<Client>,
    runner_id: Option<String>,
    /// Reports the demo jobs as they finish.
    follow: Option<tokio::task::JoinHandle<()>>,
}

async fn dev(root: &Path) -> anyhow::Result<()> {
    let binary = crate::debug_binary(root);
    let log_dir = root.join("target/dev");
    std::fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;

    heading("runyard serve");
    let server_log = log_dir.join("server.log");
    let log = std::fs::File::create(&server_log)
        .with_context(|| format!("creating {}", server_log.display()))?;
    let mut cmd = Command::new(&binary);
    // NO_COLOR: the logs are files, read with `tail` or an editor.
    cmd.arg("serve")
        .env("NO_COLOR", "1")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log.try_clone()?);
    let mut server = Proc::spawn("server", cmd, server_log)?;
    let url = listening_url(&mut server.child, log)?;

    let mut session = Session {
        server,
        runner: None,
        api: None,
        runner_id: None,
        follow: None,
    };
    let result = tokio::select! {
        r = up(&mut session, root, &binary, url) => r,
        () = shutdown_signal() => Ok(()),
    };
    heading("stopping: the runner, then the server");
    session.shutdown().await;
    result
}

/// Copies the server's standard output to its log and publishes the URL it prints once it
/// listens.
fn listening_url(
    child: &mut Child,
    mut log: std::fs::File,
) -> anyhow::Result<watch::Receiver<Option<String>>> {
    let stdout = child.stdout.take().context("no stdout pipe")?;
    let (tx, rx) = watch::channel(None);
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let _ = writeln!(log, "{line}");
            if let Some(url) = line.trim().strip_prefix("Runyard is listening on ") {
                let _ = tx.send(Some(url.to_owned()));
            }
        }
    });
    Ok(rx)
}

/// Brings everything up, prints how to use it, and waits; returns only when a child exits
/// on its own (an error).
async fn up(
    session: &mut Session,
    root: &Path,
    binary: &Path,
    url: watch::Receiver<Option<String>>,
) -> anyhow::Result<()> {
    let base = wait_ready(&mut session.server, url).await?;
    println!(
        "    listening on {base}; log: {}",
        session.server.log.display()
    );

    heading("runyard token --sub dev");
    let out = Command::new(binary)
        .args(["token", "--sub", "dev"])
        .current_dir(root)
        .output()
        .await
        .context("running runyard token")?;
    if !out.status.success() {
        bail!(
            "runyard token failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let token = String::from_utf8(out.stdout)?.trim().to_owned();
    let api = Client::builder(&base)
        .token(&token)
        .user_agent("runyard-xtask-dev")
        .build()?;
    session.api = Some(api.clone());

    heading(&format!("workspace {WORKSPACE:?}"));
    let created = api
        .create_workspace(&CreateWorkspace {
            name: "Demo".into(),
            slug: WORKSPACE.into(),
        })
        .await;
    let ws = match created {
        Ok(ws) => {
            println!("    created");
            ws
        }
        Err(Error::Problem(p)) if p.has_code("slug_taken") => {
            println!("    exists: reusing it");
            api.workspace(WORKSPACE)
                .await
                .context("the workspace `demo` exists but `dev` cannot read it")?
        }
        Err(e) => bail!("POST /v1/workspaces: {e}"),
    };
    let ws_id = ws.id;

    heading(&format!("runner {RUNNER_NAME:?}"));
    let labels = [std::env::consts::OS];
    let registered = api
        .register_runner(
            WORKSPACE,
            &RegisterRunner {
                name: RUNNER_NAME.into(),
                labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            },
        )
        .await
        .with_context(|| format!("POST /v1/workspaces/{WORKSPACE}/runners"))?;
    let runner_token = registered.token;
    session.runner_id = Some(registered.runner.id);
    let runner_log = root.join("target/dev/runner.log");
    let log = std::fs::File::create(&runner_log)
        .with_context(|| format!("creating {}", runner_log.display()))?;
    let mut cmd = Command::new(binary);
    // The token goes by environment, not argv, to stay out of the process list.
    cmd.args(["runner", "--url", &base])
        .env("RUNYARD_RUNNER_TOKEN", &runner_token)
        .env("NO_COLOR", "1")
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    let runner = Proc::spawn("runner", cmd, runner_log)?;
    println!(
        "    registered with labels {labels:?}; `runyard runner` pid {}",
        runner.child.id().unwrap_or_default()
    );
    session.runner = Some(runner);

    heading("demo jobs");
    let mut jobs = Vec::new();
    for job in demo_jobs() {
        let created: Job = api
            .post(&["v1", "workspaces", WORKSPACE, "runner-jobs"], Some(&job))
            .await
            .with_context(|| format!("POST /v1/workspaces/{WORKSPACE}/runner-jobs"))?;
        let id = created.id;
        let script = job["payload"]["script"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        println!("    {id}  {script}");
        jobs.push((id, script));
    }

    let auth = "-H \"Authorization: Bearer $RUNYARD_TOKEN\"";
    let first = jobs.first().map(|(id, _)| id.as_str()).unwrap_or("JOB_ID");
    println!(
        "\nRunyard is up.
  API:        {base}
  Console:    {base}/#/w/{WORKSPACE}/jobs  (sign in with the token below)
  API docs:   {base}/docs
  Workspace:  {WORKSPACE} ({ws_id})
  Logs:       tail -f {} {}
  Token (sub \"dev\", valid 30 days):
    export RUNYARD_TOKEN={token}

Try:
  curl -s {base}/v1/workspaces/{WORKSPACE}/runner-jobs {auth}
  curl -s {base}/v1/workspaces/{WORKSPACE}/runner-jobs/{first}/logs {auth}
  curl -s -X POST {base}/v1/workspaces/{WORKSPACE}/runner-jobs {auth} \\
    -H 'Content-Type: application/json' -d '{{\"type\": \"command\", \"payload\": {{\"script\": \"echo hi from curl\"}}}}'

Press Ctrl-C to stop.\n",
        session.server.log.display(),
        root.join("target/dev/runner.log").display(),
    );

    session.follow = Some(tokio::spawn(follow_jobs(api, jobs)));
    let runner = session
        .runner
        .as_mut()
        .expect("the runner was just started");
    tokio::select! {
        how = session.server.child.wait() => {
            let how = how.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
            session.server.exited = Some(how.clone());
            Err(session.server.failure(&format!("exited on its own ({how})")))
        }
        how = runner.child.wait() => {
            let how = how.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
            runner.exited = Some(how.clone());
            Err(runner.failure(&format!("exited on its own ({how})")))
        }
    }
}

/// Waits for the URL the server prints and for `GET /readyz` to answer 200.
async fn wait_ready(
    server: &mut Proc,
    url: watch::Receiver<Option<String>>,
) -> anyhow::Result<String> {
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        if let Some(how) = server.check_exit()? {
            return Err(server.failure(&format!(
                "exited during start-up ({how}); is another server using the same port or data \
                 directory? (RUNYARD_LISTEN, RUNYARD_DATA_DIR)"
            )));
        }
        let base = url.borrow().clone();
        if let Some(base) = base
            && let Ok(probe) = Client::builder(&base).build()
            && probe.get::<Readiness>(&["readyz"], &[]).await.is_ok()
        {
            return Ok(base);
        }
        if Instant::now() > deadline {
            return Err(server.failure(&format!(
                "was not ready within {} s",
                READY_WITHIN.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Reports each demo job once it has finished, with its last line of output.
async fn follow_jobs(api: Client, mut pending: Vec<(String, String)>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !pending.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut still = Vec::new();
        for (id, script) in pending {
            let status = match api.job(WORKSPACE, &id).await {
                Ok(detail) => detail.job.status.as_str(),
                Err(_) => "",
            };
            if matches!(status, "COMPLETED" | "FAILED" | "CANCELLED") {
                let logs = ["v1", "workspaces", WORKSPACE, "runner-jobs", &id, "logs"];
                let last = api
                    .get::<LogList>(&logs, &[])
                    .await
                    .ok()
                    .and_then(|logs| logs.items.last().map(|entry| entry.body.clone()))
                    .unwrap_or_default();
                println!("    job {id} {status}: {script}  ->  {last:?}");
            } else {
                still.push((id, script));
            }
        }
        pending = still;
    }
}

impl Session {
    /// Stops the runner (its jobs go back to the queue), revokes it, then stops the server.
    async fn shutdown(&mut self) {
        if let Some(follow) = self.follow.take() {
            follow.abort();
        }
        if let Some(runner) = self.runner.as_mut() {
            runner.stop(RUNNER_STOPS_WITHIN).await;
        }
        if let (Some(api), Some(id)) = (&self.api, &self.runner_id)
            && self.server.check_exit().ok().flatten().is_none()
        {
            match api
                .delete(&["v1", "workspaces", WORKSPACE, "runners", id])
                .await
            {
                Ok(()) => println!("    runner revoked"),
                Err(e) => println!("    could not revoke the runner: {e}"),
            }
        }
        self.server.stop(SERVER_STOPS_WITHIN).await;
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = term => {},
    }
}
