//! One module per route: what the page shows, rendered on the server.

pub mod accounts;
pub mod activity;
pub mod billing;
pub mod dashboard;
pub mod dev_mailbox;
pub mod domains;
pub mod errors;
pub mod hosting;
pub mod invitations;
pub mod notifications;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod support;
pub mod two_factor;
