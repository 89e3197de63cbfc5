//! Wake-ups from PostgreSQL `LISTEN/NOTIFY`: a job became claimable in a workspace
//! (`runyard_jobs`), a job got new log lines (`runyard_logs`) or commands
//! (`runyard_commands`).
//!
//! One connection per server listens; waiters register interest in a workspace or a job
//! and are woken when its notification arrives. No polling: a long-poll claim sleeps until
//! a notification or its deadline.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::{Database, StoreError};

const JOBS_CHANNEL: &str = "runyard_jobs";
const LOGS_CHANNEL: &str = "runyard_logs";
const COMMANDS_CHANNEL: &str = "runyard_commands";

#[derive(Default)]
struct Registry {
    waiters: Mutex<HashMap<Uuid, Arc<Notify>>>,
}

impl Registry {
    fn get(&self, key: Uuid) -> Arc<Notify> {
        let mut map = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key).or_default().clone()
    }

    fn wake(&self, key: Uuid) {
        let map = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get(&key) {
            n.notify_waiters();
        }
    }

    fn wake_all(&self) {
        let mut map = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        // Forget entries nobody holds any more while we are here.
        map.retain(|_, n| Arc::strong_count(n) > 1);
        for n in map.values() {
            n.notify_waiters();
        }
    }
}

/// Where waiters get their [`Notify`]s; fed by [`Signals::listen`].
#[derive(Default, Clone)]
pub struct Signals {
    jobs: Arc<Registry>,
    logs: Arc<Registry>,
    commands: Arc<Registry>,
    /// Bumped when a runner hands work back: its long-polls still waiting on this server
    /// belong to a runner that is stopping (its client may be gone) and must not claim.
    runner_epochs: Arc<Mutex<HashMap<Uuid, u64>>>,
    /// Workspaces with newly claimable jobs, to announce to the other servers.
    outbox: Arc<Mutex<std::collections::HashSet<Uuid>>>,
    outbox_ready: Arc<Notify>,
}

impl Signals {
    /// Woken when jobs of `workspace` become claimable. Call `notified()` and `enable()`
    /// it *before* looking for work, so a notification in between is not lost.
    pub fn jobs(&self, workspace: Uuid) -> Arc<Notify> {
        self.jobs.get(workspace)
    }

    /// Woken when `job` gets new log entries.
    pub fn logs(&self, job: Uuid) -> Arc<Notify> {
        self.logs.get(job)
    }

    /// Woken when `job` gets new commands.
    pub fn commands(&self, job: Uuid) -> Arc<Notify> {
        self.commands.get(job)
    }

    /// Jobs of `workspace` became claimable (committed): wakes this server's waiters now
    /// and, through [`Signals::publish`], every other server's.
    pub fn jobs_queued(&self, workspace: Uuid) {
        self.jobs.wake(workspace);
        self.outbox
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(workspace);
        self.outbox_ready.notify_one();
    }

    /// Sends the `runyard_jobs` notifications [`Signals::jobs_queued`] collected, one
    /// statement per batch, outside any enqueue transaction. Runs until dropped.
    pub async fn publish(self, db: Database) {
        loop {
            self.outbox_ready.notified().await;
            let batch: Vec<Uuid> = {
                let mut outbox = self.outbox.lock().unwrap_or_else(|e| e.into_inner());
                outbox.drain().collect()
            };
            if batch.is_empty() {
                continue;
            }
            if let Err(e) = db.notify_jobs(batch).await {
                tracing::warn!(error = %e, "could not announce queued jobs to other servers");
            }
        }
    }

    /// The runner's current epoch; see [`Signals::runner_stopping`].
    pub fn runner_epoch(&self, runner: Uuid) -> u64 {
        let map = self.runner_epochs.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&runner).copied().unwrap_or(0)
    }

    /// Marks `runner` as stopping: long-polls it started before now end without claiming.
    pub fn runner_stopping(&self, runner: Uuid, workspace: Uuid) {
        {
            let mut map = self.runner_epochs.lock().unwrap_or_else(|e| e.into_inner());
            *map.entry(runner).or_default() += 1;
        }
        self.jobs.wake(workspace);
    }

    /// Listens until the task is dropped, reconnecting on errors. Every reconnect wakes
    /// every waiter, since notifications may have been missed meanwhile.
    pub async fn listen(self, db: Database) {
        loop {
            if let Err(e) = self.listen_once(&db).await {
                tracing::warn!(error = %e, "notification listener failed; reconnecting");
            }
            self.jobs.wake_all();
            self.logs.wake_all();
            self.commands.wake_all();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn listen_once(&self, db: &Database) -> Result<(), StoreError> {
        let mut listener = match db.listen_url() {
            Some(url) => PgListener::connect(url).await,
            None => PgListener::connect_with(db.pool()).await,
        }
        .map_err(sqlx_err)?;
        listener
            .listen_all([JOBS_CHANNEL, LOGS_CHANNEL, COMMANDS_CHANNEL])
            .await
            .map_err(sqlx_err)?;
        // Anything sent before we listened is unknown: let waiters look again.
        self.jobs.wake_all();
        self.logs.wake_all();
        self.commands.wake_all();
        loop {
            let n = listener.recv().await.map_err(sqlx_err)?;
            let Ok(key) = Uuid::parse_str(n.payload()) else {
                continue;
            };
            match n.channel() {
                JOBS_CHANNEL => self.jobs.wake(key),
                LOGS_CHANNEL => self.logs.wake(key),
                COMMANDS_CHANNEL => self.commands.wake(key),
                _ => {}
            }
        }
    }
}

fn sqlx_err(e: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Database(sea_orm::DbErr::Custom(format!("listener: {e}")))
}
