//! When and how long to wait before trying a request again, as the contract says:
//! retry only network errors and 408, 429, 500, 502, 503, 504 (never 409); at most 3
//! retries; `Retry-After` when present, capped at 60 s; otherwise
//! `min(0.5 s × 2^attempt, 8 s)` reduced by a random 0–25 % jitter.

use std::time::Duration;

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

/// Parses a `Retry-After` header given in seconds. (The HTTP-date form is not used by
/// this API; a value that is not a number is ignored and backoff applies.)
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn only_the_contracts_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 413, 415, 422, 501] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }
}
