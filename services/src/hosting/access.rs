//! Who may do what to a hosting account: members by their role (see
//! `domain::hosting::PERMISSIONS`); staff may look at every account and
//! suspend or resume it. Everyone else gets `NotFound`.
//!
//! `authorize` is the only way a request gets an [`Access`], and every
//! hosting service takes one: a page view checks membership once, and no
//! service can be called for an account without the check. The one other
//! maker is `for_paid_order`, for the registration worker acting on an
//! order whose buyer was authorized when it was placed.

use sqlx::PgPool;
use uuid::Uuid;

use super::ServiceError;
use crate::{step_up, Actor};
use domain::{AccountId, AccountStatus, MemberRole, Permission, StaffPermission, StaffRole};

/// How the acting user holds one account. Only `authorize` makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    account_id: Uuid,
    role: Option<MemberRole>,
    staff: Option<StaffRole>,
    /// Staff viewing as a member: nothing may change.
    read_only: bool,
    status: AccountStatus,
}

impl Access {
    /// The account of a paid domain order, for the worker that carries it
    /// out (no user is acting; the buyer's `Pay` permission was checked
    /// when the order was placed). It holds no role: it passes no check.
    pub(crate) fn for_paid_order(account_id: Uuid, status: AccountStatus) -> Self {
        Self {
            account_id,
            role: None,
            staff: None,
            read_only: false,
            status,
        }
    }

    pub fn account_id(&self) -> Uuid {
        self.account_id
    }

    /// The user's role, when they are a member.
    pub fn role(&self) -> Option<MemberRole> {
        self.role
    }

    /// Staff looking at the account (members or not).
    pub fn staff(&self) -> bool {
        self.staff.is_some()
    }

    pub fn status(&self) -> AccountStatus {
        self.status
    }

    /// Whether `permission` would pass `require` (for showing controls).
    pub fn can(&self, permission: Permission) -> bool {
        self.require(permission).is_ok()
    }

    /// The role allows `permission`, and the account's state allows the
    /// change: cancelled accounts change no more, and suspended ones are
    /// read-only for their members (they may still cancel) until resumed.
    pub fn require(&self, permission: Permission) -> Result<(), ServiceError> {
        if permission == Permission::View && (self.role.is_some() || self.staff.is_some()) {
            return Ok(());
        }
        if self.read_only {
            return Err(ServiceError::Forbidden(crate::actor::VIEW_ONLY));
        }
        if !self.role.is_some_and(|r| r.can(permission)) {
            return Err(super::forbidden());
        }
        writable(self.status, permission)
    }

    /// Staff-only actions (suspend, resume, move): members are told no,
    /// and so are staff whose role does not allow `permission`.
    pub fn require_staff(&self, permission: StaffPermission) -> Result<(), ServiceError> {
        match self.staff {
            Some(role) if role.can(permission) => Ok(()),
            Some(_) => Err(ServiceError::Forbidden(crate::actor::STAFF_ROLE_FORBIDS)),
            None => Err(super::forbidden()),
        }
    }
}

/// Whether an account in `status` may have `permission` exercised on it.
pub(crate) fn writable(status: AccountStatus, permission: Permission) -> Result<(), ServiceError> {
    match status {
        _ if permission == Permission::View => Ok(()),
        AccountStatus::Cancelled => Err(ServiceError::Conflict(
            "A cancelled account cannot be changed.".into(),
        )),
        AccountStatus::Suspended if permission != Permission::Cancel => Err(ServiceError::Conflict(
            "This account is suspended: it is read-only until it is resumed.".into(),
        )),
        _ => Ok(()),
    }
}

/// The acting user's access to an account: members and staff get one;
/// anyone else (and any id that names no account) gets `NotFound`.
pub async fn authorize(pool: &PgPool, actor: &Actor, account: AccountId) -> Result<Access, ServiceError> {
    let row = sqlx::query!(
        r#"SELECT a.status AS "status: AccountStatus", m.role AS "role?: MemberRole"
           FROM hosting_accounts a
           LEFT JOIN hosting_members m ON m.account_id = a.id AND m.user_id = $2
           WHERE a.id = $1"#,
        account.uuid(),
        actor.id()
    )
    .fetch_optional(pool)
    .await?
    .ok_or(crate::hosting::not_found())?;
    if row.role.is_none() && !actor.is_staff() {
        return Err(super::not_found());
    }
    Ok(Access {
        account_id: account.uuid(),
        role: row.role,
        staff: actor.staff_role(),
        read_only: actor.viewed_by().is_some(),
        status: row.status,
    })
}

/// Staff tools that are not about one account (plan catalogue, nodes):
/// staff whose role allows `permission` pass, other staff are told no,
/// anyone else learns nothing.
pub fn require_staff(actor: &Actor, permission: StaffPermission) -> Result<(), ServiceError> {
    actor.require_staff(permission)
}

/// Step-up for hosting actions: always for `always`, otherwise only when the
/// user has two-factor on (then the action is as sensitive as their account).
pub fn require_step_up(actor: &Actor, always: bool) -> Result<(), ServiceError> {
    if (always || actor.user.two_factor) && !step_up::is_fresh(&actor.user, actor.now) {
        Err(ServiceError::StepUpRequired)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(role: Option<MemberRole>, staff: bool, status: AccountStatus) -> Access {
        Access {
            account_id: Uuid::nil(),
            role,
            staff: staff.then_some(StaffRole::Support),
            read_only: false,
            status,
        }
    }

    #[test]
    fn suspended_accounts_are_read_only_but_can_be_cancelled() {
        let owner = access(Some(MemberRole::Owner), false, AccountStatus::Suspended);
        assert!(owner.can(Permission::View));
        assert!(owner.can(Permission::Cancel));
        for p in [
            Permission::Edit,
            Permission::ChangePlan,
            Permission::ManageMembers,
            Permission::TransferOwnership,
        ] {
            assert!(
                matches!(owner.require(p), Err(ServiceError::Conflict(_))),
                "{p:?}"
            );
        }
        let active = access(Some(MemberRole::Owner), false, AccountStatus::Active);
        assert!(active.can(Permission::Edit));
    }

    #[test]
    fn staff_look_but_do_not_touch() {
        let staff = access(None, true, AccountStatus::Active);
        assert!(staff.can(Permission::View));
        assert!(matches!(
            staff.require(Permission::Edit),
            Err(ServiceError::Forbidden(_))
        ));
        assert!(staff.require_staff(StaffPermission::Support).is_ok());
        assert!(matches!(
            staff.require_staff(StaffPermission::Billing),
            Err(ServiceError::Forbidden(_))
        ));
        let viewer = access(Some(MemberRole::Viewer), false, AccountStatus::Active);
        assert!(matches!(
            viewer.require(Permission::Edit),
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            viewer.require_staff(StaffPermission::Support),
            Err(ServiceError::Forbidden(_))
        ));
    }

    #[test]
    fn viewing_as_a_member_changes_nothing() {
        let mut owner = access(Some(MemberRole::Owner), false, AccountStatus::Active);
        owner.read_only = true;
        assert!(owner.can(Permission::View));
        for p in [
            Permission::Edit,
            Permission::Dns,
            Permission::Pay,
            Permission::Cancel,
        ] {
            assert!(
                matches!(owner.require(p), Err(ServiceError::Forbidden(_))),
                "{p:?}"
            );
        }
    }
}
