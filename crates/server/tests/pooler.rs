//! Through PgBouncer in transaction mode: two `runyard serve` processes share a small
//! server pool (so consecutive transactions of one client land on different server
//! connections), with the statement cache off and `LISTEN` on a direct connection. The
//! core of the queue works across them: enqueue on one wakes a long-poll claim waiting on
//! the other, the runner completes, and the feed shows it all.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use runyard_testkit::{Client, TEST_SECRET, TestDb};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_runyard");
const WS: &str = "/v1/workspaces/pool";

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Starts `pgbouncer` in transaction mode in front of `db`'s cluster, on a free port, with
/// two server connections per database and user; returns it and the app role's URL
/// through it. As root, it runs as `postgres` (it refuses to run as root).
async fn pgbouncer(db: &TestDb, dir: &Path) -> (Child, String) {
    let direct = runyard_client::reqwest::Url::parse(&db.app_url).unwrap();
    let port = free_port();
    let password = direct.password().unwrap();
    std::fs::write(
        dir.join("users.txt"),
        format!("\"{}\" \"{password}\"\n", direct.username()),
    )
    .unwrap();
    let user = if is_root() { "user = postgres\n" } else { "" };
    std::fs::write(
        dir.join("pgbouncer.ini"),
        format!(
            "[databases]\n\
             * = host=127.0.0.1 port={}\n\
             [pgbouncer]\n\
             {user}\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = scram-sha-256\n\
             auth_file = {}\n\
             pool_mode = transaction\n\
             default_pool_size = 2\n\
             max_client_conn = 100\n\
             ignore_startup_parameters = extra_float_digits\n\
             log_connections = 0\n\
             log_disconnections = 0\n",
            direct.port().unwrap(),
            dir.join("users.txt").display()
        ),
    )
    .unwrap();
    let child = Command::new("pgbouncer")
        .arg(dir.join("pgbouncer.ini"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("pgbouncer runs (Debian: apt-get install pgbouncer)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "pgbouncer does not listen");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut pooled = direct.clone();
    pooled.set_port(Some(port)).unwrap();
    (child, pooled.to_string())
}

/// Starts `runyard serve` through the pooler, its warnings and errors going to
/// `<dir>/<name>.log`, its sweeps running often; returns it and its base URL.
async fn serve(dir: &Path, name: &str, pooled_url: &str, direct_url: &str) -> (Child, String) {
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    let mut child = Command::new(BIN)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUNYARD_LOG", "warn")
        .env("DATABASE_URL", pooled_url)
        .env("RUNYARD_DB_STATEMENT_CACHE", "0")
        .env("RUNYARD_LISTEN_DATABASE_URL", direct_url)
        .env(
            "RUNYARD_JWT_SECRET",
            std::str::from_utf8(TEST_SECRET).unwrap(),
        )
        .env("RUNYARD_LISTEN", "127.0.0.1:0")
        .env("RUNYARD_DATA_DIR", dir.join(name))
        .env("RUNYARD_DB_POOL_SIZE", "8")
        .env("RUNYARD_SWEEP_INTERVAL_MS", "50")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("runyard starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(addr) = line.strip_prefix("Runyard is listening on ") {
                return addr.trim().to_owned();
            }
        }
        panic!("runyard stopped before it was ready");
    };
    let base = tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("runyard is ready within a minute");
    // Keep draining its output so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, base)
}

fn token(sub: &str) -> String {
    runyard_api::AuthConfig::hs256(TEST_SECRET)
        .unwrap()
        .mint(sub, 3600)
        .unwrap()
}

#[tokio::test]
async fn two_servers_work_through_pgbouncer_in_transaction_mode() {
    let db = TestDb::new().await;
    let dir = Scratch(std::env::temp_dir().join(format!("runyard-pooler-test-{}", db.name)));
    std::fs::create_dir_all(&dir.0).unwrap();
    // pgbouncer (as `postgres` when root) reads its files here.
    std::process::Command::new("chmod")
        .args(["755"])
        .arg(&dir.0)
        .status()
        .unwrap();
    let (_bouncer, pooled) = pgbouncer(&db, &dir.0).await;
    let (_a, url_a) = serve(&dir.0, "a", &pooled, &db.app_url).await;
    let (_b, url_b) = serve(&dir.0, "b", &pooled, &db.app_url).await;

    let alice_a = Client::new(&url_a, Some(token("alice")));
    let alice_b = Client::new(&url_b, Some(token("alice")));
    alice_a.create_workspace("pool").await;
    let (_, runner_token) = alice_a.register_runner("pool", "r1", &[]).await;
    let runner_b = Client::new(&url_b, Some(runner_token));

    // Several rounds, with other traffic on both servers meanwhile, so statements of
    // many transactions interleave on the pooler's two server connections.
    for round in 0..3 {
        let claim = {
            let runner = runner_b.clone();
            tokio::spawn(async move {
                let reply = runner
                    .post(
                        "/v1/runner/claim",
                        json!({"max_jobs": 1, "wait_seconds": 20}),
                    )
                    .await;
                (reply.expect(200)["jobs"].clone(), Instant::now())
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!claim.is_finished(), "the claim should be waiting for work");
        let noise = {
            let (a, b) = (alice_a.clone(), alice_b.clone());
            tokio::spawn(async move {
                for _ in 0..20 {
                    a.get(&format!("{WS}/runner-jobs")).await.expect(200);
                    b.get("/v1/workspaces").await.expect(200);
                }
            })
        };
        let enqueued = Instant::now();
        let job = alice_a
            .create_job("pool", json!({"type": "t", "payload": {"round": round}}))
            .await;
        let id = job["id"].as_str().unwrap().to_owned();
        let (jobs, at) = tokio::time::timeout(Duration::from_secs(25), claim)
            .await
            .expect("the claim answers by its deadline")
            .unwrap();
        assert_eq!(jobs.as_array().unwrap().len(), 1, "no job claimed: {jobs}");
        assert_eq!(jobs[0]["id"], id.as_str());
        let took = at.saturating_duration_since(enqueued);
        assert!(
            took < Duration::from_secs(2),
            "the enqueue on the other server woke the claim only after {took:?}"
        );
        runner_b
            .post(
                &format!("/v1/runner/jobs/{id}/complete"),
                json!({"attempt": 1, "result": {"round": round}}),
            )
            .await
            .expect(200);
        noise.await.unwrap();
        let done = alice_a.get(&format!("{WS}/runner-jobs/{id}")).await;
        assert_eq!(done.expect(200)["status"], "COMPLETED");
    }

    // The feed, read through either server, holds each job's whole story in order.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = alice_b.get(&format!("{WS}/events?limit=100")).await;
        let items: Vec<Value> = page.expect(200)["items"].as_array().unwrap().clone();
        let types: Vec<&str> = items.iter().map(|e| e["type"].as_str().unwrap()).collect();
        let wanted = ["job_created", "job_claimed", "job_completed"].repeat(3);
        if types == wanted {
            break;
        }
        assert!(Instant::now() < deadline, "the feed holds {types:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Nothing failed on the side either: the sweeps' lone statements, run all along by
    // both servers, never met another's statement on a shared server connection.
    for name in ["a", "b"] {
        let log = std::fs::read_to_string(dir.0.join(format!("{name}.log"))).unwrap();
        assert!(
            !log.contains("WARN") && !log.contains("ERROR"),
            "server {name} logged: {log}"
        );
    }
}
