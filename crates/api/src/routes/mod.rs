//! The endpoints of API v1, grouped by resource.

mod events;
mod health;
mod jobs;
mod logs;
mod paging;
mod runner;
mod runners;
mod tasks;
mod usage;
mod workspaces;

pub use events::EventsApi;
pub use health::HealthApi;
pub use jobs::JobsApi;
pub use runner::RunnerApi;
pub use runners::RunnersApi;
pub use tasks::TasksApi;
pub use usage::UsageApi;
pub use workspaces::WorkspacesApi;

use poem_openapi::auth::Bearer;
use poem_openapi::{SecurityScheme, Tags};

use crate::error::ApiError;
use crate::state::{AppState, Caller};

#[derive(Tags)]
pub(crate) enum Tag {
    /// Liveness and readiness.
    Health,
    /// Workspaces and their members.
    Workspaces,
    /// Runner jobs: enqueue, inspect, cancel, retry, logs, artifacts.
    Jobs,
    /// Registering and revoking runners.
    Runners,
    /// The workspace event feed: every job and task event, paged or live.
    Events,
    /// Agent tasks: long-lived work whose jobs pause into a snapshot and resume from it.
    Tasks,
    /// Model calls, usage roll-ups and queue stats.
    Usage,
    /// The runner protocol: claim, heartbeat, report, finish. Runner tokens only.
    Runner,
}

/// A user's JWT: `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT")]
pub struct UserToken(Bearer);

type Result<T> = std::result::Result<T, ApiError>;

/// An absolute path from its segments, each percent-encoded as a path segment: the
/// `Location` of a created resource.
pub(crate) fn location(segments: &[&str]) -> String {
    let mut path = String::new();
    for segment in segments {
        path.push('/');
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                path.push(byte as char);
            } else {
                path.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    path
}

pub(crate) fn caller(state: &AppState, token: &UserToken) -> Result<Caller> {
    state.authenticate(&token.0.token)
}
