//! A customer's own data, to take away (GDPR articles 15 and 20): a ZIP of
//! JSON files — profile, the hosting accounts they own, those accounts'
//! domains and records and invoices, their tickets and messages with the
//! files they attached, and their activity. Asked for on
//! `/settings/export` (or by staff for them), built here in the
//! background, and emailed as a link that works for 24 hours for the
//! signed-in customer. Staff notes and internal ticket notes are not
//! theirs to receive and stay out.

use std::io::Write;

use serde_json::{json, Value};
use sqlx::{PgConnection, PgPool};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::activity::{self, Action, NewEntry};
use crate::customers::actions::{audit, reason, StaffAction};
use crate::failure::ServiceError;
use crate::mail::{self, templates};
use crate::tokens::{hash_token, new_token};
use crate::{Actor, Deps};
use domain::StaffPermission;

/// How long the emailed link works.
pub const LINK_LIFETIME: Duration = Duration::hours(24);
/// One export per customer in this long.
pub const REQUEST_INTERVAL: Duration = Duration::hours(1);
/// Larger archives fail with a message to contact support.
pub const MAX_ARCHIVE_BYTES: usize = 256 * 1024 * 1024;

/// The state of a customer's latest export, for their settings page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub status: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub size_bytes: Option<i64>,
}

pub async fn latest(pool: &PgPool, actor: &Actor) -> Result<Option<Latest>, ServiceError> {
    Ok(sqlx::query_as!(
        Latest,
        r#"SELECT CASE WHEN status = 'ready' AND expires_at <= $2 THEN 'expired' ELSE status END AS "status!",
                  created_at, expires_at, size_bytes
           FROM data_exports WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1"#,
        actor.id(),
        actor.now
    )
    .fetch_optional(pool)
    .await?)
}

async fn queue(
    conn: &mut PgConnection,
    user: Uuid,
    by: Uuid,
    now: OffsetDateTime,
) -> Result<(), ServiceError> {
    // One at a time per customer: concurrent asks wait on this lock.
    sqlx::query!("SELECT id FROM users WHERE id = $1 FOR UPDATE", user)
        .fetch_one(&mut *conn)
        .await?;
    let recent = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM data_exports WHERE user_id = $1 AND status IN ('pending', 'ready')
                         AND created_at > $2) AS "recent!""#,
        user,
        now - REQUEST_INTERVAL
    )
    .fetch_one(&mut *conn)
    .await?;
    if recent {
        return Err(ServiceError::Conflict(
            "An export was asked for less than an hour ago: its link comes by email.".into(),
        ));
    }
    sqlx::query!(
        "INSERT INTO data_exports (user_id, requested_by, created_at) VALUES ($1, $2, $3)",
        user,
        by,
        now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The customer asks for their data.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn request(pool: &PgPool, actor: &Actor) -> Result<(), ServiceError> {
    actor.require_writable()?;
    let mut tx = pool.begin().await?;
    queue(&mut tx, actor.id(), actor.id(), actor.now).await?;
    activity::record(
        &mut tx,
        actor.id(),
        NewEntry::by(actor, Action::DataExportRequested, json!({})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Staff prepare it for customer `id` (the link goes to the customer).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn request_for(pool: &PgPool, actor: &Actor, id: Uuid, why: &str) -> Result<(), ServiceError> {
    actor.require_staff(StaffPermission::Support)?;
    let why = reason(why)?;
    let mut tx = pool.begin().await?;
    let customer = sqlx::query_scalar!("SELECT id FROM users WHERE id = $1 AND role = 'customer'", id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(crate::customers::not_found)?;
    queue(&mut tx, customer, actor.id(), actor.now).await?;
    audit(&mut tx, actor, customer, StaffAction::DataExport, &why).await?;
    tx.commit().await?;
    Ok(())
}

/// Builds the oldest waiting export, if any, and emails its link. Answers
/// whether there was one. Several workers may run: each takes its own.
#[tracing::instrument(skip_all)]
pub async fn build_next(deps: &Deps) -> anyhow::Result<bool> {
    let mut tx = deps.pool.begin().await?;
    let Some(job) = sqlx::query!(
        r#"SELECT e.id, e.user_id, u.email, u.display_name FROM data_exports e JOIN users u ON u.id = e.user_id
           WHERE e.status = 'pending' ORDER BY e.created_at LIMIT 1 FOR UPDATE OF e SKIP LOCKED"#
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(false);
    };
    let now = deps.clock.now();
    // One customer's export that cannot be built (too large, a file
    // missing from storage) fails on its own: it must not hold up the
    // queue behind it. The customer may ask again.
    let too_large = match build(&mut tx, &deps.support.storage, job.user_id).await {
        Ok(bytes) if bytes.len() <= MAX_ARCHIVE_BYTES => Ok(bytes),
        Ok(bytes) => {
            tracing::warn!(size = bytes.len(), "export too large");
            Err(true)
        }
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), export = %job.id, "an export could not be built");
            Err(false)
        }
    };
    let archive = match too_large {
        Ok(bytes) => bytes,
        Err(too_large) => {
            // The building transaction may be broken: fail it in a new one.
            tx.rollback().await?;
            let mut tx = deps.pool.begin().await?;
            sqlx::query!(
                "UPDATE data_exports SET status = 'failed' WHERE id = $1 AND status = 'pending'",
                job.id
            )
            .execute(&mut *tx)
            .await?;
            let support = deps.links.to("/support/new");
            let message = templates::data_export_failed(&job.display_name, &support, too_large);
            mail::enqueue(&mut tx, &job.email, &message).await?;
            tx.commit().await?;
            return Ok(true);
        }
    };
    let token = new_token();
    let expires = now + LINK_LIFETIME;
    sqlx::query!(
        r#"UPDATE data_exports SET status = 'ready', archive = $2, size_bytes = $3, token_hash = $4,
                  ready_at = $5, expires_at = $6 WHERE id = $1"#,
        job.id,
        archive,
        archive.len() as i64,
        token.hash,
        now,
        expires
    )
    .execute(&mut *tx)
    .await?;
    let link = deps
        .links
        .to(&format!("/settings/export/download?token={}", token.secret));
    mail::enqueue(
        &mut tx,
        &job.email,
        &templates::data_export_ready(&job.display_name, &link),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(size = archive.len(), "export ready");
    Ok(true)
}

/// Drops archives whose link expired (the row stays, as "expired").
pub async fn expire(pool: &PgPool, now: OffsetDateTime) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "UPDATE data_exports SET status = 'expired', archive = NULL WHERE status = 'ready' AND expires_at <= $1",
        now
    )
    .execute(pool)
    .await?
    .rows_affected())
}

