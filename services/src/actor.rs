//! Who a service acts for: the signed-in user, where the request came from,
//! and the time it is decided by. Built once per request at the edge
//! (`api::auth`), so services never read requests, cookies or clocks.

use time::OffsetDateTime;
use uuid::Uuid;

use domain::{CurrentUser, Role, StaffPermission, StaffRole, ViewedBy};

use crate::failure::ServiceError;

/// What staff whose role does not allow an action are told.
pub const STAFF_ROLE_FORBIDS: &str =
    "Your staff role does not allow this. An admin can change roles on the Staff page.";

/// What a change attempted while viewing as a customer is told.
pub const VIEW_ONLY: &str =
    "You are viewing as this customer: nothing can be changed. End the view to act as yourself.";

/// Where a request came from, recorded with sessions, sign-in attempts and
/// the activity log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// The client's address (behind trusted proxies: the forwarded one).
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A signed-in user acting through the portal.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: CurrentUser,
    pub client: ClientInfo,
    /// The time decisions are made by (step-up age, expiry, codes).
    pub now: OffsetDateTime,
}

impl Actor {
    pub fn id(&self) -> Uuid {
        self.user.user_id
    }

    /// Any staff member, whatever their role (they may look at staff pages).
    pub fn is_staff(&self) -> bool {
        self.staff_role().is_some()
    }

    /// The staff member's role; `None` for customers.
    pub fn staff_role(&self) -> Option<StaffRole> {
        self.user.staff_role.filter(|_| self.user.role == Role::Staff)
    }

    /// Whether the acting staff member's role allows `permission`.
    pub fn staff_can(&self, permission: StaffPermission) -> bool {
        self.staff_role().is_some_and(|r| r.can(permission))
    }

    /// Staff tools: customers learn nothing (not found); staff whose role
    /// does not allow `permission` are told so.
    pub fn require_staff(&self, permission: StaffPermission) -> Result<(), ServiceError> {
        match self.staff_role() {
            None => Err(ServiceError::NotFound("Page not found.")),
            Some(role) if role.can(permission) => Ok(()),
            Some(_) => Err(ServiceError::Forbidden(STAFF_ROLE_FORBIDS)),
        }
    }

    /// Set while staff view the portal as this user: nothing may change.
    pub fn viewed_by(&self) -> Option<&ViewedBy> {
        self.user.viewed_by.as_ref()
    }

    /// Refuses every change made while viewing as a customer.
    pub fn require_writable(&self) -> Result<(), ServiceError> {
        match self.viewed_by() {
            Some(_) => Err(ServiceError::Forbidden(VIEW_ONLY)),
            None => Ok(()),
        }
    }

    /// The same request seen as a public form's (where and when, no user).
    pub fn visitor(&self) -> Visitor {
        Visitor {
            client: self.client.clone(),
            now: self.now,
        }
    }
}

/// Anyone using a public form (sign up, sign in, reset): no user yet.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub client: ClientInfo,
    pub now: OffsetDateTime,
}
