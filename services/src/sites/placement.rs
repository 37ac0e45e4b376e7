//! Where a hosting account's site lives: the least-used node of its
//! region that has room. Accounts made while no node had room wait
//! unplaced, and a node adopts them when its agent next asks for its state.
//! Room is counted in sites and in the storage their plans take. Staff can
//! move a site to another node of its region.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::activity::{record_for_account, Action, NewEntry};
use crate::dns::web;
use crate::hosting::access::Access;
use crate::hosting::{invalid, ServiceError};
use crate::{Actor, Deps};

/// Places `account` on the least-used node of its region with room; None
/// when no node has room (it is adopted later).
pub async fn place(conn: &mut PgConnection, account: Uuid) -> sqlx::Result<Option<Uuid>> {
    let placed = sqlx::query_scalar!(
        r#"WITH load AS (
               SELECT n.id, n.created_at, n.capacity_sites, n.capacity_storage_bytes, l.used, l.committed
               FROM node_tokens n, LATERAL node_load(n.id) l
               WHERE n.revoked_at IS NULL AND n.region = (SELECT region FROM hosting_accounts WHERE id = $1))
           UPDATE hosting_accounts a
           SET node_id = (SELECT id FROM load
                          WHERE used < capacity_sites
                            AND committed + (SELECT storage_quota_bytes FROM plans WHERE id = a.plan_id) <= capacity_storage_bytes
                          ORDER BY used, created_at LIMIT 1)
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

/// Places the region's unplaced accounts on `node` while it has room
/// (sites and storage), oldest first. Answers how many it took.
pub async fn adopt(pool: &PgPool, node: Uuid) -> sqlx::Result<u64> {
    let taken = sqlx::query!(
        r#"WITH room AS (
               SELECT n.region, n.capacity_sites - l.used AS sites, n.capacity_storage_bytes - l.committed AS bytes
               FROM node_tokens n, LATERAL node_load(n.id) l
               WHERE n.id = $1 AND n.revoked_at IS NULL),
           waiting AS (
               SELECT a.id, row_number() OVER w AS n, sum(p.storage_quota_bytes) OVER w AS bytes
               FROM hosting_accounts a JOIN plans p ON p.id = a.plan_id, room
               WHERE a.node_id IS NULL AND a.status <> 'cancelled' AND a.region = room.region
               WINDOW w AS (ORDER BY a.created_at, a.id))
           UPDATE hosting_accounts SET node_id = $1
           WHERE id IN (SELECT w.id FROM waiting w, room WHERE w.n <= room.sites AND w.bytes <= room.bytes)
             AND node_id IS NULL"#,
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

/// Whether the account's site is paused for having served its plan's
/// bandwidth this month (see `bandwidth_exhausted` in the migrations).
pub async fn bandwidth_paused(pool: &PgPool, access: &Access) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        "SELECT bandwidth_paused FROM hosting_accounts WHERE id = $1",
        access.account_id()
    )
    .fetch_one(pool)
    .await
}

/// A node staff can move a site to: live, of the account's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeChoice {
    pub id: Uuid,
    pub name: String,
    pub used: i64,
    pub capacity: i32,
    /// Storage its sites' plans take, and its room.
    pub committed: i64,
    pub capacity_storage: i64,
    /// The storage the account's plan takes.
    pub needs: i64,
    /// The node serving the account now.
    pub current: bool,
}

/// The nodes of the account's region, for staff moving its site.
pub async fn choices(pool: &PgPool, access: &Access) -> Result<Vec<NodeChoice>, ServiceError> {
    access.require_staff(domain::StaffPermission::Support)?;
    Ok(sqlx::query_as!(
        NodeChoice,
        r#"SELECT n.id, n.name, n.capacity_sites AS capacity, n.capacity_storage_bytes AS capacity_storage,
                  l.used AS "used!", l.committed AS "committed!", p.storage_quota_bytes AS needs,
                  n.id IS NOT DISTINCT FROM a.node_id AS "current!"
           FROM node_tokens n JOIN hosting_accounts a ON a.id = $1 AND n.region = a.region
           JOIN plans p ON p.id = a.plan_id, LATERAL node_load(n.id) l
           WHERE n.revoked_at IS NULL
           ORDER BY n.name"#,
        access.account_id()
    )
    .fetch_all(pool)
    .await?)
}

/// Moves the account's site to `node` (staff): the new node downloads its
/// files and serves it; the old one deletes it (see `site_removals`). The
/// web records of the account's domains that pointed at the old node's
/// addresses follow (`dns::web`). Answers how many records changed.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id(), %node))]
pub async fn move_to(deps: &Deps, actor: &Actor, access: &Access, node: Uuid) -> Result<usize, ServiceError> {
    access.require_staff(domain::StaffPermission::Support)?;
    let choice = choices(&deps.pool, access)
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
    if choice.committed + choice.needs > choice.capacity_storage {
        return Err(invalid(
            "node",
            format!(
                "{} has no room for the plan's {} of storage ({} of {} taken).",
                choice.name,
                domain::hosting::format_bytes(choice.needs),
                domain::hosting::format_bytes(choice.committed),
                domain::hosting::format_bytes(choice.capacity_storage)
            ),
        ));
    }
    let pool = &deps.pool;
    let mut tx = pool.begin().await?;
    let from = web::addresses_in(&mut tx, &deps.dns, access.account_id()).await?;
    sqlx::query!(
        "UPDATE hosting_accounts SET node_id = $2 WHERE id = $1",
        access.account_id(),
        node
    )
    .execute(&mut *tx)
    .await?;
    let to = web::addresses_in(&mut tx, &deps.dns, access.account_id()).await?;
    let records = web::follow(&mut tx, deps, actor, access.account_id(), from, to).await?;
    let details = serde_json::json!({ "node": choice.name, "records": records });
    record_for_account(
        &mut tx,
        access.account_id(),
        NewEntry::by(actor, Action::SiteMoved, details),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(node = %choice.name, records, "site moved");
    Ok(records)
}
