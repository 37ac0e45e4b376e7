//! Hosting accounts and their teams. Every function takes the acting user
//! and checks membership and role (`access::authorize`) before it reads or
//! changes anything; queries are scoped by what that check returned.

pub mod access;
pub mod accounts;
pub mod feed;
pub mod invitations;
pub mod members;
pub mod node_tokens;
pub mod plans;
pub mod usage;

/// What went wrong, in words for the user. `NotFound` is also the answer
/// for an account the user may not see, so it reveals nothing.
#[derive(Debug, thiserror::Error)]
pub enum HostingError {
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<(&'static str, String)>),
    #[error("That hosting account does not exist, or you do not have access to it.")]
    NotFound,
    #[error("Your role in this hosting account does not allow that.")]
    Forbidden,
    #[error("For your security, confirm it's you first.")]
    StepUpRequired,
    #[error("{0}")]
    Conflict(String),
    #[error("Too many invitations from this account. Try again in {} minute(s).", .0.0.div_ceil(60))]
    RateLimited(crate::services::rate_limit::RetryAfter),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(String),
}

impl From<sqlx::Error> for HostingError {
    fn from(e: sqlx::Error) -> Self {
        HostingError::Internal(e.to_string())
    }
}

impl From<crate::services::mail::outbox::EnqueueError> for HostingError {
    fn from(e: crate::services::mail::outbox::EnqueueError) -> Self {
        HostingError::Internal(e.to_string())
    }
}

pub(crate) fn invalid(field: &'static str, message: impl ToString) -> HostingError {
    HostingError::Invalid(vec![(field, message.to_string())])
}

/// A page of a list, from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: i64,
    pub has_next: bool,
}
