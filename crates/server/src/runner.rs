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
    /// `POST /v1/workspaces/{ws}/runners`. Prefer the environment or --token-file: a
    /// command line is visible to every user of the machine.
    #[arg(
        long,
        env = "RUNYARD_RUNNER_TOKEN",
        hide_env_values = true,
        required_unless_present = "token_file",
        conflicts_with = "token_file"
    )]
    pub token: Option<String>,
    /// A file holding the runner's token (surrounding whitespace is ignored).
    #[arg(long, env = "RUNYARD_RUNNER_TOKEN_FILE", value_name = "FILE")]
    pub token_file: Option<std::path::PathBuf>,
    /// A PEM file of CA certificates to trust for an `https://` server (a private CA),
    /// besides the system's roots.
    #[arg(long, env = "RUNYARD_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// How many jobs to run at once.
    #[arg(long, env = "RUNYARD_RUNNER_CONCURRENCY", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub concurrency: u32,
}

impl RunnerArgs {
    /// The runner's settings, with the token read from its file when given so.
    pub fn config(self) -> anyhow::Result<RunnerConfig> {
        let token = match (self.token, &self.token_file) {
            (Some(token), _) => token,
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading the token file {}: {e}", path.display()))?
                .trim()
                .to_owned(),
            (None, None) => anyhow::bail!("give the runner's token: --token or --token-file"),
        };
        let ca_cert_pem = self
            .ca_cert
            .as_deref()
            .map(|path| {
                std::fs::read(path).map_err(|e| {
                    anyhow::anyhow!("reading the CA certificate {}: {e}", path.display())
                })
            })
            .transpose()?;
        Ok(RunnerConfig {
            concurrency: self.concurrency as usize,
            ca_cert_pem,
            ..RunnerConfig::new(self.url, token)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        runner: RunnerArgs,
    }

    #[test]
    fn the_token_comes_from_a_flag_or_a_file() {
        let file = std::env::temp_dir().join(format!("runyard-token-{}", std::process::id()));
        std::fs::write(&file, "ryr_from_file\n").unwrap();
        let args = Cli::try_parse_from(["runner", "--token-file", file.to_str().unwrap()])
            .unwrap()
            .runner;
        assert_eq!(args.config().unwrap().token, "ryr_from_file");
        std::fs::remove_file(&file).unwrap();

        let args = Cli::try_parse_from(["runner", "--token", "ryr_flag"])
            .unwrap()
            .runner;
        assert_eq!(args.config().unwrap().token, "ryr_flag");
        assert!(Cli::try_parse_from(["runner", "--token", "a", "--token-file", "f"]).is_err());

        let missing = Cli::try_parse_from(["runner", "--token-file", "/nonexistent/token"])
            .unwrap()
            .runner;
        assert!(format!("{:#}", missing.config().unwrap_err()).contains("/nonexistent/token"));
    }
}
