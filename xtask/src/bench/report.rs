//! The figures a run produces and `BENCHMARKS.md`, the report written from them: machine,
//! command, each figure against its target with PASS/MISS, and for every miss the CPU
//! evidence of the phase it came from.

use std::fmt::Write as _;
use std::time::Duration;

use super::procfs::{Machine, PhaseCpu};

/// What a figure must reach.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    fn met(self, value: f64) -> bool {
        match self {
            Self::AtLeast(t) => value >= t,
            Self::AtMost(t) => value <= t,
        }
    }

    fn limit(self) -> f64 {
        match self {
            Self::AtLeast(t) | Self::AtMost(t) => t,
        }
    }
}

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    pub target: Option<Target>,
    /// How the target is defined, when it is not a constant (e.g. "50% of pgbench's tps").
    pub target_note: String,
    /// Context: counts, errors, latencies.
    pub note: String,
    /// The phases whose CPU evidence explains this figure.
    pub phases: Vec<String>,
}

impl Figure {
    pub fn info(name: impl Into<String>, value: f64, unit: &'static str) -> Self {
        Self {
            name: name.into(),
            value,
            unit,
            target: None,
            target_note: String::new(),
            note: String::new(),
            phases: Vec::new(),
        }
    }

    pub fn target(mut self, target: Target, note: impl Into<String>) -> Self {
        self.target = Some(target);
        self.target_note = note.into();
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    pub fn phases(mut self, phases: &[&str]) -> Self {
        self.phases = phases.iter().map(|p| (*p).to_owned()).collect();
        self
    }

    pub fn verdict(&self) -> Option<bool> {
        self.target.map(|t| t.met(self.value))
    }

    /// The figure as one progress line.
    pub fn line(&self) -> String {
        let mut line = format!("{}: {} {}", self.name, num(self.value), self.unit);
        if let Some(t) = self.target {
            let _ = write!(
                line,
                "  (target {} {}, {:.2}×) {}",
                symbol(t),
                num(t.limit()),
                self.value / t.limit(),
                if t.met(self.value) { "PASS" } else { "MISS" }
            );
        }
        if !self.note.is_empty() {
            let _ = write!(line, "  [{}]", self.note);
        }
        line
    }
}

fn symbol(t: Target) -> &'static str {
    match t {
        Target::AtLeast(_) => "≥",
        Target::AtMost(_) => "≤",
    }
}

/// A number with sensible precision and thousands separators.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.abs() >= 100.0 {
        let n = v.round() as i64;
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A count, with thousands separators.
pub fn int(n: u64) -> String {
    if n < 100 {
        n.to_string()
    } else {
        num(n as f64)
    }
}

/// Everything the report is written from.
pub struct Report {
    pub machine: Machine,
    pub date: String,
    pub command: String,
    pub quick: bool,
    pub commit: String,
    pub postgres_version: String,
    pub total: Duration,
    pub figures: Vec<Figure>,
    pub cpu: Vec<PhaseCpu>,
    /// Phases that could not run, with the reason.
    pub failures: Vec<(String, String)>,
    /// Exact tool command lines used (pgbench), for reproduction.
    pub tool_commands: Vec<String>,
    pub server_exit: String,
}

