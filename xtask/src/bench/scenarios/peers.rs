//! Peers (`--peers`): the same phases for Runyard over HTTP and for the Postgres job queues
//! users would pick instead — pg-boss and graphile-worker, in-process (no HTTP), from
//! `xtask/peers` on Node 22 from the npm registry — against the same PostgreSQL server in
//! the same run, so the ratios hold whatever the machine's speed that day.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;
use tokio::task::JoinSet;

use super::end_to_end::drain_all;
use crate::bench::driver::{batch_body, enqueue_many};
use crate::bench::report::{Figure, Target, int, num};
use crate::bench::{Ctx, heading, sql};

/// The peers, in the order the report lists them.
const PEERS: [&str; 2] = ["pg-boss", "graphile-worker"];

/// The Node.js program and the script that drive the peers.
pub(in crate::bench) struct Peers {
    node: PathBuf,
    script: PathBuf,
}

/// Installs the pinned peers (`npm ci` in `xtask/peers`, which also brings Node 22 as an npm
/// package) unless they are installed already.
pub(in crate::bench) fn prepare(root: &Path) -> anyhow::Result<Peers> {
    heading("peers: npm ci in xtask/peers (pg-boss, graphile-worker, Node 22)");
    let dir = root.join("xtask/peers");
    let node = dir.join("node_modules/.bin/node");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => i.modified()? >= l.modified()? && node.is_file(),
        _ => false,
    };
    if fresh {
        println!("    installed already");
    } else {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .context("running npm ci in xtask/peers (is npm installed?)")?;
        if !status.success() {
            bail!("npm ci in xtask/peers failed ({status})");
        }
    }
    let version = std::process::Command::new(&node)
        .arg("--version")
        .output()
        .with_context(|| format!("running {}", node.display()))?;
    println!(
        "    node {}",
        String::from_utf8_lossy(&version.stdout).trim()
    );
    Ok(Peers {
        node,
        script: dir.join("peers.mjs"),
    })
}

impl Peers {
    /// Runs one phase of one peer in a database of its own; returns the script's JSON line.
    async fn run(&self, ctx: &Ctx, peer: &str, phase: &str, scale: f64) -> anyhow::Result<Value> {
        let su = ctx.server.superuser();
        let url = format!(
            "postgres://{}:{}@127.0.0.1:{}/postgres",
            su.user, su.password, su.port
        );
        let out = tokio::process::Command::new(&self.node)
            .arg(&self.script)
            .args([peer, phase, &url, &scale.to_string()])
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .await
            .with_context(|| format!("running {peer} {phase}"))?;
        if !out.status.success() {
            bail!("{peer} {phase} failed ({})", out.status);
        }
        let line = String::from_utf8_lossy(&out.stdout);
        let line = line.lines().last().unwrap_or_default();
        serde_json::from_str(line).with_context(|| format!("{peer} {phase} printed {line:?}"))
    }
}

