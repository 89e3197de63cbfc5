//! A runner's claims and batch completions find their jobs by key whatever the planner's
//! statistics say about the workspace. The case that broke them: the last ANALYZE saw only
//! another workspace, so this one is estimated at a single row, and with that estimate a
//! claim read and sorted its whole backlog through the status index and a completion
//! hashed it — per request.

use std::time::{Duration, Instant};

use runyard_testkit::{Client, TestServer};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, FromQueryResult, Statement};
use serde_json::json;

/// Entries read through the status index, and rows updated, in `runner_jobs` so far.
#[derive(Debug, Clone, Copy, FromQueryResult)]
struct Counters {
    status_index_reads: i64,
    updated: i64,
}

async fn counters(db: &DatabaseConnection) -> Counters {
    Counters::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT (SELECT idx_tup_read FROM pg_stat_user_indexes \
                  WHERE indexrelname = 'runner_jobs_status_idx') AS status_index_reads, \
                (SELECT n_tup_upd FROM pg_stat_user_tables \
                  WHERE relname = 'runner_jobs') AS updated",
    ))
    .one(db)
    .await
    .unwrap()
    .unwrap()
}

/// Adds `n` QUEUED jobs to workspace `ws` in one statement, as the superuser.
async fn fill(db: &DatabaseConnection, ws: &str, n: u32) {
    db.execute_unprepared(&format!(
        "INSERT INTO runner_jobs (workspace_id, id, type, status, created_by, last_event_seq) \
         SELECT '{ws}', gen_random_uuid(), 'noop', 'QUEUED', 'user:alice', 0 \
           FROM generate_series(1, {n})"
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn claims_and_completions_do_not_read_a_backlog_the_statistics_do_not_know() {
    const BACKLOG: u32 = 20_000;
    const CLAIMS: usize = 3;
    let server = TestServer::start().await;
    let alice = server.client("alice");
    let known = alice.create_workspace("known").await;
    let unknown = alice.create_workspace("unknown").await;
    let (_, token) = alice.register_runner("unknown", "worker", &[]).await;
    let runner = Client::new(&server.base_url, Some(token));

    let su = Database::connect(&server.db.superuser_url).await.unwrap();
    // No autovacuum may analyse the table behind the test's back.
    su.execute_unprepared("ALTER TABLE runner_jobs SET (autovacuum_enabled = false)")
        .await
        .unwrap();
    fill(&su, &known, BACKLOG).await;
    su.execute_unprepared("ANALYZE runner_jobs").await.unwrap();
    // Filled after the ANALYZE: the planner believes `unknown` has about one job.
    fill(&su, &unknown, BACKLOG).await;
    // Statistics reach the shared counters when a session goes idle or ends.
    su.close().await.unwrap();
    let su = Database::connect(&server.db.superuser_url).await.unwrap();
    let before = counters(&su).await;

    for _ in 0..CLAIMS {
        let claimed = runner
            .post(
                "/v1/runner/claim",
                json!({"max_jobs": 100, "wait_seconds": 0}),
            )
            .await;
        let jobs = claimed.expect(200)["jobs"].as_array().unwrap().clone();
        assert_eq!(jobs.len(), 100);
        let done: Vec<_> = jobs
            .iter()
            .map(|j| json!({"id": j["id"], "attempt": j["attempt"]}))
            .collect();
        let results = runner
            .post("/v1/runner/complete", json!({"jobs": done}))
            .await;

        let results = results.expect(200)["results"].as_array().unwrap().clone();
        assert!(results.iter().all(|r| r["ok"] == true), "{results:#?}");
    }

    // The server's sessions publish their counters within about ten seconds of going
    // idle; wait until every claim and completion is counted.
    let expected_updates = (CLAIMS * 100 * 2) as i64;
    let deadline = Instant::now() + Duration::from_secs(30);
    let after = loop {
        let now = counters(&su).await;
        if now.updated - before.updated >= expected_updates || Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert!(
        after.updated - before.updated >= expected_updates,
        "the updates were not counted within 30 s: {before:?} → {after:?}"
    );
    // Each claim or completion that walks the workspace reads 20,000 entries.
    let reads = after.status_index_reads - before.status_index_reads;
    assert!(
        reads < i64::from(BACKLOG) / 10,
        "{CLAIMS} claims and completions of 100 jobs read {reads} status-index entries \
         of a {BACKLOG}-job backlog"
    );
}
