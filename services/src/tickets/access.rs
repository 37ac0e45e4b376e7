//! Who may see a ticket: its author, members of its hosting account whose
//! role allows support (`Permission::Support`), and staff. Anyone else,
//! and any number that names no ticket, gets `NotFound`. An author who no
//! longer supports the ticket's account (removed, left, or made a viewer)
//! keeps their own question: their own messages only, read-only, with no
//! live events, emails or notifications about it.

use sqlx::PgPool;
use uuid::Uuid;

use super::ServiceError;
use crate::Actor;
use domain::tickets::TicketState;
use domain::{MemberRole, Permission, StaffPermission, StaffRole, TicketId, TicketNumber};

/// How the acting user holds one ticket. Only `authorize` makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketAccess {
    ticket_id: TicketId,
    number: TicketNumber,
    account_id: Option<Uuid>,
    author_id: Uuid,
    state: TicketState,
    staff: Option<StaffRole>,
    /// Staff viewing as a customer: nothing may change.
    read_only: bool,
    former_author: bool,
}

impl TicketAccess {
    pub fn ticket_id(&self) -> TicketId {
        self.ticket_id
    }

    pub fn number(&self) -> TicketNumber {
        self.number
    }

    pub fn account_id(&self) -> Option<Uuid> {
        self.account_id
    }

    pub fn author_id(&self) -> Uuid {
        self.author_id
    }

    /// The state when access was checked (services re-read it under lock).
    pub fn state(&self) -> TicketState {
        self.state
    }

    /// Staff see internal notes and may triage, assign and close.
    pub fn staff(&self) -> bool {
        self.staff.is_some()
    }

    /// The author, no longer a support member of the ticket's account.
    pub fn former_author(&self) -> bool {
        self.former_author
    }

    /// Only the messages of this user are shown (a former author's own).
    pub fn only_messages_of(&self) -> Option<Uuid> {
        self.former_author.then_some(self.author_id)
    }

    /// Writing (replies, state, rating) needs a current place in the ticket.
    /// Staff write only when their role allows support.
    pub fn require_current(&self) -> Result<(), ServiceError> {
        if self.read_only {
            return Err(ServiceError::Forbidden(crate::actor::VIEW_ONLY));
        }
        if self.staff.is_some_and(|r| !r.can(StaffPermission::Support)) {
            return Err(ServiceError::Forbidden(crate::actor::STAFF_ROLE_FORBIDS));
        }
        if self.former_author {
            Err(ServiceError::Conflict(
                "You are no longer a member of this ticket's hosting account: you can read your own messages, but not change the ticket. Open a new ticket if you still need help.".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// Staff-only actions (triage, assignment, notes, closing): those who
    /// may see the ticket are told no.
    pub fn require_staff(&self) -> Result<(), ServiceError> {
        match self.staff {
            Some(role) if role.can(StaffPermission::Support) => Ok(()),
            Some(_) => Err(ServiceError::Forbidden(crate::actor::STAFF_ROLE_FORBIDS)),
            None => Err(super::forbidden()),
        }
    }
}

/// The roles whose members see their account's tickets, for SQL.
pub fn support_roles() -> Vec<String> {
    MemberRole::names_with(Permission::Support)
}

/// The acting user's access to ticket `number`.
pub async fn authorize(
    pool: &PgPool,
    actor: &Actor,
    number: TicketNumber,
) -> Result<TicketAccess, ServiceError> {
    let row = sqlx::query!(
        r#"SELECT t.id, t.number, t.author_id, t.account_id, t.state AS "state: TicketState",
                  m.role AS "role?: MemberRole"
           FROM tickets t
           LEFT JOIN hosting_members m ON m.account_id = t.account_id AND m.user_id = $2
           WHERE t.number = $1"#,
        number.get(),
        actor.id()
    )
    .fetch_optional(pool)
    .await?
    .ok_or(crate::tickets::not_found())?;
    let member = row.role.is_some_and(|r| r.can(Permission::Support));
    if !(actor.is_staff() || row.author_id == actor.id() || member) {
        return Err(super::not_found());
    }
    // Here without staff or support membership: only as its author, on a
    // ticket about an account they no longer support.
    let former_author = !actor.is_staff() && !member && row.account_id.is_some();
    Ok(TicketAccess {
        ticket_id: row.id.into(),
        number,
        account_id: row.account_id,
        author_id: row.author_id,
        state: row.state,
        staff: actor.staff_role(),
        read_only: actor.viewed_by().is_some(),
        former_author,
    })
}

/// A ticket number from a URL: anything else names no ticket.
pub fn parse_number(raw: &str) -> Result<TicketNumber, ServiceError> {
    TicketNumber::parse(raw.trim().trim_start_matches('#')).ok_or(crate::tickets::not_found())
}
