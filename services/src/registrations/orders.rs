//! Buying a name: the order is checked (name, years, contact, price,
//! availability), stored, and paid through a Stripe Checkout Session. The
//! registration itself waits for the webhook (see `worker`).

use time::OffsetDateTime;

use domain::registration::{Contact, DomainOrderKind, DomainOrderStatus, NameForSale, YEARS};
use domain::{AccountStatus, DomainOrderId, Permission};

use super::catalogue::Offer;
use super::registrar::Registrar;
use super::{search, unavailable, RegistrationSettings, ServiceError};
use crate::billing::checkout::{customer_of, SESSION_LIFETIME};
use crate::billing::payments::PaymentRequest;
use crate::failure::Invalid;
use crate::hosting::access::{require_step_up, Access};
use crate::{Actor, Deps};

/// What the buy form sends.
#[derive(Debug, Clone, Default)]
pub struct NewOrder {
    pub name: String,
    pub years: i32,
    pub whois_privacy: bool,
    /// Renew by itself, charged to the buyer's saved card.
    pub auto_renew: bool,
    pub contact: Contact,
    /// The yearly price the customer was shown; a different one now is
    /// asked again.
    pub expected_price_minor: Option<i64>,
}

/// The metadata key naming a domain order in Stripe.
pub const STRIPE_KEY: &str = "domain_order_id";

/// Places the order (not yet paid). Needs the account's `Pay` permission
/// and a recent sign-in.
pub async fn place(
    deps: &Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    access: &Access,
    input: &NewOrder,
) -> Result<DomainOrderId, ServiceError> {
    let (registrar, offers, tlds) = may_order(
        deps,
        settings,
        actor,
        access,
        "Domains can be bought for an active hosting account only.",
    )
    .await?;
    let mut invalid = Invalid::default();
    let name = invalid.check("name", NameForSale::parse(&input.name, &tlds));
    if !YEARS.contains(&input.years) {
        invalid.push("years", "Choose from 1 to 10 years.");
    }
    let contact = match input.contact.validated() {
        Ok(c) => Some(c),
        Err(errors) => {
            for (field, message) in errors {
                invalid.push(field, message);
            }
            None
        }
    };
    let (Some(name), Some(contact)) = (name, contact) else {
        return Err(ServiceError::Invalid(invalid.0));
    };
    invalid.into_result().map_err(|i| ServiceError::Invalid(i.0))?;
    crate::dns::domains::refuse_reserved(&name.name, &deps.dns)?;
    let offer = offers
        .iter()
        .find(|o| o.tld == name.tld)
        .ok_or_else(|| ServiceError::invalid("name", "This extension is no longer on sale."))?;
    let price = offer.price_minor * i64::from(input.years);
    if input
        .expected_price_minor
        .is_some_and(|shown| shown != offer.price_minor)
    {
        return Err(ServiceError::invalid(
            "price",
            format!(
                "The price has changed: it is now {} per year. Check it and confirm again.",
                domain::money::format_minor(offer.price_minor, &offer.currency)
            ),
        ));
    }
    let taken_here = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM domains WHERE name = $1 OR $1 LIKE '%.' || name OR name LIKE '%.' || $1)
               OR EXISTS (SELECT 1 FROM domain_orders WHERE name = $1 AND kind IN ('register', 'transfer')
                                    AND status IN ('paid', 'registering', 'transferring', 'registered')) AS "taken!""#,
        name.name.as_str()
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
    if !answer
        .iter()
        .any(|a| a.name == name.name.as_str() && a.available && a.premium_minor.is_none())
    {
        return Err(ServiceError::invalid(
            "name",
            format!(
                "{} is no longer available. Search for another name.",
                name.display()
            ),
        ));
    }
    let contact_json = serde_json::to_value(&contact).map_err(ServiceError::internal)?;
    let mut tx = deps.pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO domain_orders (account_id, user_id, name, tld, years, price_minor, currency,
                                      auto_renew, whois_privacy, contact)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"#,
        access.account_id(),
        actor.id(),
        name.name.as_str(),
        name.tld,
        input.years,
        price,
        offer.currency,
        input.auto_renew,
        input.whois_privacy && offer.whois_privacy,
        contact_json
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO registrant_contacts (user_id, contact, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (user_id) DO UPDATE SET contact = EXCLUDED.contact, updated_at = EXCLUDED.updated_at"#,
        actor.id(),
        contact_json,
        actor.now
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(order = %id, domain = %name.name, "domain order placed");
    Ok(id.into())
}

/// What every new registration or transfer needs first: the account's
/// `Pay` permission, a recent sign-in, a registrar and Stripe, an open
/// account (else `closed`). Answers the registrar and the offers with their
/// TLDs.
pub(super) async fn may_order<'s>(
    deps: &Deps,
    settings: &'s RegistrationSettings,
    actor: &Actor,
    access: &Access,
    closed: &str,
) -> Result<(&'s dyn Registrar, Vec<Offer>, Vec<String>), ServiceError> {
    access.require(Permission::Pay)?;
    require_step_up(actor, true)?;
    let registrar = settings.registrar()?;
    deps.billing.gateway()?;
    if !matches!(access.status(), AccountStatus::Active | AccountStatus::Pending) {
        return Err(ServiceError::Conflict(closed.into()));
    }
    let offers = search::offers_fresh(deps, settings).await?;
    let tlds = offers.iter().map(|o| o.tld.clone()).collect();
    Ok((registrar, offers, tlds))
}

