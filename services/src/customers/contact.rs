//! Staff acting on a customer's address: a new verification link, and a
//! change of address on their behalf (the new address confirms it, as when
//! the customer asks themselves; the old one is told).

use sqlx::PgPool;
use uuid::Uuid;

use super::actions::{audit, customer, reason, staff_entry, StaffAction};
use crate::activity::{self, Action};
use crate::failure::{invalid, ServiceError};
use crate::identity::{issue_token, Links, TokenPurpose, VERIFY_EMAIL_TTL};
use crate::mail::{self, templates};
use crate::Actor;
use domain::{Email, StaffPermission};

/// Emails the customer a new link to confirm their address (the old one
/// stops working). Refused when the address is confirmed already.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn resend_verification(
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
    let verified = sqlx::query_scalar!(
        "SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1",
        id
    )
    .fetch_one(&mut *tx)
    .await?
    .unwrap_or(false);
    if verified {
        return Err(ServiceError::Conflict(
            "This address is confirmed already.".into(),
        ));
    }
    let secret = issue_token(
        &mut tx,
        id,
        TokenPurpose::VerifyEmail,
        &email,
        VERIFY_EMAIL_TTL,
        actor.now,
    )
    .await?;
    let link = links.to(&format!("/verify-email?token={secret}"));
    mail::enqueue(&mut tx, &email, &templates::verify_email(&name, &link)).await?;
    audit(&mut tx, actor, id, StaffAction::ResendVerification, &why).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts moving the customer to `new_email` for them: the new address
/// gets the confirmation link, the old one a notice, and nothing changes
/// until the link is used. An address another account has is refused
/// (staff may know whose it is).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn change_email(
    pool: &PgPool,
    links: &Links,
    actor: &Actor,
    id: Uuid,
    new_email: &str,
    why: &str,
) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::Support)?;
    // Whoever controls the new address controls the account: staff prove
    // it is them first, and the old address is told.
    crate::step_up::require(actor)?;
    let new_email = Email::parse(new_email).map_err(|e| invalid("new_email", e))?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    let (email, name) = customer(&mut tx, id).await?;
    let taken = sqlx::query_scalar!(
        "SELECT id FROM users WHERE lower(email) = lower($1)",
        new_email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    match taken {
        Some(owner) if owner == id => return Err(invalid("new_email", "That is their address already.")),
        Some(_) => return Err(invalid("new_email", "Another account uses that address.")),
        None => {}
    }
    sqlx::query!(
        "UPDATE users SET pending_email = $2 WHERE id = $1",
        id,
        new_email.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let secret = issue_token(
        &mut tx,
        id,
        TokenPurpose::ChangeEmail,
        new_email.as_str(),
        VERIFY_EMAIL_TTL,
        actor.now,
    )
    .await?;
    let link = links.to(&format!("/confirm-email?token={secret}"));
    mail::enqueue(
        &mut tx,
        new_email.as_str(),
        &templates::confirm_new_email(&name, &link),
    )
    .await?;
    mail::enqueue(
        &mut tx,
        &email,
        &templates::email_change_notice(&name, new_email.as_str()),
    )
    .await?;
    audit(&mut tx, actor, id, StaffAction::ChangeEmail, &why).await?;
    let details = serde_json::json!({ "new_email": new_email.as_str(), "by_support": true });
    activity::record(
        &mut tx,
        id,
        staff_entry(actor, Action::EmailChangeRequested, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
