//! Transfers in: a name registered elsewhere moves to our reseller account
//! with the auth code its owner got from the current registrar. Ordered
//! and paid like a registration (one year is added); the worker submits
//! it once (a lost answer is found again at the registrar, not submitted
//! twice), follows its status and emails the buyer when it changes, then
//! makes the name live on our name servers, or refunds a cancelled one.

use time::OffsetDateTime;

use domain::registration::{auth_code, NameForSale};
use domain::{DomainName, DomainOrderId};

use super::fulfil::{email_buyer, finish, point_at_us, refused, zone_for};
use super::registrar::{NewTransfer, RegistrarError, TransferState};
use super::worker::{Claimed, Outcome};
use super::{search, unavailable, RegistrationSettings, ServiceError};
use crate::failure::Invalid;
use crate::hosting::access::Access;
use crate::mail::Message;
use crate::{Actor, Deps};

/// How often a transfer under way is asked after.
pub const POLL: time::Duration = time::Duration::minutes(15);
/// A transfer still under way after this is left to staff.
pub const GIVE_UP_AFTER: time::Duration = time::Duration::days(14);

/// What the transfer form sends.
#[derive(Debug, Clone, Default)]
pub struct NewTransferOrder {
    pub name: String,
    pub auth_code: String,
    /// The price the customer was shown; a different one now is asked again.
    pub expected_price_minor: Option<i64>,
}

/// The price of transferring `name` in, if it can be ordered here: (price,
/// currency).
pub async fn price_of(
    deps: &Deps,
    settings: &RegistrationSettings,
    name: &str,
) -> Result<Option<(String, i64, String)>, ServiceError> {
    let offers = search::offers_fresh(deps, settings).await?;
    let tlds: Vec<String> = offers.iter().map(|o| o.tld.clone()).collect();
    let Ok(name) = NameForSale::parse(name, &tlds) else {
        return Ok(None);
    };
    Ok(offers
        .iter()
        .find(|o| o.tld == name.tld)
        .and_then(|o| Some((name.display(), o.transfer_minor?, o.currency.clone()))))
}

/// Places a transfer in (not yet paid). Needs the account's `Pay`
/// permission and a recent sign-in.
pub async fn place(
    deps: &Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    access: &Access,
    input: &NewTransferOrder,
) -> Result<DomainOrderId, ServiceError> {
    let (registrar, offers, tlds) = super::orders::may_order(
        deps,
        settings,
        actor,
        access,
        "Domains can be transferred to an active hosting account only.",
    )
    .await?;
    let mut invalid = Invalid::default();
    let name = invalid.check("name", NameForSale::parse(&input.name, &tlds));
    let code = invalid.check("auth_code", auth_code(&input.auth_code));
    let (Some(name), Some(code)) = (name, code) else {
        return Err(ServiceError::Invalid(invalid.0));
    };
    crate::dns::domains::refuse_reserved(&name.name, &deps.dns)?;
    let offer = offers
        .iter()
        .find(|o| o.tld == name.tld)
        .ok_or_else(|| ServiceError::invalid("name", "This extension is no longer on sale."))?;
    let price = offer.transfer_minor.ok_or_else(|| {
        ServiceError::invalid(
            "name",
            "Transfers of this extension cannot be paid online at the moment. Please contact support.",
        )
    })?;
    if input.expected_price_minor.is_some_and(|shown| shown != price) {
        return Err(ServiceError::invalid(
            "price",
            format!(
                "The price has changed: a transfer now costs {}. Check it and confirm again.",
                domain::money::format_minor(price, &offer.currency)
            ),
        ));
    }
    // Its zone may be in this account already (DNS hosted here); anywhere
    // else on the platform, or ordered already, it is not for this account.
    let taken_here = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM domains WHERE name = $1 AND account_id <> $2)
               OR EXISTS (SELECT 1 FROM domain_orders WHERE name = $1 AND kind IN ('register', 'transfer')
                                    AND status IN ('paid', 'registering', 'transferring', 'registered')) AS "taken!""#,
        name.name.as_str(),
        access.account_id()
    )
    .fetch_one(&deps.pool)
    .await?;
    if taken_here {
        return Err(ServiceError::invalid(
            "name",
            format!(
                "{} is already on our platform. If it is yours, contact support.",
                name.display()
            ),
        ));
    }
    let answer = registrar
        .check(&[name.name.as_str().to_string()])
        .await
        .map_err(unavailable)?;
    if answer.iter().any(|a| a.name == name.name.as_str() && a.available) {
        return Err(ServiceError::invalid(
            "name",
            format!(
                "{} is not registered anywhere yet: register it instead.",
                name.display()
            ),
        ));
    }
    let id = sqlx::query_scalar!(
        r#"INSERT INTO domain_orders (account_id, user_id, name, tld, kind, years, price_minor, currency,
                                      auto_renew, whois_privacy, contact, auth_code)
           VALUES ($1, $2, $3, $4, 'transfer', 1, $5, $6, false, $7, '{}'::jsonb, $8) RETURNING id"#,
        access.account_id(),
        actor.id(),
        name.name.as_str(),
        name.tld,
        price,
        offer.currency,
        offer.whois_privacy,
        code
    )
    .fetch_one(&deps.pool)
    .await?;
    tracing::info!(order = %id, domain = %name.name, "domain transfer ordered");
    Ok(id.into())
}

