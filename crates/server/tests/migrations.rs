//! Checksummed migrations against a real database and the real binary: an applied
//! migration whose text changed (its recorded checksum differs from this build's) or that
//! this build does not know makes `/readyz` answer 503 naming it, keeps `runyard serve`
//! from starting, and shows in `runyard migrate --status`; a database without recorded
//! checksums gets them on its next migrate.

use std::process::Stdio;
use std::time::Duration;

use runyard_testkit::TestServer;
use sea_orm::{ConnectionTrait, Database};
use tokio::process::Command;

const FOUNDATION: &str = "m20261123_000001_foundation";
const EDITED: &str = "0000000000000000000000000000000000000000000000000000000000000000";

async fn superuser(server: &TestServer, sql: &str) {
    let db = Database::connect(&server.db.superuser_url).await.unwrap();
    db.execute_unprepared(sql).await.unwrap();
    db.close().await.unwrap();
}

fn built(name: &str) -> String {
    runyard_testkit::built_migrations()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, sha)| sha)
        .expect("a migration of this build")
}

/// `runyard` with `args` against the test database; (exit code, stdout, stderr).
async fn runyard(server: &TestServer, args: &[&str], owner: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runyard"));
    cmd.args(args)
        .env("DATABASE_URL", &server.db.app_url)
        .env("RUNYARD_JWT_SECRET", "0123456789abcdef0123456789abcdef")
        .env("RUNYARD_LISTEN", "127.0.0.1:0")
        .env("RUNYARD_LOG", "warn")
        .env("NO_COLOR", "1")
        .env_remove("RUNYARD_MIGRATION_DATABASE_URL")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if owner {
        cmd.env("RUNYARD_MIGRATION_DATABASE_URL", &server.db.owner_url);
    }
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("runyard exits within a minute")
        .expect("runyard runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn a_changed_applied_migration_stops_the_server_and_readyz_names_it() {
    let server = TestServer::start().await;
    let anon = server.anonymous();
    let ready = anon.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.text);
    assert_eq!(ready.body["schema_problems"], serde_json::json!([]));
    let (code, stdout, _) = runyard(&server, &["migrate", "--status"], false).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("applied") && l.contains(FOUNDATION)),
        "{stdout}"
    );

    // The database now holds another text of the foundation than this build has.
    superuser(
        &server,
        &format!(
            "UPDATE runyard_migration_checksums SET sha256 = '{EDITED}' WHERE version = '{FOUNDATION}'"
        ),
    )
    .await;
    let ready = anon.get("/readyz").await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert_eq!(ready.body["status"], "not_ready");
    let problem = ready.body["schema_problems"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(problem.contains(FOUNDATION), "{problem}");
    assert!(problem.contains(EDITED), "{problem}");
    assert!(problem.contains(&built(FOUNDATION)), "{problem}");

    let (code, stdout, stderr) = runyard(&server, &["serve"], false).await;
    assert_ne!(code, 0, "the server must not start: {stdout}{stderr}");
    assert!(stderr.contains("refusing to start"), "{stderr}");
    assert!(stderr.contains(FOUNDATION), "{stderr}");
    assert!(stderr.contains(EDITED), "{stderr}");
    assert!(stderr.contains(&built(FOUNDATION)), "{stderr}");

    let (code, stdout, stderr) = runyard(&server, &["migrate", "--status"], false).await;
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("changed") && l.contains(FOUNDATION)),
        "{stdout}"
    );
    // Migrating again does not paper over it: a recorded checksum is never rewritten.
    let (code, _, stderr) = runyard(&server, &["migrate"], true).await;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(anon.get("/readyz").await.status, 503);
}

#[tokio::test]
async fn an_applied_migration_unknown_to_this_build_stops_it_too() {
    let server = TestServer::start().await;
    let future = "m20991231_000099_from_a_newer_build";
    superuser(
        &server,
        &format!(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{future}', 0); \
             INSERT INTO runyard_migration_checksums (version, sha256) VALUES ('{future}', '{EDITED}')"
        ),
    )
    .await;
    let ready = server.anonymous().get("/readyz").await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert!(
        ready.body["schema_problems"][0]
            .as_str()
            .unwrap()
            .contains(future),
        "{}",
        ready.text
    );
    let (code, stdout, stderr) = runyard(&server, &["serve"], false).await;
    assert_ne!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains(future), "{stderr}");
    let (code, stdout, _) = runyard(&server, &["migrate", "--status"], false).await;
    assert_eq!(code, 1);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("unknown") && l.contains(future)),
        "{stdout}"
    );
}

#[tokio::test]
async fn a_database_without_checksums_gets_them_on_its_next_migrate() {
    let server = TestServer::start().await;
    superuser(&server, "DELETE FROM runyard_migration_checksums").await;
    // Nothing recorded is nothing wrong.
    assert_eq!(server.anonymous().get("/readyz").await.status, 200);
    let (code, _, stderr) = runyard(&server, &["migrate"], true).await;
    assert_eq!(code, 0, "{stderr}");
    let db = Database::connect(&server.db.app_url).await.unwrap();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT version, sha256 FROM runyard_migration_checksums ORDER BY version",
        ))
        .await
        .unwrap();
    let recorded: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "version").unwrap(),
                r.try_get::<String>("", "sha256").unwrap(),
            )
        })
        .collect();
    assert_eq!(recorded, runyard_testkit::built_migrations());
}
