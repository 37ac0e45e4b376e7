//! The staff console's customers: the directory (`search`), one
//! customer's whole picture (`profile`), and what staff may do for them
//! (`actions`), each audited. Staff only; anyone else is told the page
//! does not exist.

pub mod actions;
pub mod contact;
mod directory;
pub mod profile;
pub mod two_factor_reset;
pub mod view_as;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::failure::ServiceError;
pub use directory::search;
pub use domain::customers::Sort;

/// Customers per page of the directory.
pub const PAGE_SIZE: i64 = 25;
/// The last page one can ask for: past it, search narrower.
pub const MAX_PAGE: i64 = 400;

/// Also the answer for a staff member, or an id that is nobody's.
pub fn not_found() -> ServiceError {
    ServiceError::NotFound("No customer has that id.")
}

/// What staff typed and ticked, checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Search {
    /// Name, email, domain, account name, invoice number, Stripe customer
    /// id or ticket number (at most 100 characters).
    pub text: String,
    pub verified: Option<bool>,
    pub two_factor: bool,
    pub locked: bool,
    pub unpaid: bool,
    pub created_from: Option<Date>,
    pub created_to: Option<Date>,
    pub sort: Sort,
    /// From 1.
    pub page: i64,
}

/// One line of the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub created_at: OffsetDateTime,
    pub verified: bool,
    pub two_factor: bool,
    pub locked: bool,
    pub accounts: i64,
    pub unpaid: bool,
}

/// A page of customers and whether there is a next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub rows: Vec<CustomerRow>,
    pub has_next: bool,
}
