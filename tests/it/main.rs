//! End-to-end tests: a real PostgreSQL, a real server on a loopback port, real HTTP.
//! Every test gets a database of its own, so they run in parallel.

mod auth;
mod boundary;
mod client;
mod console;
mod errors;
mod feed;
mod health;
mod http_extras;
mod isolation;
mod jobs;
mod metrics;
mod paging;
mod records;
mod redaction;
mod runner;
mod schema;
mod tasks;
mod tidy;
mod wakeups;
mod workspaces;
