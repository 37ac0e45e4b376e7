//! The registration worker: carries out paid domain orders, once each,
//! whatever crashes in between.
//!
//! An order is claimed with a lease (`next_attempt_at` moves ahead), so a
//! worker that dies mid-way leaves it to be taken again. Before
//! registering, the registrar is asked whether it already holds the name
//! for us (a previous attempt may have registered it and died before
//! writing that down): never register twice. A refusal is refunded through
//! Stripe with the order's own idempotency key: never refund twice.

use std::time::Duration;

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use domain::dns::DomainStatus;
use domain::registration::{Contact, DomainOrderStatus};
use domain::{AccountStatus, DomainName};

use super::registrar::{NewRegistration, RegistrarError};
use super::RegistrationSettings;
use crate::activity::{self, Action, NewEntry};
use crate::hosting::access::Access;
use crate::mail::{outbox, Message};
use crate::{ClientInfo, Deps};

/// How often due retries are looked for without a wake-up.
const POLL: Duration = Duration::from_secs(5);
/// How often the TLD costs are refreshed and the registrar's list reconciled.
const DAY: Duration = Duration::from_secs(24 * 3600);
/// How long a claimed order is left to its worker before another may take it.
const LEASE: time::Duration = time::Duration::minutes(5);
/// Transient failures tried before the order is refunded (about 9 hours).
pub const MAX_ATTEMPTS: i32 = 12;

struct Claimed {
    id: Uuid,
    name: String,
    tld: String,
    account_id: Uuid,
    user_id: Option<Uuid>,
    years: i32,
    contact: serde_json::Value,
    whois_privacy: bool,
    auto_renew: bool,
    status: DomainOrderStatus,
    attempts: i32,
    payment_intent: Option<String>,
}

/// What happened to the order this step took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Registered,
    /// Refused: it will be refunded next.
    Refused(String),
    Refunded,
    /// Try again later.
    Later(String),
}

/// Stripe confirmed the payment of order `id` (the webhook worker, in the
/// event's transaction): the order is due at once. If another order of the
/// same name was paid first, this one is refunded instead.
pub async fn paid(
    conn: &mut PgConnection,
    id: Uuid,
    payment_intent: Option<&str>,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
    let account = sqlx::query_scalar!(
        r#"UPDATE domain_orders o
           SET status = CASE WHEN taken.yes THEN 'refunding' ELSE 'paid' END,
               failure = CASE WHEN taken.yes THEN 'Someone bought the name moments before you did.' END,
               paid_at = $2, payment_intent = $3, next_attempt_at = $2
           FROM (SELECT EXISTS (SELECT 1 FROM domain_orders x, domain_orders me
                                WHERE me.id = $1 AND x.name = me.name AND x.id <> me.id
                                  AND x.status IN ('paid', 'registering', 'registered')) AS yes) taken
           WHERE o.id = $1 AND o.status = 'awaiting_payment'
           RETURNING o.account_id"#,
        id,
        now,
        payment_intent
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(account) = account {
        sqlx::query!("SELECT pg_notify($1, $2)", super::CHANNEL, id.to_string())
            .execute(&mut *conn)
            .await?;
        crate::billing::sync::announce(conn, account).await?;
    }
    Ok(())
}

/// Takes the next due order and moves it one step. None: nothing was due.
#[tracing::instrument(skip_all)]
pub async fn step(deps: &Deps, settings: &RegistrationSettings) -> anyhow::Result<Option<(Uuid, Outcome)>> {
    let now = deps.clock.now();
    let Some(order) = sqlx::query_as!(
        Claimed,
        r#"UPDATE domain_orders o
           SET status = CASE WHEN o.status = 'paid' THEN 'registering' ELSE o.status END,
               attempts = o.attempts + 1, next_attempt_at = $2
           WHERE o.id = (SELECT id FROM domain_orders
                         WHERE status IN ('paid', 'registering', 'refunding') AND next_attempt_at <= $1
                         ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING o.id, o.name, o.tld, o.account_id, o.user_id, o.years, o.contact, o.whois_privacy,
                     o.auto_renew, o.status AS "status: DomainOrderStatus", o.attempts, o.payment_intent"#,
        now,
        now + LEASE
    )
    .fetch_optional(&deps.pool)
    .await?
    else {
        return Ok(None);
    };
    let outcome = match order.status {
        DomainOrderStatus::Refunding => refund(deps, &order, now).await?,
        _ => register(deps, settings, &order, now).await?,
    };
    if let Outcome::Later(why) = &outcome {
        let wait = backoff(order.attempts);
        if order.attempts >= MAX_ATTEMPTS && order.status != DomainOrderStatus::Refunding {
            let message = "The registrar did not answer for hours, so we stopped trying.";
            tracing::error!(order = %order.id, %why, "registration given up: refunding");
            set_refunding(&deps.pool, order.id, message, now).await?;
        } else {
            tracing::warn!(order = %order.id, %why, attempt = order.attempts, "registration step failed; trying again later");
            sqlx::query!(
                "UPDATE domain_orders SET next_attempt_at = $2, failure = $3 WHERE id = $1",
                order.id,
                now + wait,
                why
            )
            .execute(&deps.pool)
            .await?;
        }
    }
    Ok(Some((order.id, outcome)))
}

/// 30 s, 1 min, 2 min, … at most an hour.
fn backoff(attempts: i32) -> time::Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    time::Duration::seconds((30_i64 << exp).min(3600))
}

async fn set_refunding(pool: &sqlx::PgPool, id: Uuid, why: &str, now: OffsetDateTime) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE domain_orders SET status = 'refunding', failure = $2, next_attempt_at = $3, attempts = 0 WHERE id = $1",
        id,
        why,
        now
    )
    .execute(pool)
    .await
    .map(|_| ())
}

