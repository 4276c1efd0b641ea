//! Retry policy: exponential backoff with jitter, honouring `Retry-After`.
//!
//! Design decision: "equal jitter" — the delay for attempt *n* is uniformly drawn from
//! `[d/2, d]` with `d = min(max, base · 2^(n-1))`. Half the delay is guaranteed (so a struggling
//! server gets real relief), the other half spreads clients apart. A server's `Retry-After`
//! (delta-seconds) is a floor, capped at `max_retry_after` so a hostile or broken header cannot
//! park a worker for days. HTTP-date values are treated as absent (we fall back to backoff).

use std::time::Duration;

use rand::Rng as _;

/// A retry policy.
///
/// ```
/// use std::time::Duration;
/// use leakguard::revoke::backoff::Backoff;
/// let b = Backoff { base: Duration::from_millis(100), max: Duration::from_secs(1), ..Backoff::default() };
/// let d = b.delay(3, None);
/// assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400));
/// assert!(b.delay(30, None) <= Duration::from_secs(1));
/// assert_eq!(b.delay(1, Some(Duration::from_secs(2))), Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Delay before the first retry (before jitter).
    pub base: Duration,
    /// Largest delay between two attempts (before `Retry-After`).
    pub max: Duration,
    /// Total attempts, the first one included, before giving up.
    pub max_attempts: u32,
    /// Largest `Retry-After` we honour.
    pub max_retry_after: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_millis(500),
            max: Duration::from_secs(60),
            max_attempts: 6,
            max_retry_after: Duration::from_secs(300),
        }
    }
}

impl Backoff {
    /// Delay before retry number `attempt` (1 = the first retry), at least `retry_after`.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let shift = attempt.saturating_sub(1).min(30);
        let full = self.base.saturating_mul(1u32 << shift).min(self.max);
        let half = full / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
        let jitter = if jitter_ms == 0 {
            Duration::ZERO
        } else {
            Duration::from_millis(rand::thread_rng().gen_range(0..=jitter_ms))
        };
        let backoff = half + jitter;
        match retry_after {
            Some(r) => backoff.max(r.min(self.max_retry_after)),
            None => backoff,
        }
    }
}

/// Parses a `Retry-After` value given in delta-seconds.
///
/// ```
/// use std::time::Duration;
/// use leakguard::revoke::backoff::parse_retry_after;
/// assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
/// ```
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}
