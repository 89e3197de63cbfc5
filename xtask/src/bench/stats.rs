//! Statistics of a phase's samples: nearest-rank percentiles, means, and what a load loop
//! counted.

use std::time::Duration;

pub(in crate::bench) fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(in crate::bench) fn mean(v: &[Duration]) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.iter().sum::<Duration>() / v.len() as u32
}

pub(in crate::bench) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The middle of a fixed-length phase, less half of `top`'s one-second frame.
pub(in crate::bench) fn midway(d: Duration) -> Duration {
    (d / 2).saturating_sub(Duration::from_millis(500))
}

/// What `drive` counted.
#[derive(Default)]
pub(in crate::bench) struct LoopStats {
    pub(in crate::bench) ok: u64,
    pub(in crate::bench) errors: u64,
    pub(in crate::bench) first_error: Option<String>,
    pub(in crate::bench) latencies: Vec<Duration>,
    pub(in crate::bench) elapsed: Duration,
}

impl LoopStats {
    pub(in crate::bench) fn error_note(&self) -> String {
        match &self.first_error {
            Some(e) => format!("{} errors, first: {}", self.errors, e),
            None => "0 errors".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&v, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&v[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
        assert_eq!(mean(&v[..3]), Duration::from_millis(2));
    }
}
