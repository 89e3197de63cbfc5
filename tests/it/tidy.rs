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

/// Every member crate's manifest, as (crate directory relative to the root, text).
fn manifests() -> Vec<(String, String)> {
    let mut dirs = vec![
        "migration".to_owned(),
        "xtask".to_owned(),
        "tests".to_owned(),
    ];
    for entry in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
        if entry.path().join("Cargo.toml").is_file() {
            dirs.push(format!("crates/{}", entry.file_name().to_string_lossy()));
        }
    }
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let text = std::fs::read_to_string(root().join(&dir).join("Cargo.toml")).unwrap();
            (dir, text)
        })
        .collect()
}

/// One dependency a manifest declares.
#[derive(Debug)]
struct Dependency {
    /// `dependencies`, `dev-dependencies`, `target.'cfg(unix)'.dependencies`, ...
    section: String,
    name: String,
    /// Whether it is `name.workspace = true` or `name = { workspace = true, ... }` with
    /// nothing but features or `optional` besides.
    from_workspace: bool,
    line: usize,
}

/// The dependencies in a manifest, read line by line: the manifests here are plain
/// (`name.workspace = true`, one-line inline tables, `[dependencies.name]` tables).
fn dependencies(manifest: &str) -> Vec<Dependency> {
    let mut section = String::new();
    let mut found: Vec<Dependency> = Vec::new();
    for (i, raw) in manifest.lines().enumerate() {
        let line = raw.split(" #").next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            section = header.trim_end_matches(']').trim().to_owned();
            // `[dependencies.name]`: a table of its own, judged by its keys below.
            if let Some((table, name)) = section.rsplit_once('.')
                && table.ends_with("dependencies")
            {
                found.push(Dependency {
                    section: table.to_owned(),
                    name: name.trim_matches('"').to_owned(),
                    from_workspace: false,
                    line: i + 1,
                });
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        if let Some((table, name)) = section.rsplit_once('.')
            && table.ends_with("dependencies")
        {
            let dep = found
                .iter_mut()
                .rev()
                .find(|d| d.name == name.trim_matches('"'))
                .expect("the table's own entry");
            match key {
                "workspace" => dep.from_workspace = value == "true",
                "features" | "optional" | "default-features" => {}
                _ => {
                    dep.from_workspace = false;
                    dep.line = i + 1;
                }
            }
            continue;
        }
        if !section.ends_with("dependencies") {
            continue;
        }
        let (name, from_workspace) = match key.strip_suffix(".workspace") {
            Some(name) => (name, value == "true"),
            None => {
                let inline = value.starts_with('{');
                let keys: Vec<&str> = value
                    .trim_matches(|c| c == '{' || c == '}')
                    .split(',')
                    .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.trim()))
                    .collect();
                let only_workspace = inline
                    && value.replace(' ', "").contains("workspace=true")
                    && keys
                        .iter()
                        .all(|k| matches!(*k, "workspace" | "features" | "optional"));
                (key, only_workspace)
            }
        };
        found.push(Dependency {
            section: section.clone(),
            name: name.trim_matches('"').to_owned(),
            from_workspace,
            line: i + 1,
        });
    }
    found
}

/// Fails when the crate in `dir` lists any of `forbidden`, in any dependency section.
#[track_caller]
fn assert_lists_none_of(dir: &str, forbidden: &[&str], why: &str) {
    let text = std::fs::read_to_string(root().join(dir).join("Cargo.toml"))
        .unwrap_or_else(|e| panic!("{dir}/Cargo.toml: {e}"));
    let listed: Vec<String> = dependencies(&text)
        .into_iter()
        .filter(|d| forbidden.contains(&d.name.as_str()))
        .map(|d| format!("{} in [{}] (line {})", d.name, d.section, d.line))
        .collect();
    assert!(
        listed.is_empty(),
        "{dir}/Cargo.toml lists {}: {why}",
        listed.join(", ")
    );
}

