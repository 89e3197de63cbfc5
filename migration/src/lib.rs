//! Runyard's schema: tables, the `runyard_app` role's grants, and row-level security.
//!
//! Migrations run as the owner role. They create `runyard_app` (no login, not owner, no
//! `BYPASSRLS`) when it is missing; the server connects as that role, or as a login role
//! that is a member of it. Each migration is one SQL file, run in one transaction.
//!
//! SQL functions are not read from history: `src/functions/` holds one file per function
//! with its current body, grants and security, applied with `CREATE OR REPLACE` after the
//! migrations on every migrate. `schema.snapshot.sql` is what all of it adds up to; a test
//! compares a freshly migrated database against it.
//! [`provision`] turns a cluster into a Runyard database: roles, the database, migrations.

pub use sea_orm_migration::prelude::*;

pub mod provision;
mod sql_migration;

use sql_migration::SqlMigration;

/// Every migration, oldest first. Names are stable: they are recorded in `seaql_migrations`.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "m20261123_000001_foundation",
        include_str!("sql/m20261123_000001_foundation.sql"),
    ),
    (
        "m20261123_000002_runner_protocol",
        include_str!("sql/m20261123_000002_runner_protocol.sql"),
    ),
    (
        "m20261123_000003_agent_tasks",
        include_str!("sql/m20261123_000003_agent_tasks.sql"),
    ),
    (
        "m20261123_000004_metrics",
        include_str!("sql/m20261123_000004_metrics.sql"),
    ),
    (
        "m20261203_000005_sweeps_decide_in_code",
        include_str!("sql/m20261203_000005_sweeps_decide_in_code.sql"),
    ),
    (
        "m20261203_000006_suspend_and_commands",
        include_str!("sql/m20261203_000006_suspend_and_commands.sql"),
    ),
    (
        "m20261203_000007_ai_calls",
        include_str!("sql/m20261203_000007_ai_calls.sql"),
    ),
    (
        "m20261203_000008_records",
        include_str!("sql/m20261203_000008_records.sql"),
    ),
    (
        "m20261203_000010_lean_job_indexes",
        include_str!("sql/m20261203_000010_lean_job_indexes.sql"),
    ),
    (
        "m20261203_000011_traceparent",
        include_str!("sql/m20261203_000011_traceparent.sql"),
    ),
    (
        "m20261203_000012_approval_timeout",
        include_str!("sql/m20261203_000012_approval_timeout.sql"),
    ),
    (
        "m20261203_000013_status_index_leads_with_status",
        include_str!("sql/m20261203_000013_status_index_leads_with_status.sql"),
    ),
];

/// Every SQL function's current definition, by name. Applied in this order after the
/// migrations, so a function may call one listed before it.
const FUNCTIONS: &[(&str, &str)] = &[
    (
        "runyard_enter_workspace",
        include_str!("functions/runyard_enter_workspace.sql"),
    ),
    (
        "runyard_enter_runner",
        include_str!("functions/runyard_enter_runner.sql"),
    ),
    (
        "runyard_notify_logs",
        include_str!("functions/runyard_notify_logs.sql"),
    ),
    (
        "runyard_notify_commands",
        include_str!("functions/runyard_notify_commands.sql"),
    ),
    (
        "runyard_settle_pauses",
        include_str!("functions/runyard_settle_pauses.sql"),
    ),
    (
        "runyard_settle_all_pauses",
        include_str!("functions/runyard_settle_all_pauses.sql"),
    ),
    (
        "runyard_expired_leases",
        include_str!("functions/runyard_expired_leases.sql"),
    ),
    (
        "runyard_due_jobs",
        include_str!("functions/runyard_due_jobs.sql"),
    ),
    (
        "runyard_due_suspended",
        include_str!("functions/runyard_due_suspended.sql"),
    ),
    (
        "runyard_next_due",
        include_str!("functions/runyard_next_due.sql"),
    ),
    (
        "runyard_overdue_approvals",
        include_str!("functions/runyard_overdue_approvals.sql"),
    ),
    (
        "runyard_idle_tasks",
        include_str!("functions/runyard_idle_tasks.sql"),
    ),
    (
        "runyard_apply_retention",
        include_str!("functions/runyard_apply_retention.sql"),
    ),
    (
        "runyard_claimable",
        include_str!("functions/runyard_claimable.sql"),
    ),
    (
        "runyard_queue_stats",
        include_str!("functions/runyard_queue_stats.sql"),
    ),
];

