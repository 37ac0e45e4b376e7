//! Signing in: the password, then (when two-factor is on) a code in a
//! short-lived pending state that is not a session. Failed passwords and
//! failed codes count alike towards pausing the account.
//!
//! The pause (five failures in fifteen minutes) applies to browsers that
//! have never signed in to the account. A browser that has carries a
//! device cookie and keeps its own count, so nobody can lock an owner out
//! by guessing from elsewhere (OWASP's "device cookies"). Attempts on one
//! account are serialised, so concurrent guesses cannot slip past the
//! count.

use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use time::Duration;
use uuid::Uuid;

use super::lockout::{ensure_not_paused, lock_account, record_failure, Account, Failure};
use super::{ACCOUNT_LOCKED, EMAIL_NOT_VERIFIED, SIGN_IN_EXPIRED, WRONG_CREDENTIALS};
use crate::activity::{self, Action, NewEntry};
use crate::failure::ServiceError;
use crate::mail::{self, templates};
use crate::passwords::verify_password;
use crate::rate_limit::Attempts;
use crate::tokens::{hash_token, new_token};
use crate::{sessions, two_factor, ClientInfo, Deps, Visitor};

/// How long the code step of a sign-in may take.
pub const PENDING_TTL: Duration = Duration::minutes(5);
/// The cookie that carries the pending state between the two steps.
pub const PENDING_COOKIE: &str = "ksf_pending";
/// The cookie that marks a browser that has signed in to an account.
pub const DEVICE_COOKIE: &str = "ksf_device";
const DEVICE_TTL: Duration = Duration::days(180);

/// A hash to verify against when the account does not exist, so a wrong
/// email takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2hP3l0yCqn1wlDn4x8mXcCjHk8BFf0IE7I9gYk0bKpA";

/// What the sign-in form sends.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The browser's device cookie, if it has one.
    pub device: Option<&'a str>,
}

/// A started session (no `Debug`: it holds tokens).
pub struct Session {
    /// The session cookie's token.
    pub token: String,
    /// A device cookie to set: the first sign-in to this account from
    /// this browser.
    pub device: Option<String>,
}

/// What a correct password leads to.
pub enum SignedIn {
    Session(Session),
    /// Two-factor is on: the pending-state cookie token; a code comes next.
    NeedsCode(String),
}

/// The trusted device behind a browser's cookie, if it belongs to `user_id`.
async fn trusted_device(
    conn: &mut PgConnection,
    user_id: Uuid,
    cookie: Option<&str>,
) -> Result<Option<Uuid>, sqlx::Error> {
    let Some(cookie) = cookie else { return Ok(None) };
    sqlx::query_scalar!(
        "SELECT id FROM trusted_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > now()",
        hash_token(cookie),
        user_id
    )
    .fetch_optional(conn)
    .await
}

