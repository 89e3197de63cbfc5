//! One claimed job from start to finish: dispatch on its type, run a `command` job's
//! script while heartbeating and shipping its output, react to cancellation, lease loss
//! and shutdown, then upload artifacts and report the outcome.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use super::client::{CallError, ClaimedJob, Client, retrying};
use super::directives::{LatestProgress, Masker};
use super::logs::{self, ShipEnd, Stream, Transcript};
use super::process::{
    self, Exit, ScriptSpec, Started, WorkDir, artifact_path, content_type_for, kill_group,
};

/// The file (in a resumed job's work directory) holding its task's snapshot.
pub const RESUME_SNAPSHOT_FILE: &str = ".runyard-resume-snapshot.json";

/// Where commands sent to a job are appended, one JSON line each (`RUNYARD_COMMANDS`).
pub const COMMANDS_FILE: &str = ".runyard-commands.jsonl";

/// How long one long-poll for commands waits (well within the call timeout).
const COMMANDS_WAIT_SECONDS: u32 = 20;

/// The one job type this runner runs.
pub const COMMAND: &str = "command";

/// Heartbeats go out every third of the remaining lease, within these bounds. The upper
/// bound is below a third of the usual 30 s lease because a heartbeat is also how a runner
/// learns of a cancellation: this bounds how long a cancelled job keeps running.
const MIN_HEARTBEAT: Duration = Duration::from_millis(500);
const MAX_HEARTBEAT: Duration = Duration::from_secs(5);
/// How long to keep retrying a call that ends a job (or uploads an artifact).
const FINISH_RETRY_FOR: Duration = Duration::from_secs(300);
/// ... and how long once the runner is shutting down.
const SHUTDOWN_RETRY_FOR: Duration = Duration::from_secs(15);
/// How long to wait for output pipes to close once the process group is dead.
const PIPE_DRAIN: Duration = Duration::from_secs(3);
/// Lines buffered between the output readers and the log shipper.
const LOG_CHANNEL_LINES: usize = 10_000;

/// What the heartbeat and the log shipper tell a running job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSignal {
    /// A user asked to cancel the job.
    Cancel,
    /// The job's task is pausing: hand the job back with a snapshot.
    Pause,
    /// The server says the job is no longer ours (409).
    LeaseLost,
    /// The server no longer accepts our token (401).
    Unauthorized(String),
}

/// How a job task ended, for the runner's loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Completed or failed on the server.
    Finished,
    /// Handed back to the queue (shutdown).
    Released,
    /// Handed back with a snapshot because its task paused.
    Paused,
    /// Given up without reporting: the lease was lost, or reporting failed.
    Abandoned,
    /// The server rejected the runner's token; the runner should stop.
    Unauthorized(String),
}

/// What a job task needs from the runner.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub client: Client,
    /// Where work directories are made.
    pub work_root: PathBuf,
    /// Becomes true when the runner shuts down.
    pub shutdown: watch::Receiver<bool>,
}

impl JobContext {
    fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// The deadline for retrying a call made now.
    fn call_deadline(&self) -> Instant {
        Instant::now()
            + if self.stopping() {
                SHUTDOWN_RETRY_FOR
            } else {
                FINISH_RETRY_FOR
            }
    }

    /// Resolves once the runner has been shutting down for `grace`.
    async fn shutdown_for(&self, grace: Duration) {
        let mut shutdown = self.shutdown.clone();
        let _ = shutdown.wait_for(|stop| *stop).await;
        tokio::time::sleep(grace).await;
    }

    /// `fut`'s output, unless it takes longer than `limit` (or than the shutdown grace
    /// period once the runner is stopping).
    async fn bounded<F: Future>(&self, limit: Duration, fut: F) -> Option<F::Output> {
        tokio::select! {
            out = fut => Some(out),
            () = tokio::time::sleep(limit) => None,
            () = self.shutdown_for(SHUTDOWN_RETRY_FOR) => None,
        }
    }
}

/// A `command` job's payload.
#[derive(Debug, Clone, Deserialize)]
pub struct CommandPayload {
    pub script: String,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub artifacts: Vec<String>,
}

