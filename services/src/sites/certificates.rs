//! Each site's HTTPS certificates as its node serves them: the agent
//! checks every host it serves and reports issuer and expiry, or why the
//! handshake failed; the account page shows them.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::hosting::access::Access;
use crate::hosting::ServiceError;
use domain::sites::SitesReport;
use domain::Permission;

/// Host names one report may hold for a site.
const MAX_HOSTS: usize = 200;

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

/// Stores what `node` found; sites that are not its own are ignored.
/// Answers how many sites were recorded.
#[tracing::instrument(skip_all, fields(%node, sites = report.sites.len()))]
pub async fn record(
    pool: &PgPool,
    node: Uuid,
    report: &SitesReport,
    now: OffsetDateTime,
) -> sqlx::Result<usize> {
    let mut tx = pool.begin().await?;
    let own: Vec<Uuid> = sqlx::query_scalar!("SELECT id FROM hosting_accounts WHERE node_id = $1", node)
        .fetch_all(&mut *tx)
        .await?;
    let mut recorded = 0;
    for site in report.sites.iter().filter(|s| own.contains(&s.id)) {
        let certs = &site.certificates[..site.certificates.len().min(MAX_HOSTS)];
        let hosts: Vec<String> = certs.iter().map(|c| c.host.chars().take(253).collect()).collect();
        let issuers: Vec<Option<String>> = certs
            .iter()
            .map(|c| c.issuer.as_ref().map(|i| i.chars().take(200).collect()))
            .collect();
        let time = |t: Option<i64>| t.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
        let starts: Vec<Option<OffsetDateTime>> = certs.iter().map(|c| time(c.issued_at)).collect();
        let expiries: Vec<Option<OffsetDateTime>> = certs.iter().map(|c| time(c.expires_at)).collect();
        let errors: Vec<Option<String>> = certs
            .iter()
            .map(|c| c.error.as_ref().map(|e| e.chars().take(500).collect()))
            .collect();
        sqlx::query!("DELETE FROM site_certificates WHERE account_id = $1", site.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            r#"INSERT INTO site_certificates (account_id, host, issuer, issued_at, expires_at, error, checked_at)
               SELECT $1, h, i, s, e, x, $7
               FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[]) AS r(h, i, s, e, x)
               WHERE h <> ''
               ON CONFLICT (account_id, host) DO NOTHING"#,
            site.id,
            &hosts,
            &issuers as &[Option<String>],
            &starts as &[Option<OffsetDateTime>],
            &expiries as &[Option<OffsetDateTime>],
            &errors as &[Option<String>],
            now
        )
        .execute(&mut *tx)
        .await?;
        recorded += 1;
    }
    tx.commit().await?;
    Ok(recorded)
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