/// Orders the renewal of a name registered here, for `years` more. Needs
/// the account's `Pay` permission and a recent sign-in.
pub async fn place_renewal(
    deps: &Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    access: &Access,
    name: &str,
    years: i32,
) -> Result<DomainOrderId, ServiceError> {
    access.require(Permission::Pay)?;
    require_step_up(actor, true)?;
    settings.registrar()?;
    deps.billing.gateway()?;
    if !YEARS.contains(&years) {
        return Err(ServiceError::invalid("years", "Choose from 1 to 10 years."));
    }
    let registration = super::registered::of(&deps.pool, access.account_id(), name)
        .await?
        .ok_or(ServiceError::Conflict(
            "This name was not registered here, so it is renewed where it was registered.".into(),
        ))?;
    let offers = search::offers_fresh(deps, settings).await?;
    let tld = sqlx::query_scalar!("SELECT tld FROM domain_orders WHERE name = $1 AND kind = 'register' ORDER BY created_at DESC LIMIT 1", name)
        .fetch_optional(&deps.pool)
        .await?
        .unwrap_or_default();
    let offer = offers.iter().find(|o| o.tld == tld).ok_or_else(|| {
        ServiceError::Conflict(
            "Renewals of this extension cannot be paid online at the moment. Please contact support.".into(),
        )
    })?;
    let yearly = offer.renew_minor.ok_or_else(|| {
        ServiceError::Conflict(
            "The registrar has not told us the renewal price yet. Please try again later.".into(),
        )
    })?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO domain_orders (account_id, user_id, name, tld, kind, expires_before, years, price_minor, currency,
                                      auto_renew, whois_privacy, contact)
           VALUES ($1, $2, $3, $4, 'renew', $5, $6, $7, $8, $9, $10, '{}'::jsonb) RETURNING id"#,
        access.account_id(),
        actor.id(),
        name,
        tld,
        registration.expires_at,
        years,
        yearly * i64::from(years),
        offer.currency,
        registration.auto_renew,
        registration.whois_privacy
    )
    .fetch_one(&deps.pool)
    .await?;
    tracing::info!(order = %id, domain = name, years, "domain renewal ordered");
    Ok(id.into())
}

/// The accounts a domain may be bought for: where the user may pay and
/// the account is open. (id, name, primary domain).
pub async fn accounts_for_buying(
    deps: &Deps,
    actor: &Actor,
) -> Result<Vec<(uuid::Uuid, String, String)>, ServiceError> {
    let rows = sqlx::query!(
        r#"SELECT a.id, a.name, a.primary_domain, m.role AS "role: domain::MemberRole"
           FROM hosting_accounts a JOIN hosting_members m ON m.account_id = a.id AND m.user_id = $1
           WHERE a.status IN ('active', 'pending')
           ORDER BY a.name"#,
        actor.id()
    )
    .fetch_all(&deps.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.role.can(Permission::Pay))
        .map(|r| (r.id, r.name, r.primary_domain))
        .collect())
}

/// The contact the user last registered a name with, else one started
/// from their profile.
pub async fn contact_for(deps: &Deps, actor: &Actor) -> Result<Contact, ServiceError> {
    let saved = sqlx::query_scalar!(
        "SELECT contact FROM registrant_contacts WHERE user_id = $1",
        actor.id()
    )
    .fetch_optional(&deps.pool)
    .await?;
    if let Some(contact) = saved.and_then(|c| serde_json::from_value::<Contact>(c).ok()) {
        return Ok(contact);
    }
    let name = actor.user.display_name.as_str();
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    Ok(Contact {
        first_name: first.to_string(),
        last_name: last.to_string(),
        email: actor.user.email.to_string(),
        ..Contact::default()
    })
}

/// A domain order as its page shows it.
#[derive(Debug, Clone)]
pub struct OrderView {
    pub id: DomainOrderId,
    pub name: String,
    pub account_id: uuid::Uuid,
    pub account_name: String,
    pub years: i32,
    pub price_minor: i64,
    pub currency: String,
    pub whois_privacy: bool,
    pub auto_renew: bool,
    pub kind: DomainOrderKind,
    pub status: DomainOrderStatus,
    pub failure: Option<String>,
    /// A transfer's step as the registrar last told it.
    pub transfer_status: Option<String>,
    pub checkout_url: Option<String>,
    pub session_expired: bool,
    pub expires_at: Option<OffsetDateTime>,
    pub nameservers: Vec<String>,
    pub created_at: OffsetDateTime,
}

