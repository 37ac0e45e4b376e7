//! A ticket's life after it is opened: replies and staff notes, state
//! changes (resolve, close, reopen), assignment, triage, the customer's
//! rating, and closing resolved tickets nobody answered for 7 days.
//! Each change locks the ticket's row, so two at once apply in turn.

use time::OffsetDateTime;
use uuid::Uuid;

use super::access::TicketAccess;
use super::files::CheckedFile;
use super::open::{insert_message, put_files, record_files, remove_files};
use super::{announce, mail, over, ServiceError, REPLIED_MANY};
use crate::notifications::{self, Kind};
use crate::{rate_limit, Actor, Deps};
use domain::tickets::{ticket_label, Body, Category, Priority, Rating, TicketState, CLOSE_AFTER_DAYS};
use domain::{Role, TicketNumber};

/// A reply or (staff only) an internal note.
#[derive(Debug, Clone)]
pub struct Reply {
    pub body: Body,
    pub internal: bool,
    pub files: Vec<CheckedFile>,
}

/// The ticket's state under a row lock.
async fn lock(conn: &mut sqlx::PgConnection, access: &TicketAccess) -> Result<TicketState, ServiceError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT state AS "state: TicketState" FROM tickets WHERE id = $1 FOR UPDATE"#,
        access.ticket_id().uuid()
    )
    .fetch_one(conn)
    .await?)
}

fn closed_conflict(access: &TicketAccess) -> ServiceError {
    ServiceError::Conflict(format!(
        "Ticket {} is closed. Open a new ticket and mention its number.",
        ticket_label(access.number().get())
    ))
}

/// Refuses at once a customer who may send no more replies this hour
/// (before their upload is read). Staff are not limited.
pub async fn may_reply(deps: &Deps, actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_staff() {
        return Ok(());
    }
    let mut conn = deps.pool.acquire().await?;
    rate_limit::peek(&mut conn, &deps.limits.ticket_replies(), &actor.id().to_string())
        .await?
        .map_err(over(REPLIED_MANY))
}

#[tracing::instrument(skip_all, fields(number = access.number().get(), internal = reply.internal))]
pub async fn reply(
    deps: &Deps,
    actor: &Actor,
    access: &TicketAccess,
    reply: Reply,
) -> Result<(), ServiceError> {
    access.require_current()?;
    if reply.internal {
        // Customers do not learn that notes exist.
        access.require_staff()?;
    }
    // Refused before anything is written (checked again, locked, below).
    super::quota::check(
        &mut *deps.pool.acquire().await?,
        &deps.limits,
        actor,
        access.account_id(),
        &reply.files,
        false,
    )
    .await?;
    let keys = put_files(&deps.support.storage, &reply.files).await?;
    let result = reply_in_database(deps, actor, access, &reply, &keys).await;
    if result.is_err() {
        remove_files(&deps.support.storage, &keys).await;
    }
    result
}

async fn reply_in_database(
    deps: &Deps,
    actor: &Actor,
    access: &TicketAccess,
    reply: &Reply,
    keys: &[String],
) -> Result<(), ServiceError> {
    let mut tx = deps.pool.begin().await?;
    if !actor.is_staff() {
        rate_limit::hit(&mut tx, &deps.limits.ticket_replies(), &actor.id().to_string())
            .await?
            .map_err(over(REPLIED_MANY))?;
    }
    super::quota::check(
        &mut tx,
        &deps.limits,
        actor,
        access.account_id(),
        &reply.files,
        true,
    )
    .await?;
    let state = lock(&mut tx, access).await?;
    let by_staff = actor.is_staff();
    let next = if reply.internal {
        state
    } else {
        state
            .after_reply(by_staff)
            .ok_or_else(|| closed_conflict(access))?
    };
    let message = insert_message(
        &mut tx,
        access.ticket_id().uuid(),
        actor,
        reply.body.as_str(),
        reply.internal,
    )
    .await?;
    record_files(
        &mut tx,
        access.ticket_id().uuid(),
        message,
        &reply.files,
        keys,
        actor.now,
    )
    .await?;
    if !reply.internal {
        sqlx::query!(
            r#"UPDATE tickets SET state = $2, updated_at = $3,
                      waiting_since = CASE WHEN state = $2 THEN waiting_since ELSE $3 END,
                      first_response_at = CASE WHEN $4 THEN coalesce(first_response_at, $3) ELSE first_response_at END,
                      resolved_at = CASE WHEN $2 = 'resolved' THEN resolved_at END
               WHERE id = $1"#,
            access.ticket_id().uuid(),
            next.as_str(),
            actor.now,
            by_staff
        )
        .execute(&mut *tx)
        .await?;
        tell_of_reply(&mut tx, deps, actor, access, reply).await?;
    }
    announce(&mut tx, access.ticket_id().uuid(), reply.internal).await?;
    tx.commit().await?;
    Ok(())
}

