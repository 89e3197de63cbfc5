//! `runyard jobs`: submit, list, show, cancel, retry, approve, reject, wake, command,
//! suspend; logs and artifacts.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use runyard_client::reqwest::Method;
use runyard_client::reqwest::header::{HeaderMap, HeaderValue};
use runyard_client::{Artifact, Job, JobDetail, JobEvent, JobStatus};
use serde_json::{Map, Value, json};
use sha2::Digest;

use super::client::CliError;
use super::output::{self, Fields, Table};
use super::{Connection, Ctx, list_pages, logs, parse};

pub const EXAMPLES: &str = "\
Examples:
  runyard jobs submit -w acme --script 'echo hello' --label linux
  runyard jobs submit -w acme --type build --payload @job.json --priority 10
  runyard jobs list -w acme --status QUEUED,RUNNING
  runyard jobs show -w acme 0197c3a2-...
  runyard jobs logs -w acme 0197c3a2-... --follow";

/// How long one artifact download may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(Debug, Args)]
pub struct JobsArgs {
    #[command(flatten)]
    pub conn: Connection,
    #[command(subcommand)]
    pub command: JobsCommand,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Create and enqueue a job.
    #[command(after_help = SUBMIT_EXAMPLES)]
    Submit(SubmitArgs),
    /// List jobs, newest first.
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// One job with its steps and events.
    #[command(
        after_help = "Example:\n  runyard jobs show -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Show(JobId),
    /// Cancel a job. A running job is flagged, and its runner stops it at its next heartbeat.
    #[command(
        after_help = "Example:\n  runyard jobs cancel -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11 --reason 'superseded'"
    )]
    Cancel(CancelArgs),
    /// Queue a SUSPENDED job now, before its poll time.
    #[command(
        after_help = "Example:\n  runyard jobs wake -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Wake(JobId),
    /// Send a command to a job (e.g. a user's next turn); its runner acknowledges it.
    #[command(after_help = COMMAND_EXAMPLES)]
    Command(CommandArgs),
    /// Suspend a running job until a poll time, spending no attempt (with the runner's
    /// token, e.g. from a job's own tooling).
    #[command(after_help = SUSPEND_EXAMPLES)]
    Suspend(SuspendArgs),
    /// Re-queue a FAILED or CANCELLED job with a fresh set of attempts.
    #[command(
        after_help = "Example:\n  runyard jobs retry -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Retry(JobId),
    /// Approve a job that waits for approval (admin): it becomes runnable.
    #[command(
        after_help = "Example:\n  runyard jobs approve -w acme 0197c3a2-... --comment 'ship it'"
    )]
    Approve(Decision),
    /// Reject a job that waits for approval (admin): it does not run.
    #[command(
        after_help = "Example:\n  runyard jobs reject -w acme 0197c3a2-... --comment 'not on a Friday'"
    )]
    Reject(Decision),
    /// Print a job's log: stdout lines on stdout, stderr lines on stderr.
    #[command(after_help = LOGS_EXAMPLES)]
    Logs(LogsArgs),
    /// List a job's artifacts.
    #[command(
        after_help = "Example:\n  runyard jobs artifacts -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Artifacts(JobId),
    /// Download an artifact, checking its SHA-256.
    #[command(after_help = DOWNLOAD_EXAMPLES)]
    Download(DownloadArgs),
}

const COMMAND_EXAMPLES: &str = "\
Examples:
  runyard jobs command -w acme 0197c3a2-... --type user_turn --payload '{\"text\": \"go on\"}'
  runyard jobs command -w acme 0197c3a2-... --type steer -q    # only the seq on stdout";

const SUSPEND_EXAMPLES: &str = "\
Examples:
  runyard jobs suspend --token \"$RUNNER_TOKEN\" 0197c3a2-... --attempt 1 --poll-after 600
  runyard jobs suspend --token \"$RUNNER_TOKEN\" 0197c3a2-... --attempt 2 \\
      --until 2030-01-01T12:00:00Z --max-wait-until 2030-01-02T00:00:00Z --state @state.json";