#[test]
fn the_domain_crate_does_no_io() {
    assert_lists_none_of(
        "crates/domain",
        &[
            "tokio",
            "sea-orm",
            "sea-orm-migration",
            "sqlx",
            "poem",
            "poem-openapi",
            "reqwest",
        ],
        "the domain crate is the vocabulary only, with no runtime, database or HTTP",
    );
}

#[test]
fn the_api_crate_does_not_know_sea_orm() {
    assert_lists_none_of(
        "crates/api",
        &["sea-orm", "sea-orm-migration", "sqlx"],
        "the HTTP layer reaches the database only through runyard-persistence",
    );
}

#[test]
fn the_client_and_the_runner_speak_only_http() {
    let server_side = [
        "runyard-persistence",
        "runyard-api",
        "runyard-migration",
        "runyard",
        "sea-orm",
        "sea-orm-migration",
        "sqlx",
    ];
    for dir in ["crates/client", "crates/runner"] {
        assert_lists_none_of(
            dir,
            &server_side,
            "the API client and the reference runner talk to a server over HTTP only",
        );
    }
}

#[test]
fn only_the_storage_crates_and_test_harnesses_list_sea_orm() {
    // persistence and migration own the database; testkit makes per-test databases and
    // hands out app-role connections; the end-to-end tests check isolation in SQL as the
    // app role. Other crates' own tests may read the database to check what happened
    // (a dev-dependency), but their code may not.
    let allowed = ["crates/persistence", "migration", "crates/testkit", "tests"];
    for (dir, text) in manifests() {
        if allowed.contains(&dir.as_str()) {
            continue;
        }
        let listed: Vec<String> = dependencies(&text)
            .into_iter()
            .filter(|d| d.section != "dev-dependencies")
            .filter(|d| ["sea-orm", "sea-orm-migration", "sqlx"].contains(&d.name.as_str()))
            .map(|d| format!("{} in [{}] (line {})", d.name, d.section, d.line))
            .collect();
        assert!(
            listed.is_empty(),
            "{dir}/Cargo.toml lists {}: SeaORM stays behind runyard-persistence and runyard-migration",
            listed.join(", ")
        );
    }
}

#[test]
fn dependency_versions_live_only_in_the_workspace_root() {
    let mut outside = Vec::new();
    for (dir, text) in manifests() {
        let deps = dependencies(&text);
        assert!(
            deps.iter().any(|d| d.section == "dependencies") || dir == "tests",
            "{dir}/Cargo.toml: no [dependencies] found; is the manifest reader still right?"
        );
        for d in deps.into_iter().filter(|d| !d.from_workspace) {
            outside.push(format!(
                "{dir}/Cargo.toml line {}: [{}] {}",
                d.line, d.section, d.name
            ));
        }
    }
    assert!(
        outside.is_empty(),
        "declare these in the root [workspace.dependencies] and use `name.workspace = true` \
         (plus features/optional) in the crate:\n  {}",
        outside.join("\n  ")
    );
}

#[test]
fn the_manifest_reader_tells_workspace_dependencies_from_others() {
    let manifest = r#"
[package]
name = "x"
version.workspace = true

[dependencies]
a.workspace = true
b = { workspace = true, features = ["f"] }
c = "1"
d = { version = "1", features = ["f"] }
e = { path = "../e" }
f = { workspace = true, optional = true } # comment

[dev-dependencies]
g = { workspace = true, version = "2" }

[target.'cfg(unix)'.dependencies.h]
workspace = true
features = ["x"]

[dependencies.i]
version = "3"
"#;
    let verdicts: Vec<(String, bool)> = dependencies(manifest)
        .into_iter()
        .map(|d| (d.name, d.from_workspace))
        .collect();
    let expected: Vec<(String, bool)> = [
        ("a", true),
        ("b", true),
        ("c", false),
        ("d", false),
        ("e", false),
        ("f", true),
        ("g", false),
        ("h", true),
        ("i", false),
    ]
    .into_iter()
    .map(|(n, w)| (n.to_owned(), w))
    .collect();
    assert_eq!(verdicts, expected);
}
