//! Notifications: what a user should see even if they were away (an
//! invitation for them, an account of theirs suspended or resumed; later
//! ticket replies and failed payments). Written in the transaction of the
//! change that causes them; the bell in the header shows the unread ones
//! and updates live (each row is an event for its user).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Actor;

/// How many notifications the bell lists.
pub const SHOWN: i64 = 10;

/// What happened, for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invitation,
    AccountSuspended,
    AccountResumed,
    TicketReply,
    TicketAssigned,
    PaymentFailed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::AccountSuspended => "account_suspended",
            Kind::AccountResumed => "account_resumed",
            Kind::TicketReply => "ticket_reply",
            Kind::TicketAssigned => "ticket_assigned",
            Kind::PaymentFailed => "payment_failed",
        }
    }
}

/// Notifies one user, in the caller's transaction.
pub async fn notify(
    conn: &mut PgConnection,
    user_id: Uuid,
    kind: Kind,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO notifications (user_id, kind, title, link) VALUES ($1, $2, $3, $4)",
        user_id,
        kind.as_str(),
        title,
        link
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Notifies every member of a hosting account.
pub async fn notify_members(
    conn: &mut PgConnection,
    account_id: Uuid,
    kind: Kind,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO notifications (user_id, kind, title, link)
           SELECT user_id, $2, $3, $4 FROM hosting_members WHERE account_id = $1"#,
        account_id,
        kind.as_str(),
        title,
        link
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Notifies the members of a hosting account who see its billing
/// (owner, admin, billing).
pub async fn notify_billing_members(
    conn: &mut PgConnection,
    account_id: Uuid,
    kind: Kind,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO notifications (user_id, kind, title, link)
           SELECT user_id, $2, $3, $4 FROM hosting_members
           WHERE account_id = $1 AND role IN ('owner', 'admin', 'billing')"#,
        account_id,
        kind.as_str(),
        title,
        link
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Notifies the user with this address, if there is one (an invitation
/// to someone who already has an account).
pub async fn notify_address(
    conn: &mut PgConnection,
    email: &str,
    kind: Kind,
    title: &str,
    link: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO notifications (user_id, kind, title, link)
           SELECT id, $2, $3, $4 FROM users WHERE lower(email) = lower($1)"#,
        email,
        kind.as_str(),
        title,
        link
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: Uuid,
    pub title: String,
    pub link: String,
    pub created_at: OffsetDateTime,
    pub read: bool,
}

/// The newest notifications and how many are unread.
pub async fn recent(pool: &PgPool, actor: &Actor) -> Result<(i64, Vec<Notification>), sqlx::Error> {
    let unread = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications WHERE user_id = $1 AND read_at IS NULL"#,
        actor.id()
    )
    .fetch_one(pool)
    .await?;
    let list = sqlx::query_as!(
        Notification,
        r#"SELECT id, title, link, created_at, read_at IS NOT NULL AS "read!"
           FROM notifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2"#,
        actor.id(),
        SHOWN
    )
    .fetch_all(pool)
    .await?;
    Ok((unread, list))
}

/// Marks every notification of the user read.
pub async fn mark_all_read(pool: &PgPool, actor: &Actor) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL",
        actor.id()
    )
    .execute(pool)
    .await?
    .rows_affected())
}
