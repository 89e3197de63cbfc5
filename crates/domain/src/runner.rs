//! Runners: their opaque tokens, and what happens to a job after a failed attempt.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::JobStatus;

/// A runner's bearer token: `ryr_<workspace id><runner id>_<secret>` (ids as 32 hex
/// digits each). It names the workspace and runner so the server can find the runner; only
/// a SHA-256 of the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerToken {
    pub workspace_id: Uuid,
    pub runner_id: Uuid,
    secret: String,
}

impl RunnerToken {
    const PREFIX: &'static str = "ryr_";

    /// A new token for `runner_id` in `workspace_id`; `secret` must be long and random.
    pub fn new(workspace_id: Uuid, runner_id: Uuid, secret: String) -> Self {
        Self {
            workspace_id,
            runner_id,
            secret,
        }
    }

    /// Parses a presented token; `None` when it is not shaped like a runner token.
    pub fn parse(raw: &str) -> Option<Self> {
        let rest = raw.strip_prefix(Self::PREFIX)?;
        let (ids, secret) = rest.split_once('_')?;
        if ids.len() != 64
            || secret.len() < 32
            || !secret.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return None;
        }
        let workspace_id = Uuid::try_parse(&ids[..32]).ok()?;
        let runner_id = Uuid::try_parse(&ids[32..]).ok()?;
        Some(Self {
            workspace_id,
            runner_id,
            secret: secret.to_owned(),
        })
    }

    /// What is stored and compared: hex SHA-256 of the secret.
    pub fn secret_hash(&self) -> String {
        Sha256::digest(self.secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The token as handed to the runner.
    pub fn expose(&self) -> String {
        format!(
            "{}{}{}_{}",
            Self::PREFIX,
            self.workspace_id.simple(),
            self.runner_id.simple(),
            self.secret
        )
    }
}

/// Where a running job goes when an attempt fails (reported by its runner, or its lease
/// or timeout ran out), and after how long it may run again.
pub fn after_failed_attempt(
    attempt: i32,
    max_attempts: i32,
    cancel_requested: bool,
    retryable: bool,
    backoff_base_seconds: i32,
    jitter: f64,
) -> (JobStatus, Option<f64>) {
    if cancel_requested {
        (JobStatus::Cancelled, None)
    } else if !retryable || attempt >= max_attempts {
        (JobStatus::Failed, None)
    } else if backoff_base_seconds <= 0 {
        (JobStatus::Queued, None)
    } else {
        (
            JobStatus::Pending,
            Some(backoff_seconds(backoff_base_seconds, attempt, jitter)),
        )
    }
}

/// What the lease reaper found about a running job it takes back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LostLease {
    pub attempt: i32,
    pub max_attempts: i32,
    pub backoff_base_seconds: i32,
    pub cancel_requested: bool,
    /// Its task asked it to hand back (and it did not within the grace period, or its
    /// lease ran out meanwhile).
    pub pause_requested: bool,
}

/// Where a job goes when the reaper takes it back: `CANCELLED` if a cancel was asked,
/// `PAUSED` (the attempt not counted) if its task asked it to pause, otherwise as any
/// failed, retryable attempt ([`after_failed_attempt`]).
pub fn after_lost_lease(lost: LostLease, jitter: f64) -> (JobStatus, Option<f64>) {
    if !lost.cancel_requested && lost.pause_requested {
        return (JobStatus::Paused, None);
    }
    after_failed_attempt(
        lost.attempt,
        lost.max_attempts,
        lost.cancel_requested,
        true,
        lost.backoff_base_seconds,
        jitter,
    )
}

