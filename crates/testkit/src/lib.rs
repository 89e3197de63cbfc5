//! Test harness: real PostgreSQL, real server, real HTTP.
//!
//! * [`TestDb::new`] gives each test its own database, cloned from a template migrated
//!   once per migration set (keyed by [`runyard_migration::fingerprint`]). The cluster is
//!   `DATABASE_URL` (a superuser URL) when set; else, with `RUNYARD_TEST_DB=docker[:IMAGE]`
//!   and the `docker` feature, a container from a Docker engine (testcontainers); else a
//!   throw-away cluster started once per test process from the machine's PostgreSQL
//!   binaries.
//! * [`TestServer::start`] serves the API over a fresh database on a loopback port.
//! * [`Client`] speaks to it and returns [`Reply`]s with status, content type and JSON.
//! * [`eventually`] waits for what the server does in the background.

mod db;
mod docker;
mod http;
mod wait;

pub use db::TestDb;
pub use http::{Client, Reply, TEST_SECRET, TestServer};
pub use wait::eventually;

/// Every migration of this build with the SHA-256 of its text, as the server checks them.
pub fn built_migrations() -> Vec<(String, String)> {
    runyard_migration::checksums()
        .into_iter()
        .map(|(name, sha)| (name.to_owned(), sha))
        .collect()
}
