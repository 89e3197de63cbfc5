//! `cargo xtask bench`: one benchmark run of a release build against its embedded
//! PostgreSQL — a raw-insert baseline (`pgbench`), single and batch enqueue over HTTP,
//! end-to-end claim/complete throughput, pickup latency, claim cost on a large queue, and
//! the server's memory — written up in `BENCHMARKS.md` with the CPU evidence for any miss.

mod api;
mod procfs;
mod report;
mod server;
mod sql;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;
use tokio::task::JoinSet;

use api::{Api, Claimed};
use procfs::{Machine, Meter, PhaseCpu, RssSampler, Watched};
use report::{Figure, Report, Target, int, num};
use server::Server;

pub const HELP: &str = "\
cargo xtask bench [--quick]

Builds the server in release mode, runs it on an embedded PostgreSQL in a temporary
directory, measures enqueue, end-to-end, latency and claim-cost figures against their
targets, and writes BENCHMARKS.md at the repository root (about 5 minutes).

  --quick   a smoke run with small counts (about a minute) that still exercises every
            phase; writes target/bench/BENCHMARKS-quick.md instead
";

/// Sizes of one run.
struct Plan {
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
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
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
            }
        } else {
            Self {
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

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn mean(v: &[Duration]) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.iter().sum::<Duration>() / v.len() as u32
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The middle of a fixed-length phase, less half of `top`'s one-second frame.
fn midway(d: Duration) -> Duration {
    (d / 2).saturating_sub(Duration::from_millis(500))
}

/// What `drive` counted.
#[derive(Default)]
struct LoopStats {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl LoopStats {
    fn error_note(&self) -> String {
        match &self.first_error {
            Some(e) => format!("{} errors, first: {}", self.errors, e),
            None => "0 errors".into(),
        }
    }
}

/// Runs `clients` tasks, each calling `f(n)` in a loop for `duration`.
async fn drive<F, Fut>(clients: usize, duration: Duration, f: F) -> LoopStats
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let f = Arc::new(f);
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = JoinSet::new();
    for _ in 0..clients {
        let f = f.clone();
        let counter = counter.clone();
        tasks.spawn(async move {
            let mut s = LoopStats::default();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                match f(n).await {
                    Ok(()) => {
                        s.ok += 1;
                        s.latencies.push(t.elapsed());
                    }
                    Err(e) => {
                        s.errors += 1;
                        if s.first_error.is_none() {
                            s.first_error = Some(format!("{e:#}"));
                        }
                        if s.ok == 0 && s.errors >= 20 {
                            break;
                        }
                    }
                }
            }
            s
        });
    }
    let mut all = LoopStats::default();
    while let Some(done) = tasks.join_next().await {
        let Ok(s) = done else { continue };
        all.ok += s.ok;
        all.errors += s.errors;
        if all.first_error.is_none() {
            all.first_error = s.first_error;
        }
        all.latencies.extend(s.latencies);
    }
    all.elapsed = started.elapsed();
    all.latencies.sort_unstable();
    all
}

/// A `{"jobs": [...]}` body of `n` no-op jobs.
fn batch_body(n: usize) -> Vec<u8> {
    let jobs: Vec<_> = (0..n)
        .map(|i| json!({"type": "noop", "payload": {"n": i}}))
        .collect();
    serde_json::to_vec(&json!({ "jobs": jobs })).expect("serialisable")
}

// ---------------------------------------------------------------------------------------
// Phases

async fn baseline(ctx: &mut Ctx, ws: &str) -> anyhow::Result<()> {
    heading("baseline: pgbench raw inserts, one per transaction");
    let su = ctx.server.superuser();
    sql::psql(
        &su,
        "CREATE TABLE IF NOT EXISTS bench_raw (\n\
           id uuid DEFAULT gen_random_uuid() PRIMARY KEY,\n\
           workspace_id uuid,\n\
           type text,\n\
           payload jsonb,\n\
           created_at timestamptz DEFAULT now());\n",
    )
    .await?;
    let script = ctx.server.data_dir.join("bench_raw.sql");
    std::fs::write(
        &script,
        format!(
            "\\set n random(1, 1000000000)\n\
             INSERT INTO bench_raw (workspace_id, type, payload) \
             VALUES ('{ws}', 'noop', jsonb_build_object('n', :n));\n"
        ),
    )?;
    for &clients in ctx.plan.enqueue_clients {
        sql::psql(&su, "TRUNCATE bench_raw;\nCHECKPOINT;\n").await?;
        let secs = ctx.plan.baseline.as_secs();
        let meter = ctx.meter(midway(ctx.plan.baseline)).await;
        let run = sql::pgbench(&su, &script, clients, secs).await?;
        let phase = format!("baseline pgbench c={clients}");
        let cpu = meter
            .finish(&phase, Some(run.transactions), "inserts")
            .await;
        ctx.cpu(cpu);
        ctx.tool_commands.push(run.command.clone());
        ctx.baseline.push((clients, run.tps));
        ctx.record(
            Figure::info(
                format!("Baseline raw INSERT, {clients} clients"),
                run.tps,
                "tps",
            )
            .note(format!(
                "pgbench, {} transactions, {} failed",
                int(run.transactions),
                run.failed
            ))
            .phases(&[&phase]),
        );
    }
    Ok(())
}

async fn single_enqueue(ctx: &mut Ctx, ws: &str) -> anyhow::Result<()> {
    heading("single enqueue over HTTP");
    let path = Arc::new(format!("/v1/workspaces/{ws}/runner-jobs"));
    for &clients in ctx.plan.enqueue_clients {
        ctx.reset_jobs().await?;
        let enqueue = |api: Api, path: Arc<String>| {
            move |n: u64| {
                let api = api.clone();
                let path = path.clone();
                async move { api.enqueue_quiet(&path, n).await }
            }
        };
        let warm = drive(
            clients,
            ctx.plan.warmup,
            enqueue(ctx.api.clone(), path.clone()),
        )
        .await;
        if warm.ok == 0 {
            bail!(
                "no enqueue succeeded during the warm-up: {}",
                warm.error_note()
            );
        }
        let meter = ctx.meter(midway(ctx.plan.single)).await;
        let s = drive(
            clients,
            ctx.plan.single,
            enqueue(ctx.api.clone(), path.clone()),
        )
        .await;
        let phase = format!("single enqueue c={clients}");
        ctx.cpu(meter.finish(&phase, Some(s.ok), "requests").await);
        if s.ok == 0 {
            bail!("no enqueue succeeded: {}", s.error_note());
        }
        let rate = s.ok as f64 / s.elapsed.as_secs_f64();
        let mut figure = Figure::info(
            format!("Single enqueue over HTTP, {clients} clients"),
            rate,
            "jobs/s",
        )
        .note(format!(
            "{} requests; latency p50 {:.1} ms, p99 {:.1} ms; {}",
            int(s.ok),
            ms(percentile(&s.latencies, 0.5)),
            ms(percentile(&s.latencies, 0.99)),
            s.error_note()
        ));
        let mut phases = vec![phase.clone()];
        if let Some(&(_, tps)) = ctx.baseline.iter().find(|(c, _)| *c == clients) {
            figure = figure.target(
                Target::AtLeast(0.5 * tps),
                format!("50% of the baseline's {} tps", num(tps)),
            );
            phases.insert(0, format!("baseline pgbench c={clients}"));
        }
        figure.phases = phases;
        ctx.record(figure);
    }
    Ok(())
}

async fn batch_enqueue(ctx: &mut Ctx, ws: &str) -> anyhow::Result<()> {
    heading("batch enqueue over HTTP (1,000 jobs per request)");
    let path = Arc::new(format!("/v1/workspaces/{ws}/runner-jobs/batch"));
    let body = Arc::new(batch_body(1000));
    let mut best: Option<(f64, usize, String)> = None;
    for &clients in ctx.plan.batch_clients {
        ctx.reset_jobs().await?;
        let api = ctx.api.clone();
        let (p, b) = (path.clone(), body.clone());
        let meter = ctx.meter(midway(ctx.plan.batch)).await;
        let s = drive(clients, ctx.plan.batch, move |_| {
            let api = api.clone();
            let (p, b) = (p.clone(), b.clone());
            async move { api.enqueue_batch(&p, b.to_vec()).await }
        })
        .await;
        let phase = format!("batch enqueue c={clients}");
        ctx.cpu(meter.finish(&phase, Some(s.ok * 1000), "jobs").await);
        if s.ok == 0 {
            bail!("no batch succeeded: {}", s.error_note());
        }
        let rate = s.ok as f64 * 1000.0 / s.elapsed.as_secs_f64();
        println!(
            "    {clients} clients: {} jobs/s ({} batches, p50 {:.0} ms, p99 {:.0} ms, {})",
            num(rate),
            s.ok,
            ms(percentile(&s.latencies, 0.5)),
            ms(percentile(&s.latencies, 0.99)),
            s.error_note()
        );
        let note = format!(
            "best of {:?} clients: {clients}; {} batches, p50 {:.0} ms per batch; {}",
            ctx.plan.batch_clients,
            s.ok,
            ms(percentile(&s.latencies, 0.5)),
            s.error_note()
        );
        if best.as_ref().is_none_or(|(r, _, _)| rate > *r) {
            best = Some((rate, clients, note));
        }
    }
    let (rate, clients, note) = best.context("no batch phase ran")?;
    ctx.record(
        Figure::info("Batch enqueue over HTTP", rate, "jobs/s")
            .target(Target::AtLeast(60_000.0), "")
            .note(note)
            .phases(&[&format!("batch enqueue c={clients}")]),
    );
    Ok(())
}

/// Enqueues `n` jobs (a multiple of 1,000) with 4 concurrent batch requests.
async fn enqueue_many(api: &Api, ws: &str, n: u64) -> anyhow::Result<()> {
    let path = Arc::new(format!("/v1/workspaces/{ws}/runner-jobs/batch"));
    let body = Arc::new(batch_body(1000));
    let batches = n.div_ceil(1000);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..4 {
        let (api, path, body, next) = (api.clone(), path.clone(), body.clone(), next.clone());
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < batches {
                api.enqueue_batch(&path, body.to_vec()).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

/// What the end-to-end runners share.
struct Drain {
    api: Api,
    /// `GET` path listing the workspace's unfinished jobs (one is enough).
    unfinished_path: String,
    max_jobs: u32,
    total: u64,
    done: AtomicU64,
    /// Completions the server refused (e.g. `lease_lost`), and the first refusal's code.
    refused: AtomicU64,
    first_refusal: std::sync::Mutex<Option<String>>,
    /// Set when no job is left unfinished although fewer than `total` were completed.
    finished: AtomicBool,
    /// When the last unfinished-jobs check ran, in ms from `started`.
    last_check_ms: AtomicU64,
    started: Instant,
    /// Milliseconds from `started` to the first completion (`u64::MAX` until then).
    first_ms: AtomicU64,
    deadline: Instant,
}

/// One runner of the end-to-end phase: claim, batch-complete, until every job is done.
/// Refused completions are counted, not fatal: those jobs come back through the lease
/// reaper and are claimed again (or fail after their attempts), as with a real runner.
async fn drain_runner(d: Arc<Drain>, token: String) -> anyhow::Result<()> {
    loop {
        if d.finished.load(Ordering::Relaxed) || d.done.load(Ordering::Relaxed) >= d.total {
            return Ok(());
        }
        if Instant::now() > d.deadline {
            bail!(
                "only {} of {} jobs were completed before the deadline ({} completions refused)",
                d.done.load(Ordering::Relaxed),
                d.total,
                d.refused.load(Ordering::Relaxed)
            );
        }
        let jobs = d.api.claim(&token, d.max_jobs, 0).await?;
        if jobs.is_empty() {
            // Nothing claimable: other runners hold the rest, the reaper has yet to hand
            // lost leases back, or everything is finished. Check that at most twice a second.
            let now = d.started.elapsed().as_millis() as u64;
            let last = d.last_check_ms.load(Ordering::Relaxed);
            if now >= last + 500
                && d.last_check_ms
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                let left = d.api.get(&d.unfinished_path).await?;
                if left["items"].as_array().is_some_and(|a| a.is_empty()) {
                    d.finished.store(true, Ordering::Relaxed);
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
            continue;
        }
        let (ok, refused) = d.api.complete_batch(&token, &jobs).await?;
        if let Some(code) = refused {
            d.refused
                .fetch_add((jobs.len() - ok) as u64, Ordering::Relaxed);
            if let Ok(mut first) = d.first_refusal.lock() {
                first.get_or_insert(code);
            }
        }
        if ok > 0 {
            d.done.fetch_add(ok as u64, Ordering::Relaxed);
            d.first_ms
                .fetch_min(d.started.elapsed().as_millis() as u64, Ordering::Relaxed);
        }
    }
}

async fn end_to_end(ctx: &mut Ctx) -> anyhow::Result<()> {
    heading("end to end: enqueue N, then K runners claim and complete");
    let n = ctx.plan.e2e_jobs;
    let mut best: Option<(f64, usize, u32)> = None;
    let mut summaries = Vec::new();
    let mut phases = Vec::new();
    for &(k, max_jobs) in ctx.plan.e2e_configs {
        ctx.reset_jobs().await?;
        let ws = ctx.api.create_workspace(&format!("e2e-{k}")).await?;
        let mut tokens = Vec::new();
        for i in 0..k {
            tokens.push(
                ctx.api
                    .register_runner(&ws, &format!("bench-e2e-{k}-{i}"))
                    .await
                    .context("registering a runner")?,
            );
        }
        let rss = RssSampler::start(ctx.server.pid);

        let meter = ctx.meter(Duration::ZERO).await;
        let started = Instant::now();
        enqueue_many(&ctx.api, &ws, n).await?;
        let enqueue_time = started.elapsed();
        let phase_enq = format!("e2e enqueue K={k}");
        ctx.cpu(meter.finish(&phase_enq, Some(n), "jobs").await);
        println!(
            "    enqueued {} jobs in {:.1} s ({} jobs/s)",
            int(n),
            enqueue_time.as_secs_f64(),
            num(n as f64 / enqueue_time.as_secs_f64())
        );

        let meter = ctx.meter(Duration::ZERO).await;
        let started = Instant::now();
        let drain = Arc::new(Drain {
            api: ctx.api.clone(),
            unfinished_path: format!(
                "/v1/workspaces/{ws}/runner-jobs?status=PENDING,QUEUED,RUNNING&limit=1"
            ),
            max_jobs,
            total: n,
            done: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            first_refusal: std::sync::Mutex::new(None),
            finished: AtomicBool::new(false),
            last_check_ms: AtomicU64::new(0),
            started,
            first_ms: AtomicU64::new(u64::MAX),
            deadline: started + ctx.plan.e2e_deadline,
        });
        let mut tasks = JoinSet::new();
        for token in tokens {
            tasks.spawn(drain_runner(drain.clone(), token));
        }
        let progress = {
            let drain = drain.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(2));
                every.tick().await;
                loop {
                    every.tick().await;
                    println!(
                        "    … {} of {} completed",
                        int(drain.done.load(Ordering::Relaxed)),
                        int(n)
                    );
                }
            })
        };
        let mut failure = None;
        while let Some(joined) = tasks.join_next().await {
            let outcome = joined.map_err(anyhow::Error::from).and_then(|r| r);
            if let Err(e) = outcome {
                failure.get_or_insert(e);
                tasks.abort_all();
            }
        }
        let drain_time = started.elapsed();
        progress.abort();
        let phase = format!("e2e claim+complete K={k} max_jobs={max_jobs}");
        ctx.cpu(meter.finish(&phase, Some(n), "jobs").await);
        let peak = rss.finish().await;
        ctx.peak_rss_kib = ctx.peak_rss_kib.max(peak);
        if let Some(e) = failure {
            return Err(e.context(format!("runner tasks (K={k}, max_jobs={max_jobs})")));
        }
        let left = ctx.api.get(&drain.unfinished_path).await?;
        if left["items"].as_array().is_none_or(|a| !a.is_empty()) {
            bail!("jobs are still pending, queued or running after the runners finished: {left}");
        }
        let done = drain.done.load(Ordering::Relaxed);
        let refused = drain.refused.load(Ordering::Relaxed);
        let rate = done as f64 / drain_time.as_secs_f64();
        let overall = done as f64 / (enqueue_time + drain_time).as_secs_f64();
        let first = Duration::from_millis(drain.first_ms.load(Ordering::Relaxed));
        let after_first = drain_time.saturating_sub(first).as_secs_f64();
        let mut summary = format!(
            "K={k}, max_jobs={max_jobs}: {} jobs/s ({} of {} jobs completed in {:.1} s; first \
             completion after {:.2} s; {} jobs/s after it; enqueue included {} jobs/s",
            num(rate),
            int(done),
            int(n),
            drain_time.as_secs_f64(),
            first.as_secs_f64(),
            num(done as f64 / after_first.max(1e-3)),
            num(overall)
        );
        if refused > 0 {
            let code = drain
                .first_refusal
                .lock()
                .ok()
                .and_then(|c| c.clone())
                .unwrap_or_default();
            summary.push_str(&format!(
                "; **{} completions refused ({code})**, those jobs went back through the lease \
                 reaper",
                int(refused)
            ));
        }
        if done < n {
            summary.push_str(&format!(
                "; **{} jobs never completed** (failed after their attempts)",
                int(n - done)
            ));
        }
        summary.push(')');
        println!("    {summary}");
        summaries.push(summary);
        phases.push(phase.clone());
        if best.as_ref().is_none_or(|(r, ..)| rate > *r) {
            best = Some((rate, k, max_jobs));
        }
    }
    let (rate, k, max_jobs) = best.context("no end-to-end run")?;
    let phases: Vec<&str> = phases.iter().map(String::as_str).collect();
    ctx.record(
        Figure::info("End to end, queued → completed", rate, "jobs/s")
            .target(Target::AtLeast(20_000.0), "")
            .note(format!(
                "best: K={k}, max_jobs={max_jobs}, N={}. Runs: {}",
                int(n),
                summaries.join("; ")
            ))
            .phases(&phases),
    );
    Ok(())
}
/// Claims by the latency runner: the job, and when the claim's answer arrived.
type Pickup = (Claimed, Instant);

async fn pickup_latency(ctx: &mut Ctx) -> anyhow::Result<()> {
    heading("pickup latency: one long-polling runner");
    ctx.reset_jobs().await?;
    let ws = ctx.api.create_workspace("latency").await?;
    let token = ctx
        .api
        .register_runner(&ws, "bench-latency")
        .await
        .context("registering a runner")?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Pickup>();
    let stop = Arc::new(AtomicBool::new(false));
    let runner = {
        let (api, token, stop) = (ctx.api.clone(), token.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let jobs = api.claim(&token, 1, 30).await?;
                let at = Instant::now();
                for job in jobs {
                    if tx.send((job, at)).is_err() {
                        return Ok(());
                    }
                }
            }
            anyhow::Ok(())
        })
    };

    let warmup = 5;
    let total = ctx.plan.latency_samples + warmup;
    let mut samples = Vec::with_capacity(total);
    // Claims whose answer arrived before the enqueue's own answer (counted as 0 ms).
    let mut early = 0usize;
    let meter = ctx.meter(Duration::from_millis(200)).await;
    let started = Instant::now();
    let result: anyhow::Result<()> = async {
        for i in 0..total {
            // Let the runner park its long poll before the job appears.
            tokio::time::sleep(Duration::from_millis(15)).await;
            let id = ctx.api.enqueue(&ws, i as u64).await?;
            let enqueued = Instant::now();
            let (job, claimed) = loop {
                match tokio::time::timeout(Duration::from_secs(10), rx.recv()).await {
                    Ok(Some((job, at))) if job.id == id => break (job, at),
                    Ok(Some((other, _))) => ctx.api.complete(&token, &other).await?,
                    Ok(None) => bail!("the long-polling runner stopped"),
                    Err(_) => bail!("job {id} was not picked up within 10 s"),
                }
            };
            if i >= warmup {
                if claimed < enqueued {
                    early += 1;
                }
                samples.push(claimed.saturating_duration_since(enqueued));
            }
            ctx.api.complete(&token, &job).await?;
        }
        Ok(())
    }
    .await;
    let elapsed = started.elapsed();
    let cpu = meter
        .finish("pickup latency", Some(samples.len() as u64), "jobs")
        .await;

    // Wake the runner's last poll with one more job, then let it go.
    stop.store(true, Ordering::Relaxed);
    if !runner.is_finished()
        && ctx.api.enqueue(&ws, 999_999_999).await.is_ok()
        && let Ok(Some((job, _))) = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await
    {
        let _ = ctx.api.complete(&token, &job).await;
    }
    drop(rx);
    let runner_result = match tokio::time::timeout(Duration::from_secs(35), runner).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Ok(()),
    };
    ctx.cpu(cpu);
    if let Err(e) = result {
        // The runner's own error (e.g. a 404 from /v1/runner/claim) says more.
        return Err(match runner_result {
            Err(runner_err) => runner_err.context("the long-polling runner failed"),
            Ok(()) => e,
        });
    }
    samples.sort_unstable();
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    let note = format!(
        "{} samples over {:.1} s; mean {:.2} ms, max {:.2} ms; {early} claims answered before \
         the enqueue's response (counted as 0)",
        samples.len(),
        elapsed.as_secs_f64(),
        ms(mean(&samples)),
        ms(samples.last().copied().unwrap_or_default())
    );
    ctx.record(
        Figure::info("Pickup latency p50", ms(p50), "ms")
            .target(Target::AtMost(3.0), "")
            .note(note.clone())
            .phases(&["pickup latency"]),
    );
    ctx.record(
        Figure::info("Pickup latency p99", ms(p99), "ms")
            .target(Target::AtMost(15.0), "")
            .note(note)
            .phases(&["pickup latency"]),
    );
    Ok(())
}

