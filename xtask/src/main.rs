//! `cargo xtask <command>`: developer commands that are not part of the product.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

const HELP: &str = "\
cargo xtask <command>

Commands:
  openapi   regenerate openapi/runyard.openapi.json from the API's code
  bench     benchmark a release build and write BENCHMARKS.md (--quick: smoke run)
  help      show this message
";

fn openapi() -> anyhow::Result<()> {
    let path = root().join("openapi/runyard.openapi.json");
    let spec = runyard_api::spec_json();
    std::fs::write(&path, format!("{spec}\n"))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmd = args.first().cloned().unwrap_or_default();
    let result = match cmd.as_str() {
        "openapi" => openapi(),
        "bench" => bench::run(&root(), &args[1..]),
        "help" | "--help" | "-h" | "" => {
            print!("{HELP}");
            Ok(())
        }
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