const SUBMIT_EXAMPLES: &str = "\
Examples:
  # A shell script for `runyard runner` (type command):
  runyard jobs submit -w acme --script 'make test' --label linux --timeout-seconds 900
  # Any type and payload; @file reads the payload from a file, @- from stdin:
  runyard jobs submit -w acme --type deploy --payload '{\"env\": \"staging\"}' --requires-approval
  runyard jobs submit -w acme --type build --payload @job.json --idempotency-key build-42
  # Only the id on stdout, for scripts:
  JOB=$(runyard jobs submit -w acme --script 'date' -q)";

const LIST_EXAMPLES: &str = "\
Examples:
  runyard jobs list -w acme
  runyard jobs list -w acme --status FAILED --label gpu --limit 20
  runyard jobs list -w acme --all --json > jobs.json";

const LOGS_EXAMPLES: &str = "\
Examples:
  runyard jobs logs -w acme 0197c3a2-...            # everything so far
  runyard jobs logs -w acme 0197c3a2-... --follow   # live, until the job finishes
  runyard jobs logs -w acme 0197c3a2-... --json     # one JSON entry per line";

const DOWNLOAD_EXAMPLES: &str = "\
Examples:
  runyard jobs download -w acme 0197c3a2-... report.html
  runyard jobs download -w acme 0197c3a2-... dist.tar.gz -o /tmp/dist.tar.gz
  runyard jobs download -w acme 0197c3a2-... out.txt -o - | less";

#[derive(Debug, Args)]
pub struct JobId {
    /// The job's id.
    #[arg(value_name = "ID")]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// The job's id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why; kept on the job with who asked.
    #[arg(long)]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct CommandArgs {
    /// The job's id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// What kind of command, e.g. user_turn or steer.
    #[arg(long = "type", value_name = "TYPE")]
    pub command_type: String,
    /// Its content: JSON, @FILE to read it from a file, or @- from stdin [default: {}].
    #[arg(long)]
    pub payload: Option<String>,
    /// Print only the command's seq.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct SuspendArgs {
    /// The job's id.
    #[arg(value_name = "ID")]
    pub id: String,
    /// The attempt the runner holds.
    #[arg(long)]
    pub attempt: u32,
    /// Queue the job again after this many seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        conflicts_with = "until",
        required_unless_present = "until"
    )]
    pub poll_after: Option<f64>,
    /// Queue the job again at this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub until: Option<DateTime<Utc>>,
    /// Fail the job (suspend_timeout) if it is still suspended at this time.
    #[arg(long, value_name = "TIME")]
    pub max_wait_until: Option<DateTime<Utc>>,
    /// State for the next claim: JSON, @FILE, or @- from stdin.
    #[arg(long)]
    pub state: Option<String>,
}

