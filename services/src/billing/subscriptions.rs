//! Changing what an account pays: another plan (with proration, previewed
//! from Stripe's invoice preview before the user confirms), cancelling at
//! the period's end and resuming before it, and Stripe's billing portal
//! for cards. Each change needs the `Pay` permission and a recent sign-in
//! (step-up); the portal's copy changes when Stripe's webhook says so.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{BillingSettings, ServiceError};
use crate::hosting::access::{require_step_up, Access};
use crate::{Actor, Deps};
use domain::billing::SubscriptionStatus;
use domain::money::format_minor;
use domain::Permission;

/// An account's live subscription, as the portal last heard from Stripe.
#[derive(Debug, Clone)]
pub struct Live {
    pub stripe_id: String,
    pub customer: String,
    pub status: SubscriptionStatus,
    pub amount_minor: i64,
    pub currency: String,
    pub current_period_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
    pub past_due_since: Option<OffsetDateTime>,
    /// When the portal last wrote it: part of the idempotency keys, so a
    /// change repeated after another is not answered with the first one.
    pub updated_at: OffsetDateTime,
}

impl Live {
    pub fn amount(&self) -> String {
        format_minor(self.amount_minor, &self.currency)
    }
}

/// The account's live subscription, if it has one.
pub async fn live(pool: &sqlx::PgPool, account: Uuid) -> Result<Option<Live>, sqlx::Error> {
    sqlx::query_as!(
        Live,
        r#"SELECT stripe_subscription_id AS stripe_id, stripe_customer_id AS customer,
                  status AS "status: SubscriptionStatus", amount_minor, currency, current_period_end,
                  cancel_at_period_end, past_due_since, updated_at
           FROM subscriptions WHERE account_id = $1 AND status NOT IN ('canceled', 'incomplete_expired')
           ORDER BY created_at DESC LIMIT 1"#,
        account
    )
    .fetch_optional(pool)
    .await
}

fn may_pay(access: &Access) -> Result<(), ServiceError> {
    access.require(Permission::Pay)?;
    Ok(())
}

/// The target plan's Stripe price, and the subscription's item.
/// The subscription, its item, the target price, and the target plan
/// (name, monthly price, currency).
struct Target {
    sub: Live,
    item: String,
    price: String,
    plan_name: String,
    price_minor: i64,
    currency: String,
}

async fn change_target(
    deps: &Deps,
    billing: &BillingSettings,
    access: &Access,
    plan: Uuid,
) -> Result<Target, ServiceError> {
    let sub = live(&deps.pool, access.account_id())
        .await?
        .ok_or_else(|| ServiceError::Conflict("This account has no subscription to change.".into()))?;
    let target = sqlx::query!(
        "SELECT name, stripe_price_id, price_minor, currency FROM plans WHERE id = $1 AND available",
        plan
    )
    .fetch_optional(&deps.pool)
    .await?
    .ok_or_else(|| ServiceError::invalid("plan", "Choose one of the plans offered."))?;
    let Some(price) = target.stripe_price_id.filter(|_| target.price_minor > 0) else {
        return Err(ServiceError::invalid(
            "plan",
            "To move to a free plan, cancel the subscription; the account keeps its plan until the period ends.",
        ));
    };
    let stripe = billing.gateway()?.subscription(&sub.stripe_id).await?;
    let item = stripe
        .items
        .data
        .first()
        .map(|i| i.id.as_str().to_string())
        .ok_or_else(|| ServiceError::Conflict("The subscription has no item to change.".into()))?;
    if stripe
        .items
        .data
        .first()
        .is_some_and(|i| i.price.id.as_str() == price)
    {
        return Err(ServiceError::invalid(
            "plan",
            "The account is already on this plan.",
        ));
    }
    Ok(Target {
        sub,
        item,
        price,
        plan_name: target.name,
        price_minor: target.price_minor,
        currency: target.currency,
    })
}

/// What changing to `plan` now costs at once (Stripe's invoice preview).
#[derive(Debug, Clone)]
pub struct ChangePreview {
    pub account_name: String,
    pub plan_name: String,
    pub due_now_minor: i64,
    pub currency: String,
    /// The new plan's monthly price.
    pub price_minor: i64,
    pub price_currency: String,
}

pub async fn preview_change(
    deps: &Deps,
    billing: &BillingSettings,
    access: &Access,
    plan: Uuid,
) -> Result<ChangePreview, ServiceError> {
    may_pay(access)?;
    let t = change_target(deps, billing, access, plan).await?;
    let invoice = billing
        .gateway()?
        .preview_change(&t.sub.customer, &t.sub.stripe_id, &t.item, &t.price)
        .await?;
    let account_name = sqlx::query_scalar!(
        "SELECT name FROM hosting_accounts WHERE id = $1",
        access.account_id()
    )
    .fetch_one(&deps.pool)
    .await?;
    Ok(ChangePreview {
        account_name,
        plan_name: t.plan_name,
        due_now_minor: invoice.amount_due.max(0),
        currency: invoice.currency.to_string().to_ascii_uppercase(),
        price_minor: t.price_minor,
        price_currency: t.currency,
    })
}

