//! The saved profile (`runyard login`): server URL, token and default workspace in a JSON
//! file only its owner may read. `$RUNYARD_CONFIG` names the file; else
//! `$XDG_CONFIG_HOME/runyard/config.json`, else `~/.config/runyard/config.json`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use serde::{Deserialize, Serialize};

use super::client::{Api, CliError};
use super::{DEFAULT_URL, output};

pub const LOGIN_EXAMPLES: &str = "\
Examples:
  runyard login --token \"$RUNYARD_TOKEN\"
  runyard login --url http://ci.internal:8080 --token eyJ... --workspace acme
  runyard jobs list            # uses the saved URL, token and workspace

Flags and RUNYARD_URL / RUNYARD_TOKEN / RUNYARD_WORKSPACE still win over the profile.";

/// What `runyard login` saves.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Server URL to save.
    #[arg(long, env = "RUNYARD_URL", default_value = DEFAULT_URL, value_name = "URL")]
    url: String,
    /// User token (JWT) to save.
    #[arg(
        long,
        env = "RUNYARD_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: String,
    /// Default workspace (id or slug) for workspace commands.
    #[arg(short = 'w', long, value_name = "WS")]
    workspace: Option<String>,
    /// Save without checking the token (and workspace) against the server.
    #[arg(long)]
    no_verify: bool,
    /// A PEM file of CA certificates to trust for an https:// server, for the check.
    #[arg(long, env = "RUNYARD_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,
}

impl Profile {
    /// Where the profile lives, if a home can be found at all.
    pub fn path() -> Option<PathBuf> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(path) = var("RUNYARD_CONFIG") {
            return Some(PathBuf::from(path));
        }
        let base = var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("runyard").join("config.json"))
    }

    /// The saved profile; none when the file does not exist.
    pub fn load() -> Result<Option<Self>, CliError> {
        let Some(path) = Self::path() else {
            return Ok(None);
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("reading the profile {}", path.display()))
                    .into());
            }
        };
        let profile = serde_json::from_str(&text).with_context(|| {
            format!(
                "the profile {} is not valid; run `runyard login` again or remove it",
                path.display()
            )
        })?;
        Ok(Some(profile))
    }

    /// Writes the profile readable by its owner only (mode 0600), atomically.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .with_context(|| format!("creating {}", dir.display()))?;
        }
        let file_name = path
            .file_name()
            .with_context(|| format!("{} is not a file path", path.display()))?;
        let temp = dir.join(format!(
            ".{}.{}.tmp",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)
            .with_context(|| format!("creating {}", temp.display()))?;
        // A stale temp file may have been created with other permissions.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", temp.display()))?;
        std::fs::rename(&temp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// `runyard login`: checks the token (unless told not to) and saves the profile.
pub async fn login(args: LoginArgs) -> Result<(), CliError> {
    let path = Profile::path().ok_or_else(|| {
        CliError::Usage(
            "no place for the profile: set RUNYARD_CONFIG, XDG_CONFIG_HOME or HOME".into(),
        )
    })?;
    let api = Api::new(&args.url, &args.token, args.ca_cert.as_deref())?;
    let mut note = String::new();
    if !args.no_verify {
        let list = api.get(&["v1", "workspaces"], &[]).await?;
        let count = list["items"].as_array().map_or(0, Vec::len);
        note = format!(
            "; the token is valid and a member of {count} workspace{}",
            if count == 1 { "" } else { "s" }
        );
        if let Some(ws) = &args.workspace {
            api.get(&["v1", "workspaces", ws], &[]).await?;
        }
    }
    let profile = Profile {
        url: Some(args.url.clone()),
        token: Some(args.token.trim().to_owned()),
        workspace: args.workspace.clone(),
    };
    profile.save(&path)?;
    output::say(format!("Saved {} for {}{note}.", path.display(), args.url))?;
    if let Some(ws) = &args.workspace {
        output::say(format!("Default workspace: {ws}."))?;
    }
    Ok(())
}
