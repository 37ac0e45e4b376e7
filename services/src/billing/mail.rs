//! Billing's emails, queued in the transaction that applies the Stripe
//! event they are about (so each is written once, and only if it commits).

use sqlx::PgConnection;

use crate::mail::{outbox, Message};
use domain::money::format_minor;
use domain::PRODUCT_NAME;

/// Who pays and for what, for the emails.
#[derive(Debug, Clone)]
pub struct Payer {
    pub email: String,
    pub name: String,
    pub account_name: String,
}

const REASON: &str = "You pay for this hosting account.";

fn amount(minor: i64, currency: &str) -> String {
    format_minor(minor, currency)
}

pub async fn payment_confirmed(
    conn: &mut PgConnection,
    to: &Payer,
    number: &str,
    paid: (i64, &str),
    invoice_url: Option<&str>,
) -> Result<(), outbox::EnqueueError> {
    let message = Message {
        kind: "billing_payment_confirmed",
        subject: format!(
            "Payment received: {} for {}",
            amount(paid.0, paid.1),
            to.account_name
        ),
        heading: "Thank you for your payment".into(),
        paragraphs: vec![format!(
            "Hello {}, we received {} for the hosting account {} (invoice {number}).",
            to.name,
            amount(paid.0, paid.1),
            to.account_name
        )],
        action: invoice_url.map(|u| ("View the invoice".to_string(), u.to_string())),
        reason: REASON.into(),
    };
    outbox::enqueue(conn, &to.email, &message).await.map(|_| ())
}

pub async fn invoice_available(
    conn: &mut PgConnection,
    to: &Payer,
    number: &str,
    due: (i64, &str),
    invoice_url: Option<&str>,
) -> Result<(), outbox::EnqueueError> {
    let message = Message {
        kind: "billing_invoice_available",
        subject: format!("Invoice {number} for {}", to.account_name),
        heading: format!("Invoice {number} is available"),
        paragraphs: vec![format!(
            "Hello {}, the invoice {number} of {} for the hosting account {} is ready. It is charged to your card on file.",
            to.name,
            amount(due.0, due.1),
            to.account_name
        )],
        action: invoice_url.map(|u| ("View the invoice".to_string(), u.to_string())),
        reason: REASON.into(),
    };
    outbox::enqueue(conn, &to.email, &message).await.map(|_| ())
}

pub async fn payment_failed(
    conn: &mut PgConnection,
    to: &Payer,
    due: (i64, &str),
    pay_url: Option<&str>,
    grace_days: i64,
) -> Result<(), outbox::EnqueueError> {
    let message = Message {
        kind: "billing_payment_failed",
        subject: format!("Payment failed for {}", to.account_name),
        heading: "Your payment did not go through".into(),
        paragraphs: vec![
            format!("Hello {}, we could not charge {} for the hosting account {}.", to.name, amount(due.0, due.1), to.account_name),
            format!("Please pay the open invoice within {grace_days} days, or the account will be suspended until it is paid."),
        ],
        action: pay_url.map(|u| ("Pay the invoice".to_string(), u.to_string())),
        reason: REASON.into(),
    };
    outbox::enqueue(conn, &to.email, &message).await.map(|_| ())
}

pub async fn subscription_cancelled(conn: &mut PgConnection, to: &Payer) -> Result<(), outbox::EnqueueError> {
    let message = Message {
        kind: "billing_subscription_cancelled",
        subject: format!("Subscription cancelled: {}", to.account_name),
        heading: "Your subscription has ended".into(),
        paragraphs: vec![format!(
            "Hello {}, the subscription of the hosting account {} has ended and the account is cancelled. You can reactivate it from {PRODUCT_NAME} at any time.",
            to.name, to.account_name
        )],
        action: None,
        reason: REASON.into(),
    };
    outbox::enqueue(conn, &to.email, &message).await.map(|_| ())
}

pub async fn plan_changed(
    conn: &mut PgConnection,
    to: &Payer,
    from: &str,
    plan: &str,
) -> Result<(), outbox::EnqueueError> {
    let message = Message {
        kind: "billing_plan_changed",
        subject: format!("Plan changed: {} is now on {plan}", to.account_name),
        heading: format!("{} is now on {plan}", to.account_name),
        paragraphs: vec![format!(
            "Hello {}, the plan of the hosting account {} changed from {from} to {plan}. The difference for the rest of this period is invoiced separately.",
            to.name, to.account_name
        )],
        action: None,
        reason: REASON.into(),
    };
    outbox::enqueue(conn, &to.email, &message).await.map(|_| ())
}

pub async fn suspended_unpaid(
    conn: &mut PgConnection,
    to: &Payer,
    pay_url: Option<&str>,
) -> Result<(), outbox::EnqueueError> {
    let message = Message {
        kind: "billing_suspended_unpaid",
        subject: format!("Suspended for non-payment: {}", to.account_name),
        heading: format!("{} is suspended", to.account_name),
        paragraphs: vec![format!(
            "Hello {}, the hosting account {} stayed unpaid past its grace period and is suspended. Paying the open invoice restores it at once.",
            to.name, to.account_name
        )],
        action: pay_url.map(|u| ("Pay the invoice".to_string(), u.to_string())),
        reason: REASON.into(),
    };
    outbox::enqueue(conn, &to.email, &message).await.map(|_| ())
}
