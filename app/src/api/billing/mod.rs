//! Billing's server functions (what the pages show) and, server-side, its
//! forms and Stripe's webhook endpoint (`forms`).

#[cfg(feature = "ssr")]
pub mod forms;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// A subscription row of `/billing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub account_id: String,
    pub account_name: String,
    pub plan: String,
    pub status: String,
    pub badge: String,
    pub amount: String,
    /// "Renews 2026-12-27", "Ends 2026-12-27", "—".
    pub next: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceView {
    pub number: String,
    pub account_name: String,
    pub date: String,
    pub status: String,
    pub badge: String,
    pub amount: String,
    pub hosted_url: Option<String>,
    pub pdf_url: Option<String>,
    pub payable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendView {
    pub account_name: String,
    pub month: String,
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenOrderView {
    pub id: String,
    pub account_name: String,
    pub plan_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingView {
    pub payments_enabled: bool,
    pub test_mode: bool,
    pub has_customer: bool,
    pub subscriptions: Vec<SubscriptionView>,
    pub invoices: Vec<InvoiceView>,
    pub spending: Vec<SpendView>,
    pub open_orders: Vec<OpenOrderView>,
}

#[cfg(feature = "ssr")]
fn date(t: Option<time::OffsetDateTime>) -> String {
    t.map(|t| t.date().to_string()).unwrap_or_else(|| "—".into())
}

#[server(endpoint = "billing_overview")]
pub async fn billing_overview() -> Result<BillingView, ApiError> {
    use super::edge::error::api_error;
    use domain::billing::InvoiceStatus;
    use domain::money::format_minor;
    use services::failure::Internal;
    let (deps, actor) = super::edge::auth::actor()?;
    let o = services::billing::overview::load(&deps.pool, &actor)
        .await
        .map_err(|e| api_error(Internal::from(e)))?;
    Ok(BillingView {
        payments_enabled: deps.billing.enabled(),
        test_mode: deps.billing.stripe.as_ref().is_some_and(|g| g.test_mode()),
        has_customer: o.has_customer,
        subscriptions: o
            .subscriptions
            .into_iter()
            .map(|s| SubscriptionView {
                account_id: s.account_id.to_string(),
                account_name: s.account_name,
                plan: s.plan_name.unwrap_or_else(|| "Retired plan".into()),
                status: s.status.label().into(),
                badge: s.status.badge().into(),
                amount: format!("{} / month", format_minor(s.amount_minor, &s.currency)),
                next: match (s.status.is_live(), s.cancel_at_period_end) {
                    (false, _) => "—".into(),
                    (true, true) => format!("Ends {}", date(s.current_period_end)),
                    (true, false) => format!("Renews {}", date(s.current_period_end)),
                },
                overdue: s.status.is_overdue(),
            })
            .collect(),
        invoices: o
            .invoices
            .into_iter()
            .map(|i| InvoiceView {
                number: i.number.unwrap_or_else(|| "—".into()),
                account_name: i.account_name.unwrap_or_default(),
                date: i.created.date().to_string(),
                status: i.status.label().into(),
                badge: i.status.badge().into(),
                amount: format_minor(i.amount_due_minor.max(i.amount_paid_minor), &i.currency),
                payable: i.status == InvoiceStatus::Open,
                hosted_url: i.hosted_invoice_url,
                pdf_url: i.invoice_pdf,
            })
            .collect(),
        spending: o
            .spending
            .into_iter()
            .map(|s| SpendView {
                account_name: s.account_name,
                month: s.month,
                amount: format_minor(s.paid_minor, &s.currency),
            })
            .collect(),
        open_orders: o
            .open_orders
            .into_iter()
            .map(|o| OpenOrderView {
                id: o.id.to_string(),
                account_name: o.account_name,
                plan_name: o.plan_name,
            })
            .collect(),
    })
}

/// An order's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: String,
    pub account_id: String,
    pub account_name: String,
    pub plan_name: String,
    pub price: String,
    pub kind: String,
    pub paid: bool,
    /// The account is active (the payment was confirmed by Stripe).
    pub active: bool,
    pub checkout_url: Option<String>,
    /// The last payment page expired (Stripe keeps one a day).
    pub expired: bool,
    pub test_mode: bool,
}

#[server(endpoint = "billing_order")]
pub async fn billing_order(id: String) -> Result<OrderView, ApiError> {
    use super::edge::error::api_error;
    use domain::billing::OrderStatus;
    use domain::AccountStatus;
    use services::billing::checkout;
    let (deps, actor) = super::edge::auth::actor()?;
    let id = domain::OrderId::parse(&id).ok_or_else(|| api_error(services::billing::not_found()))?;
    let o = checkout::order(&deps, &actor, id).await.map_err(api_error)?;
    Ok(OrderView {
        id: o.id.to_string(),
        account_id: o.account_id.to_string(),
        account_name: o.account_name,
        plan_name: o.plan_name,
        price: format!(
            "{} / month",
            domain::money::format_minor(o.price_minor, &o.currency)
        ),
        kind: o.kind.label().into(),
        paid: o.status == OrderStatus::Paid,
        active: o.account_status == AccountStatus::Active,
        checkout_url: o.checkout_url,
        expired: o.session_expired,
        test_mode: deps.billing.stripe.as_ref().is_some_and(|g| g.test_mode()),
    })
}

/// The account page's billing box.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBillingView {
    pub may_pay: bool,
    pub may_see: bool,
    pub payments_enabled: bool,
    pub status: Option<String>,
    pub badge: Option<String>,
    pub amount: Option<String>,
    pub next: Option<String>,
    pub cancel_at_period_end: bool,
    pub overdue: bool,
    /// Days left before an overdue account is suspended.
    pub grace_left_days: Option<i64>,
    pub open_order: Option<String>,
}

#[server(endpoint = "billing_account")]
pub async fn account_billing(account: String) -> Result<AccountBillingView, ApiError> {
    use super::edge::error::api_error;
    use domain::{AccountId, Permission};
    use services::failure::Internal;
    let (deps, actor) = super::edge::auth::actor()?;
    let id = AccountId::parse(&account).ok_or_else(|| api_error(services::billing::not_found()))?;
    let access = services::hosting::access::authorize(&deps.pool, &actor, id)
        .await
        .map_err(api_error)?;
    let may_see = access.role().is_some_and(|r| r.can(Permission::ViewBilling)) || access.staff();
    if !may_see {
        return Ok(AccountBillingView::default());
    }
    let b = services::billing::overview::for_account(&deps.pool, id.uuid(), &actor)
        .await
        .map_err(|e| api_error(Internal::from(e)))?;
    let sub = b.subscription;
    let grace_left_days = sub.as_ref().and_then(|s| s.past_due_since).map(|since| {
        let ends = since + time::Duration::days(deps.billing.grace_days);
        // Whole days left, counting a started day.
        ((ends - actor.now).whole_seconds().max(0) + 86_399) / 86_400
    });
    Ok(AccountBillingView {
        may_pay: access.role().is_some_and(|r| r.can(Permission::Pay)),
        may_see,
        payments_enabled: deps.billing.enabled(),
        status: sub.as_ref().map(|s| s.status.label().to_string()),
        badge: sub.as_ref().map(|s| s.status.badge().to_string()),
        amount: sub.as_ref().map(|s| format!("{} / month", s.amount())),
        next: sub.as_ref().map(|s| {
            let day = date(s.current_period_end);
            if s.cancel_at_period_end {
                format!("Ends on {day}")
            } else {
                format!("Renews on {day}")
            }
        }),
        cancel_at_period_end: sub.as_ref().is_some_and(|s| s.cancel_at_period_end),
        overdue: sub.as_ref().is_some_and(|s| s.status.is_overdue()),
        grace_left_days,
        open_order: b.open_order.map(|o| o.to_string()),
    })
}

/// What a plan change costs now, before the user confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePreviewView {
    pub account_id: String,
    pub account_name: String,
    pub plan_id: String,
    pub plan_name: String,
    pub due_now: String,
    pub new_price: String,
}

