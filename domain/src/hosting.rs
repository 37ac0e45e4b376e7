//! Hosting accounts' roles and what each may do: the permission table is
//! written once here, checked by the services and shown in the UI.

use serde::{Deserialize, Serialize};

/// A member's role in one hosting account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Owner,
    Admin,
    Developer,
    Billing,
    Viewer,
}

impl MemberRole {
    pub const ALL: [MemberRole; 5] = [
        MemberRole::Owner,
        MemberRole::Admin,
        MemberRole::Developer,
        MemberRole::Billing,
        MemberRole::Viewer,
    ];
    /// The roles an invitation or role change may give (ownership is
    /// transferred, never granted).
    pub const ASSIGNABLE: [MemberRole; 4] = [
        MemberRole::Admin,
        MemberRole::Developer,
        MemberRole::Billing,
        MemberRole::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberRole::Owner => "owner",
            MemberRole::Admin => "admin",
            MemberRole::Developer => "developer",
            MemberRole::Billing => "billing",
            MemberRole::Viewer => "viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MemberRole::Owner => "Owner",
            MemberRole::Admin => "Admin",
            MemberRole::Developer => "Developer",
            MemberRole::Billing => "Billing",
            MemberRole::Viewer => "Viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// A role that can be given by invitation or role change.
    pub fn parse_assignable(s: &str) -> Option<Self> {
        Self::parse(s).filter(|r| *r != MemberRole::Owner)
    }

    pub fn can(self, permission: Permission) -> bool {
        PERMISSIONS
            .iter()
            .find(|(p, _)| *p == permission)
            .is_some_and(|(_, roles)| roles.contains(&self))
    }

    /// The roles that have `permission`, as stored (for `role = ANY($n)`).
    pub fn names_with(permission: Permission) -> Vec<String> {
        Self::ALL
            .iter()
            .filter(|r| r.can(permission))
            .map(|r| r.as_str().to_string())
            .collect()
    }
}

/// Something a member may do in a hosting account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    View,
    Edit,
    ChangePlan,
    ManageSites,
    /// Add and remove domains and edit their DNS (every member reads it).
    Dns,
    ViewBilling,
    Pay,
    ManageMembers,
    Support,
    Cancel,
    TransferOwnership,
}

impl Permission {
    pub fn describe(self) -> &'static str {
        match self {
            Permission::View => "See the account, its usage, members and activity",
            Permission::Edit => "Edit the name, primary domain and region",
            Permission::ChangePlan => "Change the plan",
            Permission::ManageSites => "Manage sites",
            Permission::Dns => "Add domains and edit DNS (billing and viewer members can read it)",
            Permission::ViewBilling => "See invoices and payment methods",
            Permission::Pay => "Pay: checkout, paid plan changes, cancel or resume the subscription, cards",
            Permission::ManageMembers => "Invite members, change roles, remove members",
            Permission::Support => "Open support tickets about the account and read its tickets",
            Permission::Cancel => "Cancel the account",
            Permission::TransferOwnership => "Transfer ownership",
        }
    }
}

use MemberRole::*;

/// Who may do what. The one source of truth for checks and for the table
/// on the members page.
pub const PERMISSIONS: &[(Permission, &[MemberRole])] = &[
    (Permission::View, &[Owner, Admin, Developer, Billing, Viewer]),
    (Permission::Edit, &[Owner, Admin]),
    (Permission::ChangePlan, &[Owner, Admin, Billing]),
    (Permission::ManageSites, &[Owner, Admin, Developer]),
    (Permission::Dns, &[Owner, Admin, Developer]),
    (Permission::ViewBilling, &[Owner, Admin, Billing]),
    (Permission::Pay, &[Owner, Billing]),
    (Permission::ManageMembers, &[Owner, Admin]),
    (Permission::Support, &[Owner, Admin, Developer, Billing]),
    (Permission::Cancel, &[Owner]),
    (Permission::TransferOwnership, &[Owner]),
];

