//! `runyard serve` as a real process: a development token is printed for the
//! zero-configuration default or when asked for, never otherwise.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use runyard_testkit::TestDb;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Starts `runyard serve` on `db` with `args`, and returns what it printed up to the
/// line saying it is ready, then stops it.
async fn banner(db: &TestDb, data_dir: &PathBuf, args: &[&str]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_runyard"))
        .arg("serve")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.app_url)
        .env("RUNYARD_LISTEN", "127.0.0.1:0")
        .env("RUNYARD_DATA_DIR", data_dir)
        .env("RUNYARD_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("runyard starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            printed.push_str(&line);
            printed.push('\n');
            if line.starts_with("Press Ctrl-C") {
                return;
            }
        }
        panic!("runyard stopped before it was ready");
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("runyard is ready within a minute");
    child.kill().await.unwrap();
    printed
}

#[tokio::test]
async fn the_dev_token_is_printed_only_when_asked_for_with_an_external_database() {
    let db = TestDb::new().await;
    let data_dir = std::env::temp_dir().join(format!("runyard-serve-test-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).unwrap();

    let plain = banner(&db, &data_dir, &[]).await;
    assert!(plain.contains("listening on"), "{plain}");
    assert!(!plain.contains("RUNYARD_TOKEN"), "{plain}");

    let configured = banner(
        &db,
        &data_dir,
        &[
            "--jwt-issuer",
            "https://idp.example",
            "--jwt-audience",
            "runyard",
        ],
    )
    .await;
    assert!(!configured.contains("RUNYARD_TOKEN"), "{configured}");

    let asked = banner(&db, &data_dir, &["--print-dev-token"]).await;
    let token = asked
        .lines()
        .find_map(|l| l.trim().strip_prefix("export RUNYARD_TOKEN="))
        .unwrap_or_else(|| panic!("no token in:\n{asked}"));
    let secret = std::fs::read(data_dir.join("jwt-secret")).unwrap();
    let auth = runyard_api::AuthConfig::hs256(secret.trim_ascii()).unwrap();
    assert_eq!(auth.verify(token).unwrap().sub, "dev");

    let _ = std::fs::remove_dir_all(&data_dir);
}
