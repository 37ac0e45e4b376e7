//! The staff customer directory's choices, shared by the server and the
//! page that offers them.

/// How the directory is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Name,
    Email,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Newest, Sort::Oldest, Sort::Name, Sort::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Name => "name",
            Sort::Email => "email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "Newest first",
            Sort::Oldest => "Oldest first",
            Sort::Name => "Name",
            Sort::Email => "Email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The identity checks staff choose from before asking to reset a
/// customer's two-factor: (stored key, what staff tick).
pub const IDENTITY_CHECKS: &[(&str, &str)] = &[
    (
        "email_reply",
        "They wrote from the account's email address, and answered our reply to it",
    ),
    (
        "billing",
        "They told us the card's last four digits and the amount of their latest invoice",
    ),
    ("account_details", "They named their hosting accounts and domains"),
    (
        "id_document",
        "They showed a photo ID matching the account's name",
    ),
    (
        "phone_callback",
        "We called them back on a number we already had for them",
    ),
];
