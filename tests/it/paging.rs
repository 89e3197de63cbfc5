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
