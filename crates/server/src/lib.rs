//! The Runyard server: configuration, database provisioning (embedded or external),
//! migrations, serving the API until asked to stop, and the reference runner
//! ([`runner`]) that claims and runs jobs.
//!
//! The binary in `main.rs` is a thin command-line layer over this library, whose [`cli`]
//! module holds the client commands (`jobs`, `workspaces`, ...); the test
//! harness uses [`provision`] to set up its throw-away databases the same way.

pub mod cli;
pub mod config;
pub mod logging;
pub mod provision;
pub mod runner;
pub mod serve;
