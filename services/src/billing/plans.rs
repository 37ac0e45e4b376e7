//! `ksf stripe sync-plans`: each paid plan gets a Stripe product and a
//! monthly price. A plan whose price changed gets a new price and the old
//! one is archived (subscriptions on it keep it until they change plan).

use sqlx::PgPool;

use super::{BillingSettings, ServiceError};

/// What a sync did, for the command's output.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Synced {
    pub products: usize,
    pub new_prices: usize,
    pub archived: usize,
}

pub async fn sync(pool: &PgPool, billing: &BillingSettings) -> Result<Synced, ServiceError> {
    let gateway = billing.gateway()?;
    let plans = sqlx::query!(
        r#"SELECT id, code, name, price_minor, currency, available, stripe_product_id, stripe_price_id, stripe_price_minor
           FROM plans WHERE price_minor > 0 ORDER BY sort_order"#
    )
    .fetch_all(pool)
    .await?;
    let mut done = Synced::default();
    for plan in plans {
        let product = plan
            .stripe_product_id
            .clone()
            .unwrap_or_else(|| format!("ksf_plan_{}", plan.code));
        let made = gateway
            .upsert_product(
                &product,
                plan.stripe_product_id.is_some(),
                &plan.name,
                plan.available,
            )
            .await?;
        done.products += 1;
        // A product made again has none of the prices we knew.
        let current =
            !made && plan.stripe_price_id.is_some() && plan.stripe_price_minor == Some(plan.price_minor);
        if current {
            continue;
        }
        let price = gateway
            .create_price(&product, plan.price_minor, &plan.currency, &plan.code)
            .await?;
        done.new_prices += 1;
        sqlx::query!(
            "UPDATE plans SET stripe_product_id = $2, stripe_price_id = $3, stripe_price_minor = $4 WHERE id = $1",
            plan.id,
            product,
            price,
            plan.price_minor
        )
        .execute(pool)
        .await?;
        if let Some(old) = plan.stripe_price_id.filter(|old| *old != price && !made) {
            gateway.archive_price(&old).await?;
            done.archived += 1;
        }
        tracing::info!(plan = %plan.code, %price, "plan priced at Stripe");
    }
    Ok(done)
}
