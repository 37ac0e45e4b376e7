//! Validated value types shared by server and browser: parse, don't validate.
//! A value of one of these types is known to be well-formed.

pub mod email;
pub mod next_path;
pub mod user;

pub use email::Email;
pub use next_path::NextPath;
pub use user::{CurrentUser, DisplayName, Password, Role};
