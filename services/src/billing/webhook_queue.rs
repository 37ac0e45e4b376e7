//! The Stripe event worker: stored events are applied one at a time, oldest
//! first, each in one transaction that also marks it processed, so an
//! event's effects happen exactly once. The object an event is about is
//! fetched fresh from Stripe (under a lock on its id), which makes late,
//! duplicated and reordered deliveries all end in Stripe's current state.
//! A failure is retried with backoff; staff see the error and may replay.

use std::time::Duration;

use serde_json::Value;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use time::OffsetDateTime;

use super::sync::{self, InvoiceNews};
use super::BillingSettings;
use crate::clock::Clock;

/// Attempts before an event waits for a replay by staff.
pub const MAX_ATTEMPTS: i32 = 12;

/// Waits after the `attempt`th failure: 10 s, 20 s, 40 s… up to an hour.
pub fn backoff(attempt: i32) -> Duration {
    Duration::from_secs((10u64 << attempt.clamp(0, 9) as u32).min(3600))
}

/// Applies the next due event, if any. Ok(false): nothing was due.
#[tracing::instrument(skip_all)]
pub async fn process_next(
    pool: &PgPool,
    billing: &BillingSettings,
    now: OffsetDateTime,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let Some(event) = sqlx::query!(
        r#"SELECT id, type AS kind, object_id, payload, attempts FROM stripe_events
           WHERE processed_at IS NULL AND next_attempt_at <= $1 AND attempts < $2
           ORDER BY created, received_at LIMIT 1 FOR UPDATE SKIP LOCKED"#,
        now,
        MAX_ATTEMPTS
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    // One object at a time: two workers never write the same object from
    // two fetches.
    if let Some(object) = &event.object_id {
        sqlx::query!("SELECT pg_advisory_xact_lock(hashtext($1))", object)
            .execute(&mut *tx)
            .await?;
    }
    let applied = apply(&mut tx, billing, &event.id, &event.kind, &event.payload, now).await;
    match applied {
        Ok(()) => {
            sqlx::query!(
                "UPDATE stripe_events SET processed_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1",
                event.id,
                now
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::debug!(id = %event.id, kind = %event.kind, "stripe event applied");
        }
        Err(error) => {
            // Nothing of the attempt stays; the event is tried again later.
            tx.rollback().await?;
            let wait = time::Duration::try_from(backoff(event.attempts)).unwrap_or(time::Duration::HOUR);
            tracing::warn!(id = %event.id, kind = %event.kind, error = %format!("{error:#}"), "stripe event failed; will retry");
            sqlx::query!(
                "UPDATE stripe_events SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3 WHERE id = $1",
                event.id,
                now + wait,
                format!("{error:#}").chars().take(1000).collect::<String>()
            )
            .execute(pool)
            .await?;
        }
    }
    Ok(true)
}

async fn apply(
    conn: &mut sqlx::PgConnection,
    billing: &BillingSettings,
    id: &str,
    kind: &str,
    payload: &Value,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let object = &payload["data"]["object"];
    let object_id = object["id"].as_str().unwrap_or_default();
    let gateway = || billing.gateway().map_err(|e| anyhow::anyhow!(e.to_string()));
    match kind {
        "checkout.session.completed" => {
            if let Some(order) = object["metadata"]["order_id"]
                .as_str()
                .and_then(|o| uuid::Uuid::parse_str(o).ok())
            {
                if object["payment_status"] == "paid" || object["status"] == "complete" {
                    sqlx::query!(
                        "UPDATE orders SET status = 'paid', paid_at = $2 WHERE id = $1 AND status = 'open'",
                        order,
                        now
                    )
                    .execute(&mut *conn)
                    .await?;
                }
            }
            if let Some(order) = object["metadata"][crate::registrations::orders::STRIPE_KEY]
                .as_str()
                .and_then(|o| uuid::Uuid::parse_str(o).ok())
            {
                if object["payment_status"] == "paid" {
                    crate::registrations::worker::paid(conn, order, object["payment_intent"].as_str(), now)
                        .await?;
                }
            }
            if let Some(sub) = object["subscription"].as_str() {
                lock(conn, sub).await?;
                let sub = gateway()?.subscription(sub).await?;
                apply_fetched(conn, billing, sub, id, now).await?;
            }
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted"
        | "customer.subscription.paused"
        | "customer.subscription.resumed" => {
            let sub = gateway()?.subscription(object_id).await?;
            apply_fetched(conn, billing, sub, id, now).await?;
        }
        "invoice.paid"
        | "invoice.payment_failed"
        | "invoice.finalized"
        | "invoice.payment_succeeded"
        | "invoice.voided"
        | "invoice.marked_uncollectible" => {
            let news = match kind {
                "invoice.paid" => InvoiceNews::Paid,
                "invoice.payment_failed" => InvoiceNews::PaymentFailed,
                "invoice.finalized" => InvoiceNews::Finalized,
                _ => InvoiceNews::Other,
            };
            let invoice = gateway()?.invoice(object_id).await?;
            sync::apply_invoice(conn, &invoice, news, id, now, billing.grace_days).await?;
        }
        // A domain order paid without Checkout (an automatic renewal). A
        // Checkout payment's intent names its order too: a no-op then.
        "payment_intent.succeeded" => {
            if let Some(order) = object["metadata"][crate::registrations::orders::STRIPE_KEY]
                .as_str()
                .and_then(|o| uuid::Uuid::parse_str(o).ok())
            {
                if object["status"] == "succeeded" {
                    crate::registrations::worker::paid(conn, order, Some(object_id), now).await?;
                }
            }
        }
        // The customer's card: Stripe's billing portal shows and changes it,
        // so the portal keeps nothing of it; the event is recorded only.
        "customer.updated" | "customer.created" | "payment_method.attached" | "payment_method.detached" => {
            tracing::debug!(kind, object = object_id, "recorded");
        }
        other => tracing::debug!(kind = other, "an event the portal does not use"),
    }
    Ok(())
}

/// Holds `object` (a Stripe id) until the transaction ends: every path that
/// writes an object fetched from Stripe takes it before fetching.
pub async fn lock(conn: &mut sqlx::PgConnection, object: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext($1))", object)
        .execute(conn)
        .await?;
    Ok(())
}

/// Applies a subscription fetched from Stripe. One account has one
/// subscription: a second live one (two orders paid) is ended at Stripe at
/// once and recorded as ended; the account keeps the first.
async fn apply_fetched(
    conn: &mut sqlx::PgConnection,
    billing: &BillingSettings,
    sub: super::stripe::Subscription,
    event: &str,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    use domain::billing::SubscriptionStatus;
    let account = sub
        .metadata
        .get("account_id")
        .and_then(|a| uuid::Uuid::parse_str(a).ok());
    let live = SubscriptionStatus::parse(sub.status.as_str()).is_some_and(|s| s.is_live());
    if let (Some(account), true) = (account, live) {
        let other = sqlx::query_scalar!(
            "SELECT stripe_subscription_id FROM subscriptions WHERE account_id = $1 AND stripe_subscription_id <> $2
             AND status NOT IN ('canceled', 'incomplete_expired') LIMIT 1",
            account,
            sub.id.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(other) = other {
            tracing::warn!(%account, kept = %other, ended = %sub.id.as_str(), "a second subscription for one account: ended at Stripe (refund its first invoice by hand)");
            let gateway = billing.gateway().map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let ended = gateway.cancel_now(sub.id.as_str()).await?;
            return sync::apply_subscription(conn, &ended, event, now).await;
        }
    }
    sync::apply_subscription(conn, &sub, event, now).await
}

/// Applies every due event now (tests, and after a wake-up).
pub async fn drain(
    pool: &PgPool,
    billing: &BillingSettings,
    now: OffsetDateTime,
) -> Result<usize, sqlx::Error> {
    let mut n = 0;
    while process_next(pool, billing, now).await? {
        n += 1;
    }
    Ok(n)
}

/// Runs the worker until `shutdown`: woken by each stored event, and every
/// few seconds for retries, it applies `workers` events at once (each
/// claims its own with `SKIP LOCKED`; one object's events still wait for
/// each other on its lock). Several processes may run it.
pub async fn run(
    pool: PgPool,
    billing: BillingSettings,
    clock: Clock,
    workers: usize,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut listener = match PgListener::connect_with(&pool).await {
        Ok(mut l) => match l.listen(super::webhooks::CHANNEL).await {
            Ok(()) => Some(l),
            Err(error) => {
                tracing::warn!(%error, "stripe events: cannot listen; polling only");
                None
            }
        },
        Err(error) => {
            tracing::warn!(%error, "stripe events: cannot listen; polling only");
            None
        }
    };
    loop {
        let drains = (0..workers.max(1)).map(|_| drain(&pool, &billing, clock.now()));
        for result in futures::future::join_all(drains).await {
            if let Err(error) = result {
                tracing::warn!(%error, "stripe events: database error");
            }
        }
        let wake = async {
            match listener.as_mut() {
                Some(l) => {
                    let _ = l.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = wake => {}
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Staff: applies an event again (after a fix, or to re-check Stripe).
pub async fn replay(
    pool: &PgPool,
    actor: &crate::Actor,
    id: &str,
) -> Result<bool, crate::failure::ServiceError> {
    actor.require_staff(domain::StaffPermission::Billing)?;
    let done = sqlx::query!(
        "UPDATE stripe_events SET processed_at = NULL, attempts = 0, next_attempt_at = now(), last_error = NULL WHERE id = $1",
        id
    )
    .execute(pool)
    .await?
    .rows_affected();
    if done > 0 {
        sqlx::query!("SELECT pg_notify($1, $2)", super::webhooks::CHANNEL, id)
            .execute(pool)
            .await?;
    }
    Ok(done > 0)
}

/// A stored event as staff see it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: String,
    pub kind: String,
    pub object_id: Option<String>,
    pub received_at: OffsetDateTime,
    pub processed_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// The newest events, or only those not applied yet (staff).
pub async fn recent(
    pool: &PgPool,
    unprocessed_only: bool,
    limit: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error> {
    sqlx::query_as!(
        StoredEvent,
        r#"SELECT id, type AS kind, object_id, received_at, processed_at, attempts, last_error
           FROM stripe_events WHERE NOT $1 OR processed_at IS NULL
           ORDER BY received_at DESC LIMIT $2"#,
        unprocessed_only,
        limit.clamp(1, 500)
    )
    .fetch_all(pool)
    .await
}
