//! Runyard's schema: tables, the `runyard_app` role's grants, and row-level security.
//!
//! Migrations run as the owner role. They create `runyard_app` (no login, not owner, no
//! `BYPASSRLS`) when it is missing; the server connects as that role, or as a login role
//! that is a member of it. Each migration is one SQL file, run in one transaction.
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
];

/// The name of the role the server runs as.
pub const APP_ROLE: &str = "runyard_app";

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        MIGRATIONS
            .iter()
            .map(|(name, sql)| Box::new(SqlMigration { name, sql }) as Box<dyn MigrationTrait>)
            .collect()
    }
}

/// The name of the newest migration: the schema version a server expects.
pub fn latest_version() -> &'static str {
    MIGRATIONS.last().map(|(name, _)| *name).unwrap_or_default()
}

/// A fingerprint of every migration's name and SQL, for caching migrated templates.
pub fn fingerprint() -> String {
    // FNV-1a: stable across builds and platforms, which `DefaultHasher` does not promise.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, sql) in MIGRATIONS {
        for byte in name.bytes().chain(sql.bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