/// Builds and hands out exports until `stop`, and drops expired ones.
pub async fn run(deps: Deps, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match build_next(&deps).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => tracing::error!(error = format!("{error:#}"), "an export could not be built"),
        }
        if let Err(error) = expire(&deps.pool, deps.clock.now()).await {
            tracing::error!(%error, "expired exports were not dropped");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The archive behind an emailed link, for the customer it was made for,
/// while the link works.
pub async fn download(pool: &PgPool, actor: &Actor, secret: &str) -> Result<Vec<u8>, ServiceError> {
    // Staff viewing as the customer do not take their data away.
    actor.require_writable()?;
    let gone = ServiceError::NotFound("This download link is invalid or has expired. Ask for a new export.");
    let archive = sqlx::query_scalar!(
        r#"SELECT archive AS "archive!" FROM data_exports
           WHERE token_hash = $1 AND user_id = $2 AND status = 'ready' AND expires_at > $3 AND archive IS NOT NULL"#,
        hash_token(secret.trim()),
        actor.id(),
        actor.now
    )
    .fetch_optional(pool)
    .await?
    .ok_or(gone)?;
    Ok(archive)
}

/// One JSON document from a query answering one `jsonb` value.
async fn document(conn: &mut PgConnection, query: &str, user: Uuid) -> sqlx::Result<Value> {
    sqlx::query_scalar::<_, Value>(query)
        .bind(user)
        .fetch_one(conn)
        .await
}

const PROFILE: &str = r#"SELECT jsonb_build_object(
    'id', u.id, 'email', u.email, 'name', u.display_name, 'created_at', u.created_at,
    'email_confirmed_at', u.email_verified_at,
    'two_factor', EXISTS(SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL),
    'sessions', (SELECT coalesce(jsonb_agg(jsonb_build_object('started', s.created_at, 'last_seen', s.last_seen_at,
                 'ip', s.ip, 'browser', s.user_agent) ORDER BY s.created_at), '[]')
                 FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL))
  FROM users u WHERE u.id = $1"#;

const ACCOUNTS: &str = r#"SELECT coalesce(jsonb_agg(jsonb_build_object(
    'id', a.id, 'name', a.name, 'primary_domain', a.primary_domain, 'status', a.status, 'region', a.region,
    'plan', p.name, 'created_at', a.created_at,
    'members', (SELECT jsonb_agg(jsonb_build_object('email', u.email, 'role', m.role)) FROM hosting_members m
                JOIN users u ON u.id = m.user_id WHERE m.account_id = a.id)) ORDER BY a.created_at), '[]')
  FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id
  JOIN hosting_members o ON o.account_id = a.id AND o.user_id = $1 AND o.role = 'owner'"#;

