//! When and how long to wait before trying a request again, as the contract says:
//! retry only network errors and 408, 429, 500, 502, 503, 504 (never 409); at most 3
//! retries; `Retry-After` when present, capped at 60 s; otherwise
//! `min(0.5 s × 2^attempt, 8 s)` reduced by a random 0–25 % jitter.

use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The retry policy. [`RetryPolicy::default`] is the contract's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Backoff for the first retry.
    pub base: Duration,
    /// Largest computed backoff.
    pub max_backoff: Duration,
    /// Largest wait a `Retry-After` may ask for.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

/// Whether a response status may be retried.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

impl RetryPolicy {
    /// The delay before retry number `attempt` (0 for the first retry). `retry_after`
    /// is the server's `Retry-After`, in seconds, if it sent one; `jitter` is a number
    /// in `[0, 1)` (random in production, fixed in tests).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        if let Some(ra) = retry_after {
            return ra.min(self.retry_after_cap);
        }
        let exp = self.base.saturating_mul(2u32.saturating_pow(attempt.min(16)));
        let backoff = exp.min(self.max_backoff);
        backoff.mul_f64(1.0 - 0.25 * jitter.clamp(0.0, 1.0))
    }
}

/// The largest `Retry-After` read as such (a day); a larger number is read as this,
/// and the policy's cap (60 s) then applies. Keeps a hostile value such as `1e30`
/// from overflowing the conversion to a [`Duration`].
pub const RETRY_AFTER_CEILING: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses a `Retry-After` header given in seconds. (The HTTP-date form is not used by
/// this API; a value that is not a number is ignored and backoff applies.) Values past
/// [`RETRY_AFTER_CEILING`] are clamped to it.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs = value.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0)?;
    Duration::try_from_secs_f64(secs.min(RETRY_AFTER_CEILING.as_secs_f64())).ok()
}

/// What one attempt came to.
#[derive(Debug)]
pub enum Attempt<T> {
    /// Final: return this.
    Done(Result<T, crate::Error>),
    /// Worth another try (network error, 408/429/5xx). `outcome` is what to return if
    /// no retries are left; `retry_after` is the server's `Retry-After`.
    Retry {
        /// Returned when this was the last attempt.
        outcome: Result<T, crate::Error>,
        /// The server's `Retry-After`.
        retry_after: Option<Duration>,
    },
}

