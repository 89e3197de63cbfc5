//! The reference runner as a real process (`runyard runner`) against a real server:
//! it runs command jobs with their logs and artifacts, kills cancelled jobs' processes,
//! and a runner killed with SIGKILL loses its job to the next claim.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use runyard_api::QueueConfig;
use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

/// A `runyard runner` child process, killed when dropped.
struct RunnerProcess(Child);

impl RunnerProcess {
    fn start(server: &TestServer, token: &str) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_runyard"))
            .args([
                "runner",
                "--url",
                &server.base_url,
                "--token",
                token,
                "--concurrency",
                "2",
            ])
            .env("RUNYARD_LOG", "warn")
            .stdin(Stdio::null())
            .spawn()
            .expect("start runyard runner");
        Self(child)
    }

    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for RunnerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn setup(queue: QueueConfig) -> (TestServer, Client, String) {
    let server = TestServer::start_with(queue).await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "process", &[]).await;
    (server, alice, token)
}

async fn wait_for_status(alice: &Client, id: &str, want: &[&str], secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let job = alice.get(&format!("{JOBS}/{id}")).await.expect(200).clone();
        if want.iter().any(|w| job["status"] == *w) {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "job {id} stuck in {} (wanted {want:?})",
            job["status"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn log_text(alice: &Client, id: &str) -> Vec<(String, String)> {
    let logs = alice.get(&format!("{JOBS}/{id}/logs")).await;
    logs.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["stream"].as_str().unwrap().to_owned(),
                l["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    // A zombie has exited; only a process still running counts.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(") ")
            .next()
            .is_some_and(|rest| !rest.starts_with('Z')),
        Err(_) => false,
    }
}

#[tokio::test]
async fn command_jobs_run_with_logs_artifacts_and_exit_codes() {
    let (server, alice, token) = setup(QueueConfig::default()).await;
    let _runner = RunnerProcess::start(&server, &token);
    let ok = alice
        .create_job(
            "acme",
            json!({"type": "command", "payload": {
                "script": "echo hello; echo oops >&2; echo \"$GREETING\" > out.txt",
                "env": {"GREETING": "hi there"},
                "artifacts": ["out.txt", "missing.txt"]
            }}),
        )
        .await;
    let bad = alice
        .create_job(
            "acme",
            json!({"type": "command", "max_attempts": 1, "payload": {"script": "exit 3"}}),
        )
        .await;
    let odd = alice
        .create_job("acme", json!({"type": "python", "payload": {}}))
        .await;

    let id = ok["id"].as_str().unwrap();
    let done = wait_for_status(&alice, id, &["COMPLETED", "FAILED"], 30).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["result"]["exit_code"], 0);
    let lines = log_text(&alice, id).await;
    assert!(
        lines.contains(&("stdout".into(), "hello".into())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("stderr".into(), "oops".into())),
        "{lines:?}"
    );
    let artifact = alice.get(&format!("{JOBS}/{id}/artifacts/out.txt")).await;
    assert_eq!(artifact.status, 200);
    assert_eq!(artifact.text, "hi there\n");
    // A declared file the script did not write is recorded as skipped, with the reason.
    let listed = alice.get(&format!("{JOBS}/{id}/artifacts")).await;
    let missing = listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "missing.txt")
        .cloned()
        .expect("the missing artifact is listed");
    assert_eq!(missing["status"], "skipped", "{missing}");
    assert!(
        missing["skip_reason"]
            .as_str()
            .unwrap()
            .contains("not produced"),
        "{missing}"
    );

    let failed = wait_for_status(&alice, bad["id"].as_str().unwrap(), &["FAILED"], 30).await;
    assert!(failed["error"].to_string().contains('3'), "{failed}");
    let refused = wait_for_status(&alice, odd["id"].as_str().unwrap(), &["FAILED"], 30).await;
    assert!(
        refused["error"]
            .to_string()
            .contains("unsupported job type"),
        "{refused}"
    );
}

