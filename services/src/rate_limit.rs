//! Counters in the database that bound what one user, address or network
//! can do (per-IP request limits are middleware, see `api::auth`).

use sqlx::PgConnection;
use time::Duration;

/// A window and how many events it holds for one key.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window: Duration,
}

impl Limit {
    pub const fn per_hour(bucket: &'static str, max: i64) -> Self {
        Self {
            bucket,
            max,
            window: Duration::hours(1),
        }
    }
}

/// Reset links emailed to one address.
pub const PASSWORD_RESET: Limit = Limit::per_hour("password_reset", 3);
/// Verification links emailed again to one address.
pub const VERIFICATION_RESEND: Limit = Limit::per_hour("verification_resend", 3);
/// Invitations sent from one hosting account (each is an email).
pub const INVITATIONS_PER_ACCOUNT: Limit = Limit::per_hour("invitation", 30);
/// Domain searches one user makes (each asks the registrar, whose API
/// allows only so many calls an hour).
pub const DOMAIN_SEARCHES: Limit = Limit::per_hour("domain_search", 100);
/// Searches for other free names when one is taken, per user.
pub const DOMAIN_SUGGESTIONS: Limit = Limit::per_hour("domain_suggest", 100);
/// Failed sign-ins per account (counted from `sign_in_attempts`).
pub const FAILED_SIGN_INS: Limit = Limit {
    bucket: "sign_in",
    max: 5,
    window: Duration::minutes(15),
};

/// The platform's configurable limits on what one user or network may do:
/// each email the portal sends for someone is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sign-ups from one network (IPv4 address or IPv6 /64) per hour.
    pub sign_ups_per_network_hour: i64,
    /// Invitations one user sends per day, across all their accounts.
    pub invitations_per_user_day: i64,
    /// Email-change requests per user per hour (each sends two emails).
    pub email_changes_per_user_hour: i64,
    /// Hosting accounts a customer may hold as owner (staff are exempt).
    pub hosting_accounts_per_user: i64,
    /// Support tickets one user opens per hour.
    pub tickets_per_user_hour: i64,
    /// Replies one customer writes per hour, across their tickets.
    pub ticket_replies_per_user_hour: i64,
    /// Bytes of ticket attachments one customer may keep, and all
    /// customers on tickets about one hosting account.
    pub attachment_bytes_per_user: i64,
    pub attachment_bytes_per_account: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_ups_per_network_hour: 10,
            invitations_per_user_day: 100,
            email_changes_per_user_hour: 3,
            hosting_accounts_per_user: 20,
            tickets_per_user_hour: 10,
            ticket_replies_per_user_hour: 60,
            attachment_bytes_per_user: 200 * 1_048_576,
            attachment_bytes_per_account: 1000 * 1_048_576,
        }
    }
}

impl Limits {
    pub fn sign_ups(&self) -> Limit {
        Limit::per_hour("sign_up", self.sign_ups_per_network_hour)
    }

    pub fn invitations_per_user(&self) -> Limit {
        Limit {
            bucket: "invitation_by_user",
            max: self.invitations_per_user_day,
            window: Duration::days(1),
        }
    }

    pub fn email_changes(&self) -> Limit {
        Limit::per_hour("email_change", self.email_changes_per_user_hour)
    }

    pub fn tickets(&self) -> Limit {
        Limit::per_hour("ticket", self.tickets_per_user_hour)
    }

    pub fn ticket_replies(&self) -> Limit {
        Limit::per_hour("ticket_reply", self.ticket_replies_per_user_hour)
    }
}

/// Seconds until the caller may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

/// Allowed while fewer than `max` events are in the window; otherwise wait
/// until the oldest of them leaves it.
fn verdict(count: i64, oldest_age_secs: Option<f64>, limit: &Limit) -> Result<(), RetryAfter> {
    if count < limit.max {
        return Ok(());
    }
    let wait = limit.window.as_seconds_f64() - oldest_age_secs.unwrap_or(0.0);
    Err(RetryAfter(wait.ceil().max(1.0) as u64))
}