/// A hosting account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Pending,
    Active,
    Suspended,
    Cancelled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Pending => "pending",
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Active, Self::Suspended, Self::Cancelled]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Pending => "Pending",
            AccountStatus::Active => "Active",
            AccountStatus::Suspended => "Suspended",
            AccountStatus::Cancelled => "Cancelled",
        }
    }

    /// The badge class that shows it.
    pub fn badge(self) -> &'static str {
        match self {
            AccountStatus::Pending => "badge badge-info",
            AccountStatus::Active => "badge badge-success",
            AccountStatus::Suspended => "badge badge-warning",
            AccountStatus::Cancelled => "badge badge-danger",
        }
    }
}

crate::stored_as_text!(MemberRole);
crate::stored_as_text!(AccountStatus);

pub use crate::ids::AccountId;

/// A hosting account's name as its owner chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountNameError {
    #[error("Enter a name for the hosting account.")]
    Empty,
    #[error("Use at most 80 characters.")]
    TooLong,
    #[error("A name cannot contain control characters.")]
    ControlCharacters,
}

impl AccountName {
    pub fn parse(input: &str) -> Result<Self, AccountNameError> {
        let s = input.trim();
        if s.is_empty() {
            Err(AccountNameError::Empty)
        } else if s.chars().count() > 80 {
            Err(AccountNameError::TooLong)
        } else if s.chars().any(char::is_control) {
            Err(AccountNameError::ControlCharacters)
        } else {
            Ok(Self(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where an account is hosted: a label from a fixed list of our regions.
pub const REGIONS: &[(&str, &str)] = &[
    ("eu-central", "Europe — Frankfurt"),
    ("eu-west", "Europe — Dublin"),
    ("us-east", "North America — Virginia"),
    ("ap-southeast", "Asia Pacific — Singapore"),
];

/// One of our regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(&'static str);

impl Region {
    pub fn parse(code: &str) -> Option<Self> {
        REGIONS
            .iter()
            .find(|(c, _)| *c == code.trim())
            .map(|(c, _)| Region(c))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn label(self) -> &'static str {
        region_label(self.0)
    }
}

impl TryFrom<String> for Region {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Region::parse(&value).ok_or_else(|| format!("unknown region {value:?}"))
    }
}

impl From<Region> for String {
    fn from(value: Region) -> Self {
        value.0.to_string()
    }
}

pub fn region_label(code: &str) -> &str {
    REGIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or(code)
}

/// "12.3 GB": decimal units, as plans are sold.
pub fn format_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{} B", bytes.max(0))
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_table_reads_as_intended() {
        assert!(Owner.can(Permission::Cancel));
        assert!(!Admin.can(Permission::Cancel));
        assert!(Admin.can(Permission::ManageMembers));
        assert!(!Developer.can(Permission::ManageMembers));
        assert!(Developer.can(Permission::ManageSites));
        assert!(Developer.can(Permission::Dns) && !Billing.can(Permission::Dns));
        assert!(Billing.can(Permission::ChangePlan) && !Billing.can(Permission::Edit));
        assert!(Viewer.can(Permission::View));
        for (permission, _) in PERMISSIONS {
            if *permission != Permission::View {
                assert!(!Viewer.can(*permission), "{permission:?}");
            }
            assert!(Owner.can(*permission), "the owner may do everything");
        }
    }

    #[test]
    fn ownership_is_never_assignable() {
        assert_eq!(MemberRole::parse_assignable("owner"), None);
        assert_eq!(MemberRole::parse_assignable("viewer"), Some(Viewer));
        assert_eq!(MemberRole::parse("boss"), None);
    }

    #[test]
    fn account_names_are_trimmed_and_bounded() {
        assert_eq!(AccountName::parse("  Shop ").unwrap().as_str(), "Shop");
        assert_eq!(AccountName::parse(" ").unwrap_err(), AccountNameError::Empty);
        assert_eq!(
            AccountName::parse(&"x".repeat(81)).unwrap_err(),
            AccountNameError::TooLong
        );
    }
}
