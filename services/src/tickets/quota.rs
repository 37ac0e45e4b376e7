//! How much a customer may keep in ticket attachments: a quota per user
//! and per hosting account (`KSF_ATTACHMENT_QUOTA_*_MB`), and only once
//! their email address is confirmed. Staff are not limited.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::files::CheckedFile;
use super::ServiceError;
use crate::rate_limit::{self, Limits};
use crate::Actor;

const MB: i64 = 1_048_576;

/// Bytes of attachments on messages `user` wrote.
async fn user_bytes(conn: &mut PgConnection, user: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(sum(f.size_bytes), 0)::bigint AS "n!" FROM ticket_attachments f
           JOIN ticket_messages m ON m.id = f.message_id
           WHERE m.author_id = $1 AND NOT m.by_staff"#,
        user
    )
    .fetch_one(conn)
    .await
}

/// Bytes of attachments customers put on tickets about `account`.
async fn account_bytes(conn: &mut PgConnection, account: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(sum(f.size_bytes), 0)::bigint AS "n!" FROM ticket_attachments f
           JOIN tickets t ON t.id = f.ticket_id JOIN ticket_messages m ON m.id = f.message_id
           WHERE t.account_id = $1 AND NOT m.by_staff"#,
        account
    )
    .fetch_one(conn)
    .await
}

/// `12.3 MB`.
pub fn megabytes(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / MB as f64)
}

fn refuse(message: String) -> ServiceError {
    ServiceError::Invalid(vec![("files", message)])
}

async fn verified(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT email_verified_at IS NOT NULL AS "v!" FROM users WHERE id = $1"#,
        user
    )
    .fetch_one(conn)
    .await
}

/// Whether `actor` may add `files` (about `account`). With `lock`, inside
/// the transaction that saves them: two uploads at once are counted one
/// after the other (user first, then account: one order, no deadlock).
pub(crate) async fn check(
    conn: &mut PgConnection,
    limits: &Limits,
    actor: &Actor,
    account: Option<Uuid>,
    files: &[CheckedFile],
    lock: bool,
) -> Result<(), ServiceError> {
    if files.is_empty() || actor.is_staff() {
        return Ok(());
    }
    if !verified(&mut *conn, actor.id()).await? {
        return Err(refuse(
            "Confirm your email address before attaching files (use the link we emailed you). You can send the message without them."
                .into(),
        ));
    }
    let adding: i64 = files.iter().map(|f| f.bytes.len() as i64).sum();
    if lock {
        rate_limit::lock(&mut *conn, "attachments_user", &actor.id().to_string()).await?;
    }
    let used = user_bytes(&mut *conn, actor.id()).await?;
    if used.saturating_add(adding) > limits.attachment_bytes_per_user {
        return Err(refuse(format!(
            "These files would go over your {} for attachments ({} used). Remove some, or send the message without them.",
            megabytes(limits.attachment_bytes_per_user),
            megabytes(used)
        )));
    }
    if let Some(account) = account {
        if lock {
            rate_limit::lock(&mut *conn, "attachments_account", &account.to_string()).await?;
        }
        let used = account_bytes(&mut *conn, account).await?;
        if used.saturating_add(adding) > limits.attachment_bytes_per_account {
            return Err(refuse(format!(
                "These files would go over this hosting account's {} for attachments ({} used).",
                megabytes(limits.attachment_bytes_per_account),
                megabytes(used)
            )));
        }
    }
    Ok(())
}

/// What the new-ticket page shows: bytes used, the quota, and whether the
/// user may attach at all. `None` for staff (not limited).
pub async fn usage(
    pool: &PgPool,
    limits: &Limits,
    actor: &Actor,
) -> Result<Option<(i64, i64, bool)>, ServiceError> {
    if actor.is_staff() {
        return Ok(None);
    }
    let mut conn = pool.acquire().await?;
    let used = user_bytes(&mut conn, actor.id()).await?;
    let ok = verified(&mut conn, actor.id()).await?;
    Ok(Some((used, limits.attachment_bytes_per_user, ok)))
}
