//! `runyard runners`: register a runner (its token is shown once), list, revoke.

use clap::{Args, Subcommand};
use runyard_client::{Runner, RunnerRegistered};
use serde_json::json;

use super::client::CliError;
use super::output::{self, Table};
use super::{Connection, Ctx, parse};

pub const EXAMPLES: &str = "\
Examples:
  runyard runners register -w acme --name laptop --label linux
  runyard runners list -w acme
  runyard runners revoke -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11";

#[derive(Debug, Args)]
pub struct RunnersArgs {
    #[command(flatten)]
    pub conn: Connection,
    #[command(subcommand)]
    pub command: RunnersCommand,
}

#[derive(Debug, Subcommand)]
pub enum RunnersCommand {
    /// Register a runner and print its token. The token is shown this once.
    #[command(after_help = REGISTER_EXAMPLES)]
    Register {
        /// A name to recognise it by.
        #[arg(long)]
        name: String,
        /// Labels it has; it claims only jobs whose labels are all among these (repeat,
        /// or comma-separate).
        #[arg(long = "label", value_name = "LABEL", value_delimiter = ',')]
        labels: Vec<String>,
        /// Print only the token.
        #[arg(short, long)]
        quiet: bool,
    },
    /// The workspace's runners, with when each was last seen.
    List,
    /// Revoke a runner: its token stops working on its next request.
    #[command(
        after_help = "Example:\n  runyard runners revoke -w acme 0197c3a2-7d1e-7c4b-9a57-2f0e8f1b6c11"
    )]
    Revoke {
        /// The runner's id.
        #[arg(value_name = "ID")]
        id: String,
    },
}

const REGISTER_EXAMPLES: &str = "\
Examples:
  runyard runners register -w acme --name laptop --label linux,docker
  # Register and start one in a single step (the token in the environment, not in argv):
  RUNYARD_RUNNER_TOKEN=\"$(runyard runners register -w acme --name ci-1 -q)\" runyard runner
  # Or keep the token in a file only the runner's user reads:
  (umask 077; runyard runners register -w acme --name ci-2 -q > ci-2.token)
  runyard runner --token-file ci-2.token";

pub async fn run(ctx: &Ctx, command: RunnersCommand) -> Result<(), CliError> {
    let ws = ctx.workspace()?;
    match command {
        RunnersCommand::Register {
            name,
            labels,
            quiet,
        } => {
            let body = json!({"name": name, "labels": labels});
            let answer = ctx
                .api
                .post(&["v1", "workspaces", ws, "runners"], Some(&body))
                .await?;
            if ctx.json {
                return Ok(output::print_json(&answer)?);
            }
            let r: RunnerRegistered = parse(answer)?;
            if quiet {
                return Ok(output::say(&r.token)?);
            }
            output::say(format!(
                "Registered runner {} ({}) with labels: {}\n\n\
                 Its token, shown this once (only a hash is kept); store it now:\n\n    {}\n\n\
                 Start it with:\n\n    runyard runner --url {} --token {}",
                r.runner.name,
                r.runner.id,
                output::list(&r.runner.labels),
                r.token,
                ctx.url,
                r.token,
            ))?;
        }
        RunnersCommand::List => {
            let list = ctx
                .api
                .get(&["v1", "workspaces", ws, "runners"], &[])
                .await?;
            if ctx.json {
                return Ok(output::print_json(&list)?);
            }
            let runners: Vec<Runner> = parse(list["items"].clone())?;
            let mut table = Table::new(&[
                "ID",
                "NAME",
                "LABELS",
                "STATE",
                "LAST SEEN",
                "CREATED",
                "BY",
            ]);
            for r in runners {
                let state = match r.revoked_at {
                    Some(t) => format!("revoked {}", output::ago(t)),
                    None => "active".into(),
                };
                table.row(vec![
                    r.id,
                    r.name,
                    output::list(&r.labels),
                    state,
                    output::ago_opt(r.last_seen_at),
                    output::ago(r.created_at),
                    r.created_by,
                ]);
            }
            table.print("No runners; register one with `runyard runners register`.")?;
        }
        RunnersCommand::Revoke { id } => {
            ctx.api
                .delete(&["v1", "workspaces", ws, "runners", &id])
                .await?;
            if !ctx.json {
                output::say(format!("Revoked runner {id}."))?;
            }
        }
    }
    Ok(())
}
