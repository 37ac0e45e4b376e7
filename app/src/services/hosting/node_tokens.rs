//! API tokens of hosting nodes: created by staff, shown once, stored as a
//! SHA-256 hash, revocable. Nodes send usage with them.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::require_staff;
use super::{invalid, HostingError};
use crate::domain::CurrentUser;
use crate::services::tokens::{hash_token, new_token};

/// Prefix that makes a leaked token recognisable (and greppable).
pub const PREFIX: &str = "ksfnode_";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeToken {
    pub id: Uuid,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked: bool,
}

/// Creates a token for a node; returns it (the only time it is shown).
pub async fn create(pool: &PgPool, user: &CurrentUser, name: &str) -> Result<String, HostingError> {
    require_staff(user)?;
    create_unchecked(pool, Some(user.user_id), name).await
}

/// For the demo seed and benchmarks (no user acting).
pub async fn create_unchecked(
    pool: &PgPool,
    created_by: Option<Uuid>,
    name: &str,
) -> Result<String, HostingError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid(
            "name",
            "Name the node (at most 80 characters), e.g. web-fra-1.",
        ));
    }
    let token = new_token();
    let secret = format!("{PREFIX}{}", token.secret);
    sqlx::query!(
        "INSERT INTO node_tokens (name, token_hash, created_by) VALUES ($1, $2, $3)",
        name,
        hash_token(&secret),
        created_by
    )
    .execute(pool)
    .await?;
    tracing::info!(node = %name, "node token created");
    Ok(secret)
}

pub async fn list(pool: &PgPool, user: &CurrentUser) -> Result<Vec<NodeToken>, HostingError> {
    require_staff(user)?;
    Ok(sqlx::query_as!(
        NodeToken,
        r#"SELECT id, name, created_at, last_used_at, revoked_at IS NOT NULL AS "revoked!"
           FROM node_tokens ORDER BY revoked_at IS NOT NULL, created_at DESC"#
    )
    .fetch_all(pool)
    .await?)
}

pub async fn revoke(pool: &PgPool, user: &CurrentUser, id: Uuid) -> Result<(), HostingError> {
    require_staff(user)?;
    sqlx::query!(
        "UPDATE node_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The node behind a bearer token, if live. Notes when it was last used.
pub async fn authenticate(pool: &PgPool, secret: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE node_tokens SET last_used_at = now()
           WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id"#,
        hash_token(secret.trim())
    )
    .fetch_optional(pool)
    .await
}
