//! Runner jobs over HTTP: enqueue, idempotency, batches, listing, cancel, retry, events.

use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

async fn setup() -> (TestServer, Client) {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    (server, alice)
}

fn event_types(job: &Value) -> Vec<String> {
    job["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_created_job_is_queued_with_its_first_event() {
    let (_server, alice) = setup().await;
    let job = alice
        .create_job("acme", json!({"type": "command", "payload": {"script": "echo hi"}, "labels": ["linux", "gpu", "linux"], "priority": 7}))
        .await;
    assert_eq!(job["status"], "QUEUED");
    assert_eq!(job["attempt"], 0);
    assert_eq!(job["max_attempts"], 3);
    assert_eq!(job["labels"], json!(["gpu", "linux"]));
    assert_eq!(job["priority"], 7);
    assert_eq!(job["created_by"], "user:alice");
    let id = job["id"].as_str().unwrap();

    let detail = alice.get(&format!("{JOBS}/{id}")).await;
    let detail = detail.expect(200);
    assert_eq!(detail["payload"], json!({"script": "echo hi"}));
    assert_eq!(detail["steps"], json!([]));
    assert_eq!(event_types(detail), ["job_created"]);
    assert_eq!(detail["events"][0]["seq"], 1);
    assert_eq!(detail["events"][0]["actor"], "user:alice");
    assert_eq!(detail["events"][0]["payload"]["status"], "QUEUED");
}

#[tokio::test]
async fn future_run_after_and_approval_hold_a_job_pending() {
    let (_server, alice) = setup().await;
    let later = alice
        .create_job(
            "acme",
            json!({"type": "t", "run_after": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(later["status"], "PENDING");
    assert!(
        later["run_after"]
            .as_str()
            .unwrap()
            .starts_with("2999-01-01T00:00:00"),
        "{later}"
    );
    let gated = alice
        .create_job("acme", json!({"type": "t", "requires_approval": true}))
        .await;
    assert_eq!(gated["status"], "PENDING");
    assert_eq!(gated["requires_approval"], true);
}

#[tokio::test]
async fn idempotency_key_replays_the_same_job_and_refuses_another_payload() {
    let (_server, alice) = setup().await;
    let send = |body: Value| {
        let alice = alice.clone();
        async move {
            Client::send(
                alice
                    .request(reqwest::Method::POST, JOBS)
                    .header("Idempotency-Key", "deploy-42")
                    .json(&body),
            )
            .await
        }
    };
    let first = send(json!({"type": "command", "payload": {"a": 1, "b": 2}})).await;
    let id = first.expect(201)["id"].clone();
    // Same request (keys in another order): the same job, with 200.
    let again = send(json!({"payload": {"b": 2, "a": 1}, "type": "command"})).await;
    assert_eq!(again.expect(200)["id"], id);
    // Another payload under the same key: 409, and nothing new is created.
    send(json!({"type": "command", "payload": {"a": 2}}))
        .await
        .expect_problem(409, "idempotency_key_reused");
    let list = alice.get(JOBS).await;
    assert_eq!(list.expect(200)["items"].as_array().unwrap().len(), 1);
    // The key is per workspace: another workspace may use it freely.
    alice.create_workspace("other").await;
    let elsewhere = Client::send(
        alice
            .request(reqwest::Method::POST, "/v1/workspaces/other/runner-jobs")
            .header("Idempotency-Key", "deploy-42")
            .json(&json!({"type": "command", "payload": {"a": 2}})),
    )
    .await;
    elsewhere.expect(201);
}

#[tokio::test]
async fn twenty_concurrent_creates_with_one_key_make_exactly_one_job() {
    let (_server, alice) = setup().await;
    let requests = (0..20).map(|_| {
        let alice = alice.clone();
        tokio::spawn(async move {
            Client::send(
                alice
                    .request(reqwest::Method::POST, JOBS)
                    .header("Idempotency-Key", "same-key")
                    .json(&json!({"type": "command", "payload": {"n": 1}})),
            )
            .await
        })
    });
    let replies = futures::future::join_all(requests).await;
    let mut ids = std::collections::BTreeSet::new();
    let mut created = 0;
    for reply in replies {
        let reply = reply.unwrap();
        assert!(
            reply.status == 201 || reply.status == 200,
            "status {}: {}",
            reply.status,
            reply.text
        );
        created += usize::from(reply.status == 201);
        ids.insert(reply.body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(created, 1, "exactly one request creates the job");
    assert_eq!(ids.len(), 1, "every request sees the same job");
    let list = alice.get(JOBS).await;
    assert_eq!(list.expect(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn batch_create_is_all_or_nothing() {
    let (_server, alice) = setup().await;
    let jobs: Vec<Value> = (0..250)
        .map(|i| json!({"type": "batch", "payload": {"i": i}}))
        .collect();
    let reply = alice
        .post(&format!("{JOBS}/batch"), json!({"jobs": jobs}))
        .await;
    let items = reply.expect(201)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 250);
    for (i, job) in items.iter().enumerate() {
        assert_eq!(
            job["payload"]["i"], i,
            "batch results come back in request order"
        );
        assert_eq!(job["status"], "QUEUED");
    }
    let first = items[0]["id"].as_str().unwrap();
    assert_eq!(
        event_types(alice.get(&format!("{JOBS}/{first}")).await.expect(200)),
        ["job_created"]
    );

    // One bad job refuses the whole batch, naming it.
    let mut bad: Vec<Value> = (0..10).map(|_| json!({"type": "ok"})).collect();
    bad[7] = json!({"type": "ok", "priority": 1000});
    let reply = alice
        .post(&format!("{JOBS}/batch"), json!({"jobs": bad}))
        .await;
    assert_eq!(
        reply.expect_problem(422, "validation_failed")["field"],
        "jobs[7].priority"
    );
    // A reference to a task that does not exist fails the whole batch in the database.
    let mut dangling: Vec<Value> = (0..5).map(|_| json!({"type": "ok"})).collect();
    dangling[3] = json!({"type": "ok", "agent_task_id": "01a20000-0000-7000-8000-000000000000"});
    let reply = alice
        .post(&format!("{JOBS}/batch"), json!({"jobs": dangling}))
        .await;
    reply.expect_problem(422, "unknown_reference");
    let list = alice.get(&format!("{JOBS}?type=ok")).await;
    assert_eq!(
        list.expect(200)["items"],
        json!([]),
        "a refused batch leaves nothing behind"
    );

    // Sizes: empty and over 1000 are refused.
    alice
        .post(&format!("{JOBS}/batch"), json!({"jobs": []}))
        .await
        .expect_problem(422, "validation_failed");
    let too_many: Vec<Value> = (0..1001).map(|_| json!({"type": "x"})).collect();
    alice
        .post(&format!("{JOBS}/batch"), json!({"jobs": too_many}))
        .await
        .expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn list_filters_and_keyset_pages() {
    let (_server, alice) = setup().await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let labels = if i % 2 == 0 {
            json!(["linux"])
        } else {
            json!(["linux", "gpu"])
        };
        let kind = if i < 5 { "build" } else { "deploy" };
        ids.push(
            alice
                .create_job("acme", json!({"type": kind, "labels": labels}))
                .await["id"]
                .clone(),
        );
    }
    let cancelled = ids[6].as_str().unwrap().to_owned();
    alice
        .post_empty(&format!("{JOBS}/{cancelled}/cancel"))
        .await
        .expect(200);

    // Newest first, three at a time, until next_cursor is null.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{JOBS}?limit=3&cursor={c}"),
            None => format!("{JOBS}?limit=3"),
        };
        let page = alice.get(&path).await;
        let page = page.expect(200);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|j| j["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    let count = |path: String| {
        let alice = alice.clone();
        async move {
            alice.get(&path).await.expect(200)["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(format!("{JOBS}?type=deploy")).await, 2);
    assert_eq!(count(format!("{JOBS}?label=gpu")).await, 3);
    assert_eq!(count(format!("{JOBS}?label=gpu,linux")).await, 3);
    assert_eq!(count(format!("{JOBS}?status=CANCELLED")).await, 1);
    assert_eq!(count(format!("{JOBS}?status=QUEUED,CANCELLED")).await, 7);
    assert_eq!(
        count(format!("{JOBS}?status=queued&type=build&label=gpu")).await,
        2
    );
    assert_eq!(
        count(format!(
            "{JOBS}?agent_task_id=01a20000-0000-7000-8000-000000000000"
        ))
        .await,
        0
    );

    alice
        .get(&format!("{JOBS}?status=NOPE"))
        .await
        .expect_problem(422, "validation_failed");
    alice
        .get(&format!("{JOBS}?cursor=garbage"))
        .await
        .expect_problem(422, "validation_failed");
    alice
        .get(&format!("{JOBS}?limit=0"))
        .await
        .expect_problem(400, "bad_request");
    alice
        .get(&format!("{JOBS}?limit=201"))
        .await
        .expect_problem(400, "bad_request");
    alice
        .get(&format!("{JOBS}?label=bad%20label"))
        .await
        .expect_problem(422, "validation_failed");
}

#[tokio::test]
async fn cancel_and_retry_follow_the_state_machine_and_record_events() {
    let (_server, alice) = setup().await;
    let job = alice.create_job("acme", json!({"type": "command"})).await;
    let id = job["id"].as_str().unwrap();

    let cancelled = alice.post_empty(&format!("{JOBS}/{id}/cancel")).await;
    let cancelled = cancelled.expect(200);
    assert_eq!(cancelled["status"], "CANCELLED");
    assert!(cancelled["finished_at"].is_string());
    // A finished job cannot be cancelled again, and a queued one cannot be retried.
    alice
        .post_empty(&format!("{JOBS}/{id}/cancel"))
        .await
        .expect_problem(409, "illegal_transition");

    let retried = alice.post_empty(&format!("{JOBS}/{id}/retry")).await;
    let retried = retried.expect(200);
    assert_eq!(retried["status"], "QUEUED");
    assert!(retried["finished_at"].is_null());
    alice
        .post_empty(&format!("{JOBS}/{id}/retry"))
        .await
        .expect_problem(409, "illegal_transition");

    let detail = alice.get(&format!("{JOBS}/{id}")).await;
    let detail = detail.expect(200);
    assert_eq!(
        event_types(detail),
        ["job_created", "job_cancelled", "job_retried"]
    );
    let seqs: Vec<_> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3], "event seq is gap-free per job");
    assert_eq!(
        detail["events"][1]["payload"],
        json!({"from": "QUEUED", "status": "CANCELLED"})
    );
    assert_eq!(detail["events"][2]["actor"], "user:alice");

    alice
        .post_empty(&format!(
            "{JOBS}/01a20000-0000-7000-8000-000000000000/cancel"
        ))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test]
async fn events_page_after_seq() {
    let (_server, alice) = setup().await;
    let id = alice.create_job("acme", json!({"type": "command"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        alice
            .post_empty(&format!("{JOBS}/{id}/cancel"))
            .await
            .expect(200);
        alice
            .post_empty(&format!("{JOBS}/{id}/retry"))
            .await
            .expect(200);
    }
    let page = alice.get(&format!("{JOBS}/{id}/events?limit=2")).await;
    let page = page.expect(200);
    let seqs: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(page["next_cursor"], "2");
    let rest = alice.get(&format!("{JOBS}/{id}/events?after_seq=2")).await;
    let seqs: Vec<_> = rest.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [3, 4, 5]);
    assert!(rest.body["next_cursor"].is_null());
    alice
        .get(&format!("{JOBS}/{id}/events?after_seq=-1"))
        .await
        .expect_problem(400, "bad_request");
}

#[tokio::test]
async fn roles_gate_job_actions() {
    let (server, alice) = setup().await;
    alice.add_member("acme", "vic", "viewer").await;
    alice.add_member("acme", "meg", "member").await;
    let id = alice.create_job("acme", json!({"type": "command"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let vic = server.client("vic");
    vic.get(JOBS).await.expect(200);
    vic.get(&format!("{JOBS}/{id}")).await.expect(200);
    vic.get(&format!("{JOBS}/{id}/events")).await.expect(200);
    vic.post(JOBS, json!({"type": "command"}))
        .await
        .expect_problem(403, "forbidden");
    vic.post(&format!("{JOBS}/batch"), json!({"jobs": [{"type": "x"}]}))
        .await
        .expect_problem(403, "forbidden");
    vic.post_empty(&format!("{JOBS}/{id}/cancel"))
        .await
        .expect_problem(403, "forbidden");
    vic.post_empty(&format!("{JOBS}/{id}/retry"))
        .await
        .expect_problem(403, "forbidden");
    // Refused creates wrote nothing.
    let listed = alice.get(JOBS).await;
    assert_eq!(listed.expect(200)["items"].as_array().unwrap().len(), 1);

    let meg = server.client("meg");
    meg.create_job("acme", json!({"type": "command"})).await;
    meg.post_empty(&format!("{JOBS}/{id}/cancel"))
        .await
        .expect(200);
}

#[tokio::test]
async fn jobs_of_another_workspace_are_404() {
    let (server, alice) = setup().await;
    let id = alice.create_job("acme", json!({"type": "command"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mallory = server.client("mallory");
    mallory.create_workspace("evil").await;

    // Through alice's workspace: mallory is not a member.
    for reply in [
        mallory.get(JOBS).await,
        mallory.get(&format!("{JOBS}/{id}")).await,
        mallory.get(&format!("{JOBS}/{id}/events")).await,
        mallory.post(JOBS, json!({"type": "x"})).await,
        mallory
            .post(&format!("{JOBS}/batch"), json!({"jobs": [{"type": "x"}]}))
            .await,
        mallory.post_empty(&format!("{JOBS}/{id}/cancel")).await,
        mallory.post_empty(&format!("{JOBS}/{id}/retry")).await,
    ] {
        reply.expect_problem(404, "not_found");
    }
    // Through her own workspace, alice's job id names nothing.
    let evil = "/v1/workspaces/evil/runner-jobs";
    for reply in [
        mallory.get(&format!("{evil}/{id}")).await,
        mallory.get(&format!("{evil}/{id}/events")).await,
        mallory.post_empty(&format!("{evil}/{id}/cancel")).await,
        mallory.post_empty(&format!("{evil}/{id}/retry")).await,
    ] {
        reply.expect_problem(404, "not_found");
    }
    assert_eq!(mallory.get(evil).await.expect(200)["items"], json!([]));
    // And alice's job is untouched.
    assert_eq!(
        alice.get(&format!("{JOBS}/{id}")).await.expect(200)["status"],
        "QUEUED"
    );
}
