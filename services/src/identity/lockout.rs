//! Failed passwords and codes, and the pause they lead to (see `sign_in`
//! for who it applies to). Shared by signing in and step-up.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::Links;
use crate::activity::{self, Action, NewEntry};
use crate::failure::ServiceError;
use crate::mail::{self, templates};
use crate::rate_limit::{self, Attempts};
use crate::ClientInfo;

/// The account a failure is counted against.
pub(crate) struct Account<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
}

/// A failed password or code: against which account (if the email is
/// one), the address as typed, which secret was wrong, and from where.
pub(crate) struct Failure<'a> {
    pub account: Option<Account<'a>>,
    pub email_typed: &'a str,
    pub reason: &'static str,
    pub from: Attempts,
}

/// Serialises sign-in attempts (and step-up checks) on one account until
/// the caller's transaction ends.
pub(crate) async fn lock_account(conn: &mut PgConnection, email: &str) -> Result<(), sqlx::Error> {
    rate_limit::lock(conn, "sign_in", email).await
}

/// Records a failed password or code: the attempt (which the pause counts),
/// the user's activity, and — when this failure pauses the account for
/// unknown browsers — a notice to its owner, once (later attempts are
/// refused before this).
pub(crate) async fn record_failure(
    conn: &mut PgConnection,
    links: &Links,
    failure: Failure<'_>,
    client: &ClientInfo,
) -> Result<(), ServiceError> {
    let Failure {
        account,
        email_typed,
        reason,
        from,
    } = failure;
    let device = match from {
        Attempts::Device(id) => Some(id),
        Attempts::UnknownDevices => None,
    };
    sqlx::query!(
        "INSERT INTO sign_in_attempts (email, user_id, succeeded, ip, user_agent, device_id) VALUES ($1, $2, false, $3, $4, $5)",
        email_typed,
        account.as_ref().map(|a| a.id),
        client.ip,
        client.user_agent,
        device
    )
    .execute(&mut *conn)
    .await?;
    if let Some(account) = account {
        let details = json!({ "reason": reason });
        activity::record(
            &mut *conn,
            account.id,
            NewEntry::without_actor(client, Action::SignInFailed, details),
        )
        .await?;
        let paused = rate_limit::sign_in_allowed(&mut *conn, email_typed, from)
            .await?
            .is_err();
        if paused && from == Attempts::UnknownDevices {
            let message = templates::sign_in_paused(account.name, &links.to("/forgot-password"));
            mail::enqueue(&mut *conn, account.email, &message).await?;
        }
    }
    Ok(())
}

/// Refuses while the account is paused for attempts like this one.
pub(crate) async fn ensure_not_paused(
    conn: &mut PgConnection,
    email: &str,
    from: Attempts,
) -> Result<(), ServiceError> {
    rate_limit::sign_in_allowed(conn, email, from)
        .await?
        .map_err(super::too_many_attempts)
}
