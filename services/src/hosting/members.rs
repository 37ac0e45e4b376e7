//! Members of a hosting account: list, change role, remove, leave, and
//! transfer ownership. An account always has exactly one owner.

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{require_step_up, Access};
use super::{invalid, ServiceError};
use crate::activity::{record_for_account, Action, NewEntry};
use crate::Actor;
use domain::{MemberRole, Permission};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: MemberRole,
    pub joined_at: OffsetDateTime,
}

const LAST_OWNER: &str =
    "An account always has exactly one owner: transfer ownership to another member first.";

pub async fn list(pool: &PgPool, access: &Access) -> Result<Vec<Member>, ServiceError> {
    access.require(Permission::View)?;
    Ok(sqlx::query_as!(
        Member,
        r#"SELECT m.user_id, u.display_name AS name, u.email, m.role AS "role: MemberRole", m.created_at AS joined_at
           FROM hosting_members m JOIN users u ON u.id = m.user_id
           WHERE m.account_id = $1
           ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, lower(u.display_name)"#,
        access.account_id()
    )
    .fetch_all(pool)
    .await?)
}

struct Target {
    name: String,
    email: String,
    role: MemberRole,
}

async fn target(
    conn: &mut sqlx::PgConnection,
    account_id: Uuid,
    user_id: Uuid,
) -> Result<Target, ServiceError> {
    sqlx::query_as!(
        Target,
        r#"SELECT u.display_name AS name, u.email, m.role AS "role: MemberRole"
           FROM hosting_members m JOIN users u ON u.id = m.user_id
           WHERE m.account_id = $1 AND m.user_id = $2 FOR UPDATE OF m"#,
        account_id,
        user_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| invalid("member", "That person is not a member of this account."))
}

/// Gives a member another role (owner, admin). The owner's role changes
/// only by transferring ownership.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn change_role(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    member: Uuid,
    role: MemberRole,
) -> Result<(), ServiceError> {
    access.require(Permission::ManageMembers)?;
    if role == MemberRole::Owner {
        return Err(invalid("role", "Choose admin, developer, billing or viewer."));
    }
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    let target = target(&mut tx, account_id, member).await?;
    if target.role == MemberRole::Owner {
        return Err(ServiceError::Conflict(LAST_OWNER.into()));
    }
    if target.role == role {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE hosting_members SET role = $3 WHERE account_id = $1 AND user_id = $2",
        account_id,
        member,
        role as MemberRole
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "member": target.name, "email": target.email, "from": target.role.as_str(), "to": role.as_str() });
    let action = Action::MemberRoleChanged;
    record_for_account(&mut tx, account_id, NewEntry::by(actor, action, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member (owner, admin). The owner cannot be removed.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn remove(pool: &PgPool, actor: &Actor, access: &Access, member: Uuid) -> Result<(), ServiceError> {
    access.require(Permission::ManageMembers)?;
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    let target = target(&mut tx, account_id, member).await?;
    if target.role == MemberRole::Owner {
        return Err(ServiceError::Conflict(LAST_OWNER.into()));
    }
    sqlx::query!(
        "DELETE FROM hosting_members WHERE account_id = $1 AND user_id = $2",
        account_id,
        member
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "member": target.name, "email": target.email, "role": target.role.as_str() });
    let action = Action::MemberRemoved;
    record_for_account(&mut tx, account_id, NewEntry::by(actor, action, details)).await?;
    tx.commit().await?;
    Ok(())
}

/// The user leaves the account (whatever its state). The owner cannot leave.
pub async fn leave(pool: &PgPool, actor: &Actor, access: &Access) -> Result<(), ServiceError> {
    let role = match access.role() {
        None => return Err(super::forbidden()),
        Some(MemberRole::Owner) => return Err(ServiceError::Conflict(LAST_OWNER.into())),
        Some(role) => role,
    };
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "DELETE FROM hosting_members WHERE account_id = $1 AND user_id = $2",
        account_id,
        actor.id()
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "role": role.as_str() });
    record_for_account(
        &mut tx,
        account_id,
        NewEntry::by(actor, Action::MemberLeft, details),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes another member the owner; the old owner becomes an admin. Needs a
/// recent authentication.
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), account_id = %access.account_id()))]
pub async fn transfer_ownership(
    pool: &PgPool,
    actor: &Actor,
    access: &Access,
    new_owner: Uuid,
) -> Result<(), ServiceError> {
    access.require(Permission::TransferOwnership)?;
    require_step_up(actor, true)?;
    if new_owner == actor.id() {
        return Err(invalid("new_owner", "You already own this account."));
    }
    let account_id = access.account_id();
    let mut tx = pool.begin().await?;
    let target = target(&mut tx, account_id, new_owner)
        .await
        .map_err(|e| match e {
            ServiceError::Invalid(_) => invalid(
                "new_owner",
                "The new owner must already be a member of this account.",
            ),
            other => other,
        })?;
    // Demote first: at most one owner at any moment (a unique index says so).
    sqlx::query!(
        "UPDATE hosting_members SET role = 'admin' WHERE account_id = $1 AND user_id = $2",
        account_id,
        actor.id()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE hosting_members SET role = 'owner' WHERE account_id = $1 AND user_id = $2",
        account_id,
        new_owner
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "member": target.name, "email": target.email });
    let action = Action::OwnershipTransferred;
    record_for_account(&mut tx, account_id, NewEntry::by(actor, action, details)).await?;
    tx.commit().await?;
    Ok(())
}