/// Counts one event for `key`, or refuses when the window is full. Checks
/// and counts under a lock on the key, so concurrent requests cannot all
/// pass the check (the lock lasts until the caller's transaction ends).
pub async fn hit(
    conn: &mut PgConnection,
    limit: &Limit,
    key: &str,
) -> Result<Result<(), RetryAfter>, sqlx::Error> {
    let key = key.to_lowercase();
    lock(&mut *conn, limit.bucket, &key).await?;
    if let Err(wait) = peek(&mut *conn, limit, &key).await? {
        return Ok(Err(wait));
    }
    sqlx::query!(
        "INSERT INTO rate_limit_events (bucket, key) VALUES ($1, $2)",
        limit.bucket,
        key
    )
    .execute(&mut *conn)
    .await?;
    Ok(Ok(()))
}

/// Whether one more event for `key` would be allowed now, counting
/// nothing: to refuse before costly work (reading an upload); `hit` decides
/// with it, under its lock.
pub async fn peek(
    conn: &mut PgConnection,
    limit: &Limit,
    key: &str,
) -> Result<Result<(), RetryAfter>, sqlx::Error> {
    let key = key.to_lowercase();
    let window_secs = limit.window.as_seconds_f64();
    let row = sqlx::query!(
        r#"SELECT count(*) AS "n!", EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest_age
           FROM rate_limit_events
           WHERE bucket = $1 AND key = $2 AND created_at > now() - make_interval(secs => $3)"#,
        limit.bucket,
        key,
        window_secs
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(verdict(row.n, row.oldest_age, limit))
}

/// A transaction-scoped lock on one (bucket, key): the check-then-act
/// steps of limits and of the sign-in pause run one at a time per key.
pub async fn lock(conn: &mut PgConnection, bucket: &str, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        format!("{bucket}:{}", key.to_lowercase())
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Which failed sign-ins count towards a pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempts {
    /// Failures from browsers the account has not signed in from (no
    /// valid device cookie): these pause the account.
    UnknownDevices,
    /// Failures from one browser that signed in before: an attacker
    /// elsewhere cannot lock it out.
    Device(uuid::Uuid),
}

/// Refuses sign-in for an account after too many recent failures of the
/// same kind (see `Attempts`).
pub async fn sign_in_allowed(
    conn: &mut PgConnection,
    email: &str,
    from: Attempts,
) -> Result<Result<(), RetryAfter>, sqlx::Error> {
    let window_secs = FAILED_SIGN_INS.window.as_seconds_f64();
    let device = match from {
        Attempts::UnknownDevices => None,
        Attempts::Device(id) => Some(id),
    };
    let row = sqlx::query!(
        r#"SELECT count(*) AS "n!", EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest_age
           FROM sign_in_attempts
           WHERE lower(email) = lower($1) AND NOT succeeded
             AND created_at > now() - make_interval(secs => $2)
             AND device_id IS NOT DISTINCT FROM $3"#,
        email,
        window_secs,
        device
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(verdict(row.n, row.oldest_age, &FAILED_SIGN_INS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_waits_for_its_oldest_event_to_leave() {
        assert_eq!(verdict(4, Some(10.0), &FAILED_SIGN_INS), Ok(()));
        assert_eq!(
            verdict(5, Some(60.0), &FAILED_SIGN_INS),
            Err(RetryAfter(15 * 60 - 60))
        );
        assert_eq!(verdict(5, Some(899.5), &FAILED_SIGN_INS), Err(RetryAfter(1)));
    }
}

/// The key a network is limited by: an IPv4 address, or the /64 an IPv6
/// address belongs to (one customer line gets a whole /64, so per-address
/// buckets would be free to multiply).
pub fn network_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod network_tests {
    use super::network_key;

    #[test]
    fn ipv6_addresses_share_their_64() {
        assert_eq!(network_key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(network_key("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
        assert_ne!(network_key("2001:db8:1:3::1"), network_key("2001:db8:1:2::1"));
        assert_eq!(network_key("203.0.113.7"), "203.0.113.7");
    }
}
