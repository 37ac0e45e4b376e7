//! Customer accounts: registration and email confirmation, passwords,
//! profile changes, signing in (with two-factor), step-up and sessions.
//! Each flow runs in one transaction; the emails it causes are queued in
//! that same transaction.

pub mod profile;
pub mod registration;
pub mod sessions;
pub mod sign_in;
pub mod step_up;
pub mod two_factor;

use http::StatusCode;
use sqlx::PgConnection;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::failure::{Failure, FieldError};
use crate::rate_limit::RetryAfter;
use crate::tokens::{hash_token, new_token};

pub use profile::{change_name, change_password, confirm_email_change, delete_account, request_email_change};
pub use registration::{request_password_reset, resend_verification, reset_password, sign_up, verify_email};

pub const VERIFY_EMAIL_TTL: Duration = Duration::hours(24);
pub const RESET_PASSWORD_TTL: Duration = Duration::hours(1);
pub const WRONG_PASSWORD: &str = "Your current password is incorrect.";

/// What went wrong, in words for the user. `Invalid` names the form field.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<FieldError>),
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("Confirm your email address first: use the link we emailed you, or ask for a new one below.")]
    EmailNotVerified,
    #[error("This link is invalid or has already been used.")]
    TokenInvalid,
    #[error("This link has expired. Ask for a new one.")]
    TokenExpired,
    #[error("Your sign-in took too long or was already used. Enter your email and password again.")]
    SignInExpired,
    #[error("For your security, confirm it's you first.")]
    StepUpRequired,
    #[error("Two-factor authentication is not turned on.")]
    TwoFactorOff,
    #[error("You own these hosting accounts: {}. Transfer ownership or cancel them first.", .0.join(", "))]
    OwnsHostingAccounts(Vec<String>),
    #[error("Too many attempts. Try again in {} minute(s).", .0.0.div_ceil(60))]
    RateLimited(RetryAfter),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] anyhow::Error),
}

impl Failure for AccountError {
    fn status(&self) -> StatusCode {
        match self {
            AccountError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AccountError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AccountError::EmailNotVerified | AccountError::StepUpRequired => StatusCode::FORBIDDEN,
            AccountError::TokenInvalid | AccountError::TokenExpired | AccountError::SignInExpired => {
                StatusCode::BAD_REQUEST
            }
            AccountError::TwoFactorOff | AccountError::OwnsHostingAccounts(_) => StatusCode::CONFLICT,
            AccountError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AccountError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AccountError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            AccountError::RateLimited(wait) => Some(wait.0),
            _ => None,
        }
    }

    fn needs_step_up(&self) -> bool {
        matches!(self, AccountError::StepUpRequired)
    }
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Internal(e.into())
    }
}

impl From<crate::passwords::PasswordHashError> for AccountError {
    fn from(e: crate::passwords::PasswordHashError) -> Self {
        AccountError::Internal(e.into())
    }
}

impl From<crate::mail::outbox::EnqueueError> for AccountError {
    fn from(e: crate::mail::outbox::EnqueueError) -> Self {
        AccountError::Internal(e.into())
    }
}

impl From<crate::secret_box::OpenError> for AccountError {
    fn from(e: crate::secret_box::OpenError) -> Self {
        AccountError::Internal(e.into())
    }
}

pub(crate) fn limited(r: Result<(), RetryAfter>) -> Result<(), AccountError> {
    r.map_err(AccountError::RateLimited)
}

pub(crate) fn field(name: &'static str, e: impl ToString) -> AccountError {
    AccountError::Invalid(vec![(name, e.to_string())])
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
) -> Result<UsedToken, AccountError> {
    let row = sqlx::query!(
        r#"SELECT id, user_id, email, used_at, expires_at FROM email_tokens
           WHERE token_hash = $1 AND purpose = $2 FOR UPDATE"#,
        hash_token(secret.trim()),
        purpose as TokenPurpose
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Err(AccountError::TokenInvalid);
    };
    if row.used_at.is_some() {
        return Err(AccountError::TokenInvalid);
    }
    if row.expires_at <= now {
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
