//! Who may do what to a hosting account: members by their role (see
//! `domain::hosting::PERMISSIONS`), staff may look at any account and
//! suspend or resume it. Everyone else gets `NotFound`.

use sqlx::PgConnection;
use uuid::Uuid;

use super::HostingError;
use crate::domain::{CurrentUser, MemberRole, Permission, Role};
use crate::services::step_up;

/// The result of a successful check: the account, and how the user holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub account_id: Uuid,
    /// The user's role, when they are a member.
    pub role: Option<MemberRole>,
    pub staff: bool,
}

impl Access {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.is_some_and(|r| r.can(permission))
    }
}

/// The user's role in the account, if a member.
pub async fn role_of(
    conn: &mut PgConnection,
    account_id: Uuid,
    user_id: Uuid,
) -> Result<Option<MemberRole>, sqlx::Error> {
    let role = sqlx::query_scalar!(
        "SELECT role FROM hosting_members WHERE account_id = $1 AND user_id = $2",
        account_id,
        user_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(role.as_deref().and_then(MemberRole::parse))
}

async fn exists(conn: &mut PgConnection, account_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM hosting_accounts WHERE id = $1) AS "e!""#,
        account_id
    )
    .fetch_one(conn)
    .await
}

/// Checks that `user` may do `permission` on the account. Members without
/// the permission get `Forbidden`; non-members (and missing accounts) get
/// `NotFound`. Staff pass for `View` and are told no for the rest.
pub async fn authorize(
    conn: &mut PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
    permission: Permission,
) -> Result<Access, HostingError> {
    let staff = user.role == Role::Staff;
    match role_of(&mut *conn, account_id, user.user_id).await? {
        Some(role) if role.can(permission) => Ok(Access {
            account_id,
            role: Some(role),
            staff,
        }),
        Some(_) if staff && permission == Permission::View => Ok(Access {
            account_id,
            role: None,
            staff,
        }),
        Some(_) => Err(HostingError::Forbidden),
        // Staff see every account, but change it only through staff actions.
        None if staff && exists(&mut *conn, account_id).await? => {
            if permission == Permission::View {
                Ok(Access {
                    account_id,
                    role: None,
                    staff,
                })
            } else {
                Err(HostingError::Forbidden)
            }
        }
        None => Err(HostingError::NotFound),
    }
}

/// Staff-only actions (suspend, resume): staff pass; members are told no;
/// anyone else learns nothing.
pub async fn authorize_staff(
    conn: &mut PgConnection,
    user: &CurrentUser,
    account_id: Uuid,
) -> Result<Access, HostingError> {
    let access = authorize(conn, user, account_id, Permission::View).await?;
    if access.staff {
        Ok(access)
    } else {
        Err(HostingError::Forbidden)
    }
}

/// Staff tools that are not about one account (plan catalogue, node
/// tokens): staff pass, anyone else learns nothing.
pub fn require_staff(user: &CurrentUser) -> Result<(), HostingError> {
    if user.role == Role::Staff {
        Ok(())
    } else {
        Err(HostingError::NotFound)
    }
}

/// Step-up for hosting actions: always for `always`, otherwise only when the
/// user has two-factor on (then the action is as sensitive as their account).
pub fn require_step_up(
    user: &CurrentUser,
    now: time::OffsetDateTime,
    always: bool,
) -> Result<(), HostingError> {
    if (always || user.two_factor) && !step_up::is_fresh(user, now) {
        Err(HostingError::StepUpRequired)
    } else {
        Ok(())
    }
}
