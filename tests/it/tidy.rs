//! Tidy checks that run with the tests, so CI has no hidden extra steps.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == "node_modules" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_module_says_what_it_is_for() {
    let mut files = Vec::new();
    for dir in ["crates", "migration", "xtask", "tests"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 10);
    let missing: Vec<_> = files
        .iter()
        .filter(|f| {
            !std::fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` doc line: {missing:?}"
    );
}

#[test]
fn every_crate_uses_the_workspace_lints_and_metadata() {
    let mut manifests = vec![
        root().join("migration/Cargo.toml"),
        root().join("xtask/Cargo.toml"),
        root().join("tests/Cargo.toml"),
    ];
    for entry in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        manifests.push(entry.path().join("Cargo.toml"));
    }
    for manifest in manifests {
        let text = std::fs::read_to_string(&manifest).unwrap();
        for needle in [
            "[lints]\nworkspace = true",
            "edition.workspace = true",
            "publish.workspace = true",
            "description = ",
        ] {
            assert!(
                text.contains(needle),
                "{} lacks `{needle}`",
                manifest.display()
            );
        }
    }
}
