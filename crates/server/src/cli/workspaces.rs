//! `runyard workspaces`: list mine, create one, show one.

use clap::{Args, Subcommand};
use runyard_client::{Role, Workspace};
use serde_json::json;

use super::client::CliError;
use super::output::{self, Fields, Table};
use super::{Connection, Ctx, parse};

pub const EXAMPLES: &str = "\
Examples:
  runyard workspaces create --slug acme --name \"Acme CI\"
  runyard workspaces list
  runyard workspaces show acme --json";

#[derive(Debug, Args)]
pub struct WorkspacesArgs {
    #[command(flatten)]
    pub conn: Connection,
    #[command(subcommand)]
    pub command: WorkspacesCommand,
}

#[derive(Debug, Subcommand)]
pub enum WorkspacesCommand {
    /// The workspaces you are a member of, with your role in each.
    List,
    /// Create a workspace; you become its owner.
    #[command(after_help = "Example:\n  runyard workspaces create --slug acme --name \"Acme CI\"")]
    Create {
        /// Unique, URL-safe name used in paths: 3–63 of a-z 0-9 -, starting with a letter.
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// One workspace, by id or slug (default: the configured workspace).
    #[command(after_help = "Example:\n  runyard workspaces show acme")]
    Show {
        /// Workspace id or slug.
        #[arg(value_name = "WS")]
        workspace: Option<String>,
    },
}

pub async fn run(ctx: &Ctx, command: WorkspacesCommand) -> Result<(), CliError> {
    match command {
        WorkspacesCommand::List => {
            let list = ctx.api.get(&["v1", "workspaces"], &[]).await?;
            if ctx.json {
                return Ok(output::print_json(&list)?);
            }
            let items: Vec<Workspace> = parse(list["items"].clone())?;
            let mut table = Table::new(&["SLUG", "NAME", "ROLE", "ID", "CREATED"]);
            for w in items {
                table.row(vec![
                    w.slug,
                    w.name,
                    role(w.role),
                    w.id,
                    output::ago(w.created_at),
                ]);
            }
            table.print("No workspaces yet; create one with `runyard workspaces create`.")?;
        }
        WorkspacesCommand::Create { slug, name } => {
            let body = json!({"slug": slug, "name": name});
            let created = ctx.api.post(&["v1", "workspaces"], Some(&body)).await?;
            if ctx.json {
                return Ok(output::print_json(&created)?);
            }
            let w: Workspace = parse(created)?;
            output::say(format!(
                "Created workspace {} ({}); you are its owner.",
                w.slug, w.id
            ))?;
            eprintln!(
                "Make it the default: export RUNYARD_WORKSPACE={} (or `runyard login --workspace {}`)",
                w.slug, w.slug
            );
        }
        WorkspacesCommand::Show { workspace } => {
            let ws = match &workspace {
                Some(ws) => ws.as_str(),
                None => ctx.workspace()?,
            };
            let found = ctx.api.get(&["v1", "workspaces", ws], &[]).await?;
            if ctx.json {
                return Ok(output::print_json(&found)?);
            }
            // The settings as the server wrote them, keys in its order and nulls kept.
            let settings = serde_json::to_string_pretty(&found["settings"]).unwrap_or_default();
            let w: Workspace = parse(found)?;
            Fields::new()
                .add("id", w.id)
                .add("slug", w.slug)
                .add("name", w.name)
                .add("your role", role(w.role))
                .add("created", output::time(w.created_at))
                .add("settings", settings)
                .print()?;
        }
    }
    Ok(())
}

/// The caller's role, or nothing when the server did not say.
fn role(role: Option<Role>) -> String {
    role.map(|r| r.to_string()).unwrap_or_default()
}
