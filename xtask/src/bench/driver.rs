//! Driving load: many clients in a loop for a while, and filling a workspace's queue.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::task::JoinSet;

use crate::bench::api::Api;
use crate::bench::stats::LoopStats;

/// Runs `clients` tasks, each calling `f(n)` in a loop for `duration`.
pub(in crate::bench) async fn drive<F, Fut>(clients: usize, duration: Duration, f: F) -> LoopStats
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let f = Arc::new(f);
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = JoinSet::new();
    for _ in 0..clients {
        let f = f.clone();
        let counter = counter.clone();
        tasks.spawn(async move {
            let mut s = LoopStats::default();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                match f(n).await {
                    Ok(()) => {
                        s.ok += 1;
                        s.latencies.push(t.elapsed());
                    }
                    Err(e) => {
                        s.errors += 1;
                        if s.first_error.is_none() {
                            s.first_error = Some(format!("{e:#}"));
                        }
                        if s.ok == 0 && s.errors >= 20 {
                            break;
                        }
                    }
                }
            }
            s
        });
    }
    let mut all = LoopStats::default();
    while let Some(done) = tasks.join_next().await {
        let Ok(s) = done else { continue };
        all.ok += s.ok;
        all.errors += s.errors;
        if all.first_error.is_none() {
            all.first_error = s.first_error;
        }
        all.latencies.extend(s.latencies);
    }
    all.elapsed = started.elapsed();
    all.latencies.sort_unstable();
    all
}

/// A `{"jobs": [...]}` body of `n` no-op jobs.
pub(in crate::bench) fn batch_body(n: usize) -> Vec<u8> {
    let jobs: Vec<_> = (0..n)
        .map(|i| json!({"type": "noop", "payload": {"n": i}}))
        .collect();
    serde_json::to_vec(&json!({ "jobs": jobs })).expect("serialisable")
}

/// Enqueues `n` jobs (a multiple of 1,000) with 4 concurrent batch requests.
pub(in crate::bench) async fn enqueue_many(api: &Api, ws: &str, n: u64) -> anyhow::Result<()> {
    let path = Arc::new(format!("/v1/workspaces/{ws}/runner-jobs/batch"));
    let body = Arc::new(batch_body(1000));
    let batches = n.div_ceil(1000);
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..4 {
        let (api, path, body, next) = (api.clone(), path.clone(), body.clone(), next.clone());
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < batches {
                api.enqueue_batch(&path, body.to_vec()).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_bodies_hold_the_requested_jobs() {
        let body: serde_json::Value = serde_json::from_slice(&batch_body(3)).unwrap();
        assert_eq!(body["jobs"].as_array().unwrap().len(), 3);
        assert_eq!(body["jobs"][2]["payload"]["n"], 2);
    }
}