#[tokio::test]
async fn secrets_reach_the_script_as_env_and_never_the_log() {
    let (server, alice, token) = setup(QueueConfig::default()).await;
    let _runner = RunnerProcess::start(&server, &token);
    let script = "echo \"key=$API_KEY\"; echo \"deploy=$DEPLOY_TOKEN\" >&2; \
                  test \"$DEPLOY_TOKEN\" = tok-9f8e7d && echo env-ok; \
                  printf 'split ab'; printf 'c-pass\\n'; \
                  echo 'before hunter22'; echo '::runyard::add-mask hunter22'; echo 'after hunter22'";
    let job = alice
        .create_job(
            "acme",
            json!({"type": "command",
                   "payload": {"script": script, "env": {"API_KEY": "sk-4c3b2a", "PLAIN": "x"},
                               "db": {"password": "abc-pass"}},
                   "secrets": {"DEPLOY_TOKEN": "tok-9f8e7d"}}),
        )
        .await;
    let id = job["id"].as_str().unwrap();
    let done = wait_for_status(&alice, id, &["COMPLETED", "FAILED"], 30).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let lines = log_text(&alice, id).await;
    let of = |stream: &str| -> Vec<&str> {
        lines
            .iter()
            .filter(|(s, _)| s == stream)
            .map(|(_, b)| b.as_str())
            .collect()
    };
    assert_eq!(of("stderr"), ["deploy=***"], "{lines:?}");
    assert_eq!(
        of("stdout"),
        [
            "key=***",
            "env-ok",
            // A value written in two chunks of one line is still found.
            "split ***",
            "before hunter22",
            "::runyard::add-mask ***",
            "after ***",
        ],
        "{lines:?}"
    );
}

