//! End to end: enqueue N jobs, then K runners claim and batch-complete them all.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::task::JoinSet;

use crate::bench::api::Api;
use crate::bench::driver::enqueue_many;
use crate::bench::procfs::RssSampler;
use crate::bench::report::{Figure, Target, int, num};
use crate::bench::{Ctx, heading};

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

/// What [`drain_all`] did.
pub(in crate::bench) struct Drained {
    pub done: u64,
    /// Completions the server refused, and the first refusal's code.
    pub refused: u64,
    pub first_refusal: Option<String>,
    /// From the start to the first accepted completion.
    pub first: Duration,
    pub elapsed: Duration,
}

/// Runners (one task per token) claim up to `max_jobs` at a time and batch-complete them
/// until the workspace `ws` has no unfinished job; fails past `deadline` or when a job is
/// still unfinished afterwards.
pub(in crate::bench) async fn drain_all(
    api: &Api,
    ws: &str,
    tokens: Vec<String>,
    max_jobs: u32,
    total: u64,
    deadline: Duration,
) -> anyhow::Result<Drained> {
    let started = Instant::now();
    let drain = Arc::new(Drain {
        api: api.clone(),
        unfinished_path: format!(
            "/v1/workspaces/{ws}/runner-jobs?status=PENDING,QUEUED,RUNNING&limit=1"
        ),
        max_jobs,
        total,
        done: AtomicU64::new(0),
        refused: AtomicU64::new(0),
        first_refusal: std::sync::Mutex::new(None),
        finished: AtomicBool::new(false),
        last_check_ms: AtomicU64::new(0),
        started,
        first_ms: AtomicU64::new(u64::MAX),
        deadline: started + deadline,
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
                    int(total)
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
    let elapsed = started.elapsed();
    progress.abort();
    if let Some(e) = failure {
        return Err(e);
    }
    let left = api.get(&drain.unfinished_path).await?;
    if left["items"].as_array().is_none_or(|a| !a.is_empty()) {
        bail!("jobs are still pending, queued or running after the runners finished: {left}");
    }
    Ok(Drained {
        done: drain.done.load(Ordering::Relaxed),
        refused: drain.refused.load(Ordering::Relaxed),
        first_refusal: drain.first_refusal.lock().ok().and_then(|c| c.clone()),
        first: Duration::from_millis(drain.first_ms.load(Ordering::Relaxed)),
        elapsed,
    })
}

pub(in crate::bench) async fn end_to_end(ctx: &mut Ctx) -> anyhow::Result<()> {
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
        let drained = drain_all(&ctx.api, &ws, tokens, max_jobs, n, ctx.plan.e2e_deadline).await;
        let phase = format!("e2e claim+complete K={k} max_jobs={max_jobs}");
        ctx.cpu(meter.finish(&phase, Some(n), "jobs").await);
        let peak = rss.finish().await;
        ctx.peak_rss_kib = ctx.peak_rss_kib.max(peak);
        let drained =
            drained.with_context(|| format!("runner tasks (K={k}, max_jobs={max_jobs})"))?;
        let Drained {
            done,
            refused,
            first_refusal,
            first,
            elapsed: drain_time,
        } = drained;
        let rate = done as f64 / drain_time.as_secs_f64();
        let overall = done as f64 / (enqueue_time + drain_time).as_secs_f64();
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
            let code = first_refusal.unwrap_or_default();
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
