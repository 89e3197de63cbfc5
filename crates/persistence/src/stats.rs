//! Read-only statistics for monitoring: the queue across every workspace (through the
//! audited `runyard_queue_stats()` function, counts only) and this server's pool.

use sea_orm::{DatabaseConnectionType, FromQueryResult};

use crate::scope::stmt;
use crate::{Database, StoreError};

/// Jobs in each non-terminal status, across every workspace.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueueStats {
    pub pending: u64,
    pub queued: u64,
    pub running: u64,
    pub paused: u64,
    /// How long the claimable job that has waited longest has been claimable (since its
    /// `run_after`), by the database's clock; 0 when none is.
    pub oldest_queued_age_seconds: f64,
}

/// The connection pool's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub idle: u64,
    pub in_use: u64,
    pub max: u64,
}

impl Database {
    /// Counts of the queue's jobs by status, across every workspace.
    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        #[derive(FromQueryResult)]
        struct Row {
            stat_status: String,
            stat_jobs: i64,
            oldest_age: Option<f64>,
        }
        let rows = Row::find_by_statement(stmt(
            "SELECT stat_status, stat_jobs, \
                    greatest(0, extract(epoch FROM clock_timestamp() - stat_oldest_run_after))::float8 \
                        AS oldest_age \
               FROM runyard_queue_stats()",
            [],
        ))
        .all(&self.single())
        .await?;
        let mut stats = QueueStats::default();
        for row in rows {
            let n = u64::try_from(row.stat_jobs).unwrap_or_default();
            match row.stat_status.as_str() {
                "PENDING" => stats.pending = n,
                "QUEUED" => {
                    stats.queued = n;
                    stats.oldest_queued_age_seconds = row.oldest_age.unwrap_or_default();
                }
                "RUNNING" => stats.running = n,
                "PAUSED" => stats.paused = n,
                _ => {}
            }
        }
        Ok(stats)
    }

    /// The pool's connections, idle and in use, and its ceiling. `None` when this handle
    /// is not connected.
    pub fn pool_stats(&self) -> Option<PoolStats> {
        let DatabaseConnectionType::SqlxPostgresPoolConnection(_) = &self.connection().inner else {
            return None;
        };
        let pool = self.pool();
        let size = u64::from(pool.size());
        let idle = pool.num_idle() as u64;
        Some(PoolStats {
            idle,
            in_use: size.saturating_sub(idle),
            max: u64::from(pool.options().get_max_connections()),
        })
    }
}
