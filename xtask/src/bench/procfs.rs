//! What the machine and its processes are doing, read from `/proc`: the machine's
//! description, CPU seconds per process group (server, PostgreSQL, bench client), resident
//! memory, and `top` snapshots for the report's evidence.

use std::path::Path;
use std::time::{Duration, Instant};

use super::server::PgLogin;
use super::sql::{Activity, DbStats, activity_profile};

/// The machine the run happened on.
#[derive(Debug, Clone)]
pub struct Machine {
    pub cpu_model: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

impl Machine {
    pub fn read() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map(|(_, name)| name.trim().to_owned())
            .unwrap_or_else(|| "unknown".into());
        let cores = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count()
            .max(1);
        let memory_kib = meminfo_kib("MemTotal").unwrap_or(0);
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        Self {
            cpu_model,
            cores,
            memory_gib: memory_kib as f64 / (1024.0 * 1024.0),
            kernel,
        }
    }
}

fn meminfo_kib(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    status_kib(&text, key)
}

fn status_kib(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// `VmRSS` of a process, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_kib(&text, "VmRSS")
}

/// `VmHWM` (peak resident set since the process started) of a process, in KiB.
pub fn hwm_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_kib(&text, "VmHWM")
}

/// The fields of `/proc/<pid>/stat` the bench uses, in clock ticks.
#[derive(Debug, Clone, Copy, Default)]
struct Stat {
    ppid: u32,
    /// utime + stime of the process itself.
    own: u64,
    /// cutime + cstime: children it has waited for.
    children: u64,
}

fn stat(path: &Path) -> Option<Stat> {
    let text = std::fs::read_to_string(path).ok()?;
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // rest[0] is field 3 (state), so field n is f[n - 3].
    let num = |n: usize| f.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    Some(Stat {
        ppid: u32::try_from(num(4)?).ok()?,
        own: num(14)? + num(15)?,
        children: num(16)? + num(17)?,
    })
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux in practice).
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(100.0)
}

/// The processes whose CPU time the bench accounts for.
#[derive(Debug, Clone, Copy)]
pub struct Watched {
    pub server: u32,
    pub postmaster: u32,
    pub ticks: f64,
}

/// Cumulative CPU ticks at one instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuSample {
    server: u64,
    postgres: u64,
    client: u64,
    machine_busy: u64,
    machine_total: u64,
}

impl Watched {
    pub fn new(server: u32, postmaster: u32) -> Self {
        Self {
            server,
            postmaster,
            ticks: ticks_per_second(),
        }
    }

    /// CPU ticks so far of the server, of PostgreSQL (the postmaster, its live children,
    /// and the children it has reaped), of this process with the tools it ran and waited
    /// for (pgbench, psql, top), and of the whole machine.
    pub fn sample(&self) -> CpuSample {
        let server = stat(Path::new(&format!("/proc/{}/stat", self.server)))
            .map(|s| s.own)
            .unwrap_or(0);
        let mut postgres = stat(Path::new(&format!("/proc/{}/stat", self.postmaster)))
            .map(|s| s.own + s.children)
            .unwrap_or(0);
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                let name = entry.file_name();
                if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                if let Some(s) = stat(&entry.path().join("stat"))
                    && s.ppid == self.postmaster
                {
                    postgres += s.own;
                }
            }
        }
        let client = stat(Path::new("/proc/self/stat"))
            .map(|s| s.own + s.children)
            .unwrap_or(0);
        let (machine_busy, machine_total) = machine_ticks();
        CpuSample {
            server,
            postgres,
            client,
            machine_busy,
            machine_total,
        }
    }
}

