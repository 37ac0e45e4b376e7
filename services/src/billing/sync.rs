//! Applying Stripe's state to the portal: a subscription (and with it the
//! account's status and plan) or an invoice, fetched fresh from Stripe by
//! the event worker. Runs in the worker's transaction, which also marks the
//! event processed: each effect (status change, email, activity) happens
//! once, and only if it all commits.

use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::mail::{self, Payer};
use super::stripe::{Invoice, Subscription};
use crate::activity::{record_for_account, Action, NewEntry};
use crate::ClientInfo;
use domain::billing::{InvoiceStatus, SubscriptionStatus};
use domain::live::EventKind;
use domain::{AccountStatus, MemberRole, Permission};

fn at(ts: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(ts).ok()
}

/// Who hears about an account's billing: its members who may pay (owner,
/// billing) as they are now. Whoever's card pays, a member who was removed
/// or lost the role hears no more.
pub(crate) async fn contacts(conn: &mut PgConnection, account: Uuid) -> Result<Vec<Payer>, sqlx::Error> {
    let roles = MemberRole::names_with(Permission::Pay);
    let rows = sqlx::query!(
        r#"SELECT u.email, u.display_name, a.name AS account_name
           FROM hosting_members m JOIN users u ON u.id = m.user_id
           JOIN hosting_accounts a ON a.id = m.account_id
           WHERE m.account_id = $1 AND m.role = ANY($2)
           ORDER BY u.email"#,
        account,
        &roles
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Payer {
            email: r.email,
            name: r.display_name,
            account_name: r.account_name,
        })
        .collect())
}

async fn log(
    conn: &mut PgConnection,
    account: Uuid,
    action: Action,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let system = ClientInfo::default();
    record_for_account(conn, account, NewEntry::without_actor(&system, action, details)).await
}

