//! Usage: record model calls over HTTP (1000 per request, one job per request, a few
//! clients at once), then grow the workspace to many calls in SQL and time the usage
//! roll-up by every group-by.

use std::time::{Duration, Instant};

use anyhow::Context;
use runyard_client::{AiCallIn, AiCallStatus};

use crate::bench::api::Api;
use crate::bench::report::{Figure, int, num};
use crate::bench::stats::{mean, ms, percentile};
use crate::bench::{Ctx, heading, sql};

const PER_REQUEST: u64 = 1000;
const CLIENTS: u64 = 4;
const MODELS: [(&str, &str); 5] = [
    ("anthropic", "claude-opus-4-1"),
    ("anthropic", "claude-sonnet-4-5"),
    ("anthropic", "claude-haiku-4-5"),
    ("openai", "gpt-5"),
    ("openai", "gpt-5-mini"),
];

fn calls(first: u64) -> Vec<AiCallIn> {
    let now = chrono::Utc::now();
    (first..first + PER_REQUEST)
        .map(|i| {
            let (provider, model) = MODELS[(i % 5) as usize];
            AiCallIn {
                id: format!("00000000-0000-4000-8000-{i:012x}"),
                step_ordinal: None,
                provider: provider.to_owned(),
                model: model.to_owned(),
                input_tokens: i % 4000,
                output_tokens: i % 700,
                cached_tokens: None,
                cost_usd: format!("0.{:06}", i % 100_000),
                latency_ms: i % 5000,
                status: AiCallStatus::Ok,
                error: None,
                batch_id: None,
                started_at: now - chrono::TimeDelta::seconds((i % 2_592_000) as i64),
                metadata: None,
            }
        })
        .collect()
}

/// One client: claim a job, record a request's worth of calls for it; `requests` times.
async fn record_loop(
    api: Api,
    ws: String,
    token: String,
    client: u64,
    requests: u64,
) -> anyhow::Result<u64> {
    let mut recorded = 0;
    for r in 0..requests {
        api.enqueue(&ws, r).await?;
        let job = api
            .claim(&token, 1, 5)
            .await?
            .into_iter()
            .next()
            .context("no job to record calls for")?;
        recorded += api
            .record_ai_calls(&token, &job, calls((client * requests + r) * PER_REQUEST))
            .await?;
    }
    Ok(recorded)
}

pub(in crate::bench) async fn usage(ctx: &mut Ctx) -> anyhow::Result<()> {
    let http_calls = ctx.plan.usage_http_calls;
    let total = ctx.plan.usage_total_calls;
    heading(&format!(
        "usage: record {} model calls over HTTP, then the roll-up at {} calls",
        int(http_calls),
        int(total)
    ));
    ctx.reset_jobs().await?;
    let ws = ctx.api.create_workspace("usage").await?;
    let token = ctx
        .api
        .register_runner(&ws, "bench-usage")
        .await
        .context("registering a runner")?;
    let requests = http_calls / PER_REQUEST / CLIENTS;

    let meter = ctx.meter(Duration::from_millis(200)).await;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..CLIENTS {
        tasks.spawn(record_loop(
            ctx.api.clone(),
            ws.clone(),
            token.clone(),
            client,
            requests,
        ));
    }
    let mut recorded = 0;
    while let Some(done) = tasks.join_next().await {
        recorded += done??;
    }
    let took = started.elapsed();
    ctx.cpu(
        meter
            .finish("usage, recording over HTTP", Some(recorded), "calls")
            .await,
    );
    ctx.record(
        Figure::info(
            format!("Model calls recorded over HTTP ({} calls)", int(recorded)),
            recorded as f64 / took.as_secs_f64(),
            "calls/s",
        )
        .note(format!(
            "{} requests of {PER_REQUEST} calls from {CLIENTS} clients in {:.1} s (each request also enqueues and claims its job)",
            int(recorded / PER_REQUEST),
            took.as_secs_f64()
        ))
        .phases(&["usage, recording over HTTP"]),
    );

    let extra = total.saturating_sub(recorded);
    println!(
        "    loading {} more calls in SQL as the owner role…",
        int(extra)
    );
    let started = Instant::now();
    sql::psql(
        &ctx.server.owner(),
        &format!(
            "BEGIN;\n\
             SELECT set_config('runyard.workspace_id', '{ws}', true);\n\
             WITH jobs AS (SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id, type, agent_task_id \
                             FROM runner_jobs WHERE workspace_id = '{ws}'), \
                  counted AS (SELECT count(*) AS c FROM jobs) \
             INSERT INTO ai_calls (workspace_id, id, job_id, attempt, job_type, agent_task_id, provider, model, \
                                   input_tokens, output_tokens, cost_usd, latency_ms, status, started_at) \
             SELECT '{ws}', gen_random_uuid(), j.id, 1, j.type, j.agent_task_id, \
                    CASE WHEN g % 5 < 3 THEN 'anthropic' ELSE 'openai' END, 'model-' || (g % 5), \
                    g % 4000, g % 700, ((g % 100000) / 1000000.0)::numeric, g % 5000, 'ok', \
                    now() - (g % 2592000) * interval '1 second' \
               FROM generate_series(1, {extra}) g CROSS JOIN counted \
               JOIN jobs j ON j.n = g % counted.c;\n\
             COMMIT;\n\
             ANALYZE ai_calls;\n"
        ),
    )
    .await
    .context("loading model calls")?;
    println!("    loaded in {:.1} s", started.elapsed().as_secs_f64());

    let plan = sql::psql(
        &ctx.server.owner(),
        &format!(
            "BEGIN;\n\
             SELECT set_config('runyard.workspace_id', '{ws}', true);\n\
             EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) \
             SELECT a.model AS grp, count(*), sum(a.input_tokens), sum(a.output_tokens), sum(a.cost_usd) \
               FROM ai_calls a \
              WHERE a.workspace_id = '{ws}' AND a.started_at >= now() - interval '30 days' AND a.started_at < now() \
              GROUP BY 1;\n\
             COMMIT;\n"
        ),
    )
    .await
    .context("explaining the roll-up")?;
    println!("    plan of the calls part of group_by=model:\n{plan}");
    let plan_path = std::path::Path::new("target/bench/usage-plan.txt");
    let _ = std::fs::create_dir_all("target/bench");
    let _ = std::fs::write(plan_path, &plan);

    let iterations = ctx.plan.usage_query_iterations;
    for group_by in ["model", "provider", "type", "task", "day"] {
        let path = format!("/v1/workspaces/{ws}/usage?group_by={group_by}");
        let first = ctx.api.get(&path).await?;
        let groups = first["items"].as_array().map_or(0, Vec::len);
        let mut took = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let t = Instant::now();
            ctx.api.get(&path).await?;
            took.push(t.elapsed());
        }
        took.sort_unstable();
        ctx.record(
            Figure::info(
                format!("Usage roll-up at {} calls, group_by={group_by} (p50)", int(total)),
                ms(percentile(&took, 0.5)),
                "ms",
            )
            .note(format!(
                "mean {} ms, p95 {} ms over {iterations} requests; {groups} groups; last 30 days (all calls)",
                num(ms(mean(&took))),
                num(ms(percentile(&took, 0.95)))
            )),
        );
    }
    Ok(())
}
