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

use domain::registration::{DomainOrderKind, DomainOrderStatus};

use super::fulfil::{refund, register};
use super::RegistrationSettings;
use crate::Deps;

/// How often due retries are looked for without a wake-up.
const POLL: Duration = Duration::from_secs(5);
/// How often the TLD costs are refreshed and the registrar's list reconciled.
const DAY: Duration = Duration::from_secs(24 * 3600);
/// How often automatic renewals are looked for and charged.
const HOUR: Duration = Duration::from_secs(3600);
/// How long a claimed order is left to its worker before another may take it.
const LEASE: time::Duration = time::Duration::minutes(5);
/// Transient failures tried before the order is left to staff (about 9 hours).
pub const MAX_ATTEMPTS: i32 = 12;

pub(super) struct Claimed {
    pub id: Uuid,
    pub name: String,
    pub tld: String,
    pub account_id: Uuid,
    pub user_id: Option<Uuid>,
    pub kind: DomainOrderKind,
    pub expires_before: Option<OffsetDateTime>,
    pub years: i32,
    pub contact: serde_json::Value,
    pub whois_privacy: bool,
    pub auto_renew: bool,
    pub status: DomainOrderStatus,
    pub attempts: i32,
    pub payment_intent: Option<String>,
    pub paid_at: Option<OffsetDateTime>,
    pub auth_code: Option<String>,
    pub transfer_id: Option<String>,
    pub transfer_status: Option<String>,
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
    /// Under way at the registrar (a transfer): asked again in a while.
    Waiting(String),
    /// Left to staff, with the reason.
    NeedsStaff(String),
    /// In the staff queue (the manual registrar).
    Queued,
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
               failure = CASE WHEN NOT taken.yes THEN NULL
                              WHEN o.kind = 'renew' THEN 'This name was already being renewed.'
                              WHEN o.kind = 'transfer' THEN 'This name is already on our platform.'
                              ELSE 'Someone bought the name moments before you did.' END,
               paid_at = $2, payment_intent = $3, next_attempt_at = $2,
               -- A renewal renews from the expiry it is paid against.
               expires_before = CASE WHEN o.kind = 'renew'
                                     THEN (SELECT r.expires_at FROM registered_domains r WHERE r.name = o.name)
                                     ELSE o.expires_before END
           FROM (SELECT EXISTS (SELECT 1 FROM domain_orders x, domain_orders me
                                WHERE me.id = $1 AND x.name = me.name AND x.id <> me.id
                                  -- A registration and a transfer of one name exclude each other.
                                  AND (x.kind = me.kind OR (x.kind <> 'renew' AND me.kind <> 'renew'))
                                  AND (x.status IN ('paid', 'registering', 'transferring')
                                       OR (x.kind <> 'renew' AND x.status = 'registered'))) AS yes) taken
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
    } else if let Some(intent) = payment_intent {
        // Paid already with another payment, or no longer payable: this
        // one is refunded (see `strays`).
        let stray = sqlx::query!(
            "INSERT INTO stray_payments (payment_intent, order_id, found_at, next_attempt_at)
             SELECT $3, id, $2, $2 FROM domain_orders WHERE id = $1 AND payment_intent IS DISTINCT FROM $3
             ON CONFLICT DO NOTHING",
            id,
            now,
            intent
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if stray > 0 {
            tracing::warn!(order = %id, payment_intent = intent, "a second payment for a domain order: it is refunded");
            sqlx::query!("SELECT pg_notify($1, $2)", super::CHANNEL, id.to_string())
                .execute(&mut *conn)
                .await?;
        }
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
                         WHERE status IN ('paid', 'registering', 'transferring', 'refunding') AND next_attempt_at <= $1
                         ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING o.id, o.name, o.tld, o.account_id, o.user_id, o.kind AS "kind: DomainOrderKind",
                     o.expires_before, o.years, o.contact, o.whois_privacy, o.auto_renew,
                     o.status AS "status: DomainOrderStatus", o.attempts, o.payment_intent, o.paid_at,
                     o.auth_code, o.transfer_id, o.transfer_status"#,
        now,
        now + LEASE
    )
    .fetch_optional(&deps.pool)
    .await?
    else {
        return Ok(None);
    };
    let manual = settings.registrar.as_ref().is_some_and(|r| r.is_manual());
    let outcome = match (order.status, order.kind) {
        (DomainOrderStatus::Refunding, _) => refund(deps, &order, now).await,
        _ if manual => super::manual::queue(deps, &order, now).await,
        (_, DomainOrderKind::Register) => register(deps, settings, &order, now).await,
        (_, DomainOrderKind::Renew) => super::renewals::renew(deps, settings, &order, now).await,
        (_, DomainOrderKind::Transfer) => super::transfers::step(deps, settings, &order, now).await,
    }
    // Any failure counts as an attempt, so it backs off and ends with staff.
    .unwrap_or_else(|e| Outcome::Later(format!("{e:#}")));
    match &outcome {
        Outcome::Waiting(_) => {
            // Not a failure: asked again later, with a fresh count of attempts.
            sqlx::query!(
                "UPDATE domain_orders SET next_attempt_at = $2, attempts = 0 WHERE id = $1",
                order.id,
                now + super::transfers::POLL
            )
            .execute(&deps.pool)
            .await?;
        }
        Outcome::NeedsStaff(why) => leave_to_staff(&deps.pool, order.id, why).await?,
        // Whether the registrar made it is unknown: not refunded blindly
        // (the name may be ours), but left to staff with the reason.
        Outcome::Later(why)
            if order.attempts >= MAX_ATTEMPTS && order.status != DomainOrderStatus::Refunding =>
        {
            let why = format!("Gave up after {} attempts: {why}", order.attempts);
            leave_to_staff(&deps.pool, order.id, &why).await?;
        }
        Outcome::Later(why) => {
            let wait = backoff(order.attempts);
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
        Outcome::Registered | Outcome::Refused(_) | Outcome::Refunded | Outcome::Queued => {}
    }
    Ok(Some((order.id, outcome)))
}

/// The order waits for staff, with the reason.
async fn leave_to_staff(pool: &sqlx::PgPool, id: Uuid, why: &str) -> sqlx::Result<()> {
    tracing::error!(order = %id, %why, "domain order left to staff");
    sqlx::query!(
        "UPDATE domain_orders SET status = 'failed', failure = $2, next_attempt_at = NULL WHERE id = $1",
        id,
        why
    )
    .execute(pool)
    .await
    .map(|_| ())
}

/// 30 s, 1 min, 2 min, … at most an hour.
fn backoff(attempts: i32) -> time::Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    time::Duration::seconds((30_i64 << exp).min(3600))
}

