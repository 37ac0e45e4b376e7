//! Payments for domain orders that no longer awaited one (see
//! `worker::paid`): each is refunded in full, once (the key is the
//! payment's), and the buyer told.

use uuid::Uuid;

use super::fulfil::format_day;
use crate::mail::{outbox, Message};
use crate::Deps;

/// How long a claimed stray payment is left to its worker.
const LEASE: time::Duration = time::Duration::minutes(5);

/// Refunds the next stray payment that is due. Answers its order (nil
/// when the order is gone); None when nothing was due.
pub async fn refund_next(deps: &Deps) -> anyhow::Result<Option<Uuid>> {
    let now = deps.clock.now();
    let Some(stray) = sqlx::query!(
        r#"UPDATE stray_payments s SET attempts = s.attempts + 1, next_attempt_at = $2
           WHERE s.payment_intent = (SELECT payment_intent FROM stray_payments
                                     WHERE refund_id IS NULL AND next_attempt_at <= $1
                                     ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING s.payment_intent, s.order_id, s.attempts"#,
        now,
        now + LEASE
    )
    .fetch_optional(&deps.pool)
    .await?
    else {
        return Ok(None);
    };
    let order = stray.order_id.unwrap_or_default();
    let gateway = deps
        .billing
        .gateway()
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let refund = gateway
        .refund_keyed(
            &stray.payment_intent,
            order,
            &format!("ksf-refund-stray-{}", stray.payment_intent),
        )
        .await;
    let refund_id = match refund {
        Ok(id) => id,
        Err(error) => {
            // Stripe not reached: again later, backing off up to a day.
            let wait = time::Duration::minutes(5 * i64::from(stray.attempts.clamp(1, 288)));
            tracing::warn!(payment_intent = %stray.payment_intent, %error, "stray payment not refunded yet");
            sqlx::query!(
                "UPDATE stray_payments SET next_attempt_at = $2 WHERE payment_intent = $1",
                stray.payment_intent,
                now + wait
            )
            .execute(&deps.pool)
            .await?;
            return Ok(None);
        }
    };
    let mut tx = deps.pool.begin().await?;
    sqlx::query!(
        "UPDATE stray_payments SET refund_id = $2, next_attempt_at = NULL WHERE payment_intent = $1",
        stray.payment_intent,
        refund_id
    )
    .execute(&mut *tx)
    .await?;
    let buyer = sqlx::query!(
        "SELECT o.name, u.email, u.display_name FROM domain_orders o JOIN users u ON u.id = o.user_id WHERE o.id = $1",
        order
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(b) = buyer {
        let display = domain::dns::names::unicode(&b.name);
        outbox::enqueue(
            &mut tx,
            &b.email,
            &Message {
                kind: "domain_payment_refunded",
                subject: format!("We refunded a second payment for {display}"),
                heading: "A second payment was refunded".into(),
                paragraphs: vec![
                    format!(
                        "Hello {}, the order for {display} was paid already, so the payment of {} was refunded in full.",
                        b.display_name,
                        format_day(now)
                    ),
                    "It reaches your card in 5 to 10 days.".into(),
                ],
                action: Some(("See the order".into(), deps.links.to(&format!("/domains/orders/{order}")))),
                reason: "You placed this order.".into(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(%order, payment_intent = %stray.payment_intent, "stray payment refunded");
    Ok(Some(order))
}
