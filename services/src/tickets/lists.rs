//! Reading tickets: a customer's list, the staff queue (filters and
//! full-text search), one ticket's thread (internal notes for staff only,
//! decided here, so no page or function can forget), and what staff see
//! beside it.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::access::{support_roles, TicketAccess};
use super::ServiceError;
use crate::hosting::{page_number, Page};
use crate::Actor;
use domain::tickets::{Category, Priority, Rating, TicketState};
use domain::AccountStatus;

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSummary {
    pub number: i64,
    pub subject: String,
    pub state: TicketState,
    pub priority: Priority,
    pub category: Category,
    pub account_name: Option<String>,
    pub author_name: String,
    pub assignee_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub waiting_since: OffsetDateTime,
}

fn page_of(mut rows: Vec<TicketSummary>, page: i64) -> Page<TicketSummary> {
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    Page {
        items: rows,
        page,
        has_next,
    }
}

/// Which of a customer's tickets to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MineFilter {
    Active,
    Done,
    All,
}

impl MineFilter {
    /// Unknown values list active tickets (a URL's choice, not stored data).
    pub fn from_query(s: &str) -> Self {
        match s {
            "done" => Self::Done,
            "all" => Self::All,
            _ => Self::Active,
        }
    }
}

/// The tickets the user may see (theirs, and their accounts' where their
/// role allows support), most recently changed first.
pub async fn mine(
    pool: &PgPool,
    actor: &Actor,
    filter: MineFilter,
    page: i64,
) -> Result<Page<TicketSummary>, ServiceError> {
    let page = page_number(page);
    let (active, done) = match filter {
        MineFilter::Active => (true, false),
        MineFilter::Done => (false, true),
        MineFilter::All => (true, true),
    };
    let rows = sqlx::query_as!(
        TicketSummary,
        r#"SELECT t.number, t.subject, t.state AS "state: TicketState", t.priority AS "priority: Priority",
                  t.category AS "category: Category", a.name AS "account_name?", u.display_name AS author_name,
                  s.display_name AS "assignee_name?", t.created_at, t.updated_at, t.waiting_since
           FROM tickets t
           JOIN users u ON u.id = t.author_id
           LEFT JOIN hosting_accounts a ON a.id = t.account_id
           LEFT JOIN users s ON s.id = t.assignee_id
           WHERE (t.author_id = $1
                  OR t.account_id IN (SELECT account_id FROM hosting_members WHERE user_id = $1 AND role = ANY($2)))
             AND (($3 AND t.state NOT IN ('resolved', 'closed')) OR ($4 AND t.state IN ('resolved', 'closed')))
           ORDER BY t.updated_at DESC, t.number DESC
           LIMIT $5 OFFSET $6"#,
        actor.id(),
        &support_roles(),
        active,
        done,
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    Ok(page_of(rows, page))
}

/// Whose tickets the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Anyone,
    Me,
    Unassigned,
    User(Uuid),
}

/// How the queue is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSort {
    /// Most recently changed first.
    Updated,
    /// Tickets staff must answer, longest waiting first.
    WaitingLongest,
    Newest,
}

impl QueueSort {
    pub fn from_query(s: &str) -> Self {
        match s {
            "waiting" => Self::WaitingLongest,
            "newest" => Self::Newest,
            _ => Self::Updated,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::Updated => "updated",
            Self::WaitingLongest => "waiting",
            Self::Newest => "newest",
        }
    }
}

/// The queue's filters. `state: None` with `active_only` lists every
/// ticket not resolved or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueFilter {
    pub state: Option<TicketState>,
    pub active_only: bool,
    pub priority: Option<Priority>,
    pub category: Option<Category>,
    pub assignee: AssigneeFilter,
    pub sort: QueueSort,
    /// Words to find in subjects and messages (Postgres full-text search).
    pub text: String,
    pub page: i64,
}

