//! Support tickets: customers open them (optionally about one of their
//! hosting accounts), staff work the queue, both sides reply; staff keep
//! internal notes that never reach a customer. Everything about one ticket
//! starts with `access::authorize`, whose `TicketAccess` every service here
//! takes.

pub mod access;
pub mod files;
pub mod lists;
pub mod mail;
pub mod markdown;
pub mod open;
pub mod quota;
pub mod thread;

use http::StatusCode;
use uuid::Uuid;

use crate::domain::live::EventKind;
use crate::services::failure::{Failure, FieldError, Invalid};
use crate::services::rate_limit::RetryAfter;

/// What support needs besides the database: where files are kept and
/// who hears of new tickets nobody is assigned to.
#[derive(Debug, Clone)]
pub struct SupportSettings {
    pub storage: files::Storage,
    /// `KSF_SUPPORT_EMAIL`: told of every new ticket and of customer
    /// replies to unassigned ones. None: staff see them in the queue only.
    pub address: Option<String>,
}

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            storage: files::Storage::local("data"),
            address: None,
        }
    }
}

/// What went wrong, in words for the user. `NotFound` is also the answer
/// for a ticket the user may not see, so it reveals nothing.
#[derive(Debug, thiserror::Error)]
pub enum TicketError {
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<FieldError>),
    #[error("That ticket does not exist, or you do not have access to it.")]
    NotFound,
    #[error("Only support staff can do that.")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error("{what} Try again in {} minute(s).", .wait.0.div_ceil(60))]
    RateLimited { what: &'static str, wait: RetryAfter },
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] anyhow::Error),
}

impl Failure for TicketError {
    fn status(&self) -> StatusCode {
        match self {
            TicketError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            TicketError::NotFound => StatusCode::NOT_FOUND,
            TicketError::Forbidden => StatusCode::FORBIDDEN,
            TicketError::Conflict(_) => StatusCode::CONFLICT,
            TicketError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            TicketError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            TicketError::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            TicketError::RateLimited { wait, .. } => Some(wait.0),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for TicketError {
    fn from(e: sqlx::Error) -> Self {
        TicketError::Internal(e.into())
    }
}

impl From<crate::services::mail::outbox::EnqueueError> for TicketError {
    fn from(e: crate::services::mail::outbox::EnqueueError) -> Self {
        TicketError::Internal(e.into())
    }
}

impl From<Invalid> for TicketError {
    fn from(e: Invalid) -> Self {
        TicketError::Invalid(e.0)
    }
}

impl From<files::StorageError> for TicketError {
    fn from(e: files::StorageError) -> Self {
        TicketError::Internal(e.into())
    }
}

/// What a refused hourly allowance says.
pub(crate) const OPENED_MANY: &str = "You opened many tickets in the last hour.";
pub(crate) const REPLIED_MANY: &str = "You sent many replies in the last hour.";

/// A full window of `rate_limit` as the user reads it.
pub(crate) fn over(what: &'static str) -> impl FnOnce(RetryAfter) -> TicketError {
    move |wait| TicketError::RateLimited { what, wait }
}

/// Announces a change to a ticket on the live stream, in the caller's
/// transaction: to its audience and staff, or (a staff note) to staff only.
pub(crate) async fn announce(
    conn: &mut sqlx::PgConnection,
    ticket_id: Uuid,
    internal: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (kind, ticket_id, staff, internal) VALUES ($1, $2, true, $3)",
        EventKind::Ticket.as_str(),
        ticket_id,
        internal
    )
    .execute(conn)
    .await?;
    Ok(())
}