/// The job's secrets as names and values (those that are strings).
fn job_secrets(job: &ClaimedJob) -> BTreeMap<String, String> {
    job.secrets
        .as_ref()
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// What the job's output must not show: its secrets and every value under a
/// secret-looking key of its payload (by the workspace's pattern).
fn masker_for(job: &ClaimedJob, secrets: &BTreeMap<String, String>) -> Masker {
    let redactor = runyard_domain::Redactor::for_pattern(job.redact_pattern.as_deref());
    let hidden = runyard_domain::secret_values(&job.payload, &redactor);
    Masker::new(secrets.values().cloned().chain(hidden))
}

/// How a job ends on the server.
#[derive(Debug, Clone)]
enum Report {
    Complete(Value),
    Fail { error: String, retryable: bool },
    Release,
    Paused(Value),
}

/// Aborts a task when dropped, so no helper outlives its job.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs one claimed job to its end.
pub async fn run_job(ctx: JobContext, job: ClaimedJob) -> JobOutcome {
    let span = tracing::info_span!("job", job_id = %job.id, attempt = job.attempt);
    async move {
        tracing::info!(job_type = %job.job_type, "claimed a job");
        if ctx.stopping() {
            return report(&ctx, &job, Report::Release).await;
        }
        if job.job_type != COMMAND {
            let error = format!(
                "unsupported job type {:?}: this runner runs {COMMAND:?} jobs",
                job.job_type
            );
            return report(
                &ctx,
                &job,
                Report::Fail {
                    error,
                    retryable: false,
                },
            )
            .await;
        }
        match serde_json::from_value::<CommandPayload>(job.payload.clone()) {
            Ok(payload) => run_command(&ctx, &job, payload).await,
            Err(e) => {
                let error = format!("invalid {COMMAND:?} payload: {e}");
                report(
                    &ctx,
                    &job,
                    Report::Fail {
                        error,
                        retryable: false,
                    },
                )
                .await
            }
        }
    }
    .instrument(span)
    .await
}

/// How the script's run ended, before reporting.
enum Ending {
    Exited(Exit),
    WaitFailed(String),
    Cancelled,
    Paused,
    Shutdown,
    LeaseLost,
    Unauthorized(String),
}

async fn run_command(ctx: &JobContext, job: &ClaimedJob, payload: CommandPayload) -> JobOutcome {
    let (signal_tx, mut signals) = mpsc::unbounded_channel();
    let progress = LatestProgress::default();
    let _heartbeat = AbortOnDrop(tokio::spawn(
        heartbeat_loop(
            ctx.client.clone(),
            job.id.clone(),
            job.attempt,
            Some(job.lease_expires_at),
            signal_tx.clone(),
            progress.clone(),
        )
        .in_current_span(),
    ));

    let workdir = match WorkDir::create(&ctx.work_root, &job.id, job.attempt) {
        Ok(dir) => dir,
        Err(e) => {
            let error = format!(
                "creating a work directory in {}: {e}",
                ctx.work_root.display()
            );
            let retryable = true;
            return report(ctx, job, Report::Fail { error, retryable }).await;
        }
    };
    // A resumed job finds its snapshot in a file named by RUNYARD_RESUME_SNAPSHOT.
    let resume_file = match &job.resume_snapshot {
        Some(snapshot) => {
            let path = workdir.path().join(RESUME_SNAPSHOT_FILE);
            let written = serde_json::to_vec_pretty(snapshot)
                .map_err(std::io::Error::other)
                .and_then(|bytes| std::fs::write(&path, bytes));
            if let Err(e) = written {
                workdir.remove().await;
                let error = format!("writing the resume snapshot: {e}");
                return report(
                    ctx,
                    job,
                    Report::Fail {
                        error,
                        retryable: true,
                    },
                )
                .await;
            }
            tracing::info!("resuming from the task's snapshot");
            Some(path)
        }
        None => None,
    };
    // Commands arrive in a file named by RUNYARD_COMMANDS: there from the start (empty),
    // so a script can `tail -f` it.
    let commands_file = workdir.path().join(COMMANDS_FILE);
    if let Err(e) = std::fs::write(&commands_file, b"") {
        workdir.remove().await;
        let error = format!("creating the commands file: {e}");
        return report(
            ctx,
            job,
            Report::Fail {
                error,
                retryable: true,
            },
        )
        .await;
    }
    let _commands = AbortOnDrop(tokio::spawn(
        command_loop(
            ctx.client.clone(),
            job.id.clone(),
            job.attempt,
            commands_file.clone(),
        )
        .in_current_span(),
    ));
    let transcript = Transcript::resuming(job.resume_snapshot.as_ref());
    // The job's secrets become environment variables (over the payload's `env`).
    let mut env = payload.env.clone();
    let secrets = job_secrets(job);
    env.extend(secrets.iter().map(|(k, v)| (k.clone(), v.clone())));
    // The enqueuing request's trace context, so the script's own spans join its trace.
    if let Some(traceparent) = &job.traceparent {
        env.insert("TRACEPARENT".to_owned(), traceparent.clone());
    }
    let spawned = process::spawn_script(&ScriptSpec {
        script: &payload.script,
        env: &env,
        job_id: &job.id,
        attempt: job.attempt,
        dir: workdir.path(),
        resume_snapshot: resume_file.as_deref(),
        commands: Some(&commands_file),
    });
    let Started { mut child, pgid } = match spawned {
        Ok(started) => started,
        Err(e) => {
            workdir.remove().await;
            let error = format!("starting `sh -c`: {e}");
            // InvalidInput: a NUL byte in the script or env; no runner can start that.
            let retryable = e.kind() != std::io::ErrorKind::InvalidInput;
            return report(ctx, job, Report::Fail { error, retryable }).await;
        }
    };
    tracing::info!(pgid, dir = %workdir.path().display(), "script started");

    let (line_tx, line_rx) = mpsc::channel(LOG_CHANNEL_LINES);
    let mut pumps = JoinSet::new();
    if let Some(stdout) = child.stdout.take() {
        pumps.spawn(process::pump_lines(stdout, Stream::Stdout, line_tx.clone()));
    }
    if let Some(stderr) = child.stderr.take() {
        pumps.spawn(process::pump_lines(stderr, Stream::Stderr, line_tx.clone()));
    }
    drop(line_tx);
    let mut shipper = AbortOnDrop(tokio::spawn(
        logs::ship(
            ctx.client.clone(),
            job.id.clone(),
            job.attempt,
            line_rx,
            signal_tx,
            transcript.clone(),
            job.next_log_seq,
            progress,
            masker_for(job, &secrets),
        )
        .in_current_span(),
    ));

    let mut shutdown = ctx.shutdown.clone();
    let ending = tokio::select! {
        status = child.wait() => match status {
            Ok(status) => Ending::Exited(Exit::from_status(status)),
            Err(e) => Ending::WaitFailed(e.to_string()),
        },
        Some(signal) = signals.recv() => match signal {
            JobSignal::Cancel => Ending::Cancelled,
            JobSignal::Pause => Ending::Paused,
            JobSignal::LeaseLost => Ending::LeaseLost,
            JobSignal::Unauthorized(detail) => Ending::Unauthorized(detail),
        },
        _ = shutdown.wait_for(|stop| *stop) => Ending::Shutdown,
    };

    // Whatever happened, nothing of the job may keep running: on a normal exit this kills
    // what the script left in the background; otherwise it kills the script itself.
    let exited = matches!(ending, Ending::Exited(_));
    match kill_group(pgid).await {
        Ok(true) if exited => tracing::info!(pgid, "killed processes the script left behind"),
        Ok(true) => tracing::info!(pgid, "killed the job's process group"),
        Ok(false) => {}
        Err(e) => tracing::warn!(pgid, error = %e, "could not kill the job's process group"),
    }
    if !exited {
        match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
            Ok(Ok(status)) => tracing::debug!(?status, "script reaped"),
            Ok(Err(e)) => tracing::warn!(error = %e, "waiting for the killed script"),
            Err(_) => tracing::warn!("the killed script has not exited after 10 s"),
        }
    }
    let drained = tokio::time::timeout(PIPE_DRAIN, async {
        while pumps.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "the job's output is still open (a process left its process group?); not waiting for the rest"
        );
        pumps.abort_all();
    }

    let outcome = match ending {
        Ending::LeaseLost => {
            tracing::warn!("lease lost: killed the job and abandoned it");
            JobOutcome::Abandoned
        }
        Ending::Unauthorized(detail) => {
            tracing::warn!("the server rejected the runner token: killed the job and abandoned it");
            JobOutcome::Unauthorized(detail)
        }
        ending => {
            // Send the rest of the output before the job is finished (after that the server
            // takes no more logs for this attempt).
            let shipped = ctx.bounded(FINISH_RETRY_FOR, &mut shipper.0).await;
            let late_signal = std::iter::from_fn(|| signals.try_recv().ok())
                .find(|s| !matches!(s, JobSignal::Cancel | JobSignal::Pause));
            match (shipped, late_signal) {
                (Some(Ok(ShipEnd::LeaseLost)), _) | (_, Some(JobSignal::LeaseLost)) => {
                    tracing::warn!("lease lost: abandoned the job");
                    JobOutcome::Abandoned
                }
                (Some(Ok(ShipEnd::Unauthorized)), _) => {
                    JobOutcome::Unauthorized("the server rejected the runner token".into())
                }
                (_, Some(JobSignal::Unauthorized(detail))) => JobOutcome::Unauthorized(detail),
                (shipped, _) => {
                    if shipped.is_none() {
                        tracing::warn!("gave up waiting for the last logs to be sent");
                    }
                    finish(ctx, job, &payload, &workdir, ending, &transcript).await
                }
            }
        }
    };
    workdir.remove().await;
    outcome
}

