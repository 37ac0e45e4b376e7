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
pub mod grace;
pub mod mail;
pub mod overview;
pub mod payments;
pub mod plan_change;
pub mod plans;
pub mod stripe;
pub mod subscriptions;
pub mod sync;
pub mod webhook_queue;
pub mod webhooks;

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
    pub fn gateway(&self) -> Result<&stripe::Gateway, ServiceError> {
        self.stripe.as_ref().ok_or(crate::billing::not_configured())
    }
}

pub const DEFAULT_GRACE_DAYS: i64 = 14;

pub use crate::failure::ServiceError;

pub fn not_configured() -> ServiceError {
    ServiceError::Unavailable {
        message: "Payments are not set up on this portal yet, so paid plans cannot be chosen. Please contact support.",
        source: None,
    }
}

/// Also the answer for what the user may not see: it reveals nothing.
pub fn not_found() -> ServiceError {
    ServiceError::NotFound("That does not exist, or you do not have access to it.")
}

pub fn forbidden() -> ServiceError {
    ServiceError::Forbidden("Only the account's owner or a billing member can do that.")
}

/// Stripe did not answer: nothing was charged.
impl From<::stripe::StripeError> for ServiceError {
    fn from(e: ::stripe::StripeError) -> Self {
        ServiceError::Unavailable {
            message: "The payment provider could not be reached. Nothing was charged; please try again in a moment.",
            source: Some(Box::new(e)),
        }
    }
}
