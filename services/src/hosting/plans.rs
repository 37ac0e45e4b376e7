//! The plan catalogue: what a hosting account is entitled to. Staff edit it.

use domain::StaffPermission;
use sqlx::PgPool;
use uuid::Uuid;

use super::access::require_staff;
use super::ServiceError;
use crate::Actor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub storage_quota_bytes: i64,
    pub bandwidth_quota_bytes: i64,
    pub max_sites: i32,
    pub price_minor: i64,
    pub currency: String,
    pub available: bool,
    /// A site that served the month's bandwidth is paused (a 503 page)
    /// until the next month; otherwise it is only shown.
    pub pauses_over_bandwidth: bool,
}

/// Plans customers can choose, in catalogue order.
pub async fn available(pool: &PgPool) -> Result<Vec<Plan>, sqlx::Error> {
    sqlx::query_as!(
        Plan,
        r#"SELECT id, code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, available,
                  over_bandwidth = 'pause' AS "pauses_over_bandwidth!"
           FROM plans WHERE available ORDER BY sort_order, price_minor"#
    )
    .fetch_all(pool)
    .await
}

/// Every plan, retired ones too (staff).
pub async fn all(pool: &PgPool, actor: &Actor) -> Result<Vec<Plan>, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    Ok(sqlx::query_as!(
        Plan,
        r#"SELECT id, code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, available,
                  over_bandwidth = 'pause' AS "pauses_over_bandwidth!"
           FROM plans ORDER BY sort_order, price_minor"#
    )
    .fetch_all(pool)
    .await?)
}

pub const GB: i64 = 1_000_000_000;

/// 999, "EUR" → "9.99 EUR".
pub fn format_price(minor: i64, currency: &str) -> String {
    domain::money::format_minor(minor, currency)
}

/// A plan as staff define it, validated (see the staff form at the edge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSpec {
    pub code: String,
    pub name: String,
    pub storage_bytes: i64,
    pub bandwidth_bytes: i64,
    pub max_sites: i32,
    pub price: domain::money::Money,
    pub available: bool,
    pub pauses_over_bandwidth: bool,
}

/// Creates a plan, or updates the plan with this code (staff).
pub async fn save(pool: &PgPool, actor: &Actor, p: &PlanSpec) -> Result<Uuid, ServiceError> {
    require_staff(actor, StaffPermission::Platform)?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, available,
                              over_bandwidth, sort_order)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9 THEN 'pause' ELSE 'show' END,
                   (SELECT coalesce(max(sort_order), 0) + 1 FROM plans))
           ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
               storage_quota_bytes = EXCLUDED.storage_quota_bytes,
               bandwidth_quota_bytes = EXCLUDED.bandwidth_quota_bytes,
               max_sites = EXCLUDED.max_sites, price_minor = EXCLUDED.price_minor,
               currency = EXCLUDED.currency, available = EXCLUDED.available,
               over_bandwidth = EXCLUDED.over_bandwidth, updated_at = now()
           RETURNING id"#,
        p.code,
        p.name,
        p.storage_bytes,
        p.bandwidth_bytes,
        p.max_sites,
        p.price.minor,
        p.price.currency.as_str(),
        p.available,
        p.pauses_over_bandwidth
    )
    .fetch_one(pool)
    .await?;
    tracing::info!(plan = %p.code, "plan saved");
    Ok(id)
}

/// The demo catalogue, added when missing (never overwrites staff edits):
/// a free plan, and paid ones (bought through Stripe).
pub async fn seed_catalogue(pool: &PgPool) -> Result<(), sqlx::Error> {
    // The free plan pauses at its bandwidth; paid ones only show it.
    for (order, (code, name, storage, bandwidth, sites, price, over)) in [
        ("hobby", "Hobby", 2, 20, 1, 0, "pause"),
        ("starter", "Starter", 10, 100, 1, 499, "show"),
        ("pro", "Pro", 50, 500, 10, 1499, "show"),
        ("business", "Business", 200, 2000, 50, 3999, "show"),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query!(
            r#"INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency,
                                  sort_order, over_bandwidth)
               VALUES ($1, $2, $3, $4, $5, $6, 'EUR', $7, $8) ON CONFLICT (code) DO NOTHING"#,
            code,
            name,
            storage * GB,
            bandwidth * GB,
            sites,
            price,
            order as i32,
            over
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}