pub(super) async fn set_refunding(
    pool: &sqlx::PgPool,
    id: Uuid,
    why: &str,
    now: OffsetDateTime,
) -> sqlx::Result<()> {
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

/// The TLD costs from the registrar, and the reconciliation of its list
/// with ours (each process does it once a day; both are idempotent).
async fn once_a_day(deps: &Deps, settings: &RegistrationSettings) {
    let Ok(registrar) = settings.registrar() else {
        return;
    };
    let now = deps.clock.now();
    if registrar.is_manual() {
        // No costs to fetch and no list to compare: reminders only.
        match super::renewals::remind(deps, now).await {
            Ok(n) if n > 0 => tracing::info!(reminded = n, "expiry reminders sent"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not send expiry reminders"),
        }
        return;
    }
    if let Err(error) = super::catalogue::refresh(&deps.pool, registrar, now).await {
        tracing::warn!(%error, "could not refresh the TLD costs");
    }
    if let Err(error) = super::reconcile::run(&deps.pool, registrar, now).await {
        tracing::warn!(%error, "could not reconcile the registrar's list");
    }
    match super::renewals::remind(deps, now).await {
        Ok(n) if n > 0 => tracing::info!(reminded = n, "expiry reminders sent"),
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "could not send expiry reminders"),
    }
}

/// Moves every due order a step (tests, and after a wake-up). Answers
/// the steps taken.
pub async fn drain(deps: &Deps, settings: &RegistrationSettings) -> anyhow::Result<Vec<(Uuid, Outcome)>> {
    let mut done = Vec::new();
    while let Some(step) = step(deps, settings).await? {
        done.push(step);
    }
    while let Some(order) = super::strays::refund_next(deps).await? {
        done.push((order, Outcome::Refunded));
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
    let mut hourly: Option<std::time::Instant> = None;
    loop {
        if let Err(error) = drain(&deps, &settings).await {
            tracing::warn!(error = %error, "domain orders: a step failed");
        }
        if daily.is_none_or(|at| at.elapsed() >= DAY) {
            daily = Some(std::time::Instant::now());
            once_a_day(&deps, &settings).await;
        }
        if hourly.is_none_or(|at| at.elapsed() >= HOUR) {
            hourly = Some(std::time::Instant::now());
            match super::auto_renew::run(&deps, &settings, deps.clock.now()).await {
                Ok((0, 0)) => {}
                Ok((made, paid)) => tracing::info!(made, paid, "automatic renewals"),
                Err(error) => tracing::warn!(error = %format!("{error:#}"), "automatic renewals failed"),
            }
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
