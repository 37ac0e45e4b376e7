//! Registration and emailed links: sign up, confirm the address, ask for a
//! new confirmation link, reset a forgotten password.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::LINK_INVALID;
use super::{
    issue_token, limited, profile::replace_password, use_token, TokenPurpose, RESET_PASSWORD_TTL,
    VERIFY_EMAIL_TTL,
};
use crate::activity::{self, Action, NewEntry};
use crate::failure::ServiceError;
use crate::mail::{self, templates};
use crate::passwords::hash_password;
use crate::rate_limit::{self, network_key};
use crate::{sessions, sign_in, Deps, Visitor};
use domain::{DisplayName, Email, Password};

/// A sign-up, validated.
#[derive(Debug)]
pub struct SignUp {
    pub name: DisplayName,
    pub email: Email,
    pub password: Password,
}

/// At most this many "someone tried to sign up with your address" notices
/// go to one address an hour.
const SIGN_UP_NOTICES: rate_limit::Limit = rate_limit::Limit::per_hour("sign_up_notice", 3);

/// Creates an unverified account and emails the verification link. For an
/// address that already has an account it answers the same and tells that
/// account's owner instead, so the form reveals nobody's address.
#[tracing::instrument(skip_all)]
pub async fn sign_up(deps: &Deps, visitor: &Visitor, input: SignUp) -> Result<(), ServiceError> {
    // Hashed either way: a taken address answers as slowly as a new one.
    let hash = hash_password(&input.password, deps.password_cost).await?;
    let mut tx = deps.pool.begin().await?;
    if let Some(ip) = &visitor.client.ip {
        let limit = deps.limits.sign_ups();
        limited(rate_limit::hit(&mut tx, &limit, &network_key(ip)).await?)?;
    }
    let existing = sqlx::query!(
        "SELECT id, email, display_name FROM users WHERE lower(email) = lower($1) FOR UPDATE",
        input.email.as_str()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(owner) = existing {
        if rate_limit::hit(&mut tx, &SIGN_UP_NOTICES, &owner.email)
            .await?
            .is_ok()
        {
            let message = templates::sign_up_attempt(
                &owner.display_name,
                &deps.links.to("/login"),
                &deps.links.to("/forgot-password"),
            );
            mail::enqueue(&mut tx, &owner.email, &message).await?;
        }
        tx.commit().await?;
        tracing::info!(user_id = %owner.id, "sign-up with a registered address: owner told");
        return Ok(());
    }
    // A sign-up racing this one for the address wins; this one then
    // answers as above (without the notice).
    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
        input.email.as_str(),
        input.name.as_str(),
        hash
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        tx.commit().await?;
        return Ok(());
    };
    let secret = issue_token(
        &mut tx,
        user_id,
        TokenPurpose::VerifyEmail,
        input.email.as_str(),
        VERIFY_EMAIL_TTL,
        visitor.now,
    )
    .await?;
    let link = deps.links.to(&format!("/verify-email?token={secret}"));
    mail::enqueue(
        &mut tx,
        input.email.as_str(),
        &templates::verify_email(input.name.as_str(), &link),
    )
    .await?;
    let me = Some(user_id);
    activity::record(
        &mut tx,
        user_id,
        NewEntry::from(me, &visitor.client, Action::AccountCreated, json!({})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%user_id, "account created");
    Ok(())
}

/// A confirmed address and the session it started (no `Debug`: it holds
/// the session token).
pub struct Verified {
    /// The new session's cookie token.
    pub session: String,
    pub email: String,
}

/// Confirms an address from the emailed link and signs the user in.
#[tracing::instrument(skip_all)]
pub async fn verify_email(deps: &Deps, visitor: &Visitor, secret: &str) -> Result<Verified, ServiceError> {
    let client = &visitor.client;
    let mut tx = deps.pool.begin().await?;
    let token = use_token(&mut tx, secret, TokenPurpose::VerifyEmail, visitor.now).await?;
    let user = sqlx::query!(
        r#"UPDATE users SET email_verified_at = now()
           WHERE id = $1 AND lower(email) = lower($2) AND email_verified_at IS NULL
           RETURNING display_name, email"#,
        token.user_id,
        token.email
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ServiceError::BadRequest(LINK_INVALID))?;
    mail::enqueue(
        &mut tx,
        &user.email,
        &templates::welcome(&user.display_name, &deps.links.to("/")),
    )
    .await?;
    sign_in::remember_device(&mut tx, token.user_id, client).await?;
    let session = sessions::start(&mut tx, token.user_id, client, visitor.now).await?;
    let me = Some(token.user_id);
    activity::record(
        &mut tx,
        token.user_id,
        NewEntry::from(me, client, Action::EmailVerified, json!({})),
    )
    .await?;
    activity::record(
        &mut tx,
        token.user_id,
        NewEntry::from(me, client, Action::SignedIn, json!({})),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %token.user_id, "email verified");
    Ok(Verified {
        session,
        email: user.email,
    })
}

/// A single-use link emailed to an account found by its address.
struct LinkRequest {
    limit: &'static rate_limit::Limit,
    purpose: TokenPurpose,
    ttl: time::Duration,
    /// The page the link opens.
    path: &'static str,
    template: fn(&str, &str) -> mail::Message,
    /// Only accounts whose address is not confirmed yet.
    unverified_only: bool,
}

/// Emails the link if the address has a matching account. Answers the same
/// either way, so it reveals nothing; limited per address.
async fn email_link_if_account(deps: &Deps, email: &Email, request: LinkRequest) -> Result<(), ServiceError> {
    let mut tx = deps.pool.begin().await?;
    limited(rate_limit::hit(&mut tx, request.limit, email.as_str()).await?)?;
    let user = sqlx::query!(
        r#"SELECT id, email, display_name FROM users
           WHERE lower(email) = lower($1) AND (NOT $2 OR email_verified_at IS NULL)"#,
        email.as_str(),
        request.unverified_only
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(user) = user {
        let secret = issue_token(
            &mut tx,
            user.id,
            request.purpose,
            &user.email,
            request.ttl,
            deps.clock.now(),
        )
        .await?;
        let link = deps.links.to(&format!("{}?token={secret}", request.path));
        mail::enqueue(
            &mut tx,
            &user.email,
            &(request.template)(&user.display_name, &link),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sends a new verification link if the address has an unverified account.
#[tracing::instrument(skip_all)]
pub async fn resend_verification(deps: &Deps, email: &Email) -> Result<(), ServiceError> {
    let request = LinkRequest {
        limit: &rate_limit::VERIFICATION_RESEND,
        purpose: TokenPurpose::VerifyEmail,
        ttl: VERIFY_EMAIL_TTL,
        path: "/verify-email",
        template: templates::verify_email,
        unverified_only: true,
    };
    email_link_if_account(deps, email, request).await
}

/// Emails a reset link if the address has an account; answers the same
/// either way.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(deps: &Deps, email: &Email) -> Result<(), ServiceError> {
    let request = LinkRequest {
        limit: &rate_limit::PASSWORD_RESET,
        purpose: TokenPurpose::ResetPassword,
        ttl: RESET_PASSWORD_TTL,
        path: "/reset-password",
        template: templates::password_reset,
        unverified_only: false,
    };
    email_link_if_account(deps, email, request).await
}

/// Sets a new password from a reset link. Every session ends; the user
/// signs in again with the new password.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    deps: &Deps,
    visitor: &Visitor,
    secret: &str,
    password: &Password,
) -> Result<(), ServiceError> {
    let mut tx = deps.pool.begin().await?;
    let token = use_token(&mut tx, secret, TokenPurpose::ResetPassword, visitor.now).await?;
    replace_password(
        &mut tx,
        deps,
        token.user_id,
        password,
        NewEntry::from(
            Some(token.user_id),
            &visitor.client,
            Action::PasswordReset,
            json!({}),
        ),
    )
    .await?;
    prove_address(&mut tx, token.user_id, &token.email).await?;
    tx.commit().await?;
    tracing::info!(user_id = %token.user_id, "password reset");
    Ok(())
}

/// Receiving a link at the address proves it.
async fn prove_address(conn: &mut PgConnection, user_id: Uuid, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1 AND lower(email) = lower($2)",
        user_id,
        email
    )
    .execute(conn)
    .await?;
    Ok(())
}
