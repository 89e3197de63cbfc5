//! HTTPS end to end: a throw-away CA made with the openssl command, `runyard serve` with
//! `RUNYARD_TLS_CERT` and `RUNYARD_TLS_KEY`, then the CLI and `runyard runner` over
//! `https://` trusting that CA with `RUNYARD_CA_CERT` / `--ca-cert`; and the server reaching
//! a PostgreSQL with `ssl=on` and a certificate from that CA, with `sslmode=verify-full`.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use runyard_migration::provision::{self, RolePasswords};
use runyard_pgembed::{Cluster, ClusterOptions, ServerTls};
use runyard_testkit::TestDb;
use sea_orm::{ConnectionTrait, Database};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_runyard");

fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the openssl command runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and, signed by it, a certificate for `localhost` and `127.0.0.1`
/// (`server.pem`, `server.key`).
fn make_certs(dir: &Path) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
    openssl(
        dir,
        &[
            &["req", "-x509", "-nodes", "-days", "2"][..],
            &ec,
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=Runyard test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req", "-nodes"][..],
            &ec,
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost",
            ],
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "server.pem",
            "-extfile",
            "server.ext",
        ],
    );
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn command(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUNYARD_CONFIG", dir.join("cli.json"))
        .env("RUNYARD_LOG", "warn")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

/// Starts `runyard serve` over TLS on the app role's `app_url`, with `env` added; returns
/// it, its port and the dev token.
async fn serve(app_url: &str, dir: &Path, env: &[(&str, &str)]) -> (Child, u16, String) {
    let mut child = command(dir)
        .args(["serve", "--print-dev-token"])
        .envs(env.iter().copied())
        .env("DATABASE_URL", app_url)
        .env("RUNYARD_LISTEN", "127.0.0.1:0")
        .env("RUNYARD_DATA_DIR", dir.join("data"))
        .env("RUNYARD_TLS_CERT", dir.join("server.pem"))
        .env("RUNYARD_TLS_KEY", dir.join("server.key"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("runyard starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut port, mut token) = (None, None);
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(addr) = line.strip_prefix("Runyard is listening on https://127.0.0.1:") {
                port = Some(addr.trim().parse::<u16>().unwrap());
            }
            if let Some(t) = line.trim().strip_prefix("export RUNYARD_TOKEN=") {
                token = Some(t.to_owned());
            }
            if line.starts_with("Press Ctrl-C") {
                return;
            }
        }
        panic!("runyard stopped before it was ready");
    };
    tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("runyard is ready within a minute");
    (
        child,
        port.expect("an https:// address in the banner"),
        token.expect("a dev token"),
    )
}

async fn run(mut cmd: Command) -> Output {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn the_cli_and_the_runner_speak_https_to_a_server_with_a_private_ca() {
    let db = TestDb::new().await;
    let dir = Scratch(std::env::temp_dir().join(format!(
        "runyard-tls-test-{}-{}",
        std::process::id(),
        db.name
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let dir = &dir;
    make_certs(&dir.0);
    let (_server, port, token) = serve(&db.app_url, &dir.0, &[]).await;
    let url = format!("https://localhost:{port}");
    let ca = dir.0.join("ca.pem");
    let cli = |args: &[&str]| {
        let mut cmd = command(&dir.0);
        cmd.args(args)
            .env("RUNYARD_URL", &url)
            .env("RUNYARD_TOKEN", &token)
            .env("RUNYARD_WORKSPACE", "tls");
        cmd
    };

    // The system's roots do not know the private CA.
    let untrusted = run(cli(&["workspaces", "list"])).await;
    assert_eq!(untrusted.status.code(), Some(1), "{untrusted:?}");
    // Plain HTTP to the TLS port is refused too.
    let mut plain = cli(&["workspaces", "list"]);
    plain
        .env("RUNYARD_URL", format!("http://127.0.0.1:{port}"))
        .env("RUNYARD_CA_CERT", &ca);
    assert_ne!(run(plain).await.status.code(), Some(0));

    let trusted = |args: &[&str]| {
        let mut cmd = cli(args);
        cmd.env("RUNYARD_CA_CERT", &ca);
        cmd
    };
    ok(run(trusted(&[
        "workspaces",
        "create",
        "--slug",
        "tls",
        "--name",
        "TLS",
    ]))
    .await);
    let runner_token = ok(run(trusted(&["runners", "register", "--name", "r1", "-q"])).await)
        .trim()
        .to_owned();
    let job = ok(run(trusted(&[
        "jobs",
        "submit",
        "--script",
        "echo over tls",
        "-q",
    ]))
    .await)
    .trim()
    .to_owned();

    let _runner = command(&dir.0)
        .args(["runner", "--url", &url, "--ca-cert"])
        .arg(&ca)
        .env("RUNYARD_RUNNER_TOKEN", &runner_token)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the runner starts");
    let finished = async {
        loop {
            let shown: serde_json::Value =
                serde_json::from_str(&ok(run(trusted(&["jobs", "show", &job, "--json"])).await))
                    .unwrap();
            if shown["status"] == "COMPLETED" {
                return;
            }
            assert!(
                ["QUEUED", "RUNNING"].contains(&shown["status"].as_str().unwrap()),
                "{shown}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(60), finished)
        .await
        .expect("the runner completes the job over https within a minute");
    let logs = ok(run(trusted(&["jobs", "logs", &job])).await);
    assert!(logs.contains("over tls"), "{logs}");
}

/// `url` with `params` added to its query string.
fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

#[tokio::test]
async fn the_server_reaches_postgres_over_tls_and_verifies_its_certificate() {
    let dir = Scratch(std::env::temp_dir().join(format!(
        "runyard-pgtls-test-{}-{}",
        std::process::id(),
        uuid_like()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    make_certs(&dir.0);
    let tls = ServerTls {
        cert_file: dir.0.join("server.pem"),
        key_file: dir.0.join("server.key"),
    };
    let cluster = tokio::task::spawn_blocking(move || {
        Cluster::start(ClusterOptions {
            tls: Some(tls),
            ..ClusterOptions::ephemeral_in_temp()
        })
    })
    .await
    .unwrap()
    .expect("a PostgreSQL with ssl=on starts");
    let ca = dir.0.join("ca.pem");
    let verify = format!("sslmode=verify-full&sslrootcert={}", ca.display());
    let base = format!("127.0.0.1:{}/runyard", cluster.port());
    let owner_url = with_params(
        &format!("postgres://runyard_owner:owner_pw@{base}"),
        &verify,
    );
    let app_url = format!("postgres://runyard_app:app_pw@{base}");

    // Roles and the database, as the superuser, over a verified connection too.
    let superuser = Database::connect(with_params(&cluster.superuser_url("postgres"), &verify))
        .await
        .expect("the superuser connects with verify-full");
    provision::ensure_roles(
        &superuser,
        &RolePasswords {
            owner: "owner_pw".into(),
            app: "app_pw".into(),
        },
    )
    .await
    .unwrap();
    provision::ensure_database(&superuser, "runyard")
        .await
        .unwrap();

    // Without the CA, the system's roots do not verify the database's certificate.
    let out = command(&dir.0)
        .args(["serve"])
        .env("DATABASE_URL", with_params(&app_url, "sslmode=verify-full"))
        .env("RUNYARD_LISTEN", "127.0.0.1:0")
        .env("RUNYARD_DATA_DIR", dir.0.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("the server gives up within a minute")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("connecting to the database"), "{stderr}");
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");

    // With it, the server migrates through the owner's URL and serves requests.
    let (_server, port, token) = serve(
        &with_params(&app_url, &verify),
        &dir.0,
        &[("RUNYARD_MIGRATION_DATABASE_URL", &owner_url)],
    )
    .await;
    let cli = |args: &[&str]| {
        let mut cmd = command(&dir.0);
        cmd.args(args)
            .env("RUNYARD_URL", format!("https://localhost:{port}"))
            .env("RUNYARD_TOKEN", &token)
            .env("RUNYARD_CA_CERT", &ca)
            .env("RUNYARD_WORKSPACE", "pgtls");
        cmd
    };
    ok(run(cli(&[
        "workspaces",
        "create",
        "--slug",
        "pgtls",
        "--name",
        "PG TLS",
    ]))
    .await);
    let job = ok(run(cli(&["jobs", "submit", "--script", "true", "-q"])).await)
        .trim()
        .to_owned();
    let shown: serde_json::Value =
        serde_json::from_str(&ok(run(cli(&["jobs", "show", &job, "--json"])).await)).unwrap();
    assert_eq!(shown["status"], "QUEUED", "{shown}");

    // Every connection the server holds is encrypted.
    let row = superuser
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT count(*) FILTER (WHERE s.ssl) AS tls, count(*) FILTER (WHERE NOT s.ssl) AS plain \
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = 'runyard_app'",
        ))
        .await
        .unwrap()
        .unwrap();
    let tls: i64 = row.try_get("", "tls").unwrap();
    let plain: i64 = row.try_get("", "plain").unwrap();
    assert!(tls >= 1, "no encrypted app connection");
    assert_eq!(plain, 0, "an app connection is not encrypted");
}

fn uuid_like() -> String {
    format!("{:016x}", rand::random::<u64>())
}