#[derive(Debug, Args)]
pub struct Decision {
    /// The job's id.
    #[arg(value_name = "ID")]
    id: String,
    /// A note kept with the decision in the job's events.
    #[arg(long)]
    comment: Option<String>,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// Job type: what runners dispatch on, e.g. `command`.
    #[arg(
        long = "type",
        value_name = "TYPE",
        required_unless_present = "script",
        conflicts_with = "script"
    )]
    job_type: Option<String>,
    /// Input for the runner: JSON, @FILE to read it from a file, or @- from stdin [default: {}].
    #[arg(long, value_name = "JSON", conflicts_with = "script")]
    payload: Option<String>,
    /// Shorthand for `--type command --payload '{"script": SCRIPT}'`, which `runyard runner`
    /// runs with `sh -c`.
    #[arg(long, value_name = "SCRIPT")]
    script: Option<String>,
    /// Only runners with all of these labels may claim the job (repeat, or comma-separate).
    #[arg(long = "label", value_name = "LABEL", value_delimiter = ',')]
    labels: Vec<String>,
    /// Higher runs first, -100..=100 [default: 0].
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    priority: Option<i64>,
    /// Attempts before the job fails for good, 1..=100 [default: 3].
    #[arg(long, value_name = "N")]
    max_attempts: Option<i64>,
    /// Time one attempt may take [default: 3600].
    #[arg(long, value_name = "SECONDS")]
    timeout_seconds: Option<i64>,
    /// Base of the exponential backoff between attempts [default: 10].
    #[arg(long, value_name = "SECONDS")]
    backoff_seconds: Option<i64>,
    /// Do not run before this time (RFC 3339, e.g. 2030-01-31T09:00:00Z).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    run_after: Option<DateTime<Utc>>,
    /// Hold the job as PENDING until an admin approves it (`runyard jobs approve`).
    #[arg(long)]
    requires_approval: bool,
    /// The agent task the job belongs to.
    #[arg(long = "task", value_name = "ID")]
    task: Option<String>,
    /// Makes retrying the submit safe: the same key and request give the same job.
    #[arg(long, value_name = "KEY")]
    idempotency_key: Option<String>,
    /// Print only the job's id.
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs in one of these statuses: PENDING, QUEUED, RUNNING, PAUSED, COMPLETED,
    /// FAILED, CANCELLED (repeat, or comma-separate).
    #[arg(long, value_name = "STATUS", value_delimiter = ',')]
    status: Vec<String>,
    /// Only jobs of this type.
    #[arg(long = "type", value_name = "TYPE")]
    job_type: Option<String>,
    /// Only jobs with all of these labels (repeat, or comma-separate).
    #[arg(long = "label", value_name = "LABEL", value_delimiter = ',')]
    labels: Vec<String>,
    /// Only jobs of this agent task.
    #[arg(long = "task", value_name = "ID")]
    task: Option<String>,
    /// Page size, 1–200 [default: 50].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=200))]
    limit: Option<u32>,
    /// Follow `next_cursor` through every page.
    #[arg(long, conflicts_with = "cursor")]
    all: bool,
    /// Continue from the `next_cursor` of an earlier page.
    #[arg(long, value_name = "CURSOR")]
    cursor: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The job's id.
    #[arg(value_name = "ID")]
    id: String,
    /// Keep printing new lines as they arrive; exit when the job has finished.
    #[arg(short, long)]
    follow: bool,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The job's id.
    #[arg(value_name = "ID")]
    id: String,
    /// The artifact's name.
    #[arg(value_name = "NAME")]
    name: String,
    /// Where to write it; `-` for stdout [default: ./NAME].
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}; expected an RFC 3339 time such as 2030-01-31T09:00:00Z"))
}

/// The path of a job, or of something under it.
pub(crate) fn job_path<'a>(ws: &'a str, id: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut segments = vec!["v1", "workspaces", ws, "runner-jobs", id];
    segments.extend_from_slice(rest);
    segments
}

/// The jobs table shared by `jobs list` and `tasks show`.
pub(crate) fn jobs_table(jobs: Vec<Job>) -> Table {
    let mut table = Table::new(&[
        "ID", "TYPE", "STATUS", "ATTEMPT", "PRIORITY", "LABELS", "CREATED",
    ]);
    for j in jobs {
        table.row(vec![
            j.id,
            j.job_type,
            j.status.to_string(),
            format!("{}/{}", j.attempt, j.max_attempts),
            j.priority.to_string(),
            output::list(&j.labels),
            output::ago(j.created_at),
        ]);
    }
    table
}

