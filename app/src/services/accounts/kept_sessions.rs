//! Sessions a process has recently looked up, so that a signed-in page
//! load need not ask the database who is behind the cookie. An entry is
//! used only while nothing about its user has changed since (the listener's
//! [`Freshness`]: a revocation, a re-confirmation, a new role or name,
//! two-factor, memberships, the user's own writes), for at most `TTL`, and
//! never past the session's end.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::PgPool;
use time::OffsetDateTime;

use super::sessions::{self, Resolved};
use crate::domain::CurrentUser;
use crate::services::realtime::Freshness;
use crate::services::tokens::hash_token;

/// The longest an entry is used before the database is asked again (which
/// also extends the session's idle expiry).
pub const TTL: Duration = Duration::from_secs(30);
const CAPACITY: usize = 100_000;

struct Kept {
    resolved: Resolved,
    stamp: u64,
    stored: Instant,
}

#[derive(Default)]
pub struct KeptSessions {
    entries: Mutex<HashMap<Vec<u8>, Kept>>,
}

impl std::fmt::Debug for KeptSessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeptSessions").finish_non_exhaustive()
    }
}

impl KeptSessions {
    /// The user behind a cookie token, as `sessions::resolve`, from memory
    /// when nothing about them may have changed.
    pub async fn resolve(
        &self,
        freshness: &Freshness,
        pool: &PgPool,
        token: &str,
    ) -> Result<Option<CurrentUser>, sqlx::Error> {
        let hash = hash_token(token);
        if let Some(user) = self.kept(freshness, &hash) {
            return Ok(Some(user));
        }
        // Read before the database is: a change arriving meanwhile (a
        // revocation) keeps what is read from being stored.
        let before = freshness.user_changes();
        let resolved = sessions::resolve(pool, token).await?;
        if let (Some(r), Some(before)) = (&resolved, before) {
            // The stamp first: a change landing after it moves the user's
            // counter past it; one landing before moved `user_changes`.
            let stamp = freshness.stamp(r.user.user_id, false);
            if let (Some(stamp), true) = (stamp, freshness.user_changes() == Some(before)) {
                self.store(hash, r.clone(), stamp);
            }
        }
        Ok(resolved.map(|r| r.user))
    }

    fn kept(&self, freshness: &Freshness, hash: &[u8]) -> Option<CurrentUser> {
        let entries = self.entries.lock().ok()?;
        let k = entries.get(hash)?;
        let fresh = freshness.stamp(k.resolved.user.user_id, false) == Some(k.stamp)
            && k.stored.elapsed() < TTL
            && OffsetDateTime::now_utc() < k.resolved.ends_at;
        fresh.then(|| k.resolved.user.clone())
    }

    fn store(&self, hash: Vec<u8>, resolved: Resolved, stamp: u64) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CAPACITY {
            entries.retain(|_, k| k.stored.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            hash,
            Kept {
                resolved,
                stamp,
                stored: Instant::now(),
            },
        );
    }
}
