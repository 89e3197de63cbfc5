//! `cargo xtask <command>`: developer commands that are not part of the product.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod ci;
mod dev;
mod openapi;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// `target/debug/runyard`, under CARGO_TARGET_DIR when that is set.
fn debug_binary(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    root.join(target).join("debug").join("runyard")
}

const HELP: &str = "\
cargo xtask <command> [--help]

Commands:
  dev       build and start a demo: server, workspace `demo`, a runner and a few jobs;
            prints the URLs, a token and curl lines; Ctrl-C stops it all
  ci        run every CI check in order (fmt, clippy, tests, generated files, the
            TypeScript client's and the web console's tests), with a timing summary
  openapi   regenerate openapi/runyard.openapi.json and the TypeScript client's types
            (--check: fail instead when either is stale)
  bench     benchmark a release build and write BENCHMARKS.md (--quick: smoke run)
  help      show this message, or `help <command>` for one command
";

fn help(topic: Option<&str>) -> anyhow::Result<()> {
    match topic {
        None => print!("{HELP}"),
        Some("dev") => print!("{}", dev::HELP),
        Some("ci") => print!("{}", ci::HELP),
        Some("openapi") => print!("{}", openapi::HELP),
        Some("bench") => print!("{}", bench::HELP),
        Some(other) => anyhow::bail!("no command {other:?}\n\n{HELP}"),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().cloned().unwrap_or_default();
    let root = root();
    let rest = args.get(1..).unwrap_or_default();
    let result = match cmd.as_str() {
        "dev" => dev::run(&root, rest),
        "ci" => ci::run(&root, rest),
        "openapi" => openapi::run(&root, rest),
        "bench" => bench::run(&root, rest),
        "help" | "--help" | "-h" | "" => help(rest.first().map(String::as_str)),
        other => {
            eprint!("unknown command {other:?}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
