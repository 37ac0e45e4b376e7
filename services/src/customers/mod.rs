//! The staff console's customers: the directory (`search`), one
//! customer's whole picture (`profile`), and what staff may do for them
//! (`actions`), each audited. Staff only; anyone else is told the page
//! does not exist.

pub mod actions;
pub mod contact;
pub mod profile;
pub mod two_factor_reset;
pub mod view_as;

use domain::StaffPermission;
use sqlx::PgPool;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::failure::ServiceError;
use crate::hosting::access::require_staff;
use crate::Actor;
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

/// The customers matching `search`, a page at a time.
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn search(pool: &PgPool, actor: &Actor, search: &Search) -> Result<Found, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    let text = crate::search::typed(&search.text, 100);
    // "#1042" and "1042" both find ticket 1042.
    let ticket = text.trim_start_matches('#').parse::<i64>().ok();
    let like = crate::search::contains(&text);
    let page = search.page.clamp(1, MAX_PAGE);
    let mut rows = sqlx::query_as!(
        CustomerRow,
        r#"WITH hits AS (
               -- Each way of finding someone on its own index; none runs
               -- without a search (a one-time filter on $1).
               SELECT id FROM users WHERE $1 <> '' AND lower(email) LIKE $2
               UNION SELECT id FROM users WHERE $1 <> '' AND lower(display_name) LIKE $2
               UNION SELECT m.user_id FROM hosting_accounts a JOIN hosting_members m ON m.account_id = a.id
                     WHERE $1 <> '' AND lower(a.name) LIKE $2
               UNION SELECT m.user_id FROM hosting_accounts a JOIN hosting_members m ON m.account_id = a.id
                     WHERE $1 <> '' AND a.primary_domain LIKE $2
               UNION SELECT m.user_id FROM domains d JOIN hosting_members m ON m.account_id = d.account_id
                     WHERE $1 <> '' AND d.name LIKE $2
               UNION SELECT m.user_id FROM invoices i JOIN hosting_members m ON m.account_id = i.account_id
                     WHERE $1 <> '' AND m.role = 'owner' AND lower(i.number) = $1
               UNION SELECT user_id FROM billing_customers WHERE $1 <> '' AND lower(stripe_customer_id) = $1
               UNION SELECT author_id FROM tickets WHERE number = $3)
           SELECT u.id, u.email, u.display_name, u.created_at,
                  u.email_verified_at IS NOT NULL AS "verified!",
                  f.two_factor AS "two_factor!",
                  u.locked_at IS NOT NULL AS "locked!",
                  (SELECT count(*) FROM hosting_members m WHERE m.user_id = u.id) AS "accounts!",
                  f.unpaid AS "unpaid!"
           FROM users u, LATERAL (
               SELECT EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS two_factor,
                      EXISTS (SELECT 1 FROM hosting_members m JOIN invoices i ON i.account_id = m.account_id
                              WHERE m.user_id = u.id AND m.role = 'owner' AND i.status = 'open') AS unpaid) f
           WHERE u.role = 'customer'
             AND ($1 = '' OR u.id IN (SELECT id FROM hits))
             AND ($4::bool IS NULL OR (u.email_verified_at IS NOT NULL) = $4)
             AND (NOT $5 OR f.two_factor)
             AND (NOT $6 OR u.locked_at IS NOT NULL)
             AND (NOT $7 OR f.unpaid)
             AND ($8::date IS NULL OR u.created_at >= $8::date)
             AND ($9::date IS NULL OR u.created_at < $9::date + 1)
           ORDER BY
             CASE WHEN $10 = 'name' THEN lower(u.display_name) END,
             CASE WHEN $10 = 'email' THEN lower(u.email) END,
             CASE WHEN $10 = 'oldest' THEN u.created_at END,
             u.created_at DESC, u.id
           LIMIT $11 OFFSET $12"#,
        text,
        like,
        ticket,
        search.verified,
        search.two_factor,
        search.locked,
        search.unpaid,
        search.created_from,
        search.created_to,
        search.sort.as_str(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE && page < MAX_PAGE;
    rows.truncate(PAGE_SIZE as usize);
    Ok(Found { rows, has_next })
}
