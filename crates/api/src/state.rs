//! What every endpoint shares: the database, the token verifier, queue settings, the
//! notification hub; and the background work (listener, lease reaper, promoter).

use std::sync::Arc;
use std::time::Duration;

use runyard_domain::{Actor, Role};
use runyard_persistence::queue::RunnerIdentity;
use runyard_persistence::{Database, Signals, WorkspaceRef, WorkspaceTx};

use crate::{ApiError, AuthConfig, Metrics};

/// Queue timing.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// How long a claim or heartbeat leases a job for.
    pub lease: Duration,
    /// How often the reaper and promoter run when nothing falls due sooner; also how
    /// often idle tasks are looked for and requested pauses settled.
    pub sweep_interval: Duration,
    /// How long a running job may take to hand back after its task asked it to pause,
    /// before it loses its lease (the task is paused without a new snapshot).
    pub pause_grace: Duration,
    /// How often retention deletes expired jobs.
    pub retention_interval: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            sweep_interval: Duration::from_secs(1),
            pause_grace: Duration::from_secs(30),
            retention_interval: Duration::from_secs(60),
        }
    }
}

pub struct AppState {
    pub db: Database,
    pub auth: AuthConfig,
    /// The newest migration this server was built with; `/readyz` compares against it.
    pub expected_schema_version: String,
    pub queue: QueueConfig,
    pub signals: Signals,
    pub metrics: Arc<Metrics>,
    /// Becomes true when the server starts shutting down: long-polls and live streams end
    /// so that draining does not wait for them.
    stopping: tokio::sync::watch::Sender<bool>,
}

/// An authenticated user.
pub(crate) struct Caller {
    pub subject: String,
    pub actor: Actor,
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

impl AppState {
    pub fn new(
        db: Database,
        auth: AuthConfig,
        expected_schema_version: impl Into<String>,
        queue: QueueConfig,
    ) -> Self {
        Self {
            signals: db.signals().clone(),
            db,
            auth,
            expected_schema_version: expected_schema_version.into(),
            queue,
            metrics: Arc::default(),
            stopping: tokio::sync::watch::Sender::new(false),
        }
    }

    /// A state with no database, only good for rendering the spec.
    pub(crate) fn for_spec() -> Self {
        let auth = AuthConfig::hs256(&[0u8; 32]).expect("a 32-byte secret is long enough");
        Self::new(Database::disconnected(), auth, "", QueueConfig::default())
    }

    /// Starts the notification listener and the sweeper (lease reaper and promoter of due
    /// jobs). Every replica runs them; advisory locks let one at a time do the sweeping.
    pub fn start_background(self: &Arc<Self>) -> Background {
        let listener = tokio::spawn(self.signals.clone().listen(self.db.clone()));
        let publisher = tokio::spawn(self.signals.clone().publish(self.db.clone()));
        let sweeper = tokio::spawn(sweep(
            self.db.clone(),
            self.signals.clone(),
            self.queue.clone(),
            self.metrics.clone(),
        ));
        let tasks = tokio::spawn(sweep_tasks(self.db.clone(), self.queue.sweep_interval));
        let retention = tokio::spawn(retain(self.db.clone(), self.queue.retention_interval));
        Background {
            tasks: vec![listener, publisher, sweeper, tasks, retention],
        }
    }

    /// Ends waiting long-polls and live streams: the server is shutting down.
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once [`AppState::begin_shutdown`] was called.
    pub(crate) async fn stopping(&self) {
        let mut rx = self.stopping.subscribe();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }

    pub(crate) fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        let claims = self.auth.verify(token).map_err(ApiError::unauthorized)?;
        Ok(Caller {
            actor: Actor::User(claims.sub.clone()),
            subject: claims.sub,
        })
    }

    /// Enters workspace `ws` (id or slug) for `caller`, who must hold at least `required`.
    /// Not a member, or no such workspace: 404, indistinguishably.
    pub(crate) async fn enter(
        &self,
        caller: &Caller,
        ws: &str,
        required: Role,
    ) -> Result<WorkspaceTx, ApiError> {
        let tx = self
            .db
            .enter(&caller.subject, &caller.actor, &WorkspaceRef::parse(ws))
            .await
            .map_err(|e| ApiError::from_store(e, "workspace"))?
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        if !tx.role().allows(required) {
            return Err(ApiError::forbidden(format!(
                "this needs the {required} role in the workspace; you are {}",
                tx.role()
            )));
        }
        Ok(tx)
    }

    /// Enters the workspace of a runner token. Unknown, malformed or revoked: 401.
    pub(crate) async fn enter_runner(
        &self,
        token: &str,
    ) -> Result<(WorkspaceTx, RunnerIdentity), ApiError> {
        self.db
            .enter_runner(token)
            .await
            .map_err(|e| ApiError::from_store(e, "runner"))?
            .ok_or_else(|| {
                ApiError::unauthorized("not a valid runner token, or the runner was revoked")
            })
    }
}

/// The sweeper: reaps expired leases and promotes due jobs, then sleeps until the next
/// job falls due or the interval passes.
async fn sweep(db: Database, signals: Signals, queue: QueueConfig, metrics: Arc<Metrics>) {
    const BATCH: u32 = 1000;
    let interval = queue.sweep_interval;
    loop {
        // A runner that lost a lease may be gone while a long-poll of its own still waits
        // here (a killed process does not cancel its request): it must not take the job
        // straight back. Marked before the jobs are claimable again.
        let mark = |lost: &[(uuid::Uuid, uuid::Uuid)]| {
            for (workspace, runner) in lost {
                signals.runner_stopping(*runner, *workspace);
            }
        };
        let reaped = match db.reap_expired(BATCH, queue.pause_grace, mark).await {
            Ok(lost) => {
                // Some went straight back to the queue (no backoff).
                for (workspace, _) in &lost {
                    signals.jobs_queued(*workspace);
                }
                metrics.leases_expired.add(lost.len() as u64);
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
                metrics.jobs_promoted.add(n);
                for workspace in workspaces {
                    signals.jobs_queued(workspace);
                }
                n
            }
            Err(e) => {
                tracing::warn!(error = %e, "promoter failed");
                0
            }
        };
        if reaped >= u64::from(BATCH) || promoted >= u64::from(BATCH) {
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

async fn auto_pause(
    db: &Database,
    workspace: uuid::Uuid,
    task: uuid::Uuid,
) -> Result<(), runyard_persistence::StoreError> {
    let tx = db.enter_system(workspace).await?;
    let paused =
        runyard_persistence::tasks::pause(&tx, task, runyard_domain::PauseKind::Auto, Some("idle"))
            .await?;
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
