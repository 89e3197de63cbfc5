//! The Runyard API from Rust: its wire types ([`types`]) and one HTTP client ([`Client`]).
//!
//! The types are written by hand to match the served spec (`openapi/runyard.openapi.json`):
//! field names exactly as the server sends them, required fields required, optional ones
//! `Option`. The client presents a bearer token on every request, builds URLs under a base
//! URL (a path prefix is kept, segments are percent-encoded), and turns every answer but
//! 2xx into [`Error::Problem`] carrying the RFC 9457 problem (status, code, title, detail).
//!
//! Everything in the repository that speaks HTTP to a server goes through this crate: the
//! command-line client, the reference runner, the test harness and the bench.

mod client;
mod error;
pub mod types;

pub use client::{Client, ClientBuilder};
pub use error::{ConfigError, Error, Problem};
pub use reqwest;
pub use types::*;