#[tokio::test]
async fn cancelling_a_running_job_kills_its_processes() {
    let (server, alice, token) = setup(QueueConfig::default()).await;
    let _runner = RunnerProcess::start(&server, &token);
    let job = alice
        .create_job(
            "acme",
            json!({"type": "command", "payload": {"script": "sleep 60 & echo child=$!; echo shell=$$; wait"}}),
        )
        .await;
    let id = job["id"].as_str().unwrap();
    // Wait until the script has reported its process ids.
    let deadline = Instant::now() + Duration::from_secs(20);
    let pids: Vec<u32> = loop {
        let lines = log_text(&alice, id).await;
        let pids: Vec<u32> = lines
            .iter()
            .filter_map(|(_, body)| body.split_once('=').and_then(|(_, pid)| pid.parse().ok()))
            .collect();
        if pids.len() == 2 {
            break pids;
        }
        assert!(
            Instant::now() < deadline,
            "the script never started: {lines:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(pids.iter().all(|p| alive(*p)), "the job's processes run");

    let started = Instant::now();
    alice
        .post_empty(&format!("{JOBS}/{id}/cancel"))
        .await
        .expect(200);
    let done = wait_for_status(&alice, id, &["CANCELLED"], 30).await;
    assert_eq!(done["status"], "CANCELLED");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "cancel took {:?}",
        started.elapsed()
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| alive(*p)) {
        assert!(
            Instant::now() < deadline,
            "processes {pids:?} survived the cancel"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_runner_killed_mid_job_loses_it_and_its_late_complete_is_refused() {
    let (server, alice, token) = setup(QueueConfig {
        lease: Duration::from_secs(1),
        sweep_interval: Duration::from_millis(50),
        ..QueueConfig::default()
    })
    .await;
    let runner = RunnerProcess::start(&server, &token);
    let job = alice
        .create_job(
            "acme",
            json!({"type": "command", "backoff_seconds": 0, "payload": {"script": "echo pgid=$$; sleep 30"}}),
        )
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    let running = wait_for_status(&alice, &id, &["RUNNING"], 20).await;
    assert_eq!(running["attempt"], 1);
    // Let it log, then kill the runner outright: no chance to hand the job back.
    let deadline = Instant::now() + Duration::from_secs(20);
    let pgid = loop {
        let lines = log_text(&alice, &id).await;
        if let Some(pid) = lines
            .iter()
            .find_map(|(_, b)| b.strip_prefix("pgid=").and_then(|p| p.parse::<u32>().ok()))
        {
            break pid;
        }
        assert!(Instant::now() < deadline, "the script never started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let status = Command::new("kill")
        .args(["-KILL", &runner.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // Another runner claims it once the lease has expired: attempt 2.
    let (_, token2) = alice.register_runner("acme", "second", &[]).await;
    let second = alice.with_token(&token2);
    let mut claimed = Vec::new();
    for _ in 0..10 {
        let reply = second
            .post(
                "/v1/runner/claim",
                json!({"max_jobs": 1, "wait_seconds": 2}),
            )
            .await;
        claimed = reply.expect(200)["jobs"].as_array().unwrap().clone();
        if !claimed.is_empty() {
            break;
        }
    }
    assert_eq!(
        claimed.len(),
        1,
        "the job was not re-claimed after the lease expired"
    );
    assert_eq!(claimed[0]["id"], id.as_str());
    let history = alice.get(&format!("{JOBS}/{id}/events")).await;
    assert_eq!(claimed[0]["attempt"], 2, "{}", history.text);

    // The dead runner's attempt can no longer finish the job.
    let first = alice.with_token(&token);
    first
        .post(
            &format!("/v1/runner/jobs/{id}/complete"),
            json!({"attempt": 1}),
        )
        .await
        .expect_problem(409, "lease_lost");
    second
        .post(
            &format!("/v1/runner/jobs/{id}/complete"),
            json!({"attempt": 2}),
        )
        .await
        .expect(200);
    // The orphaned script of the killed runner is still ours to clean up.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .status();
}

#[tokio::test]
async fn a_paused_task_stops_the_script_and_the_resumed_job_reads_its_snapshot() {
    let (server, alice, token) = setup(QueueConfig {
        // Short leases make heartbeats (which carry the pause request) come every second.
        lease: Duration::from_secs(3),
        sweep_interval: Duration::from_millis(100),
        ..QueueConfig::default()
    })
    .await;
    let _runner = RunnerProcess::start(&server, &token);
    let ws = "/v1/workspaces/acme";
    let task = alice
        .post(&format!("{ws}/agent-tasks"), json!({"title": "long chat"}))
        .await;
    let task = task.expect(201)["id"].as_str().unwrap().to_owned();
    let script = "if [ -n \"$RUNYARD_RESUME_SNAPSHOT\" ]; then \
                    echo \"resumed with $(grep -c '\"body\"' \"$RUNYARD_RESUME_SNAPSHOT\") lines\"; \
                  fi; \
                  echo \"run $RUNYARD_ATTEMPT\"; sleep 120; echo never";
    let job = alice
        .create_job(
            "acme",
            json!({"type": "command", "agent_task_id": task, "payload": {"script": script}}),
        )
        .await;
    let id = job["id"].as_str().unwrap().to_owned();
    let printed = |want: &'static str| {
        let (alice, id) = (alice.clone(), id.clone());
        async move {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if log_text(&alice, &id).await.iter().any(|(_, b)| b == want) {
                    return;
                }
                assert!(Instant::now() < deadline, "the job never printed {want:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let paused = |alice: Client, task: String| async move {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let t = alice
                .get(&format!("/v1/workspaces/acme/agent-tasks/{task}"))
                .await
                .expect(200)
                .clone();
            if t["task"]["status"] == "paused" {
                return t;
            }
            assert!(Instant::now() < deadline, "the task never paused: {t}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };

    printed("run 1").await;
    alice
        .post(
            &format!("{ws}/agent-tasks/{task}/pause"),
            json!({"reason": "break"}),
        )
        .await
        .expect(200);
    let detail = paused(alice.clone(), task.clone()).await;
    assert_eq!(detail["jobs"][0]["status"], "PAUSED");
    let snap = alice
        .get(&format!("{ws}/agent-tasks/{task}/snapshot"))
        .await;
    let first = snap.expect(200)["log_snapshot"].clone();
    assert_eq!(first["format"], "runyard.command.transcript.v1");
    let bodies = |s: &Value| -> Vec<String> {
        s["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["body"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(bodies(&first), ["run 1"]);

    // Resumed, the job runs again and finds the snapshot; a second pause hands back
    // everything printed by both runs, replacing the first snapshot.
    alice
        .post_empty(&format!("{ws}/agent-tasks/{task}/resume"))
        .await
        .expect(200);
    printed("resumed with 1 lines").await;
    alice
        .post(&format!("{ws}/agent-tasks/{task}/pause"), json!({}))
        .await
        .expect(200);
    paused(alice.clone(), task.clone()).await;
    let snap = alice
        .get(&format!("{ws}/agent-tasks/{task}/snapshot"))
        .await;
    let second = snap.expect(200)["log_snapshot"].clone();
    assert_eq!(bodies(&second), ["run 1", "resumed with 1 lines", "run 1"]);
    alice
        .post_empty(&format!("{ws}/agent-tasks/{task}/cancel"))
        .await
        .expect(200);
}
