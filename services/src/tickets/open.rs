//! Opening a ticket: subject, category, priority, optionally one of the
//! user's hosting accounts, a Markdown body and up to five files. The
//! files are written first and removed again if anything after fails, so
//! a failed upload leaves neither a ticket nor a file behind.

use uuid::Uuid;

use super::files::{CheckedFile, Storage};
use super::{announce, mail, markdown, over, ServiceError, OPENED_MANY};
use crate::{rate_limit, Actor, Deps};
use domain::tickets::{Body, Category, Priority, Subject};
use domain::{AccountId, MemberRole, Permission, TicketNumber};

/// A ticket as the form gives it, validated.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: Subject,
    pub category: Category,
    pub priority: Priority,
    pub account: Option<AccountId>,
    pub body: Body,
    pub files: Vec<CheckedFile>,
}

/// Refuses at once a user who may open no more tickets this hour (before
/// their upload is read).
pub async fn may_open(deps: &Deps, actor: &Actor) -> Result<(), ServiceError> {
    let mut conn = deps.pool.acquire().await?;
    rate_limit::peek(&mut conn, &deps.limits.tickets(), &actor.id().to_string())
        .await?
        .map_err(over(OPENED_MANY))
}

/// Opens the ticket; returns its number.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn open(deps: &Deps, actor: &Actor, input: NewTicket) -> Result<TicketNumber, ServiceError> {
    if let Some(account) = input.account {
        let role = sqlx::query_scalar!(
            r#"SELECT role AS "role: MemberRole" FROM hosting_members WHERE account_id = $1 AND user_id = $2"#,
            account.uuid(),
            actor.id()
        )
        .fetch_optional(&deps.pool)
        .await?;
        if !role.is_some_and(|r| r.can(Permission::Support)) {
            return Err(super::ServiceError::Invalid(vec![(
                "account",
                "Choose one of your hosting accounts (your role in it must allow support).".into(),
            )]));
        }
    }
    // Refused before anything is written (checked again, locked, below).
    let account = input.account.map(|a| a.uuid());
    super::quota::check(
        &mut *deps.pool.acquire().await?,
        &deps.limits,
        actor,
        account,
        &input.files,
        false,
    )
    .await?;
    let keys = put_files(&deps.support.storage, &input.files).await?;
    let result = open_in_database(deps, actor, &input, &keys).await;
    if result.is_err() {
        remove_files(&deps.support.storage, &keys).await;
    }
    result
}

async fn open_in_database(
    deps: &Deps,
    actor: &Actor,
    input: &NewTicket,
    keys: &[String],
) -> Result<TicketNumber, ServiceError> {
    let mut tx = deps.pool.begin().await?;
    rate_limit::hit(&mut tx, &deps.limits.tickets(), &actor.id().to_string())
        .await?
        .map_err(over(OPENED_MANY))?;
    let account = input.account.map(|a| a.uuid());
    super::quota::check(&mut tx, &deps.limits, actor, account, &input.files, true).await?;
    let now = actor.now;
    let ticket = sqlx::query!(
        r#"INSERT INTO tickets (author_id, account_id, subject, category, priority, created_at, updated_at, waiting_since)
           VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id, number AS "number: TicketNumber""#,
        actor.id(),
        input.account.map(|a| a.uuid()),
        input.subject.as_str(),
        input.category.as_str(),
        input.priority.as_str(),
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let message = insert_message(&mut tx, ticket.id, actor, input.body.as_str(), false).await?;
    record_files(&mut tx, ticket.id, message, &input.files, keys, now).await?;
    announce(&mut tx, ticket.id, false).await?;
    let t = mail::TicketMail::load(&mut tx, ticket.id).await?;
    mail::opened(&mut tx, deps, &t, input.body.as_str()).await?;
    tx.commit().await?;
    tracing::info!(number = ticket.number.get(), files = keys.len(), "ticket opened");
    Ok(ticket.number)
}

/// One message of a thread, its Markdown rendered once here.
pub(super) async fn insert_message(
    conn: &mut sqlx::PgConnection,
    ticket_id: Uuid,
    actor: &Actor,
    body: &str,
    internal: bool,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        r#"INSERT INTO ticket_messages (ticket_id, author_id, by_staff, internal, body, body_html, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
        ticket_id,
        actor.id(),
        actor.is_staff(),
        internal,
        body,
        markdown::render(body),
        actor.now
    )
    .fetch_one(conn)
    .await
}

/// A random storage key (files are named by it, never by the user).
fn new_key() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the files; on a failure removes those already written.
pub(super) async fn put_files(storage: &Storage, files: &[CheckedFile]) -> Result<Vec<String>, ServiceError> {
    let mut keys = Vec::with_capacity(files.len());
    for file in files {
        let key = new_key();
        if let Err(error) = storage.store().put(&key, &file.bytes).await {
            remove_files(storage, &keys).await;
            return Err(error.into());
        }
        keys.push(key);
    }
    Ok(keys)
}

/// Removes written files whose ticket or reply was not saved.
pub(super) async fn remove_files(storage: &Storage, keys: &[String]) {
    for key in keys {
        if let Err(error) = storage.store().delete(key).await {
            tracing::warn!(%error, key, "could not remove an unsaved attachment");
        }
    }
}

pub(super) async fn record_files(
    conn: &mut sqlx::PgConnection,
    ticket_id: Uuid,
    message_id: Uuid,
    files: &[CheckedFile],
    keys: &[String],
    now: time::OffsetDateTime,
) -> Result<(), sqlx::Error> {
    for (file, key) in files.iter().zip(keys) {
        sqlx::query!(
            r#"INSERT INTO ticket_attachments (ticket_id, message_id, file_name, content_type, size_bytes, storage_key, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
            ticket_id,
            message_id,
            file.name,
            file.content_type,
            file.bytes.len() as i64,
            key,
            now
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
