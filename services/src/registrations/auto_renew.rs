//! Automatic renewal. Fourteen days before a name with auto-renew expires,
//! a one-year renewal order is made and the saved card of whoever turned
//! auto-renew on is charged without them (Stripe, off-session). Paid, it
//! goes the way of every paid renewal (the worker renews it once). Declined
//! or without a card, the owners are emailed with a link to pay it
//! themselves, and the card is tried again every 2 days until expiry: a
//! name is never renewed unpaid.

use time::OffsetDateTime;
use uuid::Uuid;

use domain::{DomainOrderId, Permission};

use super::{search, RegistrationSettings, ServiceError};
use crate::billing::checkout::customer_of;
use crate::billing::payments::{Charge, OffSessionCharge};
use crate::hosting::access::Access;
use crate::mail::{outbox, Message};
use crate::{Actor, Deps};

/// How long before expiry the card is first charged.
pub const CHARGE_BEFORE: time::Duration = time::Duration::days(14);
/// How long after a declined charge it is tried again.
pub const RETRY_AFTER: time::Duration = time::Duration::days(2);

/// Turns automatic renewal of `name` on (charged to the actor's card) or
/// off. Needs the account's `Pay` permission.
pub async fn set(
    deps: &Deps,
    actor: &Actor,
    access: &Access,
    name: &str,
    on: bool,
) -> Result<(), ServiceError> {
    access.require(Permission::Pay)?;
    let changed = sqlx::query!(
        "UPDATE registered_domains SET auto_renew = $3, auto_renew_by = CASE WHEN $3 THEN $4::uuid END
         WHERE name = $1 AND account_id = $2",
        name,
        access.account_id(),
        on,
        actor.id()
    )
    .execute(&deps.pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ServiceError::Conflict(
            "This name was not registered here, so it renews where it was registered.".into(),
        ));
    }
    if !on {
        // A charge not yet made is not made.
        sqlx::query!(
            "UPDATE domain_orders SET next_charge_at = NULL
             WHERE name = $1 AND automatic AND status = 'awaiting_payment'",
            name
        )
        .execute(&deps.pool)
        .await?;
    }
    tracing::info!(domain = name, on, "auto-renew changed");
    Ok(())
}

/// Makes the renewal orders that are due and charges the cards that are
/// due. Answers (orders made, charges paid).
#[tracing::instrument(skip_all)]
pub async fn run(
    deps: &Deps,
    settings: &RegistrationSettings,
    now: OffsetDateTime,
) -> anyhow::Result<(usize, usize)> {
    let made = make_orders(deps, settings, now).await?;
    let due = sqlx::query_scalar!(
        // Not while a payment page of it is open: the owner is paying.
        "SELECT id FROM domain_orders WHERE automatic AND status = 'awaiting_payment' AND next_charge_at <= $1
           AND (session_opened_at IS NULL OR session_opened_at < $2)
         ORDER BY next_charge_at LIMIT 100",
        now,
        now - crate::billing::checkout::SESSION_LIFETIME
    )
    .fetch_all(&deps.pool)
    .await?;
    let mut paid = 0;
    for id in due {
        // One name's trouble does not stop the others.
        match charge(deps, id, now).await {
            Ok(true) => paid += 1,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(order = %id, error = %format!("{error:#}"), "auto-renew charge failed")
            }
        }
    }
    Ok((made, paid))
}

/// A one-year renewal order for each name with auto-renew that expires
/// within `CHARGE_BEFORE` and has none for its expiry yet.
async fn make_orders(
    deps: &Deps,
    settings: &RegistrationSettings,
    now: OffsetDateTime,
) -> anyhow::Result<usize> {
    let due = sqlx::query!(
        r#"SELECT r.name, r.account_id, r.expires_at, r.auto_renew_by, r.whois_privacy,
                  (SELECT o.tld FROM domain_orders o WHERE o.name = r.name AND o.kind <> 'renew'
                   ORDER BY o.created_at DESC LIMIT 1) AS tld
           FROM registered_domains r
           WHERE r.auto_renew AND r.expires_at > $1 AND r.expires_at <= $2
             AND NOT EXISTS (SELECT 1 FROM domain_orders o WHERE o.name = r.name AND o.kind = 'renew'
                             AND (o.status IN ('paid', 'registering') OR (o.automatic AND o.expires_before = r.expires_at)))"#,
        now,
        now + CHARGE_BEFORE
    )
    .fetch_all(&deps.pool)
    .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let offers = search::offers_fresh(deps, settings)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let mut made = 0;
    for d in due {
        let Some(offer) = d.tld.as_deref().and_then(|t| offers.iter().find(|o| o.tld == t)) else {
            tracing::warn!(domain = %d.name, "auto-renew: its extension is not on sale; the owners get reminders");
            continue;
        };
        let Some(yearly) = offer.renew_minor else { continue };
        made += sqlx::query!(
            r#"INSERT INTO domain_orders (account_id, user_id, name, tld, kind, expires_before, years, price_minor, currency,
                                          auto_renew, whois_privacy, contact, automatic, next_charge_at)
               VALUES ($1, $2, $3, $4, 'renew', $5, 1, $6, $7, true, $8, '{}'::jsonb, true, $9)
               ON CONFLICT DO NOTHING"#,
            d.account_id,
            d.auto_renew_by,
            d.name,
            offer.tld,
            d.expires_at,
            yearly,
            offer.currency,
            d.whois_privacy,
            now
        )
        .execute(&deps.pool)
        .await?
        .rows_affected() as usize;
    }
    Ok(made)
}

