//! The client commands of `runyard` (`login`, `workspaces`, `jobs`, `runners`, `tasks`,
//! `usage`, `stats`):
//! a command line over the HTTP API, with readable tables, `--json` for scripts, and a
//! saved profile so the URL, token and workspace need not be repeated.
//!
//! Settings resolve flag > environment > profile (`runyard login`) > default. Exit codes:
//! 0 on success, 1 when the server refuses or cannot be reached, 2 for usage errors.

mod client;
mod jobs;
mod logs;
mod output;
mod profile;
mod runners;
mod tasks;
mod usage;
mod workspaces;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use client::Api;
pub use client::CliError;

/// The URL the client commands talk to when none is configured.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

/// The client commands, flattened into the binary's own.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Save the server URL, token and default workspace for the client commands.
    #[command(after_help = profile::LOGIN_EXAMPLES)]
    Login(profile::LoginArgs),
    /// List, create and inspect workspaces.
    #[command(after_help = workspaces::EXAMPLES)]
    Workspaces(workspaces::WorkspacesArgs),
    /// Submit, inspect, cancel and retry jobs; read their logs and artifacts.
    #[command(after_help = jobs::EXAMPLES)]
    Jobs(jobs::JobsArgs),
    /// Register, list and revoke runners (admin).
    #[command(after_help = runners::EXAMPLES)]
    Runners(runners::RunnersArgs),
    /// Agent tasks: create, inspect, pause, resume and finish them.
    #[command(after_help = tasks::EXAMPLES)]
    Tasks(tasks::TasksArgs),
    /// What model calls and steps used (tokens, cost in USD), grouped.
    #[command(after_help = usage::USAGE_EXAMPLES)]
    Usage(usage::UsageArgs),
    /// The workspace's queue: jobs by status, waits, throughput, runners.
    #[command(after_help = usage::STATS_EXAMPLES)]
    Stats(usage::StatsArgs),
}

/// Where the server is, who is asking, in which workspace, and how to print the answer.
/// Every client command takes these, before or after its own arguments.
#[derive(Debug, Clone, Default, Args)]
pub struct Connection {
    /// Server URL [default: the profile's, else http://127.0.0.1:8080].
    #[arg(
        long,
        env = "RUNYARD_URL",
        global = true,
        value_name = "URL",
        help_heading = "Connection"
    )]
    pub url: Option<String>,
    /// User token (JWT) [default: the profile's].
    #[arg(
        long,
        env = "RUNYARD_TOKEN",
        global = true,
        hide_env_values = true,
        value_name = "TOKEN",
        help_heading = "Connection"
    )]
    pub token: Option<String>,
    /// Workspace id or slug [default: the profile's].
    #[arg(
        short = 'w',
        long,
        env = "RUNYARD_WORKSPACE",
        global = true,
        value_name = "WS",
        help_heading = "Connection"
    )]
    pub workspace: Option<String>,
    /// A PEM file of CA certificates to trust for an https:// server (a private CA),
    /// besides the system's roots.
    #[arg(
        long,
        env = "RUNYARD_CA_CERT",
        global = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub ca_cert: Option<std::path::PathBuf>,
    /// Print the server's JSON response (pretty) instead of a table.
    #[arg(long, global = true, help_heading = "Connection")]
    pub json: bool,
}

/// What a command needs to run: a client for the API, the workspace if any, and the
/// output mode.
pub(crate) struct Ctx {
    pub api: Api,
    pub url: String,
    workspace: Option<String>,
    pub json: bool,
}

