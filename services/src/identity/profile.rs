//! A signed-in user's own account: name, email address, password, and
//! deleting it. Changes to sign-in details need a recent authentication.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::LINK_INVALID;
use super::{
    field, issue_token, limited, step_up, use_token, TokenPurpose, VERIFY_EMAIL_TTL, WRONG_PASSWORD,
};
use crate::activity::{self, Action, NewEntry};
use crate::failure::ServiceError;
use crate::mail::{self, templates};
use crate::passwords::{hash_password, verify_password};
use crate::rate_limit;
use crate::{sessions, Actor, Deps, Visitor};
use domain::{CurrentUser, DisplayName, Email, Password};

pub async fn change_name(pool: &PgPool, actor: &Actor, name: &DisplayName) -> Result<(), ServiceError> {
    sqlx::query!(
        "UPDATE users SET display_name = $2 WHERE id = $1",
        actor.id(),
        name.as_str()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Refuses unless `candidate` is the user's current password; the error
/// names the form field that asked for it.
pub(crate) async fn check_current_password(
    pool: &PgPool,
    user: &CurrentUser,
    candidate: &str,
    field_name: &'static str,
) -> Result<(), ServiceError> {
    let stored = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user.user_id)
        .fetch_one(pool)
        .await?;
    if verify_password(candidate.to_string(), stored).await? {
        Ok(())
    } else {
        Err(field(field_name, WRONG_PASSWORD))
    }
}

/// Stores a new password and does what every password change does: ends
/// all the user's sessions, tells them by email, and logs it — in `conn`'s
/// transaction.
pub(crate) async fn replace_password(
    conn: &mut PgConnection,
    deps: &Deps,
    user_id: Uuid,
    password: &Password,
    entry: NewEntry<'_>,
) -> Result<(), ServiceError> {
    let hash = hash_password(password, deps.password_cost).await?;
    let user = sqlx::query!(
        r#"UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1
           RETURNING email, display_name"#,
        user_id,
        hash
    )
    .fetch_one(&mut *conn)
    .await?;
    sessions::end_all_except(&mut *conn, user_id, None).await?;
    let notice = templates::password_changed(&user.display_name, &deps.links.to("/support"));
    mail::enqueue(&mut *conn, &user.email, &notice).await?;
    activity::record(
        &mut *conn,
        user_id,
        NewEntry {
            actor: Some(user_id),
            ..entry
        },
    )
    .await?;
    Ok(())
}

/// Changes the password of a signed-in user (step-up: a recent
/// authentication). All other sessions end and this one gets a new token,
/// which is returned.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn change_password(
    deps: &Deps,
    actor: &Actor,
    password: &Password,
) -> Result<String, ServiceError> {
    step_up::require(actor)?;
    let mut tx = deps.pool.begin().await?;
    replace_password(
        &mut tx,
        deps,
        actor.id(),
        password,
        NewEntry::by(actor, Action::PasswordChanged, json!({})),
    )
    .await?;
    // This device stays signed in, with a new token, still recently
    // authenticated.
    let token = sessions::start(&mut tx, actor.id(), &actor.client, actor.now).await?;
    tx.commit().await?;
    Ok(token)
}

