//! What the agents find of their sites each minute: each site's health
//! (its home page's answer through the node's Caddy), any error serving it
//! as asked, and each host's certificate. The latest report replaces the
//! last; the account page, the dashboard and staff read them.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::hosting::access::Access;
use crate::hosting::ServiceError;
use domain::sites::{SiteReport, SitesReport};
use domain::Permission;

/// Host names one report may hold for a site.
const MAX_HOSTS: usize = 200;

/// A site's health, as last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub up: bool,
    pub status: Option<i32>,
    pub millis: i32,
    pub error: Option<String>,
    /// Why the node could not serve the site as asked.
    pub site_error: Option<String>,
    pub checked_at: OffsetDateTime,
    /// The portal's check through the node's public address, once made.
    pub outside_up: Option<bool>,
    pub outside_status: Option<i32>,
    pub outside_error: Option<String>,
    pub outside_checked_at: Option<OffsetDateTime>,
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
        certificates(&mut tx, site, now).await?;
        health(&mut tx, site, now).await?;
        recorded += 1;
    }
    let removed = &report.removed[..report.removed.len().min(10_000)];
    let done = sqlx::query!(
        "UPDATE site_removals SET done_at = $3
         WHERE node_id = $1 AND account_id = ANY($2) AND done_at IS NULL AND due_at <= $3",
        node,
        removed,
        now
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done > 0 {
        tracing::info!(done, "sites removed from the node");
    }
    tx.commit().await?;
    Ok(recorded)
}

async fn certificates(tx: &mut PgConnection, site: &SiteReport, now: OffsetDateTime) -> sqlx::Result<()> {
    let certs = &site.certificates[..site.certificates.len().min(MAX_HOSTS)];
    let text = |t: &Option<String>, max: usize| t.as_ref().map(|t| t.chars().take(max).collect::<String>());
    let time = |t: Option<i64>| t.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok());
    let hosts: Vec<String> = certs.iter().map(|c| c.host.chars().take(253).collect()).collect();
    let issuers: Vec<Option<String>> = certs.iter().map(|c| text(&c.issuer, 200)).collect();
    let starts: Vec<Option<OffsetDateTime>> = certs.iter().map(|c| time(c.issued_at)).collect();
    let expiries: Vec<Option<OffsetDateTime>> = certs.iter().map(|c| time(c.expires_at)).collect();
    let errors: Vec<Option<String>> = certs.iter().map(|c| text(&c.error, 500)).collect();
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
    Ok(())
}

async fn health(tx: &mut PgConnection, site: &SiteReport, now: OffsetDateTime) -> sqlx::Result<()> {
    let Some(h) = &site.health else {
        // Not checked (suspended): nothing to say of it.
        sqlx::query!("DELETE FROM site_health WHERE account_id = $1", site.id)
            .execute(&mut *tx)
            .await?;
        return Ok(());
    };
    let status = h.status.filter(|s| (100..=599).contains(s)).map(i32::from);
    let cut = |t: &Option<String>| t.as_ref().map(|t| t.chars().take(500).collect::<String>());
    sqlx::query!(
        "INSERT INTO site_health (account_id, up, status, millis, error, site_error, checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (account_id) DO UPDATE SET up = $2, status = $3, millis = $4, error = $5,
             site_error = $6, checked_at = $7",
        site.id,
        h.up(),
        status,
        i32::try_from(h.millis).unwrap_or(i32::MAX),
        cut(&h.error),
        cut(&site.error),
        now
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The account's site health, if its node has looked.
pub async fn health_of(pool: &PgPool, access: &Access) -> Result<Option<Health>, ServiceError> {
    access.require(Permission::View)?;
    Ok(sqlx::query_as!(
        Health,
        "SELECT up, status, millis, error, site_error, checked_at, outside_up, outside_status, outside_error,
                outside_checked_at
         FROM site_health WHERE account_id = $1",
        access.account_id()
    )
    .fetch_optional(pool)
    .await?)
}