/// Which count an attempt from this browser goes to.
fn attempts_from(device: Option<Uuid>) -> Attempts {
    device.map_or(Attempts::UnknownDevices, Attempts::Device)
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
/// owner about a new one), trust it for the pause, start the session, log
/// it.
async fn finish(
    conn: &mut PgConnection,
    user_id: Uuid,
    device: Option<Uuid>,
    visitor: &Visitor,
    details: serde_json::Value,
) -> Result<Session, ServiceError> {
    let client = &visitor.client;
    if remember_device(&mut *conn, user_id, client).await? {
        let user = sqlx::query!("SELECT email, display_name FROM users WHERE id = $1", user_id)
            .fetch_one(&mut *conn)
            .await?;
        let when = visitor.now;
        let when = format!("{} {:02}:{:02} UTC", when.date(), when.hour(), when.minute());
        let message = templates::new_sign_in(
            &user.display_name,
            &sessions::describe_user_agent(client.user_agent.as_deref()),
            client.ip.as_deref().unwrap_or("an unknown address"),
            &when,
        );
        mail::enqueue(&mut *conn, &user.email, &message).await?;
    }
    let device = match device {
        Some(id) => {
            sqlx::query!(
                "UPDATE trusted_devices SET last_used_at = now() WHERE id = $1",
                id
            )
            .execute(&mut *conn)
            .await?;
            None
        }
        None => {
            let token = new_token();
            sqlx::query!(
                "INSERT INTO trusted_devices (user_id, token_hash, expires_at) VALUES ($1, $2, $3)",
                user_id,
                token.hash,
                visitor.now + DEVICE_TTL
            )
            .execute(&mut *conn)
            .await?;
            Some(token.secret)
        }
    };
    let token = sessions::start(&mut *conn, user_id, client, visitor.now).await?;
    activity::record(
        &mut *conn,
        user_id,
        NewEntry::from(Some(user_id), client, Action::SignedIn, details),
    )
    .await?;
    Ok(Session { token, device })
}

/// Both fields are needed; each one missing is said next to it.
fn require_both(email: &str, password: &str) -> Result<(), ServiceError> {
    let mut missing = crate::failure::Invalid::default();
    if email.is_empty() {
        missing.push("email", "Enter your email address.");
    }
    if password.is_empty() {
        missing.push("password", "Enter your password.");
    }
    missing.into_result().map_err(ServiceError::from)
}

/// The pending state a code step accepts; answers its cookie token.
async fn start_code_step(
    conn: &mut PgConnection,
    user_id: Uuid,
    now: time::OffsetDateTime,
) -> Result<String, sqlx::Error> {
    // Abandoned code steps of this user are of no further use.
    sqlx::query!(
        "DELETE FROM pending_sign_ins WHERE user_id = $1 AND expires_at <= $2",
        user_id,
        now
    )
    .execute(&mut *conn)
    .await?;
    let pending = new_token();
    sqlx::query!(
        "INSERT INTO pending_sign_ins (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        pending.hash,
        user_id,
        now + PENDING_TTL
    )
    .execute(&mut *conn)
    .await?;
    Ok(pending.secret)
}

/// Checks the password. Without two-factor this starts a session; with it,
/// a pending state that only the code step accepts.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    deps: &Deps,
    visitor: &Visitor,
    credentials: Credentials<'_>,
) -> Result<SignedIn, ServiceError> {
    let email_input = credentials.email.trim();
    require_both(email_input, credentials.password)?;
    let client = &visitor.client;
    let mut tx = deps.pool.begin().await?;
    lock_account(&mut tx, email_input).await?;
    let user = sqlx::query!(
        r#"SELECT u.id, u.email, u.display_name, u.password_hash,
                  u.email_verified_at IS NOT NULL AS "verified!", u.locked_at IS NOT NULL AS "locked!",
                  EXISTS(SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "two_factor!"
           FROM users u WHERE lower(u.email) = lower($1)"#,
        email_input
    )
    .fetch_optional(&mut *tx)
    .await?;
    let device = match &user {
        Some(u) => trusted_device(&mut tx, u.id, credentials.device).await?,
        None => None,
    };
    let from = attempts_from(device);
    ensure_not_paused(&mut tx, email_input, from).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let matches = verify_password(credentials.password.to_string(), stored).await? && user.is_some();
    let user = match user {
        Some(user) if matches => user,
        user => {
            let account = user.as_ref().map(|u| Account {
                id: u.id,
                email: &u.email,
                name: &u.display_name,
            });
            record_failure(
                &mut tx,
                &deps.links,
                Failure {
                    account,
                    email_typed: email_input,
                    reason: "password",
                    from,
                },
                client,
            )
            .await?;
            tx.commit().await?;
            tracing::info!("sign-in refused: wrong email or password");
            return Err(ServiceError::Unauthorized(WRONG_CREDENTIALS));
        }
    };
    sqlx::query!(
        "INSERT INTO sign_in_attempts (email, user_id, succeeded, ip, user_agent, device_id) VALUES ($1, $2, true, $3, $4, $5)",
        email_input,
        user.id,
        client.ip,
        client.user_agent,
        device
    )
    .execute(&mut *tx)
    .await?;
    if user.locked {
        tx.commit().await?;
        tracing::info!(user_id = %user.id, "sign-in refused: the user is locked");
        return Err(ServiceError::Forbidden(ACCOUNT_LOCKED));
    }
    if !user.verified {
        tx.commit().await?;
        return Err(ServiceError::Forbidden(EMAIL_NOT_VERIFIED));
    }
    if user.two_factor {
        let pending = start_code_step(&mut tx, user.id, visitor.now).await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, "password accepted; waiting for the code");
        return Ok(SignedIn::NeedsCode(pending));
    }
    let session = finish(&mut tx, user.id, device, visitor, json!({})).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "signed in");
    Ok(SignedIn::Session(session))
}

