//! `cargo xtask bench`: one benchmark run of a release build against its embedded
//! PostgreSQL — a raw-insert baseline (`pgbench`), single and batch enqueue over HTTP,
//! end-to-end claim/complete throughput, pickup latency, claim cost on a large queue, and
//! the server's memory, and model-call recording with the usage roll-up — written up in `BENCHMARKS.md` with the CPU evidence for any miss.

mod api;
mod driver;
mod procfs;
mod report;
mod scenarios;
mod server;
mod sql;
mod stats;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use api::Api;
use procfs::{Machine, Meter, PhaseCpu, Watched};
use report::{Figure, Report};
use scenarios::{
    Peers, baseline, batch_enqueue, claim_cost, end_to_end, peers, pickup_latency, prepare_peers,
    single_enqueue, usage,
};
use server::Server;

pub const HELP: &str = "\
cargo xtask bench [--quick] [--peers] [--only PHASE]

Builds the server in release mode, runs it on an embedded PostgreSQL in a temporary
directory, measures enqueue, end-to-end, latency, claim-cost and usage figures against
their targets, and writes BENCHMARKS.md at the repository root (about 5 minutes).

  --quick        a smoke run with small counts (about a minute) that still exercises every
                 phase; writes target/bench/BENCHMARKS-quick.md instead
  --peers        also runs the same phases for pg-boss and graphile-worker (installed from
                 the npm registry into xtask/peers, on Node 22 from npm) against the same
                 PostgreSQL, and reports Runyard ÷ best-peer ratios (about 5 minutes more)
  --only PHASE   run one phase: baseline, single, batch, e2e, latency, claim, usage or
                 peers; writes target/bench/BENCHMARKS-PHASE.md instead
";

/// The phases `--only` can pick, in the order a full run takes them.
const PHASES: [&str; 8] = [
    "baseline", "single", "batch", "e2e", "latency", "claim", "usage", "peers",
];

/// Sizes of one run.
struct Plan {
    quick: bool,
    baseline: Duration,
    single: Duration,
    warmup: Duration,
    batch: Duration,
    batch_clients: &'static [usize],
    enqueue_clients: &'static [usize],
    e2e_jobs: u64,
    /// (runner tasks, max_jobs per claim)
    e2e_configs: &'static [(usize, u32)],
    e2e_deadline: Duration,
    latency_samples: usize,
    claim_iterations: usize,
    claim_small_queue: u64,
    claim_large_queue: u64,
    /// How long the churn part of the claim-cost phase runs, in windows of `churn_window`.
    churn: Duration,
    churn_window: Duration,
    /// Model calls recorded over HTTP.
    usage_http_calls: u64,
    /// Model calls in the workspace when the roll-up is timed.
    usage_total_calls: u64,
    usage_query_iterations: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
                quick,
                baseline: Duration::from_secs(3),
                single: Duration::from_secs(3),
                warmup: Duration::from_millis(500),
                batch: Duration::from_secs(3),
                batch_clients: &[2, 4],
                enqueue_clients: &[8, 32],
                e2e_jobs: 20_000,
                e2e_configs: &[(4, 500), (8, 250)],
                e2e_deadline: Duration::from_secs(120),
                latency_samples: 30,
                claim_iterations: 100,
                claim_small_queue: 1_000,
                claim_large_queue: 100_000,
                churn: Duration::from_secs(10),
                churn_window: Duration::from_secs(2),
                usage_http_calls: 8_000,
                usage_total_calls: 100_000,
                usage_query_iterations: 5,
            }
        } else {
            Self {
                quick,
                baseline: Duration::from_secs(15),
                single: Duration::from_secs(15),
                warmup: Duration::from_secs(2),
                batch: Duration::from_secs(10),
                batch_clients: &[2, 4],
                enqueue_clients: &[8, 32],
                e2e_jobs: 200_000,
                e2e_configs: &[(4, 500), (8, 250)],
                e2e_deadline: Duration::from_secs(240),
                latency_samples: 200,
                claim_iterations: 300,
                claim_small_queue: 1_000,
                claim_large_queue: 1_000_000,
                churn: Duration::from_secs(60),
                churn_window: Duration::from_secs(5),
                usage_http_calls: 100_000,
                usage_total_calls: 1_000_000,
                usage_query_iterations: 20,
            }
        }
    }
}