/// Reports a script's ending (after uploading artifacts when it exited by itself).
async fn finish(
    ctx: &JobContext,
    job: &ClaimedJob,
    payload: &CommandPayload,
    workdir: &WorkDir,
    ending: Ending,
    transcript: &Transcript,
) -> JobOutcome {
    let report_as = match ending {
        Ending::Exited(exit) => {
            tracing::info!(
                exit_code = match exit {
                    Exit::Code(code) => Some(code),
                    Exit::Signal(_) => None,
                },
                outcome = %exit.describe(),
                "script exited"
            );
            if let Some(outcome) = upload_artifacts(ctx, job, payload, workdir).await {
                return outcome;
            }
            match exit {
                Exit::Code(0) => Report::Complete(json!({ "exit_code": 0 })),
                exit => Report::Fail {
                    error: exit.describe(),
                    retryable: true,
                },
            }
        }
        Ending::WaitFailed(e) => Report::Fail {
            error: format!("waiting for the script: {e}"),
            retryable: true,
        },
        Ending::Cancelled => {
            tracing::info!("cancel requested: killed the script");
            Report::Fail {
                error: "cancelled".into(),
                retryable: false,
            }
        }
        Ending::Paused => {
            tracing::info!("task pausing: stopped the script; handing back what it printed");
            Report::Paused(transcript.snapshot(&job.id, job.attempt))
        }
        Ending::Shutdown => {
            tracing::info!("runner stopping: killed the script; handing the job back");
            Report::Release
        }
        Ending::LeaseLost => return JobOutcome::Abandoned,
        Ending::Unauthorized(detail) => return JobOutcome::Unauthorized(detail),
    };
    report(ctx, job, report_as).await
}

