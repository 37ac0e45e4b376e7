//! Hosting accounts and their teams. Everything about one account starts
//! with `access::authorize`, which returns the `Access` capability every
//! service here takes; each service then requires the permission it needs
//! (`Access::require`), so none can run unchecked.

pub mod access;
pub mod accounts;
pub mod feed;
pub mod invitations;
pub mod members;
pub mod node_tokens;
pub mod plans;
pub mod status;
pub mod usage;

pub use crate::failure::{invalid, ServiceError};

/// Also the answer for an account the user may not see: it reveals nothing.
pub fn not_found() -> ServiceError {
    ServiceError::NotFound("That hosting account does not exist, or you do not have access to it.")
}

pub fn forbidden() -> ServiceError {
    ServiceError::Forbidden("Your role in this hosting account does not allow that.")
}

/// A page of a list, from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub has_next: bool,
}

/// A page number from outside, within bounds.
pub fn page_number(page: i64) -> i64 {
    page.clamp(1, 100_000)
}
