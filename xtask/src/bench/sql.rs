//! PostgreSQL's own tools, run against the embedded cluster: `psql` for set-up and bulk
//! loads, and `pgbench` for the raw-insert baseline.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::io::AsyncWriteExt;

use super::server::PgLogin;

/// Finds a PostgreSQL client program on `PATH`, else under `/usr/lib/postgresql/*/bin`
/// (the newest version first).
pub fn find_bin(name: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    versions.sort_by_key(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("bin").join(name))
        .find(|p| p.is_file())
        .with_context(|| {
            format!("{name} is neither on PATH nor under /usr/lib/postgresql/*/bin (apt-get install postgresql-client)")
        })
}

fn command(program: &Path, login: &PgLogin) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(program);
    cmd.env("PGPASSWORD", &login.password)
        .env("PGCONNECT_TIMEOUT", "10")
        .args(["-h", "127.0.0.1", "-p"])
        .arg(login.port.to_string())
        .args(["-U", login.user]);
    cmd
}

/// Runs `sql` (any number of statements, sent one by one) with `psql` and returns its
/// unaligned, tuples-only output. Stops at the first error.
pub async fn psql(login: &PgLogin, sql: &str) -> anyhow::Result<String> {
    let program = find_bin("psql")?;
    let mut child = command(&program, login)
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            "runyard",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting psql")?;
    let mut stdin = child.stdin.take().context("no stdin pipe")?;
    stdin.write_all(sql.as_bytes()).await?;
    drop(stdin);
    let out = child.wait_with_output().await?;
    if !out.status.success() {
        bail!(
            "psql as {} failed ({}): {}\nSQL: {}",
            login.user,
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            sql.trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// One `pgbench` run.
#[derive(Debug, Clone)]
pub struct Pgbench {
    pub tps: f64,
    pub transactions: u64,
    pub failed: u64,
    /// The command line, without the password (it goes in `PGPASSWORD`).
    pub command: String,
}

/// Runs `pgbench -n -f script -c clients -j 2 -T seconds` on the `runyard` database.
pub async fn pgbench(
    login: &PgLogin,
    script: &Path,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Pgbench> {
    let program = find_bin("pgbench")?;
    let args: Vec<String> = vec![
        "-n".into(),
        "-f".into(),
        script.display().to_string(),
        "-c".into(),
        clients.to_string(),
        "-j".into(),
        "2".into(),
        "-T".into(),
        seconds.to_string(),
        "runyard".into(),
    ];
    let out = command(&program, login)
        .args(&args)
        .stdin(Stdio::null())
        .output()
        .await
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "pgbench failed ({}): {}{}",
            out.status,
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let field = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|v| v.split_whitespace().next())
            .map(str::to_owned)
    };
    let tps = field("tps = ")
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no tps in pgbench's output:\n{stdout}"))?;
    let transactions = field("number of transactions actually processed:")
        .and_then(|v| v.split('/').next().and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let failed = field("number of failed transactions:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(Pgbench {
        tps,
        transactions,
        failed,
        command: format!(
            "PGPASSWORD=… {} -h 127.0.0.1 -p {} -U {} {}",
            program.display(),
            login.port,
            login.user,
            args.join(" ")
        ),
    })
}

/// Exact, instantly current measures of the database's write work: transaction ids
/// assigned (one per transaction that wrote anything) and WAL bytes inserted.
#[derive(Debug, Clone, Copy, Default)]
pub struct DbStats {
    pub write_xacts: f64,
    pub wal_bytes: f64,
}

impl DbStats {
    pub async fn read(login: &PgLogin) -> anyhow::Result<Self> {
        let row = psql(
            login,
            "SELECT pg_current_xact_id()::text, \
             pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint;",
        )
        .await?;
        let v: Vec<f64> = row
            .split('|')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .with_context(|| format!("unexpected statistics row {row:?}"))?;
        anyhow::ensure!(v.len() == 2, "unexpected statistics row {row:?}");
        Ok(Self {
            write_xacts: v[0],
            wal_bytes: v[1],
        })
    }

    /// `self - earlier`, less the transaction id the reading itself took.
    pub fn since(&self, earlier: &Self) -> Self {
        Self {
            write_xacts: (self.write_xacts - earlier.write_xacts - 1.0).max(0.0),
            wal_bytes: self.wal_bytes - earlier.wal_bytes,
        }
    }
}

/// One line of a sampled `pg_stat_activity` profile.
#[derive(Debug, Clone)]
pub struct Activity {
    /// How many of the server's connections were in this state, on average.
    pub connections: f64,
    /// Share of all non-idle samples, in %.
    pub pct: f64,
    pub state: String,
    /// `type:event`, or `CPU` when the backend was not waiting.
    pub wait: String,
    /// The statement, whitespace-collapsed and shortened.
    pub query: String,
}

/// Samples `pg_stat_activity` every `interval_ms` for `samples` rounds and returns what the
/// server's connections were doing, most frequent first: a sampling profile of the SQL.
pub async fn activity_profile(
    login: &PgLogin,
    samples: u32,
    interval_ms: u32,
) -> anyhow::Result<Vec<Activity>> {
    let sql = format!(
        r#"CREATE TEMP TABLE bench_activity (q text, st text, w text);
DO $$
BEGIN
  FOR i IN 1..{samples} LOOP
    PERFORM pg_stat_clear_snapshot();
    INSERT INTO bench_activity
      SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 110), state,
             coalesce(wait_event_type || ':' || wait_event, 'CPU')
        FROM pg_stat_activity
       WHERE datname = 'runyard' AND pid <> pg_backend_pid()
         AND backend_type = 'client backend' AND state <> 'idle';
    PERFORM pg_sleep({interval_ms} / 1000.0);
  END LOOP;
END $$;
SELECT round(count(*)::numeric / {samples}, 2), round(100.0 * count(*) / sum(count(*)) OVER (), 1),
       st, w, replace(q, '|', '/')
  FROM bench_activity GROUP BY q, st, w ORDER BY count(*) DESC LIMIT 12;
"#
    );
    let out = psql(login, &sql).await?;
    Ok(out
        .lines()
        .filter_map(|line| {
            let mut f = line.splitn(5, '|');
            Some(Activity {
                connections: f.next()?.trim().parse().ok()?,
                pct: f.next()?.trim().parse().ok()?,
                state: f.next()?.to_owned(),
                wait: f.next()?.to_owned(),
                query: f.next()?.to_owned(),
            })
        })
        .collect())
}
