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
pub mod usage;

use http::StatusCode;

use crate::services::failure::{Failure, FieldError, Invalid};
use crate::services::rate_limit::RetryAfter;

/// What went wrong, in words for the user. `NotFound` is also the answer
/// for an account the user may not see, so it reveals nothing.
#[derive(Debug, thiserror::Error)]
pub enum HostingError {
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<FieldError>),
    #[error("That hosting account does not exist, or you do not have access to it.")]
    NotFound,
    #[error("Your role in this hosting account does not allow that.")]
    Forbidden,
    #[error("For your security, confirm it's you first.")]
    StepUpRequired,
    #[error("{0}")]
    Conflict(String),
    #[error("{what} Try again in {} minute(s).", .wait.0.div_ceil(60))]
    RateLimited { what: &'static str, wait: RetryAfter },
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] anyhow::Error),
}

impl Failure for HostingError {
    fn status(&self) -> StatusCode {
        match self {
            HostingError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            HostingError::NotFound => StatusCode::NOT_FOUND,
            HostingError::Forbidden | HostingError::StepUpRequired => StatusCode::FORBIDDEN,
            HostingError::Conflict(_) => StatusCode::CONFLICT,
            HostingError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            HostingError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            HostingError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            HostingError::RateLimited { wait, .. } => Some(wait.0),
            _ => None,
        }
    }

    fn needs_step_up(&self) -> bool {
        matches!(self, HostingError::StepUpRequired)
    }
}

impl From<sqlx::Error> for HostingError {
    fn from(e: sqlx::Error) -> Self {
        HostingError::Internal(e.into())
    }
}

impl From<crate::services::mail::outbox::EnqueueError> for HostingError {
    fn from(e: crate::services::mail::outbox::EnqueueError) -> Self {
        HostingError::Internal(e.into())
    }
}

impl From<Invalid> for HostingError {
    fn from(e: Invalid) -> Self {
        HostingError::Invalid(e.0)
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

/// A page number from outside, within bounds.
pub fn page_number(page: i64) -> i64 {
    page.clamp(1, 100_000)
}
