//! What the live stream carries. Event kinds are written by SQL triggers
//! and services (the `events.kind` column), sent as the server-sent
//! event's name, and listened for by the islands: one enum for all three,
//! so a kind cannot be listened for that nobody sends.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A line in a hosting account's activity log (accounts, members,
    /// plans, DNS changes): the activity trigger.
    Activity,
    /// An invoice, payment or subscription of an account changed.
    Billing,
    /// A notification for one user (the bell): the notifications trigger.
    Notification,
    /// Someone signed up (staff only): the users trigger.
    SignUp,
    /// A ticket was opened, answered or changed state.
    Ticket,
    /// A hosting node reported usage for an account.
    Usage,
    /// A site went up or down on its node.
    Site,
}

impl EventKind {
    pub const ALL: &'static [EventKind] = &[
        EventKind::Activity,
        EventKind::Billing,
        EventKind::Notification,
        EventKind::SignUp,
        EventKind::Ticket,
        EventKind::Usage,
        EventKind::Site,
    ];

    /// As stored in `events.kind` and sent as the event's name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Activity => "activity",
            EventKind::Billing => "billing",
            EventKind::Notification => "notification",
            EventKind::SignUp => "sign_up",
            EventKind::Ticket => "ticket",
            EventKind::Usage => "usage",
            EventKind::Site => "site",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

crate::stored_as_text!(EventKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_name_is_the_serialised_one() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
            assert_eq!(
                serde_json::to_string(kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        assert_eq!(EventKind::parse("account"), None);
    }
}
