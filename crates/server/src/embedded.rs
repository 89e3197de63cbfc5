//! The embedded default: a persistent PostgreSQL cluster under the data directory, with
//! the roles' passwords kept next to it, provisioned and migrated by
//! [`runyard_migration::provision`].

use std::path::Path;

use anyhow::Context;
use rand::distr::{Alphanumeric, SampleString};
use runyard_migration::APP_ROLE;
use runyard_migration::provision::{self, OWNER_ROLE, RolePasswords};
use runyard_pgembed::{Cluster, ClusterOptions};
use serde::{Deserialize, Serialize};

/// The database the embedded default serves from.
pub const DATABASE_NAME: &str = "runyard";

/// The roles' passwords as kept in `roles.json`.
#[derive(Serialize, Deserialize)]
struct StoredPasswords {
    owner: String,
    app: String,
}

/// Reads the passwords kept in `path`, or generates and keeps new ones (mode 0600).
fn load_or_create_passwords(path: &Path) -> anyhow::Result<RolePasswords> {
    let stored: StoredPasswords = if let Ok(text) = std::fs::read_to_string(path) {
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?
    } else {
        let mut rng = rand::rng();
        let fresh = StoredPasswords {
            owner: Alphanumeric.sample_string(&mut rng, 32),
            app: Alphanumeric.sample_string(&mut rng, 32),
        };
        write_private(path, &serde_json::to_string_pretty(&fresh)?)?;
        fresh
    };
    Ok(RolePasswords {
        owner: stored.owner,
        app: stored.app,
    })
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
        let passwords = load_or_create_passwords(&data_dir.join("roles.json"))?;
        let pgdata = data_dir.join("pgdata");
        let cluster =
            tokio::task::spawn_blocking(move || Cluster::start(ClusterOptions::persistent(pgdata)))
                .await?
                .context("starting the embedded PostgreSQL")?;
        provision::prepare(
            &cluster.superuser_url("postgres"),
            &passwords,
            DATABASE_NAME,
        )
        .await?;
        let owner_url = cluster.url(OWNER_ROLE, &passwords.owner, DATABASE_NAME);
        let app_url = cluster.url(APP_ROLE, &passwords.app, DATABASE_NAME);
        provision::migrate(&owner_url).await?;
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
