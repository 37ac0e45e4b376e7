//! Signed-in sessions: a random token in an HttpOnly cookie, stored hashed,
//! with idle and absolute expiry.

use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use serde_json::json;

use crate::activity::{self, Action, NewEntry};
use crate::tokens::{hash_token, new_token};
use crate::{Actor, ClientInfo};
use domain::{CurrentUser, Role, StaffPermission, StaffRole, ViewedBy};

pub const COOKIE_NAME: &str = "ksf_session";
/// A session unused this long ends.
pub const IDLE_TIMEOUT: Duration = Duration::days(7);
/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(30);
/// `last_seen_at` is written at most this often per session.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// Starts a session and returns the cookie token.
pub async fn start(
    conn: &mut PgConnection,
    user_id: Uuid,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<String, sqlx::Error> {
    let token = new_token();
    sqlx::query!(
        r#"INSERT INTO sessions (token_hash, user_id, ip, user_agent, idle_expires_at, absolute_expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        token.hash,
        user_id,
        client.ip,
        client.user_agent.as_deref().map(|ua| truncate(ua, 512)),
        now + IDLE_TIMEOUT,
        now + ABSOLUTE_TIMEOUT,
    )
    .execute(conn)
    .await?;
    Ok(token.secret)
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The user behind a cookie token, if the session is live at `now`: one
/// lookup by the token's unique hash. Extends the idle expiry (at most once
/// a minute, to spare the database).
pub async fn resolve(
    pool: &PgPool,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    let hash = hash_token(token);
    // A staff session viewing as a customer also reads the customer (the
    // view ends by itself at `view_as_until`).
    let row = sqlx::query!(
        r#"SELECT s.id, s.last_seen_at, s.authenticated_at, s.idle_expires_at, s.absolute_expires_at,
                  u.id AS user_id, u.email, u.display_name, u.role AS "role: Role",
                  u.staff_role AS "staff_role: StaffRole",
                  EXISTS(SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "two_factor!",
                  v.id AS "view_id?", v.email AS "view_email?", v.display_name AS "view_name?",
                  s.view_as_until,
                  EXISTS(SELECT 1 FROM two_factor t WHERE t.user_id = v.id AND t.enabled_at IS NOT NULL) AS "view_two_factor!"
           FROM sessions s JOIN users u ON u.id = s.user_id
           LEFT JOIN users v ON v.id = s.view_as_user_id AND s.view_as_until > $2 AND v.role = 'customer'
           WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.locked_at IS NULL
             AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2"#,
        hash,
        now
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if now - row.last_seen_at > TOUCH_INTERVAL {
        let idle_ends = (now + IDLE_TIMEOUT).min(row.absolute_expires_at);
        sqlx::query!(
            r#"UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE id = $1"#,
            row.id,
            now,
            idle_ends,
        )
        .execute(pool)
        .await?;
    }
    let staff_role = row.staff_role.filter(|_| row.role == Role::Staff);
    let may_view = staff_role.is_some_and(|r| r.can(StaffPermission::ViewAs));
    if let (true, Some(id), Some(email), Some(name), Some(until)) = (
        may_view,
        row.view_id,
        row.view_email,
        row.view_name,
        row.view_as_until,
    ) {
        return Ok(Some(CurrentUser {
            user_id: id,
            session_id: row.id,
            email,
            display_name: name,
            role: Role::Customer,
            // Never recent: nothing sensitive is offered while viewing.
            authenticated_at: 0,
            two_factor: row.view_two_factor,
            staff_role: None,
            viewed_by: Some(ViewedBy {
                staff_id: row.user_id,
                staff_name: row.display_name,
                until: until.unix_timestamp(),
            }),
        }));
    }
    Ok(Some(CurrentUser {
        user_id: row.user_id,
        session_id: row.id,
        email: row.email,
        display_name: row.display_name,
        role: row.role,
        authenticated_at: row.authenticated_at.unix_timestamp(),
        two_factor: row.two_factor,
        staff_role,
        viewed_by: None,
    }))
}

/// Who a session acts as while it is live (its role, staff role and the
/// customer it views as), `None` once it ended: open streams check it, and
/// any change ends them.
pub async fn live_identity(
    pool: &PgPool,
    session_id: Uuid,
    now: OffsetDateTime,
) -> Result<Option<(Role, Option<StaffRole>, Option<Uuid>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT u.role AS "role: Role", u.staff_role AS "staff_role: StaffRole",
                  CASE WHEN s.view_as_until > $2 THEN s.view_as_user_id END AS viewing
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.id = $1 AND s.revoked_at IS NULL AND u.locked_at IS NULL
             AND s.idle_expires_at > $2 AND s.absolute_expires_at > $2"#,
        session_id,
        now
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.role, r.staff_role, r.viewing)))
}

/// What [`live_identity`] answers for `user` while nothing changed.
pub fn identity_of(user: &CurrentUser) -> (Role, Option<StaffRole>, Option<Uuid>) {
    match &user.viewed_by {
        Some(_) => (Role::Staff, None, Some(user.user_id)),
        None => (user.role, user.staff_role, None),
    }
}

/// Ends the session behind a cookie token (sign out), logged for its user.
pub async fn sign_out(
    pool: &PgPool,
    token: &str,
    user: Option<&CurrentUser>,
    client: &ClientInfo,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL",
        hash_token(token)
    )
    .execute(&mut *tx)
    .await?;
    if let Some(user) = user {
        // Staff ending a view as a customer sign themselves out, not her.
        let whose = user.viewed_by.as_ref().map_or(user.user_id, |v| v.staff_id);
        let me = Some(whose);
        activity::record(
            &mut tx,
            whose,
            NewEntry::from(me, client, Action::SignedOut, json!({})),
        )
        .await?;
    }
    tx.commit().await
}

