//! The staff team: who is staff, with which role (`domain::staff` says what
//! each may do), and role changes by admins. A change needs a recent
//! authentication and a reason, is audited, and takes effect on the
//! member's next request (open live streams end at once).

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::customers::actions::{audit, reason, StaffAction};
use crate::failure::{invalid, ServiceError};
use crate::{step_up, Actor};
use domain::{StaffPermission, StaffRole};

#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub two_factor: bool,
    pub last_seen: Option<OffsetDateTime>,
}

/// Every staff member, admins first.
pub async fn list(pool: &PgPool, actor: &Actor) -> Result<Vec<StaffMember>, ServiceError> {
    actor.require_staff(StaffPermission::Look)?;
    let rows = sqlx::query!(
        r#"SELECT u.id, u.display_name, u.email, u.staff_role AS "role!: StaffRole",
                  EXISTS(SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "two_factor!",
                  (SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen
           FROM users u WHERE u.role = 'staff'
           ORDER BY array_position(ARRAY['admin', 'support', 'billing', 'readonly'], u.staff_role), lower(u.display_name)
           LIMIT 500"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StaffMember {
            id: r.id,
            name: r.display_name,
            email: r.email,
            role: r.role,
            two_factor: r.two_factor,
            last_seen: r.last_seen,
        })
        .collect())
}

/// Gives staff member `id` the role named `role`. Admins only, never their
/// own role (so the team cannot lose its last admin by accident).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), member = %id))]
pub async fn change_role(
    pool: &PgPool,
    actor: &Actor,
    id: Uuid,
    role: &str,
    why: &str,
) -> Result<StaffRole, ServiceError> {
    actor.require_staff(StaffPermission::ManageStaff)?;
    let role = StaffRole::parse(role).ok_or_else(|| invalid("role", "Choose one of the roles."))?;
    let why = reason(why)?;
    step_up::require(actor)?;
    if id == actor.id() {
        return Err(ServiceError::Conflict(
            "You cannot change your own role: ask another admin.".into(),
        ));
    }
    let mut tx = pool.begin().await?;
    let before = sqlx::query_scalar!(
        r#"SELECT staff_role AS "role!: StaffRole" FROM users WHERE id = $1 AND role = 'staff' FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ServiceError::NotFound("No such staff member."))?;
    if before == role {
        return Err(invalid("role", "They have that role already."));
    }
    sqlx::query!(
        "UPDATE users SET staff_role = $2 WHERE id = $1",
        id,
        role as StaffRole
    )
    .execute(&mut *tx)
    .await?;
    let said = format!("{} → {}: {why}", before.label(), role.label());
    let said: String = said.chars().take(500).collect();
    audit(&mut tx, actor, id, StaffAction::RoleChange, &said).await?;
    tx.commit().await?;
    tracing::info!(from = before.as_str(), to = role.as_str(), "staff role changed");
    Ok(role)
}