/// The order, for its buyer, the account's members and staff; anyone else
/// gets `NotFound`.
pub async fn view(deps: &Deps, actor: &Actor, id: DomainOrderId) -> Result<OrderView, ServiceError> {
    let row = sqlx::query!(
        r#"SELECT o.id, o.name, o.account_id, a.name AS account_name, o.years, o.price_minor, o.currency,
                  o.whois_privacy, o.auto_renew, o.kind AS "kind: DomainOrderKind",
                  o.status AS "status: DomainOrderStatus", o.failure, o.transfer_status,
                  o.checkout_url, o.session_opened_at, o.created_at, r.expires_at AS "expires_at?",
                  d.id AS "domain_id?"
           FROM domain_orders o
           JOIN hosting_accounts a ON a.id = o.account_id
           LEFT JOIN registered_domains r ON r.name = o.name AND r.account_id = o.account_id
           LEFT JOIN domains d ON d.name = o.name AND d.account_id = o.account_id
           WHERE o.id = $1
             AND (o.user_id = $2 OR $3
                  OR EXISTS (SELECT 1 FROM hosting_members m WHERE m.account_id = o.account_id AND m.user_id = $2))"#,
        id.uuid(),
        actor.id(),
        actor.is_staff()
    )
    .fetch_optional(&deps.pool)
    .await?
    .ok_or_else(super::not_found)?;
    let fresh = row
        .session_opened_at
        .is_none_or(|at| actor.now - at < SESSION_LIFETIME);
    let nameservers = match row.domain_id {
        Some(d) => crate::dns::nameservers::of(&deps.pool, &[d])
            .await?
            .remove(&d)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    Ok(OrderView {
        id: row.id.into(),
        name: row.name,
        account_id: row.account_id,
        account_name: row.account_name,
        years: row.years,
        price_minor: row.price_minor,
        currency: row.currency,
        whois_privacy: row.whois_privacy,
        auto_renew: row.auto_renew,
        kind: row.kind,
        status: row.status,
        failure: row.failure,
        transfer_status: row.transfer_status,
        checkout_url: row.checkout_url.filter(|_| fresh),
        session_expired: !fresh,
        expires_at: row.expires_at,
        nameservers,
        created_at: row.created_at,
    })
}

/// Opens (or reopens) the order's Checkout Session and answers its URL.
/// Only the buyer may, while the order awaits payment.
pub async fn open_checkout(deps: &Deps, actor: &Actor, id: DomainOrderId) -> Result<String, ServiceError> {
    let order = view(deps, actor, id).await?;
    let row = sqlx::query!(
        r#"SELECT user_id, automatic, session_attempt + (CASE WHEN stripe_session_id IS NULL THEN 0 ELSE 1 END) AS "attempt!"
           FROM domain_orders WHERE id = $1"#,
        id.uuid()
    )
    .fetch_one(&deps.pool)
    .await?;
    // An automatic renewal whose charge was declined: anyone who may pay.
    if row.user_id != Some(actor.id()) && !row.automatic {
        return Err(ServiceError::Forbidden(
            "Only the person who placed this order can pay it.",
        ));
    }
    // Still allowed to pay for the account (a member may have lost the role).
    crate::hosting::access::authorize(&deps.pool, actor, order.account_id.into())
        .await?
        .require(Permission::Pay)?;
    if order.status != DomainOrderStatus::AwaitingPayment {
        return Err(ServiceError::Conflict("This order is already paid.".into()));
    }
    if let Some(url) = order.checkout_url {
        return Ok(url);
    }
    let gateway = deps.billing.gateway()?;
    let customer = customer_of(deps, &deps.billing, actor.id()).await?;
    let back = deps.links.to(&format!("/domains/orders/{id}"));
    let description = format!(
        "{} — {} for {} year(s)",
        domain::dns::names::unicode(&order.name),
        match order.kind {
            DomainOrderKind::Register => "registration",
            DomainOrderKind::Renew => "renewal",
            DomainOrderKind::Transfer => "transfer in",
        },
        order.years
    );
    let (session, url) = gateway
        .create_payment_checkout(&PaymentRequest {
            order: id.uuid(),
            attempt: i64::from(row.attempt),
            order_key: STRIPE_KEY,
            customer: &customer,
            description: &description,
            amount_minor: order.price_minor,
            currency: &order.currency,
            success_url: &format!("{back}?session_id={{CHECKOUT_SESSION_ID}}"),
            cancel_url: &format!("{back}?cancelled=1"),
            expires_at: (actor.now + SESSION_LIFETIME).unix_timestamp(),
            save_card: order.auto_renew,
        })
        .await
        .inspect_err(
            |e| tracing::warn!(error = %e, order = %id, "stripe: could not open a payment session"),
        )?;
    sqlx::query!(
        "UPDATE domain_orders SET stripe_session_id = $2, checkout_url = $3, session_opened_at = $4, session_attempt = $5 WHERE id = $1",
        id.uuid(),
        session,
        url,
        actor.now,
        row.attempt
    )
    .execute(&deps.pool)
    .await?;
    Ok(url)
}
