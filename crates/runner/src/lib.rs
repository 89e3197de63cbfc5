//! The reference runner (`runyard runner` calls [`run`]): claims jobs from a Runyard server over the
//! runner protocol and runs `command` jobs as shell scripts, up to N at a time.
//!
//! [`run`] is the whole runner: it long-polls `POST /v1/runner/claim` while it has free
//! slots, runs each claimed job in its own task ([`job`]), backs off on network errors,
//! stops with an error on 401, and on shutdown kills running jobs, flushes their logs and
//! releases their leases. [`client`] holds the protocol calls (over `runyard-client`), [`process`] the child process
//! handling, [`logs`] the log batching and [`directives`] the `::runyard::` lines a job
//! prints to report model calls and progress and to mask values, and the masking of
//! secrets in output.

pub mod client;
pub mod directives;
pub mod job;
pub mod logs;
pub mod process;

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;

use client::{Backoff, CallError, ClaimedJob, Client};
use job::{JobContext, JobOutcome};

/// The most jobs one claim may ask for (the protocol's limit).
const MAX_CLAIM: usize = 1000;
/// First and longest pause after a failed claim.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A claim that comes back empty sooner than this is not repeated before it has passed
/// (a guard against a server that does not long-poll).
const MIN_EMPTY_CLAIM_INTERVAL: Duration = Duration::from_secs(1);

/// Everything [`run`] needs.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    /// The runner token.
    pub token: String,
    /// How many jobs run at once (at least 1).
    pub concurrency: usize,
    /// How long each claim long-polls, in seconds (the protocol allows 0 to 60).
    pub wait_seconds: u32,
    /// Where each job attempt gets its temporary working directory.
    pub work_root: PathBuf,
    /// CA certificates (PEM) to trust for an `https://` server, besides the system's.
    pub ca_cert_pem: Option<Vec<u8>>,
}

impl RunnerConfig {
    /// One job at a time, 30 s long-polls, work directories under the system temp dir.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            token: token.into(),
            concurrency: 1,
            wait_seconds: 30,
            work_root: std::env::temp_dir(),
            ca_cert_pem: None,
        }
    }
}

/// Runs the runner until `shutdown` resolves (then stops cleanly and returns `Ok`) or the
/// server rejects the token (then returns an error).
///
/// On shutdown: in-flight claims are dropped, running jobs are killed, their remaining
/// logs sent and their leases released; `run` returns when every job has been handed back.
pub async fn run(config: RunnerConfig, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let client = Client::with_ca(&config.url, &config.token, config.ca_cert_pem.clone())?;
    let concurrency = config.concurrency.max(1);
    let wait_seconds = config.wait_seconds.min(60);
    let (stop_tx, stop_rx) = watch::channel(false);
    let ctx = JobContext {
        client: client.clone(),
        work_root: config.work_root.clone(),
        shutdown: stop_rx,
    };

    let mut jobs: JoinSet<JobOutcome> = JoinSet::new();
    let mut claims: JoinSet<(Instant, Result<Vec<ClaimedJob>, CallError>)> = JoinSet::new();
    // Slots asked for by each in-flight claim.
    let mut claiming: HashMap<Id, usize> = HashMap::new();
    let mut backoff = Backoff::new(BACKOFF_FIRST, BACKOFF_MAX);
    let mut claim_after: Option<Instant> = None;
    tokio::pin!(shutdown);

    tracing::info!(url = %config.url, concurrency, "runner started; waiting for jobs");
    let failure: Option<anyhow::Error> = loop {
        let free = concurrency.saturating_sub(jobs.len() + claiming.values().sum::<usize>());
        if free > 0 && claim_after.is_none_or(|at| at <= Instant::now()) {
            claim_after = None;
            let max_jobs = free.min(MAX_CLAIM);
            let client = client.clone();
            let handle = claims.spawn(async move {
                let started = Instant::now();
                (started, client.claim(max_jobs, wait_seconds).await)
            });
            claiming.insert(handle.id(), max_jobs);
            continue;
        }
        tokio::select! {
            () = &mut shutdown => {
                tracing::info!(running = jobs.len(), "shutdown requested: no more claims");
                break None;
            }
            Some(done) = claims.join_next_with_id(), if !claims.is_empty() => {
                let (id, outcome) = match done {
                    Ok((id, out)) => (id, Some(out)),
                    Err(e) => (e.id(), None),
                };
                claiming.remove(&id);
                match outcome {
                    Some((_, Ok(claimed))) if !claimed.is_empty() => {
                        backoff.reset();
                        for job in claimed {
                            jobs.spawn(job::run_job(ctx.clone(), job));
                        }
                    }
                    Some((started, Ok(_))) => {
                        backoff.reset();
                        if started.elapsed() < MIN_EMPTY_CLAIM_INTERVAL {
                            claim_after = Some(started + MIN_EMPTY_CLAIM_INTERVAL);
                        }
                    }
                    Some((_, Err(CallError::Unauthorized(detail)))) => {
                        break Some(unauthorized(&detail));
                    }
                    Some((_, Err(e))) => {
                        let delay = backoff.next_delay();
                        tracing::warn!(error = %e, retry_in = ?delay, "claiming jobs failed");
                        claim_after = Some(Instant::now() + delay);
                    }
                    None => tracing::error!("a claim task ended unexpectedly"),
                }
            }
            Some(done) = jobs.join_next(), if !jobs.is_empty() => match done {
                Ok(JobOutcome::Unauthorized(detail)) => break Some(unauthorized(&detail)),
                Ok(outcome) => tracing::debug!(?outcome, "job task ended"),
                Err(e) => tracing::error!(error = %e, "a job task panicked"),
            },
            () = sleep_until_opt(claim_after), if claim_after.is_some() => {}
        }
    };

    // Stop claiming. A claim that already returned jobs hands them straight back.
    claims.abort_all();
    let _ = stop_tx.send(true);
    while let Some(done) = claims.join_next().await {
        if let Ok((_, Ok(claimed))) = done {
            for job in claimed {
                jobs.spawn(job::run_job(ctx.clone(), job));
            }
        }
    }
    if !jobs.is_empty() {
        tracing::info!(
            running = jobs.len(),
            "stopping: killing running jobs, flushing their logs and releasing them"
        );
    }
    while let Some(done) = jobs.join_next().await {
        match done {
            Ok(outcome) => tracing::debug!(?outcome, "job task ended"),
            Err(e) => tracing::error!(error = %e, "a job task panicked"),
        }
    }
    match failure {
        Some(e) => Err(e),
        None => {
            tracing::info!("runner stopped");
            Ok(())
        }
    }
}

fn unauthorized(detail: &str) -> anyhow::Error {
    tracing::error!(%detail, "the server rejected the runner token: stopping");
    anyhow::anyhow!(
        "the server rejected the runner token (401: {detail}). Register the runner again \
         (POST /v1/workspaces/{{ws}}/runners) and pass the new token with --token or \
         RUNYARD_RUNNER_TOKEN"
    )
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests;
