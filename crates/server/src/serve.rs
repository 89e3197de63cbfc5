//! Serving: connect (or start the embedded database), migrate, listen, and shut down
//! cleanly on Ctrl-C or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::Server;
use poem::listener::{Acceptor, AcceptorExt, Listener, TcpListener};
use runyard_api::{AppState, CorsOrigins, HttpOptions, QueueConfig};
use runyard_persistence::{Database, PoolSettings};

use crate::config::{AuthArgs, DatabaseArgs};
use crate::embedded::Embedded;

/// Settings of `runyard serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "RUNYARD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(
        long,
        env = "RUNYARD_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(
        long,
        env = "RUNYARD_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<std::path::PathBuf>,
    /// Database connections in the server's pool.
    #[arg(long, env = "RUNYARD_DB_POOL_SIZE", default_value_t = 16)]
    pub pool_size: u32,
    /// How long a claim or heartbeat leases a job to its runner, in seconds.
    #[arg(long, env = "RUNYARD_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub lease_seconds: u64,
    /// How often the lease reaper and the promoter of due jobs run, in milliseconds.
    #[arg(long, env = "RUNYARD_SWEEP_INTERVAL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60000))]
    pub sweep_interval_ms: u64,
    /// How long a running job may take to hand back a snapshot after its task asked it to
    /// pause, in seconds; then it loses its lease and the task is paused without one.
    #[arg(long, env = "RUNYARD_PAUSE_GRACE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub pause_grace_seconds: u64,
    /// How often retention deletes finished jobs past their workspace's retention_days,
    /// in seconds.
    #[arg(long, env = "RUNYARD_RETENTION_INTERVAL_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub retention_interval_seconds: u64,
    /// Origins allowed to call the API from a browser (CORS), comma-separated, e.g.
    /// `https://app.example.com,http://localhost:5173`; `*` for any. None by default.
    #[arg(long, env = "RUNYARD_CORS_ORIGINS", value_parser = CorsOrigins::parse, default_value = "")]
    pub cors_origins: CorsOrigins,
    /// When set, `/metrics` answers only requests with `Authorization: Bearer <this>`.
    #[arg(long, env = "RUNYARD_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Export request and job spans over OTLP/HTTP (JSON) to this collector, e.g.
    /// `http://collector:4318` (spans are posted to `{endpoint}/v1/traces`). Off when unset.
    #[arg(long, env = "RUNYARD_OTLP_ENDPOINT", value_name = "URL")]
    pub otlp_endpoint: Option<String>,
    /// Print a development token (sub "dev", valid 30 days) at start. Without this flag
    /// it is printed only for the zero-configuration default: the embedded database and
    /// no configured issuer or audience.
    #[arg(long, env = "RUNYARD_PRINT_DEV_TOKEN")]
    pub print_dev_token: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub auth: AuthArgs,
}

impl ServeArgs {
    /// Whether to print a development token: asked for, or the zero-configuration default.
    fn prints_dev_token(&self) -> bool {
        self.print_dev_token
            || (self.database.database_url.is_none()
                && self.auth.jwt_issuer.is_none()
                && self.auth.jwt_audience.is_none())
    }
}

/// The database a command works on: external, or the embedded one (kept running until
/// [`Target::stop`]).
pub struct Target {
    pub app_url: String,
    pub embedded: Option<Embedded>,
}

impl Target {
    /// Opens the configured database and brings its schema up to date where it can.
    pub async fn open(args: &DatabaseArgs) -> anyhow::Result<Self> {
        match &args.database_url {
            Some(url) => {
                if let Some(owner_url) = &args.migration_database_url {
                    runyard_migration::provision::migrate(owner_url).await?;
                }
                Ok(Self {
                    app_url: url.clone(),
                    embedded: None,
                })
            }
            None => {
                tracing::info!(data_dir = %args.data_dir.display(), "starting the embedded PostgreSQL");
                let embedded = Embedded::start(&args.data_dir).await?;
                Ok(Self {
                    app_url: embedded.app_url.clone(),
                    embedded: Some(embedded),
                })
            }
        }
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        if let Some(embedded) = self.embedded {
            embedded.stop().await?;
            tracing::info!("embedded PostgreSQL stopped");
        }
        Ok(())
    }
}

