//! Account flows: sign up, verify, sign in, password reset and change,
//! profile changes. Each runs in one transaction; the emails it causes are
//! queued in that same transaction.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::{email::EmailError, user::PasswordError, DisplayName, Email, Password};
use crate::services::activity::{self, Action};
use crate::services::mail::{self, templates};
use crate::services::passwords::{hash_password, verify_password};
use crate::services::rate_limit::{self, RetryAfter};
use crate::services::sessions::{self, ClientInfo, CurrentUser};
use crate::services::sign_in;
use crate::services::step_up;
use crate::services::tokens::{hash_token, new_token};

pub const VERIFY_EMAIL_TTL: Duration = Duration::hours(24);
pub const RESET_PASSWORD_TTL: Duration = Duration::hours(1);

/// What went wrong, in words for the user. `Invalid` names the form field.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<(&'static str, String)>),
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("Confirm your email address first: use the link we emailed you, or ask for a new one below.")]
    EmailNotVerified,
    #[error("An account with this email address already exists.")]
    EmailTaken,
    #[error("This link is invalid or has already been used.")]
    TokenInvalid,
    #[error("This link has expired. Ask for a new one.")]
    TokenExpired,
    #[error("Your current password is incorrect.")]
    WrongPassword,
    #[error("Your sign-in took too long or was already used. Enter your email and password again.")]
    SignInExpired,
    #[error("For your security, confirm it's you first.")]
    StepUpRequired,
    #[error("Two-factor authentication is not turned on.")]
    TwoFactorOff,
    #[error("Too many attempts. Try again in {} minute(s).", .0.0.div_ceil(60))]
    RateLimited(RetryAfter),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(String),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.constraint() == Some("users_email_lower_key") => {
                AccountError::EmailTaken
            }
            _ => AccountError::Internal(e.to_string()),
        }
    }
}

impl From<crate::services::passwords::PasswordHashError> for AccountError {
    fn from(e: crate::services::passwords::PasswordHashError) -> Self {
        AccountError::Internal(e.to_string())
    }
}

impl From<mail::outbox::EnqueueError> for AccountError {
    fn from(e: mail::outbox::EnqueueError) -> Self {
        AccountError::Internal(e.to_string())
    }
}

fn limited(r: Result<(), RetryAfter>) -> Result<(), AccountError> {
    r.map_err(AccountError::RateLimited)
}

/// Absolute links in emails start with the public site URL.
#[derive(Debug, Clone)]
pub struct Links {
    pub site_url: String,
}

impl Links {
    pub(crate) fn to(&self, path: &str) -> String {
        format!("{}{path}", self.site_url)
    }
}

// --- input --------------------------------------------------------------

pub struct SignUp {
    pub name: String,
    pub email: String,
    pub password: String,
}

struct ValidSignUp {
    name: DisplayName,
    email: Email,
    password: Password,
}

fn validate_sign_up(input: &SignUp) -> Result<ValidSignUp, AccountError> {
    let name = DisplayName::parse(&input.name);
    let email = Email::parse(&input.email);
    let password = Password::parse(&input.password);
    match (name, email, password) {
        (Ok(name), Ok(email), Ok(password)) => Ok(ValidSignUp {
            name,
            email,
            password,
        }),
        (name, email, password) => {
            let mut errors = Vec::new();
            if let Err(e) = name {
                errors.push(("name", e.to_string()));
            }
            if let Err(e) = email {
                errors.push(("email", e.to_string()));
            }
            if let Err(e) = password {
                errors.push(("password", e.to_string()));
            }
            Err(AccountError::Invalid(errors))
        }
    }
}

fn field(name: &'static str, e: impl ToString) -> AccountError {
    AccountError::Invalid(vec![(name, e.to_string())])
}

fn parse_email(input: &str) -> Result<Email, AccountError> {
    Email::parse(input).map_err(|e: EmailError| field("email", e))
}

