//! A cap on how much goes into the log files each day, so that nothing (a flood of
//! refused webhooks, a loop gone wrong) can fill the disk: past the day's budget, lines
//! are dropped and one line says so; the next day starts a fresh budget. With the
//! shell's daily files kept 14 days, the logs never take more than 14 budgets.

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The default daily budget: 16 MiB.
pub const DEFAULT_DAILY_BYTES: u64 = 16 * 1024 * 1024;

/// What has been written today, shared by every writer of one log.
#[derive(Debug)]
pub struct DailyBudget {
    limit: u64,
    state: Mutex<(i64, u64, bool)>,
}

impl DailyBudget {
    /// A budget of `limit` bytes a day (UTC).
    pub fn new(limit: u64) -> Arc<Self> {
        Arc::new(Self { limit, state: Mutex::new((0, 0, false)) })
    }

    /// How much of `len` bytes may be written on `day` (days since the epoch): all of
    /// it, or nothing; and whether the "cap reached" line is due.
    fn take(&self, day: i64, len: u64) -> (bool, bool) {
        let mut s = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if s.0 != day {
            *s = (day, 0, false);
        }
        if s.1.saturating_add(len) <= self.limit {
            s.1 += len;
            return (true, false);
        }
        let announce = !s.2;
        s.2 = true;
        (false, announce)
    }
}

/// A writer that stops writing when the day's budget is spent.
pub struct Capped<W> {
    inner: W,
    budget: Arc<DailyBudget>,
}

impl<W> Capped<W> {
    /// `inner`, within `budget`.
    pub fn new(inner: W, budget: Arc<DailyBudget>) -> Self {
        Self { inner, budget }
    }
}

fn today() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp().div_euclid(86_400)
}

impl<W: Write> Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.budget.take(today(), buf.len() as u64) {
            (true, _) => self.inner.write_all(buf)?,
            (false, true) => self.inner.write_all(
                b"log cap reached: nothing more is written to this file today (see logcap::DEFAULT_DAILY_BYTES)\n",
            )?,
            (false, false) => {}
        }
        // Dropped or written, the caller's line is dealt with.
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_days_budget_lines_are_dropped_with_one_notice_and_the_next_day_starts_afresh() {
        let budget = DailyBudget::new(100);
        let line = [b'x'; 30];
        let results: Vec<(bool, bool)> = (0..6).map(|_| budget.take(1, line.len() as u64)).collect();
        assert_eq!(
            results,
            [(true, false), (true, false), (true, false), (false, true), (false, false), (false, false)],
            "three lines fit in 100 bytes; one notice, then silence"
        );
        assert_eq!(budget.take(2, 30), (true, false), "a new day");

        let mut out = Vec::new();
        let mut w = Capped::new(&mut out, DailyBudget::new(10));
        for _ in 0..1000 {
            w.write_all(b"0123456789abcdef\n").unwrap();
        }
        assert!(out.len() < 200, "{} bytes written past a 10-byte budget", out.len());
        assert!(String::from_utf8_lossy(&out).contains("log cap reached"));
    }
}
