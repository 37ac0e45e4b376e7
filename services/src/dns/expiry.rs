//! Pending domains do not hold their name forever: one whose registry
//! never pointed at its name servers is removed 14 days after it was
//! added (its owners are emailed 3 days before), so a name added by
//! someone who does not control it is freed for whoever does.

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

use super::ServiceError;
use crate::activity::{self, Action, NewEntry};
use crate::identity::Links;
use crate::mail::{outbox, Message};
use crate::ClientInfo;

/// Days a domain may stay pending.
pub const PENDING_DAYS: i64 = 14;
/// Days before the removal its owners are told.
pub const WARN_DAYS: i64 = 3;

/// Told to the owners when the domain is removed.
fn removed_message(display: &str, links: &Links) -> Message {
    Message {
        kind: "domain_expired",
        subject: format!("{display} was removed: it was never delegated"),
        heading: format!("{display} was removed"),
        paragraphs: vec![format!(
            "{display} waited {PENDING_DAYS} days for its registry to point at the name servers we gave it, and never did, so it has been removed and the name is free again. You can add it again at any time."
        )],
        action: Some(("Your domains".into(), links.to("/domains"))),
        reason: "You own the hosting account the domain was added to.".into(),
    }
}

/// Told to the owners `WARN_DAYS` before the removal.
fn expiring_message(display: &str, name: &str, links: &Links) -> Message {
    Message {
        kind: "domain_expiring",
        subject: format!("{display} will be removed in {WARN_DAYS} days"),
        heading: format!("{display} is still waiting for its name servers"),
        paragraphs: vec![format!(
            "The registry of {display} does not point at the name servers we gave it yet. Set them at your registrar within {WARN_DAYS} days, or the domain is removed and its name freed for whoever controls it."
        )],
        action: Some(("See its name servers".into(), links.to(&format!("/domains/{name}")))),
        reason: "You own the hosting account the domain was added to.".into(),
    }
}

/// Warns the owners of domains due to expire soon, and removes those due
/// now. Returns (warned, removed). Several processes may run it: each
/// domain is taken by one (`SKIP LOCKED`).
pub async fn expire_pending(
    pool: &PgPool,
    links: &Links,
    now: OffsetDateTime,
) -> Result<(usize, usize), ServiceError> {
    let warn_from = now - Duration::days(PENDING_DAYS - WARN_DAYS);
    let remove_from = now - Duration::days(PENDING_DAYS);
    // Removed only once warned, and at least WARN_DAYS after the warning:
    // a domain that missed its warning (or pending when this was deployed)
    // is warned first.
    let warned_before = now - Duration::days(WARN_DAYS);
    let mut tx = pool.begin().await?;
    let due = sqlx::query!(
        r#"SELECT d.id, d.name, d.account_id, d.expiry_warned_at
           FROM domains d
           WHERE d.status = 'pending' AND d.created_at <= $1
             AND (d.expiry_warned_at IS NULL OR (d.created_at <= $2 AND d.expiry_warned_at <= $3))
           ORDER BY d.created_at LIMIT 500
           FOR UPDATE OF d SKIP LOCKED"#,
        warn_from,
        remove_from,
        warned_before
    )
    .fetch_all(&mut *tx)
    .await?;
    let (mut warned, mut removed) = (0, 0);
    for d in due {
        let display = domain::dns::names::unicode(&d.name);
        let owners = sqlx::query_scalar!(
            "SELECT u.email FROM hosting_members m JOIN users u ON u.id = m.user_id
             WHERE m.account_id = $1 AND m.role = 'owner'",
            d.account_id
        )
        .fetch_all(&mut *tx)
        .await?;
        if d.expiry_warned_at.is_some() {
            sqlx::query!("DELETE FROM domains WHERE id = $1", d.id)
                .execute(&mut *tx)
                .await?;
            activity::record_for_account(
                &mut tx,
                d.account_id,
                NewEntry::without_actor(
                    &ClientInfo::default(),
                    Action::DomainRemoved,
                    serde_json::json!({
                        "domain": d.name,
                        "reason": format!("its registry did not point at its name servers within {PENDING_DAYS} days"),
                    }),
                ),
            )
            .await?;
            let message = removed_message(&display, links);
            for to in &owners {
                outbox::enqueue(&mut tx, to, &message).await?;
            }
            removed += 1;
        } else {
            sqlx::query!(
                "UPDATE domains SET expiry_warned_at = $2 WHERE id = $1",
                d.id,
                now
            )
            .execute(&mut *tx)
            .await?;
            let message = expiring_message(&display, &d.name, links);
            for to in &owners {
                outbox::enqueue(&mut tx, to, &message).await?;
            }
            warned += 1;
        }
    }
    tx.commit().await?;
    if warned + removed > 0 {
        tracing::info!(warned, removed, "pending domains expiring");
    }
    Ok((warned, removed))
}