fn parse_new_password(name: &'static str, input: &str) -> Result<Password, AccountError> {
    Password::parse(input).map_err(|e: PasswordError| field(name, e))
}

// --- tokens ---------------------------------------------------------------

async fn issue_token(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: &str,
    email: &str,
    ttl: Duration,
) -> Result<String, sqlx::Error> {
    // A new link replaces any unused one for the same purpose.
    sqlx::query!(
        "UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose
    )
    .execute(&mut *conn)
    .await?;
    let token = new_token();
    sqlx::query!(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)",
        token.hash,
        user_id,
        purpose,
        email,
        OffsetDateTime::now_utc() + ttl
    )
    .execute(&mut *conn)
    .await?;
    Ok(token.secret)
}

struct UsedToken {
    user_id: Uuid,
    email: String,
}

/// Marks a link's token used (in the caller's transaction) and returns it.
async fn use_token(conn: &mut PgConnection, secret: &str, purpose: &str) -> Result<UsedToken, AccountError> {
    let row = sqlx::query!(
        r#"SELECT id, user_id, email, used_at, expires_at FROM email_tokens
           WHERE token_hash = $1 AND purpose = $2 FOR UPDATE"#,
        hash_token(secret.trim()),
        purpose
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(AccountError::TokenInvalid);
    };
    if row.used_at.is_some() {
        return Err(AccountError::TokenInvalid);
    }
    if row.expires_at <= OffsetDateTime::now_utc() {
        return Err(AccountError::TokenExpired);
    }
    sqlx::query!("UPDATE email_tokens SET used_at = now() WHERE id = $1", row.id)
        .execute(&mut *conn)
        .await?;
    Ok(UsedToken {
        user_id: row.user_id,
        email: row.email,
    })
}

// --- flows ------------------------------------------------------------------

