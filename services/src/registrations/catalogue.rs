//! The TLDs on sale and their prices: the registrar's yearly cost
//! (refreshed daily, or when a price is missing) plus the operator's
//! margin, or a fixed price.

use domain::StaffPermission;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::registrar::{Registrar, RegistrarError};

/// A TLD as customers are offered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub tld: String,
    /// The yearly retail price (minor units).
    pub price_minor: i64,
    /// The yearly price of a renewal, when the registrar told us its cost.
    pub renew_minor: Option<i64>,
    /// The price of a transfer in (one year added), likewise.
    pub transfer_minor: Option<i64>,
    pub currency: String,
    /// WHOIS privacy is offered (and on by default).
    pub whois_privacy: bool,
}

/// Costs older than this are refreshed before they are used.
pub const COSTS_FRESH_FOR: time::Duration = time::Duration::hours(24);

/// The retail price: the fixed one, else the cost plus the margin, rounded
/// up to the cent.
pub fn retail(cost_minor: Option<i64>, fixed_minor: Option<i64>, margin_percent: i32) -> Option<i64> {
    if let Some(fixed) = fixed_minor.filter(|f| *f > 0) {
        return Some(fixed);
    }
    let cost = cost_minor.filter(|c| *c > 0)?;
    let scaled = i128::from(cost) * i128::from(100 + margin_percent.clamp(0, 1000));
    i64::try_from((scaled + 99) / 100).ok()
}

/// Every TLD on sale with its price, in the operator's order. TLDs the
/// registrar has no cost for (and no fixed price) are left out.
pub async fn offers(pool: &PgPool) -> Result<Vec<Offer>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT name, currency, cost_register_minor, cost_renew_minor, cost_transfer_minor, fixed_register_minor,
                  margin_percent, whois_privacy
           FROM tlds WHERE on_sale ORDER BY position, name"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Offer {
                price_minor: retail(r.cost_register_minor, r.fixed_register_minor, r.margin_percent)?,
                // Without a cost (the manual registrar), the fixed price
                // is the price of a renewal and a transfer too.
                renew_minor: retail(r.cost_renew_minor, None, r.margin_percent).or(r.fixed_register_minor),
                transfer_minor: retail(r.cost_transfer_minor, None, r.margin_percent)
                    .or(r.fixed_register_minor),
                tld: r.name,
                currency: r.currency,
                whois_privacy: r.whois_privacy,
            })
        })
        .collect())
}

/// Whether a TLD on sale has no price yet or its cost is stale.
pub async fn needs_refresh(pool: &PgPool, now: OffsetDateTime) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tlds WHERE on_sale AND fixed_register_minor IS NULL
                  AND (cost_refreshed_at IS NULL OR cost_refreshed_at < $1)) AS "stale!""#,
        now - COSTS_FRESH_FOR
    )
    .fetch_one(pool)
    .await
}

/// Asks the registrar for its costs and stores those of our TLDs. Answers
/// how many TLDs were updated.
#[tracing::instrument(skip_all)]
pub async fn refresh(
    pool: &PgPool,
    registrar: &dyn Registrar,
    now: OffsetDateTime,
) -> Result<usize, RefreshError> {
    let costs = registrar.costs().await?;
    let mut updated = 0;
    for cost in costs {
        updated += sqlx::query!(
            r#"UPDATE tlds SET cost_register_minor = $2, cost_renew_minor = $3, cost_transfer_minor = $4,
                      currency = $5, cost_refreshed_at = $6
               WHERE name = $1"#,
            cost.tld,
            cost.register_minor,
            cost.renew_minor,
            cost.transfer_minor,
            cost.currency,
            now
        )
        .execute(pool)
        .await?
        .rows_affected() as usize;
    }
    // TLDs the registrar does not price are asked again tomorrow, not on
    // every search.
    sqlx::query!(
        "UPDATE tlds SET cost_refreshed_at = $1 WHERE on_sale AND (cost_refreshed_at IS NULL OR cost_refreshed_at < $1)",
        now
    )
    .execute(pool)
    .await?;
    tracing::info!(updated, "TLD costs refreshed from the registrar");
    Ok(updated)
}