pub async fn run(ctx: &Ctx, command: JobsCommand) -> Result<(), CliError> {
    // A runner's call: no workspace in its path.
    let command = match command {
        JobsCommand::Suspend(args) => return suspend(ctx, args).await,
        other => other,
    };
    let ws = ctx.workspace()?;
    match command {
        JobsCommand::Suspend(_) => unreachable!("handled above"),
        JobsCommand::Wake(JobId { id }) => {
            let job = ctx.api.post(&job_path(ws, &id, &["wake"]), None).await?;
            report_change(ctx, job, "woken")
        }
        JobsCommand::Command(args) => {
            let payload = args.payload.as_deref().map(read_payload).transpose()?;
            let mut body = json!({"type": args.command_type});
            if let Some(payload) = payload {
                body["payload"] = payload;
            }
            let sent = ctx
                .api
                .post(&job_path(ws, &args.id, &["commands"]), Some(&body))
                .await?;
            if ctx.json {
                return Ok(output::print_json(&sent)?);
            }
            let seq = sent["seq"].as_i64().unwrap_or_default();
            if args.quiet {
                return Ok(output::say(seq.to_string())?);
            }
            Ok(output::say(format!(
                "Command {seq} sent to job {}: {}",
                args.id,
                sent["status"].as_str().unwrap_or_default()
            ))?)
        }
        JobsCommand::Submit(args) => submit(ctx, ws, args).await,
        JobsCommand::List(args) => list(ctx, ws, args).await,
        JobsCommand::Show(JobId { id }) => show(ctx, ws, &id).await,
        JobsCommand::Cancel(CancelArgs { id, reason }) => {
            let body = reason.map(|reason| json!({ "reason": reason }));
            let job = ctx
                .api
                .post(&job_path(ws, &id, &["cancel"]), body.as_ref())
                .await?;
            report_change(ctx, job, "cancelled")
        }
        JobsCommand::Retry(JobId { id }) => {
            let job = ctx.api.post(&job_path(ws, &id, &["retry"]), None).await?;
            report_change(ctx, job, "retried")
        }
        JobsCommand::Approve(Decision { id, comment }) => {
            let body = decision_body(comment);
            let job = ctx
                .api
                .post(&job_path(ws, &id, &["approve"]), Some(&body))
                .await?;
            report_change(ctx, job, "approved")
        }
        JobsCommand::Reject(Decision { id, comment }) => {
            let body = decision_body(comment);
            let job = ctx
                .api
                .post(&job_path(ws, &id, &["reject"]), Some(&body))
                .await?;
            report_change(ctx, job, "rejected")
        }
        JobsCommand::Logs(args) => {
            let path = job_path(ws, &args.id, &[]);
            if args.follow {
                logs::follow(ctx, &path).await
            } else {
                logs::print_all(ctx, &path).await
            }
        }
        JobsCommand::Artifacts(JobId { id }) => artifacts(ctx, ws, &id).await,
        JobsCommand::Download(args) => download(ctx, ws, args).await,
    }
}

fn decision_body(comment: Option<String>) -> Value {
    match comment {
        Some(c) => json!({"comment": c}),
        None => json!({}),
    }
}

/// `runyard jobs suspend`: the runner protocol's suspend, with the token given.
async fn suspend(ctx: &Ctx, args: SuspendArgs) -> Result<(), CliError> {
    let mut body = json!({"attempt": args.attempt});
    if let Some(secs) = args.poll_after {
        body["poll_after_seconds"] = json!(secs);
    }
    if let Some(until) = args.until {
        body["until"] = json!(until);
    }
    if let Some(deadline) = args.max_wait_until {
        body["max_wait_until"] = json!(deadline);
    }
    if let Some(state) = args.state.as_deref() {
        body["state"] = read_payload(state)?;
    }
    let job = ctx
        .api
        .post(&["v1", "runner", "jobs", &args.id, "suspend"], Some(&body))
        .await?;
    report_change(ctx, job, "suspended")
}