/// Changes the plan at Stripe, invoicing the difference now. The account
/// moves when the webhook confirms it.
pub async fn change_plan(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    access: &Access,
    plan: Uuid,
) -> Result<String, ServiceError> {
    may_pay(access)?;
    require_step_up(actor, true)?;
    let t = change_target(deps, billing, access, plan).await?;
    // A double click is one change; a later change (after another) is a new one.
    let key = format!(
        "ksf-plan-{}-{}-{}",
        t.sub.stripe_id,
        t.price,
        t.sub.updated_at.unix_timestamp_nanos()
    );
    billing
        .gateway()?
        .change_price(&t.sub.stripe_id, &t.item, &t.price, key)
        .await?;
    Ok(t.plan_name)
}

/// Cancels at the end of the period (true) or withdraws that (false).
pub async fn set_cancel_at_period_end(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    access: &Access,
    cancel: bool,
) -> Result<(), ServiceError> {
    may_pay(access)?;
    require_step_up(actor, true)?;
    let sub = live(&deps.pool, access.account_id())
        .await?
        .ok_or_else(|| ServiceError::Conflict("This account has no subscription.".into()))?;
    if sub.cancel_at_period_end == cancel {
        return Ok(());
    }
    let key = format!(
        "ksf-cancel-{}-{cancel}-{}",
        sub.stripe_id,
        sub.updated_at.unix_timestamp_nanos()
    );
    let updated = billing
        .gateway()?
        .set_cancel_at_period_end(&sub.stripe_id, cancel, key)
        .await?;
    // Shown at once; the webhook that follows records it the same way.
    let mut tx = deps.pool.begin().await?;
    super::webhook_queue::lock(&mut tx, &sub.stripe_id).await?;
    super::sync::apply_subscription(&mut tx, &updated, "portal", actor.now)
        .await
        .map_err(ServiceError::Internal)?;
    tx.commit().await?;
    Ok(())
}

/// Cancels an account (owner), ending its subscription at Stripe now so
/// nothing more is charged. The account row stays locked while Stripe is
/// asked, so the webhook that follows waits and then finds the account
/// cancelled; if Stripe cannot be reached nothing changes.
pub async fn cancel_account(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    access: &Access,
) -> Result<(), ServiceError> {
    access.require(Permission::Cancel)?;
    require_step_up(actor, false)?;
    let mut tx = deps.pool.begin().await?;
    sqlx::query!(
        "SELECT id FROM hosting_accounts WHERE id = $1 FOR UPDATE",
        access.account_id()
    )
    .fetch_one(&mut *tx)
    .await?;
    if let Some(sub) = live(&deps.pool, access.account_id()).await? {
        billing.gateway()?.cancel_now(&sub.stripe_id).await?;
    }
    crate::hosting::status::cancel_in(&mut tx, actor, access).await?;
    tx.commit().await?;
    Ok(())
}

/// A Stripe billing portal session for the user's own customer.
pub async fn portal_url(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
) -> Result<String, ServiceError> {
    // The portal changes cards and subscriptions: never while viewing.
    actor.require_writable()?;
    let customer = sqlx::query_scalar!(
        "SELECT stripe_customer_id FROM billing_customers WHERE user_id = $1",
        actor.id()
    )
    .fetch_optional(&deps.pool)
    .await?
    .ok_or_else(|| {
        ServiceError::Conflict("You have not paid for anything yet, so there is no card on file.".into())
    })?;
    // Stripe's portal shows every subscription and invoice of this
    // customer: it opens only while the user still sees the billing of
    // every account their card paid for.
    let view_billing = domain::MemberRole::names_with(domain::Permission::ViewBilling);
    let gone = sqlx::query_scalar!(
        r#"SELECT a.name FROM subscriptions s JOIN hosting_accounts a ON a.id = s.account_id
           WHERE s.stripe_customer_id = $1
             AND NOT EXISTS (SELECT 1 FROM hosting_members m WHERE m.account_id = s.account_id
                             AND m.user_id = $2 AND m.role = ANY($3))
           LIMIT 1"#,
        customer,
        actor.id(),
        &view_billing
    )
    .fetch_optional(&deps.pool)
    .await?;
    if let Some(name) = gone {
        return Err(ServiceError::Conflict(format!(
            "Your card paid for {name}, whose billing you no longer see, so the payment portal cannot be opened here. Please contact support to manage your card."
        )));
    }
    // A double click opens one session.
    let key = format!("ksf-portal-{customer}-{}", actor.now.unix_timestamp() / 60);
    Ok(billing
        .gateway()?
        .portal(&customer, &deps.links.to("/billing"), key)
        .await?)
}
