//! Buying: a hosting account on a paid plan (or reactivating a cancelled
//! one) is an order paid through a Stripe Checkout Session. The account
//! stays pending until Stripe's webhook confirms the payment; the return
//! from Checkout proves nothing by itself.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::stripe::CheckoutRequest;
use super::{BillingSettings, ServiceError};
use crate::hosting::access::Access;
use crate::hosting::accounts::{self, NewAccount};
use crate::{Actor, Deps};
use domain::billing::{OrderKind, OrderStatus};
use domain::{AccountId, AccountStatus, OrderId, Permission};

/// What creating an account led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// A free plan: the account is active.
    Active(AccountId),
    /// A paid plan: the account is pending until this order is paid.
    AwaitingPayment { account: AccountId, order: OrderId },
}

struct PlanPrice {
    price_minor: i64,
    stripe_price_id: Option<String>,
}

async fn plan_price(conn: &mut PgConnection, plan: Uuid) -> Result<Option<PlanPrice>, sqlx::Error> {
    sqlx::query_as!(
        PlanPrice,
        "SELECT price_minor, stripe_price_id FROM plans WHERE id = $1 AND available",
        plan
    )
    .fetch_optional(conn)
    .await
}

/// Creates an account: active on a free plan; on a paid plan pending, with
/// an order to pay (the Checkout Session is opened by `open_checkout`).
pub async fn create_account(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    input: &NewAccount,
) -> Result<Created, ServiceError> {
    let mut tx = deps.pool.begin().await?;
    let price = plan_price(&mut tx, input.plan).await?;
    let paid = price.as_ref().is_some_and(|p| p.price_minor > 0);
    if paid && !actor.staff_can(domain::StaffPermission::Billing) {
        if !billing.enabled() {
            return Err(ServiceError::invalid(
                "plan",
                "Payments are not set up yet, so only free plans can be chosen.",
            ));
        }
        if price.as_ref().is_some_and(|p| p.stripe_price_id.is_none()) {
            return Err(ServiceError::invalid(
                "plan",
                "This plan cannot be bought yet (its price is not set up with the payment provider). Please contact support.",
            ));
        }
        let account =
            accounts::create_in(&mut tx, &deps.limits, actor, input, AccountStatus::Pending).await?;
        let order = insert_order(
            &mut tx,
            account.uuid(),
            actor.id(),
            input.plan,
            OrderKind::NewAccount,
        )
        .await?;
        tx.commit().await?;
        return Ok(Created::AwaitingPayment { account, order });
    }
    let account = accounts::create_in(&mut tx, &deps.limits, actor, input, AccountStatus::Active).await?;
    tx.commit().await?;
    Ok(Created::Active(account))
}

async fn insert_order(
    conn: &mut PgConnection,
    account: Uuid,
    user: Uuid,
    plan: Uuid,
    kind: OrderKind,
) -> Result<OrderId, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO orders (account_id, user_id, plan_id, kind) VALUES ($1, $2, $3, $4) RETURNING id",
        account,
        user,
        plan,
        kind.as_str()
    )
    .fetch_one(conn)
    .await
    .map(OrderId::from)
}

/// Reactivating a cancelled account on its plan: a new order to pay.
pub async fn reactivate(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    access: &Access,
) -> Result<OrderId, ServiceError> {
    if !access.role().is_some_and(|r| r.can(Permission::Pay)) {
        return Err(super::forbidden());
    }
    if access.status() != AccountStatus::Cancelled {
        return Err(ServiceError::Conflict(
            "Only a cancelled account can be reactivated.".into(),
        ));
    }
    if staff_held(deps, access.account_id()).await? {
        return Err(ServiceError::Conflict(
            "This account was suspended by our staff before it was cancelled. Please contact support to reactivate it.".into(),
        ));
    }
    billing.gateway()?;
    let mut tx = deps.pool.begin().await?;
    let plan = sqlx::query_scalar!(
        "SELECT plan_id FROM hosting_accounts WHERE id = $1",
        access.account_id()
    )
    .fetch_one(&mut *tx)
    .await?;
    let price = plan_price(&mut tx, plan).await?;
    if price.is_none_or(|p| p.stripe_price_id.is_none()) {
        return Err(ServiceError::Conflict(
            "This account's plan is no longer offered. Please contact support to choose another.".into(),
        ));
    }
    let order = insert_order(
        &mut tx,
        access.account_id(),
        actor.id(),
        plan,
        OrderKind::Reactivation,
    )
    .await?;
    tx.commit().await?;
    Ok(order)
}

