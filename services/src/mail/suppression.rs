//! Addresses no longer mailed after a hard bounce or a complaint. Security
//! mail (password resets, sign-in alerts, email changes) still goes: it
//! is how a person gets back in. The owner sees why on their settings page
//! and can ask for mail again once their mailbox works.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

use domain::mail::SuppressionReason;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub address: String,
    pub reason: SuppressionReason,
    pub detail: Option<String>,
    pub since: OffsetDateTime,
}

/// Suppresses an address (a later reason replaces an earlier one).
pub async fn add(
    conn: &mut PgConnection,
    address: &str,
    reason: SuppressionReason,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    let detail = detail.map(|d| d.chars().take(500).collect::<String>());
    sqlx::query!(
        r#"INSERT INTO email_suppressions (address, reason, detail) VALUES (lower($1), $2, $3)
           ON CONFLICT (address) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail,
               created_at = now()"#,
        address,
        reason as SuppressionReason,
        detail
    )
    .execute(conn)
    .await?;
    tracing::info!(reason = reason.as_str(), "address suppressed");
    Ok(())
}

pub async fn find(pool: &PgPool, address: &str) -> Result<Option<Suppression>, sqlx::Error> {
    sqlx::query_as!(
        Suppression,
        r#"SELECT address, reason AS "reason: SuppressionReason", detail, created_at AS since
           FROM email_suppressions WHERE address = lower($1)"#,
        address
    )
    .fetch_optional(pool)
    .await
}

pub async fn is_suppressed(conn: &mut PgConnection, address: &str) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM email_suppressions WHERE address = lower($1)) AS "found!""#,
        address
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// The owner says their mailbox works again; true when one was lifted.
pub async fn lift(pool: &PgPool, address: &str) -> Result<bool, sqlx::Error> {
    let lifted = sqlx::query!(
        "DELETE FROM email_suppressions WHERE address = lower($1)",
        address
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(lifted > 0)
}
