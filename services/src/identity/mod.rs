//! Customer accounts: registration and email confirmation, passwords,
//! profile changes, signing in (with two-factor), step-up and sessions.
//! Each flow runs in one transaction; the emails it causes are queued in
//! that same transaction.

mod codes;
mod lockout;
pub mod profile;
pub mod registration;
pub mod sessions;
pub mod sign_in;
pub mod step_up;
pub mod two_factor;

use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::failure::ServiceError;
use crate::rate_limit::RetryAfter;
use crate::tokens::{hash_token, new_token};

pub use profile::{change_name, change_password, confirm_email_change, delete_account, request_email_change};
pub use registration::{request_password_reset, resend_verification, reset_password, sign_up, verify_email};

pub const VERIFY_EMAIL_TTL: Duration = Duration::hours(24);
pub const RESET_PASSWORD_TTL: Duration = Duration::hours(1);
pub const WRONG_PASSWORD: &str = "Your current password is incorrect.";

// What identity's failures tell the user. Each is a `ServiceError` whose
// kind decides the answer; the edge matches these words where a failure
// leads somewhere else (an unverified email offers a new link).
pub const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";
/// After the right password: a locked user is told why they cannot sign in.
pub const ACCOUNT_LOCKED: &str =
    "This account is locked. Contact support (reply to our email, or write to the support address) to have it unlocked.";
pub const EMAIL_NOT_VERIFIED: &str =
    "Confirm your email address first: use the link we emailed you, or ask for a new one below.";
pub const LINK_INVALID: &str = "This link is invalid or has already been used.";
pub const LINK_EXPIRED: &str = "This link has expired. Ask for a new one.";
pub const SIGN_IN_EXPIRED: &str =
    "Your sign-in took too long or was already used. Enter your email and password again.";
pub const TWO_FACTOR_OFF: &str = "Two-factor authentication is not turned on.";

pub(crate) fn owns_hosting_accounts(names: &[String]) -> ServiceError {
    ServiceError::Conflict(format!(
        "You own these hosting accounts: {}. Transfer ownership or cancel them first.",
        names.join(", ")
    ))
}

pub(crate) fn too_many_attempts(wait: RetryAfter) -> ServiceError {
    crate::failure::over("Too many attempts.")(wait)
}

pub(crate) fn limited(r: Result<(), RetryAfter>) -> Result<(), ServiceError> {
    r.map_err(too_many_attempts)
}

pub(crate) use crate::failure::invalid as field;

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

/// What an emailed single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    VerifyEmail,
    ResetPassword,
    ChangeEmail,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
            TokenPurpose::ChangeEmail => "change_email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::VerifyEmail, Self::ResetPassword, Self::ChangeEmail]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

domain::stored_as_text!(TokenPurpose);

/// Makes a link token for `purpose`, replacing any unused one of the user's.
pub(crate) async fn issue_token(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: TokenPurpose,
    email: &str,
    ttl: Duration,
    now: OffsetDateTime,
) -> Result<String, sqlx::Error> {
    sqlx::query!(
        "UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
        user_id,
        purpose as TokenPurpose
    )
    .execute(&mut *conn)
    .await?;
    let token = new_token();
    sqlx::query!(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)",
        token.hash,
        user_id,
        purpose as TokenPurpose,
        email,
        now + ttl
    )
    .execute(&mut *conn)
    .await?;
    Ok(token.secret)
}

pub(crate) struct UsedToken {
    pub user_id: Uuid,
    pub email: String,
}

/// Marks a link's token used (in the caller's transaction) and returns it.
pub(crate) async fn use_token(
    conn: &mut PgConnection,
    secret: &str,
    purpose: TokenPurpose,
    now: OffsetDateTime,
) -> Result<UsedToken, ServiceError> {
    let row = sqlx::query!(
        r#"SELECT id, user_id, email, used_at, expires_at FROM email_tokens
           WHERE token_hash = $1 AND purpose = $2 FOR UPDATE"#,
        hash_token(secret.trim()),
        purpose as TokenPurpose
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(ServiceError::BadRequest(LINK_INVALID));
    };
    if row.used_at.is_some() {
        return Err(ServiceError::BadRequest(LINK_INVALID));
    }
    if row.expires_at <= now {
        return Err(ServiceError::BadRequest(LINK_EXPIRED));
    }
    sqlx::query!("UPDATE email_tokens SET used_at = now() WHERE id = $1", row.id)
        .execute(&mut *conn)
        .await?;
    Ok(UsedToken {
        user_id: row.user_id,
        email: row.email,
    })
}
