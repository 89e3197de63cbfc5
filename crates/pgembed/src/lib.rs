//! Runs a private PostgreSQL cluster from the machine's server binaries.
//!
//! Runyard uses this for its embedded default database (a persistent data directory that
//! survives restarts) and for test harnesses (a throw-away cluster in a temporary
//! directory):
//!
//! ```no_run
//! use runyard_pgembed::{Cluster, ClusterOptions};
//!
//! # fn main() -> Result<(), runyard_pgembed::Error> {
//! let cluster = Cluster::start(ClusterOptions::ephemeral_in_temp())?;
//! let url = cluster.superuser_url("postgres"); // postgres://postgres:…@127.0.0.1:…/postgres
//! # drop(url);
//! cluster.stop()?;
//! # Ok(())
//! # }
//! ```
//!
//! * The binaries are found with [`find_bin_dir`]: `$PATH`, then the highest
//!   `/usr/lib/postgresql/*/bin`.
//! * The cluster is initialised with `initdb` on first start, with SCRAM authentication for
//!   the `postgres` superuser, whose password is generated and kept in `<data dir>.password`.
//! * The server listens on 127.0.0.1 only (no Unix socket), on a free port unless one is given.
//! * PostgreSQL refuses to run as root: when this process is root, all PostgreSQL processes
//!   run as the OS user `postgres` and the data directory is given to that user.
//! * The server is a child of a watchdog shell (see the `watchdog` module) that shuts it down
//!   as soon as this process goes away, even through `kill -9`, so no server outlives the
//!   process that started it; ephemeral clusters also delete their files then.
//!
//! Starting and stopping block; async callers should use `spawn_blocking`.

mod bin_dir;
mod cluster;
mod error;
mod os_user;
mod watchdog;

pub use bin_dir::find_bin_dir;
pub use cluster::{Cluster, ClusterOptions, ServerTls};
pub use error::Error;
