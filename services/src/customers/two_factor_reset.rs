//! Resetting a customer's lost second factor takes two staff members: one
//! asks, recording the identity checks they made and why; another approves,
//! and only then is two-factor turned off (with its recovery codes), every
//! session ended, and the customer emailed. The database refuses an
//! approval by the one who asked.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::actions::{audit, customer, end_all, reason, staff_entry, StaffAction};
use crate::activity::{self, Action};
use crate::failure::{invalid, ServiceError};
use crate::identity::Links;
use crate::mail::{self, templates};
use crate::Actor;
use domain::customers::IDENTITY_CHECKS;
use domain::StaffPermission;

/// A reset waiting for a second staff member.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: Uuid,
    pub requested_by: Option<Uuid>,
    pub requested_by_name: Option<String>,
    pub reason: String,
    /// The checks made, as the checklist words them.
    pub checks: Vec<&'static str>,
    pub requested_at: OffsetDateTime,
}

/// The reset waiting for customer `id`, if any.
pub async fn waiting(pool: &PgPool, id: Uuid) -> Result<Option<Waiting>, ServiceError> {
    let row = sqlx::query!(
        r#"SELECT r.id, r.requested_by, u.display_name AS "name?", r.reason, r.checks, r.requested_at
           FROM two_factor_resets r LEFT JOIN users u ON u.id = r.requested_by
           WHERE r.customer_id = $1 AND r.approved_at IS NULL AND r.cancelled_at IS NULL"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Waiting {
        id: r.id,
        requested_by: r.requested_by,
        requested_by_name: r.name,
        reason: r.reason,
        checks: r
            .checks
            .iter()
            .filter_map(|c| {
                IDENTITY_CHECKS
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, label)| *label)
            })
            .collect(),
        requested_at: r.requested_at,
    }))
}

/// At least this many checks back a request.
pub const MIN_CHECKS: usize = 2;

/// Asks for customer `id`'s two-factor to be reset, with the checks made.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn request(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    checks: &[String],
    why: &str,
) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::ResetTwoFactor)?;
    let mut made: Vec<String> = Vec::new();
    for c in checks {
        if !IDENTITY_CHECKS.iter().any(|(k, _)| k == c) {
            return Err(invalid("checks", "Tick only the checks on the list."));
        }
        if !made.contains(c) {
            made.push(c.clone());
        }
    }
    if made.len() < MIN_CHECKS {
        return Err(invalid(
            "checks",
            format!("Make at least {MIN_CHECKS} of the identity checks, and tick them."),
        ));
    }
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    customer(&mut tx, id).await?;
    let on = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL) AS "on!""#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !on {
        return Err(ServiceError::Conflict(
            "This customer has no two-factor to reset.".into(),
        ));
    }
    let inserted = sqlx::query!(
        r#"INSERT INTO two_factor_resets (customer_id, requested_by, reason, checks)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"#,
        id,
        actor.id(),
        why,
        &made
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(ServiceError::Conflict(
            "A reset is already waiting for approval.".into(),
        ));
    }
    audit(&mut tx, actor, id, StaffAction::TwoFactorResetRequested, &why).await?;
    tx.commit().await?;
    Ok(())
}

/// A second staff member approves reset `reset`: two-factor and recovery
/// codes go, sessions end, the customer is emailed.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), reset = %reset))]
pub async fn approve(pool: &PgPool, links: &Links, actor: &Actor, reset: Uuid) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::ResetTwoFactor)?;
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT customer_id, requested_by, reason FROM two_factor_resets
           WHERE id = $1 AND approved_at IS NULL AND cancelled_at IS NULL FOR UPDATE"#,
        reset
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ServiceError::NotFound("That reset is not waiting for approval."))?;
    if row.requested_by == Some(actor.id()) {
        return Err(ServiceError::Forbidden(
            "Another staff member must approve a reset you asked for.",
        ));
    }
    let id = row.customer_id;
    let (email, name) = customer(&mut tx, id).await?;
    sqlx::query!(
        "UPDATE two_factor_resets SET approved_by = $2, approved_at = now() WHERE id = $1",
        reset,
        actor.id()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM two_factor WHERE user_id = $1", id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", id)
        .execute(&mut *tx)
        .await?;
    end_all(&mut tx, id).await?;
    audit(
        &mut tx,
        actor,
        id,
        StaffAction::TwoFactorResetApproved,
        &row.reason,
    )
    .await?;
    activity::record(
        &mut tx,
        id,
        staff_entry(actor, Action::TwoFactorResetBySupport, serde_json::json!({})),
    )
    .await?;
    mail::enqueue(
        &mut tx,
        &email,
        &templates::two_factor_reset(&name, &links.to("/settings/two-factor")),
    )
    .await?;
    tx.commit().await?;
    tracing::info!("two-factor reset");
    Ok(())
}

/// Withdraws a waiting reset (either staff member, or another).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), reset = %reset))]
pub async fn cancel(pool: &PgPool, actor: &Actor, reset: Uuid, why: &str) -> Result<Uuid, ServiceError> {
    actor.require_staff(StaffPermission::ResetTwoFactor)?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"UPDATE two_factor_resets SET cancelled_at = now()
           WHERE id = $1 AND approved_at IS NULL AND cancelled_at IS NULL RETURNING customer_id"#,
        reset
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ServiceError::NotFound("That reset is not waiting for approval."))?;
    audit(&mut tx, actor, id, StaffAction::TwoFactorResetCancelled, &why).await?;
    tx.commit().await?;
    Ok(id)
}
