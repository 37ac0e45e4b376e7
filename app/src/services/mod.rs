//! The service layer (server only): every query and side effect lives here.
//! Server functions and CLI commands stay thin and call into it.

pub mod demo;
pub mod health;
pub mod passwords;
pub mod users;

/// The schema migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
