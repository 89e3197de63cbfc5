//! Every list pages the same way: `limit`, and `cursor` = the previous page's
//! `next_cursor`, which is null on the last page.

use std::collections::HashSet;

use runyard_testkit::{Client, TestServer};
use serde_json::{Value, json};

const WS: &str = "/v1/workspaces/acme";

/// Follows `next_cursor` through `path` (which has a query string) and returns every
/// item, checking each page holds at most `limit`.
async fn all_pages(client: &Client, path: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&limit={limit}&cursor={c}"),
            None => format!("{path}&limit={limit}"),
        };
        let page = client.get(&url).await.expect(200).clone();
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit, "{url}: {} items", got.len());
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

fn distinct(items: &[Value], key: &str) -> usize {
    items
        .iter()
        .map(|i| i[key].to_string())
        .collect::<HashSet<_>>()
        .len()
}

#[tokio::test]
async fn runners_members_artifacts_and_event_lists_page_with_cursors() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let mut token = String::new();
    for i in 0..5 {
        token = alice.register_runner("acme", &format!("r{i}"), &[]).await.1;
    }
    let runners = all_pages(&alice, &format!("{WS}/runners?"), 2).await;
    assert_eq!((runners.len(), distinct(&runners, "id")), (5, 5));

    for who in ["bob", "carol", "dave", "erin"] {
        alice.add_member("acme", who, "viewer").await;
    }
    let members = all_pages(&alice, &format!("{WS}/members?"), 3).await;
    let subjects: Vec<&str> = members
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["alice", "bob", "carol", "dave", "erin"]);

    let job = alice.create_job("acme", json!({"type": "t"})).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let runner = Client::new(&server.base_url, Some(token));
    runner
        .post("/v1/runner/claim", json!({"max_jobs": 1}))
        .await
        .expect(200);
    for name in ["a.txt", "b.txt", "c.txt"] {
        let put = runner
            .request(
                reqwest::Method::PUT,
                &format!("/v1/runner/jobs/{id}/artifacts/{name}?attempt=1"),
            )
            .header("content-type", "text/plain")
            .body(name);
        Client::send(put).await.expect(201);
    }
    let artifacts = all_pages(&alice, &format!("{WS}/runner-jobs/{id}/artifacts?"), 2).await;
    let names: Vec<&str> = artifacts
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.txt", "b.txt", "c.txt"]);

    // Seq-ordered lists take the same `cursor` (it equals `after_seq`).
    let events = all_pages(&alice, &format!("{WS}/runner-jobs/{id}/events?"), 1).await;
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [1, 2]);
    let detail = alice.get(&format!("{WS}/runner-jobs/{id}")).await;
    assert!(detail.expect(200)["events_next_cursor"].is_null());

    for bad in [
        format!("{WS}/runners?cursor=%21%21"),
        format!("{WS}/members?cursor=%21%21"),
        format!("{WS}/runner-jobs/{id}/events?cursor=x"),
        format!("{WS}/runner-jobs/{id}/logs?cursor=-1"),
    ] {
        let reply = alice.get(&bad).await;
        assert_eq!(
            reply.expect_problem(422, "validation_failed")["field"],
            "cursor",
            "{bad}"
        );
    }
}

/// Every list answers 422 naming its cursor parameter to a cursor it did not issue:
/// made up, of another list, or of the right list but re-encoded.
#[tokio::test]
async fn every_list_refuses_cursors_it_did_not_issue() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    alice.add_member("acme", "bob", "viewer").await;
    alice.register_runner("acme", "r1", &[]).await;
    alice.register_runner("acme", "r2", &[]).await;
    let job = alice.create_job("acme", json!({"type": "t"})).await;
    alice.create_job("acme", json!({"type": "t"})).await;
    let id = job["id"].as_str().unwrap().to_owned();
    let task = alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "t"}))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    alice
        .post(&format!("{WS}/agent-tasks"), json!({"title": "u"}))
        .await
        .expect(201);

    // One cursor each list really issued, to offer to the others.
    let issued = |path: String| {
        let alice = alice.clone();
        async move {
            let page = alice.get(&format!("{path}?limit=1")).await;
            page.expect(200)["next_cursor"]
                .as_str()
                .unwrap_or_else(|| panic!("{path} has a next page"))
                .to_owned()
        }
    };
    let jobs_cursor = issued(format!("{WS}/runner-jobs")).await;
    let members_cursor = issued(format!("{WS}/members")).await;
    let runners_cursor = issued(format!("{WS}/runners")).await;
    let padded = format!("{members_cursor}=");

    let lists = [
        (format!("{WS}/runner-jobs"), "cursor"),
        (format!("{WS}/runners"), "cursor"),
        (format!("{WS}/members"), "cursor"),
        (format!("{WS}/agent-tasks"), "cursor"),
        (format!("{WS}/runner-jobs/{id}/artifacts"), "cursor"),
        (format!("{WS}/runner-jobs/{id}/events"), "cursor"),
        (format!("{WS}/runner-jobs/{id}/logs"), "cursor"),
        (format!("{WS}/agent-tasks/{task}/events"), "cursor"),
        (format!("{WS}/events"), "after"),
    ];
    for (list, param) in &lists {
        let mut foreign = vec!["AAAA", "eyJ9", "e30", "%2B1", "01", "-1", &padded];
        if !list.ends_with("/runner-jobs") {
            foreign.push(&jobs_cursor);
        }
        if !list.ends_with("/members") {
            foreign.push(&members_cursor);
        }
        if !list.ends_with("/runners") {
            foreign.push(&runners_cursor);
        }
        for cursor in foreign {
            let reply = alice.get(&format!("{list}?{param}={cursor}")).await;
            assert_eq!(
                reply.expect_problem(422, "validation_failed")["field"],
                *param,
                "{list}?{param}={cursor}"
            );
        }
    }
    // Each still takes back what it issued.
    for (list, cursor) in [
        (format!("{WS}/runner-jobs"), &jobs_cursor),
        (format!("{WS}/members"), &members_cursor),
        (format!("{WS}/runners"), &runners_cursor),
    ] {
        alice
            .get(&format!("{list}?limit=1&cursor={cursor}"))
            .await
            .expect(200);
    }
}