/// Reads `--payload`: inline JSON, `@file`, or `@-` for stdin.
fn read_payload(raw: &str) -> Result<Value, CliError> {
    let (text, source) = match raw.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::Usage(format!("--payload @-: reading stdin: {e}")))?;
            (text, "stdin".to_owned())
        }
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("--payload @{path}: {e}")))?;
            (text, path.to_owned())
        }
        None => (raw.to_owned(), "--payload".to_owned()),
    };
    serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{source} is not valid JSON: {e}")))
}

async fn submit(ctx: &Ctx, ws: &str, args: SubmitArgs) -> Result<(), CliError> {
    let (job_type, payload) = match (&args.script, &args.job_type) {
        (Some(script), _) => ("command".to_owned(), json!({"script": script})),
        (None, Some(t)) => (
            t.clone(),
            match &args.payload {
                Some(raw) => read_payload(raw)?,
                None => json!({}),
            },
        ),
        (None, None) => return Err(CliError::Usage("pass --type or --script".into())),
    };
    let mut body = Map::new();
    body.insert("type".into(), job_type.into());
    body.insert("payload".into(), payload);
    if !args.labels.is_empty() {
        body.insert("labels".into(), json!(args.labels));
    }
    let optional = [
        ("priority", args.priority),
        ("max_attempts", args.max_attempts),
        ("timeout_seconds", args.timeout_seconds),
        ("backoff_seconds", args.backoff_seconds),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            body.insert(key.into(), v.into());
        }
    }
    if let Some(t) = args.run_after {
        body.insert("run_after".into(), json!(t));
    }
    if args.requires_approval {
        body.insert("requires_approval".into(), true.into());
    }
    if let Some(task) = args.task {
        body.insert("agent_task_id".into(), task.into());
    }
    let mut headers = HeaderMap::new();
    if let Some(key) = &args.idempotency_key {
        let value = HeaderValue::from_str(key)
            .map_err(|_| CliError::Usage("--idempotency-key must be printable ASCII".into()))?;
        headers.insert("Idempotency-Key", value);
    }
    let (status, created) = ctx
        .api
        .post_with(
            &["v1", "workspaces", ws, "runner-jobs"],
            Some(&Value::Object(body)),
            headers,
        )
        .await?;
    if ctx.json {
        return Ok(output::print_json(&created)?);
    }
    let job: Job = parse(created)?;
    if args.quiet {
        return Ok(output::say(&job.id)?);
    }
    if status.as_u16() == 200 {
        output::say(format!(
            "Job {} was already submitted with this idempotency key: {}",
            job.id, job.status
        ))?;
    } else {
        output::say(format!("Submitted job {}: {}", job.id, job.status))?;
    }
    if job.status == JobStatus::Pending {
        if job.requires_approval {
            eprintln!("It waits for approval: runyard jobs approve {}", job.id);
        } else if let Some(t) = Some(job.run_after).filter(|t| *t > Utc::now()) {
            eprintln!("It waits until {}.", output::time(t));
        }
    }
    Ok(())
}

async fn list(ctx: &Ctx, ws: &str, args: ListArgs) -> Result<(), CliError> {
    let mut query = Vec::new();
    if !args.status.is_empty() {
        query.push(("status", args.status.join(",")));
    }
    if let Some(t) = args.job_type {
        query.push(("type", t));
    }
    if !args.labels.is_empty() {
        query.push(("label", args.labels.join(",")));
    }
    if let Some(task) = args.task {
        query.push(("agent_task_id", task));
    }
    if let Some(limit) = args.limit {
        query.push(("limit", limit.to_string()));
    }
    if let Some(cursor) = args.cursor {
        query.push(("cursor", cursor));
    }
    let page = list_pages(
        ctx,
        &["v1", "workspaces", ws, "runner-jobs"],
        query,
        args.all,
        "jobs",
    )
    .await?;
    if ctx.json {
        return Ok(output::print_json(&page)?);
    }
    let jobs: Vec<Job> = parse(page["items"].clone())?;
    jobs_table(jobs).print("No jobs found.")?;
    Ok(())
}