impl Report {
    pub fn render(&self) -> String {
        let mut s = String::new();
        let m = &self.machine;
        let _ = writeln!(s, "# Benchmarks\n");
        let _ = writeln!(
            s,
            "Written by `cargo xtask bench`{}. Every figure below comes from one run; rerun the \
             command to refresh them.\n",
            if self.quick {
                " in **quick mode** (a smoke run with small counts: the figures are not \
                 representative)"
            } else {
                ""
            }
        );
        let _ = writeln!(s, "| | |\n|---|---|");
        let _ = writeln!(s, "| date | {} |", self.date);
        let _ = writeln!(s, "| command | `{}` |", self.command);
        let _ = writeln!(s, "| commit | {} |", self.commit);
        let _ = writeln!(s, "| CPU | {} |", m.cpu_model);
        let _ = writeln!(s, "| cores | {} |", m.cores);
        let _ = writeln!(s, "| memory | {:.1} GiB |", m.memory_gib);
        let _ = writeln!(s, "| kernel | Linux {} |", m.kernel);
        let _ = writeln!(s, "| PostgreSQL | {} |", self.postgres_version);
        let _ = writeln!(s, "| run time | {:.0} s |", self.total.as_secs_f64());
        let _ = writeln!(
            s,
            "\nServer, PostgreSQL and the bench client all share these {} cores, as they \
             would on a small single-host deployment; the evidence tables say where the CPU \
             went.\n",
            m.cores
        );

        let judged: Vec<&Figure> = self.figures.iter().filter(|f| f.target.is_some()).collect();
        let missed: Vec<&Figure> = judged
            .iter()
            .copied()
            .filter(|f| f.verdict() == Some(false))
            .collect();
        let _ = writeln!(s, "## Summary\n");
        let _ = writeln!(
            s,
            "{} of {} targets met{}.{}\n",
            judged.len() - missed.len(),
            judged.len(),
            if missed.is_empty() {
                String::new()
            } else {
                format!(
                    "; **missed: {}**",
                    missed
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            },
            if self.failures.is_empty() {
                String::new()
            } else {
                format!(
                    " **{} phase(s) could not run** (see below), so their targets are not judged.",
                    self.failures.len()
                )
            }
        );

        let capacity: f64 = self
            .cpu
            .iter()
            .map(|c| c.wall.as_secs_f64() * m.cores as f64)
            .sum();
        let other: f64 = self.cpu.iter().map(|c| c.other_s).sum();
        if let Some(worst) = self.cpu.iter().max_by(|a, b| {
            let share = |c: &PhaseCpu| c.other_s / c.wall.as_secs_f64().max(1e-9);
            share(a).total_cmp(&share(b))
        }) && capacity > 0.0
        {
            let _ = writeln!(
                s,
                "Outside load: processes other than the server, PostgreSQL and the bench used \
                 {:.0}% of the machine's CPU over the measured phases (most during *{}*: {:.0}%).{}\n",
                100.0 * other / capacity,
                worst.phase,
                100.0 * worst.other_s / (worst.wall.as_secs_f64() * m.cores as f64),
                if other / capacity >= 0.05 {
                    " The machine was shared while measuring, so the figures are lower than \
                     an idle machine would give; the *other CPU* column shows where."
                } else {
                    ""
                }
            );
        }

        let _ = writeln!(s, "{}", include_str!("findings.md"));
        let _ = writeln!(s, "## Results\n");
        let _ = writeln!(s, "| figure | result | target | ratio | verdict | notes |");
        let _ = writeln!(s, "|---|---:|---|---:|---|---|");
        for f in &self.figures {
            let (target, ratio, verdict) = match f.target {
                Some(t) => (
                    format!(
                        "{} {} {}{}",
                        symbol(t),
                        num(t.limit()),
                        f.unit,
                        if f.target_note.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", f.target_note)
                        }
                    ),
                    format!("{:.2}×", f.value / t.limit()),
                    if t.met(f.value) {
                        "PASS".to_owned()
                    } else {
                        "**MISS**".to_owned()
                    },
                ),
                None => ("—".into(), "—".into(), "info".into()),
            };
            let _ = writeln!(
                s,
                "| {} | {} {} | {target} | {ratio} | {verdict} | {} |",
                f.name,
                num(f.value),
                f.unit,
                f.note
            );
        }
        let _ = writeln!(
            s,
            "\nratio = result ÷ target: at least 1 passes a ≥ target, at most 1 passes a ≤ target.\n"
        );

        if !self.failures.is_empty() {
            let _ = writeln!(s, "## Phases that could not run\n");
            for (phase, why) in &self.failures {
                let _ = writeln!(s, "- **{phase}**: {}", why.replace('\n', " "));
            }
            let _ = writeln!(s);
        }

        if !missed.is_empty() {
            let _ = writeln!(s, "## Misses and their evidence\n");
            for f in &missed {
                let t = f.target.expect("judged");
                let _ = writeln!(
                    s,
                    "### {}: missed\n\nMeasured {} {} against a target of {} {} {}{} ({:.0}% of it).\n",
                    f.name,
                    num(f.value),
                    f.unit,
                    symbol(t),
                    num(t.limit()),
                    f.unit,
                    if f.target_note.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", f.target_note)
                    },
                    100.0 * f.value / t.limit()
                );
                let rows: Vec<&PhaseCpu> = self
                    .cpu
                    .iter()
                    .filter(|c| f.phases.contains(&c.phase))
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                for c in &rows {
                    let _ = writeln!(s, "- {}", explain(c, m.cores));
                }
                let _ = writeln!(s);
                cpu_table(&mut s, &rows);
                let _ = writeln!(s);
                db_table(&mut s, &rows);
                for c in &rows {
                    activity_table(&mut s, c);
                }
                for c in &rows {
                    if let Some(top) = &c.top {
                        let _ = writeln!(
                            s,
                            "\n`top` during *{}* (one-second frame):\n\n```text\n{top}\n```",
                            c.phase
                        );
                    }
                }
                let _ = writeln!(s);
            }
        }

