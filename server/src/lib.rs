//! The `ksf` server: configuration, the HTTP router, the authoritative DNS
//! server and the admin commands.

pub mod assets;
pub mod backup;
pub mod cli;
pub mod config;
pub mod maintenance;
pub mod metrics;
pub mod startup;
pub mod telemetry;
