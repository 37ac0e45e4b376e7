//! An invoice as Stripe has it, and what its payer hears.

use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{announce, at, contacts, log};
use crate::activity::Action;
use crate::billing::mail;
use crate::billing::stripe::Invoice;
use domain::billing::InvoiceStatus;

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
    let account = account_of(conn, invoice, subscription.as_deref()).await?;
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
    tell(conn, account, invoice, news, status, grace_days).await?;
    announce(conn, account).await?;
    Ok(())
}

/// The account the invoice is for: its subscription's, or the one the
/// portal named in the subscription's metadata, if it still exists.
async fn account_of(
    conn: &mut PgConnection,
    invoice: &Invoice,
    subscription: Option<&str>,
) -> Result<Option<Uuid>, sqlx::Error> {
    let stored = match subscription {
        Some(s) => {
            sqlx::query_scalar!(
                "SELECT account_id FROM subscriptions WHERE stripe_subscription_id = $1",
                s
            )
            .fetch_optional(&mut *conn)
            .await?
        }
        None => None,
    };
    let named = stored.or_else(|| {
        invoice
            .parent
            .as_ref()
            .and_then(|p| p.subscription_details.as_ref())
            .and_then(|d| d.metadata.as_ref())
            .and_then(|m| m.get("account_id"))
            .and_then(|a| Uuid::parse_str(a).ok())
    });
    match named {
        Some(a) => {
            sqlx::query_scalar!("SELECT id FROM hosting_accounts WHERE id = $1", a)
                .fetch_optional(&mut *conn)
                .await
        }
        None => Ok(None),
    }
}

/// What the account's payers hear of the event: a payment received or
/// failed, or a new invoice to pay.
async fn tell(
    conn: &mut PgConnection,
    account: Uuid,
    invoice: &Invoice,
    news: InvoiceNews,
    status: InvoiceStatus,
    grace_days: i64,
) -> anyhow::Result<()> {
    let currency = invoice.currency.to_string().to_ascii_uppercase();
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
    Ok(())
}