/// Starts moving the account to a new address (step-up: a recent
/// authentication): the new address gets a link, the old one a notice.
/// Nothing changes until the link is used. An address that already has an
/// account is answered the same (its owner gets a notice instead), so the
/// form reveals nobody's address. Limited per user: each request is email.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn request_email_change(deps: &Deps, actor: &Actor, new_email: &Email) -> Result<(), ServiceError> {
    step_up::require(actor)?;
    let user = &actor.user;
    let mut tx = deps.pool.begin().await?;
    let limit = deps.limits.email_changes();
    limited(rate_limit::hit(&mut tx, &limit, &user.user_id.to_string()).await?)?;
    let taken_by = sqlx::query!(
        "SELECT id, display_name FROM users WHERE lower(email) = lower($1)",
        new_email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    match taken_by {
        Some(owner) if owner.id == user.user_id => {
            return Err(field("new_email", "That is already your email address."));
        }
        Some(owner) => {
            let notice = templates::email_already_registered(&owner.display_name, &deps.links.to("/login"));
            mail::enqueue(&mut tx, new_email.as_str(), &notice).await?;
        }
        None => {
            sqlx::query!(
                "UPDATE users SET pending_email = $2 WHERE id = $1",
                user.user_id,
                new_email.as_str()
            )
            .execute(&mut *tx)
            .await?;
            let secret = issue_token(
                &mut tx,
                user.user_id,
                TokenPurpose::ChangeEmail,
                new_email.as_str(),
                VERIFY_EMAIL_TTL,
                actor.now,
            )
            .await?;
            let link = deps.links.to(&format!("/confirm-email?token={secret}"));
            mail::enqueue(
                &mut tx,
                new_email.as_str(),
                &templates::confirm_new_email(&user.display_name, &link),
            )
            .await?;
        }
    }
    mail::enqueue(
        &mut tx,
        &user.email,
        &templates::email_change_notice(&user.display_name, new_email.as_str()),
    )
    .await?;
    let details = json!({ "new_email": new_email.as_str() });
    let me = Some(user.user_id);
    activity::record(
        &mut tx,
        user.user_id,
        NewEntry::from(me, &actor.client, Action::EmailChangeRequested, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the confirmed new address the account's sign-in address. Every
/// session ends except the one confirming, if it is the account's own: a
/// stolen session must not outlive a change of sign-in address.
#[tracing::instrument(skip_all)]
pub async fn confirm_email_change(
    pool: &PgPool,
    visitor: &Visitor,
    signed_in: Option<&CurrentUser>,
    secret: &str,
) -> Result<(), ServiceError> {
    let mut tx = pool.begin().await?;
    let token = use_token(&mut tx, secret, TokenPurpose::ChangeEmail, visitor.now).await?;
    let changed = sqlx::query!(
        r#"UPDATE users SET email = pending_email, pending_email = NULL, email_verified_at = now()
           WHERE id = $1 AND lower(pending_email) = lower($2)"#,
        token.user_id,
        token.email
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(ServiceError::BadRequest(LINK_INVALID));
    }
    let keep = signed_in
        .filter(|u| u.user_id == token.user_id)
        .map(|u| u.session_id);
    sessions::end_all_except(&mut tx, token.user_id, keep).await?;
    let details = json!({ "new_email": token.email });
    let me = Some(token.user_id);
    activity::record(
        &mut tx,
        token.user_id,
        NewEntry::from(me, &visitor.client, Action::EmailChanged, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the account (step-up: a recent authentication). Refused while
/// the user owns hosting accounts that are not cancelled: each must keep
/// exactly one owner. Sessions, links, two-factor and sign-in history go
/// with it (cascade); sent emails stay in the outbox log.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn delete_account(pool: &PgPool, actor: &Actor) -> Result<(), ServiceError> {
    step_up::require(actor)?;
    let mut tx = pool.begin().await?;
    let owned = sqlx::query_scalar!(
        r#"SELECT a.name FROM hosting_accounts a
           JOIN hosting_members m ON m.account_id = a.id
           WHERE m.user_id = $1 AND m.role = 'owner' AND a.status <> 'cancelled'
           ORDER BY lower(a.name) FOR UPDATE OF m"#,
        actor.id()
    )
    .fetch_all(&mut *tx)
    .await?;
    if !owned.is_empty() {
        return Err(super::owns_hosting_accounts(&owned));
    }
    sqlx::query!("DELETE FROM sign_in_attempts WHERE user_id = $1", actor.id())
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM users WHERE id = $1", actor.id())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!("account deleted");
    Ok(())
}
