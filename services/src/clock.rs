//! The time the app decides by (step-up age, pending sign-ins, TOTP codes).
//! Production reads the system clock; tests move it forward to check what
//! happens later without waiting.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use time::{Duration, OffsetDateTime};

/// The system clock plus a shift that only tests set. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    shift_secs: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.shift_secs.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward; for tests.
    pub fn advance(&self, by: Duration) {
        self.shift_secs.fetch_add(by.whole_seconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_shift() {
        let clock = Clock::system();
        let seen_by_app = clock.clone();
        let before = seen_by_app.now();
        clock.advance(Duration::minutes(11));
        let moved = seen_by_app.now() - before;
        assert!(
            moved >= Duration::minutes(11) && moved < Duration::minutes(12),
            "{moved}"
        );
    }
}
