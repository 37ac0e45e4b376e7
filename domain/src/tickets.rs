//! Support tickets: their states and how replies move them, categories,
//! priorities, and the limits on what a ticket may hold.

use serde::{Deserialize, Serialize};

/// Bodies of tickets and replies, in bytes of Markdown.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Files one ticket or reply may carry.
pub const MAX_FILES: usize = 5;
/// Bytes of one file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Resolved tickets close after this many days without a reply.
pub const CLOSE_AFTER_DAYS: i64 = 7;

macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $label:literal;)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code,)* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s.trim())
            }
        }

        crate::stored_as_text!($name);
    };
}

choice!(
    /// Where a ticket stands. Who acts next follows from it.
    TicketState {
        Open = "open", "Open";
        AwaitingStaff = "awaiting_staff", "Awaiting staff";
        AwaitingCustomer = "awaiting_customer", "Awaiting your reply";
        Resolved = "resolved", "Resolved";
        Closed = "closed", "Closed";
    }
);

choice!(
    Category {
        Technical = "technical", "Technical";
        Billing = "billing", "Billing";
        Account = "account", "Account";
        Domains = "domains", "Domains";
        Other = "other", "Other";
    }
);

choice!(
    Priority {
        Low = "low", "Low";
        Normal = "normal", "Normal";
        High = "high", "High";
        Urgent = "urgent", "Urgent";
    }
);

choice!(
    /// A customer's verdict on a resolved ticket.
    Rating {
        Good = "good", "Good";
        Bad = "bad", "Bad";
    }
);

impl TicketState {
    /// The state after a public reply: the other side acts next. A new
    /// ticket nobody answered yet stays open; a closed one takes no replies
    /// (`None`).
    pub fn after_reply(self, by_staff: bool) -> Option<TicketState> {
        match (self, by_staff) {
            (TicketState::Closed, _) => None,
            (_, true) => Some(TicketState::AwaitingCustomer),
            (TicketState::Open, false) => Some(TicketState::Open),
            (_, false) => Some(TicketState::AwaitingStaff),
        }
    }

    /// Staff have to act (the queue's "awaiting staff").
    pub fn staff_must_act(self) -> bool {
        matches!(self, TicketState::Open | TicketState::AwaitingStaff)
    }

    /// Still being worked on (not resolved or closed).
    pub fn is_active(self) -> bool {
        !matches!(self, TicketState::Resolved | TicketState::Closed)
    }

    /// What the customer reads: "awaiting staff" is "waiting for support"
    /// to them; the label is written from the customer's side.
    pub fn label_for(self, staff: bool) -> &'static str {
        match (self, staff) {
            (TicketState::AwaitingCustomer, true) => "Awaiting customer",
            (TicketState::AwaitingStaff | TicketState::Open, false) => "Waiting for support",
            _ => self.label(),
        }
    }

    pub fn badge(self) -> &'static str {
        match self {
            TicketState::Open => "badge badge-info",
            TicketState::AwaitingStaff => "badge badge-warning",
            TicketState::AwaitingCustomer => "badge badge-accent",
            TicketState::Resolved => "badge badge-success",
            TicketState::Closed => "badge",
        }
    }
}

impl Priority {
    pub fn badge(self) -> &'static str {
        match self {
            Priority::Low => "badge",
            Priority::Normal => "badge badge-info",
            Priority::High => "badge badge-warning",
            Priority::Urgent => "badge badge-danger",
        }
    }
}

/// A ticket's subject: 1–150 characters on one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject(String);

impl Subject {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s: String = input.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            Err("Say in a few words what the ticket is about.")
        } else if s.chars().count() > 150 {
            Err("Use at most 150 characters.")
        } else {
            Ok(Self(s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket's or reply's text in Markdown: not blank, at most 64 KB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body(String);

impl Body {
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = input.replace("\r\n", "\n");
        if text.trim().is_empty() {
            Err("Write a message.".into())
        } else if text.len() > MAX_BODY_BYTES {
            Err(format!(
                "The message is {} KB; at most 64 KB fit. Attach long logs as a file instead.",
                text.len().div_ceil(1024)
            ))
        } else {
            Ok(Self(text))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A ticket's number as people quote it.
pub fn ticket_label(number: i64) -> String {
    format!("#{number}")
}

/// The kinds of file a ticket may carry: by extension, the type it is
/// served with. Anything else (scripts, SVG, office macros) is refused.
pub const FILE_TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("pdf", "application/pdf"),
    ("txt", "text/plain"),
    ("log", "text/plain"),
    ("csv", "text/plain"),
    ("md", "text/plain"),
    ("zip", "application/zip"),
];

/// The `accept` attribute of the file input.
pub fn accept_attribute() -> String {
    FILE_TYPES
        .iter()
        .map(|(ext, _)| format!(".{ext}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_hands_the_ticket_to_the_other_side() {
        use TicketState::*;
        assert_eq!(Open.after_reply(true), Some(AwaitingCustomer));
        assert_eq!(Open.after_reply(false), Some(Open), "nobody answered yet");
        assert_eq!(AwaitingCustomer.after_reply(false), Some(AwaitingStaff));
        assert_eq!(AwaitingStaff.after_reply(true), Some(AwaitingCustomer));
        assert_eq!(
            Resolved.after_reply(false),
            Some(AwaitingStaff),
            "a reply reopens"
        );
        assert_eq!(Closed.after_reply(false), None);
        assert_eq!(Closed.after_reply(true), None);
    }

    #[test]
    fn stored_values_round_trip_and_unknown_ones_are_refused() {
        for s in TicketState::ALL {
            assert_eq!(TicketState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Category::parse("billing"), Some(Category::Billing));
        assert_eq!(Priority::parse("urgent"), Some(Priority::Urgent));
        assert_eq!(Priority::parse("critical"), None);
    }

    #[test]
    fn subjects_and_bodies_have_bounds() {
        assert_eq!(
            Subject::parse("  My  site\nis down ").unwrap().as_str(),
            "My site is down"
        );
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"x".repeat(151)).is_err());
        assert!(Body::parse(" \n ").is_err());
        assert!(Body::parse(&"a".repeat(MAX_BODY_BYTES)).is_ok());
        assert!(Body::parse(&"a".repeat(MAX_BODY_BYTES + 1)).is_err());
    }
}
