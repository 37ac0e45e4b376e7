//! Ids that cross a boundary (a URL, a form, a service call) as their own
//! types, so a record's id cannot be passed where a domain's is expected.
//! Each is stored as its inner value (`sqlx(transparent)`).

use serde::{Deserialize, Serialize};

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// None for anything that is not a UUID (it names nothing).
            pub fn parse(input: &str) -> Option<Self> {
                uuid::Uuid::parse_str(input.trim()).ok().map(Self)
            }

            pub fn uuid(self) -> uuid::Uuid {
                self.0
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

macro_rules! number_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(i64);

        impl $name {
            /// None for anything but a positive whole number.
            pub fn parse(input: &str) -> Option<Self> {
                input.trim().parse::<i64>().ok().and_then(Self::new)
            }

            /// None unless positive (the database's ids start at 1).
            pub fn new(n: i64) -> Option<Self> {
                (n > 0).then_some(Self(n))
            }

            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// A hosting account's id, as it appears in URLs and forms.
    AccountId
);
uuid_id!(
    /// A domain (a DNS zone) on the platform.
    DomainId
);
uuid_id!(
    /// One record of a zone.
    RecordId
);
uuid_id!(
    /// A ticket's row; customers and staff name a ticket by its number.
    TicketId
);
uuid_id!(
    /// An order for a hosting plan, paid through Checkout.
    OrderId
);
uuid_id!(
    /// An order for a domain (its registration), paid through Checkout.
    DomainOrderId
);
number_id!(
    /// A ticket's number, as customers quote it ("#42").
    TicketNumber
);
number_id!(
    /// One entry of a zone's change history (what undo reverts).
    ChangeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_what_names_one() {
        let id = "6f1c2f5e-8b1a-4c53-9a7e-3d2b1c0f9e8d";
        assert_eq!(RecordId::parse(id).map(|r| r.to_string()).as_deref(), Some(id));
        assert_eq!(DomainId::parse(" not-a-uuid "), None);
        assert_eq!(TicketNumber::parse(" 42 ").map(TicketNumber::get), Some(42));
        for bad in ["0", "-3", "4.5", "", "9999999999999999999999"] {
            assert_eq!(TicketNumber::parse(bad), None, "{bad}");
        }
    }
}