/// Whether moving `access`'s account to `plan` must be paid through
/// checkout: a paid plan for an account without a subscription (staff
/// change plans freely).
pub async fn plan_needs_checkout(
    deps: &Deps,
    actor: &Actor,
    access: &Access,
    plan: Uuid,
) -> Result<bool, ServiceError> {
    if actor.staff_can(domain::StaffPermission::Billing) {
        return Ok(false);
    }
    let mut conn = deps.pool.acquire().await?;
    let paid = plan_price(&mut conn, plan)
        .await?
        .is_some_and(|p| p.price_minor > 0);
    let subscribed = super::subscriptions::live(&deps.pool, access.account_id())
        .await?
        .is_some();
    Ok(paid && !subscribed)
}

/// Moving a free account to a paid plan: an order to pay; the account
/// moves when Stripe confirms the subscription.
pub async fn upgrade(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    access: &Access,
    plan: Uuid,
) -> Result<OrderId, ServiceError> {
    access.require(Permission::Pay)?;
    billing.gateway()?;
    let mut tx = deps.pool.begin().await?;
    if plan_price(&mut tx, plan)
        .await?
        .is_none_or(|p| p.stripe_price_id.is_none())
    {
        return Err(ServiceError::invalid(
            "plan",
            "This plan cannot be bought yet (its price is not set up with the payment provider). Please contact support.",
        ));
    }
    let order = insert_order(&mut tx, access.account_id(), actor.id(), plan, OrderKind::Upgrade).await?;
    tx.commit().await?;
    Ok(order)
}

/// Whether the account was suspended by staff (not for an unpaid invoice)
/// when it was cancelled: paying must not bring it back.
pub(crate) async fn staff_held(deps: &Deps, account: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT suspended_reason IS NOT NULL AND NOT billing_hold AS "held!" FROM hosting_accounts WHERE id = $1"#,
        account
    )
    .fetch_one(&deps.pool)
    .await
}

/// The Stripe customer of a user, made on first need.
pub async fn customer_of(deps: &Deps, billing: &BillingSettings, user: Uuid) -> Result<String, ServiceError> {
    if let Some(id) = sqlx::query_scalar!(
        "SELECT stripe_customer_id FROM billing_customers WHERE user_id = $1",
        user
    )
    .fetch_optional(&deps.pool)
    .await?
    {
        return Ok(id);
    }
    let person = sqlx::query!("SELECT email, display_name FROM users WHERE id = $1", user)
        .fetch_one(&deps.pool)
        .await?;
    let id = billing
        .gateway()?
        .create_customer(user, &person.email, &person.display_name)
        .await
        .inspect_err(|e| tracing::warn!(error = %e, "stripe: could not create a customer"))?;
    // The idempotency key makes a concurrent second request answer the same id.
    sqlx::query!(
        "INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING",
        user,
        id
    )
    .execute(&deps.pool)
    .await?;
    Ok(id)
}

/// An order as its page shows it.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: Uuid,
    pub account_id: Uuid,
    pub account_name: String,
    pub account_status: AccountStatus,
    pub plan_name: String,
    pub price_minor: i64,
    pub currency: String,
    pub kind: OrderKind,
    pub status: OrderStatus,
    /// The Checkout page, while its session is still open at Stripe.
    pub checkout_url: Option<String>,
    /// A session was opened but has expired: a new one is needed.
    pub session_expired: bool,
    pub created_at: OffsetDateTime,
}

/// Stripe expires a Checkout Session after 24 hours; a new one is made
/// before that.
pub const SESSION_LIFETIME: time::Duration = time::Duration::hours(23);

/// The order, for its buyer (or staff); anyone else gets `NotFound`.
pub async fn order(deps: &Deps, actor: &Actor, id: OrderId) -> Result<Order, ServiceError> {
    let id = id.uuid();
    let row = sqlx::query!(
        r#"SELECT o.id, o.account_id, o.user_id, a.name AS account_name, a.status AS "account_status: AccountStatus",
                  p.name AS plan_name, p.price_minor, p.currency, o.kind AS "kind: OrderKind",
                  o.status AS "status: OrderStatus", o.checkout_url, o.session_opened_at, o.created_at
           FROM orders o JOIN hosting_accounts a ON a.id = o.account_id JOIN plans p ON p.id = o.plan_id
           WHERE o.id = $1"#,
        id
    )
    .fetch_optional(&deps.pool)
    .await?
    .ok_or(crate::billing::not_found())?;
    if row.user_id != Some(actor.id()) && !actor.is_staff() {
        return Err(super::not_found());
    }
    let fresh = row
        .session_opened_at
        .is_none_or(|at| actor.now - at < SESSION_LIFETIME);
    Ok(Order {
        id: row.id,
        account_id: row.account_id,
        account_name: row.account_name,
        account_status: row.account_status,
        plan_name: row.plan_name,
        price_minor: row.price_minor,
        currency: row.currency,
        kind: row.kind,
        status: row.status,
        checkout_url: row.checkout_url.filter(|_| fresh),
        session_expired: !fresh,
        created_at: row.created_at,
    })
}