/// Exponential backoff: `base * 2^(attempt-1)`, capped at an hour, scaled by a jitter
/// factor in `[0.5, 1.5)` (`jitter` in `[0, 1)`), so retries of many jobs spread out.
pub fn backoff_seconds(base: i32, attempt: i32, jitter: f64) -> f64 {
    let exp = (attempt - 1).clamp(0, 20);
    let raw = f64::from(base) * f64::from(1u32 << exp);
    raw.min(3600.0) * (0.5 + jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_hash_their_secret() {
        let t = RunnerToken::new(Uuid::now_v7(), Uuid::now_v7(), "a".repeat(40));
        let parsed = RunnerToken::parse(&t.expose()).unwrap();
        assert_eq!(parsed, t);
        assert_eq!(parsed.secret_hash().len(), 64);
        assert_ne!(
            parsed.secret_hash(),
            RunnerToken::new(t.workspace_id, t.runner_id, "b".repeat(40)).secret_hash()
        );
        for bad in [
            "",
            "ryr_",
            "ryr_abc_def",
            "eyJhbGciOiJIUzI1NiJ9.x.y",
            &t.expose()[..60],
        ] {
            assert!(RunnerToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_lost_lease_is_cancelled_paused_retried_or_failed() {
        let lost = |attempt, max, backoff, cancel, pause| LostLease {
            attempt,
            max_attempts: max,
            backoff_base_seconds: backoff,
            cancel_requested: cancel,
            pause_requested: pause,
        };
        // A cancel wins over everything, a pause over the attempt count.
        assert_eq!(
            after_lost_lease(lost(1, 3, 10, true, true), 0.5),
            (JobStatus::Cancelled, None)
        );
        assert_eq!(
            after_lost_lease(lost(3, 3, 10, false, true), 0.5),
            (JobStatus::Paused, None)
        );
        assert_eq!(
            after_lost_lease(lost(3, 3, 10, false, false), 0.5),
            (JobStatus::Failed, None)
        );
        // No backoff: straight back to the queue; otherwise it waits, doubling.
        assert_eq!(
            after_lost_lease(lost(1, 3, 0, false, false), 0.5),
            (JobStatus::Queued, None)
        );
        assert_eq!(
            after_lost_lease(lost(1, 3, 10, false, false), 0.5),
            (JobStatus::Pending, Some(10.0))
        );
        assert_eq!(
            after_lost_lease(lost(2, 3, 10, false, false), 0.5),
            (JobStatus::Pending, Some(20.0))
        );
        // Over a grid, every outcome is a legal move from RUNNING, and it agrees with a
        // failure the runner reported as retryable whenever neither flag is set.
        for attempt in 1..=5 {
            for max in 1..=5 {
                for backoff in [0, 1, 10, 3600] {
                    for (cancel, pause) in
                        [(false, false), (true, false), (false, true), (true, true)]
                    {
                        let (next, delay) =
                            after_lost_lease(lost(attempt, max, backoff, cancel, pause), 0.25);
                        assert!(JobStatus::Running.can_become(next));
                        assert_eq!(delay.is_some(), next == JobStatus::Pending);
                        if !cancel && !pause {
                            assert_eq!(
                                (next, delay),
                                after_failed_attempt(attempt, max, false, true, backoff, 0.25)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn failed_attempts_retry_with_growing_backoff_until_max() {
        assert_eq!(
            after_failed_attempt(1, 3, false, true, 10, 0.5),
            (JobStatus::Pending, Some(10.0))
        );
        assert_eq!(
            after_failed_attempt(2, 3, false, true, 10, 0.5),
            (JobStatus::Pending, Some(20.0))
        );
        assert_eq!(
            after_failed_attempt(3, 3, false, true, 10, 0.5),
            (JobStatus::Failed, None)
        );
        assert_eq!(
            after_failed_attempt(1, 3, false, false, 10, 0.5),
            (JobStatus::Failed, None)
        );
        assert_eq!(
            after_failed_attempt(1, 3, true, true, 10, 0.5),
            (JobStatus::Cancelled, None)
        );
        assert_eq!(
            after_failed_attempt(1, 3, false, true, 0, 0.5),
            (JobStatus::Queued, None)
        );
        // Jitter spreads retries between half and one and a half of the nominal delay.
        assert_eq!(backoff_seconds(10, 1, 0.0), 5.0);
        assert!(backoff_seconds(10, 1, 0.999) < 15.0);
        assert_eq!(backoff_seconds(10, 30, 0.5), 3600.0);
        for (status, _) in [
            after_failed_attempt(1, 3, false, true, 10, 0.1),
            after_failed_attempt(3, 3, false, true, 10, 0.1),
        ] {
            assert!(JobStatus::Running.can_become(status));
        }
    }
}