/// Records that the user just proved who they are in this session
/// (step-up): sensitive actions are open for a while.
pub async fn mark_authenticated(
    conn: &mut PgConnection,
    session_id: Uuid,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE sessions SET authenticated_at = $2 WHERE id = $1",
        session_id,
        now
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every session of a user except `keep` (the one making the change).
pub async fn end_all_except(
    conn: &mut PgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE sessions SET revoked_at = now()
           WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)"#,
        user_id,
        keep
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A browser in words: "Firefox on Linux (computer)".
pub fn describe_user_agent(user_agent: Option<&str>) -> String {
    let parsed = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua));
    match parsed {
        Some(r) if r.name != "UNKNOWN" => {
            let device = match r.category {
                "pc" => "computer",
                "smartphone" | "mobilephone" => "phone",
                "crawler" => "bot",
                "appliance" => "device",
                _ => "unknown device",
            };
            let os = if r.os == "UNKNOWN" {
                "an unknown system"
            } else {
                r.os
            };
            format!("{} on {os} ({device})", r.name)
        }
        _ => "An unknown browser".to_string(),
    }
}

/// One live session, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: Uuid,
    pub device: String,
    pub ip: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}

/// The user's live sessions, most recently used first.
pub async fn list_for_user(pool: &PgPool, user_id: Uuid) -> Result<Vec<SessionSummary>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, ip, user_agent, created_at, last_seen_at FROM sessions
           WHERE user_id = $1 AND revoked_at IS NULL
             AND idle_expires_at > now() AND absolute_expires_at > now()
           ORDER BY last_seen_at DESC"#,
        user_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionSummary {
            id: r.id,
            device: describe_user_agent(r.user_agent.as_deref()),
            ip: r.ip,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
        })
        .collect())
}

/// Ends one of the user's own sessions. False when the user has no such
/// live session (someone else's id changes nothing and looks the same).
pub async fn revoke_own(pool: &PgPool, actor: &Actor, session_id: Uuid) -> Result<bool, sqlx::Error> {
    let (user, client) = (&actor.user, &actor.client);
    let mut tx = pool.begin().await?;
    let done = sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        session_id,
        user.user_id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 1 {
        let me = Some(user.user_id);
        let details = json!({ "session_id": session_id });
        activity::record(
            &mut tx,
            user.user_id,
            NewEntry::from(me, client, Action::SessionRevoked, details),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done == 1)
}

/// "Sign out everywhere else": ends all the user's sessions but this one.
pub async fn revoke_others(pool: &PgPool, actor: &Actor) -> Result<u64, sqlx::Error> {
    let (user, client) = (&actor.user, &actor.client);
    let mut tx = pool.begin().await?;
    let ended = end_all_except(&mut tx, user.user_id, Some(user.session_id)).await?;
    let me = Some(user.user_id);
    let details = json!({ "sessions": ended });
    activity::record(
        &mut tx,
        user.user_id,
        NewEntry::from(me, client, Action::OtherSessionsRevoked, details),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// The `Set-Cookie` value that stores a session token.
pub fn cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        ABSOLUTE_TIMEOUT.whole_seconds(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A cookie's value in a `Cookie` header, if set and not empty.
pub fn cookie_from_header<'a>(header: &'a str, wanted: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == wanted && !value.is_empty())
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_lax_and_secure_on_https() {
        let c = cookie("abc", true);
        assert!(c.starts_with("ksf_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000"));
        assert!(c.ends_with("; Secure"));
        assert!(!cookie("abc", false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn browsers_are_described_in_plain_words() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_user_agent(Some(firefox)), "Firefox on Linux (computer)");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_user_agent(Some(iphone)), "Safari on iPhone (phone)");
        assert_eq!(describe_user_agent(None), "An unknown browser");
        assert_eq!(describe_user_agent(Some("")), "An unknown browser");
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        assert_eq!(
            cookie_from_header("a=1; ksf_session=tok; b=2", COOKIE_NAME),
            Some("tok")
        );
        assert_eq!(cookie_from_header("ksf_session=", COOKIE_NAME), None);
        assert_eq!(cookie_from_header("other=1", COOKIE_NAME), None);
    }
}
