//! API tokens of hosting nodes: created by staff for one region, shown
//! once, stored as a SHA-256 hash, revocable. A node reports usage with
//! its token, and only for accounts hosted in its region.

use domain::StaffPermission;
use sqlx::PgPool;
use uuid::Uuid;

use super::access::require_staff;
use super::{invalid, ServiceError};
use crate::tokens::{hash_token, new_token};
use crate::Actor;
use domain::hosting::Region;

/// Prefix that makes a leaked token recognisable (and greppable).
pub const PREFIX: &str = "ksfnode_";

/// An agent not seen for this long is flagged to staff.
pub const AGENT_SILENT_AFTER: time::Duration = time::Duration::minutes(2);

/// The node behind a live token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: Uuid,
    pub region: Option<String>,
}

/// Creates a token for a node of `region`; returns it (the only time it is shown).
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    name: &str,
    region: Region,
) -> Result<String, ServiceError> {
    require_staff(actor, StaffPermission::Platform)?;
    create_unchecked(pool, Some(actor.id()), name, region).await
}

/// For the demo seed and benchmarks (no user acting).
pub async fn create_unchecked(
    pool: &PgPool,
    created_by: Option<Uuid>,
    name: &str,
    region: Region,
) -> Result<String, ServiceError> {
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
        "INSERT INTO node_tokens (name, token_hash, created_by, region) VALUES ($1, $2, $3, $4)",
        name,
        hash_token(&secret),
        created_by,
        region.code()
    )
    .execute(pool)
    .await?;
    tracing::info!(node = %name, region = region.code(), "node token created");
    Ok(secret)
}

/// For the command line: a new secret for the live node `name` of
/// `region` (its sites stay placed on it), or a new node if there is none.
/// Returns the token (the only time it is shown).
pub async fn issue(pool: &PgPool, name: &str, region: Region) -> Result<String, ServiceError> {
    let token = new_token();
    let secret = format!("{PREFIX}{}", token.secret);
    let rotated = sqlx::query!(
        "UPDATE node_tokens SET token_hash = $3 WHERE name = $1 AND region = $2 AND revoked_at IS NULL",
        name.trim(),
        region.code(),
        hash_token(&secret)
    )
    .execute(pool)
    .await?
    .rows_affected();
    if rotated == 0 {
        return create_unchecked(pool, None, name, region).await;
    }
    tracing::info!(node = %name, region = region.code(), "node token replaced");
    Ok(secret)
}

pub async fn revoke(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<(), ServiceError> {
    require_staff(actor, StaffPermission::Platform)?;
    sqlx::query!(
        "UPDATE node_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The node behind a bearer token, if live. Notes when it was last used.
pub async fn authenticate(pool: &PgPool, secret: &str) -> Result<Option<Node>, sqlx::Error> {
    sqlx::query_as!(
        Node,
        r#"UPDATE node_tokens SET last_used_at = now()
           WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, region"#,
        hash_token(secret.trim())
    )
    .fetch_optional(pool)
    .await
}
