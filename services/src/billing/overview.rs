//! What `/billing` shows: the subscriptions, invoices and spending of the
//! accounts whose billing the user may see (owner, admin, billing), and
//! their own open orders. Staff see their own here like anyone; the
//! platform's revenue is on the dashboard.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::Actor;
use domain::billing::{InvoiceStatus, SubscriptionStatus};

#[derive(Debug, Clone)]
pub struct SubscriptionRow {
    pub account_id: Uuid,
    pub account_name: String,
    pub plan_name: Option<String>,
    pub status: SubscriptionStatus,
    pub amount_minor: i64,
    pub currency: String,
    pub current_period_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
}

#[derive(Debug, Clone)]
pub struct InvoiceRow {
    pub account_id: Option<Uuid>,
    pub account_name: Option<String>,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub amount_due_minor: i64,
    pub amount_paid_minor: i64,
    pub currency: String,
    pub hosted_invoice_url: Option<String>,
    pub invoice_pdf: Option<String>,
    pub created: OffsetDateTime,
}

/// What one account paid in one month, in one currency.
#[derive(Debug, Clone)]
pub struct SpendRow {
    pub account_name: String,
    pub month: String,
    pub paid_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone)]
pub struct OpenOrder {
    pub id: Uuid,
    pub account_name: String,
    pub plan_name: String,
}

#[derive(Debug, Clone, Default)]
pub struct Overview {
    pub subscriptions: Vec<SubscriptionRow>,
    pub invoices: Vec<InvoiceRow>,
    pub spending: Vec<SpendRow>,
    pub open_orders: Vec<OpenOrder>,
    /// The user has a Stripe customer (a card on file to manage).
    pub has_customer: bool,
}

/// Invoices listed on the page.
pub const INVOICES_SHOWN: i64 = 50;

pub async fn load(pool: &sqlx::PgPool, actor: &Actor) -> Result<Overview, sqlx::Error> {
    let user = actor.id();
    let subscriptions = sqlx::query_as!(
        SubscriptionRow,
        r#"SELECT s.account_id, a.name AS account_name, p.name AS "plan_name?", s.status AS "status: SubscriptionStatus",
                  s.amount_minor, s.currency, s.current_period_end, s.cancel_at_period_end
           FROM subscriptions s JOIN hosting_accounts a ON a.id = s.account_id
           JOIN hosting_members m ON m.account_id = s.account_id AND m.user_id = $1
           LEFT JOIN plans p ON p.id = s.plan_id
           WHERE m.role IN ('owner', 'admin', 'billing') AND s.status NOT IN ('incomplete_expired')
           ORDER BY (s.status = 'canceled'), a.name"#,
        user
    )
    .fetch_all(pool)
    .await?;
    let invoices = sqlx::query_as!(
        InvoiceRow,
        r#"SELECT i.account_id, a.name AS "account_name?", i.number, i.status AS "status: InvoiceStatus",
                  i.amount_due_minor, i.amount_paid_minor, i.currency, i.hosted_invoice_url, i.invoice_pdf, i.created
           FROM invoices i JOIN hosting_accounts a ON a.id = i.account_id
           JOIN hosting_members m ON m.account_id = i.account_id AND m.user_id = $1
           WHERE m.role IN ('owner', 'admin', 'billing') AND i.status <> 'draft'
           ORDER BY i.created DESC LIMIT $2"#,
        user,
        INVOICES_SHOWN
    )
    .fetch_all(pool)
    .await?;
    let spending = sqlx::query_as!(
        SpendRow,
        r#"SELECT a.name AS account_name, to_char(date_trunc('month', i.paid_at), 'YYYY-MM') AS "month!",
                  sum(i.amount_paid_minor)::bigint AS "paid_minor!", i.currency
           FROM invoices i JOIN hosting_accounts a ON a.id = i.account_id
           JOIN hosting_members m ON m.account_id = i.account_id AND m.user_id = $1
           WHERE m.role IN ('owner', 'admin', 'billing') AND i.status = 'paid'
             AND i.paid_at >= date_trunc('month', now()) - interval '11 months'
           GROUP BY a.name, 2, i.currency ORDER BY a.name, 2 DESC"#,
        user
    )
    .fetch_all(pool)
    .await?;
    let open_orders = sqlx::query_as!(
        OpenOrder,
        r#"SELECT o.id, a.name AS account_name, p.name AS plan_name
           FROM orders o JOIN hosting_accounts a ON a.id = o.account_id JOIN plans p ON p.id = o.plan_id
           WHERE o.user_id = $1 AND o.status = 'open' AND a.status IN ('pending', 'cancelled')
           ORDER BY o.created_at DESC LIMIT 10"#,
        user
    )
    .fetch_all(pool)
    .await?;
    let has_customer = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM billing_customers WHERE user_id = $1) AS "e!""#,
        user
    )
    .fetch_one(pool)
    .await?;
    Ok(Overview {
        subscriptions,
        invoices,
        spending,
        open_orders,
        has_customer,
    })
}

/// The account page's billing box: its live subscription and its open order.
#[derive(Debug, Clone, Default)]
pub struct AccountBilling {
    pub subscription: Option<super::subscriptions::Live>,
    pub open_order: Option<Uuid>,
}

pub async fn for_account(
    pool: &sqlx::PgPool,
    account: Uuid,
    actor: &Actor,
) -> Result<AccountBilling, sqlx::Error> {
    let subscription = super::subscriptions::live(pool, account).await?;
    let open_order = sqlx::query_scalar!(
        "SELECT id FROM orders WHERE account_id = $1 AND user_id = $2 AND status = 'open' ORDER BY created_at DESC LIMIT 1",
        account,
        actor.id()
    )
    .fetch_optional(pool)
    .await?;
    Ok(AccountBilling {
        subscription,
        open_order,
    })
}
