//! The plan catalogue: what a hosting account is entitled to. Staff edit it.

use sqlx::PgPool;
use uuid::Uuid;

use super::access::require_staff;
use super::HostingError;
use crate::domain::CurrentUser;

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
}

/// Plans customers can choose, in catalogue order.
pub async fn available(pool: &PgPool) -> Result<Vec<Plan>, sqlx::Error> {
    sqlx::query_as!(
        Plan,
        r#"SELECT id, code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, available
           FROM plans WHERE available ORDER BY sort_order, price_minor"#
    )
    .fetch_all(pool)
    .await
}

/// Every plan, retired ones too (staff).
pub async fn all(pool: &PgPool, user: &CurrentUser) -> Result<Vec<Plan>, HostingError> {
    require_staff(user)?;
    Ok(sqlx::query_as!(
        Plan,
        r#"SELECT id, code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, available
           FROM plans ORDER BY sort_order, price_minor"#
    )
    .fetch_all(pool)
    .await?)
}

/// A plan as typed into the staff form.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub code: String,
    pub name: String,
    /// Gigabytes, as staff think of quotas.
    pub storage_gb: String,
    pub bandwidth_gb: String,
    pub max_sites: String,
    /// A decimal price ("9.99").
    pub price: String,
    pub currency: String,
    pub available: bool,
}

pub const GB: i64 = 1_000_000_000;

/// "9.99" → 999. At most two decimals, not negative.
pub fn parse_price_minor(input: &str) -> Option<i64> {
    let s = input.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

/// 999, "EUR" → "9.99 EUR".
pub fn format_price(minor: i64, currency: &str) -> String {
    format!("{}.{:02} {currency}", minor / 100, minor % 100)
}

struct ValidPlan {
    code: String,
    name: String,
    storage: i64,
    bandwidth: i64,
    max_sites: i32,
    price_minor: i64,
    currency: String,
}

fn validate(input: &PlanInput) -> Result<ValidPlan, HostingError> {
    let mut errors = Vec::new();
    let code = input.code.trim().to_lowercase();
    if code.len() < 2 || code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        errors.push((
            "code",
            "Use 2–32 lower-case letters, digits or hyphens.".to_string(),
        ));
    }
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 60 {
        errors.push(("name", "Enter a name of at most 60 characters.".to_string()));
    }
    let gb = |field: &'static str, v: &str, errors: &mut Vec<(&'static str, String)>| -> i64 {
        match v.trim().parse::<i64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n * GB,
            _ => {
                errors.push((field, "Enter a whole number of GB from 1 to 1000000.".to_string()));
                0
            }
        }
    };
    let storage = gb("storage_gb", &input.storage_gb, &mut errors);
    let bandwidth = gb("bandwidth_gb", &input.bandwidth_gb, &mut errors);
    let max_sites = match input.max_sites.trim().parse::<i32>() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => {
            errors.push(("max_sites", "Enter a whole number from 1 to 10000.".to_string()));
            0
        }
    };
    let price_minor = parse_price_minor(&input.price).unwrap_or_else(|| {
        errors.push((
            "price",
            "Enter a price such as 9.99 (at most two decimals).".to_string(),
        ));
        0
    });
    let currency = input.currency.trim().to_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push((
            "currency",
            "Enter a three-letter currency code such as EUR.".to_string(),
        ));
    }
    if errors.is_empty() {
        Ok(ValidPlan {
            code,
            name,
            storage,
            bandwidth,
            max_sites,
            price_minor,
            currency,
        })
    } else {
        Err(HostingError::Invalid(errors))
    }
}

/// Creates a plan, or updates the plan with this code (staff).
pub async fn save(pool: &PgPool, user: &CurrentUser, input: &PlanInput) -> Result<Uuid, HostingError> {
    require_staff(user)?;
    let p = validate(input)?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, available, sort_order)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT coalesce(max(sort_order), 0) + 1 FROM plans))
           ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
               storage_quota_bytes = EXCLUDED.storage_quota_bytes,
               bandwidth_quota_bytes = EXCLUDED.bandwidth_quota_bytes,
               max_sites = EXCLUDED.max_sites, price_minor = EXCLUDED.price_minor,
               currency = EXCLUDED.currency, available = EXCLUDED.available, updated_at = now()
           RETURNING id"#,
        p.code,
        p.name,
        p.storage,
        p.bandwidth,
        p.max_sites,
        p.price_minor,
        p.currency,
        input.available
    )
    .fetch_one(pool)
    .await?;
    tracing::info!(plan = %p.code, "plan saved");
    Ok(id)
}

/// The demo catalogue, added when missing (never overwrites staff edits).
pub async fn seed_catalogue(pool: &PgPool) -> Result<(), sqlx::Error> {
    for (order, (code, name, storage, bandwidth, sites, price)) in [
        ("starter", "Starter", 10, 100, 1, 499),
        ("pro", "Pro", 50, 500, 10, 1499),
        ("business", "Business", 200, 2000, 50, 3999),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query!(
            r#"INSERT INTO plans (code, name, storage_quota_bytes, bandwidth_quota_bytes, max_sites, price_minor, currency, sort_order)
               VALUES ($1, $2, $3, $4, $5, $6, 'EUR', $7) ON CONFLICT (code) DO NOTHING"#,
            code,
            name,
            storage * GB,
            bandwidth * GB,
            sites,
            price,
            order as i32
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_in_minor_units() {
        assert_eq!(parse_price_minor("9.99"), Some(999));
        assert_eq!(parse_price_minor("10"), Some(1000));
        assert_eq!(parse_price_minor("0.5"), Some(50));
        assert_eq!(parse_price_minor("1.234"), None);
        assert_eq!(parse_price_minor("-1"), None);
        assert_eq!(parse_price_minor("abc"), None);
        assert_eq!(parse_price_minor(""), None);
        assert_eq!(format_price(1499, "EUR"), "14.99 EUR");
    }
}
