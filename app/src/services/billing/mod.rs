//! Billing with Stripe: a subscription per hosting account on a paid plan,
//! paid through Checkout; Stripe's signed webhooks are stored, then applied
//! once each by a worker that refetches the object they are about, so the
//! portal's copy follows Stripe whatever order events arrive in.
//!
//! The portal talks to Stripe only through `stripe::Gateway` (the
//! `async-stripe` client). Without keys in development and tests, the
//! client's base URL points at the local stand-in (`ksf-stripe-standin`, a development-only binary);
//! without any Stripe set up in production, billing says so and paid plans
//! cannot be chosen.

pub mod checkout;
pub mod demo;
pub mod events;
pub mod grace;
pub mod mail;
pub mod overview;
pub mod plans;
pub mod stripe;
pub mod subscriptions;
pub mod sync;
pub mod webhooks;

use http::StatusCode;

use crate::services::failure::{Failure, FieldError};
use crate::services::hosting::HostingError;
use crate::services::rate_limit::RetryAfter;

/// How billing is set up in this process.
#[derive(Clone, Default)]
pub struct BillingSettings {
    /// None: payments are not set up (paid plans cannot be chosen).
    pub stripe: Option<stripe::Gateway>,
    /// The webhook signing secret (`STRIPE_WEBHOOK_SECRET`).
    pub webhook_secret: Option<String>,
    /// Days an account may stay past due before it is suspended.
    pub grace_days: i64,
    /// Checkout computes tax (Stripe Tax) and takes promotion codes.
    pub checkout_tax: bool,
    pub checkout_promotion_codes: bool,
}

impl std::fmt::Debug for BillingSettings {
    // Never print the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillingSettings")
            .field("stripe", &self.stripe.as_ref().map(|g| g.base_url()))
            .field("grace_days", &self.grace_days)
            .finish_non_exhaustive()
    }
}

impl BillingSettings {
    pub fn enabled(&self) -> bool {
        self.stripe.is_some()
    }

    /// The gateway, or the error that says payments are not set up.
    pub fn gateway(&self) -> Result<&stripe::Gateway, BillingError> {
        self.stripe.as_ref().ok_or(BillingError::NotConfigured)
    }
}

pub const DEFAULT_GRACE_DAYS: i64 = 14;

/// What went wrong, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error(
        "Payments are not set up on this portal yet, so paid plans cannot be chosen. Please contact support."
    )]
    NotConfigured,
    #[error("That does not exist, or you do not have access to it.")]
    NotFound,
    #[error("Only the account's owner or a billing member can do that.")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error("{}", .0.first().map(|(_, m)| m.as_str()).unwrap_or("Please correct the highlighted fields."))]
    Invalid(Vec<FieldError>),
    #[error("{what} Try again in {} minute(s).", .wait.0.div_ceil(60))]
    RateLimited { what: &'static str, wait: RetryAfter },
    #[error("Please confirm it's you first.")]
    StepUpRequired,
    #[error("The payment provider could not be reached. Nothing was charged; please try again in a moment.")]
    Provider(#[source] ::stripe::StripeError),
    #[error("Something went wrong on our side. Please try again.")]
    Internal(#[source] anyhow::Error),
}

impl BillingError {
    /// `message` next to `field`.
    pub fn invalid(field: &'static str, message: String) -> Self {
        Self::Invalid(vec![(field, message)])
    }
}

impl From<sqlx::Error> for BillingError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(e.into())
    }
}

impl From<::stripe::StripeError> for BillingError {
    fn from(e: ::stripe::StripeError) -> Self {
        Self::Provider(e)
    }
}

impl From<HostingError> for BillingError {
    fn from(e: HostingError) -> Self {
        // Every kind kept, with its fields, wait and cause: no catch-all, so
        // a new kind must be mapped here.
        match e {
            HostingError::Invalid(fields) => Self::Invalid(fields),
            HostingError::NotFound => Self::NotFound,
            HostingError::Forbidden => Self::Forbidden,
            HostingError::StepUpRequired => Self::StepUpRequired,
            HostingError::Conflict(m) => Self::Conflict(m),
            HostingError::RateLimited { what, wait } => Self::RateLimited { what, wait },
            HostingError::Internal(e) => Self::Internal(e),
        }
    }
}

impl Failure for BillingError {
    fn status(&self) -> StatusCode {
        match self {
            // Stripe being unreachable is a state to retry from: its own
            // message (logged with its cause where it happens) says so.
            Self::NotConfigured | Self::Conflict(_) | Self::Provider(_) => StatusCode::CONFLICT,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::StepUpRequired => StatusCode::FORBIDDEN,
            Self::Invalid(..) => StatusCode::UNPROCESSABLE_ENTITY,
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
