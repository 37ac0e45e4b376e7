//! Renewals and expiry reminders. A paid renewal is made once: the
//! registrar's expiry is compared with the one the order was placed
//! against, so a worker that renewed and died is not followed by a second
//! renewal. Owners of names without auto-renew get a reminder 30, 7 and 1
//! days before a name expires, each once (`auto_renew` charges the others).

use time::OffsetDateTime;

use super::fulfil::{email_buyer, format_day, mark_done, record, refused};
use super::registrar::RegistrarError;
use super::worker::{Claimed, Outcome};
use super::RegistrationSettings;
use crate::activity::Action;
use crate::mail::{outbox, Message};
use crate::Deps;

/// Adds the order's years at the registrar (once) and records the new expiry.
pub(super) async fn renew(
    deps: &Deps,
    settings: &RegistrationSettings,
    order: &Claimed,
    now: OffsetDateTime,
) -> anyhow::Result<Outcome> {
    let Ok(registrar) = settings.registrar() else {
        return Ok(Outcome::Later("no registrar is set up".into()));
    };
    let before = order.expires_before.unwrap_or(now);
    let expiry = |info: &super::registrar::DomainInfo| info.expires.map(|d| d.midnight().assume_utc());
    let held = match registrar.info(&order.name).await {
        Ok(Some(info)) => info,
        Ok(None) => {
            return refused(
                deps,
                order,
                "The name is no longer held in our reseller account.".into(),
                now,
            )
            .await;
        }
        Err(e) => return Ok(Outcome::Later(e.to_string())),
    };
    // Renewed already (by an attempt that died before writing it down)?
    let renewed_at_registrar = expiry(&held).is_some_and(|e| e > before + time::Duration::days(1));
    if !renewed_at_registrar {
        match registrar.renew(&order.name, order.years).await {
            Ok(()) => {}
            Err(RegistrarError::Refused { message, code }) => {
                tracing::warn!(order = %order.id, %code, %message, "the registrar refused a paid renewal");
                return refused(deps, order, message, now).await;
            }
            Err(RegistrarError::NotOurs) => {
                return refused(
                    deps,
                    order,
                    "The name is no longer held in our reseller account.".into(),
                    now,
                )
                .await;
            }
            Err(e) => return Ok(Outcome::Later(e.to_string())),
        }
    }
    let fallback = before.replace_year(before.year() + order.years).unwrap_or(before);
    let expires_at = match registrar.info(&order.name).await {
        Ok(Some(info)) => expiry(&info).unwrap_or(fallback),
        _ => fallback,
    };
    record_renewal(deps, order, expires_at, now).await?;
    Ok(Outcome::Registered)
}

/// Renewed until `expires_at`: recorded, the order done, the buyer told.
pub(super) async fn record_renewal(
    deps: &Deps,
    order: &Claimed,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let mut tx = deps.pool.begin().await?;
    sqlx::query!(
        "UPDATE registered_domains SET expires_at = $2, reminded_days = NULL WHERE name = $1",
        order.name,
        expires_at
    )
    .execute(&mut *tx)
    .await?;
    mark_done(&mut tx, order, now).await?;
    let display = domain::dns::names::unicode(&order.name);
    let until = format_day(expires_at);
    record(&mut tx, order, Action::DomainRenewed, &display, Some(&until)).await?;
    email_buyer(&mut tx, order, |name| Message {
        kind: "domain_renewed",
        subject: format!("{display} is renewed until {until}"),
        heading: format!("{display} is renewed"),
        paragraphs: vec![format!(
            "Hello {name}, {display} is now registered until {until}."
        )],
        action: Some((
            "See the domain".into(),
            deps.links.to(&format!("/domains/{}", order.name)),
        )),
        reason: "You renewed this domain.".into(),
    })
    .await?;
    tx.commit().await?;
    tracing::info!(order = %order.id, domain = %order.name, "domain renewed");
    Ok(())
}

/// The reminder due `days_left` days before expiry: 30, 7 or 1.
pub fn threshold(days_left: i64) -> Option<i32> {
    match days_left {
        ..=0 => None,
        1 => Some(1),
        2..=7 => Some(7),
        8..=30 => Some(30),
        _ => None,
    }
}

/// Sends the expiry reminders that are due (each once per expiry) to the
/// account's owners. Answers how many names were reminded of.
pub async fn remind(deps: &Deps, now: OffsetDateTime) -> anyhow::Result<usize> {
    let due = sqlx::query!(
        r#"SELECT name, account_id, expires_at, reminded_days FROM registered_domains
           WHERE NOT auto_renew AND expires_at > $1 AND expires_at <= $1 + interval '30 days'"#,
        now
    )
    .fetch_all(&deps.pool)
    .await?;
    let mut sent = 0;
    for d in due {
        let days_left = (d.expires_at - now).whole_seconds().div_euclid(86_400) + 1;
        let Some(threshold) = threshold(days_left) else {
            continue;
        };
        if d.reminded_days.is_some_and(|r| r <= threshold) {
            continue;
        }
        // One name's trouble does not hold back the others' reminders.
        match remind_one(deps, &d.name, d.account_id, d.expires_at, days_left, threshold).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(domain = %d.name, error = %format!("{error:#}"), "expiry reminder not sent")
            }
        }
    }
    Ok(sent)
}

/// One name's reminder, unless another process sent it. Answers whether
/// this call sent it.
async fn remind_one(
    deps: &Deps,
    name: &str,
    account: uuid::Uuid,
    expires_at: OffsetDateTime,
    days_left: i64,
    threshold: i32,
) -> anyhow::Result<bool> {
    let mut tx = deps.pool.begin().await?;
    // Another process may have sent it: the update decides.
    let claimed = sqlx::query!(
        "UPDATE registered_domains SET reminded_days = $2 WHERE name = $1 AND (reminded_days IS NULL OR reminded_days > $2)",
        name,
        threshold
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(false);
    }
    let owners = sqlx::query!(
        "SELECT u.email, u.display_name FROM hosting_members m JOIN users u ON u.id = m.user_id
         WHERE m.account_id = $1 AND m.role = 'owner'",
        account
    )
    .fetch_all(&mut *tx)
    .await?;
    let display = domain::dns::names::unicode(name);
    let on = format_day(expires_at);
    for owner in owners {
        let message = Message {
            kind: "domain_expiry_reminder",
            subject: format!("{display} expires on {on}"),
            heading: format!(
                "{display} expires in {days_left} day{}",
                if days_left == 1 { "" } else { "s" }
            ),
            paragraphs: vec![
                format!(
                    "Hello {}, {display} expires on {on} and does not renew by itself.",
                    owner.display_name
                ),
                "Renew it from its page so its website and email keep working.".into(),
            ],
            action: Some(("Renew it".into(), deps.links.to(&format!("/domains/{name}")))),
            reason: "You own the hosting account this domain belongs to.".into(),
        };
        outbox::enqueue(&mut tx, &owner.email, &message).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reminders_come_at_30_7_and_1_days() {
        let t = super::threshold;
        assert_eq!(
            (t(31), t(30), t(8), t(7), t(2), t(1), t(0)),
            (None, Some(30), Some(30), Some(7), Some(7), Some(1), None)
        );
    }
}
