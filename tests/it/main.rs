//! End-to-end tests: a real PostgreSQL, a real server on a loopback port, real HTTP.
//! Every test gets a database of its own, so they run in parallel.

mod approval_timeout;
mod auth;
mod boundary;
mod client;
mod commands;
mod console;
mod errors;
mod failures;
mod feed;
mod handover;
mod health;
mod http_extras;
mod isolation;
mod jobs;
mod metrics;
mod otel;
mod paging;
mod plans;
mod records;
mod redaction;
mod reference_runner;
mod runner;
mod schema;
mod steps;
mod suspend;
mod tasks;
mod tidy;
mod usage;
mod wakeups;
mod workspaces;
