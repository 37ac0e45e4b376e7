//! One module per route: what the page shows, rendered on the server.

pub mod activity;
pub mod audit;
pub mod billing;
pub mod customers;
pub mod dashboard;
pub mod dev_mailbox;
pub mod dns;
pub mod errors;
pub mod export;
pub mod hosting;
pub mod identity;
pub mod invitations;
pub mod notifications;
pub mod operations;
pub mod platform;
pub mod registrations;
pub mod sessions;
pub mod settings;
pub mod sites;
pub mod staff;
pub mod team;
pub mod tickets;
pub mod two_factor;
