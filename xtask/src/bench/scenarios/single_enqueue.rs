//! Single enqueue: one job per request over HTTP, at several client counts.

use std::sync::Arc;

use anyhow::bail;

use crate::bench::api::Api;
use crate::bench::driver::drive;
use crate::bench::report::{Figure, Target, int, num};
use crate::bench::stats::{midway, ms, percentile};
use crate::bench::{Ctx, heading};

pub(in crate::bench) async fn single_enqueue(ctx: &mut Ctx, ws: &str) -> anyhow::Result<()> {
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