/// State shared by the phases.
struct Ctx {
    plan: Plan,
    api: Api,
    server: Server,
    watched: Watched,
    figures: Vec<Figure>,
    cpu: Vec<PhaseCpu>,
    failures: Vec<(String, String)>,
    tool_commands: Vec<String>,
    /// pgbench tps per client count.
    baseline: Vec<(usize, f64)>,
    peak_rss_kib: u64,
}

impl Ctx {
    fn record(&mut self, figure: Figure) {
        println!("    {}", figure.line());
        self.figures.push(figure);
    }

    fn cpu(&mut self, cpu: PhaseCpu) {
        println!(
            "    cpu: server {:.1} s, postgres {:.1} s, client {:.1} s, other {:.1} s over {:.1} s wall ({:.0}% busy)",
            cpu.server_s,
            cpu.postgres_s,
            cpu.client_s,
            cpu.other_s,
            cpu.wall.as_secs_f64(),
            cpu.busy_pct
        );
        self.cpu.push(cpu);
    }

    async fn meter(&self, top_after: Duration) -> Meter {
        Meter::start(self.watched, self.server.superuser(), top_after).await
    }

    /// Empties the job tables and checkpoints, so each phase starts from the same place.
    async fn reset_jobs(&self) -> anyhow::Result<()> {
        sql::psql(
            &self.server.superuser(),
            "SET lock_timeout = '60s';\nTRUNCATE runner_jobs CASCADE;\nCHECKPOINT;\n",
        )
        .await?;
        Ok(())
    }
}

fn heading(name: &str) {
    println!("==> {name}");
}

// ---------------------------------------------------------------------------------------

fn build(root: &Path) -> anyhow::Result<()> {
    heading("build: cargo build --release -p runyard");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "-p", "runyard"])
        .current_dir(root)
        .status()
        .context("running cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p runyard failed ({status})");
    }
    Ok(())
}

