//! Resend's delivery webhooks. Each is verified as Resend signs them (Svix:
//! HMAC-SHA256 over `id.timestamp.body`, at most 5 minutes old), stored
//! once by its id and applied in the same transaction: applying touches
//! only our own rows, so unlike Stripe's events there is nothing to retry
//! later, and a redelivered event is answered 200 and changes nothing.
//! A hard bounce or a complaint puts the address on the suppression list.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use sqlx::PgPool;
use time::OffsetDateTime;

use domain::mail::{Delivery, SuppressionReason};

/// How far a signature's time may be from ours.
pub const TOLERANCE: time::Duration = time::Duration::minutes(5);
/// Largest body taken (Resend's events are under 2 KB).
pub const MAX_BYTES: usize = 64 * 1024;

/// `RESEND_WEBHOOK_SECRET`: `whsec_` and base64, as Resend shows it.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(…)")
    }
}

impl std::str::FromStr for WebhookSecret {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let encoded = s.trim().strip_prefix("whsec_").unwrap_or(s.trim());
        match STANDARD.decode(encoded) {
            Ok(key) if key.len() >= 16 => Ok(Self(key)),
            _ => Err("expected the signing secret Resend shows for the webhook (whsec_ and base64)".into()),
        }
    }
}

impl WebhookSecret {
    /// The `v1,…` signature of a body, as Svix writes it.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!(
            "v1,{}",
            STANDARD.encode(self.mac(id, timestamp, body).finalize().into_bytes())
        )
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The three Svix headers.
#[derive(Debug, Default, Clone)]
pub struct Signed<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refused {
    #[error("webhooks are not set up (RESEND_WEBHOOK_SECRET)")]
    NotConfigured,
    #[error("the {0} header is missing")]
    Missing(&'static str),
    #[error("the signature's time is more than 5 minutes from ours")]
    Stale,
    #[error("the signature does not match")]
    Signature,
    #[error("not an event: {0}")]
    Payload(String),
}

/// Checks the signature of `body`; any of the listed `v1` signatures may match.
pub fn verify(
    secret: &WebhookSecret,
    signed: &Signed,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), Refused> {
    let id = signed.id.ok_or(Refused::Missing("svix-id"))?;
    let timestamp = signed.timestamp.ok_or(Refused::Missing("svix-timestamp"))?;
    let signatures = signed.signature.ok_or(Refused::Missing("svix-signature"))?;
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| Refused::Stale)?;
    if (now.unix_timestamp() - timestamp).abs() > TOLERANCE.whole_seconds() {
        return Err(Refused::Stale);
    }
    let matches = signatures
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|given| secret.mac(id, timestamp, body).verify_slice(&given).is_ok());
    if matches {
        Ok(())
    } else {
        Err(Refused::Signature)
    }
}

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Debug, Deserialize)]
struct Data {
    email_id: String,
    #[serde(default)]
    to: Vec<String>,
    #[serde(default)]
    bounce: Option<Bounce>,
}

#[derive(Debug, Deserialize)]
struct Bounce {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// What an event says about its email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `email.sent` and kinds that say nothing about delivery.
    Noted,
    Delivery(Delivery),
    /// A bounce; `permanent` ones suppress the address.
    Bounced {
        permanent: bool,
        detail: Option<String>,
    },
}

fn outcome(event: &Event) -> Outcome {
    match event.kind.as_str() {
        "email.delivered" => Outcome::Delivery(Delivery::Delivered),
        "email.delivery_delayed" => Outcome::Delivery(Delivery::Delayed),
        "email.complained" => Outcome::Delivery(Delivery::Complained),
        "email.bounced" => {
            let bounce = event.data.bounce.as_ref();
            Outcome::Bounced {
                // Resend says "Permanent" for a hard bounce; one without a
                // type is treated as hard, as Resend itself suppresses it.
                permanent: bounce
                    .and_then(|b| b.kind.as_deref())
                    .is_none_or(|t| t.eq_ignore_ascii_case("permanent")),
                detail: bounce.and_then(|b| b.message.clone()),
            }
        }
        _ => Outcome::Noted,
    }
}

/// What receiving did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Applied(Outcome),
    /// Seen before (a redelivery): nothing changed.
    Duplicate,
}

/// Verifies, stores once and applies an event.
pub async fn receive(
    pool: &PgPool,
    secret: Option<&WebhookSecret>,
    signed: &Signed<'_>,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<Result<Received, Refused>, sqlx::Error> {
    let Some(secret) = secret else {
        return Ok(Err(Refused::NotConfigured));
    };
    if let Err(refused) = verify(secret, signed, body, now) {
        return Ok(Err(refused));
    }
    // Parsed once: stored as it came, read through `Event`.
    let parsed = serde_json::from_slice::<serde_json::Value>(body)
        .and_then(|payload| Event::deserialize(&payload).map(|event| (payload, event)));
    let (payload, event) = match parsed {
        Ok(both) => both,
        Err(e) => return Ok(Err(Refused::Payload(e.to_string()))),
    };
    let id = signed.id.unwrap_or_default();
    let mut tx = pool.begin().await?;
    let stored = sqlx::query!(
        "INSERT INTO email_events (id, type, email_id, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        id,
        event.kind,
        event.data.email_id,
        payload
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if stored == 0 {
        return Ok(Ok(Received::Duplicate));
    }
    lock(&mut tx, &event.data.email_id).await?;
    let outcome = outcome(&event);
    apply(&mut tx, &event, &outcome, now).await?;
    tx.commit().await?;
    tracing::info!(kind = %event.kind, email_id = %event.data.email_id, "email event applied");
    Ok(Ok(Received::Applied(outcome)))
}

/// Serialises the reports about one email with the worker recording its
/// sending, so a report never misses the row it is about.
pub async fn lock(conn: &mut sqlx::PgConnection, email_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('email:' || $1))", email_id)
        .execute(conn)
        .await?;
    Ok(())
}

