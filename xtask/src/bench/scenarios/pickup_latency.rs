//! Pickup latency: how soon a runner waiting in a long-poll claim gets a new job.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::bench::api::Claimed;
use crate::bench::report::{Figure, Target};
use crate::bench::stats::{mean, ms, percentile};
use crate::bench::{Ctx, heading};

/// Claims by the latency runner: the job, and when the claim's answer arrived.
type Pickup = (Claimed, Instant);

pub(in crate::bench) async fn pickup_latency(ctx: &mut Ctx) -> anyhow::Result<()> {
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
