//! The service layer (server only): every query and side effect lives here.
//! Server functions and CLI commands stay thin and call into it.

pub mod accounts;
pub mod activity;
pub mod clock;
pub mod demo;
pub mod health;
pub mod hosting;
pub mod mail;
pub mod passwords;
pub mod rate_limit;
pub mod secret_box;
pub mod sessions;
pub mod sign_in;
pub mod step_up;
pub mod tokens;
pub mod two_factor;
pub mod users;

/// The schema migrations, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