const DOMAINS: &str = r#"SELECT coalesce(jsonb_agg(jsonb_build_object(
    'name', d.name, 'status', d.status, 'account', a.name, 'created_at', d.created_at,
    'records', (SELECT coalesce(jsonb_agg(jsonb_build_object('name', r.name, 'type', r.type, 'ttl', r.ttl, 'data', r.data)
                ORDER BY r.name, r.type), '[]') FROM dns_records r WHERE r.domain_id = d.id)) ORDER BY d.name), '[]')
  FROM domains d JOIN hosting_accounts a ON a.id = d.account_id
  JOIN hosting_members o ON o.account_id = a.id AND o.user_id = $1 AND o.role = 'owner'"#;

const INVOICES: &str = r#"SELECT coalesce(jsonb_agg(jsonb_build_object(
    'number', i.number, 'status', i.status, 'amount_due_minor', i.amount_due_minor,
    'amount_paid_minor', i.amount_paid_minor, 'currency', i.currency, 'created', i.created,
    'paid_at', i.paid_at, 'account', a.name) ORDER BY i.created), '[]')
  FROM invoices i JOIN hosting_accounts a ON a.id = i.account_id
  JOIN hosting_members o ON o.account_id = a.id AND o.user_id = $1 AND o.role = 'owner'"#;

const TICKETS: &str = r#"SELECT coalesce(jsonb_agg(jsonb_build_object(
    'number', t.number, 'subject', t.subject, 'state', t.state, 'created_at', t.created_at,
    'messages', (SELECT coalesce(jsonb_agg(jsonb_build_object('from', CASE WHEN m.by_staff THEN 'support' ELSE 'you' END,
                 'at', m.created_at, 'body', m.body,
                 'files', (SELECT coalesce(jsonb_agg('attachments/' || t.number || '/' || f.id || '-' || f.file_name), '[]')
                           FROM ticket_attachments f WHERE f.message_id = m.id)) ORDER BY m.created_at), '[]')
                 FROM ticket_messages m WHERE m.ticket_id = t.id AND NOT m.internal)) ORDER BY t.number), '[]')
  FROM tickets t WHERE t.author_id = $1"#;

const ACTIVITY: &str = r#"SELECT coalesce(jsonb_agg(jsonb_build_object(
    'at', l.created_at, 'action', l.action, 'details', l.details, 'ip', l.ip, 'browser', l.user_agent)
    ORDER BY l.created_at, l.id), '[]')
  FROM activity_log l WHERE l.user_id = $1"#;

/// The ZIP: one JSON file per part, and the files attached to tickets.
async fn build(
    conn: &mut PgConnection,
    storage: &crate::tickets::files::Storage,
    user: Uuid,
) -> anyhow::Result<Vec<u8>> {
    let mut parts = Vec::new();
    for (name, query) in [
        ("profile.json", PROFILE),
        ("hosting-accounts.json", ACCOUNTS),
        ("domains.json", DOMAINS),
        ("invoices.json", INVOICES),
        ("tickets.json", TICKETS),
        ("activity.json", ACTIVITY),
    ] {
        let value = document(&mut *conn, query, user).await?;
        parts.push((name.to_string(), serde_json::to_vec_pretty(&value)?));
    }
    let files = sqlx::query!(
        r#"SELECT t.number, f.id, f.file_name, f.storage_key FROM ticket_attachments f
           JOIN ticket_messages m ON m.id = f.message_id JOIN tickets t ON t.id = f.ticket_id
           WHERE t.author_id = $1 AND NOT m.internal ORDER BY f.created_at"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    for f in files {
        let bytes = storage.store().get(&f.storage_key).await?;
        parts.push((
            format!("attachments/{}/{}-{}", f.number, f.id, f.file_name),
            bytes,
        ));
    }
    let readme = "Your data from KSFoundation, as JSON (UTF-8). profile.json: your account; hosting-accounts.json, domains.json and invoices.json: the hosting accounts you own; tickets.json and attachments/: your support tickets; activity.json: your account's activity log.\n";
    parts.insert(0, ("README.txt".into(), readme.as_bytes().to_vec()));
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        out.start_file(name, zip::write::SimpleFileOptions::default())?;
        out.write_all(&bytes)?;
    }
    Ok(out.finish()?.into_inner())
}