/// Every migration of this build with the SHA-256 of its text.
pub fn built_migrations() -> Vec<(String, String)> {
    runyard_migration::checksums()
        .into_iter()
        .map(|(name, sha)| (name.to_owned(), sha))
        .collect()
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let auth = args.auth.load(&args.database.data_dir)?;
    let dev_token = args
        .prints_dev_token()
        .then(|| auth.mint("dev", 30 * 24 * 3600).ok())
        .flatten();
    let target = Target::open(&args.database).await?;
    let result = run(&args, auth, &target.app_url, dev_token).await;
    let stopped = target.stop().await;
    result.and(stopped)
}

async fn run(
    args: &ServeArgs,
    auth: runyard_api::AuthConfig,
    app_url: &str,
    dev_token: Option<String>,
) -> anyhow::Result<()> {
    let acquire_timeout = Duration::from_millis(args.database.db_acquire_timeout_ms);
    if args.database.db_statement_cache == 0 && args.database.listen_database_url.is_none() {
        tracing::warn!(
            "RUNYARD_DB_STATEMENT_CACHE is 0 but RUNYARD_LISTEN_DATABASE_URL is not set: behind a \
             transaction-mode pooler, LISTEN on DATABASE_URL misses wake-ups from other servers"
        );
    }
    let settings = PoolSettings {
        max_connections: args.pool_size,
        acquire_timeout,
        statement_cache: args.database.db_statement_cache,
        listen_url: args.database.listen_database_url.clone(),
    };
    let db = Database::connect_with_settings(app_url, &settings)
        .await
        .context("connecting to the database")?;
    match db.applied_migrations().await {
        Ok(applied) => {
            let drift = runyard_domain::migration_drift(&built_migrations(), &applied);
            if !drift.is_empty() {
                let list: Vec<String> = drift.iter().map(ToString::to_string).collect();
                anyhow::bail!(
                    "refusing to start: the database's migrations are not the ones this build has: {}",
                    list.join("; ")
                );
            }
            let version = applied.last().map(|(name, _)| name.as_str());
            if version != Some(runyard_migration::latest_version()) {
                tracing::warn!(
                    found = ?version,
                    expected = runyard_migration::latest_version(),
                    "the database schema is not current: run `runyard migrate` (or set RUNYARD_MIGRATION_DATABASE_URL)"
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read the schema version"),
    }
    let queue = QueueConfig {
        lease: Duration::from_secs(args.lease_seconds),
        sweep_interval: Duration::from_millis(args.sweep_interval_ms),
        pause_grace: Duration::from_secs(args.pause_grace_seconds),
        retention_interval: Duration::from_secs(args.retention_interval_seconds),
    };
    let (tracer, exporter) = match &args.otlp_endpoint {
        Some(endpoint) => {
            tracing::info!(%endpoint, "exporting spans over OTLP/HTTP");
            let (tracer, handle) = runyard_api::Tracer::otlp(endpoint);
            (tracer, Some(handle))
        }
        None => (Arc::default(), None),
    };
    let state = Arc::new(
        AppState::new(db.clone(), auth, runyard_migration::latest_version(), queue)
            .with_built_migrations(built_migrations())
            .with_tracer(tracer),
    );
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(crate::tls::server_config(cert, key)?),
        _ => None,
    };
    let background = state.start_background();
    let tcp = TcpListener::bind(args.listen.as_str())
        .into_acceptor()
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let (acceptor, scheme) = match tls {
        Some(config) => (crate::tls::TlsAcceptor::new(tcp, config).boxed(), "https"),
        None => (tcp.boxed(), "http"),
    };
    let addr = acceptor
        .local_addr()
        .into_iter()
        .find_map(|a| a.as_socket_addr().copied())
        .context("no local address")?;
    let base = format!("{scheme}://{addr}");
    println!("Runyard is listening on {base}");
    println!("  Web console:   {base}/");
    println!("  API docs:      {base}/docs");
    println!("  OpenAPI spec:  {base}/openapi.json");
    println!("  Metrics:       {base}/metrics");
    if let Some(token) = dev_token {
        println!("  Dev token (sub \"dev\", valid 30 days):");
        println!("    export RUNYARD_TOKEN={token}");
    }
    println!("Press Ctrl-C to stop.");
    let draining = state.clone();
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(
            runyard_api::app_with(
                state,
                HttpOptions {
                    cors_origins: args.cors_origins.clone(),
                    metrics_token: args.metrics_token.clone(),
                },
            ),
            async move {
                shutdown_signal().await;
                draining.begin_shutdown();
            },
            Some(Duration::from_secs(10)),
        )
        .await
        .context("serving")?;
    tracing::info!("shutting down");
    if let Some(exporter) = exporter {
        exporter.shutdown().await;
    }
    drop(background);
    db.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
