//! One customer as staff see them (`/staff/customers/<id>`): who they are
//! and how their sign-ins go, their hosting accounts with plan, status,
//! node and usage, domains, invoices, tickets, the emails sent to them,
//! their activity, staff's notes and the audit of staff actions. Each
//! part is one query; a part is bounded to its newest rows.

use domain::StaffPermission;
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::failure::ServiceError;
use crate::hosting::access::require_staff;
use crate::Actor;

/// The newest rows each part shows.
const RECENT: i64 = 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub pending_email: Option<String>,
    pub created_at: OffsetDateTime,
    pub verified_at: Option<OffsetDateTime>,
    pub two_factor: bool,
    pub locked_at: Option<OffsetDateTime>,
    pub locked_reason: Option<String>,
    pub stripe_customer_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRow {
    pub created_at: OffsetDateTime,
    pub succeeded: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: Uuid,
    pub name: String,
    pub primary_domain: String,
    pub role: String,
    pub status: domain::AccountStatus,
    pub plan: String,
    pub node: Option<String>,
    pub storage_bytes: i64,
    pub storage_quota_bytes: i64,
    pub bandwidth_month_bytes: i64,
    pub bandwidth_quota_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRow {
    pub number: Option<String>,
    pub account: Option<String>,
    pub status: String,
    pub amount_due_minor: i64,
    pub currency: String,
    pub created: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub number: i64,
    pub subject: String,
    pub state: String,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailRow {
    pub subject: String,
    pub status: String,
    pub delivery: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub action: String,
    pub created_at: OffsetDateTime,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRow {
    pub body: String,
    pub author: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub action: String,
    pub reason: String,
    pub actor: Option<String>,
    pub created_at: OffsetDateTime,
}

/// Everything staff see of one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub customer: Customer,
    pub sessions: Vec<SessionRow>,
    pub sign_ins: Vec<SignInRow>,
    pub accounts: Vec<AccountRow>,
    pub domains: Vec<(String, String)>,
    pub invoices: Vec<InvoiceRow>,
    pub tickets: Vec<TicketRow>,
    pub emails: Vec<EmailRow>,
    pub activity: Vec<ActivityRow>,
    pub notes: Vec<NoteRow>,
    pub audit: Vec<AuditRow>,
}

/// The customer `id` (staff only; staff members are not customers here).
#[tracing::instrument(skip_all, fields(user_id = %actor.id(), customer = %id))]
pub async fn load(pool: &PgPool, actor: &Actor, id: Uuid) -> Result<Profile, ServiceError> {
    require_staff(actor, StaffPermission::Look)?;
    let customer = sqlx::query_as!(
        Customer,
        r#"SELECT u.id, u.email, u.display_name, u.pending_email, u.created_at,
                  u.email_verified_at AS verified_at, u.locked_at, u.locked_reason,
                  EXISTS (SELECT 1 FROM two_factor t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "two_factor!",
                  (SELECT b.stripe_customer_id FROM billing_customers b WHERE b.user_id = u.id) AS stripe_customer_id
           FROM users u WHERE u.id = $1 AND u.role = 'customer'"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or_else(super::not_found)?;
    let now = actor.now;
    let sessions = sqlx::query_as!(
        SessionRow,
        "SELECT created_at, last_seen_at, ip, user_agent FROM sessions
         WHERE user_id = $1 AND revoked_at IS NULL AND idle_expires_at > $2 AND absolute_expires_at > $2
         ORDER BY last_seen_at DESC LIMIT $3",
        id,
        now,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let sign_ins = sqlx::query_as!(
        SignInRow,
        "SELECT created_at, succeeded, ip, user_agent FROM sign_in_attempts
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        id,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let accounts = sqlx::query_as!(
        AccountRow,
        r#"SELECT a.id, a.name, a.primary_domain, m.role, a.status AS "status: domain::AccountStatus",
                  p.name AS plan, n.name AS "node?", p.storage_quota_bytes, p.bandwidth_quota_bytes,
                  coalesce(l.storage_bytes, 0) AS "storage_bytes!",
                  coalesce((SELECT um.bandwidth_bytes FROM usage_monthly um
                            WHERE um.account_id = a.id AND um.month = date_trunc('month', $2 AT TIME ZONE 'UTC')::date), 0)
                    AS "bandwidth_month_bytes!"
           FROM hosting_members m
           JOIN hosting_accounts a ON a.id = m.account_id
           JOIN plans p ON p.id = a.plan_id
           LEFT JOIN node_tokens n ON n.id = a.node_id
           LEFT JOIN usage_latest l ON l.account_id = a.id
           WHERE m.user_id = $1
           ORDER BY a.created_at DESC LIMIT $3"#,
        id,
        now,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let domains = sqlx::query!(
        "SELECT d.name, d.status FROM domains d JOIN hosting_members m ON m.account_id = d.account_id
         WHERE m.user_id = $1 ORDER BY d.name LIMIT 100",
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.name, r.status))
    .collect();
    let invoices = sqlx::query_as!(
        InvoiceRow,
        r#"SELECT i.number, a.name AS "account?", i.status, i.amount_due_minor, i.currency, i.created
           FROM invoices i
           JOIN billing_customers b ON b.stripe_customer_id = i.stripe_customer_id
           LEFT JOIN hosting_accounts a ON a.id = i.account_id
           WHERE b.user_id = $1
           ORDER BY i.created DESC LIMIT $2"#,
        id,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let tickets = sqlx::query_as!(
        TicketRow,
        "SELECT number, subject, state, updated_at FROM tickets WHERE author_id = $1
         ORDER BY updated_at DESC LIMIT $2",
        id,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let emails = sqlx::query_as!(
        EmailRow,
        r#"SELECT o.subject, o.status, o.delivery AS "delivery?", o.created_at
           FROM email_outbox o
           WHERE lower(o.to_address) = lower($1)
           ORDER BY o.created_at DESC LIMIT $2"#,
        customer.email,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let activity = sqlx::query_as!(
        ActivityRow,
        "SELECT action, created_at, ip FROM activity_log WHERE user_id = $1
         ORDER BY created_at DESC, id DESC LIMIT $2",
        id,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    let notes = sqlx::query_as!(
        NoteRow,
        r#"SELECT n.body, u.display_name AS "author?", n.created_at
           FROM staff_notes n LEFT JOIN users u ON u.id = n.author_id
           WHERE n.customer_id = $1 ORDER BY n.created_at DESC LIMIT 100"#,
        id
    )
    .fetch_all(pool)
    .await?;
    let audit = sqlx::query_as!(
        AuditRow,
        r#"SELECT s.action, s.reason, u.display_name AS "actor?", s.created_at
           FROM staff_audit s LEFT JOIN users u ON u.id = s.actor_id
           WHERE s.customer_id = $1 ORDER BY s.created_at DESC, s.id DESC LIMIT $2"#,
        id,
        RECENT
    )
    .fetch_all(pool)
    .await?;
    Ok(Profile {
        customer,
        sessions,
        sign_ins,
        accounts,
        domains,
        invoices,
        tickets,
        emails,
        activity,
        notes,
        audit,
    })
}
