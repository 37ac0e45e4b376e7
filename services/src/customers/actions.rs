//! What staff do for a customer, each with the reason they give, kept in
//! `staff_audit` (who, when, why) and told to the customer where they
//! would expect it: locking ends their sessions and emails them; ending
//! their sessions shows in their own activity.

use domain::StaffPermission;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::activity::{self, Action, NewEntry};
use crate::failure::{invalid, ServiceError};
use crate::identity::Links;
use crate::mail::{self, templates};
use crate::Actor;

/// A staff action on a customer, as the audit names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffAction {
    Lock,
    Unlock,
    EndSessions,
    Note,
    RoleChange,
    ViewAs,
    ResendVerification,
    ChangeEmail,
    TwoFactorResetRequested,
    TwoFactorResetApproved,
    TwoFactorResetCancelled,
    DataExport,
}

impl StaffAction {
    pub const ALL: [StaffAction; 12] = [
        StaffAction::Lock,
        StaffAction::Unlock,
        StaffAction::EndSessions,
        StaffAction::Note,
        StaffAction::RoleChange,
        StaffAction::ViewAs,
        StaffAction::ResendVerification,
        StaffAction::ChangeEmail,
        StaffAction::TwoFactorResetRequested,
        StaffAction::TwoFactorResetApproved,
        StaffAction::TwoFactorResetCancelled,
        StaffAction::DataExport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffAction::Lock => "lock",
            StaffAction::Unlock => "unlock",
            StaffAction::EndSessions => "end_sessions",
            StaffAction::Note => "note",
            StaffAction::RoleChange => "role_change",
            StaffAction::ViewAs => "view_as",
            StaffAction::ResendVerification => "resend_verification",
            StaffAction::ChangeEmail => "change_email",
            StaffAction::TwoFactorResetRequested => "two_factor_reset_requested",
            StaffAction::TwoFactorResetApproved => "two_factor_reset_approved",
            StaffAction::TwoFactorResetCancelled => "two_factor_reset_cancelled",
            StaffAction::DataExport => "data_export",
        }
    }

    /// How the audit list says it.
    pub fn label(action: &str) -> &'static str {
        match action {
            "lock" => "Locked the user",
            "unlock" => "Unlocked the user",
            "end_sessions" => "Ended all their sessions",
            "note" => "Added a note",
            "role_change" => "Changed a staff role",
            "view_as" => "Viewed as the customer",
            "resend_verification" => "Sent a new verification link",
            "change_email" => "Started a change of email address",
            "two_factor_reset_requested" => "Asked to reset two-factor",
            "two_factor_reset_approved" => "Approved a two-factor reset",
            "two_factor_reset_cancelled" => "Cancelled a two-factor reset",
            "data_export" => "Prepared a copy of their data",
            _ => "Another action",
        }
    }
}

/// The reason staff give: required, at most 500 characters.
pub fn reason(text: &str) -> Result<String, ServiceError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(invalid(
            "reason",
            "Say why (at most 500 characters): it is kept with the action.",
        ));
    }
    Ok(text.to_string())
}

/// Records an action on `customer` (a staff member, for role changes).
pub(crate) async fn audit(
    conn: &mut PgConnection,
    actor: &Actor,
    customer: Uuid,
    action: StaffAction,
    reason: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO staff_audit (actor_id, customer_id, action, reason) VALUES ($1, $2, $3, $4)",
        actor.id(),
        customer,
        action.as_str(),
        reason
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An entry of the customer's own log made by staff: staff's address is
/// not the customer's business.
pub(super) fn staff_entry(actor: &Actor, action: Action, details: serde_json::Value) -> NewEntry<'static> {
    static NOWHERE: crate::ClientInfo = crate::ClientInfo {
        ip: None,
        user_agent: None,
    };
    NewEntry::from(Some(actor.id()), &NOWHERE, action, details)
}

/// The customer's email and name, if `id` is a customer.
pub(super) async fn customer(conn: &mut PgConnection, id: Uuid) -> Result<(String, String), ServiceError> {
    let row = sqlx::query!(
        "SELECT email, display_name FROM users WHERE id = $1 AND role = 'customer' FOR UPDATE",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(super::not_found)?;
    Ok((row.email, row.display_name))
}

pub(super) async fn end_all(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Locks the customer: they cannot sign in, their sessions end, and they
/// are emailed to contact support.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn lock(
    pool: &PgPool,
    links: &Links,
    actor: &Actor,
    id: Uuid,
    why: &str,
) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::Support)?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    let (email, name) = customer(&mut tx, id).await?;
    let locked = sqlx::query!(
        "UPDATE users SET locked_at = now(), locked_reason = $2 WHERE id = $1 AND locked_at IS NULL",
        id,
        why
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if locked == 0 {
        return Err(ServiceError::Conflict("This user is locked already.".into()));
    }
    let ended = end_all(&mut tx, id).await?;
    audit(&mut tx, actor, id, StaffAction::Lock, &why).await?;
    activity::record(
        &mut tx,
        id,
        staff_entry(actor, Action::AccountLocked, serde_json::json!({})),
    )
    .await?;
    mail::enqueue(
        &mut tx,
        &email,
        &templates::account_locked(&name, &links.to("/support")),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(sessions = ended, "user locked");
    Ok(())
}

/// Unlocks the customer: they can sign in again.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn unlock(pool: &PgPool, actor: &Actor, id: Uuid, why: &str) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::Support)?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    customer(&mut tx, id).await?;
    let unlocked = sqlx::query!(
        "UPDATE users SET locked_at = NULL, locked_reason = NULL WHERE id = $1 AND locked_at IS NOT NULL",
        id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if unlocked == 0 {
        return Err(ServiceError::Conflict("This user is not locked.".into()));
    }
    audit(&mut tx, actor, id, StaffAction::Unlock, &why).await?;
    activity::record(
        &mut tx,
        id,
        staff_entry(actor, Action::AccountUnlocked, serde_json::json!({})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!("user unlocked");
    Ok(())
}

/// Ends every session of the customer (a lost laptop, a shared one).
/// Answers how many ended.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn end_sessions(pool: &PgPool, actor: &Actor, id: Uuid, why: &str) -> Result<u64, ServiceError> {
    actor.require_staff(StaffPermission::Support)?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    customer(&mut tx, id).await?;
    let ended = end_all(&mut tx, id).await?;
    audit(&mut tx, actor, id, StaffAction::EndSessions, &why).await?;
    activity::record(
        &mut tx,
        id,
        staff_entry(
            actor,
            Action::SessionsEndedBySupport,
            serde_json::json!({ "sessions": ended }),
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(sessions = ended, "sessions ended by staff");
    Ok(ended)
}

/// A note on the customer for staff (never shown to the customer).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn add_note(pool: &PgPool, actor: &Actor, id: Uuid, body: &str) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::Support)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 4000 {
        return Err(invalid("body", "Write the note (at most 4,000 characters)."));
    }
    let mut tx = pool.begin().await?;
    customer(&mut tx, id).await?;
    sqlx::query!(
        "INSERT INTO staff_notes (customer_id, author_id, body) VALUES ($1, $2, $3)",
        id,
        actor.id(),
        body
    )
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, actor, id, StaffAction::Note, "note added").await?;
    tx.commit().await?;
    Ok(())
}
