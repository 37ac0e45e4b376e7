//! Signing in: the password, then (when two-factor is on) a code in a
//! short-lived pending state that is not a session. Failed passwords and
//! failed codes count alike towards pausing the account.

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::services::accounts::{AccountError, Links};
use crate::services::activity::{self, Action};
use crate::services::mail::{self, templates};
use crate::services::passwords::verify_password;
use crate::services::rate_limit;
use crate::services::secret_box::SecretKey;
use crate::services::sessions::{self, ClientInfo};
use crate::services::tokens::{hash_token, new_token};
use crate::services::two_factor;

/// How long the code step of a sign-in may take.
pub const PENDING_TTL: Duration = Duration::minutes(5);
/// The cookie that carries the pending state between the two steps.
pub const PENDING_COOKIE: &str = "ksf_pending";

/// A hash to verify against when the account does not exist, so a wrong
/// email takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2hP3l0yCqn1wlDn4x8mXcCjHk8BFf0IE7I9gYk0bKpA";

/// What a correct password leads to.
#[derive(Debug)]
pub enum SignedIn {
    /// Signed in: the session cookie token.
    Session(String),
    /// Two-factor is on: the pending-state cookie token; a code comes next.
    NeedsCode(String),
}

/// The account a failure is counted against.
pub(crate) struct Account<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
}

/// Records a failed password or code: the attempt (which the pause counts),
/// the user's activity, and — when this failure pauses the account — a
/// notice to its owner, once (later attempts are refused before this).
pub(crate) async fn record_failure(
    conn: &mut PgConnection,
    links: &Links,
    account: Option<Account<'_>>,
    email_typed: &str,
    reason: &str,
    client: &ClientInfo,
) -> Result<(), AccountError> {
    sqlx::query!(
        "INSERT INTO sign_in_attempts (email, user_id, succeeded, ip, user_agent) VALUES ($1, $2, false, $3, $4)",
        email_typed,
        account.as_ref().map(|a| a.id),
        client.ip,
        client.user_agent
    )
    .execute(&mut *conn)
    .await?;
    if let Some(account) = account {
        let details = json!({ "reason": reason });
        activity::record(
            &mut *conn,
            account.id,
            None,
            Action::SignInFailed,
            client,
            details,
        )
        .await?;
        if rate_limit::sign_in_allowed(&mut *conn, email_typed)
            .await?
            .is_err()
        {
            let message = templates::sign_in_paused(account.name, &links.to("/forgot-password"));
            mail::enqueue(&mut *conn, account.email, &message).await?;
        }
    }
    Ok(())
}

/// Refuses while the account is paused after failures.
pub(crate) async fn ensure_not_paused(conn: &mut PgConnection, email: &str) -> Result<(), AccountError> {
    rate_limit::sign_in_allowed(conn, email)
        .await?
        .map_err(AccountError::RateLimited)
}

fn device_hash(client: &ClientInfo) -> Vec<u8> {
    Sha256::digest(client.user_agent.as_deref().unwrap_or("").as_bytes()).to_vec()
}

/// Records the browser; true when the user had signed in before but never from it.
pub(crate) async fn remember_device(
    conn: &mut PgConnection,
    user_id: Uuid,
    client: &ClientInfo,
) -> Result<bool, sqlx::Error> {
    let had_any = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM known_devices WHERE user_id = $1) AS "e!""#,
        user_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let inserted = sqlx::query!(
        "INSERT INTO known_devices (user_id, device_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        user_id,
        device_hash(client)
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(had_any && inserted == 1)
}

/// Everything a completed sign-in does: note the browser (emailing the
/// owner about a new one), start the session, log it. Returns the token.
async fn finish(
    conn: &mut PgConnection,
    user_id: Uuid,
    client: &ClientInfo,
    details: serde_json::Value,
) -> Result<String, AccountError> {
    if remember_device(&mut *conn, user_id, client).await? {
        let user = sqlx::query!("SELECT email, display_name FROM users WHERE id = $1", user_id)
            .fetch_one(&mut *conn)
            .await?;
        let when = OffsetDateTime::now_utc();
        let when = format!("{} {:02}:{:02} UTC", when.date(), when.hour(), when.minute());
        let message = templates::new_sign_in(
            &user.display_name,
            &sessions::describe_user_agent(client.user_agent.as_deref()),
            client.ip.as_deref().unwrap_or("an unknown address"),
            &when,
        );
        mail::enqueue(&mut *conn, &user.email, &message).await?;
    }
    let token = sessions::start(&mut *conn, user_id, client).await?;
    activity::record(
        &mut *conn,
        user_id,
        Some(user_id),
        Action::SignedIn,
        client,
        details,
    )
    .await?;
    Ok(token)
}

