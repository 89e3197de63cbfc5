//! Waiting for something the server does in the background.

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` every 50 ms until it holds; panics after `secs` seconds.
pub async fn eventually<F, Fut>(secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not met within {secs}s");
}
