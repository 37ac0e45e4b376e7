//! One module per route: what the page shows, rendered on the server.

pub mod areas;
pub mod dashboard;
pub mod errors;
pub mod sign_in;
