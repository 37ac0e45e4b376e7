//! Domains registered through us: what a domain's page says of its
//! registration, and every order as staff follow them.

use domain::StaffPermission;
use sqlx::PgPool;
use time::OffsetDateTime;

use domain::registration::DomainOrderStatus;

use super::registrar::Balance;
use super::{RegistrationSettings, ServiceError};
use crate::hosting::access::require_staff;
use crate::Actor;

/// A name's registration, for the page of its zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub registrar: String,
    pub registered_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub auto_renew: bool,
    pub whois_privacy: bool,
}

/// The registration of `name` in `account`, if we registered it. The
/// caller has authorised the zone (its page).
pub async fn of(pool: &PgPool, account: uuid::Uuid, name: &str) -> Result<Option<Registration>, sqlx::Error> {
    sqlx::query_as!(
        Registration,
        "SELECT registrar, registered_at, expires_at, auto_renew, whois_privacy
         FROM registered_domains WHERE name = $1 AND account_id = $2",
        name,
        account
    )
    .fetch_optional(pool)
    .await
}

/// Turns WHOIS privacy of a name registered here on or off, at the
/// registrar first. Needs the account's `Pay` permission (the registrant's
/// details are the buyer's business).
pub async fn set_privacy(
    deps: &crate::Deps,
    settings: &RegistrationSettings,
    actor: &Actor,
    access: &crate::hosting::access::Access,
    name: &str,
    on: bool,
) -> Result<(), ServiceError> {
    access.require(domain::Permission::Pay)?;
    let Some(_) = of(&deps.pool, access.account_id(), name).await? else {
        return Err(ServiceError::Conflict(
            "This name was not registered here, so its WHOIS privacy is set where it was registered.".into(),
        ));
    };
    settings
        .registrar()?
        .set_whois_privacy(name, on, &actor.user.email.to_string())
        .await
        .map_err(super::unavailable)?;
    sqlx::query!(
        "UPDATE registered_domains SET whois_privacy = $3 WHERE name = $1 AND account_id = $2",
        name,
        access.account_id(),
        on
    )
    .execute(&deps.pool)
    .await?;
    tracing::info!(domain = name, on, "WHOIS privacy changed");
    Ok(())
}

/// An order as staff see it.
#[derive(Debug, Clone)]
pub struct StaffOrder {
    pub id: uuid::Uuid,
    pub name: String,
    pub status: DomainOrderStatus,
    pub account_id: uuid::Uuid,
    pub account_name: String,
    pub buyer: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub years: i32,
    pub failure: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
}

/// Registered names by where their expiry stands, for staff's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Expiring within 30 days.
    Expiring,
    Expired,
}

impl Expiry {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "expiring" => Some(Self::Expiring),
            // Not "expired": an order state of that name exists.
            "past_expiry" => Some(Self::Expired),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Expiring => "expiring",
            Self::Expired => "past_expiry",
        }
    }
}

/// Staff: orders newest first, of one state (or whose registration is
/// expiring or expired) or all, whose name or buyer's email contains
/// `search`.
pub async fn orders(
    pool: &PgPool,
    actor: &Actor,
    status: Option<DomainOrderStatus>,
    expiry: Option<Expiry>,
    search: &str,
) -> Result<Vec<StaffOrder>, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    let pattern = crate::search::contains(&search.trim().to_lowercase());
    Ok(sqlx::query_as!(
        StaffOrder,
        r#"SELECT o.id, o.name, o.status AS "status: DomainOrderStatus", o.account_id, a.name AS account_name,
                  u.email AS "buyer?", o.price_minor, o.currency, o.years, o.failure, o.created_at,
                  r.expires_at AS "expires_at?"
           FROM domain_orders o
           JOIN hosting_accounts a ON a.id = o.account_id
           LEFT JOIN users u ON u.id = o.user_id
           LEFT JOIN registered_domains r ON r.order_id = o.id
           WHERE ($1::text IS NULL OR o.status = $1)
             AND (o.name LIKE $2 OR lower(u.email) LIKE $2)
             AND ($3::text IS NULL
                  OR ($3 = 'expiring' AND r.expires_at > $4 AND r.expires_at <= $4 + interval '30 days')
                  OR ($3 = 'past_expiry' AND r.expires_at <= $4))
           ORDER BY o.created_at DESC
           LIMIT 200"#,
        status.map(DomainOrderStatus::as_str),
        pattern,
        expiry.map(Expiry::as_str),
        actor.now
    )
    .fetch_all(pool)
    .await?)
}

/// Staff: the reseller account's balance at the registrar (one call).
pub async fn balance(settings: &RegistrationSettings, actor: &Actor) -> Result<Balance, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    settings.registrar()?.balance().await.map_err(super::unavailable)
}