/// Checks the password. Without two-factor this starts a session; with it,
/// a pending state that only the code step accepts.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    pool: &PgPool,
    links: &Links,
    email: &str,
    password: &str,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<SignedIn, AccountError> {
    let email_input = email.trim();
    if email_input.is_empty() || password.is_empty() {
        let mut errors = Vec::new();
        if email_input.is_empty() {
            errors.push(("email", "Enter your email address.".to_string()));
        }
        if password.is_empty() {
            errors.push(("password", "Enter your password.".to_string()));
        }
        return Err(AccountError::Invalid(errors));
    }
    let mut conn = pool.acquire().await?;
    ensure_not_paused(&mut conn, email_input).await?;
    let user = sqlx::query!(
        r#"SELECT u.id, u.email, u.display_name, u.password_hash,
                  u.email_verified_at IS NOT NULL AS "verified!",
                  EXISTS(SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "two_factor!"
           FROM users u WHERE lower(u.email) = lower($1)"#,
        email_input
    )
    .fetch_optional(&mut *conn)
    .await?;
    drop(conn);
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let matches = verify_password(password.to_string(), stored).await? && user.is_some();

    let mut tx = pool.begin().await?;
    let Some(user) = user else {
        record_failure(&mut tx, links, None, email_input, "password", client).await?;
        tx.commit().await?;
        tracing::info!("sign-in refused: wrong email or password");
        return Err(AccountError::InvalidCredentials);
    };
    if !matches {
        let account = Account {
            id: user.id,
            email: &user.email,
            name: &user.display_name,
        };
        record_failure(&mut tx, links, Some(account), email_input, "password", client).await?;
        tx.commit().await?;
        tracing::info!("sign-in refused: wrong email or password");
        return Err(AccountError::InvalidCredentials);
    }
    sqlx::query!(
        "INSERT INTO sign_in_attempts (email, user_id, succeeded, ip, user_agent) VALUES ($1, $2, true, $3, $4)",
        email_input,
        user.id,
        client.ip,
        client.user_agent
    )
    .execute(&mut *tx)
    .await?;
    if !user.verified {
        tx.commit().await?;
        return Err(AccountError::EmailNotVerified);
    }
    if user.two_factor {
        // Abandoned code steps of this user are of no further use.
        sqlx::query!(
            "DELETE FROM pending_sign_ins WHERE user_id = $1 AND expires_at <= $2",
            user.id,
            now
        )
        .execute(&mut *tx)
        .await?;
        let pending = new_token();
        sqlx::query!(
            "INSERT INTO pending_sign_ins (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            pending.hash,
            user.id,
            now + PENDING_TTL
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, "password accepted; waiting for the code");
        return Ok(SignedIn::NeedsCode(pending.secret));
    }
    let token = finish(&mut tx, user.id, client, json!({})).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(SignedIn::Session(token))
}

/// The code step: a code from the authenticator app or a recovery code,
/// within `PENDING_TTL` of the password. Returns the session token.
#[tracing::instrument(skip_all)]
pub async fn complete_with_code(
    pool: &PgPool,
    key: &SecretKey,
    links: &Links,
    pending_secret: &str,
    code: &str,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<String, AccountError> {
    let mut tx = pool.begin().await?;
    let pending = sqlx::query!(
        r#"SELECT p.id, p.user_id, p.expires_at, u.email, u.display_name
           FROM pending_sign_ins p JOIN users u ON u.id = p.user_id
           WHERE p.token_hash = $1 FOR UPDATE OF p"#,
        hash_token(pending_secret)
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AccountError::SignInExpired)?;
    if pending.expires_at <= now {
        sqlx::query!("DELETE FROM pending_sign_ins WHERE id = $1", pending.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(AccountError::SignInExpired);
    }
    ensure_not_paused(&mut tx, &pending.email).await?;
    let Some(factor) = two_factor::SecondFactor::parse(code) else {
        return Err(two_factor::code_field_error("code", two_factor::ENTER_CODE));
    };
    let used = two_factor::accept(&mut tx, key, pending.user_id, &factor, client, now).await?;
    if !used {
        let account = Account {
            id: pending.user_id,
            email: &pending.email,
            name: &pending.display_name,
        };
        record_failure(&mut tx, links, Some(account), &pending.email, "code", client).await?;
        tx.commit().await?;
        return Err(two_factor::code_field_error("code", two_factor::WRONG_CODE));
    }
    sqlx::query!("DELETE FROM pending_sign_ins WHERE id = $1", pending.id)
        .execute(&mut *tx)
        .await?;
    let details = json!({ "second_factor": factor.kind() });
    let token = finish(&mut tx, pending.user_id, client, details).await?;
    tx.commit().await?;
    tracing::info!(user_id = %pending.user_id, "signed in with two-factor");
    Ok(token)
}

/// The `Set-Cookie` value that carries the pending state.
pub fn pending_cookie(token: &str, secure: bool) -> String {
    format!(
        "{PENDING_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Lax; Max-Age={}{}",
        PENDING_TTL.whole_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_pending_cookie(secure: bool) -> String {
    format!(
        "{PENDING_COOKIE}=; Path=/login; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dummy_hash_is_a_valid_hash_that_matches_nothing_typed() {
        assert!(!verify_password("anything".into(), DUMMY_HASH.into())
            .await
            .unwrap());
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
