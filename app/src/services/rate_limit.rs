//! Per-account counters in the database (per-IP limits are middleware).

use sqlx::PgConnection;
use time::Duration;

pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window: Duration,
}

pub const PASSWORD_RESET: Limit = Limit {
    bucket: "password_reset",
    max: 3,
    window: Duration::hours(1),
};
pub const VERIFICATION_RESEND: Limit = Limit {
    bucket: "verification_resend",
    max: 3,
    window: Duration::hours(1),
};
pub const SIGN_UP: Limit = Limit {
    bucket: "sign_up",
    max: 10,
    window: Duration::hours(1),
};
/// Invitations sent from one hosting account (each is an email).
pub const INVITATIONS: Limit = Limit {
    bucket: "invitation",
    max: 30,
    window: Duration::hours(1),
};
/// Failed sign-ins per account (counted from `sign_in_attempts`).
pub const FAILED_SIGN_INS: Limit = Limit {
    bucket: "sign_in",
    max: 5,
    window: Duration::minutes(15),
};

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

/// Counts one event for `key`, or refuses when the window is full.
pub async fn hit(
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
    if let Err(wait) = verdict(row.n, row.oldest_age, limit) {
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

/// Refuses sign-in for an account after too many recent failures.
pub async fn sign_in_allowed(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Result<(), RetryAfter>, sqlx::Error> {
    let window_secs = FAILED_SIGN_INS.window.as_seconds_f64();
    let row = sqlx::query!(
        r#"SELECT count(*) AS "n!", EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest_age
           FROM sign_in_attempts
           WHERE lower(email) = lower($1) AND NOT succeeded AND created_at > now() - make_interval(secs => $2)"#,
        email,
        window_secs
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