        let _ = writeln!(s, "## Where the CPU went, per phase\n");
        let _ = writeln!(
            s,
            "CPU seconds from `/proc/<pid>/stat` (utime + stime) over each phase: *server* is \
             `runyard`; *postgres* is the postmaster, its backends and the backends it reaped; \
             *client* is the bench process with the tools it ran (pgbench, psql, top). *busy* \
             is the share of all {} cores in use (from `/proc/stat`).\n",
            m.cores
        );
        let all: Vec<&PhaseCpu> = self.cpu.iter().collect();
        cpu_table(&mut s, &all);
        let _ = writeln!(
            s,
            "\n*other* is CPU used by processes outside the bench (anything else running on the \
             machine) and the kernel's own work.\n\n## What the database did, per operation\n\n\
             Transaction ids assigned (`pg_current_xact_id()`: one per transaction that wrote or \
             sent a NOTIFY, autovacuum's included) and \
             WAL inserted (`pg_current_wal_insert_lsn()`) over each phase, divided by the phase's \
             operations, next to the CPU each operation cost.\n"
        );
        db_table(&mut s, &all);

        let _ = writeln!(s, "\n## Method\n");
        let _ = writeln!(s, "{}", method_text());
        if !self.tool_commands.is_empty() {
            let _ = writeln!(s, "\nBaseline commands (password in `PGPASSWORD`):\n");
            for c in &self.tool_commands {
                let _ = writeln!(s, "    {c}");
            }
        }
        let _ = writeln!(s, "\nServer shutdown (SIGTERM): {}.", self.server_exit);
        s
    }
}

fn per_op(cpu_s: f64, ops: Option<u64>) -> String {
    match ops {
        Some(n) if n > 0 => format!("{:.0}", cpu_s * 1e6 / n as f64),
        _ => "—".into(),
    }
}

fn cpu_table(s: &mut String, rows: &[&PhaseCpu]) {
    let _ = writeln!(
        s,
        "| phase | wall s | ops | server CPU s | postgres CPU s | client CPU s | other CPU s | busy | server µs/op | postgres µs/op | client µs/op |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for c in rows {
        let _ = writeln!(
            s,
            "| {} | {:.1} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0}% | {} | {} | {} |",
            c.phase,
            c.wall.as_secs_f64(),
            c.ops
                .map(|n| format!("{} {}", int(n), c.ops_unit))
                .unwrap_or_else(|| "—".into()),
            c.server_s,
            c.postgres_s,
            c.client_s,
            c.other_s,
            c.busy_pct,
            per_op(c.server_s, c.ops),
            per_op(c.postgres_s, c.ops),
            per_op(c.client_s, c.ops),
        );
    }
}

fn db_table(s: &mut String, rows: &[&PhaseCpu]) {
    let rows: Vec<_> = rows
        .iter()
        .filter_map(|c| Some((c, c.db?, c.ops.filter(|n| *n > 0)? as f64)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "| phase | per | write transactions | WAL bytes | postgres CPU µs | server CPU µs |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|");
    for (c, d, n) in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.0} | {:.0} | {:.0} |",
            c.phase,
            c.ops_unit.trim_end_matches('s'),
            d.write_xacts / n,
            d.wal_bytes / n,
            c.postgres_s * 1e6 / n,
            c.server_s * 1e6 / n,
        );
    }
}

fn activity_table(s: &mut String, c: &PhaseCpu) {
    if c.activity.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nWhat the database's client connections (the server's; pgbench's in a baseline) were \
         doing during *{}* (`pg_stat_activity` \
         sampled 100 times, 10 ms apart; *connections* is the average number in that state; \
         `idle in transaction` means PostgreSQL was waiting for the client's next statement):\n",
        c.phase
    );
    let _ = writeln!(
        s,
        "| connections | share | state | waiting on | statement |"
    );
    let _ = writeln!(s, "|---:|---:|---|---|---|");
    for a in &c.activity {
        let _ = writeln!(
            s,
            "| {:.2} | {:.0}% | {} | {} | `{}` |",
            a.connections,
            a.pct,
            a.state,
            a.wait,
            a.query.replace('`', "'")
        );
    }
}

