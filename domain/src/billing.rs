//! Billing's states, as Stripe names them and as the portal shows them.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal, $badge:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The badge class that shows it.
            pub fn badge(self) -> &'static str {
                match self { $($name::$variant => $badge),+ }
            }
        }

        crate::stored_as_text!($name);
    };
}
pub(crate) use text_enum;

text_enum! {
    /// A Stripe subscription's status.
    SubscriptionStatus {
        Incomplete => "incomplete", "Awaiting payment", "badge badge-info";
        IncompleteExpired => "incomplete_expired", "Payment not completed", "badge badge-danger";
        Trialing => "trialing", "Trial", "badge badge-info";
        Active => "active", "Active", "badge badge-success";
        PastDue => "past_due", "Past due", "badge badge-warning";
        Canceled => "canceled", "Cancelled", "badge badge-danger";
        Unpaid => "unpaid", "Unpaid", "badge badge-danger";
        Paused => "paused", "Paused", "badge badge-warning";
    }
}

impl SubscriptionStatus {
    /// Still billing (or about to): an account has at most one such.
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    /// The account is owed a payment.
    pub fn is_overdue(self) -> bool {
        matches!(self, Self::PastDue | Self::Unpaid)
    }
}

text_enum! {
    /// A Stripe invoice's status.
    InvoiceStatus {
        Draft => "draft", "Draft", "badge badge-info";
        Open => "open", "Due", "badge badge-warning";
        Paid => "paid", "Paid", "badge badge-success";
        Uncollectible => "uncollectible", "Uncollectible", "badge badge-danger";
        Void => "void", "Void", "badge badge-info";
    }
}

text_enum! {
    /// Where a purchase stands.
    OrderStatus {
        Open => "open", "Awaiting payment", "badge badge-info";
        Paid => "paid", "Paid", "badge badge-success";
        Expired => "expired", "Expired", "badge badge-danger";
    }
}

text_enum! {
    /// What an order buys.
    OrderKind {
        NewAccount => "new_account", "New hosting account", "badge badge-info";
        Reactivation => "reactivation", "Reactivation", "badge badge-info";
        Upgrade => "upgrade", "Move to a paid plan", "badge badge-info";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_what_it_writes() {
        for s in SubscriptionStatus::ALL {
            assert_eq!(SubscriptionStatus::parse(s.as_str()), Some(*s));
        }
        for s in InvoiceStatus::ALL {
            assert_eq!(InvoiceStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(SubscriptionStatus::parse("activ"), None);
        assert!(SubscriptionStatus::PastDue.is_live() && SubscriptionStatus::PastDue.is_overdue());
        assert!(!SubscriptionStatus::Canceled.is_live());
    }
}