fn git_commit(root: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    // Uncommitted changes by top-level (or crate) directory, so the report says what was
    // measured. Porcelain lines are "XY path" (or "XY old -> new" for renames).
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["status", "--porcelain"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut dirty: Vec<String> = status
        .lines()
        .filter_map(|l| l.get(3..))
        .map(|p| p.rsplit(" -> ").next().unwrap_or(p))
        .filter(|p| *p != "BENCHMARKS.md")
        .map(|p| {
            let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
            match parts.as_slice() {
                ["crates", name, ..] => format!("crates/{name}/"),
                [one] => (*one).to_owned(),
                [dir, ..] => format!("{dir}/"),
                [] => String::new(),
            }
        })
        .collect();
    dirty.sort();
    dirty.dedup();
    if dirty.is_empty() {
        head
    } else {
        format!("{head} with uncommitted changes in {}", dirty.join(", "))
    }
}

/// Runs one phase (unless `--only` picked another); a failure is reported and recorded,
/// and the run goes on.
macro_rules! phase {
    ($ctx:expr, $only:expr, $key:expr, $name:expr, $call:expr) => {
        if $only.is_none_or(|o: &str| o == $key)
            && let Err(e) = $call.await
        {
            println!("    FAILED: {e:#}");
            $ctx.failures.push(($name.to_owned(), format!("{e:#}")));
        }
    };
}

async fn run_async(
    root: &Path,
    quick: bool,
    only: Option<&str>,
    peer_set: Option<Peers>,
    command: String,
) -> anyhow::Result<()> {
    let begun = Instant::now();
    let plan = Plan::new(quick);
    let log = root.join("target/bench/server.log");
    heading("start: target/release/runyard on an embedded PostgreSQL");
    let server = Server::start(&root.join("target/release/runyard"), &log).await?;
    println!(
        "    server pid {} at {}, PostgreSQL pid {} on port {} (log: {})",
        server.pid,
        server.base_url,
        server.pg.postmaster_pid,
        server.pg.port,
        log.display()
    );
    let api = Api::new(&server.base_url, &server.token)?;
    let watched = Watched::new(server.pid, server.pg.postmaster_pid);
    let postgres_version = sql::psql(&server.superuser(), "SHOW server_version;")
        .await
        .unwrap_or_else(|e| format!("unknown ({e})"));
    let mut ctx = Ctx {
        plan,
        api,
        server,
        watched,
        figures: Vec::new(),
        cpu: Vec::new(),
        failures: Vec::new(),
        tool_commands: Vec::new(),
        baseline: Vec::new(),
        peak_rss_kib: 0,
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = procfs::rss_kib(ctx.server.pid).unwrap_or(0);
    ctx.record(Figure::info(
        "Server RSS, idle after start",
        idle_rss as f64 / 1024.0,
        "MiB",
    ));

    heading("setup: workspace");
    let ws = ctx.api.create_workspace("bench").await?;
    println!("    workspace {ws}");

    phase!(ctx, only, "baseline", "baseline", baseline(&mut ctx, &ws));
    phase!(
        ctx,
        only,
        "single",
        "single enqueue",
        single_enqueue(&mut ctx, &ws)
    );
    phase!(
        ctx,
        only,
        "batch",
        "batch enqueue",
        batch_enqueue(&mut ctx, &ws)
    );
    phase!(ctx, only, "e2e", "end to end", end_to_end(&mut ctx));
    if ctx.peak_rss_kib > 0 {
        let hwm = procfs::hwm_kib(ctx.server.pid).unwrap_or(0);
        ctx.record(
            Figure::info(
                "Server RSS, peak during end to end",
                ctx.peak_rss_kib as f64 / 1024.0,
                "MiB",
            )
            .note(format!(
                "sampled every 100 ms; VmHWM over the whole run {:.1} MiB",
                hwm as f64 / 1024.0
            )),
        );
    }
    phase!(
        ctx,
        only,
        "latency",
        "pickup latency",
        pickup_latency(&mut ctx)
    );
    phase!(ctx, only, "claim", "claim cost", claim_cost(&mut ctx));
    phase!(ctx, only, "usage", "usage", usage(&mut ctx));
    if let Some(peer_set) = &peer_set {
        phase!(ctx, only, "peers", "peers", peers(&mut ctx, peer_set));
    }

    heading("stop: SIGTERM");
    let server_exit = ctx.server.stop()?;
    println!("    server {server_exit}; data directory deleted");

    let report = Report {
        machine: Machine::read(),
        date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        command,
        quick,
        commit: git_commit(root),
        postgres_version,
        total: begun.elapsed(),
        figures: ctx.figures,
        cpu: ctx.cpu,
        failures: ctx.failures,
        tool_commands: ctx.tool_commands,
        server_exit,
    };
    let out = if let Some(phase) = only {
        root.join(format!("target/bench/BENCHMARKS-{phase}.md"))
    } else if quick {
        root.join("target/bench/BENCHMARKS-quick.md")
    } else {
        root.join("BENCHMARKS.md")
    };
    std::fs::write(&out, report.render()).with_context(|| format!("writing {}", out.display()))?;
    let judged: Vec<&Figure> = report
        .figures
        .iter()
        .filter(|f| f.target.is_some())
        .collect();
    let met = judged.iter().filter(|f| f.verdict() == Some(true)).count();
    heading(&format!(
        "done in {:.0} s: {met} of {} targets met; wrote {}",
        report.total.as_secs_f64(),
        judged.len(),
        out.display()
    ));
    for f in judged.iter().filter(|f| f.verdict() == Some(false)) {
        println!("    MISS: {}", f.line());
    }
    if !report.failures.is_empty() {
        bail!(
            "{} phase(s) could not run: {}",
            report.failures.len(),
            report
                .failures
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// `cargo xtask bench [--quick] [--only PHASE]`.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut quick = false;
    let mut with_peers = false;
    let mut only: Option<String> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--peers" => with_peers = true,
            "--only" => {
                let phase = args.next().map(String::as_str).unwrap_or_default();
                if !PHASES.contains(&phase) {
                    bail!("--only takes one of {}\n\n{HELP}", PHASES.join(", "));
                }
                only = Some(phase.to_owned());
            }
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n\n{HELP}"),
        }
    }
    let mut command = "cargo xtask bench".to_owned();
    if quick {
        command.push_str(" --quick");
    }
    if with_peers {
        command.push_str(" --peers");
    }
    if let Some(phase) = &only {
        command.push_str(&format!(" --only {phase}"));
    }
    build(root)?;
    let peer_set = (with_peers || only.as_deref() == Some("peers"))
        .then(|| prepare_peers(root))
        .transpose()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(root, quick, only.as_deref(), peer_set, command))
}