/// Uploads the payload's artifacts that exist. `Some` when the job must stop here.
async fn upload_artifacts(
    ctx: &JobContext,
    job: &ClaimedJob,
    payload: &CommandPayload,
    workdir: &WorkDir,
) -> Option<JobOutcome> {
    for relative in &payload.artifacts {
        let Some((path, name)) = artifact_path(workdir.path(), relative) else {
            tracing::warn!(
                artifact = %relative,
                "skipping artifact: the path must be relative and stay inside the work directory"
            );
            continue;
        };
        let missing = match tokio::fs::metadata(&path).await {
            Ok(meta) if meta.is_file() => None,
            Ok(_) => Some(format!("{relative} is not a regular file")),
            Err(_) => Some(format!("{relative} was not produced")),
        };
        let result = match &missing {
            // Declared but not there: the server records it as skipped, with the reason.
            Some(reason) => {
                tracing::info!(artifact = %relative, %reason, "artifact skipped");
                retrying("recording a skipped artifact", ctx.call_deadline(), || {
                    ctx.client
                        .skip_artifact(&job.id, job.attempt, &name, reason)
                })
                .await
            }
            None => {
                let content_type = content_type_for(&name);
                retrying("uploading an artifact", ctx.call_deadline(), || {
                    ctx.client
                        .upload_artifact(&job.id, job.attempt, &name, &path, content_type)
                })
                .await
            }
        };
        match result {
            Ok(()) => {
                tracing::info!(artifact = %name, skipped = missing.is_some(), "artifact recorded")
            }
            Err(CallError::LeaseLost(detail)) => {
                tracing::warn!(%detail, "lease lost while uploading artifacts: abandoned the job");
                return Some(JobOutcome::Abandoned);
            }
            Err(CallError::Unauthorized(detail)) => return Some(JobOutcome::Unauthorized(detail)),
            Err(e) => tracing::warn!(artifact = %name, error = %e, "artifact upload failed"),
        }
    }
    None
}