/// One step of a paid transfer: submit it, or ask how it is going.
pub(super) async fn step(
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
    let Some(id) = &order.transfer_id else {
        // Ours already (an attempt that died before writing it down)?
        match registrar.info(&order.name).await {
            Ok(Some(_)) => return complete(deps, settings, order, &nameservers, now).await,
            Ok(None) => {}
            Err(e) => return Ok(Outcome::Later(e.to_string())),
        }
        let found = match registrar.find_transfer(&order.name).await {
            Ok(found) => found,
            Err(e) => return Ok(Outcome::Later(e.to_string())),
        };
        let id = match found {
            Some(id) => id,
            None => {
                let Some(code) = &order.auth_code else {
                    return refused(deps, order, "The transfer code is missing.".into(), now).await;
                };
                let submitted = registrar
                    .transfer(NewTransfer {
                        name: &order.name,
                        auth_code: code,
                        whois_privacy: order.whois_privacy,
                    })
                    .await;
                match submitted {
                    Ok(id) => id,
                    Err(RegistrarError::Refused { message, code }) => {
                        tracing::warn!(order = %order.id, %code, %message, "the registrar refused a paid transfer");
                        return refused(deps, order, message, now).await;
                    }
                    Err(e) => return Ok(Outcome::Later(e.to_string())),
                }
            }
        };
        submitted(deps, order, &id, now).await?;
        return Ok(Outcome::Waiting("submitted".into()));
    };
    match registrar.transfer_status(id).await {
        Ok(TransferState::Completed) => complete(deps, settings, order, &nameservers, now).await,
        Ok(TransferState::Failed(why)) => {
            refused(deps, order, format!("The transfer was cancelled: {why}"), now).await
        }
        Ok(TransferState::Pending(status)) => {
            if order.paid_at.is_some_and(|at| now - at > GIVE_UP_AFTER) {
                return Ok(Outcome::NeedsStaff(format!(
                    "The transfer is still under way after 14 days ({status})."
                )));
            }
            if order.transfer_status.as_deref() != Some(status.as_str()) {
                changed(deps, order, &status).await?;
            }
            Ok(Outcome::Waiting(status))
        }
        Err(e) => Ok(Outcome::Later(e.to_string())),
    }
}

/// Submitted: the code is forgotten, the buyer told what happens next.
async fn submitted(deps: &Deps, order: &Claimed, id: &str, now: OffsetDateTime) -> anyhow::Result<()> {
    let mut tx = deps.pool.begin().await?;
    sqlx::query!(
        "UPDATE domain_orders SET status = 'transferring', transfer_id = $2, auth_code = NULL,
                transfer_status = 'Submitted', failure = NULL WHERE id = $1",
        order.id,
        id
    )
    .execute(&mut *tx)
    .await?;
    let display = domain::dns::names::unicode(&order.name);
    email_buyer(&mut tx, order, |name| Message {
        kind: "domain_transfer_started",
        subject: format!("The transfer of {display} has started"),
        heading: format!("{display} is on its way"),
        paragraphs: vec![
            format!("Hello {name}, we asked the registries to move {display} to us."),
            "Your current registrar may email you to approve the transfer: approving it makes it faster. A transfer takes up to 7 days; we email you at each step.".into(),
        ],
        action: Some(("Follow the transfer".into(), deps.links.to(&format!("/domains/orders/{}", order.id)))),
        reason: "You ordered this transfer.".into(),
    })
    .await?;
    crate::billing::sync::announce(&mut tx, order.account_id).await?;
    tx.commit().await?;
    tracing::info!(order = %order.id, domain = %order.name, transfer = id, at = %now, "domain transfer submitted");
    Ok(())
}

/// The registrar's status moved on: recorded, and the buyer told.
async fn changed(deps: &Deps, order: &Claimed, status: &str) -> anyhow::Result<()> {
    let mut tx = deps.pool.begin().await?;
    sqlx::query!(
        "UPDATE domain_orders SET transfer_status = $2 WHERE id = $1",
        order.id,
        status
    )
    .execute(&mut *tx)
    .await?;
    let display = domain::dns::names::unicode(&order.name);
    email_buyer(&mut tx, order, |name| Message {
        kind: "domain_transfer_status",
        subject: format!("The transfer of {display}: {status}"),
        heading: format!("The transfer of {display}"),
        paragraphs: vec![format!("Hello {name}, the registrar says: {status}.")],
        action: Some((
            "Follow the transfer".into(),
            deps.links.to(&format!("/domains/orders/{}", order.id)),
        )),
        reason: "You ordered this transfer.".into(),
    })
    .await?;
    crate::billing::sync::announce(&mut tx, order.account_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The name is in our reseller account: its registry points at the zone's
/// name servers (retried until it does), then it is live as if registered.
async fn complete(
    deps: &Deps,
    settings: &RegistrationSettings,
    order: &Claimed,
    nameservers: &[String],
    now: OffsetDateTime,
) -> anyhow::Result<Outcome> {
    let Ok(registrar) = settings.registrar() else {
        return Ok(Outcome::Later("no registrar is set up".into()));
    };
    let info = match registrar.info(&order.name).await {
        Ok(Some(info)) => info,
        Ok(None) => return Ok(Outcome::Later("the transferred name is not listed yet".into())),
        Err(e) => return Ok(Outcome::Later(e.to_string())),
    };
    if let Err(e) = point_at_us(registrar, order, &info, nameservers).await {
        return Ok(Outcome::Later(format!(
            "transferred, but the name servers were not set: {e}"
        )));
    }
    let expires_at = info
        .expires
        .map(|d| d.midnight().assume_utc())
        .unwrap_or_else(|| now.replace_year(now.year() + 1).unwrap_or(now));
    finish(deps, order, registrar.name(), expires_at, now).await?;
    Ok(Outcome::Registered)
}