/// One sentence on a phase's CPU: was the machine saturated, and who used it.
fn explain(c: &PhaseCpu, cores: usize) -> String {
    let capacity = c.wall.as_secs_f64() * cores as f64;
    let used = c.server_s + c.postgres_s + c.client_s;
    let share = |x: f64| if used > 0.0 { 100.0 * x / used } else { 0.0 };
    let mut parts = [
        ("the server", c.server_s),
        ("PostgreSQL", c.postgres_s),
        ("the bench client", c.client_s),
    ];
    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
    let saturation = if c.busy_pct >= 90.0 {
        format!(
            "the machine was CPU-bound ({:.0}% of {cores} cores busy)",
            c.busy_pct
        )
    } else {
        format!(
            "the machine was not CPU-bound ({:.0}% of {cores} cores busy), so waiting (locks, \
             fsync, round trips, timers) rather than CPU limited it",
            c.busy_pct
        )
    };
    let outside = if capacity > 0.0 && c.other_s / capacity >= 0.05 {
        format!(
            " Other processes on the machine took another {:.1} CPU s ({:.0}% of capacity), \
             which this phase had to share.",
            c.other_s,
            100.0 * c.other_s / capacity
        )
    } else {
        String::new()
    };
    let sql = match c.activity.first() {
        Some(a) if a.pct >= 40.0 => format!(
            " The database's sessions spent {:.0}% of the samples in one statement, `{}…` \
             ({}, {}).",
            a.pct,
            a.query.chars().take(60).collect::<String>().trim_end(),
            a.state,
            a.wait
        ),
        _ => String::new(),
    };
    format!(
        "*{}*: {saturation}; of the {:.1} CPU s used by the bench's processes ({:.0}% of the \
         {:.1} core-seconds available), {} took {:.0}%, {} {:.0}%, {} {:.0}%.{outside}{sql}",
        c.phase,
        used,
        if capacity > 0.0 {
            100.0 * used / capacity
        } else {
            0.0
        },
        capacity,
        parts[0].0,
        share(parts[0].1),
        parts[1].0,
        share(parts[1].1),
        parts[2].0,
        share(parts[2].1),
    )
}

fn method_text() -> &'static str {
    "\
- **Server**: `cargo build --release -p runyard`, then `target/release/runyard` with a fresh \
`RUNYARD_DATA_DIR` (embedded PostgreSQL, default settings and pool) on a free loopback port; \
stopped with SIGTERM at the end and its directory deleted. Its log goes to \
`target/bench/server.log`.
- **Baseline**: `pgbench` with a one-statement script (`INSERT INTO bench_raw (workspace_id, \
type, payload) VALUES (…, 'noop', jsonb_build_object('n', :n))`, one insert per \
transaction) as the superuser on the same database, at the same client counts as the HTTP \
phase; `bench_raw` has a uuid primary key like `runner_jobs`.
- **Single enqueue**: C tasks sharing one pooled HTTP client, each looping \
`POST /v1/workspaces/{ws}/runner-jobs {\"type\":\"noop\",\"payload\":{\"n\":i}}` for a fixed \
time after a short warm-up. Target: at least half of the baseline's rate at the same C.
- **Batch enqueue**: C tasks looping `POST …/runner-jobs/batch` with 1,000 jobs each; the \
best C is reported.
- **End to end**: N jobs enqueued in batches, then K runner tasks (each its own registered \
runner) loop `claim` (`wait_seconds` 0) and batch `complete` until no job is left \
unfinished; the rate is the jobs completed over the time from the first claim to the last \
completion. Refused completions (`lease_lost`) are counted, and those jobs are claimed again \
once the lease reaper hands them back, as a real runner would see it. Two (K, max_jobs) \
settings run in turn, each on a fresh workspace; the best is the figure. Queues are emptied \
(`TRUNCATE runner_jobs CASCADE`) before this and each later phase, but the planner statistics \
are left as autovacuum keeps them.
- **Pickup latency**: one runner long-polls (`wait_seconds` 30, `max_jobs` 1); the bench \
enqueues one job at a time (after the runner has had 15 ms to park its poll) and measures, in \
one process, from the enqueue response to the claim response carrying that job.
- **Claim cost**: mean and p50 of `claim(max_jobs=1)` + `complete` with 1,000 queued jobs, \
then again after loading the large queue straight into `runner_jobs` in SQL as the owner \
role (then `ANALYZE`); 20 warm-up iterations precede each measurement.
- **RSS**: the server's `VmRSS` right after start, and the largest of samples every 100 ms \
during the end-to-end phase."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(1_234_567.4), "1,234,567");
        assert_eq!(num(123.4), "123");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(-1500.0), "-1,500");
        assert_eq!(int(0), "0");
        assert_eq!(int(20_000), "20,000");
    }

    #[test]
    fn targets_judge_in_their_direction() {
        let f = Figure::info("x", 2.0, "ms").target(Target::AtMost(3.0), "");
        assert_eq!(f.verdict(), Some(true));
        let f = Figure::info("x", 2.0, "jobs/s").target(Target::AtLeast(3.0), "");
        assert_eq!(f.verdict(), Some(false));
        assert_eq!(Figure::info("x", 1.0, "MiB").verdict(), None);
    }
}