fn machine_ticks() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = text.lines().find(|l| l.starts_with("cpu ")) else {
        return (0, 0);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal [guest guest_nice, already in user]
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// Where CPU time went during one phase.
#[derive(Debug, Clone)]
pub struct PhaseCpu {
    pub phase: String,
    pub wall: Duration,
    /// Operations the phase performed (requests, transactions, jobs), for per-op costs.
    pub ops: Option<u64>,
    pub ops_unit: &'static str,
    pub server_s: f64,
    pub postgres_s: f64,
    pub client_s: f64,
    /// CPU used by everything else on the machine (other users' builds, the kernel's own
    /// threads), in seconds.
    pub other_s: f64,
    /// Share of the whole machine's CPU capacity in use, 0..=100.
    pub busy_pct: f64,
    /// What the database did during the phase.
    pub db: Option<DbStats>,
    /// What the server's database connections were doing, sampled part-way through.
    pub activity: Vec<Activity>,
    /// A `top` frame taken during the phase.
    pub top: Option<String>,
}

/// Measures one phase: CPU and database counters before and after, and a `top` frame
/// part-way through.
pub struct Meter {
    watched: Watched,
    login: PgLogin,
    started: Instant,
    before: CpuSample,
    before_db: Option<DbStats>,
    top: tokio::task::JoinHandle<Option<String>>,
    activity: tokio::task::JoinHandle<Vec<Activity>>,
}

impl Meter {
    /// Starts measuring; the `top` frame covers the second after `top_after`.
    pub async fn start(watched: Watched, login: PgLogin, top_after: Duration) -> Self {
        let before_db = DbStats::read(&login).await.ok();
        let top = tokio::spawn(async move {
            tokio::time::sleep(top_after).await;
            top_frame().await
        });
        let activity = {
            let login = login.clone();
            tokio::spawn(async move {
                tokio::time::sleep(top_after).await;
                activity_profile(&login, 100, 10).await.unwrap_or_default()
            })
        };
        Self {
            watched,
            login,
            activity,
            started: Instant::now(),
            before: watched.sample(),
            before_db,
            top,
        }
    }

    /// Stops measuring (the wall time ends now; the `top` frame is awaited after).
    pub async fn finish(
        self,
        phase: impl Into<String>,
        ops: Option<u64>,
        ops_unit: &'static str,
    ) -> PhaseCpu {
        let wall = self.started.elapsed();
        let after = self.watched.sample();
        let db = match (self.before_db, DbStats::read(&self.login).await) {
            (Some(before), Ok(after)) => Some(after.since(&before)),
            _ => None,
        };
        let top = self.top.await.ok().flatten();
        let activity = self.activity.await.unwrap_or_default();
        let t = self.watched.ticks;
        let b = self.before;
        let secs = |a: u64, b: u64| a.saturating_sub(b) as f64 / t;
        let total = after.machine_total.saturating_sub(b.machine_total);
        let busy = after.machine_busy.saturating_sub(b.machine_busy);
        let server_s = secs(after.server, b.server);
        let postgres_s = secs(after.postgres, b.postgres);
        let client_s = secs(after.client, b.client);
        PhaseCpu {
            phase: phase.into(),
            wall,
            ops,
            ops_unit,
            server_s,
            postgres_s,
            client_s,
            other_s: (busy as f64 / t - server_s - postgres_s - client_s).max(0.0),
            busy_pct: if total == 0 {
                0.0
            } else {
                100.0 * busy as f64 / total as f64
            },
            top,
            db,
            activity,
        }
    }
}

/// The second frame of `top -b -n 2 -d 1` (the first one's percentages cover no interval),
/// cut to its summary and busiest processes.
async fn top_frame() -> Option<String> {
    let out = tokio::process::Command::new("top")
        .args(["-b", "-n", "2", "-d", "1", "-w", "140"])
        .output()
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let frame = text.rfind("top - ").map(|i| &text[i..])?;
    let lines: Vec<&str> = frame.lines().take(22).collect();
    Some(lines.join("\n").trim_end().to_owned())
}

/// Samples a process's `VmRSS` every 100 ms until stopped; yields the largest, in KiB.
pub struct RssSampler {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<u64>,
}

impl RssSampler {
    pub fn start(pid: u32) -> Self {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut peak = rss_kib(pid).unwrap_or(0);
            let mut every = tokio::time::interval(Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = every.tick() => peak = peak.max(rss_kib(pid).unwrap_or(0)),
                    _ = stopped.changed() => break,
                }
            }
            peak.max(rss_kib(pid).unwrap_or(0))
        });
        Self { stop, task }
    }

    pub async fn finish(self) -> u64 {
        let _ = self.stop.send(true);
        self.task.await.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_stat_and_status() {
        let me = stat(Path::new("/proc/self/stat")).expect("own stat");
        assert!(me.ppid > 0);
        assert!(rss_kib(std::process::id()).unwrap_or(0) > 0);
        assert_eq!(status_kib("VmRSS:\t  1234 kB\n", "VmRSS"), Some(1234));
        assert_eq!(status_kib("VmRSSx: 1 kB\n", "VmRSS"), None);
    }
}
