//! Carrying out a paid registration: the zone (pending until the name is
//! registered), the registration itself, asked of the registrar first so it
//! is never made twice, then the zone live and the buyer told; or the
//! refund when the registrar refuses. Steps of `worker`.

use sqlx::PgConnection;
use time::OffsetDateTime;

use domain::dns::DomainStatus;
use domain::registration::{Contact, DomainOrderKind};
use domain::{AccountStatus, DomainName};

use super::registrar::{DomainInfo, NewRegistration, Registrar, RegistrarError};
use super::worker::{set_refunding, Claimed, Outcome};
use super::RegistrationSettings;
use crate::activity::{self, Action, NewEntry};
use crate::hosting::access::Access;
use crate::mail::{outbox, Message};
use crate::{ClientInfo, Deps};

pub(super) async fn register(
    deps: &Deps,
    settings: &RegistrationSettings,
    order: &Claimed,
    now: OffsetDateTime,
) -> anyhow::Result<Outcome> {
    let Ok(registrar) = settings.registrar() else {
        return Ok(Outcome::Later("no registrar is set up".into()));
    };
    let name = DomainName::parse(&order.name)?;
    let nameservers = match zone_for(deps, order, &name).await? {
        Ok(ns) => ns,
        Err(why) => return refused(deps, order, why, now).await,
    };
    let expires = match registrar.info(&order.name).await {
        // Held for us already: a previous attempt registered it (and may
        // have died before the name servers were set).
        Ok(Some(info)) => {
            // The name is ours either way: a failure here is tried again
            // later (and ends with staff), never refunded.
            if let Err(error) = point_at_us(registrar, order, &info, &nameservers).await {
                return Ok(Outcome::Later(format!(
                    "registered, but its name servers were not set: {error}"
                )));
            }
            info.expires
        }
        Ok(None) => {
            let contact: Contact = serde_json::from_value(order.contact.clone())?;
            match registrar
                .register(NewRegistration {
                    name: &order.name,
                    years: order.years,
                    contact: &contact,
                    nameservers: &nameservers,
                    whois_privacy: order.whois_privacy,
                })
                .await
            {
                Ok(_) => registrar
                    .info(&order.name)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|i| i.expires),
                Err(RegistrarError::Refused { message, code }) => {
                    tracing::warn!(order = %order.id, %code, %message, "the registrar refused a paid name");
                    return refused(deps, order, message, now).await;
                }
                Err(e) => return Ok(Outcome::Later(e.to_string())),
            }
        }
        Err(e) => return Ok(Outcome::Later(e.to_string())),
    };
    let expires_at = expires
        .map(|d| d.midnight().assume_utc())
        .unwrap_or_else(|| now.replace_year(now.year() + order.years).unwrap_or(now));
    finish(deps, order, registrar.name(), expires_at, now).await?;
    Ok(Outcome::Registered)
}

/// Points the registry at the zone's own name servers, unless it does.
pub(super) async fn point_at_us(
    registrar: &dyn Registrar,
    order: &Claimed,
    held: &DomainInfo,
    nameservers: &[String],
) -> Result<(), RegistrarError> {
    if held.nameservers == nameservers {
        return Ok(());
    }
    let sld = &order.name[..order.name.len() - order.tld.len() - 1];
    registrar.set_nameservers(sld, &order.tld, nameservers).await
}

