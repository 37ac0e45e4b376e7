//! Where a hosting account's site lives: the least-used node of its
//! region that has room. Accounts made while no node had room wait
//! unplaced, and a node adopts them when its agent next asks for its state.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

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
pub async fn node_of(pool: &PgPool, access: &crate::hosting::access::Access) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT n.name FROM hosting_accounts a JOIN node_tokens n ON n.id = a.node_id WHERE a.id = $1",
        access.account_id()
    )
    .fetch_optional(pool)
    .await
}
