//! `cargo xtask openapi [--check]`: the OpenAPI document from the API's code, and the
//! TypeScript client's types from that document.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

pub const HELP: &str = "\
cargo xtask openapi [--check]

Regenerates openapi/runyard.openapi.json from the API's code, then the TypeScript client's
types (openapi/clients/typescript/src/schema.d.ts) from it with the generator pinned in the
client's package-lock.json (running `npm ci` there first when node_modules is missing or
holds another version). Needs Node.js 20+ and npm. Then, when the Python client's
virtualenv exists (target/python-client-venv, made by openapi/clients/python/run.sh), the
Python client (openapi/clients/python/client) with the generator pinned there.

  --check   write nothing; fail when a file differs from what would be generated
";

pub const SPEC: &str = "openapi/runyard.openapi.json";
pub const CLIENT_DIR: &str = "openapi/clients/typescript";
const PYTHON_DIR: &str = "openapi/clients/python";
const PYTHON_VENV: &str = "target/python-client-venv";
const GENERATOR: &str = "openapi-typescript";

/// `cargo xtask openapi [--check]`.
pub fn run(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let mut check_only = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check_only = true,
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n\n{HELP}"),
        }
    }
    if check_only { check(root) } else { write(root) }
}

/// The document as `cargo xtask openapi` writes it.
fn spec_text() -> String {
    format!("{}\n", runyard_api::spec_json())
}

fn write(root: &Path) -> anyhow::Result<()> {
    let path = root.join(SPEC);
    let spec = spec_text();
    if std::fs::read_to_string(&path).ok().as_deref() == Some(spec.as_str()) {
        println!("{SPEC} unchanged");
    } else {
        std::fs::write(&path, &spec).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {SPEC}");
    }
    ensure_node_modules(root)?;
    let status = generator(root, &[])
        .status()
        .context("running node (is Node.js 20+ installed?)")?;
    if !status.success() {
        bail!("generating the TypeScript client failed ({status})");
    }
    python_client(root)
}

/// Regenerates the Python client when its generator is installed.
fn python_client(root: &Path) -> anyhow::Result<()> {
    let venv = root.join(PYTHON_VENV).join("bin");
    if !venv.join("openapi-python-client").exists() {
        println!(
            "{PYTHON_DIR}/client not regenerated: run {PYTHON_DIR}/run.sh --check once to \
             install its generator"
        );
        return Ok(());
    }
    let path = format!(
        "{}:{}",
        venv.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new(venv.join("openapi-python-client"))
        .args([
            "generate",
            "--path",
            SPEC,
            "--config",
            &format!("{PYTHON_DIR}/generator.yaml"),
            "--meta",
            "setup",
            "--output-path",
            &format!("{PYTHON_DIR}/client"),
            "--overwrite",
            "--fail-on-warning",
        ])
        .env("PATH", path)
        .current_dir(root)
        .status()
        .context("running openapi-python-client")?;
    if !status.success() {
        bail!("generating the Python client failed ({status})");
    }
    let _ = std::fs::remove_dir_all(root.join(PYTHON_DIR).join("client/.ruff_cache"));
    println!("wrote {PYTHON_DIR}/client");
    Ok(())
}

/// Fails when the committed document or client types differ from fresh ones. The client is
/// checked against the document the code generates now, so both staleness reports are true
/// at once.
pub fn check(root: &Path) -> anyhow::Result<()> {
    let spec = spec_text();
    let spec_current = std::fs::read_to_string(root.join(SPEC)).ok().as_deref() == Some(&spec);
    if spec_current {
        println!("{SPEC} is up to date");
    } else {
        eprintln!("{SPEC} is stale");
    }
    ensure_node_modules(root)?;
    let mut child = generator(root, &["--check", "--spec", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .context("running node (is Node.js 20+ installed?)")?;
    child
        .stdin
        .take()
        .context("no stdin pipe")?
        .write_all(spec.as_bytes())
        .context("sending the spec to the generator")?;
    let client_current = child.wait()?.success();
    // Against the committed spec; CI runs this check on every run.
    let python_current = !root
        .join(PYTHON_VENV)
        .join("bin/openapi-python-client")
        .exists()
        || Command::new(root.join(PYTHON_DIR).join("run.sh"))
            .arg("--check")
            .current_dir(root)
            .status()
            .context("running openapi/clients/python/run.sh --check")?
            .success();
    if !spec_current || !client_current || !python_current {
        bail!("generated files are stale: run `cargo xtask openapi` and commit the result");
    }
    Ok(())
}

/// `node scripts/generate.mjs ARGS` in the client's directory.
fn generator(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg("scripts/generate.mjs")
        .args(args)
        .current_dir(root.join(CLIENT_DIR));
    cmd
}

/// Runs `npm ci` in the client's directory unless node_modules already holds the generator
/// version package.json pins.
pub fn ensure_node_modules(root: &Path) -> anyhow::Result<()> {
    let dir = root.join(CLIENT_DIR);
    let pinned = pinned_version(&dir)?;
    let installed = installed_version(&dir);
    if installed.as_deref() == Some(pinned.as_str()) {
        return Ok(());
    }
    let why = match installed {
        None => "node_modules is missing".to_owned(),
        Some(v) => format!("node_modules has {GENERATOR} {v}, package.json pins {pinned}"),
    };
    println!("npm ci in {CLIENT_DIR} ({why})");
    npm_ci(root)
}

/// `npm ci` in the client's directory.
pub fn npm_ci(root: &Path) -> anyhow::Result<()> {
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root.join(CLIENT_DIR))
        .status()
        .context("running npm (is Node.js 20+ with npm installed?)")?;
    if !status.success() {
        bail!("npm ci in {CLIENT_DIR} failed ({status})");
    }
    Ok(())
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn pinned_version(dir: &Path) -> anyhow::Result<String> {
    let manifest = read_json(&dir.join("package.json"))?;
    manifest["devDependencies"][GENERATOR]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("{CLIENT_DIR}/package.json does not pin {GENERATOR}"))
}

fn installed_version(dir: &Path) -> Option<String> {
    let manifest = read_json(
        &dir.join("node_modules")
            .join(GENERATOR)
            .join("package.json"),
    )
    .ok()?;
    manifest["version"].as_str().map(str::to_owned)
}
