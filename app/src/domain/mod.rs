//! Validated value types shared by server and browser: parse, don't validate.
//! A value of one of these types is known to be well-formed.

pub mod domain_name;
pub mod email;
pub mod hosting;
pub mod next_path;
pub mod user;

pub use domain_name::DomainName;
pub use email::Email;
pub use hosting::{AccountName, AccountStatus, MemberRole, Permission};
pub use next_path::NextPath;
pub use user::{CurrentUser, DisplayName, Password, Role};
