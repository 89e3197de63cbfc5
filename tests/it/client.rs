//! The Rust API client (`runyard-client`) against a real server: each typed call reads
//! what the server serves into the wire types, and refusals come back as typed problems.

use runyard_client::{
    AddMember, AgentTask, ArtifactList, BatchComplete, Client, CompleteItem, CompleteRequest,
    CreateJob, CreateJobBatch, CreateTask, CreateWorkspace, Error, FailRequest, Health,
    HeartbeatRequest, JobEventList, JobStatus, LogBatch, LogEntryIn, LogList, LogStream,
    MemberList, Readiness, RegisterRunner, ReleaseRequest, Role, RunnerList, TaskDetail,
    TaskStatus, WorkspaceEventList,
};
use runyard_testkit::TestServer;
use serde_json::json;

fn client(server: &TestServer, sub: &str) -> Client {
    Client::new(&server.base_url, &server.token(sub)).expect("a client")
}

async fn workspace(alice: &Client, slug: &str) {
    let body = CreateWorkspace {
        name: format!("The {slug}"),
        slug: slug.to_owned(),
    };
    let ws = alice.create_workspace(&body).await.expect("created");
    assert_eq!((ws.slug.as_str(), ws.role), (slug, Some(Role::Owner)));
}

#[tokio::test]
async fn the_user_api_reads_into_the_wire_types() {
    let server = TestServer::start().await;
    let anonymous = Client::builder(&server.base_url).build().expect("a client");
    let health: Health = anonymous.get(&["healthz"], &[]).await.expect("health");
    assert_eq!(health.status, "ok");
    let ready: Readiness = anonymous.get(&["readyz"], &[]).await.expect("ready");
    assert_eq!(
        ready.schema_version.as_ref(),
        Some(&ready.expected_schema_version)
    );
    let alice = client(&server, "alice");
    workspace(&alice, "typed").await;
    let listed = alice.workspaces().await.expect("listed");
    assert_eq!(listed.items.len(), 1);
    let ws = alice.workspace("typed").await.expect("shown");
    assert_eq!(ws.name, "The typed");

    let member = alice
        .add_member(
            "typed",
            &AddMember {
                subject: "bob".into(),
                role: Role::Viewer,
            },
        )
        .await
        .expect("added");
    assert_eq!(member.role, Role::Viewer);
    let members: MemberList = alice
        .get(&["v1", "workspaces", "typed", "members"], &[])
        .await
        .expect("members");
    assert_eq!(members.items.len(), 2);

    let job = alice
        .create_job(
            "typed",
            &CreateJob::new("command", json!({"script": "true"})),
        )
        .await
        .expect("created");
    assert_eq!(job.status, JobStatus::Queued);
    let batch = alice
        .create_jobs(
            "typed",
            &CreateJobBatch {
                jobs: vec![CreateJob::new("noop", json!({"n": 1})); 3],
            },
        )
        .await
        .expect("batch");
    assert_eq!(batch.items.len(), 3);
    let detail = alice.job("typed", &job.id).await.expect("detail");
    assert_eq!(detail.job.id, job.id);
    assert!(!detail.events.is_empty());
    let events: JobEventList = alice
        .get(
            &[
                "v1",
                "workspaces",
                "typed",
                "runner-jobs",
                &job.id,
                "events",
            ],
            &[],
        )
        .await
        .expect("events");
    assert_eq!(events.items[0].seq, 1);

    let task: AgentTask = alice
        .post(
            &["v1", "workspaces", "typed", "agent-tasks"],
            Some(&CreateTask {
                title: "Refactor".into(),
                metadata: Some(json!({"issue": 1})),
            }),
        )
        .await
        .expect("task");
    assert_eq!(task.status, TaskStatus::Active);
    let shown: TaskDetail = alice
        .get(&["v1", "workspaces", "typed", "agent-tasks", &task.id], &[])
        .await
        .expect("task detail");
    assert!(shown.jobs.is_empty() && shown.snapshot.is_none());

    // Events join the feed once every transaction older than theirs has ended (a sweep
    // may be running), so the first page may still be empty for a moment.
    runyard_testkit::eventually(10, || async {
        let feed: WorkspaceEventList = alice
            .get(&["v1", "workspaces", "typed", "events"], &[])
            .await
            .expect("feed");
        !feed.items.is_empty()
    })
    .await;
}

