//! Staff roles and what each may do. [`STAFF_PERMISSIONS`] is the one
//! table: services check it, the staff page shows it.

use serde::{Deserialize, Serialize};

/// What a staff member is trusted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    Admin,
    Support,
    Billing,
    Readonly,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [
        StaffRole::Admin,
        StaffRole::Support,
        StaffRole::Billing,
        StaffRole::Readonly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Support => "support",
            StaffRole::Billing => "billing",
            StaffRole::Readonly => "readonly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Admin => "Admin",
            StaffRole::Support => "Support",
            StaffRole::Billing => "Billing",
            StaffRole::Readonly => "Read-only",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn can(self, permission: StaffPermission) -> bool {
        STAFF_PERMISSIONS
            .iter()
            .find(|(p, _)| *p == permission)
            .is_some_and(|(_, roles)| roles.contains(&self))
    }
}

crate::stored_as_text!(StaffRole);

/// Something staff may do on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffPermission {
    /// Read every staff page: customers, accounts, tickets, billing, nodes, audit.
    Look,
    /// Help customers: reply to tickets, lock, unlock, end sessions, notes,
    /// resend verification, change an email address, suspend and move accounts.
    Support,
    /// See the portal as a customer sees it, read-only.
    ViewAs,
    /// Ask for, and approve another's, reset of a customer's two-factor.
    ResetTwoFactor,
    /// Invoices, refunds, plan changes, webhook replays, domain orders.
    Billing,
    /// The plan catalogue, hosting nodes and the system page's tools.
    Platform,
    /// Give staff their roles.
    ManageStaff,
}

impl StaffPermission {
    pub fn describe(self) -> &'static str {
        match self {
            StaffPermission::Look => "See every staff page: customers, accounts, tickets, billing, nodes and the audit log",
            StaffPermission::Support => "Help customers: answer tickets, lock and unlock, end sessions, notes, resend verification, change an email address, suspend, resume and move accounts",
            StaffPermission::ViewAs => "View the portal as a customer (read-only, 15 minutes)",
            StaffPermission::ResetTwoFactor => "Reset a customer's two-factor (a second staff member approves)",
            StaffPermission::Billing => "Invoices, refunds, subscriptions and plan changes, webhook replays, domain orders and TLD prices",
            StaffPermission::Platform => "Edit plans and hosting nodes",
            StaffPermission::ManageStaff => "Change staff roles",
        }
    }
}

use StaffRole::*;

/// Who among staff may do what.
pub const STAFF_PERMISSIONS: &[(StaffPermission, &[StaffRole])] = &[
    (StaffPermission::Look, &[Admin, Support, Billing, Readonly]),
    (StaffPermission::Support, &[Admin, Support]),
    (StaffPermission::ViewAs, &[Admin, Support]),
    (StaffPermission::ResetTwoFactor, &[Admin, Support]),
    (StaffPermission::Billing, &[Admin, Billing]),
    (StaffPermission::Platform, &[Admin]),
    (StaffPermission::ManageStaff, &[Admin]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_in_the_table_and_admin_has_all() {
        let all = [
            StaffPermission::Look,
            StaffPermission::Support,
            StaffPermission::ViewAs,
            StaffPermission::ResetTwoFactor,
            StaffPermission::Billing,
            StaffPermission::Platform,
            StaffPermission::ManageStaff,
        ];
        assert_eq!(all.len(), STAFF_PERMISSIONS.len());
        for p in all {
            assert!(Admin.can(p), "{p:?}");
        }
        assert!(Readonly.can(StaffPermission::Look));
        assert!(!Readonly.can(StaffPermission::Support));
        assert!(!Billing.can(StaffPermission::ViewAs));
        assert!(!Support.can(StaffPermission::Billing));
    }

    #[test]
    fn roles_read_back_from_their_names_only() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }
}
