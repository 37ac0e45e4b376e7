//! Change counters the listeners move before an event is handed on, so a
//! cache (kept sessions, kept pages) can tell whether what it kept for a
//! user may have changed since. Users share 256 counters: a neighbour's
//! change only costs a miss.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::Delivery;

/// How often each process proves its listening connections alive.
pub(super) const HEARTBEAT: Duration = Duration::from_secs(5);
/// A listener not heard from this long may be talking to a dead socket.
const SILENCE: Duration = Duration::from_secs(15);

/// The two listening connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    Events,
    Users,
}

#[derive(Default)]
struct Listening {
    up: AtomicBool,
    /// Milliseconds after `Freshness::born` the last notification came.
    heard_ms: AtomicU64,
}

pub struct Freshness {
    per_user: [AtomicU64; 256],
    staff: AtomicU64,
    everyone: AtomicU64,
    /// Moves with every user change: a session read from the database is
    /// kept only if no change arrived while it was read.
    users: AtomicU64,
    events_listener: Listening,
    users_listener: Listening,
    born: Instant,
}

impl Freshness {
    pub(super) fn new() -> Self {
        Self {
            per_user: std::array::from_fn(|_| AtomicU64::new(0)),
            staff: AtomicU64::new(0),
            everyone: AtomicU64::new(0),
            users: AtomicU64::new(0),
            events_listener: Listening::default(),
            users_listener: Listening::default(),
            born: Instant::now(),
        }
    }

    fn counter(&self, user: Uuid) -> &AtomicU64 {
        &self.per_user[(user.as_u128() & 0xff) as usize]
    }

    fn listener(&self, which: Which) -> &Listening {
        match which {
            Which::Events => &self.events_listener,
            Which::Users => &self.users_listener,
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.born.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Both listeners are up and were heard from lately: no change can have
    /// gone unannounced.
    fn live(&self) -> bool {
        let now = self.now_ms();
        [&self.events_listener, &self.users_listener].iter().all(|l| {
            l.up.load(Ordering::Acquire)
                && now.saturating_sub(l.heard_ms.load(Ordering::Acquire)) < SILENCE.as_millis() as u64
        })
    }

    /// Where a user's data stands; it changes whenever something they may
    /// see changes. None while a change could go unheard.
    pub fn stamp(&self, user: Uuid, staff: bool) -> Option<u64> {
        if !self.live() {
            return None;
        }
        // A sum of counters that only grow changes when any of them does.
        let mut stamp = self.everyone.load(Ordering::Acquire) + self.counter(user).load(Ordering::Acquire);
        if staff {
            stamp += self.staff.load(Ordering::Acquire);
        }
        Some(stamp)
    }

    /// Where user changes stand, or None while a change could go unheard.
    pub fn user_changes(&self) -> Option<u64> {
        self.live()
            .then(|| self.users.load(Ordering::Acquire) + self.everyone.load(Ordering::Acquire))
    }

    /// The user changed something through this process: their next page
    /// must not wait for the change's announcement to come round.
    pub fn touched(&self, user: Uuid) {
        self.counter(user).fetch_add(1, Ordering::AcqRel);
    }

    /// A change to what `user` may do or see (`USERS_CHANNEL`).
    pub(super) fn user_changed(&self, user: Uuid) {
        self.users.fetch_add(1, Ordering::AcqRel);
        self.counter(user).fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn changed(&self, d: &Delivery) {
        for user in d.user_id.iter().chain(&d.members) {
            self.counter(*user).fetch_add(1, Ordering::AcqRel);
        }
        if d.staff || d.account_id.is_some() {
            self.staff.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Something changed for someone unknown: nothing kept is fresh.
    pub(super) fn forget_all(&self) {
        self.everyone.fetch_add(1, Ordering::AcqRel);
        self.users.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn heard(&self, which: Which) {
        self.listener(which)
            .heard_ms
            .store(self.now_ms(), Ordering::Release);
    }

    /// A listener (re)started or stopped: what was kept before may have
    /// missed changes either way.
    pub(super) fn listening(&self, which: Which, up: bool) {
        self.forget_all();
        self.heard(which);
        self.listener(which).up.store(up, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery() -> Delivery {
        Delivery {
            id: 1,
            kind: "usage".into(),
            account_id: Some(Uuid::from_u128(7)),
            user_id: None,
            staff: false,
            members: vec![Uuid::from_u128(1)],
            ticket: None,
        }
    }

    fn listening(fresh: &Freshness, up: bool) {
        fresh.listening(Which::Events, up);
        fresh.listening(Which::Users, up);
    }

    #[test]
    fn a_users_stamp_moves_with_what_they_may_see_and_nothing_else() {
        let fresh = Freshness::new();
        let (member, stranger, staff) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        assert_eq!(
            fresh.stamp(member, false),
            None,
            "not listening yet: nothing is fresh"
        );
        fresh.listening(Which::Events, true);
        assert_eq!(fresh.stamp(member, false), None, "user changes are not heard yet");
        fresh.listening(Which::Users, true);
        let before = |u| fresh.stamp(u, false);
        let (m, s, st) = (before(member), before(stranger), fresh.stamp(staff, true));

        fresh.changed(&delivery());
        assert_ne!(fresh.stamp(member, false), m, "the member's account changed");
        assert_eq!(fresh.stamp(stranger, false), s, "the stranger saw nothing");
        assert_ne!(fresh.stamp(staff, true), st, "staff see every account");

        let s = fresh.stamp(stranger, false);
        let users = fresh.user_changes();
        fresh.user_changed(stranger);
        assert_ne!(
            fresh.stamp(stranger, false),
            s,
            "their session or membership changed"
        );
        assert_ne!(fresh.user_changes(), users);

        let s = fresh.stamp(stranger, false);
        fresh.touched(stranger);
        assert_ne!(fresh.stamp(stranger, false), s, "their own write");

        let m = fresh.stamp(member, false);
        listening(&fresh, false);
        assert_eq!(fresh.stamp(member, false), None, "events may be missed meanwhile");
        listening(&fresh, true);
        assert_ne!(
            fresh.stamp(member, false),
            m,
            "and were: nothing kept before is fresh"
        );
    }

    #[test]
    fn a_listener_not_heard_from_lately_counts_as_down() {
        let mut fresh = Freshness::new();
        listening(&fresh, true);
        assert!(fresh.stamp(Uuid::from_u128(1), false).is_some());
        // As if both were last heard from a minute ago.
        fresh.born = Instant::now().checked_sub(Duration::from_secs(60)).unwrap();
        assert_eq!(fresh.stamp(Uuid::from_u128(1), false), None);
        fresh.heard(Which::Events);
        assert_eq!(fresh.stamp(Uuid::from_u128(1), false), None, "one of two");
        fresh.heard(Which::Users);
        assert!(fresh.stamp(Uuid::from_u128(1), false).is_some());
    }
}