/// The lines of `jobs show` about the job itself.
fn job_fields(job: &Job) -> Fields {
    let mut f = Fields::new();
    let mut status = job.status.to_string();
    if let Some(t) = job.cancel_requested_at
        && job.finished_at.is_none()
    {
        status.push_str(&format!(" (cancel requested {})", output::ago(t)));
    }
    if let Some(t) = job.pause_requested_at
        && job.finished_at.is_none()
    {
        status.push_str(&format!(" (pause requested {})", output::ago(t)));
    }
    if let Some(kind) = job.failure_kind {
        status.push_str(&format!(" ({kind})"));
    }
    if let Some(reason) = &job.cancel_reason {
        status.push_str(&format!(" (reason: {reason})"));
    }
    if let Some(t) = job.next_poll_at {
        status.push_str(&format!(" (until {t})"));
    }
    let approval = if job.requires_approval {
        "required"
    } else {
        "no"
    };
    let lease = job.lease.as_ref().map_or_else(
        || "-".to_owned(),
        |l| {
            format!(
                "runner {} until {}",
                l.runner_id,
                output::time(l.expires_at)
            )
        },
    );
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    f.add("id", &job.id)
        .add("type", &job.job_type)
        .add("status", status)
        .add(
            "attempt",
            format!("{} of {}", job.attempt, job.max_attempts),
        )
        .add("priority", job.priority.to_string())
        .add("labels", output::list(&job.labels))
        .add("task", output::or_dash(job.agent_task_id.as_deref()))
        .add("approval", approval)
        .add("run after", output::time(job.run_after))
        .add("timeout", format!("{}s", job.timeout_seconds))
        .add("backoff", format!("{}s", job.backoff_seconds))
        .add(
            "idempotency key",
            output::or_dash(job.idempotency_key.as_deref()),
        )
        .add("lease", lease)
        .add(
            "created",
            format!("{} by {}", output::time(job.created_at), job.created_by),
        )
        .add("started", output::time_opt(job.started_at))
        .add("finished", output::time_opt(job.finished_at))
        .add("payload", pretty(&job.payload));
    for (key, value) in [
        ("progress", &job.progress),
        ("result", &job.result),
        ("error", &job.error),
    ] {
        if let Some(v) = value.as_ref().filter(|v| !v.is_null()) {
            f.add(key, pretty(v));
        }
    }
    f
}

