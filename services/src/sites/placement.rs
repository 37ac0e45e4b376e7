//! Where a hosting account's site lives: the least-used node of its
//! region that has room. Accounts made while no node had room wait
//! unplaced, and a node adopts them when its agent next asks for its state.
//! Staff can move a site to another node of its region.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::activity::{record_for_account, Action, NewEntry};
use crate::hosting::access::Access;
use crate::hosting::{invalid, ServiceError};
use crate::Actor;

/// Places `account` on the least-used node of its region with room; None
/// when no node has room (it is adopted later).
pub async fn place(conn: &mut PgConnection, account: Uuid) -> sqlx::Result<Option<Uuid>> {
    let placed = sqlx::query_scalar!(
        r#"WITH load AS (
               SELECT n.id, n.created_at, n.capacity_sites,
                      (SELECT count(*) FROM hosting_accounts x WHERE x.node_id = n.id AND x.status <> 'cancelled') AS used
               FROM node_tokens n
               WHERE n.revoked_at IS NULL AND n.region = (SELECT region FROM hosting_accounts WHERE id = $1))
           UPDATE hosting_accounts a
           SET node_id = (SELECT id FROM load WHERE used < capacity_sites ORDER BY used, created_at LIMIT 1)
           WHERE a.id = $1 AND a.node_id IS NULL
           RETURNING a.node_id"#,
        account
    )
    .fetch_optional(conn)
    .await?
    .flatten();
    if let Some(node) = placed {
        tracing::info!(%account, %node, "site placed");
    }
    Ok(placed)
}

/// Places the region's unplaced accounts on `node` while it has room.
/// Answers how many it took.
pub async fn adopt(pool: &PgPool, node: Uuid) -> sqlx::Result<u64> {
    let taken = sqlx::query!(
        r#"UPDATE hosting_accounts SET node_id = $1
           WHERE id IN (
               SELECT a.id FROM hosting_accounts a, node_tokens n
               WHERE n.id = $1 AND n.revoked_at IS NULL AND a.node_id IS NULL
                 AND a.status <> 'cancelled' AND a.region = n.region
               ORDER BY a.created_at
               LIMIT greatest(0, (SELECT capacity_sites FROM node_tokens WHERE id = $1)
                                 - (SELECT count(*) FROM hosting_accounts WHERE node_id = $1 AND status <> 'cancelled'))
               FOR UPDATE OF a SKIP LOCKED)"#,
        node
    )
    .execute(pool)
    .await?
    .rows_affected();
    if taken > 0 {
        tracing::info!(%node, taken, "node adopted unplaced sites");
    }
    Ok(taken)
}

/// The name of the node serving `access`'s account, if it is placed.
pub async fn node_of(pool: &PgPool, access: &Access) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT n.name FROM hosting_accounts a JOIN node_tokens n ON n.id = a.node_id WHERE a.id = $1",
        access.account_id()
    )
    .fetch_optional(pool)
    .await
}

/// A node staff can move a site to: live, of the account's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeChoice {
    pub id: Uuid,
    pub name: String,
    pub used: i64,
    pub capacity: i32,
    /// The node serving the account now.
    pub current: bool,
}

/// The nodes of the account's region, for staff moving its site.
pub async fn choices(pool: &PgPool, access: &Access) -> Result<Vec<NodeChoice>, ServiceError> {
    access.require_staff()?;
    Ok(sqlx::query_as!(
        NodeChoice,
        r#"SELECT n.id, n.name, n.capacity_sites AS capacity,
                  (SELECT count(*) FROM hosting_accounts x WHERE x.node_id = n.id AND x.status <> 'cancelled') AS "used!",
                  n.id IS NOT DISTINCT FROM a.node_id AS "current!"
           FROM node_tokens n JOIN hosting_accounts a ON a.id = $1 AND n.region = a.region
           WHERE n.revoked_at IS NULL
           ORDER BY n.name"#,
        access.account_id()
    )
    .fetch_all(pool)
    .await?)
}

/// Moves the account's site to `node` (staff): the new node downloads its
/// files and serves it; the old one deletes it (see `site_removals`). The
/// account's DNS stays as it is: point its records at the new node.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id(), %node))]
pub async fn move_to(pool: &PgPool, actor: &Actor, access: &Access, node: Uuid) -> Result<(), ServiceError> {
    access.require_staff()?;
    let choice = choices(pool, access)
        .await?
        .into_iter()
        .find(|c| c.id == node)
        .ok_or_else(|| invalid("node", "Choose a hosting node of the account's region."))?;
    if choice.current {
        return Err(invalid(
            "node",
            format!("The site is on {} already.", choice.name),
        ));
    }
    if choice.used >= i64::from(choice.capacity) {
        return Err(invalid(
            "node",
            format!(
                "{} is full ({} of {} sites).",
                choice.name, choice.used, choice.capacity
            ),
        ));
    }
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE hosting_accounts SET node_id = $2 WHERE id = $1",
        access.account_id(),
        node
    )
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "node": choice.name });
    record_for_account(
        &mut tx,
        access.account_id(),
        NewEntry::by(actor, Action::SiteMoved, details),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(node = %choice.name, "site moved");
    Ok(())
}