/// Tells the server how the job ended, retrying transient failures.
async fn report(ctx: &JobContext, job: &ClaimedJob, report: Report) -> JobOutcome {
    let client = &ctx.client;
    let (id, attempt) = (job.id.as_str(), job.attempt);
    let deadline = ctx.call_deadline();
    let result = match &report {
        Report::Complete(result) => {
            retrying("completing the job", deadline, || {
                client.complete(id, attempt, result)
            })
            .await
        }
        Report::Fail { error, retryable } => {
            retrying("failing the job", deadline, || {
                client.fail(id, attempt, error, *retryable)
            })
            .await
        }
        Report::Release => {
            retrying("releasing the job", deadline, || {
                client.release(id, attempt)
            })
            .await
        }
        Report::Paused(snapshot) => {
            retrying("handing back the paused job", deadline, || {
                client.paused(id, attempt, snapshot)
            })
            .await
        }
    };
    match (result, report) {
        (Ok(()), Report::Complete(_)) => {
            tracing::info!("job completed");
            JobOutcome::Finished
        }
        (Ok(()), Report::Fail { error, retryable }) => {
            tracing::info!(%error, retryable, "job failed");
            JobOutcome::Finished
        }
        (Ok(()), Report::Release) => {
            tracing::info!("job released back to the queue");
            JobOutcome::Released
        }
        (Ok(()), Report::Paused(_)) => {
            tracing::info!("job paused with a snapshot");
            JobOutcome::Paused
        }
        (Err(CallError::LeaseLost(detail)), _) => {
            tracing::warn!(%detail, "lease lost: the job is no longer ours; abandoned it");
            JobOutcome::Abandoned
        }
        (Err(CallError::Unauthorized(detail)), _) => JobOutcome::Unauthorized(detail),
        (Err(e), report) => {
            tracing::error!(error = %e, ?report, "could not report the job's end; abandoned it");
            JobOutcome::Abandoned
        }
    }
}

