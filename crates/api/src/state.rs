//! What every endpoint shares: the database, the token verifier, queue settings, the
//! notification hub; and starting the background work (which lives in persistence).

use std::sync::Arc;
use std::time::Duration;

use runyard_domain::{Actor, Role};
use runyard_persistence::queue::RunnerIdentity;
use runyard_persistence::{Database, WorkspaceRef, WorkspaceTx};

use crate::{ApiError, AuthConfig, Metrics, Tracer};

/// Queue timing.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// How long a claim or heartbeat leases a job for.
    pub lease: Duration,
    /// How often the reaper and promoter run when nothing falls due sooner; also how
    /// often idle tasks are looked for and requested pauses settled.
    pub sweep_interval: Duration,
    /// How long a running job may take to hand back after its task asked it to pause,
    /// before it loses its lease (the task is paused without a new snapshot).
    pub pause_grace: Duration,
    /// How often retention deletes expired jobs.
    pub retention_interval: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            sweep_interval: Duration::from_secs(1),
            pause_grace: Duration::from_secs(30),
            retention_interval: Duration::from_secs(60),
        }
    }
}

pub struct AppState {
    pub db: Database,
    pub auth: AuthConfig,
    /// The newest migration this server was built with; `/readyz` compares against it.
    pub expected_schema_version: String,
    /// Every migration this server was built with and the SHA-256 of its text; `/readyz`
    /// is not ready while an applied one differs or is unknown. Empty: not checked.
    pub built_migrations: Vec<(String, String)>,
    pub queue: QueueConfig,
    pub metrics: Arc<Metrics>,
    /// Where request and job spans go (nowhere unless an OTLP endpoint is configured).
    pub tracer: Arc<Tracer>,
    /// Becomes true when the server starts shutting down: long-polls and live streams end
    /// so that draining does not wait for them.
    stopping: tokio::sync::watch::Sender<bool>,
}

/// An authenticated user.
pub(crate) struct Caller {
    pub subject: String,
    pub actor: Actor,
}

pub use runyard_persistence::background::Background;

impl runyard_persistence::background::SweepCounters for Metrics {
    fn leases_expired(&self, jobs: u64) {
        self.leases_expired.add(jobs);
    }

    fn jobs_promoted(&self, jobs: u64) {
        self.jobs_promoted.add(jobs);
    }
}

impl AppState {
    pub fn new(
        db: Database,
        auth: AuthConfig,
        expected_schema_version: impl Into<String>,
        queue: QueueConfig,
    ) -> Self {
        Self {
            db,
            auth,
            expected_schema_version: expected_schema_version.into(),
            built_migrations: Vec::new(),
            queue,
            metrics: Arc::default(),
            tracer: Arc::default(),
            stopping: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Checks applied migrations against these (name, SHA-256) on `/readyz`.
    pub fn with_built_migrations(mut self, built: Vec<(String, String)>) -> Self {
        self.built_migrations = built;
        self
    }

    /// Exports request and job spans through `tracer`.
    pub fn with_tracer(mut self, tracer: Arc<Tracer>) -> Self {
        self.tracer = tracer;
        self
    }

    /// A state with no database, only good for rendering the spec.
    pub(crate) fn for_spec() -> Self {
        let auth = AuthConfig::hs256(&[0u8; 32]).expect("a 32-byte secret is long enough");
        Self::new(Database::disconnected(), auth, "", QueueConfig::default())
    }

    /// Starts the notification listener and the sweeper (lease reaper and promoter of due
    /// jobs). Every replica runs them; advisory locks let one at a time do the sweeping.
    pub fn start_background(self: &Arc<Self>) -> Background {
        let config = runyard_persistence::background::SweepConfig {
            sweep_interval: self.queue.sweep_interval,
            pause_grace: self.queue.pause_grace,
            retention_interval: self.queue.retention_interval,
        };
        runyard_persistence::background::start(&self.db, config, self.metrics.clone())
    }

    /// Ends waiting long-polls and live streams: the server is shutting down.
    pub fn begin_shutdown(&self) {
        self.stopping.send_replace(true);
    }

    /// Resolves once [`AppState::begin_shutdown`] was called.
    pub(crate) async fn stopping(&self) {
        let mut rx = self.stopping.subscribe();
        let _ = rx.wait_for(|stopping| *stopping).await;
    }

    pub(crate) fn authenticate(&self, token: &str) -> Result<Caller, ApiError> {
        let claims = self.auth.verify(token).map_err(ApiError::unauthorized)?;
        Ok(Caller {
            actor: Actor::User(claims.sub.clone()),
            subject: claims.sub,
        })
    }

    /// Enters workspace `ws` (id or slug) for `caller`, who must hold at least `required`.
    /// Not a member, or no such workspace: 404, indistinguishably.
    pub(crate) async fn enter(
        &self,
        caller: &Caller,
        ws: &str,
        required: Role,
    ) -> Result<WorkspaceTx, ApiError> {
        let tx = self
            .db
            .enter(&caller.subject, &caller.actor, &WorkspaceRef::parse(ws))
            .await
            .map_err(|e| ApiError::from_store(e, "workspace"))?
            .ok_or_else(|| ApiError::not_found("workspace"))?;
        if !tx.role().allows(required) {
            return Err(ApiError::forbidden(format!(
                "this needs the {required} role in the workspace; you are {}",
                tx.role()
            )));
        }
        Ok(tx)
    }

    /// Enters the workspace of a runner token. Unknown, malformed or revoked: 401.
    pub(crate) async fn enter_runner(
        &self,
        token: &str,
    ) -> Result<(WorkspaceTx, RunnerIdentity), ApiError> {
        self.db
            .enter_runner(token)
            .await
            .map_err(|e| ApiError::from_store(e, "runner"))?
            .ok_or_else(|| {
                ApiError::unauthorized("not a valid runner token, or the runner was revoked")
            })
    }
}