/// A TLD as staff see and edit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TldEntry {
    pub name: String,
    pub on_sale: bool,
    pub currency: String,
    pub cost_register_minor: Option<i64>,
    pub fixed_register_minor: Option<i64>,
    pub margin_percent: i32,
    /// What customers pay now (None: no cost known and no fixed price).
    pub retail_minor: Option<i64>,
}

/// Staff: every TLD of the catalogue, on sale or not.
pub async fn entries(pool: &PgPool, actor: &crate::Actor) -> Result<Vec<TldEntry>, super::ServiceError> {
    crate::hosting::access::require_staff(actor, StaffPermission::Look)?;
    let rows = sqlx::query!(
        "SELECT name, on_sale, currency, cost_register_minor, fixed_register_minor, margin_percent
         FROM tlds ORDER BY position, name"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TldEntry {
            retail_minor: retail(r.cost_register_minor, r.fixed_register_minor, r.margin_percent),
            name: r.name,
            on_sale: r.on_sale,
            currency: r.currency,
            cost_register_minor: r.cost_register_minor,
            fixed_register_minor: r.fixed_register_minor,
            margin_percent: r.margin_percent,
        })
        .collect())
}

/// What staff set for a TLD: on sale, the margin, or a fixed price (text
/// as typed, "" for none).
#[derive(Debug, Clone, Default)]
pub struct TldChange {
    pub name: String,
    pub on_sale: bool,
    pub margin_percent: String,
    pub fixed_price: String,
}

/// Staff: adds the TLD to the catalogue or changes it. Answers its name.
pub async fn save(
    pool: &PgPool,
    actor: &crate::Actor,
    change: &TldChange,
) -> Result<String, super::ServiceError> {
    use crate::failure::Invalid;
    crate::hosting::access::require_staff(actor, StaffPermission::Billing)?;
    let mut invalid = Invalid::default();
    let name = change.name.trim().trim_start_matches('.').to_ascii_lowercase();
    let valid_name = !name.is_empty()
        && name.len() <= 63
        && name.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !valid_name {
        invalid.push("tld", "Enter an extension like com or co.uk.");
    }
    let margin = change
        .margin_percent
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|m| (0..=1000).contains(m));
    if margin.is_none() {
        invalid.push("margin_percent", "Enter a margin from 0 to 1000 %.");
    }
    let fixed = match change.fixed_price.trim() {
        "" => None,
        typed => match domain::money::parse_minor(typed).filter(|m| (1..=100_000_000).contains(m)) {
            Some(m) => Some(m),
            None => {
                invalid.push(
                    "fixed_price",
                    "Enter a price like 12.99, or leave it empty to use the margin.",
                );
                None
            }
        },
    };
    invalid
        .into_result()
        .map_err(|i| super::ServiceError::Invalid(i.0))?;
    sqlx::query!(
        r#"INSERT INTO tlds (name, on_sale, margin_percent, fixed_register_minor, position)
           VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM tlds))
           ON CONFLICT (name) DO UPDATE SET on_sale = EXCLUDED.on_sale, margin_percent = EXCLUDED.margin_percent,
                                            fixed_register_minor = EXCLUDED.fixed_register_minor"#,
        name,
        change.on_sale,
        margin.unwrap_or(20),
        fixed
    )
    .execute(pool)
    .await?;
    tracing::info!(tld = %name, staff = %actor.id(), "TLD catalogue changed");
    Ok(name)
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Registrar(#[from] RegistrarError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

#[cfg(test)]
mod tests {
    use super::retail;

    #[test]
    fn the_retail_price_is_fixed_or_cost_plus_margin() {
        assert_eq!(retail(Some(888), None, 20), Some(1066));
        assert_eq!(retail(Some(888), Some(1500), 20), Some(1500));
        assert_eq!(retail(None, None, 20), None);
        assert_eq!(retail(Some(0), None, 20), None);
        assert_eq!(retail(Some(1000), None, 0), Some(1000));
        assert_eq!(retail(Some(i64::MAX), None, 1000), None);
    }
}
