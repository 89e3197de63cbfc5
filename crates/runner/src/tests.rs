//! The runner against an in-process mock of the runner protocol: claims, logs,
//! artifacts, completion, failure, cancellation, lease loss, shutdown and revocation.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json, Path, Query};
use poem::{EndpointExt, Request, Response, Route, Server, handler, post, put};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::{RunnerConfig, run};

/// What a job call did to the mock.
#[derive(Debug, Clone, PartialEq)]
struct Call {
    job: String,
    action: String,
    body: Value,
}

/// An uploaded artifact: job, name, content type, bytes.
type Upload = (String, String, String, Vec<u8>);

#[derive(Default)]
struct Mock {
    queue: Mutex<VecDeque<Value>>,
    /// (job, seq) -> (stream, body), deduplicated like the server does.
    logs: Mutex<BTreeMap<(String, u64), (String, String)>>,
    log_posts: AtomicUsize,
    /// Log posts to answer 503 before accepting any.
    failing_log_posts: AtomicUsize,
    calls: Mutex<Vec<Call>>,
    artifacts: Mutex<Vec<Upload>>,
    /// (job, name, reason) of declared artifacts reported as skipped.
    skipped: Mutex<Vec<(String, String, String)>>,
    cancel: Mutex<HashSet<String>>,
    lost: Mutex<HashSet<String>>,
    revoked: AtomicBool,
    claims: Mutex<Vec<u64>>,
}

fn lease() -> String {
    (chrono::Utc::now() + chrono::TimeDelta::milliseconds(1500)).to_rfc3339()
}

fn problem(status: StatusCode, code: &str) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/problem+json")
        .body(
            json!({"type": format!("urn:runyard:problem:{code}"), "title": "x",
                   "status": status.as_u16(), "detail": code, "code": code})
            .to_string(),
        )
}

fn json_response(value: Value) -> Response {
    Response::builder()
        .content_type("application/json")
        .body(value.to_string())
}

impl Mock {
    fn refusal(&self, job: &str) -> Option<Response> {
        if self.revoked.load(Ordering::SeqCst) {
            return Some(problem(StatusCode::UNAUTHORIZED, "unauthorized"));
        }
        if self.lost.lock().expect("lock").contains(job) {
            return Some(problem(StatusCode::CONFLICT, "lease_lost"));
        }
        None
    }

    fn calls(&self, job: &str) -> Vec<Call> {
        self.calls
            .lock()
            .expect("lock")
            .iter()
            .filter(|c| c.job == job)
            .cloned()
            .collect()
    }

    fn logs(&self, job: &str) -> Vec<(u64, String, String)> {
        self.logs
            .lock()
            .expect("lock")
            .iter()
            .filter(|((j, _), _)| j == job)
            .map(|((_, seq), (stream, body))| (*seq, stream.clone(), body.clone()))
            .collect()
    }

    fn stdout_contains(&self, job: &str, text: &str) -> bool {
        self.logs(job)
            .iter()
            .any(|(_, s, b)| s == "stdout" && b.contains(text))
    }
}

