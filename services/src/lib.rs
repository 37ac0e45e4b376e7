//! The service layer (server only): every query and side effect lives here.
//! Server functions, form handlers and CLI commands stay thin and call it.
//!
//! A service that acts for someone takes [`Deps`] (what it may use) and an
//! [`Actor`] (who, from where, when); one about a hosting account also takes
//! the [`hosting::access::Access`] that only the permission check makes.

pub mod activity;
pub mod actor;
pub mod audit;
pub mod billing;
pub mod clock;
pub mod customers;
pub mod dashboard;
pub mod demo;
pub mod dns;
pub mod export;
pub mod failure;
pub mod health;
pub mod hosting;
pub mod identity;
pub mod mail;
pub mod notifications;
pub mod operations;
pub mod passwords;
pub mod platform;
pub mod rate_limit;
pub mod realtime;
pub mod registrations;
pub mod retention;
pub mod search;
pub mod secret_box;
pub mod sites;
pub mod team;
pub mod tickets;
pub mod tokens;
pub mod users;

pub use actor::{Actor, ClientInfo, Visitor};
pub use identity::{sessions, sign_in, step_up, two_factor};

/// The schema migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The migrator `ksf migrate` runs. A database a newer release already
/// migrated is left as it is: rolling back is running the previous binary
/// on the newer schema, which migrations keep working (they add before a
/// later release removes).
pub fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("../migrations");
    migrator.set_ignore_missing(true);
    migrator
}

/// What services use besides their arguments: the database, the public
/// links put in emails, the key that seals secrets, the platform's limits
/// and the clock. One per process, cheap to clone.
#[derive(Debug, Clone)]
pub struct Deps {
    pub pool: sqlx::PgPool,
    pub links: identity::Links,
    pub secret_key: secret_box::SecretKey,
    pub limits: rate_limit::Limits,
    pub clock: clock::Clock,
    pub support: tickets::SupportSettings,
    pub billing: billing::BillingSettings,
    pub dns: dns::DnsSettings,
    pub registrations: registrations::RegistrationSettings,
    /// What hashing a new password costs (lower only in development and tests).
    pub password_cost: passwords::HashCost,
}