/// The staff queue. Staff only: anyone else learns nothing.
pub async fn queue(
    pool: &PgPool,
    actor: &Actor,
    filter: &QueueFilter,
) -> Result<Page<TicketSummary>, ServiceError> {
    if !actor.is_staff() {
        return Err(super::not_found());
    }
    let page = page_number(filter.page);
    let text = filter.text.trim();
    let (assignee, unassigned) = match filter.assignee {
        AssigneeFilter::Anyone => (None, false),
        AssigneeFilter::Me => (Some(actor.id()), false),
        AssigneeFilter::User(id) => (Some(id), false),
        AssigneeFilter::Unassigned => (None, true),
    };
    let waiting = filter.sort == QueueSort::WaitingLongest;
    let rows = sqlx::query_as!(
        TicketSummary,
        r#"SELECT t.number, t.subject, t.state AS "state: TicketState", t.priority AS "priority: Priority",
                  t.category AS "category: Category", a.name AS "account_name?", u.display_name AS author_name,
                  s.display_name AS "assignee_name?", t.created_at, t.updated_at, t.waiting_since
           FROM tickets t
           JOIN users u ON u.id = t.author_id
           LEFT JOIN hosting_accounts a ON a.id = t.account_id
           LEFT JOIN users s ON s.id = t.assignee_id
           WHERE ($1::text IS NULL OR t.state = $1)
             AND (NOT $2 OR t.state NOT IN ('resolved', 'closed'))
             AND (NOT $3 OR t.state IN ('open', 'awaiting_staff'))
             AND ($4::text IS NULL OR t.priority = $4)
             AND ($5::text IS NULL OR t.category = $5)
             AND ($6::uuid IS NULL OR t.assignee_id = $6)
             AND (NOT $7 OR t.assignee_id IS NULL)
             AND ($8 = '' OR t.search @@ websearch_to_tsquery('english', $8))
           ORDER BY CASE WHEN $9 = 'waiting' THEN t.waiting_since END ASC,
                    CASE WHEN $9 = 'newest' THEN t.created_at END DESC,
                    t.updated_at DESC, t.number DESC
           LIMIT $10 OFFSET $11"#,
        filter.state.map(|s| s.as_str()),
        filter.active_only && filter.state.is_none(),
        waiting,
        filter.priority.map(|p| p.as_str()),
        filter.category.map(|c| c.as_str()),
        assignee,
        unassigned,
        text,
        filter.sort.code(),
        PAGE_SIZE + 1,
        (page - 1) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    Ok(page_of(rows, page))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    pub id: Uuid,
    pub message_id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub id: Uuid,
    pub author_name: String,
    pub by_staff: bool,
    pub internal: bool,
    pub html: String,
    pub created_at: OffsetDateTime,
    pub attachments: Vec<AttachmentInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDetail {
    pub number: i64,
    pub subject: String,
    pub state: TicketState,
    pub priority: Priority,
    pub category: Category,
    pub account_id: Option<Uuid>,
    pub account_name: Option<String>,
    pub author_id: Uuid,
    pub author_name: String,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub rating: Option<Rating>,
    pub rating_comment: Option<String>,
    pub messages: Vec<MessageView>,
}

/// One ticket and its thread. Internal notes (and their files) only for staff.
pub async fn detail(pool: &PgPool, access: &TicketAccess) -> Result<TicketDetail, ServiceError> {
    let t = sqlx::query!(
        r#"SELECT t.number, t.subject, t.state AS "state: TicketState", t.priority AS "priority: Priority",
                  t.category AS "category: Category", t.account_id, a.name AS "account_name?",
                  t.author_id, u.display_name AS author_name, t.assignee_id, s.display_name AS "assignee_name?",
                  t.created_at, t.updated_at, t.rating AS "rating: Rating", t.rating_comment
           FROM tickets t
           JOIN users u ON u.id = t.author_id
           LEFT JOIN hosting_accounts a ON a.id = t.account_id
           LEFT JOIN users s ON s.id = t.assignee_id
           WHERE t.id = $1"#,
        access.ticket_id().uuid()
    )
    .fetch_one(pool)
    .await?;
    let staff = access.staff();
    let messages = sqlx::query!(
        r#"SELECT m.id, coalesce(u.display_name, 'Deleted user') AS "author_name!", m.by_staff, m.internal,
                  m.body_html, m.created_at
           FROM ticket_messages m LEFT JOIN users u ON u.id = m.author_id
           WHERE m.ticket_id = $1 AND ($2 OR NOT m.internal) AND ($3::uuid IS NULL OR m.author_id = $3)
           ORDER BY m.created_at, m.id"#,
        access.ticket_id().uuid(),
        staff,
        access.only_messages_of()
    )
    .fetch_all(pool)
    .await?;
    let files = sqlx::query_as!(
        AttachmentInfo,
        r#"SELECT f.id, f.message_id, f.file_name, f.content_type, f.size_bytes
           FROM ticket_attachments f JOIN ticket_messages m ON m.id = f.message_id
           WHERE f.ticket_id = $1 AND ($2 OR NOT m.internal) AND ($3::uuid IS NULL OR m.author_id = $3)
           ORDER BY f.created_at, f.file_name"#,
        access.ticket_id().uuid(),
        staff,
        access.only_messages_of()
    )
    .fetch_all(pool)
    .await?;
    let messages = messages
        .into_iter()
        .map(|m| MessageView {
            attachments: files.iter().filter(|f| f.message_id == m.id).cloned().collect(),
            id: m.id,
            author_name: m.author_name,
            by_staff: m.by_staff,
            internal: m.internal,
            html: m.body_html,
            created_at: m.created_at,
        })
        .collect();
    Ok(TicketDetail {
        number: t.number,
        subject: t.subject,
        state: t.state,
        priority: t.priority,
        category: t.category,
        account_id: t.account_id,
        account_name: t.account_name,
        author_id: t.author_id,
        author_name: t.author_name,
        assignee_id: t.assignee_id,
        assignee_name: t.assignee_name,
        created_at: t.created_at,
        updated_at: t.updated_at,
        rating: t.rating,
        rating_comment: t.rating_comment,
        messages,
    })
}

/// An attachment the user may download: (name, type, storage key).
pub async fn attachment(
    pool: &PgPool,
    access: &TicketAccess,
    id: Uuid,
) -> Result<(String, String, String), ServiceError> {
    let row = sqlx::query!(
        r#"SELECT f.file_name, f.content_type, f.storage_key
           FROM ticket_attachments f JOIN ticket_messages m ON m.id = f.message_id
           WHERE f.id = $1 AND f.ticket_id = $2 AND ($3 OR NOT m.internal)
             AND ($4::uuid IS NULL OR m.author_id = $4)"#,
        id,
        access.ticket_id().uuid(),
        access.staff(),
        access.only_messages_of()
    )
    .fetch_optional(pool)
    .await?
    .ok_or(crate::tickets::not_found())?;
    Ok((row.file_name, row.content_type, row.storage_key))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerAccount {
    pub id: Uuid,
    pub name: String,
    pub plan: String,
    pub status: AccountStatus,
}

/// What staff see beside a ticket: who the customer is, their hosting
/// accounts, and their other recent tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerContext {
    pub name: String,
    pub email: String,
    pub since: OffsetDateTime,
    pub accounts: Vec<CustomerAccount>,
    pub recent: Vec<(i64, String, TicketState)>,
}

pub async fn customer_context(pool: &PgPool, access: &TicketAccess) -> Result<CustomerContext, ServiceError> {
    // Any staff role may read it (only acting needs support).
    if !access.staff() {
        return Err(super::forbidden());
    }
    let user = sqlx::query!(
        "SELECT display_name, email, created_at FROM users WHERE id = $1",
        access.author_id()
    )
    .fetch_one(pool)
    .await?;
    let accounts = sqlx::query_as!(
        CustomerAccount,
        r#"SELECT a.id, a.name, p.name AS plan, a.status AS "status: AccountStatus"
           FROM hosting_members m JOIN hosting_accounts a ON a.id = m.account_id JOIN plans p ON p.id = a.plan_id
           WHERE m.user_id = $1 ORDER BY lower(a.name) LIMIT 20"#,
        access.author_id()
    )
    .fetch_all(pool)
    .await?;
    let recent = sqlx::query!(
        r#"SELECT number, subject, state AS "state: TicketState" FROM tickets
           WHERE author_id = $1 AND id <> $2 ORDER BY created_at DESC LIMIT 5"#,
        access.author_id(),
        access.ticket_id().uuid()
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.number, r.subject, r.state))
    .collect();
    Ok(CustomerContext {
        name: user.display_name,
        email: user.email,
        since: user.created_at,
        accounts,
        recent,
    })
}

/// Staff members, for the assignee choice.
pub async fn staff_members(pool: &PgPool) -> Result<Vec<(Uuid, String)>, ServiceError> {
    Ok(sqlx::query!(
        "SELECT id, display_name FROM users WHERE role = 'staff' ORDER BY lower(display_name) LIMIT 200"
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.display_name))
    .collect())
}

/// The user's hosting accounts a ticket may be about.
pub async fn ticket_accounts(pool: &PgPool, actor: &Actor) -> Result<Vec<(Uuid, String)>, ServiceError> {
    Ok(sqlx::query!(
        r#"SELECT a.id, a.name FROM hosting_members m JOIN hosting_accounts a ON a.id = m.account_id
           WHERE m.user_id = $1 AND m.role = ANY($2) ORDER BY lower(a.name)"#,
        actor.id(),
        &support_roles()
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect())
}
