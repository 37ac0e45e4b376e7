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
}

impl Certificate {
    /// Valid now, and not past the point where it should have been
    /// renewed: Caddy renews with a third of its life left (90-day ACME
    /// certificates at 30 days, its own 12-hour ones at 4 hours).
    pub fn healthy(&self, now: OffsetDateTime) -> bool {
        match (self.issued_at, self.expires_at) {
            (Some(start), Some(end)) => start <= now && now < end - (end - start) / 3,
            _ => false,
        }
    }
}

/// The account's certificates, by host.
pub async fn for_account(pool: &PgPool, access: &Access) -> Result<Vec<Certificate>, ServiceError> {
    access.require(Permission::View)?;
    Ok(sqlx::query_as!(
        Certificate,
        "SELECT host, issuer, issued_at, expires_at, error, checked_at FROM site_certificates
         WHERE account_id = $1 ORDER BY host",
        access.account_id()
    )
    .fetch_all(pool)
    .await?)
}