/// Creates an unverified account and emails the verification link.
#[tracing::instrument(skip_all)]
pub async fn sign_up(
    pool: &PgPool,
    links: &Links,
    input: SignUp,
    client: &ClientInfo,
) -> Result<Uuid, AccountError> {
    let valid = validate_sign_up(&input)?;
    let hash = hash_password(&valid.password).await?;
    let mut tx = pool.begin().await?;
    if let Some(ip) = &client.ip {
        limited(rate_limit::hit(&mut tx, &rate_limit::SIGN_UP, ip).await?)?;
    }
    let user_id = sqlx::query_scalar!(
        "INSERT INTO users (email, display_name, password_hash) VALUES ($1, $2, $3) RETURNING id",
        valid.email.as_str(),
        valid.name.as_str(),
        hash
    )
    .fetch_one(&mut *tx)
    .await?;
    let secret = issue_token(
        &mut tx,
        user_id,
        "verify_email",
        valid.email.as_str(),
        VERIFY_EMAIL_TTL,
    )
    .await?;
    let link = links.to(&format!("/verify-email?token={secret}"));
    mail::enqueue(
        &mut tx,
        valid.email.as_str(),
        &templates::verify_email(valid.name.as_str(), &link),
    )
    .await?;
    activity::record(
        &mut tx,
        user_id,
        Some(user_id),
        Action::AccountCreated,
        client,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%user_id, "account created");
    Ok(user_id)
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
pub async fn verify_email(
    pool: &PgPool,
    links: &Links,
    secret: &str,
    client: &ClientInfo,
) -> Result<Verified, AccountError> {
    let mut tx = pool.begin().await?;
    let token = use_token(&mut tx, secret, "verify_email").await?;
    let user = sqlx::query!(
        r#"UPDATE users SET email_verified_at = now()
           WHERE id = $1 AND lower(email) = lower($2) AND email_verified_at IS NULL
           RETURNING display_name, email"#,
        token.user_id,
        token.email
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AccountError::TokenInvalid)?;
    mail::enqueue(
        &mut tx,
        &user.email,
        &templates::welcome(&user.display_name, &links.to("/")),
    )
    .await?;
    sign_in::remember_device(&mut tx, token.user_id, client).await?;
    let session = sessions::start(&mut tx, token.user_id, client).await?;
    let me = Some(token.user_id);
    activity::record(
        &mut tx,
        token.user_id,
        me,
        Action::EmailVerified,
        client,
        json!({}),
    )
    .await?;
    activity::record(&mut tx, token.user_id, me, Action::SignedIn, client, json!({})).await?;
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
    purpose: &'static str,
    ttl: Duration,
    /// The page the link opens.
    path: &'static str,
    template: fn(&str, &str) -> mail::Message,
    /// Only accounts whose address is not confirmed yet.
    unverified_only: bool,
}

/// Emails the link if the address has a matching account. Answers the same
/// either way, so it reveals nothing; limited per address.
async fn email_link_if_account(
    pool: &PgPool,
    links: &Links,
    email: &str,
    request: LinkRequest,
) -> Result<(), AccountError> {
    let email = parse_email(email)?;
    let mut tx = pool.begin().await?;
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
        let secret = issue_token(&mut tx, user.id, request.purpose, &user.email, request.ttl).await?;
        let link = links.to(&format!("{}?token={secret}", request.path));
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
pub async fn resend_verification(pool: &PgPool, links: &Links, email: &str) -> Result<(), AccountError> {
    let request = LinkRequest {
        limit: &rate_limit::VERIFICATION_RESEND,
        purpose: "verify_email",
        ttl: VERIFY_EMAIL_TTL,
        path: "/verify-email",
        template: templates::verify_email,
        unverified_only: true,
    };
    email_link_if_account(pool, links, email, request).await
}

/// Emails a reset link if the address has an account; answers the same
/// either way.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(pool: &PgPool, links: &Links, email: &str) -> Result<(), AccountError> {
    let request = LinkRequest {
        limit: &rate_limit::PASSWORD_RESET,
        purpose: "reset_password",
        ttl: RESET_PASSWORD_TTL,
        path: "/reset-password",
        template: templates::password_reset,
        unverified_only: false,
    };
    email_link_if_account(pool, links, email, request).await
}

/// Refuses unless `candidate` is the user's current password; the error
/// names the form field that asked for it.
pub(crate) async fn check_current_password(
    pool: &PgPool,
    user: &CurrentUser,
    candidate: &str,
    field_name: &'static str,
) -> Result<(), AccountError> {
    let stored = sqlx::query_scalar!("SELECT password_hash FROM users WHERE id = $1", user.user_id)
        .fetch_one(pool)
        .await?;
    if verify_password(candidate.to_string(), stored).await? {
        Ok(())
    } else {
        Err(AccountError::Invalid(vec![(
            field_name,
            AccountError::WrongPassword.to_string(),
        )]))
    }
}

/// Stores a new password and does what every password change does: ends
/// all the user's sessions, tells them by email, and logs it — in `conn`'s
/// transaction.
async fn replace_password(
    conn: &mut PgConnection,
    links: &Links,
    user_id: Uuid,
    password: &Password,
    action: Action,
    client: &ClientInfo,
) -> Result<(), AccountError> {
    let hash = hash_password(password).await?;
    let user = sqlx::query!(
        r#"UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1
           RETURNING email, display_name"#,
        user_id,
        hash
    )
    .fetch_one(&mut *conn)
    .await?;
    sessions::end_all_except(&mut *conn, user_id, None).await?;
    let notice = templates::password_changed(&user.display_name, &links.to("/support"));
    mail::enqueue(&mut *conn, &user.email, &notice).await?;
    activity::record(&mut *conn, user_id, Some(user_id), action, client, json!({})).await?;
    Ok(())
}

/// Sets a new password from a reset link. Every session ends; the user
/// signs in again with the new password.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    pool: &PgPool,
    links: &Links,
    secret: &str,
    new_password: &str,
    client: &ClientInfo,
) -> Result<(), AccountError> {
    let password = parse_new_password("password", new_password)?;
    let mut tx = pool.begin().await?;
    let token = use_token(&mut tx, secret, "reset_password").await?;
    replace_password(
        &mut tx,
        links,
        token.user_id,
        &password,
        Action::PasswordReset,
        client,
    )
    .await?;
    // Receiving the link proves the address.
    sqlx::query!(
        "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()) WHERE id = $1 AND lower(email) = lower($2)",
        token.user_id,
        token.email
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(user_id = %token.user_id, "password reset");
    Ok(())
}

/// Changes the password of a signed-in user (step-up: a recent
/// authentication). All other sessions end and this one gets a new token,
/// which is returned.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id))]
pub async fn change_password(
    pool: &PgPool,
    links: &Links,
    user: &CurrentUser,
    new_password: &str,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<String, AccountError> {
    step_up::require(user, now)?;
    let password = parse_new_password("new_password", new_password)?;
    let mut tx = pool.begin().await?;
    replace_password(
        &mut tx,
        links,
        user.user_id,
        &password,
        Action::PasswordChanged,
        client,
    )
    .await?;
    // This device stays signed in, with a new token, still recently
    // authenticated.
    let token = sessions::start(&mut tx, user.user_id, client).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn change_name(pool: &PgPool, user: &CurrentUser, name: &str) -> Result<(), AccountError> {
    let name = DisplayName::parse(name).map_err(|e| field("name", e))?;
    sqlx::query!(
        "UPDATE users SET display_name = $2 WHERE id = $1",
        user.user_id,
        name.as_str()
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Starts moving the account to a new address (step-up: a recent
/// authentication): the new address gets a link, the old one a notice.
/// Nothing changes until the link is used.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id))]
pub async fn request_email_change(
    pool: &PgPool,
    links: &Links,
    user: &CurrentUser,
    new_email: &str,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<(), AccountError> {
    step_up::require(user, now)?;
    let new_email = Email::parse(new_email).map_err(|e| field("new_email", e))?;
    let mut tx = pool.begin().await?;
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM users WHERE lower(email) = lower($1)) AS "e!""#,
        new_email.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    if taken {
        return Err(AccountError::Invalid(vec![(
            "new_email",
            AccountError::EmailTaken.to_string(),
        )]));
    }
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
        "change_email",
        new_email.as_str(),
        VERIFY_EMAIL_TTL,
    )
    .await?;
    let link = links.to(&format!("/confirm-email?token={secret}"));
    mail::enqueue(
        &mut tx,
        new_email.as_str(),
        &templates::confirm_new_email(&user.display_name, &link),
    )
    .await?;
    mail::enqueue(
        &mut tx,
        &user.email,
        &templates::email_change_notice(&user.display_name, new_email.as_str()),
    )
    .await?;
    let details = json!({ "new_email": new_email.as_str() });
    activity::record(
        &mut tx,
        user.user_id,
        Some(user.user_id),
        Action::EmailChangeRequested,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes the confirmed new address the account's sign-in address.
#[tracing::instrument(skip_all)]
pub async fn confirm_email_change(
    pool: &PgPool,
    secret: &str,
    client: &ClientInfo,
) -> Result<(), AccountError> {
    let mut tx = pool.begin().await?;
    let token = use_token(&mut tx, secret, "change_email").await?;
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
        return Err(AccountError::TokenInvalid);
    }
    let details = json!({ "new_email": token.email });
    activity::record(
        &mut tx,
        token.user_id,
        Some(token.user_id),
        Action::EmailChanged,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the account (step-up: a recent authentication). Sessions,
/// links, two-factor and sign-in history go with it (cascade); sent emails
/// stay in the outbox log.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id))]
pub async fn delete_account(
    pool: &PgPool,
    user: &CurrentUser,
    now: OffsetDateTime,
) -> Result<(), AccountError> {
    step_up::require(user, now)?;
    let mut tx = pool.begin().await?;
    sqlx::query!("DELETE FROM sign_in_attempts WHERE user_id = $1", user.user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM users WHERE id = $1", user.user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!("account deleted");
    Ok(())
}
