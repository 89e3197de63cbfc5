//! Runyard's storage layer on PostgreSQL through SeaORM.
//!
//! Every piece of tenant data is read and written through a [`WorkspaceTx`]: a transaction
//! that has entered one workspace (`runyard.workspace_id` set, transaction-local). The
//! repository functions in [`workspaces`], [`members`], [`jobs`], [`tasks`] and [`queue`] take a `&WorkspaceTx`,
//! never a pool, so a query without the workspace scope does not compile. Row-level
//! security in the database backs that up for anything the code gets wrong.
//!
//! Every job and task state change is written by `transition` (one typed statement per
//! change or batch, with its events); a transaction that made jobs claimable wakes waiting
//! runners when it commits. The cross-workspace sweeps live in `sweeps` and the loops that
//! run them in [`background`].
//!
//! Deliberately absent: any public access to the raw connection pool.

pub mod background;
mod database;
mod error;
mod records;
mod scope;

pub mod feed;
pub mod jobs;
pub mod members;
pub mod queue;
pub mod runners;
mod signals;
pub mod stats;
mod sweeps;
pub mod tasks;
mod transition;
pub mod usage;
pub mod workspaces;

pub use database::{
    DEFAULT_ACQUIRE_TIMEOUT, DEFAULT_STATEMENT_CACHE, Database, PoolSettings, WorkspaceRef,
};
pub use error::StoreError;
pub use records::{
    ArtifactRecord, ClaimedJob, CommandRecord, EventRecord, Heartbeat, JobRecord, LogRecord,
    MemberRecord, RunnerRecord, SnapshotMeta, SnapshotRecord, StepRecord, TaskEventRecord,
    TaskRecord, WorkspaceRecord,
};
pub use scope::WorkspaceTx;
pub use signals::Signals;

/// Timestamps as stored: `timestamptz`, read as UTC.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