#[handler]
async fn claim(Data(mock): Data<&Arc<Mock>>, Json(body): Json<Value>) -> Response {
    if mock.revoked.load(Ordering::SeqCst) {
        return problem(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let max = body["max_jobs"].as_u64().unwrap_or(1);
    let wait = body["wait_seconds"].as_u64().unwrap_or(0);
    mock.claims.lock().expect("lock").push(max);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    loop {
        let jobs: Vec<Value> = {
            let mut queue = mock.queue.lock().expect("lock");
            let n = queue.len().min(max as usize);
            queue.drain(..n).collect()
        };
        if !jobs.is_empty() || tokio::time::Instant::now() >= deadline {
            return json_response(json!({ "jobs": jobs }));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[handler]
async fn job_call(
    Data(mock): Data<&Arc<Mock>>,
    Path((job, action)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = mock.refusal(&job) {
        return refusal;
    }
    mock.calls.lock().expect("lock").push(Call {
        job: job.clone(),
        action: action.clone(),
        body: body.clone(),
    });
    match action.as_str() {
        "heartbeat" => json_response(json!({
            "lease_expires_at": lease(),
            "cancel_requested": mock.cancel.lock().expect("lock").contains(&job),
            "pause_requested": false,
        })),
        "logs" => {
            mock.log_posts.fetch_add(1, Ordering::SeqCst);
            let failing = &mock.failing_log_posts;
            if failing
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return problem(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
            }
            let mut logs = mock.logs.lock().expect("lock");
            for entry in body["entries"].as_array().into_iter().flatten() {
                let seq = entry["seq"].as_u64().unwrap_or(0);
                let stream = entry["stream"].as_str().unwrap_or("").to_owned();
                let text = entry["body"].as_str().unwrap_or("").to_owned();
                if let Some(existing) = logs.get(&(job.clone(), seq))
                    && existing != &(stream.clone(), text.clone())
                {
                    return problem(StatusCode::CONFLICT, "log_seq_conflict");
                }
                logs.insert((job.clone(), seq), (stream, text));
            }
            json_response(json!({"accepted": 0, "duplicates": 0}))
        }
        "ai-calls" => {
            let n = body["calls"].as_array().map_or(0, Vec::len);
            json_response(json!({"accepted": n, "duplicates": 0}))
        }
        "complete" | "fail" | "release" => {
            mock.lost.lock().expect("lock").insert(job);
            json_response(json!({}))
        }
        _ => problem(StatusCode::NOT_FOUND, "not_found"),
    }
}

#[derive(serde::Deserialize)]
struct AttemptQuery {
    attempt: u32,
}

#[handler]
async fn artifact(
    Data(mock): Data<&Arc<Mock>>,
    Path((job, name)): Path<(String, String)>,
    Query(query): Query<AttemptQuery>,
    req: &Request,
    body: Vec<u8>,
) -> Response {
    if let Some(refusal) = mock.refusal(&job) {
        return refusal;
    }
    assert_eq!(query.attempt, 1);
    let content_type = req.content_type().unwrap_or_default().to_owned();
    mock.artifacts
        .lock()
        .expect("lock")
        .push((job, name, content_type, body));
    Response::builder().status(StatusCode::CREATED).body("{}")
}

#[handler]
async fn skip_artifact(
    Data(mock): Data<&Arc<Mock>>,
    Path((job, name)): Path<(String, String)>,
    body: poem::web::Json<Value>,
) -> Response {
    if let Some(refusal) = mock.refusal(&job) {
        return refusal;
    }
    assert_eq!(body["attempt"], 1);
    let reason = body["reason"].as_str().unwrap_or_default().to_owned();
    mock.skipped.lock().expect("lock").push((job, name, reason));
    Response::builder().status(StatusCode::CREATED).body("{}")
}

/// A mock server on a loopback port; returns its URL.
async fn serve(mock: Arc<Mock>) -> String {
    let app = Route::new()
        .at("/v1/runner/claim", post(claim))
        .at("/v1/runner/jobs/:id/:action", post(job_call))
        .at("/v1/runner/jobs/:id/artifacts/:name", put(artifact))
        .at(
            "/v1/runner/jobs/:id/artifacts/:name/skip",
            post(skip_artifact),
        )
        .data(mock);
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor
        .local_addr()
        .into_iter()
        .find_map(|a| a.as_socket_addr().copied())
        .expect("address");
    tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
    format!("http://{addr}")
}

fn job(id: &str, job_type: &str, payload: Value) -> Value {
    json!({
        "id": id, "workspace_id": "ws", "type": job_type, "payload": payload, "labels": [],
        "priority": 0, "attempt": 1, "max_attempts": 3, "timeout_seconds": 3600,
        "lease_expires_at": lease(), "resume_snapshot": null, "next_log_seq": 1,
    })
}

/// A runner against `mock`, stopped by the returned sender.
struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    async fn start(mock: &Arc<Mock>, concurrency: usize) -> Self {
        let url = serve(mock.clone()).await;
        let config = RunnerConfig {
            concurrency,
            wait_seconds: 1,
            ..RunnerConfig::new(url, "ryr_test")
        };
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(config, async {
            let _ = stopped.await;
        }));
        Self {
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the runner stops")
            .expect("the runner task")
    }
}

/// Waits until `check` holds, for up to 15 s.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..750 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}

fn finished(mock: &Mock, job: &str) -> Option<Call> {
    mock.calls(job)
        .into_iter()
        .find(|c| matches!(c.action.as_str(), "complete" | "fail" | "release"))
}

/// Processes whose process group is `pgid` and which are not zombies.
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.first() != Some(&"Z") && fields.get(2) == Some(&pgid.to_string().as_str())
        })
        .collect()
}

/// The script's process group id, from a `pgid=$$` line it printed.
fn pgid_of(mock: &Mock, job: &str) -> u32 {
    mock.logs(job)
        .iter()
        .find_map(|(_, _, body)| body.strip_prefix("pgid=")?.parse().ok())
        .expect("the script printed its pgid")
}

#[tokio::test]
async fn a_command_job_completes_with_its_logs_and_artifacts() {
    let mock = Arc::new(Mock::default());
    mock.queue.lock().expect("lock").push_back(job(
        "j1",
        "command",
        json!({
            "script": "echo hello; echo oops >&2; mkdir out; printf 'data\\n' > out/report.txt; \
                       echo \"id=$RUNYARD_JOB_ID attempt=$RUNYARD_ATTEMPT greet=$GREET\"",
            "env": {"GREET": "hi"},
            "artifacts": ["out/report.txt", "missing.bin", "../escape.txt"],
        }),
    ));
    let runner = Running::start(&mock, 1).await;
    eventually("the job finishes", || finished(&mock, "j1").is_some()).await;
    runner.stop().await.expect("clean stop");

    let end = finished(&mock, "j1").expect("finished");
    assert_eq!(end.action, "complete");
    assert_eq!(end.body, json!({"attempt": 1, "result": {"exit_code": 0}}));
    let logs = mock.logs("j1");
    let seqs: Vec<u64> = logs.iter().map(|(seq, _, _)| *seq).collect();
    assert_eq!(seqs, (1..=logs.len() as u64).collect::<Vec<_>>());
    let lines: Vec<(&str, &str)> = logs
        .iter()
        .map(|(_, s, b)| (s.as_str(), b.as_str()))
        .collect();
    assert!(lines.contains(&("stdout", "hello")), "{lines:?}");
    assert!(lines.contains(&("stderr", "oops")), "{lines:?}");
    assert!(
        lines.contains(&("stdout", "id=j1 attempt=1 greet=hi")),
        "{lines:?}"
    );
    let skipped = mock.skipped.lock().expect("lock").clone();
    assert_eq!(
        skipped,
        vec![(
            "j1".to_owned(),
            "missing.bin".to_owned(),
            "missing.bin was not produced".to_owned()
        )]
    );
    let artifacts = mock.artifacts.lock().expect("lock").clone();
    assert_eq!(
        artifacts,
        vec![(
            "j1".to_owned(),
            "report.txt".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
            b"data\n".to_vec()
        )]
    );
}

#[tokio::test]
async fn directives_record_model_calls_and_progress_instead_of_logging() {
    let mock = Arc::new(Mock::default());
    let call = r#"{"id":"0193e0a0-0000-7000-8000-000000000001","provider":"anthropic","model":"claude","input_tokens":120,"output_tokens":30,"cost_usd":"0.004250"}"#;
    mock.queue.lock().expect("lock").push_back(job(
        "j1",
        "command",
        json!({
            "script": format!(
                "echo before; echo '::runyard::ai-call {call}'; \
                 echo '::runyard::progress {{\"step\": 2}}' >&2; \
                 echo '::runyard::launch now'; sleep 1.2; echo after"
            ),
        }),
    ));
    let runner = Running::start(&mock, 1).await;
    eventually("the job finishes", || finished(&mock, "j1").is_some()).await;
    runner.stop().await.expect("clean stop");

    assert_eq!(finished(&mock, "j1").expect("finished").action, "complete");
    let lines: Vec<(String, String)> = mock
        .logs("j1")
        .into_iter()
        .map(|(_, s, b)| (s, b))
        .collect();
    let bodies: Vec<&str> = lines.iter().map(|(_, b)| b.as_str()).collect();
    assert!(
        bodies.contains(&"before") && bodies.contains(&"after"),
        "{lines:?}"
    );
    assert!(
        !bodies
            .iter()
            .any(|b| b.starts_with("::runyard::ai-call") || b.starts_with("::runyard::progress")),
        "directives were shipped as output: {lines:?}"
    );
    // An unknown directive is output, with a system line saying why.
    assert!(bodies.contains(&"::runyard::launch now"), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|(s, b)| s == "system" && b.contains("unknown directive")),
        "{lines:?}"
    );
    let calls = mock.calls.lock().expect("lock").clone();
    let recorded: Vec<&Value> = calls
        .iter()
        .filter(|c| c.action == "ai-calls")
        .flat_map(|c| {
            assert_eq!(c.body["attempt"], 1);
            c.body["calls"].as_array().expect("calls").iter()
        })
        .collect();
    assert_eq!(recorded.len(), 1, "{calls:?}");
    assert_eq!(recorded[0]["id"], "0193e0a0-0000-7000-8000-000000000001");
    assert_eq!(recorded[0]["cost_usd"], "0.004250");
    assert_eq!(recorded[0]["input_tokens"], 120);
    assert_eq!(recorded[0]["status"], "ok");
    assert!(
        calls
            .iter()
            .any(|c| c.action == "heartbeat" && c.body["progress"] == json!({"step": 2})),
        "no heartbeat carried the progress: {calls:?}"
    );
}

#[tokio::test]
async fn failures_unsupported_types_and_bad_payloads_are_reported() {
    let mock = Arc::new(Mock::default());
    {
        let mut queue = mock.queue.lock().expect("lock");
        queue.push_back(job("exit3", "command", json!({"script": "exit 3"})));
        queue.push_back(job("signal", "command", json!({"script": "kill -TERM $$"})));
        queue.push_back(job("llm", "llm", json!({})));
        queue.push_back(job("nopayload", "command", json!({"env": {}})));
        queue.push_back(job(
            "nul",
            "command",
            json!({"script": "true", "env": {"A": "x\u{0}y"}}),
        ));
    }
    let runner = Running::start(&mock, 2).await;
    for id in ["exit3", "signal", "llm", "nopayload", "nul"] {
        eventually(id, || finished(&mock, id).is_some()).await;
    }
    runner.stop().await.expect("clean stop");

    let body = |id: &str| finished(&mock, id).expect("finished").body;
    assert_eq!(
        body("exit3"),
        json!({"attempt": 1, "error": "exit code 3", "retryable": true})
    );
    assert_eq!(
        body("signal"),
        json!({"attempt": 1, "error": "killed by signal 15 (SIGTERM)", "retryable": true})
    );
    assert_eq!(
        body("llm"),
        json!({"attempt": 1, "retryable": false,
               "error": "unsupported job type \"llm\": this runner runs \"command\" jobs"})
    );
    let bad = body("nopayload");
    assert_eq!(bad["retryable"], json!(false));
    assert!(
        bad["error"]
            .as_str()
            .is_some_and(|e| e.contains("missing field `script`")),
        "{bad}"
    );
    let nul = body("nul");
    assert_eq!(nul["retryable"], json!(false));
    assert!(
        nul["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("starting `sh -c`")),
        "{nul}"
    );
}

#[tokio::test]
async fn cancellation_kills_the_whole_process_group() {
    let mock = Arc::new(Mock::default());
    mock.queue.lock().expect("lock").push_back(job(
        "c1",
        "command",
        json!({"script": "echo pgid=$$; sleep 60 & sleep 60"}),
    ));
    let runner = Running::start(&mock, 1).await;
    eventually("the script starts", || mock.stdout_contains("c1", "pgid=")).await;
    let pgid = pgid_of(&mock, "c1");
    eventually("both sleeps run", || group_members(pgid).len() >= 3).await;
    mock.cancel.lock().expect("lock").insert("c1".into());
    eventually("the job is failed", || finished(&mock, "c1").is_some()).await;
    assert_eq!(
        finished(&mock, "c1").expect("finished").body,
        json!({"attempt": 1, "error": "cancelled", "retryable": false})
    );
    assert!(group_members(pgid).is_empty(), "processes left behind");
    runner.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_lost_lease_kills_the_job_and_reports_nothing() {
    let mock = Arc::new(Mock::default());
    mock.queue.lock().expect("lock").push_back(job(
        "l1",
        "command",
        json!({"script": "echo pgid=$$; sleep 60"}),
    ));
    let runner = Running::start(&mock, 1).await;
    eventually("the script starts", || mock.stdout_contains("l1", "pgid=")).await;
    let pgid = pgid_of(&mock, "l1");
    mock.lost.lock().expect("lock").insert("l1".into());
    eventually("the group is killed", || group_members(pgid).is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(finished(&mock, "l1"), None);
    runner.stop().await.expect("clean stop");
    assert_eq!(finished(&mock, "l1"), None);
}

#[tokio::test]
async fn shutdown_flushes_logs_and_releases_running_jobs() {
    let mock = Arc::new(Mock::default());
    {
        let mut queue = mock.queue.lock().expect("lock");
        for id in ["s1", "s2"] {
            queue.push_back(job(
                id,
                "command",
                json!({"script": "echo pgid=$$; sleep 60 & sleep 60"}),
            ));
        }
    }
    let runner = Running::start(&mock, 2).await;
    for id in ["s1", "s2"] {
        eventually("the scripts start", || mock.stdout_contains(id, "pgid=")).await;
    }
    let groups = [pgid_of(&mock, "s1"), pgid_of(&mock, "s2")];
    runner.stop().await.expect("clean stop");
    for (id, pgid) in ["s1", "s2"].into_iter().zip(groups) {
        let end = finished(&mock, id).expect("released");
        assert_eq!(
            (end.action.as_str(), end.body),
            ("release", json!({"attempt": 1}))
        );
        assert!(
            group_members(pgid).is_empty(),
            "{id}: processes left behind"
        );
    }
}

#[tokio::test]
async fn log_batches_are_retried_with_the_same_seq() {
    let mock = Arc::new(Mock::default());
    mock.failing_log_posts.store(2, Ordering::SeqCst);
    mock.queue.lock().expect("lock").push_back(job(
        "r1",
        "command",
        json!({"script": "for i in $(seq 1 450); do echo line $i; done"}),
    ));
    let runner = Running::start(&mock, 1).await;
    eventually("the job finishes", || finished(&mock, "r1").is_some()).await;
    runner.stop().await.expect("clean stop");
    let logs = mock.logs("r1");
    assert_eq!(logs.len(), 450);
    for (i, (seq, stream, body)) in logs.iter().enumerate() {
        assert_eq!(*seq, i as u64 + 1);
        assert_eq!(
            (stream.as_str(), body.as_str()),
            ("stdout", format!("line {}", i + 1).as_str())
        );
    }
    // At most 200 lines a batch, plus the two refused posts.
    assert!(mock.log_posts.load(Ordering::SeqCst) >= 3 + 2);
}

#[tokio::test]
async fn a_revoked_token_stops_the_runner_with_an_error() {
    let mock = Arc::new(Mock::default());
    mock.revoked.store(true, Ordering::SeqCst);
    let runner = Running::start(&mock, 1).await;
    let result = tokio::time::timeout(Duration::from_secs(10), runner.task)
        .await
        .expect("the runner stops by itself")
        .expect("runner task");
    let error = format!("{:#}", result.expect_err("a revoked runner fails"));
    assert!(error.contains("rejected the runner token"), "{error}");
}

#[tokio::test]
async fn claims_ask_for_free_slots_only() {
    let mock = Arc::new(Mock::default());
    mock.queue.lock().expect("lock").push_back(job(
        "f1",
        "command",
        json!({"script": "echo pgid=$$; sleep 60"}),
    ));
    let runner = Running::start(&mock, 3).await;
    eventually("the job runs", || mock.stdout_contains("f1", "pgid=")).await;
    // Let an empty long-poll (1 s) come back and be renewed.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let claims = mock.claims.lock().expect("lock").clone();
    assert_eq!(claims.first(), Some(&3));
    assert!(claims[1..].iter().all(|n| *n == 2), "{claims:?}");
    runner.stop().await.expect("clean stop");
}

#[tokio::test]
async fn network_errors_back_off_and_shutdown_still_works() {
    // A port with nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(run(
        RunnerConfig::new(format!("http://127.0.0.1:{port}"), "ryr_test"),
        async {
            let _ = stopped.await;
        },
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!task.is_finished(), "network errors are not fatal");
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("stops promptly while backing off")
        .expect("runner task")
        .expect("clean stop");
}
