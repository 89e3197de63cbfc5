//! The server under test: a release build of `runyard` on a free loopback port with a fresh
//! data directory (embedded PostgreSQL), the credentials it leaves there, and a clean stop
//! (SIGTERM via `kill`, then the directory is deleted) even when the bench fails.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Connection details of the embedded PostgreSQL cluster.
#[derive(Debug, Clone)]
pub struct Postgres {
    pub port: u16,
    pub postmaster_pid: u32,
    pub superuser_password: String,
    pub owner_password: String,
}

impl Postgres {
    /// Reads them from a data directory the server has provisioned.
    fn read(data_dir: &Path) -> anyhow::Result<Self> {
        let pid_file = data_dir.join("pgdata/postmaster.pid");
        let pid_text = std::fs::read_to_string(&pid_file)
            .with_context(|| format!("reading {}", pid_file.display()))?;
        let lines: Vec<&str> = pid_text.lines().collect();
        let postmaster_pid = lines
            .first()
            .and_then(|l| l.trim().parse().ok())
            .context("postmaster.pid: no pid on line 1")?;
        let port = lines
            .get(3)
            .and_then(|l| l.trim().parse().ok())
            .context("postmaster.pid: no port on line 4")?;
        let superuser_password = std::fs::read_to_string(data_dir.join("pgdata.password"))
            .context("reading pgdata.password")?
            .trim()
            .to_owned();
        let roles: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(data_dir.join("roles.json")).context("reading roles.json")?,
        )?;
        let owner_password = roles["owner"]
            .as_str()
            .context("roles.json has no \"owner\"")?
            .to_owned();
        Ok(Self {
            port,
            postmaster_pid,
            superuser_password,
            owner_password,
        })
    }
}

/// A role's login on the embedded cluster's `runyard` database, over 127.0.0.1.
#[derive(Debug, Clone)]
pub struct PgLogin {
    pub port: u16,
    pub user: &'static str,
    pub password: String,
}

/// A running server. Dropping it stops the server and deletes its data directory.
pub struct Server {
    child: Option<Child>,
    pub pid: u32,
    pub data_dir: PathBuf,
    pub base_url: String,
    pub token: String,
    pub pg: Postgres,
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

impl Server {
    /// Starts `binary` with a fresh data directory and waits until `/readyz` answers 200.
    pub async fn start(binary: &Path, log_path: &Path) -> anyhow::Result<Self> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let data_dir =
            std::env::temp_dir().join(format!("runyard-bench-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let port = free_port()?;
        let base_url = format!("http://127.0.0.1:{port}");
        if let Some(dir) = log_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let log = std::fs::File::create(log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        let spawned = Command::new(binary)
            .env("RUNYARD_DATA_DIR", &data_dir)
            .env("RUNYARD_LISTEN", format!("127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&data_dir);
                return Err(e).with_context(|| format!("starting {}", binary.display()));
            }
        };
        let pid = child.id();
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let mut server = Self {
            child: Some(child),
            pid,
            data_dir,
            base_url,
            token: String::new(),
            pg: Postgres {
                port: 0,
                postmaster_pid: 0,
                superuser_password: String::new(),
                owner_password: String::new(),
            },
        };

        // Read stdout on a thread for as long as the server lives, so the pipe never fills.
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(token) = line.trim().strip_prefix("export RUNYARD_TOKEN=") {
                    let _ = tx.send(token.to_owned());
                }
            }
        });

        let deadline = Instant::now() + Duration::from_secs(180);
        let probe = runyard_client::Client::builder(&server.base_url)
            .call_timeout(Duration::from_secs(5))
            .build()?;
        loop {
            if server.token.is_empty()
                && let Ok(token) = rx.try_recv()
            {
                server.token = token;
            }
            if let Some(child) = server.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                server.child = None;
                bail!(
                    "the server exited during start-up ({status}); last log lines:\n{}",
                    tail(log_path, 20)
                );
            }
            if !server.token.is_empty()
                && probe
                    .get::<runyard_client::Readiness>(&["readyz"], &[])
                    .await
                    .is_ok()
            {
                break;
            }
            if Instant::now() > deadline {
                bail!(
                    "the server was not ready within 180 s (token seen: {}); last log lines:\n{}",
                    !server.token.is_empty(),
                    tail(log_path, 20)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server.pg = Postgres::read(&server.data_dir)?;
        Ok(server)
    }

    /// The `postgres` superuser on the `runyard` database.
    pub fn superuser(&self) -> PgLogin {
        PgLogin {
            port: self.pg.port,
            user: "postgres",
            password: self.pg.superuser_password.clone(),
        }
    }

    /// The schema owner (subject to row-level security) on the `runyard` database.
    pub fn owner(&self) -> PgLogin {
        PgLogin {
            port: self.pg.port,
            user: "runyard_owner",
            password: self.pg.owner_password.clone(),
        }
    }

    /// Sends SIGTERM, waits for a clean exit (SIGKILL after 30 s) and deletes the data
    /// directory. Returns how the server exited.
    pub fn stop(&mut self) -> anyhow::Result<String> {
        let outcome = match self.child.take() {
            Some(mut child) => {
                let _ = Command::new("kill")
                    .args(["-TERM", &self.pid.to_string()])
                    .status();
                let deadline = Instant::now() + Duration::from_secs(30);
                loop {
                    if let Some(status) = child.try_wait()? {
                        break format!("exited ({status})");
                    }
                    if Instant::now() > deadline {
                        let _ = Command::new("kill")
                            .args(["-KILL", &self.pid.to_string()])
                            .status();
                        let status = child.wait()?;
                        break format!("killed after 30 s without exiting ({status})");
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            None => "already stopped".to_owned(),
        };
        if self.data_dir.exists() {
            // PostgreSQL's watchdog may still be removing its files for a moment.
            for attempt in 0..20 {
                match std::fs::remove_dir_all(&self.data_dir) {
                    Ok(()) => break,
                    Err(e) if attempt == 19 => {
                        return Err(e)
                            .with_context(|| format!("deleting {}", self.data_dir.display()));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(250)),
                }
            }
        }
        Ok(outcome)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if (self.child.is_some() || self.data_dir.exists())
            && let Err(e) = self.stop()
        {
            eprintln!("warning: stopping the server: {e:#}");
        }
    }
}

/// The last `n` lines of a file, for error messages.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