#[tokio::test]
async fn the_runner_protocol_reads_into_the_wire_types() {
    let server = TestServer::start().await;
    let alice = client(&server, "alice");
    workspace(&alice, "proto").await;
    let registered = alice
        .register_runner(
            "proto",
            &RegisterRunner {
                name: "r1".into(),
                labels: vec!["linux".into()],
            },
        )
        .await
        .expect("registered");
    assert_eq!(registered.runner.labels, ["linux"]);
    let runners: RunnerList = alice
        .get(&["v1", "workspaces", "proto", "runners"], &[])
        .await
        .expect("runners");
    assert_eq!(runners.items[0].id, registered.runner.id);
    for n in 0..4 {
        alice
            .create_job("proto", &CreateJob::new("noop", json!({ "n": n })))
            .await
            .expect("created");
    }

    let runner = alice.with_token(&registered.token).expect("runner client");
    let claimed = runner.claim(10, 0).await.expect("claimed");
    assert_eq!(claimed.len(), 4);
    let (first, attempt) = (&claimed[0], claimed[0].attempt);
    assert_eq!((attempt, first.next_log_seq), (1, 1));

    let beat = runner
        .heartbeat(
            &first.id,
            &HeartbeatRequest {
                attempt,
                progress: Some(json!({"pct": 50})),
            },
        )
        .await
        .expect("heartbeat");
    assert!(!beat.cancel_requested && !beat.pause_requested);
    let accepted = runner
        .append_logs(
            &first.id,
            &LogBatch {
                attempt,
                entries: vec![LogEntryIn {
                    seq: 1,
                    stream: LogStream::Stdout,
                    body: "hello".into(),
                    level: Some("warn".into()),
                    step_ordinal: Some(0),
                    metadata: Some(json!({"k": "v"})),
                }],
            },
        )
        .await
        .expect("logs");
    assert_eq!((accepted.accepted, accepted.duplicates), (1, 0));
    runner
        .upload_artifact(&first.id, attempt, "out file.txt", "text/plain", 2, "ok")
        .await
        .expect("uploaded");
    runner
        .complete(
            &first.id,
            &CompleteRequest {
                attempt,
                result: Some(json!({"ok": true})),
            },
        )
        .await
        .expect("completed");
    runner
        .fail(
            &claimed[1].id,
            &FailRequest {
                attempt,
                error: json!("boom"),
                retryable: Some(false),
            },
        )
        .await
        .expect("failed");
    runner
        .release(&claimed[2].id, &ReleaseRequest { attempt })
        .await
        .expect("released");
    let answer = runner
        .complete_batch(&BatchComplete {
            jobs: [&claimed[3], &claimed[1]]
                .iter()
                .map(|j| CompleteItem {
                    id: j.id.clone(),
                    attempt,
                    result: None,
                })
                .collect(),
        })
        .await
        .expect("batch complete");
    assert!(answer.results[0].ok);
    assert!(!answer.results[1].ok && answer.results[1].code.is_some());

    let done = alice.job("proto", &first.id).await.expect("detail");
    assert_eq!(done.job.status, JobStatus::Completed);
    assert_eq!(done.job.result, Some(json!({"ok": true})));
    let failed = alice.job("proto", &claimed[1].id).await.expect("detail");
    assert_eq!(failed.job.status, JobStatus::Failed);
    let released = alice.job("proto", &claimed[2].id).await.expect("detail");
    assert_eq!(released.job.status, JobStatus::Queued);
    let path = [
        "v1",
        "workspaces",
        "proto",
        "runner-jobs",
        first.id.as_str(),
    ];
    let artifacts: ArtifactList = alice
        .get(&[&path[..], &["artifacts"]].concat(), &[])
        .await
        .expect("artifacts");
    assert_eq!(
        (artifacts.items[0].name.as_str(), artifacts.items[0].size),
        ("out file.txt", 2)
    );
    let logs: LogList = alice
        .get(&[&path[..], &["logs"]].concat(), &[])
        .await
        .expect("logs");
    assert_eq!(logs.items[0].body, "hello");
    assert_eq!(logs.items[0].level.as_deref(), Some("warn"));
    assert_eq!(logs.items[0].step_ordinal, Some(0));
    assert_eq!(logs.items[0].metadata, Some(json!({"k": "v"})));
}

#[tokio::test]
async fn refusals_come_back_as_typed_problems() {
    let server = TestServer::start().await;
    let alice = client(&server, "alice");
    workspace(&alice, "refuse").await;

    let missing = alice
        .workspace("nowhere")
        .await
        .expect_err("no such workspace");
    let problem = missing.problem().expect("a problem");
    assert_eq!(problem.status, 404);
    assert!(
        problem.code.is_some() && !problem.detail.is_empty(),
        "{problem:?}"
    );
    assert!(!missing.is_transient());

    let bad = alice
        .create_job("refuse", &CreateJob::new("", json!({})))
        .await
        .expect_err("an empty type is refused");
    assert_eq!(bad.status().map(|s| s.as_u16()), Some(422), "{bad}");

    let registered = alice
        .register_runner(
            "refuse",
            &RegisterRunner {
                name: "r".into(),
                labels: vec![],
            },
        )
        .await
        .expect("registered");
    let job = alice
        .create_job("refuse", &CreateJob::new("noop", json!({})))
        .await
        .expect("created");
    let runner = alice.with_token(&registered.token).expect("runner client");
    assert_eq!(runner.claim(1, 0).await.expect("claimed").len(), 1);
    let stale = runner
        .complete(
            &job.id,
            &CompleteRequest {
                attempt: 2,
                result: None,
            },
        )
        .await
        .expect_err("not this attempt");
    match &stale {
        Error::Problem(p) => assert!(p.status == 409 && p.has_code("lease_lost"), "{p:?}"),
        other => panic!("expected a problem, got {other}"),
    }

    let stranger = alice.with_token("ryr_not_a_token").expect("a client");
    let refused = stranger.claim(1, 0).await.expect_err("unknown token");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
}
