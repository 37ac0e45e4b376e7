//! Domain registration: customers search for a free name, pay for it
//! through Stripe Checkout, and the worker registers it at the registrar
//! once the webhook confirms the payment, creates its zone (active at once)
//! and points the registry at the zone's own name servers. A refusal after
//! payment is refunded automatically.
//!
//! The portal talks to the registrar only through [`registrar::Registrar`]:
//! Namecheap's XML API (`namecheap`), which in development and tests points
//! at the local stand-in (`ksf-registrar-standin`, a development-only
//! binary). Without a registrar set up, domains are not sold and the search
//! page says so.

pub mod auto_renew;
pub mod catalogue;
mod fulfil;
pub mod manual;
pub mod namecheap;
pub mod orders;
pub mod reconcile;
pub mod registered;
pub mod registrar;
pub mod renewals;
pub mod search;
mod strays;
pub mod transfers;
pub mod worker;

use std::sync::Arc;

pub use crate::failure::ServiceError;
use registrar::Registrar;

/// Wakes the registration worker (it also polls).
pub const CHANNEL: &str = "ksf_domain_orders";

/// How domain sales are set up in this process.
#[derive(Debug, Clone, Default)]
pub struct RegistrationSettings {
    /// None: no registrar is set up, so domains are not sold.
    pub registrar: Option<Arc<dyn Registrar>>,
    /// Staff are warned when the reseller balance is below this (minor units).
    pub balance_warning_minor: i64,
}

impl RegistrationSettings {
    /// The registrar, or the error that says domains are not sold here.
    pub fn registrar(&self) -> Result<&dyn Registrar, ServiceError> {
        self.registrar.as_deref().ok_or(ServiceError::Unavailable {
            message: "Domain registration is not set up on this portal yet. You can still add a domain you registered elsewhere.",
            source: None,
        })
    }

    pub fn enabled(&self) -> bool {
        self.registrar.is_some()
    }
}

pub fn not_found() -> ServiceError {
    ServiceError::NotFound("There is no such domain order.")
}

/// What a registrar failure tells the customer: refusals in their words,
/// anything else as "try again" with the cause kept for the log.
pub(crate) fn unavailable(error: registrar::RegistrarError) -> ServiceError {
    match error {
        registrar::RegistrarError::Refused { message, .. } => ServiceError::Conflict(message),
        other => ServiceError::Unavailable {
            message:
                "The domain registrar did not answer. Nothing was charged; please try again in a minute.",
            source: Some(Box::new(other)),
        },
    }
}