/// Who hears of a reply: the author of staff's (in the portal, if still a
/// member, and by email), the assignee of a customer's, and the customer
/// or support by email.
async fn tell_of_reply(
    tx: &mut sqlx::PgConnection,
    deps: &Deps,
    actor: &Actor,
    access: &TicketAccess,
    reply: &Reply,
) -> Result<(), ServiceError> {
    let t = mail::TicketMail::load(&mut *tx, access.ticket_id().uuid()).await?;
    let link = format!("/support/{}", t.number);
    if actor.is_staff() {
        let title = format!("Support replied to {}: {}", ticket_label(t.number), t.subject);
        if t.author_current {
            notifications::notify(&mut *tx, access.author_id(), Kind::TicketReply, &title, &link).await?;
        }
        mail::staff_replied(&mut *tx, deps, &t, reply.body.as_str()).await?;
    } else {
        let assignee = assignee_of(&mut *tx, access.ticket_id().uuid()).await?;
        if let Some(assignee) = assignee.filter(|a| *a != actor.id()) {
            let title = format!(
                "{} replied to {}",
                actor.user.display_name,
                ticket_label(t.number)
            );
            notifications::notify(&mut *tx, assignee, Kind::TicketReply, &title, &link).await?;
        }
        mail::customer_replied(&mut *tx, deps, &t, &actor.user.display_name, reply.body.as_str()).await?;
    }
    Ok(())
}

async fn assignee_of(conn: &mut sqlx::PgConnection, ticket: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("SELECT assignee_id FROM tickets WHERE id = $1", ticket)
        .fetch_one(conn)
        .await
}

/// What a state button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// The question is answered (staff, or the customer themselves).
    Resolve,
    /// Done for good (staff only).
    Close,
    /// Open again: customers from resolved, staff from resolved or closed.
    Reopen,
}

impl StateChange {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "resolve" => Some(Self::Resolve),
            "close" => Some(Self::Close),
            "reopen" => Some(Self::Reopen),
            _ => None,
        }
    }
}

#[tracing::instrument(skip_all, fields(number = access.number().get(), ?change))]
pub async fn change_state(
    deps: &Deps,
    actor: &Actor,
    access: &TicketAccess,
    change: StateChange,
) -> Result<TicketState, ServiceError> {
    access.require_current()?;
    let mut tx = deps.pool.begin().await?;
    let state = lock(&mut tx, access).await?;
    let next = match (change, state) {
        (StateChange::Close, _) => {
            access.require_staff()?;
            if state == TicketState::Closed {
                return Err(ServiceError::Conflict("This ticket is already closed.".into()));
            }
            TicketState::Closed
        }
        (StateChange::Resolve, s) if s.is_active() => TicketState::Resolved,
        (StateChange::Resolve, _) => {
            return Err(ServiceError::Conflict(
                "This ticket is already resolved or closed.".into(),
            ))
        }
        (StateChange::Reopen, TicketState::Resolved) => TicketState::AwaitingStaff,
        (StateChange::Reopen, TicketState::Closed) if access.staff() => TicketState::AwaitingStaff,
        (StateChange::Reopen, TicketState::Closed) => return Err(closed_conflict(access)),
        (StateChange::Reopen, _) => {
            return Err(ServiceError::Conflict("This ticket is open already.".into()))
        }
    };
    set_state(&mut tx, access.ticket_id().uuid(), next, actor.now).await?;
    if next == TicketState::Resolved && actor.is_staff() {
        let t = mail::TicketMail::load(&mut tx, access.ticket_id().uuid()).await?;
        mail::resolved(&mut tx, deps, &t).await?;
    }
    announce(&mut tx, access.ticket_id().uuid(), false).await?;
    tx.commit().await?;
    Ok(next)
}

