//! Per-test databases cloned from a migrated template.

use std::sync::OnceLock;

use runyard_client::reqwest::Url;
use runyard_migration::APP_ROLE;
use runyard_migration::provision::{self, OWNER_ROLE, RolePasswords};
use runyard_pgembed::{Cluster, ClusterOptions};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tokio::sync::OnceCell;

/// Fixed, because parallel test processes sharing one external cluster must agree.
const PASSWORDS: (&str, &str) = ("runyard_test_owner", "runyard_test_app");

/// The cluster tests run against, and the migrated template to clone.
struct Shared {
    /// A superuser URL; its database is used for administration.
    superuser: Url,
    template: String,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static SHARED: OnceCell<Shared> = OnceCell::const_new();

fn with_credentials(base: &Url, user: &str, password: &str, database: &str) -> String {
    let mut url = base.clone();
    url.set_username(user).expect("postgres URLs have a user");
    url.set_password(Some(password))
        .expect("postgres URLs have a password");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

fn superuser_url() -> Url {
    let raw = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if let Some(image) = crate::docker::requested_image() => {
            crate::docker::superuser_url(&image)
        }
        _ => {
            let cluster = CLUSTER.get_or_init(|| {
                Cluster::start(ClusterOptions::ephemeral_in_temp())
                    .unwrap_or_else(|e| panic!("cannot start a PostgreSQL for the tests: {e}"))
            });
            cluster.superuser_url("postgres")
        }
    };
    Url::parse(&raw).unwrap_or_else(|e| panic!("DATABASE_URL is not a URL: {e}"))
}

async fn admin(superuser: &Url) -> DatabaseConnection {
    Database::connect(superuser.as_str())
        .await
        .expect("connect as superuser")
}

async fn prepare() -> Shared {
    let superuser = tokio::task::spawn_blocking(superuser_url)
        .await
        .expect("cluster start");
    let conn = admin(&superuser).await;
    let passwords = RolePasswords {
        owner: PASSWORDS.0.into(),
        app: PASSWORDS.1.into(),
    };
    let template = format!("runyard_tpl_{}", runyard_migration::fingerprint());
    // One process at a time provisions roles and builds the template.
    conn.execute_unprepared("SELECT pg_advisory_lock(72693)")
        .await
        .expect("lock");
    provision::ensure_roles(&conn, &passwords)
        .await
        .expect("roles");
    let exists = provision::database_exists(&conn, &template)
        .await
        .expect("query pg_database");
    if !exists {
        let building = format!("{template}_building");
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .expect("drop");
        provision::ensure_database(&conn, &building)
            .await
            .expect("create template");
        provision::migrate(&with_credentials(
            &superuser,
            OWNER_ROLE,
            PASSWORDS.0,
            &building,
        ))
        .await
        .expect("migrate template");
        conn.execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .expect("rename template");
    }
    conn.execute_unprepared("SELECT pg_advisory_unlock(72693)")
        .await
        .expect("unlock");
    conn.close().await.ok();
    Shared {
        superuser,
        template,
    }
}

/// A database of one test's own, migrated, with URLs for each role.
pub struct TestDb {
    pub name: String,
    /// As `runyard_app`: what the server uses; row-level security applies.
    pub app_url: String,
    /// As the owner that ran the migrations.
    pub owner_url: String,
    /// As a superuser.
    pub superuser_url: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let shared = SHARED.get_or_init(prepare).await;
        let name = format!("runyard_test_{}", uuid::Uuid::now_v7().simple());
        let conn = admin(&shared.superuser).await;
        conn.execute_unprepared(&format!(
            "CREATE DATABASE {name} TEMPLATE {} OWNER {OWNER_ROLE}",
            shared.template
        ))
        .await
        .expect("clone the template database");
        conn.close().await.ok();
        Self {
            app_url: with_credentials(&shared.superuser, APP_ROLE, PASSWORDS.1, &name),
            owner_url: with_credentials(&shared.superuser, OWNER_ROLE, PASSWORDS.0, &name),
            superuser_url: with_credentials(
                &shared.superuser,
                shared.superuser.username(),
                shared.superuser.password().unwrap_or_default(),
                &name,
            ),
            name,
        }
    }

    /// A single connection as the app role.
    pub async fn connect_app(&self) -> DatabaseConnection {
        let mut opts = sea_orm::ConnectOptions::new(self.app_url.clone());
        opts.max_connections(1)
            .min_connections(1)
            .sqlx_logging(false);
        Database::connect(opts)
            .await
            .expect("connect as the app role")
    }
}