/// The order's buyer pays it (staff may look, but the card must be the
/// buyer's), while the account is still as the order was made for; an
/// order that no longer fits expires.
async fn ensure_payable(deps: &Deps, actor: &Actor, order: &Order, id: Uuid) -> Result<(), ServiceError> {
    let buyer = sqlx::query_scalar!("SELECT user_id FROM orders WHERE id = $1", id)
        .fetch_one(&deps.pool)
        .await?;
    if buyer != Some(actor.id()) {
        return Err(super::forbidden());
    }
    // The account must still be in the state the order was made for.
    let subscribed = super::subscriptions::live(&deps.pool, order.account_id)
        .await?
        .is_some();
    let fits = match order.kind {
        OrderKind::NewAccount => order.account_status == AccountStatus::Pending,
        OrderKind::Reactivation => {
            order.account_status == AccountStatus::Cancelled && !staff_held(deps, order.account_id).await?
        }
        OrderKind::Upgrade => order.account_status == AccountStatus::Active,
    };
    if subscribed || !fits {
        sqlx::query!(
            "UPDATE orders SET status = 'expired' WHERE id = $1 AND status = 'open'",
            id
        )
        .execute(&deps.pool)
        .await?;
        return Err(ServiceError::Conflict(
            "This order can no longer be paid: the account has changed since. Nothing was charged.".into(),
        ));
    }
    Ok(())
}

/// Opens (or reopens) the order's Checkout Session and answers its URL.
/// Only the buyer may; an order already paid has nothing to pay.
pub async fn open_checkout(
    deps: &Deps,
    billing: &BillingSettings,
    actor: &Actor,
    id: OrderId,
) -> Result<String, ServiceError> {
    let order = order(deps, actor, id).await?;
    let id = id.uuid();
    if order.status != OrderStatus::Open {
        return Err(ServiceError::Conflict("This order is already paid.".into()));
    }
    ensure_payable(deps, actor, &order, id).await?;
    // An open session is reused; an expired one is made anew.
    if let Some(url) = order.checkout_url {
        return Ok(url);
    }
    let attempt = sqlx::query_scalar!(
        "SELECT session_attempt + (CASE WHEN stripe_session_id IS NULL THEN 0 ELSE 1 END) AS \"n!\" FROM orders WHERE id = $1",
        id
    )
    .fetch_one(&deps.pool)
    .await?;
    let gateway = billing.gateway()?;
    let price = sqlx::query_scalar!(
        "SELECT p.stripe_price_id FROM orders o JOIN plans p ON p.id = o.plan_id WHERE o.id = $1",
        id
    )
    .fetch_one(&deps.pool)
    .await?
    .ok_or_else(|| {
        ServiceError::Conflict("This plan cannot be bought yet. Please contact support.".into())
    })?;
    let customer = customer_of(deps, billing, actor.id()).await?;
    let back = deps.links.to(&format!("/billing/orders/{id}"));
    let success = format!("{back}?session_id={{CHECKOUT_SESSION_ID}}");
    let cancel = format!("{back}?cancelled=1");
    let (session, url) = gateway
        .create_checkout(&CheckoutRequest {
            order: id,
            attempt: i64::from(attempt),
            account: order.account_id,
            account_name: &order.account_name,
            customer: &customer,
            price: &price,
            success_url: &success,
            cancel_url: &cancel,
            tax: billing.checkout_tax,
            promotion_codes: billing.checkout_promotion_codes,
        })
        .await
        .inspect_err(
            |e| tracing::warn!(error = %e, order = %id, "stripe: could not open a checkout session"),
        )?;
    sqlx::query!(
        "UPDATE orders SET stripe_session_id = $2, checkout_url = $3, session_opened_at = $4, session_attempt = $5 WHERE id = $1",
        id,
        session,
        url,
        actor.now,
        attempt
    )
    .execute(&deps.pool)
    .await?;
    Ok(url)
}
