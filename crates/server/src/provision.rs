//! Roles, databases and migrations: how a PostgreSQL cluster becomes a Runyard database.
//!
//! Two roles (DESIGN §3): the owner runs migrations and owns the schema; `runyard_app` is
//! what the server connects as — not the owner, not a superuser, no `BYPASSRLS` — so
//! row-level security binds every query the server makes.

use std::path::Path;

use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use runyard_migration::{APP_ROLE, Migrator, MigratorTrait};
use runyard_pgembed::{Cluster, ClusterOptions};
use sea_orm::{ConnectionTrait, Database as SeaDatabase, DatabaseConnection, DbBackend, Statement};

/// The role migrations run as in clusters Runyard provisions itself.
pub const OWNER_ROLE: &str = "runyard_owner";
/// The database the embedded default serves from.
pub const DATABASE_NAME: &str = "runyard";

/// Passwords of the two roles.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RolePasswords {
    pub owner: String,
    pub app: String,
}

impl RolePasswords {
    pub fn generate() -> Self {
        let mut rng = rand::rng();
        Self {
            owner: Alphanumeric.sample_string(&mut rng, 32),
            app: Alphanumeric.sample_string(&mut rng, 32),
        }
    }

    /// Reads the passwords kept in `path`, or generates and keeps new ones (mode 0600).
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return serde_json::from_str(&text)
                .with_context(|| format!("reading {}", path.display()));
        }
        let fresh = Self::generate();
        write_private(path, &serde_json::to_string_pretty(&fresh)?)?;
        Ok(fresh)
    }
}

/// Writes `contents` to a new file only the current user can read.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

fn is_safe_literal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

async fn exec(conn: &DatabaseConnection, sql: &str) -> anyhow::Result<()> {
    conn.execute_unprepared(sql)
        .await
        .with_context(|| format!("running: {sql}"))?;
    Ok(())
}

/// Creates (or updates the passwords of) the owner and app roles, as a superuser.
pub async fn ensure_roles(
    superuser: &DatabaseConnection,
    passwords: &RolePasswords,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        is_safe_literal(&passwords.owner) && is_safe_literal(&passwords.app),
        "role passwords must be alphanumeric"
    );
    for (role, password, attrs) in [
        (
            OWNER_ROLE,
            &passwords.owner,
            "LOGIN NOSUPERUSER NOBYPASSRLS",
        ),
        (
            APP_ROLE,
            &passwords.app,
            "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
        ),
    ] {
        // Concurrent provisioners (parallel test binaries) may race to create a role.
        let create = format!(
            "DO $$ BEGIN \
               IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN \
                 CREATE ROLE {role}; \
               END IF; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; \
             END $$"
        );
        exec(superuser, &create).await?;
        exec(
            superuser,
            &format!("ALTER ROLE {role} {attrs} PASSWORD '{password}'"),
        )
        .await?;
    }
    Ok(())
}

/// Creates database `name` owned by the owner role, unless it exists.
pub async fn ensure_database(superuser: &DatabaseConnection, name: &str) -> anyhow::Result<()> {
    anyhow::ensure!(is_safe_literal(name), "database names must be alphanumeric");
    let exists = superuser
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await?
        .is_some();
    if !exists {
        exec(
            superuser,
            &format!("CREATE DATABASE {name} OWNER {OWNER_ROLE}"),
        )
        .await?;
    }
    Ok(())
}

/// Applies every pending migration, connected as the owner.
pub async fn migrate(owner_url: &str) -> anyhow::Result<()> {
    let conn = SeaDatabase::connect(owner_url)
        .await
        .context("connecting to run migrations")?;
    Migrator::up(&conn, None)
        .await
        .context("applying migrations")?;
    conn.close().await?;
    Ok(())
}

/// The embedded default: a persistent cluster under the data directory, provisioned and
/// migrated, with URLs for both roles.
pub struct Embedded {
    cluster: Cluster,
    pub app_url: String,
    pub owner_url: String,
}

impl Embedded {
    /// Starts (initialising on first use) the cluster in `data_dir/pgdata`, creates the
    /// roles and the database, and migrates it.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        let passwords = RolePasswords::load_or_create(&data_dir.join("roles.json"))?;
        let pgdata = data_dir.join("pgdata");
        let cluster =
            tokio::task::spawn_blocking(move || Cluster::start(ClusterOptions::persistent(pgdata)))
                .await?
                .context("starting the embedded PostgreSQL")?;
        let superuser = SeaDatabase::connect(cluster.superuser_url("postgres")).await?;
        ensure_roles(&superuser, &passwords).await?;
        ensure_database(&superuser, DATABASE_NAME).await?;
        superuser.close().await?;
        let owner_url = cluster.url(OWNER_ROLE, &passwords.owner, DATABASE_NAME);
        let app_url = cluster.url(APP_ROLE, &passwords.app, DATABASE_NAME);
        migrate(&owner_url).await?;
        Ok(Self {
            cluster,
            app_url,
            owner_url,
        })
    }

    /// Shuts the cluster down cleanly.
    pub async fn stop(self) -> anyhow::Result<()> {
        let cluster = self.cluster;
        tokio::task::spawn_blocking(move || cluster.stop()).await??;
        Ok(())
    }
}