impl Ctx {
    /// Resolves `conn` against the environment (clap already merged it), the profile and
    /// the defaults.
    fn new(conn: Connection) -> Result<Self, CliError> {
        // Only read the profile when something is left to fill in.
        let complete = conn.url.is_some() && conn.token.is_some() && conn.workspace.is_some();
        let profile = if complete {
            profile::Profile::default()
        } else {
            profile::Profile::load()?.unwrap_or_default()
        };
        let url = conn
            .url
            .or(profile.url)
            .unwrap_or_else(|| DEFAULT_URL.to_owned());
        let token = conn.token.or(profile.token).ok_or_else(|| {
            CliError::Usage(
                "no token: pass --token, set RUNYARD_TOKEN, or save one with `runyard login`. \
                 The server prints a development token when it starts; `runyard token --sub NAME` \
                 mints one"
                    .into(),
            )
        })?;
        let api = Api::new(&url, &token, conn.ca_cert.as_deref())?;
        Ok(Self {
            api,
            url,
            workspace: conn.workspace.or(profile.workspace),
            json: conn.json,
        })
    }

    /// The workspace to act in; a usage error naming every way to give one when unset.
    pub fn workspace(&self) -> Result<&str, CliError> {
        self.workspace.as_deref().ok_or_else(|| {
            CliError::Usage(
                "no workspace: pass --workspace/-w WS (an id or slug), set RUNYARD_WORKSPACE, \
                 or save a default with `runyard login --workspace WS`"
                    .into(),
            )
        })
    }
}

/// Runs a client command and reports its error, if any, on stderr.
pub async fn run(command: ClientCommand) -> ExitCode {
    let result = match command {
        ClientCommand::Login(args) => profile::login(args).await,
        ClientCommand::Workspaces(args) => match Ctx::new(args.conn) {
            Ok(ctx) => workspaces::run(&ctx, args.command).await,
            Err(e) => Err(e),
        },
        ClientCommand::Jobs(args) => match Ctx::new(args.conn) {
            Ok(ctx) => jobs::run(&ctx, args.command).await,
            Err(e) => Err(e),
        },
        ClientCommand::Runners(args) => match Ctx::new(args.conn) {
            Ok(ctx) => runners::run(&ctx, args.command).await,
            Err(e) => Err(e),
        },
        ClientCommand::Tasks(args) => match Ctx::new(args.conn) {
            Ok(ctx) => tasks::run(&ctx, args.command).await,
            Err(e) => Err(e),
        },
        ClientCommand::Usage(args) => match Ctx::new(args.conn.clone()) {
            Ok(ctx) => usage::usage(&ctx, args).await,
            Err(e) => Err(e),
        },
        ClientCommand::Stats(args) => match Ctx::new(args.conn) {
            Ok(ctx) => usage::stats(&ctx).await,
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// Reads an answer into the shape a command renders.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, CliError> {
    serde_json::from_value(value).map_err(|e| {
        CliError::Other(anyhow::anyhow!(
            "the server's answer is not what this client expects ({e}); try --json"
        ))
    })
}

/// A cursor-paged list: one page, or with `all` every page after it, as one
/// `{"items", "next_cursor"}`. Without `all`, a further page is pointed out on stderr.
pub(crate) async fn list_pages(
    ctx: &Ctx,
    segments: &[&str],
    mut query: Vec<(&str, String)>,
    all: bool,
    what: &str,
) -> Result<serde_json::Value, CliError> {
    let mut items = Vec::new();
    loop {
        let mut page = ctx.api.get(segments, &query).await?;
        if let Some(page_items) = page["items"].as_array_mut() {
            items.append(page_items);
        }
        let next = page["next_cursor"].as_str().map(str::to_owned);
        match next {
            Some(cursor) if all => {
                let previous = query.iter().find(|(k, _)| *k == "cursor").map(|(_, v)| v);
                if previous == Some(&cursor) {
                    return Err(CliError::Other(anyhow::anyhow!(
                        "the server returned the same cursor twice; stopping"
                    )));
                }
                query.retain(|(k, _)| *k != "cursor");
                query.push(("cursor", cursor));
            }
            next => {
                if let Some(cursor) = &next {
                    eprintln!("(more {what}: add --cursor {cursor}, or --all for every page)");
                }
                return Ok(serde_json::json!({"items": items, "next_cursor": next}));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Subcommand;

    #[test]
    fn the_command_line_is_well_formed() {
        super::ClientCommand::augment_subcommands(clap::Command::new("runyard")).debug_assert();
    }
}
