//! Receiving Stripe's webhooks: the signature is checked (by `async-stripe`,
//! 300 s tolerance) before anything is read, then the event is stored once
//! by its id and acknowledged. Applying it is the worker's job (`events`).

use serde_json::Value;
use sqlx::PgPool;
use stripe_webhook::{Webhook, WebhookError};
use time::OffsetDateTime;

/// Wakes the event worker (it also polls).
pub const CHANNEL: &str = "ksf_stripe_events";

/// Why a webhook was refused (400, nothing stored).
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("webhooks are not set up (no STRIPE_WEBHOOK_SECRET)")]
    NotConfigured,
    #[error("no Stripe-Signature header")]
    Unsigned,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the signature is older than 5 minutes")]
    Stale,
    #[error("the body is not a Stripe event")]
    Malformed,
}

/// What was done with a verified event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    Stored,
    /// Seen before: nothing to do (Stripe retries and duplicates).
    Duplicate,
}

/// Verifies `payload` against `signature` at `now`, then stores the event.
pub async fn receive(
    pool: &PgPool,
    secret: Option<&str>,
    payload: &str,
    signature: Option<&str>,
    now: OffsetDateTime,
) -> Result<Result<Received, Refused>, sqlx::Error> {
    let Some(secret) = secret else {
        return Ok(Err(Refused::NotConfigured));
    };
    let Some(signature) = signature else {
        return Ok(Err(Refused::Unsigned));
    };
    match Webhook::construct_event_with_timestamp(payload, signature, secret, now.unix_timestamp()) {
        Ok(_) => {}
        // Signed by Stripe but of a shape this version cannot type (a new
        // event type or field): kept, since the worker reads what it needs.
        Err(WebhookError::BadParse(_)) => {}
        Err(WebhookError::BadTimestamp(_)) => return Ok(Err(Refused::Stale)),
        Err(WebhookError::BadSignature | WebhookError::BadHeader(_) | WebhookError::BadKey) => {
            return Ok(Err(Refused::BadSignature))
        }
    }
    let Ok(event) = serde_json::from_str::<Value>(payload) else {
        return Ok(Err(Refused::Malformed));
    };
    let (Some(id), Some(kind), Some(created)) = (
        event["id"].as_str(),
        event["type"].as_str(),
        event["created"].as_i64(),
    ) else {
        return Ok(Err(Refused::Malformed));
    };
    let Ok(created) = OffsetDateTime::from_unix_timestamp(created) else {
        return Ok(Err(Refused::Malformed));
    };
    if id.len() > 255 || kind.len() > 255 {
        return Ok(Err(Refused::Malformed));
    }
    let object_id = event["data"]["object"]["id"].as_str().filter(|s| s.len() <= 255);
    let mut tx = pool.begin().await?;
    let stored = sqlx::query!(
        r#"INSERT INTO stripe_events (id, type, object_id, created, payload)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING"#,
        id,
        kind,
        object_id,
        created,
        event
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if stored == 0 {
        return Ok(Ok(Received::Duplicate));
    }
    sqlx::query!("SELECT pg_notify($1, $2)", CHANNEL, id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(Received::Stored))
}