/// Charges one automatic renewal. Answers whether it was paid.
async fn charge(deps: &Deps, id: Uuid, now: OffsetDateTime) -> anyhow::Result<bool> {
    let o = sqlx::query!(
        r#"SELECT o.name, o.account_id, o.user_id, o.price_minor, o.currency, o.charge_attempts, o.expires_before,
                  EXISTS (SELECT 1 FROM hosting_members m WHERE m.account_id = o.account_id AND m.user_id = o.user_id
                          AND m.role IN ('owner', 'billing')) AS "may_pay!"
           FROM domain_orders o WHERE o.id = $1"#,
        id
    )
    .fetch_one(&deps.pool)
    .await?;
    let display = domain::dns::names::unicode(&o.name);
    let outcome = match o.user_id.filter(|_| o.may_pay) {
        None => Charge::Declined(
            "The person who turned on automatic renewal can no longer pay for this account.".into(),
        ),
        Some(user) => {
            let gateway = deps
                .billing
                .gateway()
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let customer = customer_of(deps, &deps.billing, user)
                .await
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            let description = format!("{display} — automatic renewal for 1 year");
            let sent = gateway
                .charge_saved_card(&OffSessionCharge {
                    order: id,
                    attempt: i64::from(o.charge_attempts),
                    order_key: super::orders::STRIPE_KEY,
                    customer: &customer,
                    description: &description,
                    amount_minor: o.price_minor,
                    currency: &o.currency,
                })
                .await;
            match sent {
                Ok(outcome) => outcome,
                Err(error) => {
                    // Stripe not reached: tried again in an hour.
                    sqlx::query!(
                        "UPDATE domain_orders SET next_charge_at = $2 WHERE id = $1",
                        id,
                        now + time::Duration::hours(1)
                    )
                    .execute(&deps.pool)
                    .await?;
                    return Err(anyhow::anyhow!(error));
                }
            }
        }
    };
    let mut tx = deps.pool.begin().await?;
    let why = match outcome {
        Charge::Paid(intent) => {
            sqlx::query!(
                "UPDATE domain_orders SET next_charge_at = NULL, charge_attempts = charge_attempts + 1 WHERE id = $1",
                id
            )
            .execute(&mut *tx)
            .await?;
            // As the webhook does (whichever comes first; the other is a no-op).
            super::worker::paid(&mut tx, id, Some(&intent), now).await?;
            tx.commit().await?;
            tracing::info!(order = %id, domain = %o.name, "auto-renew paid");
            return Ok(true);
        }
        Charge::Declined(why) => why,
        Charge::NoCard => "There is no saved card to charge.".into(),
    };
    let expires = o.expires_before.unwrap_or(now);
    let next = Some(now + RETRY_AFTER).filter(|at| *at < expires);
    sqlx::query!(
        "UPDATE domain_orders SET next_charge_at = $2, charge_attempts = charge_attempts + 1, failure = $3 WHERE id = $1",
        id,
        next,
        why
    )
    .execute(&mut *tx)
    .await?;
    let owners = sqlx::query!(
        "SELECT u.email, u.display_name FROM hosting_members m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 AND m.role IN ('owner', 'billing')",
        o.account_id
    )
    .fetch_all(&mut *tx)
    .await?;
    let on = super::fulfil::format_day(expires);
    let again = match next {
        Some(at) => format!("We try your card again on {}.", super::fulfil::format_day(at)),
        None => "We will not try again before it expires.".into(),
    };
    for owner in owners {
        let message = Message {
            kind: "domain_auto_renew_failed",
            subject: format!("We could not renew {display}: payment declined"),
            heading: format!("{display} is not renewed yet"),
            paragraphs: vec![
                format!(
                    "Hello {}, we could not charge the renewal of {display}: {why}",
                    owner.display_name
                ),
                format!(
                    "{again} It expires on {on}; it is renewed only once paid. Pay it now with any card:"
                ),
            ],
            action: Some((
                "Pay the renewal".into(),
                deps.links.to(&format!("/domains/orders/{id}")),
            )),
            reason: "You may pay for the hosting account this domain belongs to.".into(),
        };
        outbox::enqueue(&mut tx, &owner.email, &message).await?;
    }
    crate::billing::sync::announce(&mut tx, o.account_id).await?;
    tx.commit().await?;
    tracing::warn!(order = %id, domain = %o.name, %why, "auto-renew charge declined");
    Ok(false)
}

/// The automatic renewal orders of an account's names still unpaid, for
/// the zone page: (order, failure).
pub async fn unpaid(
    deps: &Deps,
    account: Uuid,
    name: &str,
) -> Result<Option<(DomainOrderId, Option<String>)>, ServiceError> {
    Ok(sqlx::query!(
        "SELECT id, failure FROM domain_orders
         WHERE name = $1 AND account_id = $2 AND automatic AND status = 'awaiting_payment'
         ORDER BY created_at DESC LIMIT 1",
        name,
        account
    )
    .fetch_optional(&deps.pool)
    .await?
    .map(|r| (r.id.into(), r.failure)))
}