/// Tells the account's open pages that its billing changed.
pub async fn announce(conn: &mut PgConnection, account: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (kind, account_id) VALUES ($1, $2)",
        EventKind::Billing.as_str(),
        account
    )
    .execute(conn)
    .await?;
    Ok(())
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
    let known = sqlx::query_scalar!(
        "SELECT account_id FROM subscriptions WHERE stripe_subscription_id = $1",
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let account = match known {
        Some(account) => account,
        None => match sub
            .metadata
            .get("account_id")
            .and_then(|a| Uuid::parse_str(a).ok())
        {
            Some(account) => account,
            None => {
                tracing::info!(
                    subscription = id,
                    "a subscription the portal did not start: ignored"
                );
                return Ok(());
            }
        },
    };
    let status = SubscriptionStatus::parse(sub.status.as_str())
        .ok_or_else(|| anyhow::anyhow!("unknown subscription status {:?}", sub.status.as_str()))?;
    let item = sub
        .items
        .data
        .first()
        .ok_or_else(|| anyhow::anyhow!("subscription {id} has no items"))?;
    let price = item.price.id.as_str();
    let amount = item.price.unit_amount.unwrap_or(0).max(0) * item.quantity.unwrap_or(1).min(1000) as i64;
    let currency = sub.currency.to_string().to_ascii_uppercase();
    let customer = sub.customer.id().as_str().to_string();
    let plan = sqlx::query!("SELECT id, name FROM plans WHERE stripe_price_id = $1", price)
        .fetch_optional(&mut *conn)
        .await?;
    let account_row = sqlx::query!(
        r#"SELECT a.status AS "status: AccountStatus", a.billing_hold, a.plan_id, p.name AS plan_name,
                  a.suspended_reason IS NOT NULL AND NOT a.billing_hold AS "staff_held!",
                  EXISTS (SELECT 1 FROM subscriptions o WHERE o.account_id = a.id AND o.stripe_subscription_id <> $2
                          AND o.status NOT IN ('canceled', 'incomplete_expired')) AS "another_live!",
                  EXISTS (SELECT 1 FROM orders r WHERE r.account_id = a.id AND r.kind = 'reactivation'
                          AND r.id::text = $3) AS "reactivation!"
           FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 FOR UPDATE OF a"#,
        account,
        id,
        sub.metadata.get("order_id").map(String::as_str).unwrap_or("")
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(account_row) = account_row else {
        tracing::warn!(subscription = id, %account, "a subscription for an account that no longer exists");
        return Ok(());
    };
    let before = sqlx::query!(
        r#"SELECT status AS "status: SubscriptionStatus", cancel_at_period_end FROM subscriptions WHERE stripe_subscription_id = $1"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
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
        id,
        account,
        customer,
        status.as_str(),
        price,
        plan.as_ref().map(|p| p.id),
        amount,
        currency,
        at(item.current_period_start),
        at(item.current_period_end),
        sub.cancel_at_period_end,
        sub.canceled_at.and_then(at),
        now,
        event
    )
    .execute(&mut *conn)
    .await?;

    let payer = contacts(conn, account).await?;
    let was = before.as_ref().map(|b| b.status);
    match status {
        SubscriptionStatus::Active | SubscriptionStatus::Trialing => {
            if account_row.status == AccountStatus::Pending {
                sqlx::query!(
                    "UPDATE hosting_accounts SET status = 'active', updated_at = now() WHERE id = $1",
                    account
                )
                .execute(&mut *conn)
                .await?;
                log(conn, account, Action::BillingAccountActivated, json!({})).await?;
            } else if account_row.status == AccountStatus::Cancelled
                && before.is_none()
                && account_row.reactivation
                && !account_row.staff_held
            {
                // The reactivation order was paid.
                sqlx::query!(
                    "UPDATE hosting_accounts SET status = 'active', cancelled_at = NULL, updated_at = now() WHERE id = $1",
                    account
                )
                .execute(&mut *conn)
                .await?;
                log(conn, account, Action::BillingAccountActivated, json!({})).await?;
            } else if account_row.status == AccountStatus::Suspended && account_row.billing_hold {
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
            if was != Some(SubscriptionStatus::Canceled) && !account_row.another_live =>
        {
            if matches!(
                account_row.status,
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
            for p in &payer {
                mail::subscription_cancelled(conn, p).await?;
            }
        }
        _ => {}
    }
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
    if let Some(plan) = plan.filter(|p| p.id != account_row.plan_id && status.is_live()) {
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
            json!({ "from": account_row.plan_name, "to": plan.name }),
        )
        .await?;
        for p in &payer {
            mail::plan_changed(conn, p, &account_row.plan_name, &plan.name).await?;
        }
    }
    announce(conn, account).await?;
    Ok(())
}

/// Which event asked for the invoice to be applied: what the payer hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceNews {
    Finalized,
    Paid,
    PaymentFailed,
    Other,
}

/// Applies an invoice as Stripe has it now, and tells the payer what the
/// event was about (once: the event is processed once).
pub async fn apply_invoice(
    conn: &mut PgConnection,
    invoice: &Invoice,
    news: InvoiceNews,
    event: &str,
    now: OffsetDateTime,
    grace_days: i64,
) -> anyhow::Result<()> {
    let Some(id) = invoice.id.as_ref().map(|i| i.as_str().to_string()) else {
        return Ok(());
    };
    let subscription = invoice
        .parent
        .as_ref()
        .and_then(|p| p.subscription_details.as_ref())
        .map(|d| d.subscription.id().as_str().to_string());
    let customer = invoice
        .customer
        .as_ref()
        .map(|c| c.id().as_str().to_string())
        .unwrap_or_default();
    let status = invoice.status.as_ref().map(|s| s.as_str()).unwrap_or("draft");
    let status =
        InvoiceStatus::parse(status).ok_or_else(|| anyhow::anyhow!("unknown invoice status {status:?}"))?;
    let account = match &subscription {
        Some(s) => {
            sqlx::query_scalar!(
                "SELECT account_id FROM subscriptions WHERE stripe_subscription_id = $1",
                s
            )
            .fetch_optional(&mut *conn)
            .await?
        }
        None => None,
    }
    .or_else(|| {
        invoice
            .parent
            .as_ref()
            .and_then(|p| p.subscription_details.as_ref())
            .and_then(|d| d.metadata.as_ref())
            .and_then(|m| m.get("account_id"))
            .and_then(|a| Uuid::parse_str(a).ok())
    });
    let account = match account {
        Some(a) => {
            sqlx::query_scalar!("SELECT id FROM hosting_accounts WHERE id = $1", a)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let currency = invoice.currency.to_string().to_ascii_uppercase();
    let paid_at = invoice.status_transitions.paid_at.and_then(at);
    sqlx::query!(
        r#"INSERT INTO invoices (stripe_invoice_id, account_id, stripe_subscription_id, stripe_customer_id, number, status,
                                 amount_due_minor, amount_paid_minor, currency, hosted_invoice_url, invoice_pdf,
                                 period_start, period_end, created, paid_at, applied_at, applied_event)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           ON CONFLICT (stripe_invoice_id) DO UPDATE SET
               account_id = COALESCE(invoices.account_id, EXCLUDED.account_id), number = EXCLUDED.number,
               status = EXCLUDED.status, amount_due_minor = EXCLUDED.amount_due_minor,
               amount_paid_minor = EXCLUDED.amount_paid_minor, hosted_invoice_url = EXCLUDED.hosted_invoice_url,
               invoice_pdf = EXCLUDED.invoice_pdf, paid_at = EXCLUDED.paid_at,
               applied_at = EXCLUDED.applied_at, applied_event = EXCLUDED.applied_event"#,
        id,
        account,
        subscription,
        customer,
        invoice.number,
        status.as_str(),
        invoice.amount_due.max(0),
        invoice.amount_paid.max(0),
        currency,
        invoice.hosted_invoice_url,
        invoice.invoice_pdf,
        at(invoice.period_start),
        at(invoice.period_end),
        at(invoice.created).unwrap_or(now),
        paid_at,
        now,
        event
    )
    .execute(&mut *conn)
    .await?;
    let Some(account) = account else {
        return Ok(());
    };
    let payer = contacts(conn, account).await?;
    let number = invoice.number.clone().unwrap_or_default();
    let url = invoice.hosted_invoice_url.as_deref();
    match news {
        InvoiceNews::Paid if status == InvoiceStatus::Paid => {
            let details = json!({ "amount": domain::money::format_minor(invoice.amount_paid, &currency), "number": number });
            log(conn, account, Action::BillingPaymentReceived, details).await?;
            for p in &payer {
                mail::payment_confirmed(conn, p, &number, (invoice.amount_paid, &currency), url).await?;
            }
        }
        InvoiceNews::PaymentFailed if status == InvoiceStatus::Open => {
            let details = json!({ "amount": domain::money::format_minor(invoice.amount_due, &currency), "number": number });
            log(conn, account, Action::BillingPaymentFailed, details).await?;
            for p in &payer {
                mail::payment_failed(conn, p, (invoice.amount_due, &currency), url, grace_days).await?;
            }
            crate::notifications::notify_billing_members(
                conn,
                account,
                crate::notifications::Kind::PaymentFailed,
                &format!(
                    "A payment failed for {}",
                    payer.first().map_or("an account", |p| p.account_name.as_str())
                ),
                &format!("/hosting/{account}"),
            )
            .await?;
        }
        // Paid at once (the usual case) needs no second email.
        InvoiceNews::Finalized if status == InvoiceStatus::Open => {
            for p in &payer {
                mail::invoice_available(conn, p, &number, (invoice.amount_due, &currency), url).await?;
            }
        }
        _ => {}
    }
    announce(conn, account).await?;
    Ok(())
}
