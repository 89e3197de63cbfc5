//! `runyard runner`: the command line of the reference runner, which lives in
//! `runyard-runner`.

pub use runyard_runner::{RunnerConfig, run};

/// Settings of `runyard runner`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunnerArgs {
    /// The Runyard server's base URL.
    #[arg(long, env = "RUNYARD_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The runner's token (`ryr_...`), as returned when the runner was registered with
    /// `POST /v1/workspaces/{ws}/runners`.
    #[arg(long, env = "RUNYARD_RUNNER_TOKEN", hide_env_values = true)]
    pub token: String,
    /// How many jobs to run at once.
    #[arg(long, env = "RUNYARD_RUNNER_CONCURRENCY", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub concurrency: u32,
}

impl From<RunnerArgs> for RunnerConfig {
    fn from(args: RunnerArgs) -> Self {
        Self {
            concurrency: args.concurrency as usize,
            ..Self::new(args.url, args.token)
        }
    }
}