async fn set_state(
    conn: &mut sqlx::PgConnection,
    ticket: Uuid,
    next: TicketState,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE tickets SET state = $2, updated_at = $3, waiting_since = $3,
                  resolved_at = CASE WHEN $2 = 'resolved' THEN $3 WHEN $2 = 'closed' THEN resolved_at END,
                  closed_at = CASE WHEN $2 = 'closed' THEN $3 END
           WHERE id = $1"#,
        ticket,
        next.as_str(),
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Assigns the ticket to a staff member (or to nobody). Staff only.
#[tracing::instrument(skip_all, fields(number = access.number().get()))]
pub async fn assign(
    deps: &Deps,
    actor: &Actor,
    access: &TicketAccess,
    assignee: Option<Uuid>,
) -> Result<(), ServiceError> {
    access.require_staff()?;
    let mut tx = deps.pool.begin().await?;
    lock(&mut tx, access).await?;
    if let Some(user) = assignee {
        let role = sqlx::query_scalar!(r#"SELECT role AS "role: Role" FROM users WHERE id = $1"#, user)
            .fetch_optional(&mut *tx)
            .await?;
        if role != Some(Role::Staff) {
            return Err(ServiceError::Invalid(vec![(
                "assignee",
                "Choose a member of staff.".into(),
            )]));
        }
    }
    sqlx::query!(
        "UPDATE tickets SET assignee_id = $2 WHERE id = $1",
        access.ticket_id().uuid(),
        assignee
    )
    .execute(&mut *tx)
    .await?;
    if let Some(user) = assignee.filter(|u| *u != actor.id()) {
        let t = mail::TicketMail::load(&mut tx, access.ticket_id().uuid()).await?;
        let title = format!(
            "{} assigned {} to you: {}",
            actor.user.display_name,
            ticket_label(t.number),
            t.subject
        );
        let link = format!("/support/{}", t.number);
        notifications::notify(&mut tx, user, Kind::TicketAssigned, &title, &link).await?;
    }
    announce(&mut tx, access.ticket_id().uuid(), false).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes priority and category. Staff only.
pub async fn triage(
    deps: &Deps,
    access: &TicketAccess,
    priority: Priority,
    category: Category,
) -> Result<(), ServiceError> {
    access.require_staff()?;
    let mut tx = deps.pool.begin().await?;
    lock(&mut tx, access).await?;
    sqlx::query!(
        "UPDATE tickets SET priority = $2, category = $3 WHERE id = $1",
        access.ticket_id().uuid(),
        priority.as_str(),
        category.as_str()
    )
    .execute(&mut *tx)
    .await?;
    announce(&mut tx, access.ticket_id().uuid(), false).await?;
    tx.commit().await?;
    Ok(())
}

/// The author's rating of a resolved (or since closed) ticket; rating
/// again replaces it.
pub async fn rate(
    deps: &Deps,
    actor: &Actor,
    access: &TicketAccess,
    rating: Rating,
    comment: &str,
) -> Result<(), ServiceError> {
    access.require_current()?;
    if access.author_id() != actor.id() {
        return Err(ServiceError::Conflict(
            "Only the person who opened the ticket can rate it.".into(),
        ));
    }
    let comment = comment.trim();
    if comment.chars().count() > 2000 {
        return Err(ServiceError::Invalid(vec![(
            "comment",
            "Use at most 2000 characters.".into(),
        )]));
    }
    let mut tx = deps.pool.begin().await?;
    let state = lock(&mut tx, access).await?;
    if state.is_active() {
        return Err(ServiceError::Conflict(
            "You can rate the answer once the ticket is resolved.".into(),
        ));
    }
    sqlx::query!(
        "UPDATE tickets SET rating = $2, rating_comment = $3, rated_at = $4 WHERE id = $1",
        access.ticket_id().uuid(),
        rating.as_str(),
        (!comment.is_empty()).then_some(comment),
        actor.now
    )
    .execute(&mut *tx)
    .await?;
    announce(&mut tx, access.ticket_id().uuid(), false).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the staff's selection of tickets (those not closed yet); returns
/// how many changed. Staff only; numbers that name nothing are skipped.
pub async fn bulk_close(deps: &Deps, actor: &Actor, numbers: &[TicketNumber]) -> Result<u64, ServiceError> {
    actor.require_staff(domain::StaffPermission::Support)?;
    let numbers: Vec<i64> = numbers.iter().map(|n| n.get()).collect();
    let mut tx = deps.pool.begin().await?;
    let closed = sqlx::query_scalar!(
        r#"UPDATE tickets SET state = 'closed', closed_at = $2, updated_at = $2, waiting_since = $2
           WHERE number = ANY($1) AND state <> 'closed' RETURNING id"#,
        &numbers,
        actor.now
    )
    .fetch_all(&mut *tx)
    .await?;
    for id in &closed {
        announce(&mut tx, *id, false).await?;
    }
    tx.commit().await?;
    Ok(closed.len() as u64)
}

/// Closes tickets resolved more than 7 days before `now` with no reply
/// since (a reply moves a ticket out of resolved). Returns how many.
pub async fn auto_close(pool: &sqlx::PgPool, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let closed = sqlx::query_scalar!(
        r#"UPDATE tickets SET state = 'closed', closed_at = $1, updated_at = $1, waiting_since = $1
           WHERE state = 'resolved' AND resolved_at <= $1::timestamptz - make_interval(days => $2) RETURNING id"#,
        now,
        CLOSE_AFTER_DAYS as i32
    )
    .fetch_all(&mut *tx)
    .await?;
    for id in &closed {
        announce(&mut tx, *id, false).await?;
    }
    tx.commit().await?;
    Ok(closed.len() as u64)
}
