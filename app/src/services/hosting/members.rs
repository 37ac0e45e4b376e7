//! Members of a hosting account: list, change role, remove, leave, and
//! transfer ownership. An account always has exactly one owner.

use serde_json::json;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{authorize, require_step_up};
use super::{invalid, HostingError};
use crate::domain::{CurrentUser, MemberRole, Permission};
use crate::services::activity::{record_for_account, Action};
use crate::services::sessions::ClientInfo;

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

pub async fn list(pool: &PgPool, user: &CurrentUser, account_id: Uuid) -> Result<Vec<Member>, HostingError> {
    let mut conn = pool.acquire().await?;
    let access = authorize(&mut conn, user, account_id, Permission::View).await?;
    let rows = sqlx::query!(
        r#"SELECT m.user_id, u.display_name, u.email, m.role, m.created_at
           FROM hosting_members m JOIN users u ON u.id = m.user_id
           WHERE m.account_id = $1
           ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, lower(u.display_name)"#,
        access.account_id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Member {
                user_id: r.user_id,
                name: r.display_name,
                email: r.email,
                role: MemberRole::parse(&r.role)?,
                joined_at: r.created_at,
            })
        })
        .collect())
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
) -> Result<Target, HostingError> {
    let row = sqlx::query!(
        r#"SELECT u.display_name, u.email, m.role FROM hosting_members m JOIN users u ON u.id = m.user_id
           WHERE m.account_id = $1 AND m.user_id = $2 FOR UPDATE OF m"#,
        account_id,
        user_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| invalid("member", "That person is not a member of this account."))?;
    Ok(Target {
        name: row.display_name,
        email: row.email,
        role: MemberRole::parse(&row.role).ok_or_else(|| HostingError::Internal("unknown role".into()))?,
    })
}

/// Gives a member another role (owner, admin). The owner's role changes
/// only by transferring ownership.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
pub async fn change_role(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    member: Uuid,
    role: &str,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::ManageMembers).await?;
    let role = MemberRole::parse_assignable(role)
        .ok_or_else(|| invalid("role", "Choose admin, developer, billing or viewer."))?;
    let target = target(&mut tx, account_id, member).await?;
    if target.role == MemberRole::Owner {
        return Err(HostingError::Conflict(LAST_OWNER.into()));
    }
    if target.role == role {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE hosting_members SET role = $3 WHERE account_id = $1 AND user_id = $2",
        account_id,
        member,
        role.as_str()
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "member": target.name, "email": target.email, "from": target.role.as_str(), "to": role.as_str() });
    record_for_account(
        &mut tx,
        account_id,
        Some(user.user_id),
        Action::MemberRoleChanged,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a member (owner, admin). The owner cannot be removed.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
pub async fn remove(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    member: Uuid,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::ManageMembers).await?;
    let target = target(&mut tx, account_id, member).await?;
    if target.role == MemberRole::Owner {
        return Err(HostingError::Conflict(LAST_OWNER.into()));
    }
    sqlx::query!(
        "DELETE FROM hosting_members WHERE account_id = $1 AND user_id = $2",
        account_id,
        member
    )
    .execute(&mut *tx)
    .await?;
    let details = json!({ "member": target.name, "email": target.email, "role": target.role.as_str() });
    record_for_account(
        &mut tx,
        account_id,
        Some(user.user_id),
        Action::MemberRemoved,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The user leaves the account. The owner cannot leave.
pub async fn leave(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    client: &ClientInfo,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    let access = authorize(&mut tx, user, account_id, Permission::View).await?;
    match access.role {
        None => return Err(HostingError::Forbidden),
        Some(MemberRole::Owner) => return Err(HostingError::Conflict(LAST_OWNER.into())),
        Some(role) => {
            sqlx::query!(
                "DELETE FROM hosting_members WHERE account_id = $1 AND user_id = $2",
                account_id,
                user.user_id
            )
            .execute(&mut *tx)
            .await?;
            let details = json!({ "role": role.as_str() });
            record_for_account(
                &mut tx,
                account_id,
                Some(user.user_id),
                Action::MemberLeft,
                client,
                details,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Makes another member the owner; the old owner becomes an admin. Needs a
/// recent authentication.
#[tracing::instrument(skip_all, fields(user_id = %user.user_id, %account_id))]
pub async fn transfer_ownership(
    pool: &PgPool,
    user: &CurrentUser,
    account_id: Uuid,
    new_owner: Uuid,
    client: &ClientInfo,
    now: OffsetDateTime,
) -> Result<(), HostingError> {
    let mut tx = pool.begin().await?;
    authorize(&mut tx, user, account_id, Permission::TransferOwnership).await?;
    require_step_up(user, now, true)?;
    if new_owner == user.user_id {
        return Err(invalid("new_owner", "You already own this account."));
    }
    let target = target(&mut tx, account_id, new_owner).await.map_err(|_| {
        invalid(
            "new_owner",
            "The new owner must already be a member of this account.",
        )
    })?;
    // Demote first: at most one owner at any moment (a unique index says so).
    sqlx::query!(
        "UPDATE hosting_members SET role = 'admin' WHERE account_id = $1 AND user_id = $2",
        account_id,
        user.user_id
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
    record_for_account(
        &mut tx,
        account_id,
        Some(user.user_id),
        Action::OwnershipTransferred,
        client,
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