/// The zone's name servers, creating the zone (pending until the name is
/// registered) if this order has none yet; Err(why) when the name's zone
/// belongs to another account.
pub(super) async fn zone_for(
    deps: &Deps,
    order: &Claimed,
    name: &DomainName,
) -> anyhow::Result<Result<Vec<String>, String>> {
    let existing = sqlx::query!("SELECT id, account_id FROM domains WHERE name = $1", order.name)
        .fetch_optional(&deps.pool)
        .await?;
    let domain_id = match existing {
        Some(d) if d.account_id == order.account_id => d.id,
        Some(_) => {
            return Ok(Err(
                "The name is already on our platform in another account.".into()
            ))
        }
        None => {
            let status = sqlx::query_scalar!(
                r#"SELECT status AS "status: AccountStatus" FROM hosting_accounts WHERE id = $1"#,
                order.account_id
            )
            .fetch_one(&deps.pool)
            .await?;
            let mut tx = deps.pool.begin().await?;
            let access = Access::for_paid_order(order.account_id, status);
            let zone = match crate::dns::domains::create_in(
                &mut tx,
                deps,
                &deps.dns,
                access,
                name,
                None,
                DomainStatus::Pending,
            )
            .await
            {
                Ok(zone) => zone,
                Err(crate::failure::ServiceError::Invalid(errors)) => {
                    let why = errors.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ");
                    return Ok(Err(why));
                }
                Err(e) => return Err(anyhow::anyhow!(e)),
            };
            let id = zone.id.uuid();
            sqlx::query!(
                "UPDATE domain_orders SET domain_id = $2 WHERE id = $1",
                order.id,
                id
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        }
    };
    let assigned = crate::dns::nameservers::of(&deps.pool, &[domain_id])
        .await?
        .remove(&domain_id)
        .unwrap_or_default();
    Ok(Ok(crate::dns::nameservers::or_shared(assigned, &deps.dns)))
}

pub(super) async fn refused(
    deps: &Deps,
    order: &Claimed,
    why: String,
    now: OffsetDateTime,
) -> anyhow::Result<Outcome> {
    set_refunding(&deps.pool, order.id, &why, now).await?;
    Ok(Outcome::Refused(why))
}

/// Registered (or transferred in): the zone goes live, the registration
/// is recorded, the buyer is told.
pub(super) async fn finish(
    deps: &Deps,
    order: &Claimed,
    registrar: &str,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    let mut tx = deps.pool.begin().await?;
    sqlx::query!(
        "UPDATE domains SET status = 'active', updated_at = $3 WHERE name = $1 AND account_id = $2",
        order.name,
        order.account_id,
        now
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO registered_domains (name, account_id, order_id, registrar, registered_at, expires_at, auto_renew,
                                          auto_renew_by, whois_privacy)
           VALUES ($1, $2, $3, $9, $4, $5, $6, CASE WHEN $6 THEN $8::uuid END, $7) ON CONFLICT (name) DO NOTHING"#,
        order.name,
        order.account_id,
        order.id,
        now,
        expires_at,
        order.auto_renew,
        order.whois_privacy,
        order.user_id,
        registrar
    )
    .execute(&mut *tx)
    .await?;
    mark_done(&mut tx, order, now).await?;
    let display = domain::dns::names::unicode(&order.name);
    let until = format_day(expires_at);
    let (action, kind, done) = match order.kind {
        DomainOrderKind::Transfer => (
            Action::DomainTransferred,
            "domain_transferred",
            "transferred to us",
        ),
        _ => (Action::DomainRegistered, "domain_registered", "registered"),
    };
    record(&mut tx, order, action, &display, Some(&until)).await?;
    email_buyer(&mut tx, order, |name| Message {
        kind,
        subject: format!("{display} is {done}"),
        heading: format!("{display} is yours"),
        paragraphs: vec![
            format!("Hello {name}, {display} is {done} and registered until {until}."),
            "Its DNS is served by our name servers already: edit its records in the portal.".into(),
        ],
        action: Some((
            "Edit its DNS".into(),
            deps.links.to(&format!("/domains/{}", order.name)),
        )),
        reason: "You bought this domain.".into(),
    })
    .await?;
    tx.commit().await?;
    tracing::info!(order = %order.id, domain = %order.name, "domain registered");
    Ok(())
}

pub(super) async fn refund(deps: &Deps, order: &Claimed, now: OffsetDateTime) -> anyhow::Result<Outcome> {
    let Some(intent) = &order.payment_intent else {
        return Ok(Outcome::Later(
            "the payment has no payment intent to refund".into(),
        ));
    };
    let gateway = deps
        .billing
        .gateway()
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let refund_id = match gateway.refund(intent, order.id).await {
        Ok(id) => id,
        Err(e) => return Ok(Outcome::Later(format!("refund: {e}"))),
    };
    let mut tx = deps.pool.begin().await?;
    let why = sqlx::query_scalar!(
        "UPDATE domain_orders SET status = 'refunded', refund_id = $2, finished_at = $3, next_attempt_at = NULL WHERE id = $1 RETURNING failure",
        order.id,
        refund_id,
        now
    )
    .fetch_one(&mut *tx)
    .await?
    .unwrap_or_default();
    // The zone made for the order, unless the name was in the account before.
    sqlx::query!(
        "DELETE FROM domains WHERE id = (SELECT domain_id FROM domain_orders WHERE id = $1) AND status = 'pending'",
        order.id
    )
    .execute(&mut *tx)
    .await?;
    let display = domain::dns::names::unicode(&order.name);
    record(&mut tx, order, Action::DomainRegistrationRefunded, &display, None).await?;
    let verb = order.kind.verb();
    email_buyer(&mut tx, order, |name| Message {
        kind: "domain_refunded",
        subject: format!("We could not {verb} {display}: refunded"),
        heading: format!("We could not {verb} {display}"),
        paragraphs: vec![
            format!("Hello {name}, the registrar did not {verb} {display}: {why}"),
            "We refunded your payment in full. It reaches your card in 5 to 10 days.".into(),
        ],
        action: Some(("Search for another name".into(), deps.links.to("/domains/search"))),
        reason: "You bought this domain.".into(),
    })
    .await?;
    tx.commit().await?;
    tracing::warn!(order = %order.id, domain = %order.name, %why, "domain order refunded: staff may want to look");
    Ok(Outcome::Refunded)
}

pub(super) async fn record(
    tx: &mut PgConnection,
    order: &Claimed,
    action: Action,
    display: &str,
    expires: Option<&str>,
) -> sqlx::Result<()> {
    let client = ClientInfo::default();
    activity::record_for_account(
        &mut *tx,
        order.account_id,
        NewEntry::without_actor(
            &client,
            action,
            serde_json::json!({ "domain": display, "expires": expires }),
        ),
    )
    .await?;
    // The order page and the billing page follow these.
    crate::billing::sync::announce(tx, order.account_id).await
}

/// Emails the order's buyer (if their login still exists) the message
/// `make` writes for their name, in the transaction that changes the order.
pub(super) async fn email_buyer(
    tx: &mut PgConnection,
    order: &Claimed,
    make: impl FnOnce(&str) -> Message,
) -> anyhow::Result<()> {
    let Some(user) = order.user_id else { return Ok(()) };
    let buyer = sqlx::query!("SELECT email, display_name FROM users WHERE id = $1", user)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(b) = buyer {
        outbox::enqueue(tx, &b.email, &make(&b.display_name)).await?;
    }
    Ok(())
}

/// The order is carried out (registered or renewed).
pub(super) async fn mark_done(
    tx: &mut PgConnection,
    order: &Claimed,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE domain_orders SET status = 'registered', finished_at = $2, next_attempt_at = NULL, failure = NULL WHERE id = $1",
        order.id,
        now
    )
    .execute(tx)
    .await
    .map(|_| ())
}

pub(super) fn format_day(at: OffsetDateTime) -> String {
    format!("{} {} {}", at.day(), at.month(), at.year())
}
