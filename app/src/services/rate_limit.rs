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
/// Failed sign-ins per account (counted from `sign_in_attempts`).
pub const FAILED_SIGN_INS: Limit = Limit {
    bucket: "sign_in",
    max: 5,
    window: Duration::minutes(15),
};

/// Seconds until the caller may try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

fn retry_after(oldest_age_secs: f64, window: Duration) -> RetryAfter {
    RetryAfter((window.as_seconds_f64() - oldest_age_secs).ceil().max(1.0) as u64)
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
    if row.n >= limit.max {
        return Ok(Err(retry_after(row.oldest_age.unwrap_or(0.0), limit.window)));
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
    if row.n >= FAILED_SIGN_INS.max {
        return Ok(Err(retry_after(
            row.oldest_age.unwrap_or(0.0),
            FAILED_SIGN_INS.window,
        )));
    }
    Ok(Ok(()))
}