async fn show(ctx: &Ctx, ws: &str, id: &str) -> Result<(), CliError> {
    let found = ctx.api.get(&job_path(ws, id, &[]), &[]).await?;
    if ctx.json {
        return Ok(output::print_json(&found)?);
    }
    let mut detail: JobDetail = parse(found)?;
    // The job carries its first events; the rest are a page away.
    let mut cursor = detail.events.last().map(|e| e.seq);
    while let Some(after) = cursor.filter(|_| detail.events.len() >= 500) {
        let page = ctx
            .api
            .get(
                &job_path(ws, id, &["events"]),
                &[("after_seq", after.to_string()), ("limit", "1000".into())],
            )
            .await?;
        let more: Vec<JobEvent> = parse(page["items"].clone())?;
        cursor = page["next_cursor"].as_str().and_then(|c| c.parse().ok());
        detail.events.extend(more);
    }
    let mut out = job_fields(&detail.job).render();
    out.push_str("\nSteps:\n");
    if detail.steps.is_empty() {
        out.push_str("  (none)\n");
    } else {
        let mut steps = Table::new(&[
            "#",
            "NAME",
            "PHASE",
            "TYPE",
            "STATUS",
            "DURATION",
            "TOKENS IN/OUT",
            "COST",
        ]);
        for s in detail.steps {
            let tokens = match (s.input_tokens, s.output_tokens) {
                (None, None) => "-".to_owned(),
                (i, o) => format!("{}/{}", i.unwrap_or(0), o.unwrap_or(0)),
            };
            steps.row(vec![
                s.ordinal.to_string(),
                s.name,
                s.phase,
                s.step_type,
                s.status,
                s.duration_ms
                    .map_or_else(|| "-".into(), |ms| format!("{:.1}s", ms as f64 / 1000.0)),
                tokens,
                s.cost.map_or_else(|| "-".into(), |c| format!("{c:.4}")),
            ]);
        }
        out.push_str(&steps.render());
    }
    out.push_str("\nEvents:\n");
    let mut events = Table::new(&["SEQ", "TIME", "TYPE", "ACTOR", "PAYLOAD"]);
    for e in detail.events {
        let payload = match &e.payload {
            Value::Object(m) if m.is_empty() => String::new(),
            v => output::truncate(&output::json_inline(Some(v)), 80),
        };
        events.row(vec![
            e.seq.to_string(),
            output::time(e.created_at),
            e.event_type,
            e.actor,
            payload,
        ]);
    }
    out.push_str(&events.render());
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

/// Prints the job a state change returned.
fn report_change(ctx: &Ctx, answer: Value, done: &str) -> Result<(), CliError> {
    if ctx.json {
        return Ok(output::print_json(&answer)?);
    }
    let job: Job = parse(answer)?;
    if done == "cancelled" && job.cancel_requested_at.is_some() && job.finished_at.is_none() {
        output::say(format!(
            "Cancel requested for job {} ({}): its runner stops it at its next heartbeat.",
            job.id, job.status
        ))?;
    } else {
        output::say(format!("Job {} {done}: {}", job.id, job.status))?;
    }
    Ok(())
}

async fn artifacts(ctx: &Ctx, ws: &str, id: &str) -> Result<(), CliError> {
    let list = ctx.api.get(&job_path(ws, id, &["artifacts"]), &[]).await?;
    if ctx.json {
        return Ok(output::print_json(&list)?);
    }
    let items: Vec<Artifact> = parse(list["items"].clone())?;
    let mut table = Table::new(&[
        "NAME",
        "SIZE",
        "CONTENT TYPE",
        "ATTEMPT",
        "SHA256",
        "CREATED",
    ]);
    for a in items {
        table.row(vec![
            a.name,
            output::size(a.size.try_into().unwrap_or(i64::MAX)),
            a.content_type,
            a.attempt.to_string(),
            a.sha256,
            output::ago(a.created_at),
        ]);
    }
    table.print("No artifacts.")?;
    Ok(())
}

async fn download(ctx: &Ctx, ws: &str, args: DownloadArgs) -> Result<(), CliError> {
    let target = match args.output {
        Some(path) => path,
        None => Path::new(&args.name)
            .file_name()
            .map(PathBuf::from)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{:?} is not a file name; choose where to write it with -o FILE",
                    args.name
                ))
            })?,
    };
    let request = ctx
        .api
        .request(
            Method::GET,
            &job_path(ws, &args.id, &["artifacts", &args.name]),
        )
        .timeout(DOWNLOAD_TIMEOUT);
    let response = ctx.api.send(request).await?;
    let expected = response
        .headers()
        .get("x-checksum-sha256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let content = response.bytes().await.map_err(|e| ctx.api.transport(e))?;
    let actual = format!("{:x}", sha2::Sha256::digest(&content));
    if let Some(expected) = expected
        && expected != actual
    {
        return Err(CliError::Other(anyhow::anyhow!(
            "the download is corrupt: its SHA-256 is {actual}, the server says {expected}; nothing was written"
        )));
    }
    if target.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(&content)?;
        out.flush()?;
    } else {
        std::fs::write(&target, &content)
            .map_err(|e| CliError::Other(anyhow::anyhow!("writing {}: {e}", target.display())))?;
        eprintln!(
            "Wrote {} to {} (sha256 {actual}).",
            output::size(content.len() as i64),
            target.display()
        );
    }
    Ok(())
}
