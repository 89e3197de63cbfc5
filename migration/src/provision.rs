//! Roles, databases and migrations: how a PostgreSQL cluster becomes a Runyard database.
//!
//! Two roles (DESIGN §3): the owner runs migrations and owns the schema; `runyard_app` is
//! what the server connects as — not the owner, not a superuser, no `BYPASSRLS` — so
//! row-level security binds every query the server makes. Role and database setup needs a
//! superuser connection; migrating needs only the owner.

use sea_orm_migration::sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};

use crate::{APP_ROLE, Migrator, MigratorTrait};

/// The role migrations run as in clusters Runyard provisions itself.
pub const OWNER_ROLE: &str = "runyard_owner";

/// Passwords of the owner and app roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePasswords {
    pub owner: String,
    pub app: String,
}

/// Why provisioning failed.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// A name or password that cannot be written into SQL as it is.
    #[error("{0}")]
    Unsafe(&'static str),
    #[error("{what}: {source}")]
    Database {
        what: String,
        #[source]
        source: DbErr,
    },
}

fn db(what: impl Into<String>) -> impl FnOnce(DbErr) -> ProvisionError {
    let what = what.into();
    move |source| ProvisionError::Database { what, source }
}

fn is_safe_literal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

async fn exec(conn: &DatabaseConnection, sql: &str) -> Result<(), ProvisionError> {
    conn.execute_unprepared(sql)
        .await
        .map_err(db(format!("running: {sql}")))?;
    Ok(())
}

/// Creates (or updates the passwords of) the owner and app roles, as a superuser.
pub async fn ensure_roles(
    superuser: &DatabaseConnection,
    passwords: &RolePasswords,
) -> Result<(), ProvisionError> {
    if !(is_safe_literal(&passwords.owner) && is_safe_literal(&passwords.app)) {
        return Err(ProvisionError::Unsafe(
            "role passwords must be alphanumeric",
        ));
    }
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

/// Whether database `name` exists.
pub async fn database_exists(
    superuser: &DatabaseConnection,
    name: &str,
) -> Result<bool, ProvisionError> {
    Ok(superuser
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .map_err(db("reading pg_database"))?
        .is_some())
}

/// Creates database `name` owned by the owner role, unless it exists.
pub async fn ensure_database(
    superuser: &DatabaseConnection,
    name: &str,
) -> Result<(), ProvisionError> {
    if !is_safe_literal(name) {
        return Err(ProvisionError::Unsafe(
            "database names must be alphanumeric",
        ));
    }
    if !database_exists(superuser, name).await? {
        exec(
            superuser,
            &format!("CREATE DATABASE {name} OWNER {OWNER_ROLE}"),
        )
        .await?;
    }
    Ok(())
}

/// Connects as a superuser, creates the roles and database `name`: everything but the
/// schema, which [`migrate`] applies as the owner.
pub async fn prepare(
    superuser_url: &str,
    passwords: &RolePasswords,
    name: &str,
) -> Result<(), ProvisionError> {
    let superuser = Database::connect(superuser_url)
        .await
        .map_err(db("connecting as a superuser"))?;
    ensure_roles(&superuser, passwords).await?;
    ensure_database(&superuser, name).await?;
    superuser
        .close()
        .await
        .map_err(db("closing the superuser connection"))
}

/// Applies every pending migration, connected as the owner.
pub async fn migrate(owner_url: &str) -> Result<(), ProvisionError> {
    let conn = Database::connect(owner_url)
        .await
        .map_err(db("connecting to run migrations"))?;
    Migrator::up(&conn, None)
        .await
        .map_err(db("applying migrations"))?;
    conn.close()
        .await
        .map_err(db("closing the migration connection"))
}
