//! `runyard`: the server, and the commands that go with it.

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use runyard::config::{AuthArgs, DatabaseArgs};
use runyard::logging::LogFormat;
use runyard::runner::RunnerArgs;
use runyard::serve::{ServeArgs, Target, serve, shutdown_signal};

/// Runyard: a workspace-scoped control plane for runner jobs.
///
/// With no command, serves the API on 127.0.0.1:8080 from an embedded PostgreSQL kept in
/// ./.runyard (set DATABASE_URL to use your own).
#[derive(Parser)]
#[command(name = "runyard", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
    /// Log output: `text` for people, `json` for one JSON object per line.
    #[arg(long, global = true, env = "RUNYARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate {
        /// Apply nothing: print each migration as applied, pending, changed (its text
        /// differs from what was applied) or unknown (applied by another build); exit
        /// with 1 when any is changed or unknown. The embedded database is migrated as it
        /// starts, as always.
        #[arg(long)]
        status: bool,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Mint a user token signed with the configured HS256 secret.
    Token {
        /// The token's subject (`sub`): the user's identity.
        #[arg(long)]
        sub: String,
        /// How long the token is valid, in seconds.
        #[arg(long, default_value_t = 30 * 24 * 3600)]
        ttl_seconds: u64,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        auth: AuthArgs,
    },
    /// Run jobs: claim them from a Runyard server and run `command` jobs as shell scripts.
    ///
    /// Each job runs `sh -c <payload.script>` in a fresh temporary directory, in its own
    /// process group, with payload.env plus RUNYARD_JOB_ID and RUNYARD_ATTEMPT set. Output
    /// becomes the job's logs; files named in payload.artifacts are uploaded afterwards; exit
    /// code 0 completes the job, anything else fails it. Lines `::runyard::ai-call {json}`
    /// and `::runyard::progress {json}` are recorded as model calls and progress instead of
    /// output (see the README). When a job's agent task pauses, the
    /// script is stopped and the job handed back with a snapshot of what it printed; the
    /// resumed job finds that snapshot in the file named by RUNYARD_RESUME_SNAPSHOT. Ctrl-C
    /// or SIGTERM kills running jobs and hands them back to the queue. Get a token by
    /// registering a runner: `runyard runners register --name NAME -w WORKSPACE` (or
    /// POST /v1/workspaces/{ws}/runners).
    Runner(RunnerArgs),
    /// Print a shell completion script.
    ///
    /// bash: `runyard completions bash > ~/.local/share/bash-completion/completions/runyard`;
    /// zsh: `runyard completions zsh > "${fpath[1]}/_runyard"`;
    /// fish: `runyard completions fish > ~/.config/fish/completions/runyard.fish`.
    Completions {
        /// The shell to complete in.
        shell: Shell,
    },
    #[command(flatten)]
    Client(runyard::cli::ClientCommand),
}

#[derive(Clone, Copy, ValueEnum)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// The completion script for `shell`.
fn completions(shell: Shell, out: &mut dyn std::io::Write) {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "runyard", out);
}

/// Prints every migration's state; an error when an applied one changed or is unknown.
async fn migration_status(database: DatabaseArgs) -> anyhow::Result<()> {
    let (url, target) = match (&database.migration_database_url, &database.database_url) {
        (Some(url), _) | (None, Some(url)) => (url.clone(), None),
        (None, None) => {
            let target = Target::open(&database).await?;
            (target.app_url.clone(), Some(target))
        }
    };
    let read = async {
        let db = runyard_persistence::Database::connect(&url, 1).await?;
        db.applied_migrations().await
    };
    let applied = read.await;
    if let Some(target) = target {
        target.stop().await?;
    }
    let applied = applied.map_err(|e| anyhow::anyhow!("reading the applied migrations: {e}"))?;
    let status = runyard_domain::migration_status(&runyard::serve::built_migrations(), &applied);
    for m in &status {
        let sha = |s: &Option<String>| {
            s.as_deref()
                .map_or("-".to_owned(), |s| s[..12.min(s.len())].to_owned())
        };
        println!(
            "{:<8} {:<45} recorded {:<12} built {}",
            m.state.as_str(),
            m.name,
            sha(&m.recorded),
            sha(&m.built)
        );
    }
    let drift: Vec<String> = status
        .iter()
        .filter(|m| {
            matches!(
                m.state,
                runyard_domain::MigrationState::Changed | runyard_domain::MigrationState::Unknown
            )
        })
        .map(ToString::to_string)
        .collect();
    if drift.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{}", drift.join("; "))
    }
}

async fn migrate(database: DatabaseArgs) -> anyhow::Result<()> {
    if database.database_url.is_some() && database.migration_database_url.is_none() {
        anyhow::bail!(
            "set RUNYARD_MIGRATION_DATABASE_URL (the owner role's URL) to migrate an external database"
        );
    }
    let target = Target::open(&database).await?;
    target.stop().await?;
    println!(
        "database migrated to {}",
        runyard_migration::latest_version()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    runyard::logging::init(cli.log_format);
    let result = match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Migrate {
            status: true,
            database,
        }) => migration_status(database).await,
        Some(Command::Migrate { database, .. }) => migrate(database).await,
        Some(Command::Token {
            sub,
            ttl_seconds,
            database,
            auth,
        }) => auth
            .load(&database.data_dir)
            .and_then(|auth| Ok(auth.mint(&sub, ttl_seconds)?))
            .map(|token| println!("{token}")),
        Some(Command::Runner(args)) => match args.config() {
            Ok(config) => runyard::runner::run(config, shutdown_signal()).await,
            Err(e) => Err(e),
        },
        Some(Command::Completions { shell }) => {
            completions(shell, &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Client(command)) => return runyard::cli::run(command).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_cover_the_commands_in_each_shell() {
        for (shell, marker) in [
            (Shell::Bash, "complete -F _runyard"),
            (Shell::Zsh, "#compdef runyard"),
            (Shell::Fish, "complete -c runyard"),
        ] {
            let mut out = Vec::new();
            completions(shell, &mut out);
            let script = String::from_utf8(out).unwrap();
            assert!(script.contains(marker), "{marker}");
            for command in ["serve", "runner", "completions", "jobs"] {
                assert!(script.contains(command), "{marker}: {command}");
            }
        }
    }
}