/// Runs `attempt` (given the attempt number, from 0) until it is done or the policy's
/// retries are spent, sleeping between tries as the policy says. A cancelled `cancel`
/// ends it at once, during an attempt or a sleep, with [`crate::Error::Cancelled`].
/// `on_retry` hears of every retry and its delay (for counters and logs).
pub async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    cancel: Option<&CancellationToken>,
    mut attempt: F,
    mut on_retry: impl FnMut(u32, Duration),
) -> Result<T, crate::Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Attempt<T>>,
{
    let never = CancellationToken::new();
    let cancel = cancel.unwrap_or(&never);
    let mut n = 0;
    loop {
        let outcome = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(crate::Error::Cancelled),
            a = attempt(n) => a,
        };
        let retry_after = match outcome {
            Attempt::Done(r) => return r,
            Attempt::Retry { outcome, .. } if n >= policy.max_retries => return outcome,
            Attempt::Retry { retry_after, .. } => retry_after,
        };
        let delay = policy.delay(n, retry_after, fastrand::f64());
        on_retry(n, delay);
        tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(crate::Error::Cancelled),
            () = tokio::time::sleep(delay) => {}
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio::time::Instant;

    fn unavailable() -> crate::Error {
        crate::Error::Api(Box::new(crate::ApiError::from_response(503, None, b"")))
    }

    #[tokio::test(start_paused = true)]
    async fn retries_three_times_with_backoff_then_gives_the_last_error() {
        let calls = Arc::new(AtomicU32::new(0));
        let c = calls.clone();
        let start = Instant::now();
        let mut delays = Vec::new();
        let r: Result<(), _> = run(
            &RetryPolicy::default(),
            None,
            |_| {
                c.fetch_add(1, Ordering::SeqCst);
                async { Attempt::Retry { outcome: Err(unavailable()), retry_after: None } }
            },
            |_, d| delays.push(d),
        )
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 4, "the first try and 3 retries");
        assert_eq!(r.unwrap_err().api().unwrap().status, 503);
        // 0.5 s, 1 s, 2 s, each shortened by at most 25 % jitter.
        for (d, full) in delays.iter().zip([500u64, 1000, 2000]) {
            assert!(d.as_millis() as u64 <= full && d.as_millis() as u64 >= full * 3 / 4, "{d:?} vs {full} ms");
        }
        // It slept the delays, each rounded up to the timer's 1 ms resolution.
        let (slept, asked) = (start.elapsed(), delays.iter().sum::<Duration>());
        assert!(slept >= asked && slept - asked <= Duration::from_millis(3), "slept {slept:?} for {asked:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_honoured_and_capped() {
        let start = Instant::now();
        let r = run(
            &RetryPolicy::default(),
            None,
            |n| async move {
                if n == 0 {
                    Attempt::Retry { outcome: Err(unavailable()), retry_after: Some(Duration::from_secs(600)) }
                } else {
                    Attempt::Done(Ok(n))
                }
            },
            |_, _| {},
        )
        .await;
        assert_eq!(r.unwrap(), 1);
        assert_eq!(start.elapsed(), Duration::from_secs(60), "Retry-After capped at 60 s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_final_outcome_is_not_retried() {
        let calls = AtomicU32::new(0);
        let r: Result<(), _> = run(
            &RetryPolicy::default(),
            None,
            |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    Attempt::Done(Err(crate::Error::Api(Box::new(crate::ApiError::from_response(409, None, b"")))))
                }
            },
            |_, _| {},
        )
        .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_ends_a_backoff_sleep_at_once() {
        let cancel = CancellationToken::new();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            c2.cancel();
        });
        let start = Instant::now();
        let r: Result<(), _> = run(
            &RetryPolicy::default(),
            Some(&cancel),
            |_| async { Attempt::Retry { outcome: Err(unavailable()), retry_after: Some(Duration::from_secs(30)) } },
            |_, _| {},
        )
        .await;
        assert!(matches!(r, Err(crate::Error::Cancelled)));
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[test]
    fn backoff_doubles_and_caps_and_jitter_only_shortens() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, None, 0.0), Duration::from_millis(500));
        assert_eq!(p.delay(1, None, 0.0), Duration::from_secs(1));
        assert_eq!(p.delay(2, None, 0.0), Duration::from_secs(2));
        assert_eq!(p.delay(5, None, 0.0), Duration::from_secs(8));
        assert_eq!(p.delay(30, None, 0.0), Duration::from_secs(8));
        assert_eq!(p.delay(0, None, 0.999_999).as_millis(), 375);
        assert_eq!(p.delay(2, None, 0.5), Duration::from_millis(1750));
    }

    #[test]
    fn retry_after_wins_and_is_capped_at_60s() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, Some(Duration::from_secs(7)), 0.9), Duration::from_secs(7));
        assert_eq!(p.delay(0, Some(Duration::from_secs(3600)), 0.0), Duration::from_secs(60));
        assert_eq!(parse_retry_after(" 12 "), Some(Duration::from_secs(12)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn a_hostile_retry_after_is_clamped_not_a_panic() {
        assert_eq!(parse_retry_after("1e30"), Some(RETRY_AFTER_CEILING));
        assert_eq!(parse_retry_after("18446744073709551616"), Some(RETRY_AFTER_CEILING));
        assert_eq!(parse_retry_after(&f64::MAX.to_string()), Some(RETRY_AFTER_CEILING));
        for not_a_delay in ["inf", "-inf", "NaN", "1e400", "-0.5", ""] {
            assert_eq!(parse_retry_after(not_a_delay), None, "{not_a_delay}");
        }
        assert_eq!(parse_retry_after("0.25"), Some(Duration::from_millis(250)));
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, parse_retry_after("1e30"), 0.0), Duration::from_secs(60));
    }

    #[test]
    fn only_the_contracts_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 413, 415, 422, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }
}
