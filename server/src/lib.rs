//! The `ksf` server: configuration, the HTTP router and the admin commands.

pub mod cli;
pub mod config;
pub mod startup;
pub mod stripe_standin;
pub mod telemetry;