/// The name of the role the server runs as.
pub const APP_ROLE: &str = "runyard_app";

/// The migrations, then the functions: `Migrator::up` brings a database to the schema
/// this build expects.
pub struct Migrator;

/// The migrations alone, as history recorded them.
struct History;

fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    MIGRATIONS
        .iter()
        .map(|(name, sql)| Box::new(SqlMigration { name, sql }) as Box<dyn MigrationTrait>)
        .collect()
}

#[async_trait::async_trait]
impl MigratorTrait for History {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        migrations()
    }
}

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        migrations()
    }

    /// Applies pending migrations, then (when all are applied) every function's current
    /// definition.
    async fn up<'c, C>(db: C, steps: Option<u32>) -> Result<(), DbErr>
    where
        C: IntoSchemaManagerConnection<'c>,
    {
        use sea_orm_migration::sea_orm::DatabaseExecutor;
        match db.into_database_executor() {
            DatabaseExecutor::Connection(c) => {
                History::up(c, steps).await?;
                record_checksums(c).await?;
                if steps.is_none() {
                    apply_functions(c).await?;
                }
            }
            DatabaseExecutor::Transaction(t) => {
                History::up(t, steps).await?;
                record_checksums(t).await?;
                if steps.is_none() {
                    apply_functions(t).await?;
                }
            }
            DatabaseExecutor::OwnedTransaction(t) => {
                History::up(&t, steps).await?;
                record_checksums(&t).await?;
                if steps.is_none() {
                    apply_functions(&t).await?;
                }
                t.commit().await?;
            }
        }
        Ok(())
    }
}

/// Creates or replaces every SQL function, in one statement batch (one implicit
/// transaction when not already in one).
pub async fn apply_functions(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let mut sql = String::new();
    for (_, body) in FUNCTIONS {
        sql.push_str(body);
        sql.push('\n');
    }
    db.execute_unprepared(&sql).await?;
    Ok(())
}

/// Every migration's name with the hex SHA-256 of its SQL, oldest first: what this build
/// expects to find recorded for each applied migration.
pub fn checksums() -> Vec<(&'static str, String)> {
    use sha2::{Digest, Sha256};
    MIGRATIONS
        .iter()
        .map(|(name, sql)| {
            let digest = Sha256::digest(sql.as_bytes());
            let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
            (*name, hex)
        })
        .collect()
}

/// Records the checksum of every applied migration that has none yet (those applied just
/// now, and on the first migrate of a database older than the checksum table). A
/// recorded checksum is never overwritten: a changed text must stay visible.
async fn record_checksums(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let exists = db
        .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT to_regclass('runyard_migration_checksums') IS NOT NULL AS present",
        ))
        .await?
        .map(|row| row.try_get::<bool>("", "present"))
        .transpose()?
        .unwrap_or(false);
    if !exists {
        // Stepping through history (`steps`) before the table's migration.
        return Ok(());
    }
    // Names and hex digests are this build's own constants: safe as literals.
    let values: Vec<String> = checksums()
        .into_iter()
        .map(|(name, sha)| format!("('{name}', '{sha}')"))
        .collect();
    db.execute_unprepared(&format!(
        "INSERT INTO runyard_migration_checksums (version, sha256) \
         SELECT b.version, b.sha256 FROM (VALUES {}) AS b(version, sha256) \
           JOIN seaql_migrations m ON m.version = b.version \
         ON CONFLICT (version) DO NOTHING",
        values.join(", ")
    ))
    .await?;
    Ok(())
}

/// The name of the newest migration: the schema version a server expects.
pub fn latest_version() -> &'static str {
    MIGRATIONS.last().map(|(name, _)| *name).unwrap_or_default()
}

/// A fingerprint of every migration's and function's name and SQL, for caching migrated
/// templates.
pub fn fingerprint() -> String {
    // FNV-1a: stable across builds and platforms, which `DefaultHasher` does not promise.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, sql) in MIGRATIONS.iter().chain(FUNCTIONS) {
        for byte in name.bytes().chain(sql.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
