//! The reference runner against a real server: commands sent to a running job reach its
//! script, in order, through the file named by `RUNYARD_COMMANDS`, and are acknowledged
//! once written.

use std::time::Duration;

use runyard_runner::{RunnerConfig, run};
use runyard_testkit::{Client, TestServer, eventually};
use serde_json::{Value, json};

const JOBS: &str = "/v1/workspaces/acme/runner-jobs";

#[tokio::test]
async fn commands_reach_the_script_as_json_lines_and_are_acknowledged() {
    let server = TestServer::start().await;
    let alice = server.client("alice");
    alice.create_workspace("acme").await;
    let (_, token) = alice.register_runner("acme", "r1", &[]).await;
    let work = std::env::temp_dir().join(format!("runyard-it-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&work).unwrap();
    let config = RunnerConfig {
        wait_seconds: 1,
        work_root: work.clone(),
        ..RunnerConfig::new(server.base_url.clone(), token)
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let runner = tokio::spawn(run(config, async {
        let _ = stopped.await;
    }));

    // The script waits for two commands, then prints what it got.
    let script = "while [ \"$(wc -l < \"$RUNYARD_COMMANDS\")\" -lt 2 ]; do sleep 0.05; done; \
                  cat \"$RUNYARD_COMMANDS\"";
    let job = alice
        .create_job(
            "acme",
            json!({"type": "command", "payload": {"script": script}}),
        )
        .await;
    let jid = job["id"].as_str().unwrap().to_owned();
    let status = |alice: Client, jid: String| async move {
        alice.get(&format!("{JOBS}/{jid}")).await.expect(200)["status"].clone()
    };
    eventually(20, || status(alice.clone(), jid.clone()).map_eq("RUNNING")).await;
    for text in ["first", "second"] {
        alice
            .post(
                &format!("{JOBS}/{jid}/commands"),
                json!({"type": "user_turn", "payload": {"text": text}}),
            )
            .await
            .expect(201);
    }
    eventually(20, || {
        status(alice.clone(), jid.clone()).map_eq("COMPLETED")
    })
    .await;

    let logs = alice
        .get(&format!("{JOBS}/{jid}/logs"))
        .await
        .expect(200)
        .clone();
    let lines: Vec<Value> = logs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["stream"] == "stdout")
        .map(|l| serde_json::from_str(l["body"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            json!({"seq": 1, "type": "user_turn", "payload": {"text": "first"}}),
            json!({"seq": 2, "type": "user_turn", "payload": {"text": "second"}}),
        ]
    );
    eventually(10, || {
        let alice = alice.clone();
        let jid = jid.clone();
        async move {
            let listed = alice.get(&format!("{JOBS}/{jid}/commands")).await;
            listed.expect(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["status"] == "acked" && c["acked_attempt"] == 1)
        }
    })
    .await;

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(20), runner)
        .await
        .expect("the runner stops")
        .expect("the runner task")
        .expect("the runner ends cleanly");
    let _ = std::fs::remove_dir_all(&work);
}

/// `future.map_eq(x)`: whether the value it resolves to equals `x`.
trait MapEq: std::future::Future<Output = Value> + Sized {
    async fn map_eq(self, want: &str) -> bool {
        self.await == want
    }
}

impl<F: std::future::Future<Output = Value>> MapEq for F {}
