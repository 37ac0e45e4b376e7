//! Support tickets: customers open them (optionally about one of their
//! hosting accounts), staff work the queue, both sides reply; staff keep
//! internal notes that never reach a customer. Everything about one ticket
//! starts with `access::authorize`, whose `TicketAccess` every service here
//! takes.

pub mod access;
pub mod files;
pub mod lists;
pub mod mail;
pub mod markdown;
pub mod open;
pub mod quota;
pub mod thread;

use uuid::Uuid;

use domain::live::EventKind;

/// What support needs besides the database: where files are kept and
/// who hears of new tickets nobody is assigned to.
#[derive(Debug, Clone)]
pub struct SupportSettings {
    pub storage: files::Storage,
    /// `KSF_SUPPORT_EMAIL`: told of every new ticket and of customer
    /// replies to unassigned ones. None: staff see them in the queue only.
    pub address: Option<String>,
}

impl Default for SupportSettings {
    fn default() -> Self {
        Self {
            storage: files::Storage::local("data"),
            address: None,
        }
    }
}

pub use crate::failure::ServiceError;

/// Also the answer for a ticket the user may not see: it reveals nothing.
pub fn not_found() -> ServiceError {
    ServiceError::NotFound("That ticket does not exist, or you do not have access to it.")
}

pub fn forbidden() -> ServiceError {
    ServiceError::Forbidden("Only support staff can do that.")
}

/// What a refused hourly allowance says.
pub(crate) const OPENED_MANY: &str = "You opened many tickets in the last hour.";
pub(crate) const REPLIED_MANY: &str = "You sent many replies in the last hour.";

/// A full window of `rate_limit` as the user reads it.
pub(crate) use crate::failure::over;

/// Announces a change to a ticket on the live stream, in the caller's
/// transaction: to its audience and staff, or (a staff note) to staff only.
pub(crate) async fn announce(
    conn: &mut sqlx::PgConnection,
    ticket_id: Uuid,
    internal: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO events (kind, ticket_id, staff, internal) VALUES ($1, $2, true, $3)",
        EventKind::Ticket.as_str(),
        ticket_id,
        internal
    )
    .execute(conn)
    .await?;
    Ok(())
}
