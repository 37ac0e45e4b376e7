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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::billing::BillingError;
    use crate::services::dns::DnsError;
    use crate::services::hosting::HostingError;
    use crate::services::rate_limit::RetryAfter;

    fn every_kind() -> Vec<HostingError> {
        vec![
            HostingError::Invalid(vec![("plan", "Choose one of the plans offered.".into())]),
            HostingError::NotFound,
            HostingError::Forbidden,
            HostingError::StepUpRequired,
            HostingError::Conflict("busy".into()),
            HostingError::RateLimited {
                what: "Too many.",
                wait: RetryAfter(120),
            },
            HostingError::Internal(anyhow::anyhow!("db down")),
        ]
    }

    fn kind(f: &dyn Failure) -> (StatusCode, Vec<FieldError>, Option<u64>, bool) {
        (f.status(), f.field_errors(), f.retry_after(), f.needs_step_up())
    }

    /// A retired plan at checkout answered 500: hosting's "invalid" became
    /// billing's "internal" on the way.
    #[test]
    fn conversions_between_service_errors_keep_their_kind() {
        for e in every_kind() {
            let k = kind(&e);
            assert_eq!(kind(&BillingError::from(e)), k);
        }
        for e in every_kind() {
            let k = kind(&e);
            assert_eq!(kind(&DnsError::from(e)), k);
        }
        let billing = BillingError::from(HostingError::Internal(anyhow::anyhow!("db down")));
        let cause = std::error::Error::source(&billing).expect("the cause is kept");
        assert!(cause.to_string().contains("db down"));
    }
}
