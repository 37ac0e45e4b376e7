//! What happened to an email after the provider took it, and why an
//! address is no longer mailed.

use serde::{Deserialize, Serialize};

/// The latest word from the provider about one sent email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    Delayed,
    Delivered,
    Bounced,
    Complained,
}

impl Delivery {
    pub const ALL: &'static [Delivery] = &[Self::Delayed, Self::Delivered, Self::Bounced, Self::Complained];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delayed => "delayed",
            Self::Delivered => "delivered",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.as_str() == s)
    }

    /// Nothing later changes it (a delay may still end either way).
    pub fn is_final(self) -> bool {
        self != Self::Delayed
    }
}

crate::stored_as_text!(Delivery);

/// Why an address is no longer mailed (security mail still goes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressionReason {
    /// The receiving server said the mailbox does not exist.
    Bounced,
    /// The recipient marked an email as spam.
    Complained,
}

impl SuppressionReason {
    pub const ALL: &'static [SuppressionReason] = &[Self::Bounced, Self::Complained];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bounced => "bounced",
            Self::Complained => "complained",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.as_str() == s)
    }

    /// For the person whose address it is.
    pub fn explained(self) -> &'static str {
        match self {
            Self::Bounced => "Our last email to this address was returned: the receiving server says the mailbox does not exist.",
            Self::Complained => "An email we sent to this address was marked as spam.",
        }
    }
}

crate::stored_as_text!(SuppressionReason);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back() {
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()), Some(*d));
        }
        for r in SuppressionReason::ALL {
            assert_eq!(SuppressionReason::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Delivery::parse("sent"), None);
    }
}
