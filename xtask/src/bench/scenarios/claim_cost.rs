//! Claim cost: claim + complete on a small and on a large queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::task::JoinSet;

use crate::bench::api::Api;
use crate::bench::driver::{batch_body, enqueue_many};
use crate::bench::report::{Figure, Target, int, num};
use crate::bench::stats::{mean, ms, percentile};
use crate::bench::{Ctx, heading, sql};

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

pub(in crate::bench) async fn claim_cost(ctx: &mut Ctx) -> anyhow::Result<()> {
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
    churn(ctx).await
}

/// Claim + complete while the queue churns: runners claim and complete 100 at a time and a
/// producer enqueues as many as they finish, so the backlog stays put while every claimed
/// job leaves a dead entry at the head of the claim index until vacuum removes it. A probe
/// runner times claim(max_jobs=1) + complete throughout; the figure is the slowest later
/// window's mean against the first window's.
async fn churn(ctx: &mut Ctx) -> anyhow::Result<()> {
    let (total, window) = (ctx.plan.churn, ctx.plan.churn_window);
    heading(&format!(
        "claim cost under churn: {} s, windows of {} s",
        total.as_secs(),
        window.as_secs()
    ));
    ctx.reset_jobs().await?;
    let ws = ctx.api.create_workspace("claim-churn").await?;
    let backlog = 20_000;
    enqueue_many(&ctx.api, &ws, backlog).await?;
    let probe = ctx.api.register_runner(&ws, "churn-probe").await?;
    let stop = Arc::new(AtomicBool::new(false));
    let completed = Arc::new(AtomicU64::new(0));
    let mut load = JoinSet::new();
    for i in 0..2 {
        let token = ctx.api.register_runner(&ws, &format!("churn-{i}")).await?;
        let (api, stop, completed) = (ctx.api.clone(), stop.clone(), completed.clone());
        load.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let jobs = api.claim(&token, 100, 0).await?;
                let (ok, _) = api.complete_batch(&token, &jobs).await?;
                completed.fetch_add(ok as u64, Ordering::Relaxed);
            }
            anyhow::Ok(())
        });
    }
    {
        let (api, stop, completed) = (ctx.api.clone(), stop.clone(), completed.clone());
        let path = format!("/v1/workspaces/{ws}/runner-jobs/batch");
        let body = batch_body(100);
        load.spawn(async move {
            let mut enqueued = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if completed.load(Ordering::Relaxed) >= enqueued + 100 {
                    api.enqueue_batch(&path, body.to_vec()).await?;
                    enqueued += 100;
                } else {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            anyhow::Ok(())
        });
    }

    let meter = ctx.meter(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut windows: Vec<Vec<Duration>> = Vec::new();
    let mut pairs = 0u64;
    while started.elapsed() < total {
        let slot = (started.elapsed().as_secs_f64() / window.as_secs_f64()) as usize;
        if windows.len() <= slot {
            windows.resize_with(slot + 1, Vec::new);
        }
        let t = Instant::now();
        let jobs = ctx.api.claim(&probe, 1, 0).await?;
        let job = jobs.first().context("the churning queue ran dry")?;
        ctx.api.complete(&probe, job).await?;
        windows[slot].push(t.elapsed());
        pairs += 1;
    }
    stop.store(true, Ordering::Relaxed);
    while let Some(done) = load.join_next().await {
        done??;
    }
    let churned = completed.load(Ordering::Relaxed);
    let phase = format!("claim cost under churn, {} s", total.as_secs());
    ctx.cpu(meter.finish(&phase, Some(pairs), "pairs").await);

    let means: Vec<f64> = windows
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| ms(mean(w)))
        .collect();
    let first = *means.first().context("no churn window was measured")?;
    let worst = means[1..].iter().copied().fold(first, f64::max);
    let shown: Vec<String> = means.iter().map(|m| format!("{m:.2}")).collect();
    ctx.record(
        Figure::info(
            "Claim + complete under churn, first window (mean)",
            first,
            "ms",
        )
        .note(format!(
            "{} jobs claimed and completed by 2 runners (100 per claim) and as many \
                 enqueued over {} s, backlog {}; probe pairs {}",
            int(churned),
            total.as_secs(),
            int(backlog),
            int(pairs)
        )),
    );
    ctx.record(
        Figure::info(
            "Claim cost ratio under churn, slowest window vs first (mean)",
            worst / first,
            "×",
        )
        .target(Target::AtMost(1.5), "")
        .note(format!(
            "window means (ms, {} s each): {}",
            window.as_secs(),
            shown.join(", ")
        ))
        .phases(&[&phase]),
    );
    Ok(())
}