/// One compared phase: Runyard's figure and each peer's.
struct Row {
    name: &'static str,
    unit: &'static str,
    higher_is_better: bool,
    runyard: f64,
    runyard_note: String,
    peers: Vec<(&'static str, f64, String)>,
}

/// Enqueues `total` jobs from `callers` concurrent callers, `size` jobs per request
/// (`size == 1`: the single-job endpoint); returns jobs per second.
async fn enqueue_rate(
    ctx: &Ctx,
    ws: &str,
    callers: usize,
    total: u64,
    size: u64,
) -> anyhow::Result<f64> {
    let next = Arc::new(AtomicU64::new(0));
    let single = Arc::new(format!("/v1/workspaces/{ws}/runner-jobs"));
    let batch = Arc::new(format!("/v1/workspaces/{ws}/runner-jobs/batch"));
    let body = Arc::new(batch_body(size as usize));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..callers {
        let (api, next, single, batch, body) = (
            ctx.api.clone(),
            next.clone(),
            single.clone(),
            batch.clone(),
            body.clone(),
        );
        tasks.spawn(async move {
            loop {
                let start = next.fetch_add(size, Ordering::Relaxed);
                if start >= total {
                    return anyhow::Ok(());
                }
                if size == 1 {
                    api.enqueue_quiet(&single, start).await?;
                } else {
                    api.enqueue_batch(&batch, body.to_vec()).await?;
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Queues `total` jobs, then `runners` runners claim `max_jobs` at a time and complete
/// them; returns jobs per second of the draining alone.
async fn process_rate(
    ctx: &Ctx,
    label: &str,
    total: u64,
    runners: usize,
    max_jobs: u32,
) -> anyhow::Result<f64> {
    ctx.reset_jobs().await?;
    let ws = ctx.api.create_workspace(label).await?;
    let mut tokens = Vec::new();
    for i in 0..runners {
        tokens.push(
            ctx.api
                .register_runner(&ws, &format!("{label}-{i}"))
                .await?,
        );
    }
    enqueue_many(&ctx.api, &ws, total).await?;
    let drained = drain_all(
        &ctx.api,
        &ws,
        tokens,
        max_jobs,
        total,
        Duration::from_secs(300),
    )
    .await?;
    Ok(drained.done as f64 / drained.elapsed.as_secs_f64())
}

/// PostgreSQL's own rate for a 100-row INSERT in one statement, one client (pgbench):
/// rows per second.
async fn pgbench_100_rows(ctx: &mut Ctx, ws: &str, seconds: u64) -> anyhow::Result<f64> {
    let su = ctx.server.superuser();
    sql::psql(
        &su,
        "CREATE TABLE IF NOT EXISTS bench_raw (\n\
           id uuid DEFAULT gen_random_uuid() PRIMARY KEY,\n\
           workspace_id uuid,\n\
           type text,\n\
           payload jsonb,\n\
           created_at timestamptz DEFAULT now());\n\
         TRUNCATE bench_raw;\nCHECKPOINT;\n",
    )
    .await?;
    let script = ctx.server.data_dir.join("bench_raw_100.sql");
    std::fs::write(
        &script,
        format!(
            "INSERT INTO bench_raw (workspace_id, type, payload) \
             SELECT '{ws}', 'noop', jsonb_build_object('n', g) FROM generate_series(1, 100) g;\n"
        ),
    )?;
    let run = sql::pgbench(&su, &script, 1, seconds).await?;
    ctx.tool_commands.push(run.command.clone());
    Ok(run.tps * 100.0)
}

fn figure_value(ctx: &Ctx, name: &str) -> Option<f64> {
    ctx.figures.iter().find(|f| f.name == name).map(|f| f.value)
}

pub(in crate::bench) async fn peers(ctx: &mut Ctx, peers: &Peers) -> anyhow::Result<()> {
    heading("peers: the same phases for Runyard, pg-boss and graphile-worker");
    let quick = ctx.plan.quick;
    let scale = if quick { 0.1 } else { 1.0 };
    let count = |full: u64| ((full as f64 * scale) as u64).max(1000);
    let mut rows = Vec::new();

    ctx.reset_jobs().await?;
    let ws = ctx.api.create_workspace("peers-enqueue").await?;
    let enqueue_phases: [(&str, &'static str, usize, u64, u64); 3] = [
        ("single", "Single enqueue, 8 callers", 8, 20_000, 1),
        (
            "batch1",
            "Batch enqueue, 100 per call, 1 caller",
            1,
            20_000,
            100,
        ),
        (
            "batch8",
            "Batch enqueue, 100 per call, 8 callers",
            8,
            80_000,
            100,
        ),
    ];
    for (phase, name, callers, full, size) in enqueue_phases {
        let total = count(full);
        println!("    runyard {phase}: {} jobs", int(total));
        let rate = enqueue_rate(ctx, &ws, callers, total, size).await?;
        rows.push(Row {
            name,
            unit: "jobs/s",
            higher_is_better: true,
            runyard: rate,
            runyard_note: format!("{} jobs over HTTP", int(total)),
            peers: Vec::new(),
        });
    }
    let processing: [(&str, &'static str, usize, u32); 2] = [
        (
            "process",
            "Processing 50k queued, no-op, best setting each",
            8,
            250,
        ),
        (
            "small",
            "Processing, small claims (10 per claim × 16)",
            16,
            10,
        ),
    ];
    for (phase, name, runners, max_jobs) in processing {
        let total = count(50_000);
        println!("    runyard {phase}: {} jobs", int(total));
        let rate = process_rate(ctx, &format!("peers-{phase}"), total, runners, max_jobs).await?;
        rows.push(Row {
            name,
            unit: "jobs/s",
            higher_is_better: true,
            runyard: rate,
            runyard_note: format!("{runners} runners × max_jobs={max_jobs}, batch complete"),
            peers: Vec::new(),
        });
    }
    let pickup = (
        figure_value(ctx, "Pickup latency p50"),
        figure_value(ctx, "Pickup latency p99"),
    );
    if let (Some(p50), Some(p99)) = pickup {
        for (name, v) in [("Pickup latency p50", p50), ("Pickup latency p99", p99)] {
            rows.push(Row {
                name,
                unit: "ms",
                higher_is_better: false,
                runyard: v,
                runyard_note: "from the pickup-latency phase above".into(),
                peers: Vec::new(),
            });
        }
    }

    for peer in PEERS {
        for phase in ["single", "batch1", "batch8", "process", "small", "pickup"] {
            println!("    {peer} {phase}");
            let out = peers.run(ctx, peer, phase, scale).await?;
            let settings = out["settings"].as_str().unwrap_or_default().to_owned();
            let version = out["version"].as_str().unwrap_or_default();
            let note = format!("{peer} {version}: {settings}");
            let values: Vec<(usize, f64)> = match phase {
                "pickup" => {
                    let base = rows.len() - 2;
                    match (out["p50_ms"].as_f64(), out["p99_ms"].as_f64()) {
                        (Some(a), Some(b)) if pickup.0.is_some() => vec![(base, a), (base + 1, b)],
                        _ => Vec::new(),
                    }
                }
                _ => {
                    let i = ["single", "batch1", "batch8", "process", "small"]
                        .iter()
                        .position(|p| *p == phase)
                        .expect("a known phase");
                    let rate = out["jobs_per_s"]
                        .as_f64()
                        .with_context(|| format!("{peer} {phase}: no jobs_per_s in {out}"))?;
                    vec![(i, rate)]
                }
            };
            for (row, value) in values {
                println!("      {}: {}", rows[row].name, num(value));
                rows[row].peers.push((peer, value, note.clone()));
            }
        }
    }

    let seconds = if quick { 3 } else { 10 };
    let raw = pgbench_100_rows(ctx, &ws, seconds).await?;

    for row in &rows {
        let best = if row.higher_is_better {
            row.peers.iter().max_by(|a, b| a.1.total_cmp(&b.1))
        } else {
            row.peers.iter().min_by(|a, b| a.1.total_cmp(&b.1))
        };
        let Some((best_name, best_value, _)) = best else {
            continue;
        };
        let target = if row.higher_is_better {
            Target::AtLeast(*best_value)
        } else {
            Target::AtMost(*best_value)
        };
        let others: Vec<String> = row.peers.iter().map(|(_, _, note)| note.clone()).collect();
        let values: Vec<String> = row
            .peers
            .iter()
            .map(|(p, v, _)| format!("{p} {} {}", num(*v), row.unit))
            .collect();
        ctx.record(
            Figure::info(format!("vs peers: {}", row.name), row.runyard, row.unit)
                .target(target, format!("best peer: {best_name}"))
                .note(format!(
                    "Runyard: {}. Peers: {}. Settings: {}",
                    row.runyard_note,
                    values.join(", "),
                    others.join("; ")
                )),
        );
    }
    if let Some(batch1) = rows.get(1) {
        ctx.record(
            Figure::info(
                "Batch enqueue, 1 caller, vs PostgreSQL's 100-row INSERT",
                batch1.runyard,
                "jobs/s",
            )
            .target(
                Target::AtLeast(raw * 0.5),
                format!(
                    "50% of pgbench's {} rows/s (one 100-row INSERT per transaction, 1 client)",
                    num(raw)
                ),
            ),
        );
    }
    Ok(())
}
