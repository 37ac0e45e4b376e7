//! The demo customer's billing story (development only): each of their
//! accounts on a paid plan gets an order and a Checkout Session through the
//! real client (as an upgrade: the demo accounts exist already). The caller pays the sessions on the stand-in (with months
//! of history); Stripe's webhooks then bring subscriptions and invoices in
//! through the same path as any payment.

use super::{checkout, ServiceError};
use crate::Deps;
use domain::{Email, Role};

/// Checkout Session ids to pay, one per demo account not yet paid for.
pub async fn open_orders(deps: &Deps) -> Result<Vec<String>, ServiceError> {
    let email = crate::demo::DEMO_LOGINS[0].email;
    let email = Email::parse(email).map_err(|e| ServiceError::Internal(anyhow::anyhow!(e.to_string())))?;
    let Some(user) = sqlx::query!(
        "SELECT id, display_name FROM users WHERE lower(email) = lower($1)",
        email.as_str()
    )
    .fetch_optional(&deps.pool)
    .await?
    else {
        return Ok(Vec::new());
    };
    let actor = crate::demo::demo_actor(user.id, email.as_str(), &user.display_name, Role::Customer);
    let accounts = sqlx::query!(
        r#"SELECT a.id, a.plan_id FROM hosting_accounts a
           JOIN hosting_members m ON m.account_id = a.id AND m.user_id = $1 AND m.role = 'owner'
           JOIN plans p ON p.id = a.plan_id
           WHERE a.status = 'active' AND p.price_minor > 0 AND p.stripe_price_id IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.account_id = a.id)
             AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = a.id)
           ORDER BY a.created_at"#,
        user.id
    )
    .fetch_all(&deps.pool)
    .await?;
    let mut sessions = Vec::new();
    for account in accounts {
        let order = sqlx::query_scalar!(
            "INSERT INTO orders (account_id, user_id, plan_id, kind) VALUES ($1, $2, $3, 'upgrade') RETURNING id",
            account.id,
            user.id,
            account.plan_id
        )
        .fetch_one(&deps.pool)
        .await?;
        checkout::open_checkout(deps, &deps.billing, &actor, order.into()).await?;
        if let Some(session) =
            sqlx::query_scalar!("SELECT stripe_session_id FROM orders WHERE id = $1", order)
                .fetch_one(&deps.pool)
                .await?
        {
            sessions.push(session);
        }
    }
    Ok(sessions)
}
