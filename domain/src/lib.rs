//! Validated value types shared by server and browser: parse, don't validate.
//! A value of one of these types is known to be well-formed.

#[cfg(feature = "archive")]
pub mod archive;
pub mod billing;
pub mod customers;
pub mod dashboard;
pub mod dns;
pub mod domain_name;
pub mod email;
pub mod hosting;
pub mod idn;
pub mod ids;
pub mod live;
pub mod mail;
pub mod money;
pub mod next_path;
pub mod registration;
pub mod sites;
pub mod staff;
pub mod tickets;
pub mod user;

pub use domain_name::DomainName;
pub use email::Email;
pub use hosting::{AccountId, AccountName, AccountStatus, MemberRole, Permission};
pub use ids::{ChangeId, DomainId, DomainOrderId, OrderId, RecordId, TicketId, TicketNumber};
pub use next_path::NextPath;
pub use staff::{StaffPermission, StaffRole};
pub use user::{CurrentUser, DisplayName, Password, Role, ViewedBy};

/// The product name as customers see it.
pub const PRODUCT_NAME: &str = "KSFoundation";

/// Stores an enum with `as_str`/`parse` in a TEXT column (server only).
/// Reading a value the code does not know is an error, never a default.
#[cfg(feature = "ssr")]
#[macro_export]
macro_rules! stored_as_text {
    ($t:ty) => {
        impl ::sqlx::Type<::sqlx::Postgres> for $t {
            fn type_info() -> ::sqlx::postgres::PgTypeInfo {
                <str as ::sqlx::Type<::sqlx::Postgres>>::type_info()
            }
            fn compatible(ty: &::sqlx::postgres::PgTypeInfo) -> bool {
                <str as ::sqlx::Type<::sqlx::Postgres>>::compatible(ty)
            }
        }

        impl<'r> ::sqlx::Decode<'r, ::sqlx::Postgres> for $t {
            fn decode(value: ::sqlx::postgres::PgValueRef<'r>) -> Result<Self, ::sqlx::error::BoxDynError> {
                let text = <&str as ::sqlx::Decode<::sqlx::Postgres>>::decode(value)?;
                <$t>::parse(text)
                    .ok_or_else(|| format!("unknown {} {text:?} in the database", stringify!($t)).into())
            }
        }

        impl ::sqlx::Encode<'_, ::sqlx::Postgres> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut ::sqlx::postgres::PgArgumentBuffer,
            ) -> Result<::sqlx::encode::IsNull, ::sqlx::error::BoxDynError> {
                <&str as ::sqlx::Encode<::sqlx::Postgres>>::encode(self.as_str(), buf)
            }
        }

        impl ::sqlx::postgres::PgHasArrayType for $t {
            fn array_type_info() -> ::sqlx::postgres::PgTypeInfo {
                <&str as ::sqlx::postgres::PgHasArrayType>::array_type_info()
            }
        }
    };
}

/// Without `ssr` (the wasm bundle) the enums have no database encoding.
#[cfg(not(feature = "ssr"))]
#[macro_export]
macro_rules! stored_as_text {
    ($t:ty) => {};
}
