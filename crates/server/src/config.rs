//! Configuration: flags with environment fallbacks, and the JWT key they select.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use runyard_api::AuthConfig;

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Directory for local state: the embedded PostgreSQL cluster and the generated JWT secret.
    #[arg(long, env = "RUNYARD_DATA_DIR", default_value = ".runyard")]
    pub data_dir: PathBuf,
    /// An external PostgreSQL to use instead of the embedded one, connected as the app role
    /// (`runyard_app` or a member of it).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The owner role's URL for running migrations on the external database. Without it,
    /// the server expects the schema to be migrated already (`runyard migrate`).
    #[arg(long, env = "RUNYARD_MIGRATION_DATABASE_URL", hide_env_values = true)]
    pub migration_database_url: Option<String>,
    /// How long a request waits for a database connection, in milliseconds; past it the
    /// request answers 503 `database_unavailable` with `Retry-After`.
    #[arg(long, env = "RUNYARD_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(50..=60000))]
    pub db_acquire_timeout_ms: u64,
    /// Prepared statements kept per database connection. Set 0 behind a pooler in
    /// transaction mode (PgBouncer before 1.21, or without `max_prepared_statements`):
    /// statements are then prepared unnamed, and lone ones run in their own transaction.
    #[arg(long, env = "RUNYARD_DB_STATEMENT_CACHE", default_value_t = runyard_persistence::DEFAULT_STATEMENT_CACHE)]
    pub db_statement_cache: usize,
    /// A direct URL (not through a transaction-mode pooler) for the `LISTEN` connection that
    /// carries wake-ups between servers. Default: the `DATABASE_URL`.
    #[arg(long, env = "RUNYARD_LISTEN_DATABASE_URL", hide_env_values = true)]
    pub listen_database_url: Option<String>,
}

/// How user tokens are verified.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// HS256 secret for user tokens (at least 32 bytes). Generated and kept in the data
    /// directory when neither this nor a public key is given.
    #[arg(long, env = "RUNYARD_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// PEM public key (RSA for RS256, Ed25519 for EdDSA) to verify user tokens with instead.
    #[arg(
        long,
        env = "RUNYARD_JWT_PUBLIC_KEY_FILE",
        conflicts_with = "jwt_secret"
    )]
    pub jwt_public_key_file: Option<PathBuf>,
    /// Required `iss` claim, if set.
    #[arg(long, env = "RUNYARD_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// Required `aud` claim, if set.
    #[arg(long, env = "RUNYARD_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
}

impl AuthArgs {
    /// The verifier these flags describe; a generated secret is kept in `data_dir`.
    pub fn load(&self, data_dir: &Path) -> anyhow::Result<AuthConfig> {
        let auth = if let Some(path) = &self.jwt_public_key_file {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            AuthConfig::public_key_pem(&pem)?
        } else if let Some(secret) = &self.jwt_secret {
            AuthConfig::hs256(secret.as_bytes()).context("RUNYARD_JWT_SECRET")?
        } else {
            AuthConfig::hs256(load_or_create_secret(data_dir)?.as_bytes())?
        };
        Ok(auth
            .with_issuer(self.jwt_issuer.clone())
            .with_audience(self.jwt_audience.clone()))
    }
}

fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<String> {
    use rand::distr::{Alphanumeric, SampleString};
    let path = data_dir.join("jwt-secret");
    if let Ok(secret) = std::fs::read_to_string(&path) {
        return Ok(secret.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let secret = Alphanumeric.sample_string(&mut rand::rng(), 48);
    crate::embedded::write_private(&path, &secret)?;
    Ok(secret)
}
