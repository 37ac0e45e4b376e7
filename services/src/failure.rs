//! What every service error tells the edge: its HTTP status, the errors
//! that belong next to form fields, how long to wait, and whether the
//! action needs a recent authentication. `api::error` turns any of them into
//! a re-rendered form, a redirect or a server-function error.

use http::StatusCode;

/// Logs a failure with its whole cause chain and returns a short reference
/// the user can quote to support.
pub fn log_with_reference(failure: &(dyn std::error::Error + 'static)) -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let reference = format!("{:08x}", OsRng.next_u32());
    let mut chain = Vec::new();
    let mut source = failure.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    tracing::error!(%reference, error = %failure, causes = ?chain, "request failed");
    reference
}

/// A field and what is wrong with it, in words for the user.
pub type FieldError = (&'static str, String);

/// What the edge needs to know of a service error. `Display` is the
/// message shown to the user; internal errors say only that something
/// went wrong and keep the cause in `source()`.
pub trait Failure: std::error::Error + Send + Sync + 'static {
    /// 401, 403, 404, 409, 422, 429 or 500.
    fn status(&self) -> StatusCode;
    /// Errors that belong next to form fields (422).
    fn field_errors(&self) -> Vec<FieldError> {
        Vec::new()
    }
    /// Seconds to wait, for 429.
    fn retry_after(&self) -> Option<u64> {
        None
    }
    /// The action needs a recent authentication ("confirm it's you").
    fn needs_step_up(&self) -> bool {
        false
    }
}

/// Input to correct, by field (422). Collects every field's error so the
/// form shows them all at once.
#[derive(Debug, Default, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Please correct the highlighted fields.")]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    /// One field's error.
    pub fn field(name: &'static str, message: impl ToString) -> Self {
        Self(vec![(name, message.to_string())])
    }

    /// The value, or None with the field's error noted.
    pub fn check<T, E: std::fmt::Display>(&mut self, name: &'static str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                self.push(name, e);
                None
            }
        }
    }

    pub fn push(&mut self, name: &'static str, message: impl ToString) {
        self.0.push((name, message.to_string()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Err(self) when any field has an error.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl Failure for Invalid {
    fn status(&self) -> StatusCode {
        StatusCode::UNPROCESSABLE_ENTITY
    }

    fn field_errors(&self) -> Vec<FieldError> {
        self.0.clone()
    }
}

/// A failure with no better home: the database or another dependency
/// failed. Users see a generic message with a reference; the cause is
/// logged.
#[derive(Debug, thiserror::Error)]
#[error("Something went wrong on our side. Please try again.")]
pub struct Internal(#[source] pub anyhow::Error);

impl Failure for Internal {
    fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl From<sqlx::Error> for Internal {
    fn from(e: sqlx::Error) -> Self {
        Internal(e.into())
    }
}

/// The services' one error: what kind of failure, what to tell the user,
/// and the cause (logged, never shown). Areas add constructors where the
/// words are theirs (`hosting::not_found()`, `billing::not_configured()`);
/// the kind alone decides the status, so passing an error from one area
/// through another cannot change how it is answered.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Input to correct, by field (422).
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<FieldError>),
    /// The request cannot be used as it is: a link that is invalid or has
    /// expired, a sign-in that took too long (400).
    #[error("{0}")]
    BadRequest(&'static str),
    /// Who the user says they are was not proven (401).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Absent, or not the user's to see: the same answer, so it reveals
    /// nothing (404).
    #[error("{0}")]
    NotFound(&'static str),
    /// Seen but not allowed, in the area's words (403).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The action needs a recent authentication (403).
    #[error("For your security, confirm it's you first.")]
    StepUpRequired,
    /// Not possible in the current state; the message says why (409).
    #[error("{0}")]
    Conflict(String),
    /// A dependency (the payment provider) is not set up or did not
    /// answer: nothing was done, and the message says what to do (409).
    #[error("{message}")]
    Unavailable {
        message: &'static str,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Too many of something; try again after `wait` (429).
    #[error("{what} Try again in {} minute(s).", .wait.0.div_ceil(60))]
    RateLimited {
        what: &'static str,
        wait: crate::rate_limit::RetryAfter,
    },
    /// Our side failed; the cause is logged with a reference (500).
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] anyhow::Error),
}

impl ServiceError {
    /// `message` next to `field`.
    pub fn invalid(field: &'static str, message: impl ToString) -> Self {
        Self::Invalid(vec![(field, message.to_string())])
    }

    /// Our side failed because of `cause`.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }
}

/// Refuses with "`what` Try again in N minute(s)." for the wait a rate
/// limit answers (for `map_err`).
pub fn over(what: &'static str) -> impl Fn(crate::rate_limit::RetryAfter) -> ServiceError {
    move |wait| ServiceError::RateLimited { what, wait }
}

/// `message` next to `field`.
pub fn invalid(field: &'static str, message: impl ToString) -> ServiceError {
    ServiceError::invalid(field, message)
}

impl Failure for ServiceError {
    fn status(&self) -> StatusCode {
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Forbidden(_) | Self::StepUpRequired => StatusCode::FORBIDDEN,
            Self::Conflict(_) | Self::Unavailable { .. } => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(fields) => fields.clone(),
            _ => Vec::new(),
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { wait, .. } => Some(wait.0),
            _ => None,
        }
    }

    fn needs_step_up(&self) -> bool {
        matches!(self, Self::StepUpRequired)
    }
}

impl From<Invalid> for ServiceError {
    fn from(e: Invalid) -> Self {
        Self::Invalid(e.0)
    }
}

/// Failures of our own machinery are internal, cause kept.
macro_rules! internal_from {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for ServiceError {
            fn from(e: $t) -> Self {
                Self::Internal(e.into())
            }
        })*
    };
}

internal_from!(
    sqlx::Error,
    serde_json::Error,
    anyhow::Error,
    crate::mail::outbox::EnqueueError,
    crate::passwords::PasswordHashError,
    crate::secret_box::OpenError,
);

/// A full disk (or quota) is not a bug of ours to hide behind a reference:
/// the user is told that files cannot be stored now and that nothing was
/// done, and may try again later. Anything else is internal.
impl From<crate::tickets::files::StorageError> for ServiceError {
    fn from(e: crate::tickets::files::StorageError) -> Self {
        use std::io::ErrorKind;
        if matches!(e.0.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded) {
            tracing::error!(error = %e, "file storage is full");
            return Self::Unavailable {
                message: "Files cannot be stored right now, so nothing was sent. Please try again later, or send it without attachments.",
                source: Some(Box::new(e)),
            };
        }
        Self::Internal(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::RetryAfter;

    #[test]
    fn a_full_disk_is_told_as_such_and_other_storage_failures_are_internal() {
        use crate::tickets::files::StorageError;
        let full = ServiceError::from(StorageError(std::io::Error::from_raw_os_error(28)));
        assert_eq!(full.status(), StatusCode::CONFLICT);
        assert!(full.to_string().contains("cannot be stored right now"), "{full}");
        let other = ServiceError::from(StorageError(std::io::Error::from(
            std::io::ErrorKind::PermissionDenied,
        )));
        assert_eq!(other.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    /// Every kind answers with its own status, fields, wait and step-up,
    /// whichever area made it.
    #[test]
    fn the_kind_decides_the_answer() {
        let answer = |e: ServiceError| {
            (
                e.status().as_u16(),
                e.field_errors().len(),
                e.retry_after(),
                e.needs_step_up(),
            )
        };
        assert_eq!(answer(invalid("plan", "Choose a plan.")), (422, 1, None, false));
        assert_eq!(
            answer(ServiceError::BadRequest(crate::identity::LINK_EXPIRED)),
            (400, 0, None, false)
        );
        assert_eq!(
            answer(ServiceError::Unauthorized(crate::identity::WRONG_CREDENTIALS)),
            (401, 0, None, false)
        );
        assert_eq!(
            answer(crate::identity::too_many_attempts(RetryAfter(60))),
            (429, 0, Some(60), false)
        );
        assert_eq!(answer(crate::hosting::not_found()), (404, 0, None, false));
        assert_eq!(answer(crate::dns::not_found()), (404, 0, None, false));
        assert_eq!(answer(crate::tickets::forbidden()), (403, 0, None, false));
        assert_eq!(answer(ServiceError::StepUpRequired), (403, 0, None, true));
        assert_eq!(
            answer(ServiceError::Conflict("busy".into())),
            (409, 0, None, false)
        );
        assert_eq!(answer(crate::billing::not_configured()), (409, 0, None, false));
        let limited = ServiceError::RateLimited {
            what: "Too many.",
            wait: RetryAfter(120),
        };
        assert_eq!(answer(limited), (429, 0, Some(120), false));
        assert_eq!(
            answer(ServiceError::internal(anyhow::anyhow!("db down"))),
            (500, 0, None, false)
        );
    }

    #[test]
    fn an_internal_error_keeps_its_cause_and_shows_none_of_it() {
        let e = ServiceError::internal(anyhow::anyhow!("db down"));
        assert!(!e.to_string().contains("db down"));
        let cause = std::error::Error::source(&e).expect("the cause is kept");
        assert!(cause.to_string().contains("db down"));
    }
}
