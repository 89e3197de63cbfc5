//! The server's background work: the notification listener and publisher, and the
//! sweepers (lease reaper and promoter, task sweeper, retention). Every replica runs them;
//! the sweeps' advisory locks let one at a time do the work (see `sweeps`).

use std::sync::Arc;
use std::time::Duration;

use runyard_domain::PauseKind;
use uuid::Uuid;

use crate::{Database, StoreError};

/// Timing of the sweepers.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// How often the reaper and promoter run when nothing falls due sooner; also how
    /// often idle tasks are looked for and requested pauses settled.
    pub sweep_interval: Duration,
    /// How long a running job may take to hand back after its task asked it to pause.
    pub pause_grace: Duration,
    /// How often retention deletes expired jobs.
    pub retention_interval: Duration,
}

/// Where the sweepers count what they did (e.g. the server's metrics).
pub trait SweepCounters: Send + Sync + 'static {
    /// Jobs taken back from runners whose lease expired.
    fn leases_expired(&self, jobs: u64);
    /// Due jobs made claimable.
    fn jobs_promoted(&self, jobs: u64);
}

/// Background tasks of a server; they stop when this is dropped.
pub struct Background {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Background {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Starts the notification listener and publisher and the sweepers.
pub fn start(db: &Database, config: SweepConfig, counters: Arc<dyn SweepCounters>) -> Background {
    let signals = db.signals().clone();
    Background {
        tasks: vec![
            tokio::spawn(signals.clone().listen(db.clone())),
            tokio::spawn(signals.publish(db.clone())),
            tokio::spawn(sweep(db.clone(), config.clone(), counters)),
            tokio::spawn(sweep_tasks(db.clone(), config.sweep_interval)),
            tokio::spawn(retain(db.clone(), config.retention_interval)),
        ],
    }
}

/// The sweeper: reaps expired leases, promotes due jobs and rejects approvals past their
/// deadline, then sleeps until the next
/// job falls due or the interval passes.
async fn sweep(db: Database, config: SweepConfig, counters: Arc<dyn SweepCounters>) {
    const BATCH: u32 = 1000;
    let interval = config.sweep_interval;
    loop {
        // A runner that lost a lease may be gone while a long-poll of its own still waits
        // here (a killed process does not cancel its request): it must not take the job
        // straight back. Marked before the jobs are claimable again.
        let signals = db.signals().clone();
        let mark = |lost: &[(Uuid, Uuid)]| {
            for (workspace, runner) in lost {
                signals.runner_stopping(*runner, *workspace);
            }
        };
        let reaped = match db.reap_expired(BATCH, config.pause_grace, mark).await {
            Ok(lost) => {
                counters.leases_expired(lost.len() as u64);
                lost.len() as u64
            }
            Err(e) => {
                tracing::warn!(error = %e, "lease reaper failed");
                0
            }
        };
        if reaped > 0 {
            tracing::info!(jobs = reaped, "reaped expired leases");
        }
        let promoted = match db.promote_due(BATCH).await {
            Ok(workspaces) => {
                let n = workspaces.len() as u64;
                counters.jobs_promoted(n);
                n
            }
            Err(e) => {
                tracing::warn!(error = %e, "promoter failed");
                0
            }
        };
        let timed_out = time_out_approvals(&db, BATCH).await;
        if reaped >= u64::from(BATCH) || promoted >= u64::from(BATCH) || timed_out >= BATCH {
            continue;
        }
        let until_due = match db.next_due().await {
            Ok(Some(due)) => (due - chrono::Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO),
            _ => interval,
        };
        tokio::time::sleep(until_due.clamp(Duration::from_millis(20), interval)).await;
    }
}

/// Rejects, as the system, jobs whose approval wait passed its deadline. Returns how
/// many were looked at.
async fn time_out_approvals(db: &Database, limit: u32) -> u32 {
    let overdue = match db.overdue_approvals(limit).await {
        Ok(overdue) => overdue,
        Err(e) => {
            tracing::warn!(error = %e, "looking for overdue approvals failed");
            return 0;
        }
    };
    for (workspace, job) in &overdue {
        match db.time_out_approval(*workspace, *job).await {
            Ok(true) => tracing::info!(%workspace, %job, "approval timed out: job failed"),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, %workspace, %job, "approval timeout failed"),
        }
    }
    overdue.len() as u32
}

/// The task sweeper: settles requested pauses whose jobs are all handed back or reaped,
/// and pauses tasks idle past their workspace's `auto_pause_after_seconds`.
async fn sweep_tasks(db: Database, interval: Duration) {
    const BATCH: u32 = 100;
    loop {
        match db.settle_pauses().await {
            Ok(settled) if !settled.is_empty() => {
                tracing::info!(
                    tasks = settled.len(),
                    "paused tasks whose jobs all handed back"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "settling pauses failed"),
        }
        match db.idle_tasks(BATCH).await {
            Ok(idle) => {
                for (workspace, task) in idle {
                    if let Err(e) = auto_pause(&db, workspace, task).await {
                        tracing::warn!(error = %e, %workspace, %task, "auto-pause failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "looking for idle tasks failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

async fn auto_pause(db: &Database, workspace: Uuid, task: Uuid) -> Result<(), StoreError> {
    let tx = db.enter_system(workspace).await?;
    let paused = crate::tasks::pause(&tx, task, PauseKind::Auto, Some("idle")).await?;
    tx.commit().await?;
    tracing::info!(%workspace, %task, status = %paused.status, "auto-paused an idle task");
    Ok(())
}

/// Retention: deletes finished jobs past their workspace's `retention_days`, in bounded
/// batches, one replica at a time.
async fn retain(db: Database, interval: Duration) {
    const BATCH: u32 = 500;
    loop {
        let mut total = 0;
        loop {
            match db.apply_retention(BATCH).await {
                Ok(n) => {
                    total += n;
                    if n < u64::from(BATCH) {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retention failed");
                    break;
                }
            }
        }
        if total > 0 {
            tracing::info!(jobs = total, "retention deleted finished jobs");
        }
        tokio::time::sleep(interval).await;
    }
}
