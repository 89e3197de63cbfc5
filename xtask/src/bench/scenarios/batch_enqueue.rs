//! Batch enqueue: many jobs per request over HTTP.

use std::sync::Arc;

use anyhow::{Context, bail};

use crate::bench::driver::{batch_body, drive};
use crate::bench::report::{Figure, Target, num};
use crate::bench::stats::{midway, ms, percentile};
use crate::bench::{Ctx, heading};

pub(in crate::bench) async fn batch_enqueue(ctx: &mut Ctx, ws: &str) -> anyhow::Result<()> {
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
