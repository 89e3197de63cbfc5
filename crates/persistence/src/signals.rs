//! Wake-ups from PostgreSQL `LISTEN/NOTIFY`: a job became claimable in a workspace
//! (`runyard_jobs`), a job got new log lines (`runyard_logs`).
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

    /// Listens until the task is dropped, reconnecting on errors. Every reconnect wakes
    /// every waiter, since notifications may have been missed meanwhile.
    pub async fn listen(self, db: Database) {
        loop {
            if let Err(e) = self.listen_once(&db).await {
                tracing::warn!(error = %e, "notification listener failed; reconnecting");
            }
            self.jobs.wake_all();
            self.logs.wake_all();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn listen_once(&self, db: &Database) -> Result<(), StoreError> {
        let mut listener = PgListener::connect_with(db.pool())
            .await
            .map_err(sqlx_err)?;
        listener
            .listen_all([JOBS_CHANNEL, LOGS_CHANNEL])
            .await
            .map_err(sqlx_err)?;
        // Anything sent before we listened is unknown: let waiters look again.
        self.jobs.wake_all();
        self.logs.wake_all();
        loop {
            let n = listener.recv().await.map_err(sqlx_err)?;
            let Ok(key) = Uuid::parse_str(n.payload()) else {
                continue;
            };
            match n.channel() {
                JOBS_CHANNEL => self.jobs.wake(key),
                LOGS_CHANNEL => self.logs.wake(key),
                _ => {}
            }
        }
    }
}

fn sqlx_err(e: sea_orm::sqlx::Error) -> StoreError {
    StoreError::Database(sea_orm::DbErr::Custom(format!("listener: {e}")))
}
