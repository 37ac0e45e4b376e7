use sqlx::PgConnection;
use uuid::Uuid;

use super::Message;

#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    #[error("{0}")]
    Render(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Queues an email in the caller's transaction: it is sent if and only if
/// that transaction commits. To a suppressed address only security mail
/// goes; anything else is kept as `suppressed`, never sent.
pub async fn enqueue(conn: &mut PgConnection, to: &str, message: &Message) -> Result<Uuid, EnqueueError> {
    let status = if !message.is_security() && super::suppression::is_suppressed(&mut *conn, to).await? {
        "suppressed"
    } else {
        "pending"
    };
    let html = message.html().map_err(EnqueueError::Render)?;
    let redacted = message.redacted();
    let redacted_html = match &redacted {
        Some(copy) => Some(copy.html().map_err(EnqueueError::Render)?),
        None => None,
    };
    let id = sqlx::query_scalar!(
        r#"INSERT INTO email_outbox (kind, to_address, subject, html_body, text_body, redacted_html, redacted_text, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"#,
        message.kind,
        to,
        message.subject,
        html,
        message.text(),
        redacted_html,
        redacted.map(|copy| copy.text()),
        status,
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// An outbox row as the dev mailbox shows it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OutboxEmail {
    pub id: Uuid,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub status: String,
    /// What the provider reported: delivered, bounced, complained, delayed.
    pub delivery: Option<String>,
    pub created_at: time::OffsetDateTime,
}

/// The newest emails first, optionally only those to one address.
pub async fn recent(
    pool: &sqlx::PgPool,
    to: Option<&str>,
    limit: i64,
) -> Result<Vec<OutboxEmail>, sqlx::Error> {
    sqlx::query_as!(
        OutboxEmail,
        r#"SELECT id, kind, to_address, subject, html_body, text_body, status, delivery, created_at
           FROM email_outbox WHERE ($1::text IS NULL OR lower(to_address) = lower($1))
           ORDER BY created_at DESC, id LIMIT $2"#,
        to,
        limit
    )
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &sqlx::PgPool, id: Uuid) -> Result<Option<OutboxEmail>, sqlx::Error> {
    sqlx::query_as!(
        OutboxEmail,
        r#"SELECT id, kind, to_address, subject, html_body, text_body, status, delivery, created_at
           FROM email_outbox WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}
