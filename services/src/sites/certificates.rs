//! Each site's HTTPS certificates as its node serves them (recorded by
//! `checks`): issuer and validity, or why the handshake failed.

use sqlx::PgPool;
use time::OffsetDateTime;

use crate::hosting::access::Access;
use crate::hosting::ServiceError;
use domain::Permission;

/// A host's certificate, as last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub host: String,
    pub issuer: Option<String>,
    pub issued_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub error: Option<String>,
    pub checked_at: OffsetDateTime,
    /// Missing, not valid now, or overdue for renewal
    /// (`certificate_needs_look` in the database).
    pub needs_look: bool,
}

/// The account's certificates, by host.
pub async fn for_account(
    pool: &PgPool,
    access: &Access,
    now: OffsetDateTime,
) -> Result<Vec<Certificate>, ServiceError> {
    access.require(Permission::View)?;
    Ok(sqlx::query_as!(
        Certificate,
        r#"SELECT host, issuer, issued_at, expires_at, error, checked_at,
                  certificate_needs_look(issued_at, expires_at, $2) AS "needs_look!"
           FROM site_certificates WHERE account_id = $1 ORDER BY host"#,
        access.account_id(),
        now
    )
    .fetch_all(pool)
    .await?)
}