/// The code step's input: the pending cookie, what was typed, and the
/// browser's device cookie.
pub struct CodeStep<'a> {
    pub pending: &'a str,
    pub code: &'a str,
    pub device: Option<&'a str>,
}

/// The code step: a code from the authenticator app or a recovery code,
/// within `PENDING_TTL` of the password.
#[tracing::instrument(skip_all)]
pub async fn complete_with_code(
    deps: &Deps,
    visitor: &Visitor,
    step: CodeStep<'_>,
) -> Result<Session, ServiceError> {
    let mut tx = deps.pool.begin().await?;
    let pending = sqlx::query!(
        r#"SELECT p.id, p.user_id, p.expires_at, u.email, u.display_name
           FROM pending_sign_ins p JOIN users u ON u.id = p.user_id
           WHERE p.token_hash = $1"#,
        hash_token(step.pending)
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ServiceError::BadRequest(SIGN_IN_EXPIRED))?;
    lock_account(&mut tx, &pending.email).await?;
    if pending.expires_at <= visitor.now {
        sqlx::query!("DELETE FROM pending_sign_ins WHERE id = $1", pending.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(ServiceError::BadRequest(SIGN_IN_EXPIRED));
    }
    let device = trusted_device(&mut tx, pending.user_id, step.device).await?;
    let from = attempts_from(device);
    ensure_not_paused(&mut tx, &pending.email, from).await?;
    let Some(factor) = two_factor::SecondFactor::parse(step.code) else {
        return Err(crate::failure::invalid("code", two_factor::ENTER_CODE));
    };
    let used = two_factor::accept(&mut tx, &deps.secret_key, pending.user_id, &factor, visitor).await?;
    if !used {
        let account = Account {
            id: pending.user_id,
            email: &pending.email,
            name: &pending.display_name,
        };
        let client = &visitor.client;
        record_failure(
            &mut tx,
            &deps.links,
            Failure {
                account: Some(account),
                email_typed: &pending.email,
                reason: "code",
                from,
            },
            client,
        )
        .await?;
        tx.commit().await?;
        return Err(crate::failure::invalid("code", two_factor::WRONG_CODE));
    }
    let deleted = sqlx::query!("DELETE FROM pending_sign_ins WHERE id = $1", pending.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if deleted == 0 {
        // The same pending state finished in a concurrent request.
        return Err(ServiceError::BadRequest(SIGN_IN_EXPIRED));
    }
    let details = json!({ "second_factor": factor.kind() });
    let session = finish(&mut tx, pending.user_id, device, visitor, details).await?;
    tx.commit().await?;
    tracing::info!(user_id = %pending.user_id, "signed in with two-factor");
    Ok(session)
}

fn cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that carries the pending state.
pub fn pending_cookie(token: &str, secure: bool) -> String {
    cookie(
        PENDING_COOKIE,
        token,
        "/login",
        PENDING_TTL.whole_seconds(),
        secure,
    )
}

pub fn clear_pending_cookie(secure: bool) -> String {
    cookie(PENDING_COOKIE, "", "/login", 0, secure)
}

/// The `Set-Cookie` value that marks this browser as one the account
/// signed in from (sent back only to the sign-in pages).
pub fn device_cookie(token: &str, secure: bool) -> String {
    cookie(DEVICE_COOKIE, token, "/login", DEVICE_TTL.whole_seconds(), secure)
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

    #[test]
    fn the_device_cookie_goes_only_to_the_sign_in_pages() {
        let c = device_cookie("abc", true);
        assert!(c.starts_with("ksf_device=abc; Path=/login; HttpOnly; SameSite=Lax"));
        assert!(c.ends_with("; Secure"));
    }
}
