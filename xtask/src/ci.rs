//! `cargo xtask ci`: every check CI makes, in order, stopping at the first failure, with a
//! line per step and a summary of timings.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::openapi::{self, CLIENT_DIR};

const CONSOLE_DIR: &str = "console";
const LINT_DIR: &str = "openapi/lint";

pub const HELP: &str = "\
cargo xtask ci

Runs what CI runs, stopping at the first failure:
  1. cargo fmt --all -- --check
  2. cargo clippy --workspace --all-targets -- -D warnings
  3. cargo test --workspace
  4. cargo xtask openapi --check (the spec and the TypeScript client are current)
  5. npm ci && npm run lint (in openapi/lint: @redocly/cli, zero errors)
  6. cargo build -p runyard
  7. npm ci            (in openapi/clients/typescript)
  8. npm test          (builds the client and runs its tests against target/debug/runyard)
  9. openapi/clients/python/run.sh (the Python client is current; pytest against the server)
 10. npm ci            (in console)
 11. npm test          (console/dist is current; the browser test against target/debug/runyard)
and ends with a summary of how long each step took. Needs PostgreSQL's server binaries
(as for cargo test), Node.js 20+ with npm, python3.11, and Chromium at /usr/bin/chromium.
";

enum Action {
    Cargo(&'static [&'static str]),
    /// npm with these arguments, in this directory.
    Npm(&'static str, &'static [&'static str]),
    OpenapiCheck,
    /// A script, from the repository's root.
    Script(&'static str),
}

struct Step {
    title: &'static str,
    action: Action,
}

const STEPS: &[Step] = &[
    Step {
        title: "cargo fmt --all -- --check",
        action: Action::Cargo(&["fmt", "--all", "--", "--check"]),
    },
    Step {
        title: "cargo clippy --workspace --all-targets -- -D warnings",
        action: Action::Cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    },
    Step {
        title: "cargo test --workspace",
        action: Action::Cargo(&["test", "--workspace"]),
    },
    Step {
        title: "cargo xtask openapi --check",
        action: Action::OpenapiCheck,
    },
    Step {
        title: "npm ci (openapi/lint)",
        action: Action::Npm(LINT_DIR, &["ci", "--no-audit", "--no-fund"]),
    },
    Step {
        title: "npm run lint (openapi/lint: @redocly/cli)",
        action: Action::Npm(LINT_DIR, &["run", "--silent", "lint"]),
    },
    Step {
        title: "cargo build -p runyard",
        action: Action::Cargo(&["build", "-p", "runyard"]),
    },
    Step {
        title: "npm ci (openapi/clients/typescript)",
        action: Action::Npm(CLIENT_DIR, &["ci", "--no-audit", "--no-fund"]),
    },
    Step {
        title: "npm test (openapi/clients/typescript)",
        action: Action::Npm(CLIENT_DIR, &["test"]),
    },
    Step {
        title: "openapi/clients/python/run.sh",
        action: Action::Script("openapi/clients/python/run.sh"),
    },
    Step {
        title: "npm ci (console)",
        action: Action::Npm(CONSOLE_DIR, &["ci", "--no-audit", "--no-fund"]),
    },
    Step {
        title: "npm test (console)",
        action: Action::Npm(CONSOLE_DIR, &["test"]),
    },
];

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run_step(root: &Path, action: &Action) -> anyhow::Result<()> {
    let mut cmd = match action {
        Action::OpenapiCheck => return openapi::check(root),
        Action::Cargo(args) => {
            let mut cmd = cargo();
            cmd.args(*args).current_dir(root);
            cmd
        }
        Action::Script(path) => {
            let mut cmd = Command::new(root.join(path));
            cmd.current_dir(root);
            cmd
        }
        Action::Npm(dir, args) => {
            let mut cmd = Command::new("npm");
            cmd.args(*args)
                .current_dir(root.join(dir))
                .env("RUNYARD_BIN", crate::debug_binary(root));
            cmd
        }
    };
    let status = cmd
        .status()
        .with_context(|| format!("starting {:?}", cmd.get_program()))?;
    if !status.success() {
        bail!("{status}");
    }
    Ok(())
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// `cargo xtask ci`.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    if let Some(arg) = args.first() {
        if arg == "-h" || arg == "--help" {
            print!("{HELP}");
            return Ok(());
        }
        bail!("unknown argument {arg:?}\n\n{HELP}");
    }
    let begun = Instant::now();
    let mut done: Vec<(&str, Duration)> = Vec::new();
    let mut failure = None;
    for (i, step) in STEPS.iter().enumerate() {
        println!("\n==> [{}/{}] {}", i + 1, STEPS.len(), step.title);
        let started = Instant::now();
        let outcome = run_step(root, &step.action);
        done.push((step.title, started.elapsed()));
        if let Err(e) = outcome {
            failure = Some((step.title, e));
            break;
        }
    }

    println!("\n==> summary");
    for (i, step) in STEPS.iter().enumerate() {
        let (verdict, time) = match done.get(i) {
            Some((_, took)) if failure.is_some() && i == done.len() - 1 => {
                ("FAILED", seconds(*took))
            }
            Some((_, took)) => ("ok", seconds(*took)),
            None => ("skipped", String::new()),
        };
        println!("  {verdict:<8} {time:>8}  {}", step.title);
    }
    println!("  total    {:>8}", seconds(begun.elapsed()));
    match failure {
        Some((title, e)) => Err(e.context(format!("`{title}` failed"))),
        None => {
            println!("all {} steps passed", STEPS.len());
            Ok(())
        }
    }
}
