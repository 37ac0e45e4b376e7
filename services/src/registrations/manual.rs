//! The manual registrar, for operators without a reseller account: names
//! are sold at the catalogue's fixed prices, and each paid order waits in
//! the staff queue ("register example.com for customer X, name servers A,
//! B") until staff mark it done with its expiry (the name goes live as if
//! registered through an API) or refund it with a reason.

use domain::StaffPermission;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use domain::registration::{DomainOrderKind, DomainOrderStatus};
use domain::DomainName;

use super::fulfil::{finish, zone_for};
use super::registrar::{
    Availability, Balance, DomainInfo, Listed, NewRegistration, NewTransfer, Registered, Registrar,
    RegistrarError, TldCost, TransferState,
};
use super::worker::{set_refunding, Claimed, Outcome};
use super::ServiceError;
use crate::hosting::access::require_staff;
use crate::{Actor, Deps};

#[derive(Debug, Default)]
pub struct Manual;

fn by_hand() -> RegistrarError {
    RegistrarError::Setup("the manual registrar: staff register names by hand".into())
}

#[async_trait::async_trait]
impl Registrar for Manual {
    fn name(&self) -> &'static str {
        "manual"
    }

    fn is_manual(&self) -> bool {
        true
    }

    /// Nothing to ask: every name not on our platform is offered, and staff
    /// refund it if it turns out to be taken (the pages say so).
    async fn check(&self, names: &[String]) -> Result<Vec<Availability>, RegistrarError> {
        Ok(names
            .iter()
            .map(|n| Availability {
                name: n.clone(),
                available: true,
                premium_minor: None,
            })
            .collect())
    }

    /// No costs: the catalogue's fixed prices are the prices.
    async fn costs(&self) -> Result<Vec<TldCost>, RegistrarError> {
        Ok(Vec::new())
    }

    async fn register(&self, _: NewRegistration<'_>) -> Result<Registered, RegistrarError> {
        Err(by_hand())
    }

    async fn renew(&self, _: &str, _: i32) -> Result<(), RegistrarError> {
        Err(by_hand())
    }

    async fn transfer(&self, _: NewTransfer<'_>) -> Result<String, RegistrarError> {
        Err(by_hand())
    }

    async fn find_transfer(&self, _: &str) -> Result<Option<String>, RegistrarError> {
        Ok(None)
    }

    async fn transfer_status(&self, _: &str) -> Result<TransferState, RegistrarError> {
        Err(by_hand())
    }

    async fn set_nameservers(&self, _: &str, _: &str, _: &[String]) -> Result<(), RegistrarError> {
        Err(by_hand())
    }

    async fn set_whois_privacy(&self, _: &str, _: bool, _: &str) -> Result<(), RegistrarError> {
        Err(RegistrarError::Refused {
            code: String::new(),
            message: "Our team changes WHOIS privacy for you: please contact support.".into(),
        })
    }

    async fn info(&self, _: &str) -> Result<Option<DomainInfo>, RegistrarError> {
        Ok(None)
    }

    async fn balance(&self) -> Result<Balance, RegistrarError> {
        Err(RegistrarError::Setup(
            "names are registered by hand: there is no reseller balance to show".into(),
        ))
    }

    /// Nothing to reconcile with.
    async fn list(&self) -> Result<Vec<Listed>, RegistrarError> {
        Ok(Vec::new())
    }
}

/// A paid order goes to the staff queue, with its zone made (pending) so
/// its name servers can be given.
pub(super) async fn queue(deps: &Deps, order: &Claimed, now: OffsetDateTime) -> anyhow::Result<Outcome> {
    if order.kind != DomainOrderKind::Renew {
        let name = DomainName::parse(&order.name)?;
        if let Err(why) = zone_for(deps, order, &name).await? {
            set_refunding(&deps.pool, order.id, &why, now).await?;
            return Ok(Outcome::Refused(why));
        }
    }
    sqlx::query!(
        "UPDATE domain_orders SET status = 'staff_task', next_attempt_at = NULL, failure = NULL WHERE id = $1",
        order.id
    )
    .execute(&deps.pool)
    .await?;
    tracing::info!(order = %order.id, domain = %order.name, "domain order queued for staff");
    Ok(Outcome::Queued)
}

