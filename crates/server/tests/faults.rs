//! Faults against real processes (`runyard serve`, `runyard runner`) and a real
//! PostgreSQL: runners and servers killed with SIGKILL mid-load, the database stopped and
//! restarted under load, two servers on one database, and event-stream clients that
//! vanish mid-request. Each test prints its figures (jobs, time) to stderr.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use runyard_api::AuthConfig;
use runyard_migration::APP_ROLE;
use runyard_migration::provision::{self, OWNER_ROLE, RolePasswords};
use runyard_pgembed::{Cluster, ClusterOptions};
use runyard_testkit::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};

const SECRET: &str = "runyard-faults-secret-runyard-faults-secret";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn scratch_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "runyard-faults-{what}-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// A child process, killed with SIGKILL when dropped.
struct Proc(Child);

impl Proc {
    fn kill9(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A `runyard serve` process on a fixed port (so it can be restarted where runners
/// expect it), writing its log to a file.
struct Server {
    proc: Option<Proc>,
    port: u16,
    base: String,
    app_url: String,
    env: Vec<(String, String)>,
    dir: PathBuf,
}

impl Server {
    /// Starts a server on `app_url` with a 3 s lease and fast sweeps; `env` adds settings.
    async fn start(app_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let mut server = Self {
            proc: None,
            port,
            base: format!("http://127.0.0.1:{port}"),
            app_url: app_url.to_owned(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            dir: scratch_dir("server"),
        };
        server.restart().await;
        server
    }

    fn log(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// (Re)starts the process and waits until it answers.
    async fn restart(&mut self) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log())
            .expect("open the server log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_runyard"));
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{}", self.port)])
            .env("DATABASE_URL", &self.app_url)
            .env_remove("RUNYARD_MIGRATION_DATABASE_URL")
            .env("RUNYARD_JWT_SECRET", SECRET)
            .env("RUNYARD_DATA_DIR", self.dir.join("data"))
            .env("RUNYARD_LOG", "warn")
            .env("RUNYARD_LEASE_SECONDS", "3")
            .env("RUNYARD_SWEEP_INTERVAL_MS", "200")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.proc = Some(Proc(cmd.spawn().expect("start runyard serve")));
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = http
                .get(format!("{}/readyz", self.base))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become ready; log:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn kill9(&mut self) {
        if let Some(mut p) = self.proc.take() {
            p.kill9();
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(self.log()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill9();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A `runyard runner` process.
fn runner(base: &str, token: &str, concurrency: u32) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_runyard"))
        .args([
            "runner",
            "--url",
            base,
            "--token",
            token,
            "--concurrency",
            &concurrency.to_string(),
        ])
        .env("RUNYARD_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start runyard runner");
    Proc(child)
}

/// A PostgreSQL cluster of the test's own, on a fixed port, that can be stopped and
/// started again with its data.
struct OwnCluster {
    opts: ClusterOptions,
    cluster: Option<Cluster>,
    root: PathBuf,
    app_url: String,
    superuser_url: String,
}

impl OwnCluster {
    async fn start() -> Self {
        let root = scratch_dir("pg");
        let mut opts = ClusterOptions::persistent(root.join("pg"));
        opts.port = Some(free_port());
        let cluster = Self::boot(opts.clone()).await;
        let passwords = RolePasswords {
            owner: "faults_owner_password".into(),
            app: "faults_app_password".into(),
        };
        let su = sea_orm::Database::connect(cluster.superuser_url("postgres"))
            .await
            .expect("connect as superuser");
        provision::ensure_roles(&su, &passwords)
            .await
            .expect("roles");
        provision::ensure_database(&su, "runyard")
            .await
            .expect("database");
        su.close().await.ok();
        let owner_url = cluster.url(OWNER_ROLE, &passwords.owner, "runyard");
        provision::migrate(&owner_url).await.expect("migrate");
        Self {
            app_url: cluster.url(APP_ROLE, &passwords.app, "runyard"),
            superuser_url: cluster.superuser_url("runyard"),
            opts,
            cluster: Some(cluster),
            root,
        }
    }

    async fn boot(opts: ClusterOptions) -> Cluster {
        tokio::task::spawn_blocking(move || Cluster::start(opts))
            .await
            .expect("cluster start task")
            .expect("start PostgreSQL")
    }

    async fn stop(&mut self) {
        let cluster = self.cluster.take().expect("the cluster runs");
        tokio::task::spawn_blocking(move || cluster.stop())
            .await
            .expect("cluster stop task")
            .expect("stop PostgreSQL");
    }

    async fn start_again(&mut self) {
        self.cluster = Some(Self::boot(self.opts.clone()).await);
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        drop(self.cluster.take());
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// One answer: status, JSON body, `Retry-After`, and how long it took.
struct Answer {
    status: u16,
    body: Value,
    retry_after: Option<String>,
    took: Duration,
}

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    fn new(base: &str, sub: &str) -> Self {
        let auth = AuthConfig::hs256(SECRET.as_bytes()).expect("secret");
        Self {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            token: auth.mint(sub, 3600).expect("mint"),
        }
    }

    fn as_token(&self, token: &str) -> Self {
        Self {
            token: token.to_owned(),
            ..self.clone()
        }
    }

    async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, reqwest::Error> {
        let started = Instant::now();
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(30));
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = resp.bytes().await?;
        Ok(Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            retry_after,
            took: started.elapsed(),
        })
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        self.try_send(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    async fn post(&self, path: &str, body: &Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    /// Creates workspace `slug` and registers `runners` runners in it; their tokens.
    async fn workspace(&self, slug: &str, runners: usize) -> Vec<String> {
        let ws = self
            .post("/v1/workspaces", &json!({"name": slug, "slug": slug}))
            .await;
        assert_eq!(ws.status, 201, "{}", ws.body);
        let mut tokens = Vec::new();
        for i in 0..runners {
            let r = self
                .post(
                    &format!("/v1/workspaces/{slug}/runners"),
                    &json!({"name": format!("runner-{i}"), "labels": []}),
                )
                .await;
            assert!(r.status < 300, "{}", r.body);
            tokens.push(r.body["token"].as_str().expect("a runner token").to_owned());
        }
        tokens
    }

    async fn enqueue_batch(&self, slug: &str, n: usize, script: &str) {
        let jobs: Vec<Value> = (0..n).map(|_| job(script)).collect();
        let r = self
            .post(
                &format!("/v1/workspaces/{slug}/runner-jobs/batch"),
                &json!({ "jobs": jobs }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
}

fn job(script: &str) -> Value {
    json!({"type": "command", "payload": {"script": script}, "backoff_seconds": 0, "max_attempts": 20})
}

/// What an enqueuer saw: the ids acknowledged with 201, and every other answer by status
/// (0: no answer at all).
#[derive(Default, Debug)]
struct Enqueued {
    acked: Vec<String>,
    refused: std::collections::BTreeMap<u16, usize>,
}

/// Enqueues one job at a time into `slug` for `period`.
async fn enqueue_for(api: Api, slug: &'static str, period: Duration) -> Enqueued {
    let mut seen = Enqueued::default();
    let until = Instant::now() + period;
    let path = format!("/v1/workspaces/{slug}/runner-jobs");
    while Instant::now() < until {
        match api
            .try_send(Method::POST, &path, Some(&job("sleep 0.05")))
            .await
        {
            Ok(a) if a.status == 201 => {
                seen.acked
                    .push(a.body["id"].as_str().expect("an id").to_owned());
            }
            Ok(a) => *seen.refused.entry(a.status).or_default() += 1,
            Err(_) => *seen.refused.entry(0).or_default() += 1,
        }
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    seen
}

async fn connect(url: &str) -> DatabaseConnection {
    let mut opts = sea_orm::ConnectOptions::new(url.to_owned());
    opts.max_connections(1).sqlx_logging(false);
    sea_orm::Database::connect(opts)
        .await
        .expect("connect as superuser")
}

async fn count(db: &DatabaseConnection, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("one row");
    row.try_get::<i64>("", "n").expect("a count named n")
}

/// The queue's books, read as superuser.
#[derive(Debug)]
struct Ledger {
    jobs: i64,
    completed: i64,
    completed_twice: i64,
    seq_gaps: i64,
    /// Claims beyond one per job: work taken back after a lost lease and claimed again.
    reclaims: i64,
    /// Jobs with more claims than attempts (a claim that did not start its own attempt).
    claimed_twice: i64,
}

async fn ledger(db: &DatabaseConnection) -> Ledger {
    Ledger {
        jobs: count(db, "SELECT count(*) AS n FROM runner_jobs", vec![]).await,
        completed: count(
            db,
            "SELECT count(*) AS n FROM runner_jobs WHERE upper(status) = 'COMPLETED'",
            vec![],
        )
        .await,
        completed_twice: count(
            db,
            "SELECT count(*) AS n FROM (SELECT job_id FROM job_events WHERE type = 'job_completed' \
              GROUP BY job_id HAVING count(*) > 1) d",
            vec![],
        )
        .await,
        seq_gaps: count(
            db,
            "SELECT count(*) AS n FROM (SELECT job_id FROM job_events GROUP BY job_id \
              HAVING min(seq) <> 1 OR max(seq) <> count(*)) g",
            vec![],
        )
        .await,
        reclaims: count(
            db,
            "SELECT (SELECT count(*) FROM job_events WHERE type = 'job_claimed') \
                  - (SELECT count(DISTINCT job_id) FROM job_events WHERE type = 'job_claimed') AS n",
            vec![],
        )
        .await,
        claimed_twice: count(
            db,
            "SELECT count(*) AS n FROM (SELECT e.job_id FROM job_events e \
               JOIN runner_jobs j ON j.workspace_id = e.workspace_id AND j.id = e.job_id \
              WHERE e.type = 'job_claimed' GROUP BY e.job_id HAVING count(*) > max(j.attempt)) c",
            vec![],
        )
        .await,
    }
}

/// Waits until every job is completed; the ledger then.
async fn all_completed(db: &DatabaseConnection, within: Duration) -> Ledger {
    let deadline = Instant::now() + within;
    loop {
        let l = ledger(db).await;
        if l.jobs > 0 && l.completed == l.jobs {
            return l;
        }
        assert!(
            Instant::now() < deadline,
            "jobs not all completed in {within:?}: {l:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn assert_sound(l: &Ledger) {
    assert_eq!(l.completed, l.jobs, "jobs lost or unfinished: {l:?}");
    assert_eq!(l.completed_twice, 0, "jobs completed twice: {l:?}");
    assert_eq!(l.seq_gaps, 0, "event seq with gaps: {l:?}");
    assert_eq!(l.claimed_twice, 0, "an attempt claimed twice: {l:?}");
}

async fn acked_completed(db: &DatabaseConnection, acked: &[String]) -> i64 {
    count(
        db,
        "SELECT count(*) AS n FROM runner_jobs WHERE id::text = ANY($1) AND upper(status) = 'COMPLETED'",
        vec![acked.to_vec().into()],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runner_killed_mid_load_loses_no_job() {
    let started = Instant::now();
    let db = TestDb::new().await;
    let server = Server::start(&db.app_url, &[]).await;
    let api = Api::new(&server.base, "alice");
    let tokens = api.workspace("acme", 3).await;
    const JOBS: usize = 120;
    api.enqueue_batch("acme", JOBS, "sleep 0.1").await;
    let mut victim = runner(&server.base, &tokens[0], 4);
    let _steady = runner(&server.base, &tokens[1], 4);
    let su = connect(&db.superuser_url).await;
    // Kill it while it holds jobs.
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(
        &su,
        "SELECT count(*) AS n FROM runner_jobs WHERE upper(status) = 'RUNNING' \
           AND lease_runner_id = (SELECT id FROM runners WHERE name = 'runner-0')",
        vec![],
    )
    .await
        < 2
    {
        assert!(Instant::now() < deadline, "the runner never took work");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    victim.kill9();
    let _replacement = runner(&server.base, &tokens[2], 4);
    let l = all_completed(&su, Duration::from_secs(45)).await;
    assert_sound(&l);
    assert!(
        l.reclaims > 0,
        "the killed runner's jobs were never taken back: {l:?}"
    );
    eprintln!(
        "faults: runner kill -9 mid-load: {} jobs, {} completed, {} re-claimed after the kill, \
         0 lost, 0 completed twice, seq gap-free, in {:.1?}",
        l.jobs,
        l.completed,
        l.reclaims,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_load_loses_no_job() {
    let started = Instant::now();
    let db = TestDb::new().await;
    let mut server = Server::start(&db.app_url, &[]).await;
    let api = Api::new(&server.base, "alice");
    let tokens = api.workspace("acme", 2).await;
    api.enqueue_batch("acme", 60, "sleep 0.1").await;
    let _r1 = runner(&server.base, &tokens[0], 4);
    let _r2 = runner(&server.base, &tokens[1], 4);
    let load = tokio::spawn(enqueue_for(api.clone(), "acme", Duration::from_secs(4)));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill9();
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.restart().await;
    let down = killed.elapsed();
    let seen = load.await.expect("enqueuer");
    let su = connect(&db.superuser_url).await;
    let l = all_completed(&su, Duration::from_secs(45)).await;
    assert_sound(&l);
    assert_eq!(
        acked_completed(&su, &seen.acked).await,
        seen.acked.len() as i64,
        "an acknowledged job is missing or unfinished"
    );
    eprintln!(
        "faults: server kill -9 mid-load: down {down:.1?}; {} jobs ({} acknowledged singly during \
         the load, refused/unanswered {:?}), {} re-claimed, 0 lost, 0 completed twice, seq \
         gap-free, in {:.1?}",
        l.jobs,
        seen.acked.len(),
        seen.refused,
        l.reclaims,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_restart_under_load_keeps_every_acknowledged_job() {
    let started = Instant::now();
    let mut pg = OwnCluster::start().await;
    let server = Server::start(
        &pg.app_url,
        &[
            ("RUNYARD_DB_ACQUIRE_TIMEOUT_MS", "1000"),
            ("RUNYARD_LOG", "info,sqlx=warn,sea_orm=warn"),
        ],
    )
    .await;
    let api = Api::new(&server.base, "alice");
    let tokens = api.workspace("acme", 2).await;
    let _r1 = runner(&server.base, &tokens[0], 4);
    let _r2 = runner(&server.base, &tokens[1], 4);
    let load = tokio::spawn(enqueue_for(api.clone(), "acme", Duration::from_secs(7)));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stopped = Instant::now();
    pg.stop().await;
    tokio::time::sleep(Duration::from_millis(2000)).await;
    pg.start_again().await;
    let down = stopped.elapsed();
    let seen = load.await.expect("enqueuer");
    let su = connect(&pg.superuser_url).await;
    let l = all_completed(&su, Duration::from_secs(40)).await;
    assert_sound(&l);
    assert_eq!(
        acked_completed(&su, &seen.acked).await,
        seen.acked.len() as i64,
        "an acknowledged job is missing or unfinished"
    );
    let server_errors: usize = seen
        .refused
        .iter()
        .filter(|(s, _)| **s >= 500 && **s != 503)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(server_errors, 0, "5xx other than 503: {:?}", seen.refused);
    assert!(
        seen.refused.get(&503).is_some_and(|n| *n > 0),
        "the restart was never noticed: {:?}",
        seen.refused
    );
    // Runners' calls too: not one answer was a 500, nothing failed unexpectedly.
    let log = server.log_text();
    let failures: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("status=500") || l.contains("ERROR"))
        .collect();
    assert!(
        failures.is_empty(),
        "the server failed requests:\n{}",
        failures.join("\n")
    );
    let answered_503 = log.lines().filter(|l| l.contains("status=503")).count();
    eprintln!(
        "faults: database restart under load: down {down:.1?}; {} acknowledged, all present and \
         completed; refused {:?} (503 = database_unavailable); {answered_503} answers 503 in all \
         (runners included), 0 × 500; {} jobs, 0 completed twice, seq gap-free, in {:.1?}",
        seen.acked.len(),
        seen.refused,
        l.jobs,
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_away_answers_503_at_once_and_recovers_without_restart() {
    let mut pg = OwnCluster::start().await;
    let server = Server::start(&pg.app_url, &[("RUNYARD_DB_ACQUIRE_TIMEOUT_MS", "1000")]).await;
    // A second server: after the restart, its waiting claim can only hear of a job
    // enqueued through the first one by its reconnected LISTEN connection.
    let server_b = Server::start(&pg.app_url, &[("RUNYARD_DB_ACQUIRE_TIMEOUT_MS", "1000")]).await;
    let api = Api::new(&server.base, "alice");
    let tokens = api.workspace("acme", 1).await;
    let runner_api = api.as_token(&tokens[0]);
    let runner_b = Api {
        base: server_b.base.clone(),
        ..runner_api.clone()
    };
    let jobs = "/v1/workspaces/acme/runner-jobs";

    // Waiting before the database goes: a long-poll claim and a live event stream.
    let poll = {
        let runner_api = runner_api.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let a = runner_api
                .try_send(
                    Method::POST,
                    "/v1/runner/claim",
                    Some(&json!({"wait_seconds": 30})),
                )
                .await;
            (a.map(|a| a.status), started.elapsed())
        })
    };
    let stream = {
        let api = api.clone();
        tokio::spawn(async move {
            let resp = api
                .http
                .get(format!("{}/v1/workspaces/acme/events/stream", api.base))
                .bearer_auth(&api.token)
                .send()
                .await
                .expect("open the stream");
            assert_eq!(resp.status(), 200);
            // Ends (cleanly or not) once the database is gone; must not hang.
            let _ = resp.bytes().await;
            Instant::now()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    pg.stop().await;
    let stopped = Instant::now();

    let enqueue = api.post(jobs, &job("true")).await;
    let claim = runner_api
        .post("/v1/runner/claim", &json!({"wait_seconds": 0}))
        .await;
    let ready = api.get("/readyz").await;
    for (what, a) in [("enqueue", &enqueue), ("claim", &claim)] {
        assert_eq!(a.status, 503, "{what}: {}", a.body);
        assert_eq!(a.body["code"], "database_unavailable", "{what}: {}", a.body);
        assert!(a.retry_after.is_some(), "{what}: no Retry-After");
        assert!(a.took < Duration::from_secs(3), "{what} took {:?}", a.took);
    }
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(
        ready.took < Duration::from_secs(1),
        "readyz took {:?}",
        ready.took
    );
    let (polled, poll_took) = tokio::time::timeout(Duration::from_secs(10), poll)
        .await
        .expect("the long-poll claim hangs")
        .expect("poll task");
    let polled = polled.expect("the long-poll got an answer");
    assert!(
        polled == 503 || polled == 200,
        "long-poll ended with {polled}"
    );
    let stream_ended = tokio::time::timeout(Duration::from_secs(10), stream)
        .await
        .expect("the event stream hangs")
        .expect("stream task");
    let stream_end = stream_ended.saturating_duration_since(stopped);

    // The CLI, started while the database is away, keeps trying and succeeds once it is back.
    let cli = tokio::process::Command::new(env!("CARGO_BIN_EXE_runyard"))
        .args(["jobs", "list", "-w", "acme"])
        .env("RUNYARD_URL", &server.base)
        .env("RUNYARD_TOKEN", &api.token)
        .env("RUNYARD_CONFIG", server.dir.join("cli-profile.toml"))
        .env_remove("RUNYARD_WORKSPACE")
        .env("RUNYARD_LOG", "warn")
        .stdin(Stdio::null())
        .output();
    let cli = tokio::spawn(cli);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    pg.start_again().await;
    let back = Instant::now();
    let created = loop {
        let a = api.post(jobs, &job("true")).await;
        if a.status == 201 {
            break a;
        }
        assert_eq!(a.status, 503, "{}", a.body);
        assert!(
            back.elapsed() < Duration::from_secs(15),
            "no recovery without a restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let recovered = back.elapsed();
    let cli = tokio::time::timeout(Duration::from_secs(30), cli)
        .await
        .expect("the CLI gave up or hangs")
        .expect("cli task")
        .expect("run the CLI");
    let cli_err = String::from_utf8_lossy(&cli.stderr);
    assert!(cli.status.success(), "the CLI failed: {cli_err}");
    assert!(
        cli_err.contains("trying again"),
        "the CLI never retried: {cli_err}"
    );
    assert_eq!(api.get("/readyz").await.status, 200);
    // The notification listener is back too: a claim waiting on the other server wakes
    // on a new job at once.
    let claimed = runner_api
        .post("/v1/runner/claim", &json!({"wait_seconds": 1}))
        .await;
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let deadline = Instant::now() + Duration::from_secs(10);
    while runner_b.get("/readyz").await.status != 200 {
        assert!(
            Instant::now() < deadline,
            "the second server did not recover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let waiting = {
        let runner_b = runner_b.clone();
        tokio::spawn(async move {
            runner_b
                .post("/v1/runner/claim", &json!({"wait_seconds": 20}))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let woke_from = Instant::now();
    assert_eq!(api.post(jobs, &job("true")).await.status, 201);
    let woken = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the waiting claim was not woken")
        .expect("claim task");
    assert_eq!(woken.status, 200, "{}", woken.body);
    assert_eq!(woken.body["jobs"].as_array().map(Vec::len), Some(1));
    eprintln!(
        "faults: database away: enqueue 503 in {:.0?}, claim 503 in {:.0?}, readyz 503 in {:.0?} \
         (Retry-After {:?}); long-poll ended ({polled}) after {poll_took:.1?}, stream ended \
         {stream_end:.1?} after the stop; 201 again {recovered:.1?} after the restart \
         (first job {}), the CLI retried through it; a claim waiting on a second server woke \
         {:.0?} after an enqueue on the first",
        enqueue.took,
        claim.took,
        ready.took,
        enqueue.retry_after,
        created.body["id"],
        woke_from.elapsed(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_share_the_queue_and_the_sweeps() {
    let started = Instant::now();
    let db = TestDb::new().await;
    let a = Server::start(&db.app_url, &[]).await;
    let b = Server::start(&db.app_url, &[]).await;
    let api = Api::new(&a.base, "alice");
    let tokens = api.workspace("acme", 5).await;
    const JOBS: usize = 150;
    api.enqueue_batch("acme", JOBS, "sleep 0.05").await;
    let runners: Vec<Proc> = tokens[..4]
        .iter()
        .enumerate()
        .map(|(i, t)| runner(if i % 2 == 0 { &a.base } else { &b.base }, t, 4))
        .collect();
    let su = connect(&db.superuser_url).await;
    let l = all_completed(&su, Duration::from_secs(40)).await;
    assert_sound(&l);
    assert_eq!(l.reclaims, 0, "a job was claimed twice: {l:?}");
    let by_server = count(
        &su,
        "SELECT count(DISTINCT actor) AS n FROM job_events WHERE type = 'job_claimed'",
        vec![],
    )
    .await;
    let first = started.elapsed();

    // The sweeps: while another session holds the reaper's advisory lock, neither server
    // reaps an expired lease; once it is released, one of them does, once.
    let lock = connect(&db.superuser_url).await;
    lock.execute_unprepared("SELECT pg_advisory_lock(hashtext('runyard_reaper'))")
        .await
        .expect("take the reaper's lock");
    drop(runners);
    api.enqueue_batch("acme", 5, "sleep 0.05").await;
    // Taken by a runner that never reports back (the killed runners' long-polls, still
    // waiting on the servers, may take some of them first: just as good).
    let ghost = api.as_token(&tokens[4]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(
        &su,
        "SELECT count(*) AS n FROM runner_jobs WHERE upper(status) = 'QUEUED'",
        vec![],
    )
    .await
        > 0
    {
        assert!(Instant::now() < deadline, "the jobs were never claimed");
        ghost
            .post("/v1/runner/claim", &json!({"max_jobs": 5}))
            .await;
    }
    // Leases are 3 s; both servers sweep every 200 ms.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let expired_running = count(
        &su,
        "SELECT count(*) AS n FROM runner_jobs WHERE upper(status) = 'RUNNING' AND lease_expires_at < now()",
        vec![],
    )
    .await;
    assert_eq!(
        expired_running, 5,
        "a server reaped while another session held the reaper's lock"
    );
    lock.close().await.ok();
    let _r = runner(&b.base, &tokens[0], 4);
    let l = all_completed(&su, Duration::from_secs(30)).await;
    assert_sound(&l);
    // Each lost attempt was reaped exactly once, by one of the two servers.
    let reaped = count(
        &su,
        "SELECT count(*) AS n FROM job_events WHERE actor = 'system' AND payload ? 'reason'",
        vec![],
    )
    .await;
    let reaped_twice = count(
        &su,
        "SELECT count(*) AS n FROM (SELECT job_id FROM job_events \
          WHERE actor = 'system' AND payload ? 'reason' \
          GROUP BY job_id, payload->>'attempt' HAVING count(*) > 1) d",
        vec![],
    )
    .await;
    assert!(reaped >= 5, "the expired leases were not reaped: {reaped}");
    assert_eq!(reaped_twice, 0, "an attempt was reaped twice");
    eprintln!(
        "faults: two servers on one database: {JOBS} jobs run by {by_server} runners across both \
         in {first:.1?}, each claimed once; with the reaper's lock held elsewhere 5 expired leases \
         stayed put for 5 s, then {reaped} lost attempts were reaped once each and the jobs \
         completed; total {:.1?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_streams_never_leave_a_connection_inside_a_transaction() {
    const CHURN: Duration = Duration::from_secs(6);
    const CLIENTS: usize = 6;
    let db = TestDb::new().await;
    let server = Server::start(&db.app_url, &[("RUNYARD_LOG", "warn")]).await;
    let alice = Api::new(&server.base, "alice");
    let bob = Api::new(&server.base, "bob");
    alice.workspace("acme", 0).await;
    bob.workspace("other", 0).await;
    let tail_job = alice
        .post("/v1/workspaces/acme/runner-jobs", &job("true"))
        .await;
    let tail_job = tail_job.body["id"].as_str().expect("a job").to_owned();
    for _ in 0..3 {
        assert_eq!(
            bob.post("/v1/workspaces/other/runner-jobs", &job("true"))
                .await
                .status,
            201
        );
    }
    let other_id = bob.get("/v1/workspaces/other").await.body["id"]
        .as_str()
        .expect("workspace id")
        .to_owned();
    let until = Instant::now() + CHURN;
    let dropped = Arc::new(Mutex::new(0u64));

    // Streams opened and abandoned at random moments. The server notices a vanished
    // client only when it next writes (an event or the 15 s keep-alive), so streams are
    // dropped in the middle of whatever they were doing then: reading, in a transaction.
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let alice = alice.clone();
        let dropped = dropped.clone();
        let path = if i % 2 == 0 {
            "/v1/workspaces/acme/events/stream".to_owned()
        } else {
            format!("/v1/workspaces/acme/runner-jobs/{tail_job}/logs/stream")
        };
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .expect("client");
            while Instant::now() < until {
                let wait = Duration::from_micros(rand::random::<u64>() % 30_000);
                let req = http
                    .get(format!("{}{path}", alice.base))
                    .bearer_auth(&alice.token)
                    .send();
                let _ = tokio::time::timeout(wait, async {
                    if let Ok(resp) = req.await {
                        let _ = resp.bytes().await;
                    }
                })
                .await;
                *dropped.lock().unwrap() += 1;
                tokio::time::sleep(Duration::from_millis(60)).await;
            }
        }));
    }
    {
        let alice = alice.clone();
        tasks.push(tokio::spawn(async move {
            while Instant::now() < until {
                let _ = alice
                    .try_send(
                        Method::POST,
                        "/v1/workspaces/acme/runner-jobs",
                        Some(&job("true")),
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }));
    }
    // Meanwhile, and until every abandoned stream has met its keep-alive, the other
    // workspace must only ever see its own jobs.
    let mut reads = 0u64;
    let settled = until + Duration::from_secs(16);
    while Instant::now() < settled {
        let list = bob.get("/v1/workspaces/other/runner-jobs").await;
        assert_eq!(
            list.status,
            200,
            "{}\nserver log:\n{}",
            list.body,
            server.log_text()
        );
        let items = list.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 3, "{}", list.body);
        assert!(
            items.iter().all(|j| j["workspace_id"] == other_id.as_str()),
            "another workspace's job: {}",
            list.body
        );
        reads += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for t in tasks {
        t.await.expect("churn task");
    }
    let dropped = *dropped.lock().unwrap();

    let su = connect(&db.superuser_url).await;
    let stuck = count(
        &su,
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
           AND usename = 'runyard_app' AND state LIKE 'idle in transaction%' \
           AND state_change < now() - interval '1 second'",
        vec![],
    )
    .await;
    let log = server.log_text();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("transaction in progress"))
        .collect();
    let discarded = log
        .lines()
        .filter(|l| l.contains("left inside a transaction"))
        .count();
    eprintln!(
        "faults: stream churn: {dropped} streams dropped mid-flight in {CHURN:?} ({CLIENTS} clients), \
         {reads} reads of another workspace all its own; {stuck} connections idle in \
         transaction; {} transaction warnings; {discarded} pooled connections closed by the guard",
        warnings.len()
    );
    assert_eq!(stuck, 0, "connections left idle in transaction");
    assert!(
        warnings.is_empty(),
        "a request ran inside another's transaction:\n{}",
        warnings.join("\n")
    );
}

/// Polls `fut` up to `polls` times, letting the database answer in between, then drops
/// it: a request cancelled at an arbitrary point.
async fn poll_then_drop<F: std::future::Future>(fut: F, polls: u32, gap_micros: u64) {
    let mut fut = std::pin::pin!(fut);
    for i in 0..polls {
        let ready =
            std::future::poll_fn(|cx| std::task::Poll::Ready(fut.as_mut().poll(cx).is_ready()))
                .await;
        if ready {
            return;
        }
        match (gap_micros + u64::from(i)) % 3 {
            0 => tokio::task::yield_now().await,
            1 => std::thread::sleep(Duration::from_micros(gap_micros)),
            _ => tokio::time::sleep(Duration::from_micros(gap_micros)).await,
        }
    }
}

/// Log lines written in this process, for the warnings PostgreSQL sends back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_transactions_never_hand_out_their_connection_inside_one() {
    const ROUNDS: u32 = 300;
    let started = Instant::now();
    let captured = Captured::default();
    let writer = captured.clone();
    // Only this test installs a subscriber; the others' servers run in processes of their own.
    let _ = tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    );
    let db = TestDb::new().await;
    // One connection, so every round reuses what the cancelled one left behind.
    let pool = runyard_persistence::Database::connect_with(&db.app_url, 1, Duration::from_secs(5))
        .await
        .expect("connect the pool");
    let su = connect(&db.superuser_url).await;
    let mut leaked = 0;
    for round in 0..ROUNDS {
        let polls = 1 + round % 7;
        let gap = rand::random::<u64>() % 400;
        poll_then_drop(pool.workspaces_of("mallory"), polls, gap).await;
        // The next borrower gets the connection; it must not be inside a transaction.
        pool.ping().await.expect("ping");
        tokio::time::sleep(Duration::from_millis(15)).await;
        leaked += count(
            &su,
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
               AND usename = 'runyard_app' AND state LIKE 'idle in transaction%'",
            vec![],
        )
        .await;
    }
    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("transaction in progress"))
        .collect();
    let discarded = log
        .lines()
        .filter(|l| l.contains("left inside a transaction"))
        .count();
    eprintln!(
        "faults: {ROUNDS} transactions cancelled at random points on a one-connection pool: \
         {leaked} times the next borrower got a connection inside a transaction, {} transaction \
         warnings, {discarded} connections closed by the pool's check, in {:.1?}",
        warnings.len(),
        started.elapsed()
    );
    assert_eq!(
        leaked, 0,
        "a connection was handed out inside a transaction"
    );
    assert!(
        warnings.is_empty(),
        "a statement ran in the wrong transaction state:\n{}",
        warnings.join("\n")
    );
}
