//! `cargo xtask <command>`: developer commands that are not part of the product.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod openapi;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

const HELP: &str = "\
cargo xtask <command> [--help]

Commands:
  openapi   regenerate openapi/runyard.openapi.json and the TypeScript client's types
            (--check: fail instead when either is stale)
  bench     benchmark a release build and write BENCHMARKS.md (--quick: smoke run)
  help      show this message, or `help <command>` for one command
";

fn help(topic: Option<&str>) -> anyhow::Result<()> {
    match topic {
        None => print!("{HELP}"),
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