/// Claim(max_jobs=1) + complete, `iterations` times after 20 warm-ups: (pair, claim-only)
/// latencies, sorted.
async fn claim_complete_loop(
    api: &Api,
    token: &str,
    iterations: usize,
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>)> {
    let mut pairs = Vec::with_capacity(iterations);
    let mut claims = Vec::with_capacity(iterations);
    for i in 0..iterations + 20 {
        let t = Instant::now();
        let jobs = api.claim(token, 1, 0).await?;
        let claimed = t.elapsed();
        let job = jobs
            .first()
            .context("claim returned no job from a full queue")?;
        api.complete(token, job).await?;
        if i >= 20 {
            pairs.push(t.elapsed());
            claims.push(claimed);
        }
    }
    pairs.sort_unstable();
    claims.sort_unstable();
    Ok((pairs, claims))
}

async fn claim_cost(ctx: &mut Ctx) -> anyhow::Result<()> {
    heading("claim cost: claim(max_jobs=1) + complete, small queue vs large queue");
    ctx.reset_jobs().await?;
    let ws = ctx.api.create_workspace("claim-cost").await?;
    let token = ctx
        .api
        .register_runner(&ws, "bench-claim-cost")
        .await
        .context("registering a runner")?;
    let small = ctx.plan.claim_small_queue;
    enqueue_many(&ctx.api, &ws, small).await?;
    let iterations = ctx.plan.claim_iterations;

    let meter = ctx.meter(Duration::from_millis(200)).await;
    let (pairs_small, claims_small) = claim_complete_loop(&ctx.api, &token, iterations).await?;
    let phase_small = format!("claim cost, {} queued", int(small));
    ctx.cpu(
        meter
            .finish(&phase_small, Some(iterations as u64), "pairs")
            .await,
    );
    let mean_small = ms(mean(&pairs_small));
    let p50_small = ms(percentile(&pairs_small, 0.5));
    ctx.record(
        Figure::info(
            format!("Claim + complete, {} queued (mean)", int(small)),
            mean_small,
            "ms",
        )
        .note(format!(
            "p50 {:.2} ms; claim alone mean {:.2} ms; {iterations} iterations",
            p50_small,
            ms(mean(&claims_small))
        )),
    );

    let large = ctx.plan.claim_large_queue;
    println!(
        "    loading {} queued jobs in SQL as the owner role…",
        int(large)
    );
    let started = Instant::now();
    sql::psql(
        &ctx.server.owner(),
        &format!(
            "BEGIN;\n\
             SELECT set_config('runyard.workspace_id', '{ws}', true);\n\
             INSERT INTO runner_jobs (workspace_id, id, type, payload, status, created_by, last_event_seq) \
             SELECT '{ws}', gen_random_uuid(), 'noop', '{{}}', 'QUEUED', 'bench', 0 \
             FROM generate_series(1, {large});\n\
             COMMIT;\n\
             ANALYZE runner_jobs;\n"
        ),
    )
    .await
    .context("loading the large queue")?;
    let load = started.elapsed();
    println!(
        "    loaded in {:.1} s ({} rows/s)",
        load.as_secs_f64(),
        num(large as f64 / load.as_secs_f64())
    );

    let meter = ctx.meter(Duration::from_millis(200)).await;
    let (pairs_large, claims_large) = claim_complete_loop(&ctx.api, &token, iterations).await?;
    let phase_large = format!("claim cost, {} queued", int(large));
    ctx.cpu(
        meter
            .finish(&phase_large, Some(iterations as u64), "pairs")
            .await,
    );
    let mean_large = ms(mean(&pairs_large));
    let p50_large = ms(percentile(&pairs_large, 0.5));
    ctx.record(
        Figure::info(
            format!("Claim + complete, {} queued (mean)", int(large)),
            mean_large,
            "ms",
        )
        .note(format!(
            "p50 {:.2} ms; claim alone mean {:.2} ms; {iterations} iterations; queue loaded in {:.1} s",
            p50_large,
            ms(mean(&claims_large)),
            load.as_secs_f64()
        )),
    );
    ctx.record(
        Figure::info(
            format!(
                "Claim cost ratio, {} vs {} queued (mean)",
                int(large),
                int(small)
            ),
            mean_large / mean_small,
            "×",
        )
        .target(Target::AtMost(1.5), "")
        .note(format!(
            "p50 ratio {:.2}×; claim alone {:.2}×",
            p50_large / p50_small,
            ms(mean(&claims_large)) / ms(mean(&claims_small))
        ))
        .phases(&[&phase_small, &phase_large]),
    );
    Ok(())
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

/// Runs one phase; a failure is reported and recorded, and the run goes on.
macro_rules! phase {
    ($ctx:expr, $name:expr, $call:expr) => {
        if let Err(e) = $call.await {
            println!("    FAILED: {e:#}");
            $ctx.failures.push(($name.to_owned(), format!("{e:#}")));
        }
    };
}

async fn run_async(root: &Path, quick: bool, command: String) -> anyhow::Result<()> {
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

    phase!(ctx, "baseline", baseline(&mut ctx, &ws));
    phase!(ctx, "single enqueue", single_enqueue(&mut ctx, &ws));
    phase!(ctx, "batch enqueue", batch_enqueue(&mut ctx, &ws));
    phase!(ctx, "end to end", end_to_end(&mut ctx));
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
    phase!(ctx, "pickup latency", pickup_latency(&mut ctx));
    phase!(ctx, "claim cost", claim_cost(&mut ctx));

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
    let out = if quick {
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

/// `cargo xtask bench [--quick]`.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut quick = false;
    for arg in args {
        match arg.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n\n{HELP}"),
        }
    }
    let command = if quick {
        "cargo xtask bench --quick".to_owned()
    } else {
        "cargo xtask bench".to_owned()
    };
    build(root)?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run_async(root, quick, command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&v, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&v[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
        assert_eq!(mean(&v[..3]), Duration::from_millis(2));
    }

    #[test]
    fn batch_bodies_hold_the_requested_jobs() {
        let body: serde_json::Value = serde_json::from_slice(&batch_body(3)).unwrap();
        assert_eq!(body["jobs"].as_array().unwrap().len(), 3);
        assert_eq!(body["jobs"][2]["payload"]["n"], 2);
    }
}
