use serde::{Deserialize, Serialize};

/// Who is making a request, resolved from the session cookie on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: uuid::Uuid,
    pub session_id: uuid::Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// When this session last proved who the user is (sign-in or "confirm
    /// it's you"), in Unix seconds: step-up checks read it.
    pub authenticated_at: i64,
    /// Two-factor authentication is on for this user.
    pub two_factor: bool,
    /// A staff member's role (`None` for customers).
    pub staff_role: Option<crate::staff::StaffRole>,
    /// Set while a staff member views the portal as this user: the request
    /// is read-only and every page says so.
    pub viewed_by: Option<ViewedBy>,
}

/// The staff member behind a "view as customer" request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ViewedBy {
    pub staff_id: uuid::Uuid,
    pub staff_name: String,
    /// When the view ends, in Unix seconds.
    pub until: i64,
}

/// What kind of user this is. Staff see the platform view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(Role::Customer),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

crate::stored_as_text!(Role);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayNameError {
    #[error("Enter your name.")]
    Empty,
    #[error("That name is too long (at most 100 characters).")]
    TooLong,
    #[error("A name cannot contain control characters.")]
    ControlCharacters,
}

/// The name shown for a user: trimmed, 1 to 100 characters, printable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, DisplayNameError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if s.chars().count() > 100 {
            return Err(DisplayNameError::TooLong);
        }
        if s.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacters);
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DisplayNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DisplayName> for String {
    fn from(value: DisplayName) -> Self {
        value.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Use at least {min} characters.", min = Password::MIN_CHARS)]
    TooShort,
    #[error("Use at most {max} characters.", max = Password::MAX_CHARS)]
    TooLong,
    #[error("This password is too common and easy to guess. Choose another.")]
    TooCommon,
}

/// Long passwords that are still among the first an attacker tries.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn is_common(candidate: &str) -> bool {
    let lower = candidate.to_lowercase();
    let one_repeated_char = lower.chars().all(|c| lower.starts_with(c));
    one_repeated_char || COMMON_PASSWORDS.lines().any(|p| p == lower)
}

/// A new password that meets the length policy. Never logged: `Debug`
/// prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let n = input.chars().count();
        if n < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if n > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if is_common(input) {
            return Err(PasswordError::TooCommon);
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(********)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Ana López ").unwrap().as_str(), "Ana López");
        assert_eq!(DisplayName::parse(" \t"), Err(DisplayNameError::Empty));
        assert_eq!(
            DisplayName::parse(&"x".repeat(101)),
            Err(DisplayNameError::TooLong)
        );
        assert_eq!(
            DisplayName::parse("Ana\u{7}"),
            Err(DisplayNameError::ControlCharacters)
        );
    }

    #[test]
    fn passwords_have_a_length_policy_and_never_print() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        assert_eq!(Password::parse(&"x".repeat(257)), Err(PasswordError::TooLong));
        assert_eq!(Password::parse("Password1234"), Err(PasswordError::TooCommon));
        assert_eq!(Password::parse("zzzzzzzzzzzzzzzz"), Err(PasswordError::TooCommon));
        let p = Password::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
    }

    #[test]
    fn roles_round_trip() {
        for r in [Role::Customer, Role::Staff] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