#[server(endpoint = "billing_plan_preview")]
pub async fn plan_change_preview(account: String, plan: String) -> Result<ChangePreviewView, ApiError> {
    use super::edge::error::api_error;
    use domain::AccountId;
    use services::billing::{subscriptions, ServiceError};
    let (deps, actor) = super::edge::auth::actor()?;
    let id = AccountId::parse(&account).ok_or_else(|| api_error(services::billing::not_found()))?;
    let plan_id = uuid::Uuid::parse_str(plan.trim())
        .map_err(|_| api_error(ServiceError::invalid("plan", "Choose one of the plans offered.")))?;
    let access = services::hosting::access::authorize(&deps.pool, &actor, id)
        .await
        .map_err(api_error)?;
    let preview = subscriptions::preview_change(&deps, &deps.billing, &access, plan_id)
        .await
        .map_err(api_error)?;
    Ok(ChangePreviewView {
        account_id: id.to_string(),
        account_name: preview.account_name,
        plan_id: plan_id.to_string(),
        plan_name: preview.plan_name,
        due_now: domain::money::format_minor(preview.due_now_minor, &preview.currency),
        new_price: format!(
            "{} / month",
            domain::money::format_minor(preview.price_minor, &preview.price_currency)
        ),
    })
}

/// A Stripe event as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: String,
    pub kind: String,
    pub object: String,
    pub received: String,
    /// "Applied", "Waiting (attempt 3)", "Failed after 12 attempts".
    pub state: String,
    pub badge: String,
    pub error: Option<String>,
}

#[server(endpoint = "billing_events")]
pub async fn stripe_events(pending_only: bool) -> Result<Vec<EventView>, ApiError> {
    use super::edge::error::api_error;
    use services::billing::webhook_queue::{recent, MAX_ATTEMPTS};
    use services::failure::Internal;
    let (deps, actor) = super::edge::auth::actor()?;
    if !actor.is_staff() {
        return Err(api_error(crate::api::edge::auth::NotStaff));
    }
    let rows = recent(&deps.pool, pending_only, 200)
        .await
        .map_err(|e| api_error(Internal::from(e)))?;
    Ok(rows
        .into_iter()
        .map(|e| {
            let (state, badge) = match (e.processed_at, e.attempts) {
                (Some(_), _) => ("Applied".to_string(), "badge badge-success"),
                (None, n) if n >= MAX_ATTEMPTS => {
                    (format!("Failed after {n} attempts"), "badge badge-danger")
                }
                (None, 0) => ("Waiting".to_string(), "badge badge-info"),
                (None, n) => (format!("Retrying (attempt {})", n + 1), "badge badge-warning"),
            };
            EventView {
                id: e.id,
                kind: e.kind,
                object: e.object_id.unwrap_or_default(),
                received: super::when(e.received_at),
                state,
                badge: badge.into(),
                error: e.last_error,
            }
        })
        .collect())
}
