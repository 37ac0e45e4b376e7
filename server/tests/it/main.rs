//! Integration tests: the real server on an ephemeral port, a fresh
//! PostgreSQL database per test (`#[sqlx::test]`), and clients that keep
//! cookies as a browser does.

mod backup;
mod builders;
mod cast;
mod customers;
mod error_reporting;
mod faults;
mod helpers;

mod billing;
mod dashboard;
mod deploys;
mod directory;
mod dns;
mod hardening;
mod hardening_ii;
mod hosting;
mod https;
mod identity;
mod live;
mod logs;
mod near_quota;
mod nodes;
mod operations;
mod outbox;
mod registrations;
mod rendering;
mod retention;
mod sessions;
mod shell;
mod site_moves;
mod sites;
mod staff_roles;
mod step_up;
mod tickets;
mod two_factor;
mod usage;
mod view_as;
