//! Platform-wide lists for staff: every hosting account across customers
//! (with its owner, plan, node and storage) and every DNS zone, each with
//! filters and pages; and how many sessions are open. Read-only; any
//! staff role may look.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::failure::ServiceError;
use crate::Actor;
use domain::{AccountStatus, StaffPermission};

/// Rows per page of either list.
pub const PAGE_SIZE: i64 = 50;
/// The last page offered (narrow the filter beyond it).
pub const MAX_PAGE: i64 = 200;

fn pattern(text: &str) -> String {
    crate::search::contains(&crate::search::typed(text, 100))
}

/// What the accounts list is narrowed to ("" is any).
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Part of the account's name or domain, or of its owner's email.
    pub text: String,
    pub status: Option<AccountStatus>,
    /// A plan's code.
    pub plan: String,
    /// A region's code.
    pub region: String,
    /// A node's name, or "none" for accounts waiting for one.
    pub node: String,
    pub page: i64,
}

#[derive(Debug, Clone)]
pub struct PlatformAccount {
    pub id: Uuid,
    pub name: String,
    pub primary_domain: String,
    pub status: AccountStatus,
    pub plan: String,
    pub region: String,
    pub node: Option<String>,
    pub owner_id: Option<Uuid>,
    pub owner_email: Option<String>,
    pub storage_bytes: i64,
    pub created_at: OffsetDateTime,
}

/// A page of accounts and whether another follows.
pub struct Listed<T> {
    pub rows: Vec<T>,
    pub page: i64,
    pub has_next: bool,
}

fn listed<T>(mut rows: Vec<T>, page: i64) -> Listed<T> {
    let has_next = rows.len() as i64 > PAGE_SIZE && page < MAX_PAGE;
    rows.truncate(PAGE_SIZE as usize);
    Listed { rows, page, has_next }
}

#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn accounts(
    pool: &PgPool,
    actor: &Actor,
    f: &AccountFilter,
) -> Result<Listed<PlatformAccount>, ServiceError> {
    actor.require_staff(StaffPermission::Look)?;
    let page = f.page.clamp(1, MAX_PAGE);
    let text = f.text.trim();
    let rows = sqlx::query_as!(
        PlatformAccount,
        r#"SELECT a.id, a.name, a.primary_domain, a.status AS "status: AccountStatus", p.name AS plan,
                  a.region, n.name AS "node?", o.user_id AS "owner_id?", u.email AS "owner_email?",
                  coalesce(l.storage_bytes, 0)::int8 AS "storage_bytes!", a.created_at
           FROM hosting_accounts a
           JOIN plans p ON p.id = a.plan_id
           LEFT JOIN node_tokens n ON n.id = a.node_id
           LEFT JOIN hosting_members o ON o.account_id = a.id AND o.role = 'owner'
           LEFT JOIN users u ON u.id = o.user_id
           LEFT JOIN usage_latest l ON l.account_id = a.id
           WHERE ($1 = '' OR lower(a.name) LIKE $2 OR a.primary_domain LIKE $2 OR lower(u.email) LIKE $2)
             AND ($3::text IS NULL OR a.status = $3)
             AND ($4 = '' OR p.code = $4)
             AND ($5 = '' OR a.region = $5)
             AND ($6 = '' OR ($6 = 'none' AND a.node_id IS NULL) OR n.name = $6)
           ORDER BY a.created_at DESC, a.id
           LIMIT $7 OFFSET $8"#,
        text,
        pattern(text),
        f.status.map(|s| s.as_str()),
        f.plan.trim(),
        f.region.trim(),
        f.node.trim(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    Ok(listed(rows, page))
}

/// What the zones list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ZoneFilter {
    /// Part of the zone's name or of its account's name.
    pub text: String,
    /// "pending", "active", "suspended", "problem" (not served as it is,
    /// or its delegation looks wrong), or "" for all.
    pub status: String,
    pub page: i64,
}

#[derive(Debug, Clone)]
pub struct PlatformZone {
    pub name: String,
    pub status: String,
    pub account_id: Uuid,
    pub account: String,
    pub records: i64,
    pub problem: Option<String>,
    pub created_at: OffsetDateTime,
}

#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn zones(
    pool: &PgPool,
    actor: &Actor,
    f: &ZoneFilter,
) -> Result<Listed<PlatformZone>, ServiceError> {
    actor.require_staff(StaffPermission::Look)?;
    let page = f.page.clamp(1, MAX_PAGE);
    let text = f.text.trim();
    let rows = sqlx::query_as!(
        PlatformZone,
        r#"SELECT d.name, d.status, a.id AS account_id, a.name AS account,
                  (SELECT count(*) FROM dns_records r WHERE r.domain_id = d.id) AS "records!",
                  coalesce(d.serving_problem, d.delegation_problem) AS problem, d.created_at
           FROM domains d JOIN hosting_accounts a ON a.id = d.account_id
           WHERE ($1 = '' OR d.name LIKE $2 OR lower(a.name) LIKE $2)
             AND ($3 = '' OR d.status = $3
                  OR ($3 = 'problem' AND (d.serving_problem IS NOT NULL OR d.delegation_problem IS NOT NULL)))
           ORDER BY d.created_at DESC, d.id
           LIMIT $4 OFFSET $5"#,
        text,
        pattern(text),
        f.status.trim(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    Ok(listed(rows, page))
}

/// Open sessions now: (customers', staff's).
pub async fn open_sessions(pool: &PgPool, actor: &Actor) -> Result<(i64, i64), ServiceError> {
    actor.require_staff(StaffPermission::Look)?;
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE u.role = 'customer') AS "customers!",
                  count(*) FILTER (WHERE u.role = 'staff') AS "staff!"
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.revoked_at IS NULL AND s.idle_expires_at > $1 AND s.absolute_expires_at > $1"#,
        actor.now
    )
    .fetch_one(pool)
    .await?;
    Ok((row.customers, row.staff))
}