async fn apply(
    tx: &mut sqlx::PgConnection,
    event: &Event,
    outcome: &Outcome,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let delivery = match outcome {
        Outcome::Noted => return Ok(()),
        Outcome::Delivery(d) => *d,
        Outcome::Bounced { .. } => Delivery::Bounced,
    };
    // A final word is never replaced by a delay, and a delivery never
    // hides a bounce or complaint that arrived first.
    let to: Option<String> = sqlx::query_scalar!(
        r#"UPDATE email_outbox SET delivery = $2, delivery_at = $3
           WHERE provider_id = $1
             AND (delivery IS NULL OR delivery = 'delayed'
                  OR ($2 IN ('bounced', 'complained') AND delivery = 'delivered'))
           RETURNING to_address"#,
        event.data.email_id,
        delivery as Delivery,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    let reason = match outcome {
        Outcome::Bounced { permanent: true, .. } => SuppressionReason::Bounced,
        Outcome::Delivery(Delivery::Complained) => SuppressionReason::Complained,
        _ => return Ok(()),
    };
    let detail = match outcome {
        Outcome::Bounced { detail, .. } => detail.clone(),
        _ => None,
    };
    let addresses: Vec<String> = match to {
        Some(address) => vec![address],
        None => event.data.to.clone(),
    };
    for address in addresses {
        super::suppression::add(&mut *tx, &address, reason, detail.as_deref()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> WebhookSecret {
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse().unwrap()
    }

    fn signed<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> Signed<'a> {
        Signed {
            id: Some(id),
            timestamp: Some(ts),
            signature: Some(sig),
        }
    }

    #[test]
    fn a_signature_made_with_the_secret_is_accepted_and_any_change_refused() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let body = br#"{"type":"email.delivered","data":{"email_id":"re_1"}}"#;
        let sig = secret().sign("msg_1", 1_700_000_000, body);
        assert_eq!(
            verify(&secret(), &signed("msg_1", "1700000000", &sig), body, now),
            Ok(())
        );
        // Several signatures (a rotated secret): one matching is enough.
        let both = format!("v1,bm90IHRoaXMgb25l {sig}");
        assert_eq!(
            verify(&secret(), &signed("msg_1", "1700000000", &both), body, now),
            Ok(())
        );
        let tampered = br#"{"type":"email.bounced","data":{"email_id":"re_1"}}"#;
        assert_eq!(
            verify(&secret(), &signed("msg_1", "1700000000", &sig), tampered, now),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(&secret(), &signed("msg_2", "1700000000", &sig), body, now),
            Err(Refused::Signature)
        );
        let other: WebhookSecret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtMTIzNDU2".parse().unwrap();
        assert_eq!(
            verify(&other, &signed("msg_1", "1700000000", &sig), body, now),
            Err(Refused::Signature)
        );
    }

    #[test]
    fn old_or_missing_signatures_are_refused() {
        let body = b"{}";
        let sig = secret().sign("msg_1", 1_700_000_000, body);
        let later = OffsetDateTime::from_unix_timestamp(1_700_000_000 + 301).unwrap();
        assert_eq!(
            verify(&secret(), &signed("msg_1", "1700000000", &sig), body, later),
            Err(Refused::Stale)
        );
        let missing = Signed {
            id: Some("msg_1"),
            ..Default::default()
        };
        assert_eq!(
            verify(&secret(), &missing, body, later),
            Err(Refused::Missing("svix-timestamp"))
        );
        assert!("whsec_short".parse::<WebhookSecret>().is_err());
    }

    #[test]
    fn only_hard_bounces_and_complaints_suppress() {
        let event = |json: &str| -> Outcome { outcome(&serde_json::from_str(json).unwrap()) };
        assert_eq!(
            event(
                r#"{"type":"email.bounced","data":{"email_id":"a","bounce":{"type":"Transient","message":"full"}}}"#
            ),
            Outcome::Bounced {
                permanent: false,
                detail: Some("full".into())
            }
        );
        assert!(matches!(
            event(r#"{"type":"email.bounced","data":{"email_id":"a","bounce":{"type":"Permanent"}}}"#),
            Outcome::Bounced { permanent: true, .. }
        ));
        assert_eq!(
            event(r#"{"type":"email.sent","data":{"email_id":"a"}}"#),
            Outcome::Noted
        );
        assert_eq!(
            event(r#"{"type":"email.opened","data":{"email_id":"a"}}"#),
            Outcome::Noted
        );
    }
}