/// A task in the staff queue.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: Uuid,
    pub name: String,
    pub kind: DomainOrderKind,
    pub years: i32,
    pub account_name: String,
    pub buyer: Option<String>,
    pub contact: serde_json::Value,
    pub whois_privacy: bool,
    pub nameservers: Vec<String>,
    pub paid_at: Option<OffsetDateTime>,
    /// A renewal: the expiry it renews from.
    pub expires_before: Option<OffsetDateTime>,
}

/// Staff: the queue, oldest first.
pub async fn tasks(deps: &Deps, actor: &Actor) -> Result<Vec<Task>, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    let rows = sqlx::query!(
        r#"SELECT o.id, o.name, o.kind AS "kind: DomainOrderKind", o.years, a.name AS account_name,
                  u.email AS "buyer?", o.contact, o.whois_privacy, o.paid_at, o.expires_before, o.domain_id
           FROM domain_orders o
           JOIN hosting_accounts a ON a.id = o.account_id
           LEFT JOIN users u ON u.id = o.user_id
           WHERE o.status = 'staff_task'
           ORDER BY o.paid_at
           LIMIT 200"#
    )
    .fetch_all(&deps.pool)
    .await?;
    let zones: Vec<Uuid> = rows.iter().filter_map(|r| r.domain_id).collect();
    let mut nameservers = crate::dns::nameservers::of(&deps.pool, &zones).await?;
    Ok(rows
        .into_iter()
        .map(|r| Task {
            nameservers: r
                .domain_id
                .and_then(|d| nameservers.remove(&d))
                .map(|ns| crate::dns::nameservers::or_shared(ns, &deps.dns))
                .unwrap_or_default(),
            id: r.id,
            name: r.name,
            kind: r.kind,
            years: r.years,
            account_name: r.account_name,
            buyer: r.buyer,
            contact: r.contact,
            whois_privacy: r.whois_privacy,
            paid_at: r.paid_at,
            expires_before: r.expires_before,
        })
        .collect())
}

/// Staff: the task is done at the registrar; the name now expires on
/// `expires`. It goes live (or its renewal is recorded) and the buyer is told.
pub async fn done(deps: &Deps, actor: &Actor, id: Uuid, expires: Date) -> Result<(), ServiceError> {
    require_staff(actor, StaffPermission::Billing)?;
    let order = claimed(deps, id).await?;
    let expires_at = expires.midnight().assume_utc();
    if expires_at <= actor.now {
        return Err(ServiceError::invalid(
            "expires",
            "The expiry must be in the future.",
        ));
    }
    let result = match order.kind {
        DomainOrderKind::Renew => super::renewals::record_renewal(deps, &order, expires_at, actor.now).await,
        _ => finish(deps, &order, "manual", expires_at, actor.now).await,
    };
    result.map_err(ServiceError::internal)?;
    tracing::info!(order = %id, staff = %actor.id(), "staff marked a domain order done");
    Ok(())
}

/// Staff: the name could not be registered; the payment is refunded (by
/// the worker, at once) and the buyer told `why`.
pub async fn refund(deps: &Deps, actor: &Actor, id: Uuid, why: &str) -> Result<(), ServiceError> {
    require_staff(actor, StaffPermission::Billing)?;
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(ServiceError::invalid(
            "why",
            "Say in a sentence why (the customer reads it), at most 500 characters.",
        ));
    }
    claimed(deps, id).await?;
    set_refunding(&deps.pool, id, why, actor.now).await?;
    sqlx::query!("SELECT pg_notify($1, $2)", super::CHANNEL, id.to_string())
        .execute(&deps.pool)
        .await?;
    Ok(())
}

/// The order as the worker would claim it, if it is in the staff queue.
async fn claimed(deps: &Deps, id: Uuid) -> Result<Claimed, ServiceError> {
    sqlx::query_as!(
        Claimed,
        r#"SELECT o.id, o.name, o.tld, o.account_id, o.user_id, o.kind AS "kind: DomainOrderKind",
                  o.expires_before, o.years, o.contact, o.whois_privacy, o.auto_renew,
                  o.status AS "status: DomainOrderStatus", o.attempts, o.payment_intent, o.paid_at,
                  o.auth_code, o.transfer_id, o.transfer_status
           FROM domain_orders o WHERE o.id = $1 AND o.status = 'staff_task'"#,
        id
    )
    .fetch_optional(&deps.pool)
    .await?
    .ok_or(ServiceError::Conflict(
        "This order is no longer waiting for our team.".into(),
    ))
}
