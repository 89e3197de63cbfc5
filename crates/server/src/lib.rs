//! The Runyard server: configuration, the embedded database ([`embedded`]) or an external
//! one, migrations, serving the API until asked to stop, and the reference runner
//! ([`runner`]) that claims and runs jobs.
//!
//! The binary in `main.rs` is a thin command-line layer over this library, whose [`cli`]
//! module holds the client commands (`jobs`, `workspaces`, ...).

pub mod cli;
pub mod config;
pub mod embedded;
pub mod logging;
pub mod runner;
pub mod serve;
pub mod tls;