/// How long to wait before the next heartbeat: a third of the lease left, at least
/// [`MIN_HEARTBEAT`] and at most [`MAX_HEARTBEAT`].
pub fn heartbeat_interval(lease_expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Duration {
    let Some(expires) = lease_expires_at else {
        return MAX_HEARTBEAT;
    };
    let remaining = (expires - now).to_std().unwrap_or(Duration::ZERO);
    (remaining / 3).clamp(MIN_HEARTBEAT, MAX_HEARTBEAT)
}

/// Long-polls the job's commands until aborted, appending each to `file` as one JSON
/// line (`{"seq", "type", "payload"}`) and acknowledging it once written. A command
/// whose write or acknowledgement failed is asked for again; the heartbeat's own copy
/// is not needed, since the long-poll names where it is (`after_seq`).
async fn command_loop(client: Client, job_id: String, attempt: u32, file: PathBuf) {
    use std::io::Write as _;
    let mut written = 0u64;
    loop {
        let commands = match client
            .poll_commands(&job_id, attempt, written, COMMANDS_WAIT_SECONDS)
            .await
        {
            Ok(commands) => commands,
            Err(CallError::Transient(e)) => {
                tracing::warn!(error = %e, "polling commands failed; will try again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            // The job is no longer ours (the heartbeat says so too), or the server
            // refuses: no commands for this run.
            Err(e) => {
                tracing::debug!(error = %e, "no more commands for this run");
                return;
            }
        };
        for command in commands {
            if command.seq <= written {
                continue;
            }
            let line = serde_json::json!({
                "seq": command.seq,
                "type": command.command_type,
                "payload": command.payload,
            });
            let appended = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .and_then(|mut f| {
                    f.write_all(format!("{line}\n").as_bytes())?;
                    f.flush()
                });
            if let Err(e) = appended {
                tracing::warn!(error = %e, seq = command.seq, "writing a command failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                break;
            }
            written = command.seq;
            // Acknowledged once written; if this fails, the server hands it to the next
            // attempt, whose script reads it again.
            match client.ack_command(&job_id, attempt, command.seq).await {
                Ok(()) => {}
                Err(CallError::LeaseLost(_) | CallError::Unauthorized(_)) => return,
                Err(e) => {
                    tracing::warn!(error = %e, seq = command.seq, "acknowledging a command failed")
                }
            }
        }
    }
}

/// Extends the lease until aborted; passes on cancellation, lease loss and token refusal.
async fn heartbeat_loop(
    client: Client,
    job_id: String,
    attempt: u32,
    mut lease_expires_at: Option<DateTime<Utc>>,
    signals: mpsc::UnboundedSender<JobSignal>,
    progress: LatestProgress,
) {
    let mut pause_sent = false;
    loop {
        tokio::time::sleep(heartbeat_interval(lease_expires_at, Utc::now())).await;
        let reported = progress.take();
        let beat = client.heartbeat(&job_id, attempt, reported.clone()).await;
        if beat.is_err()
            && let Some(p) = reported
        {
            progress.restore(p);
        }
        match beat {
            Ok(beat) => {
                lease_expires_at = Some(beat.lease_expires_at);
                if beat.pause_requested && !pause_sent {
                    pause_sent = true;
                    tracing::info!("pause requested: the job's task is pausing");
                    let _ = signals.send(JobSignal::Pause);
                }
                if beat.cancel_requested {
                    let _ = signals.send(JobSignal::Cancel);
                }
            }
            Err(CallError::LeaseLost(detail)) => {
                tracing::warn!(%detail, "heartbeat: lease lost");
                let _ = signals.send(JobSignal::LeaseLost);
                return;
            }
            Err(CallError::Unauthorized(detail)) => {
                let _ = signals.send(JobSignal::Unauthorized(detail));
                return;
            }
            Err(e) => tracing::warn!(error = %e, "heartbeat failed; will try again"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeats_come_every_third_of_the_lease_within_bounds() {
        let now = Utc::now();
        let at = |secs: i64| Some(now + chrono::TimeDelta::seconds(secs));
        assert_eq!(heartbeat_interval(at(9), now), Duration::from_secs(3));
        assert_eq!(heartbeat_interval(at(300), now), MAX_HEARTBEAT);
        assert_eq!(heartbeat_interval(at(1), now), MIN_HEARTBEAT);
        assert_eq!(heartbeat_interval(at(-5), now), MIN_HEARTBEAT);
        assert_eq!(heartbeat_interval(None, now), MAX_HEARTBEAT);
    }

    #[test]
    fn command_payloads_parse_with_defaults() {
        let p: CommandPayload =
            serde_json::from_value(json!({"script": "echo hi"})).expect("parse");
        assert!(p.env.is_empty() && p.artifacts.is_empty());
        let p: CommandPayload = serde_json::from_value(
            json!({"script": "x", "env": {"A": "1"}, "artifacts": ["out/a.txt"]}),
        )
        .expect("parse");
        assert_eq!(p.env["A"], "1");
        assert!(serde_json::from_value::<CommandPayload>(json!({"env": {}})).is_err());
    }
}
