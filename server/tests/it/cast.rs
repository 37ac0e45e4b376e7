//! Who a permission matrix is checked against: one member of each role of
//! a hosting account, an outsider, staff and a signed-out visitor. Every
//! area's isolation test uses this one cast.

use domain::MemberRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Owner,
    Admin,
    Developer,
    Billing,
    Viewer,
    Outsider,
    Staff,
    SignedOut,
}

use Who::*;

pub const EVERYONE: [Who; 8] = [
    Owner, Admin, Developer, Billing, Viewer, Outsider, Staff, SignedOut,
];

/// The members, with their role in the account.
pub const MEMBERS: [(Who, MemberRole); 5] = [
    (Owner, MemberRole::Owner),
    (Admin, MemberRole::Admin),
    (Developer, MemberRole::Developer),
    (Billing, MemberRole::Billing),
    (Viewer, MemberRole::Viewer),
];

impl Who {
    /// Their role in the account, for members.
    pub fn role(self) -> Option<MemberRole> {
        MEMBERS.iter().find(|(w, _)| *w == self).map(|(_, r)| *r)
    }

    /// Their sign-in address ("owner@example.com").
    pub fn email(self) -> String {
        format!("{self:?}@example.com").to_lowercase()
    }
}