async fn register(
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
            if info.nameservers != nameservers {
                let sld = &order.name[..order.name.len() - order.tld.len() - 1];
                if let Err(e) = registrar.set_nameservers(sld, &order.tld, &nameservers).await {
                    return Ok(Outcome::Later(e.to_string()));
                }
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
    finish(deps, order, expires_at, now).await?;
    Ok(Outcome::Registered)
}

/// The zone's name servers, creating the zone (pending until the name is
/// registered) if this order has none yet; Err(why) when the name's zone
/// belongs to another account.
async fn zone_for(
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

async fn refused(deps: &Deps, order: &Claimed, why: String, now: OffsetDateTime) -> anyhow::Result<Outcome> {
    set_refunding(&deps.pool, order.id, &why, now).await?;
    Ok(Outcome::Refused(why))
}

/// Registered: the zone goes live, the registration is recorded, the
/// buyer is told.
async fn finish(
    deps: &Deps,
    order: &Claimed,
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
        r#"INSERT INTO registered_domains (name, account_id, order_id, registrar, registered_at, expires_at, auto_renew, whois_privacy)
           VALUES ($1, $2, $3, 'namecheap', $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING"#,
        order.name,
        order.account_id,
        order.id,
        now,
        expires_at,
        order.auto_renew,
        order.whois_privacy
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE domain_orders SET status = 'registered', finished_at = $2, next_attempt_at = NULL, failure = NULL WHERE id = $1",
        order.id,
        now
    )
    .execute(&mut *tx)
    .await?;
    let display = domain::dns::names::unicode(&order.name);
    let until = format_day(expires_at);
    record(&mut tx, order, Action::DomainRegistered, &display, Some(&until)).await?;
    if let Some(to) = buyer(&mut tx, order.user_id).await? {
        let message = Message {
            kind: "domain_registered",
            subject: format!("{display} is registered"),
            heading: format!("{display} is yours"),
            paragraphs: vec![
                format!("Hello {}, {display} is registered until {until}.", to.1),
                "Its DNS is served by our name servers already: edit its records in the portal.".into(),
            ],
            action: Some((
                "Edit its DNS".into(),
                deps.links.to(&format!("/domains/{}", order.name)),
            )),
            reason: "You bought this domain.".into(),
        };
        outbox::enqueue(&mut tx, &to.0, &message).await?;
    }
    tx.commit().await?;
    tracing::info!(order = %order.id, domain = %order.name, "domain registered");
    Ok(())
}

async fn refund(deps: &Deps, order: &Claimed, now: OffsetDateTime) -> anyhow::Result<Outcome> {
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
    if let Some(to) = buyer(&mut tx, order.user_id).await? {
        let message = Message {
            kind: "domain_refunded",
            subject: format!("We could not register {display}: refunded"),
            heading: format!("We could not register {display}"),
            paragraphs: vec![
                format!("Hello {}, the registrar did not register {display}: {why}", to.1),
                "We refunded your payment in full. It reaches your card in 5 to 10 days.".into(),
            ],
            action: Some(("Search for another name".into(), deps.links.to("/domains/search"))),
            reason: "You bought this domain.".into(),
        };
        outbox::enqueue(&mut tx, &to.0, &message).await?;
    }
    tx.commit().await?;
    tracing::warn!(order = %order.id, domain = %order.name, %why, "domain order refunded: staff may want to look");
    Ok(Outcome::Refunded)
}

async fn record(
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

async fn buyer(tx: &mut PgConnection, user: Option<Uuid>) -> sqlx::Result<Option<(String, String)>> {
    let Some(user) = user else { return Ok(None) };
    sqlx::query!("SELECT email, display_name FROM users WHERE id = $1", user)
        .fetch_optional(tx)
        .await
        .map(|r| r.map(|r| (r.email, r.display_name)))
}

fn format_day(at: OffsetDateTime) -> String {
    format!("{} {} {}", at.day(), at.month(), at.year())
}

/// The TLD costs from the registrar, and the reconciliation of its list
/// with ours (each process does it once a day; both are idempotent).
async fn once_a_day(deps: &Deps, settings: &RegistrationSettings) {
    let Ok(registrar) = settings.registrar() else {
        return;
    };
    let now = deps.clock.now();
    if let Err(error) = super::catalogue::refresh(&deps.pool, registrar, now).await {
        tracing::warn!(%error, "could not refresh the TLD costs");
    }
    if let Err(error) = super::reconcile::run(&deps.pool, registrar, now).await {
        tracing::warn!(%error, "could not reconcile the registrar's list");
    }
}

/// Moves every due order a step (tests, and after a wake-up). Answers
/// the steps taken.
pub async fn drain(deps: &Deps, settings: &RegistrationSettings) -> anyhow::Result<Vec<(Uuid, Outcome)>> {
    let mut done = Vec::new();
    while let Some(step) = step(deps, settings).await? {
        done.push(step);
    }
    Ok(done)
}

/// Runs the worker until `shutdown`: woken by paid orders (`CHANNEL`), and
/// every few seconds for retries that came due. Several processes may.
pub async fn run(
    deps: Deps,
    settings: RegistrationSettings,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut listener = match sqlx::postgres::PgListener::connect_with(&deps.pool).await {
        Ok(mut l) => l.listen(super::CHANNEL).await.map(|()| l).ok(),
        Err(_) => None,
    };
    if listener.is_none() {
        tracing::warn!("domain orders: cannot listen; polling only");
    }
    let mut daily: Option<std::time::Instant> = None;
    loop {
        if let Err(error) = drain(&deps, &settings).await {
            tracing::warn!(error = %error, "domain orders: a step failed");
        }
        if daily.is_none_or(|at| at.elapsed() >= DAY) {
            daily = Some(std::time::Instant::now());
            once_a_day(&deps, &settings).await;
        }
        let wake = async {
            match listener.as_mut() {
                Some(l) => {
                    let _ = l.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = wake => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(super::backoff(1).whole_seconds(), 30);
        assert_eq!(super::backoff(3).whole_seconds(), 120);
        assert_eq!(super::backoff(40).whole_seconds(), 3600);
    }
}
