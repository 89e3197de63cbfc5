//! `runyard usage` (what model calls and steps cost, grouped) and `runyard stats` (the
//! workspace's queue at a glance).

use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use runyard_client::{UsageReport, WorkspaceStats};

use super::client::CliError;
use super::output::{self, Fields, Table};
use super::{Connection, Ctx, parse};

pub const USAGE_EXAMPLES: &str = "\
Examples:
  runyard usage -w acme                       # the last 30 days, by model
  runyard usage -w acme --group-by day --from 2026-12-01T00:00:00Z
  runyard usage -w acme --group-by task --json";

pub const STATS_EXAMPLES: &str = "\
Examples:
  runyard stats -w acme
  runyard stats -w acme --json";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GroupBy {
    Model,
    Provider,
    /// The job's type.
    Type,
    /// The job's agent task.
    Task,
    /// The UTC day.
    Day,
}

impl GroupBy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Provider => "provider",
            Self::Type => "type",
            Self::Task => "task",
            Self::Day => "day",
        }
    }
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    #[command(flatten)]
    pub conn: Connection,
    /// What to group by.
    #[arg(long, value_enum, default_value = "model")]
    pub group_by: GroupBy,
    /// Start, inclusive, RFC 3339 [default: 30 days before --to].
    #[arg(long, value_name = "TIME")]
    pub from: Option<DateTime<Utc>>,
    /// End, exclusive, RFC 3339 [default: now].
    #[arg(long, value_name = "TIME")]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub conn: Connection,
}

pub async fn usage(ctx: &Ctx, args: UsageArgs) -> Result<(), CliError> {
    let ws = ctx.workspace()?;
    let mut query = vec![("group_by", args.group_by.as_str().to_owned())];
    if let Some(from) = args.from {
        query.push(("from", from.to_rfc3339()));
    }
    if let Some(to) = args.to {
        query.push(("to", to.to_rfc3339()));
    }
    let answer = ctx
        .api
        .get(&["v1", "workspaces", ws, "usage"], &query)
        .await?;
    if ctx.json {
        return Ok(output::print_json(&answer)?);
    }
    let report: UsageReport = parse(answer)?;
    output::say(format!(
        "Usage from {} to {}, by {}:",
        output::time(report.from),
        output::time(report.to),
        report.group_by
    ))?;
    let mut table = Table::new(&[
        "GROUP",
        "CALLS",
        "INPUT TOKENS",
        "OUTPUT TOKENS",
        "COST (USD)",
    ]);
    for item in report.items {
        table.row(vec![
            item.group.unwrap_or_else(|| "(no task)".to_owned()),
            item.ai_calls.to_string(),
            item.input_tokens.to_string(),
            item.output_tokens.to_string(),
            item.cost_usd,
        ]);
    }
    Ok(table.print("No usage in this window.")?)
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.0} ms"))
}

pub async fn stats(ctx: &Ctx) -> Result<(), CliError> {
    let ws = ctx.workspace()?;
    let answer = ctx.api.get(&["v1", "workspaces", ws, "stats"], &[]).await?;
    if ctx.json {
        return Ok(output::print_json(&answer)?);
    }
    let s: WorkspaceStats = parse(answer)?;
    let mut fields = Fields::new();
    for c in &s.counts {
        fields.add(c.status.as_str(), c.count.to_string());
    }
    let completed: u64 = s.throughput.iter().map(|m| m.completed).sum();
    let failed: u64 = s.throughput.iter().map(|m| m.failed).sum();
    fields
        .add(
            "OLDEST QUEUED",
            s.oldest_queued_seconds
                .map_or_else(|| "-".to_owned(), |secs| format!("{secs:.0} s")),
        )
        .add(
            "LAST HOUR",
            format!("{completed} completed, {failed} failed"),
        )
        .add(
            "QUEUE WAIT",
            format!(
                "p50 {}, p95 {} ({} claims)",
                ms(s.queue_wait.p50_ms),
                ms(s.queue_wait.p95_ms),
                s.queue_wait.samples
            ),
        )
        .add(
            "RUN TIME",
            format!(
                "p50 {}, p95 {} ({} jobs)",
                ms(s.run_time.p50_ms),
                ms(s.run_time.p95_ms),
                s.run_time.samples
            ),
        );
    fields.print()?;
    if !s.running_by_runner.is_empty() {
        output::say("")?;
        let mut table = Table::new(&["RUNNER", "NAME", "RUNNING"]);
        for r in s.running_by_runner {
            table.row(vec![r.runner_id, r.name, r.running.to_string()]);
        }
        table.print("")?;
    }
    Ok(())
}
