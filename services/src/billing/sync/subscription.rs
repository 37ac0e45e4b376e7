//! A subscription as Stripe has it, and with it the account's status and
//! plan.

use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{announce, at, contacts, log};
use crate::activity::Action;
use crate::billing::mail::{self, Payer};
use crate::billing::stripe::Subscription;
use domain::billing::SubscriptionStatus;
use domain::AccountStatus;

/// The account as the subscription finds it (locked).
struct AccountState {
    status: AccountStatus,
    billing_hold: bool,
    plan_id: Uuid,
    plan_name: String,
    /// Suspended by staff, not for billing: payment does not lift it.
    staff_held: bool,
    /// The account has another subscription that is not over.
    another_live: bool,
    /// The subscription pays the account's reactivation order.
    reactivation: bool,
}

struct PlanRow {
    id: Uuid,
    name: String,
}

/// The subscription's stored state before this event.
struct Before {
    status: SubscriptionStatus,
    cancel_at_period_end: bool,
}

/// Applies a subscription as Stripe has it now. Subscriptions the portal
/// did not start (no `account_id` in their metadata) are ignored.
pub async fn apply_subscription(
    conn: &mut PgConnection,
    sub: &Subscription,
    event: &str,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let id = sub.id.as_str();
    let Some(account) = account_of(conn, sub).await? else {
        tracing::info!(
            subscription = id,
            "a subscription the portal did not start: ignored"
        );
        return Ok(());
    };
    let status = SubscriptionStatus::parse(sub.status.as_str())
        .ok_or_else(|| anyhow::anyhow!("unknown subscription status {:?}", sub.status.as_str()))?;
    let price = sub
        .items
        .data
        .first()
        .ok_or_else(|| anyhow::anyhow!("subscription {id} has no items"))?
        .price
        .id
        .as_str();
    let plan = sqlx::query_as!(
        PlanRow,
        "SELECT id, name FROM plans WHERE stripe_price_id = $1",
        price
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(state) = account_state(conn, sub, account).await? else {
        tracing::warn!(subscription = id, %account, "a subscription for an account that no longer exists");
        return Ok(());
    };
    let before = sqlx::query_as!(
        Before,
        r#"SELECT status AS "status: SubscriptionStatus", cancel_at_period_end FROM subscriptions WHERE stripe_subscription_id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    store(
        conn,
        sub,
        account,
        status,
        plan.as_ref().map(|p| p.id),
        now,
        event,
    )
    .await?;

    let payer = contacts(conn, account).await?;
    follow_status(conn, account, &state, before.as_ref(), status, &payer).await?;
    if let Some(b) = &before {
        if b.cancel_at_period_end != sub.cancel_at_period_end && status.is_live() {
            let action = if sub.cancel_at_period_end {
                Action::BillingCancelScheduled
            } else {
                Action::BillingCancelWithdrawn
            };
            log(conn, account, action, json!({})).await?;
        }
    }
    // A plan change made anywhere (the portal, Stripe's dashboard) moves the account.
    if let Some(plan) = plan.filter(|p| p.id != state.plan_id && status.is_live()) {
        move_plan(conn, account, &state.plan_name, &plan, &payer).await?;
    }
    announce(conn, account).await?;
    Ok(())
}

/// The account the subscription pays for: as stored, or as the portal
/// named it in the subscription's metadata when it started it.
async fn account_of(conn: &mut PgConnection, sub: &Subscription) -> Result<Option<Uuid>, sqlx::Error> {
    let known = sqlx::query_scalar!(
        "SELECT account_id FROM subscriptions WHERE stripe_subscription_id = $1",
        sub.id.as_str()
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(known.or_else(|| {
        sub.metadata
            .get("account_id")
            .and_then(|a| Uuid::parse_str(a).ok())
    }))
}

async fn account_state(
    conn: &mut PgConnection,
    sub: &Subscription,
    account: Uuid,
) -> Result<Option<AccountState>, sqlx::Error> {
    sqlx::query_as!(
        AccountState,
        r#"SELECT a.status AS "status: AccountStatus", a.billing_hold, a.plan_id, p.name AS plan_name,
                  a.suspended_reason IS NOT NULL AND NOT a.billing_hold AS "staff_held!",
                  EXISTS (SELECT 1 FROM subscriptions o WHERE o.account_id = a.id AND o.stripe_subscription_id <> $2
                          AND o.status NOT IN ('canceled', 'incomplete_expired')) AS "another_live!",
                  EXISTS (SELECT 1 FROM orders r WHERE r.account_id = a.id AND r.kind = 'reactivation'
                          AND r.id::text = $3) AS "reactivation!"
           FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 FOR UPDATE OF a"#,
        account,
        sub.id.as_str(),
        sub.metadata.get("order_id").map(String::as_str).unwrap_or("")
    )
    .fetch_optional(&mut *conn)
    .await
}

/// Stores the subscription as it is now.
async fn store(
    conn: &mut PgConnection,
    sub: &Subscription,
    account: Uuid,
    status: SubscriptionStatus,
    plan: Option<Uuid>,
    now: OffsetDateTime,
    event: &str,
) -> anyhow::Result<()> {
    let item = sub
        .items
        .data
        .first()
        .ok_or_else(|| anyhow::anyhow!("subscription {} has no items", sub.id.as_str()))?;
    let amount = item.price.unit_amount.unwrap_or(0).max(0) * item.quantity.unwrap_or(1).min(1000) as i64;
    sqlx::query!(
        r#"INSERT INTO subscriptions (stripe_subscription_id, account_id, stripe_customer_id, status, stripe_price_id,
                                      plan_id, amount_minor, currency, current_period_start, current_period_end,
                                      cancel_at_period_end, canceled_at, past_due_since, applied_at, applied_event)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                   CASE WHEN $4 IN ('past_due', 'unpaid') THEN $13::timestamptz END, $13, $14)
           ON CONFLICT (stripe_subscription_id) DO UPDATE SET
               status = EXCLUDED.status, stripe_price_id = EXCLUDED.stripe_price_id, plan_id = EXCLUDED.plan_id,
               amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency,
               current_period_start = EXCLUDED.current_period_start, current_period_end = EXCLUDED.current_period_end,
               cancel_at_period_end = EXCLUDED.cancel_at_period_end, canceled_at = EXCLUDED.canceled_at,
               past_due_since = CASE WHEN EXCLUDED.status IN ('past_due', 'unpaid')
                                     THEN COALESCE(subscriptions.past_due_since, $13) END,
               applied_at = $13, applied_event = $14, updated_at = now()"#,
        sub.id.as_str(),
        account,
        sub.customer.id().as_str(),
        status.as_str(),
        item.price.id.as_str(),
        plan,
        amount,
        sub.currency.to_string().to_ascii_uppercase(),
        at(item.current_period_start),
        at(item.current_period_end),
        sub.cancel_at_period_end,
        sub.canceled_at.and_then(at),
        now,
        event
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What the subscription's status does to the account: payment activates
/// a pending account, pays a reactivation or lifts a billing hold; the end
/// of the last subscription cancels it.
async fn follow_status(
    conn: &mut PgConnection,
    account: Uuid,
    state: &AccountState,
    before: Option<&Before>,
    status: SubscriptionStatus,
    payer: &[Payer],
) -> anyhow::Result<()> {
    match status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => {
            if state.status == AccountStatus::Pending {
                sqlx::query!(
                    "UPDATE hosting_accounts SET status = 'active', updated_at = now() WHERE id = $1",
                    account
                )
                .execute(&mut *conn)
                .await?;
                log(conn, account, Action::BillingAccountActivated, json!({})).await?;
            } else if state.status == AccountStatus::Cancelled
                && before.is_none()
                && state.reactivation
                && !state.staff_held
            {
                // The reactivation order was paid.
                sqlx::query!(
                    "UPDATE hosting_accounts SET status = 'active', cancelled_at = NULL, updated_at = now() WHERE id = $1",
                    account
                )
                .execute(&mut *conn)
                .await?;
                log(conn, account, Action::BillingAccountActivated, json!({})).await?;
            } else if state.status == AccountStatus::Suspended && state.billing_hold {
                sqlx::query!(
                    "UPDATE hosting_accounts SET status = 'active', billing_hold = false, suspended_reason = NULL, updated_at = now() WHERE id = $1",
                    account
                )
                .execute(&mut *conn)
                .await?;
                log(
                    conn,
                    account,
                    Action::HostingAccountResumed,
                    json!({ "reason": "paid" }),
                )
                .await?;
            }
        }
        // A second subscription ended at once (see `events`) leaves the
        // account on its first, and tells nobody.
        SubscriptionStatus::Canceled
            if before.map(|b| b.status) != Some(SubscriptionStatus::Canceled) && !state.another_live =>
        {
            if matches!(
                state.status,
                AccountStatus::Active | AccountStatus::Suspended | AccountStatus::Pending
            ) {
                sqlx::query!(
                        "UPDATE hosting_accounts SET status = 'cancelled', cancelled_at = now(), billing_hold = false, updated_at = now() WHERE id = $1",
                        account
                    )
                    .execute(&mut *conn)
                    .await?;
            }
            log(conn, account, Action::BillingSubscriptionEnded, json!({})).await?;
            for p in payer {
                mail::subscription_cancelled(conn, p).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Moves the account to the subscription's plan, and tells its payers.
async fn move_plan(
    conn: &mut PgConnection,
    account: Uuid,
    from: &str,
    plan: &PlanRow,
    payer: &[Payer],
) -> anyhow::Result<()> {
    sqlx::query!(
        "UPDATE hosting_accounts SET plan_id = $2, updated_at = now() WHERE id = $1",
        account,
        plan.id
    )
    .execute(&mut *conn)
    .await?;
    log(
        conn,
        account,
        Action::PlanChanged,
        json!({ "from": from, "to": plan.name }),
    )
    .await?;
    for p in payer {
        mail::plan_changed(conn, p, from, &plan.name).await?;
    }
    Ok(())
}
