//! The platform's audit log for staff: every staff action (`staff_audit`)
//! and every security event of every user (`activity_log`), newest first,
//! searchable by who acted, whom it concerned, kind and time, and
//! exportable as CSV a chunk at a time. Entries are kept as the retention
//! policy says (`services::retention`).

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::activity::Action;
use crate::customers::actions::StaffAction;
use crate::failure::ServiceError;
use crate::Actor;
use domain::StaffPermission;

/// The security events of users' own logs that the audit shows.
pub const SECURITY_KINDS: &[&str] = &[
    "account_created",
    "email_verified",
    "signed_in",
    "sign_in_failed",
    "signed_out",
    "password_reset",
    "password_changed",
    "email_change_requested",
    "email_changed",
    "session_revoked",
    "other_sessions_revoked",
    "two_factor_enabled",
    "two_factor_disabled",
    "recovery_code_used",
    "recovery_codes_regenerated",
    "identity_confirmed",
    "account_locked",
    "account_unlocked",
    "sessions_ended_by_support",
    "support_viewed",
    "two_factor_reset_by_support",
    "data_export_requested",
];

/// Every kind with its label, staff actions first (for the filter).
pub fn kinds() -> Vec<(&'static str, String)> {
    StaffAction::ALL
        .iter()
        .map(|a| (a.as_str(), format!("Staff: {}", StaffAction::label(a.as_str()))))
        .chain(
            SECURITY_KINDS
                .iter()
                .map(|k| (*k, Action::describe(k).to_string())),
        )
        .collect()
}

/// How one entry's kind reads.
pub fn kind_label(source: &str, kind: &str) -> String {
    if source == "staff" {
        format!("Staff: {}", StaffAction::label(kind))
    } else {
        Action::describe(kind).to_string()
    }
}

/// What the audit is narrowed to. Text matches part of a name or address.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: String,
    pub subject: String,
    /// One of [`kinds`], or empty for all.
    pub kind: String,
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
}

/// Where the next chunk starts: the last entry seen (entries are ordered
/// by time, then source, then id, all descending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub at: OffsetDateTime,
    pub source: String,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            self.at.unix_timestamp_nanos() / 1000,
            self.source,
            self.id
        )
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().splitn(3, '.');
        let micros: i64 = parts.next()?.parse().ok()?;
        let source = parts.next()?;
        let id: i64 = parts.next()?.parse().ok()?;
        if source != "staff" && source != "security" {
            return None;
        }
        let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000).ok()?;
        Some(Self {
            at,
            source: source.into(),
            id,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub at: OffsetDateTime,
    /// "staff" or "security".
    pub source: String,
    pub id: i64,
    pub kind: String,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub subject_id: Option<Uuid>,
    pub subject_name: Option<String>,
    pub subject_email: Option<String>,
    /// The reason staff gave.
    pub reason: Option<String>,
    pub ip: Option<String>,
}

impl Entry {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.at,
            source: self.source.clone(),
            id: self.id,
        }
    }
}

/// Entries on one page.
pub const PAGE_SIZE: i64 = 50;
/// The most rows one export writes (narrow the filter for more).
pub const EXPORT_LIMIT: usize = 100_000;
/// Rows read per query while exporting.
pub const EXPORT_CHUNK: i64 = 1_000;

/// A name or address filter as LIKE compares it ("" for none).
fn pattern(text: &str) -> String {
    let text = crate::search::typed(text, 100);
    if text.is_empty() {
        return String::new();
    }
    crate::search::contains(&text)
}

/// Up to `limit` entries matching `filter`, after `after` (newest first).
#[tracing::instrument(skip_all, fields(user_id = %actor.id()))]
pub async fn entries(
    pool: &PgPool,
    actor: &Actor,
    filter: &Filter,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<Entry>, ServiceError> {
    actor.require_staff(StaffPermission::Look)?;
    let kind = filter.kind.trim();
    let (staff_kind, security_kind) = if kind.is_empty() {
        (true, true)
    } else {
        (
            StaffAction::ALL.iter().any(|a| a.as_str() == kind),
            SECURITY_KINDS.contains(&kind),
        )
    };
    let security: Vec<String> = SECURITY_KINDS
        .iter()
        .filter(|k| kind.is_empty() || **k == kind)
        .map(|k| k.to_string())
        .collect();
    // Each source is narrowed, ordered and cut on its own index before the
    // two meet: a page never sorts a whole log.
    let rows = sqlx::query_as!(
        Entry,
        r#"(SELECT s.created_at AS "at!", 'staff' AS "source!", s.id AS "id!", s.action AS "kind!",
                   au.display_name AS "actor_name?", au.email AS "actor_email?",
                   CASE WHEN su.role = 'customer' THEN s.customer_id END AS subject_id,
                   su.display_name AS "subject_name?", su.email AS "subject_email?",
                   s.reason AS "reason?", NULL::text AS ip
            FROM staff_audit s
            LEFT JOIN users au ON au.id = s.actor_id
            LEFT JOIN users su ON su.id = s.customer_id
            WHERE $1 AND ($3 = '' OR s.action = $3)
              AND ($5::date IS NULL OR s.created_at >= $5::date)
              AND ($6::date IS NULL OR s.created_at < $6::date + 1)
              AND ($7::timestamptz IS NULL OR (s.created_at, 'staff', s.id) < ($7, $8, $9))
              AND ($10 = '' OR lower(au.email) LIKE $10 OR lower(au.display_name) LIKE $10)
              AND ($11 = '' OR lower(su.email) LIKE $11 OR lower(su.display_name) LIKE $11)
            ORDER BY s.created_at DESC, s.id DESC
            LIMIT $12)
           UNION ALL
           (SELECT a.created_at, 'security', a.id, a.action,
                   au.display_name, au.email,
                   CASE WHEN su.role = 'customer' THEN a.user_id END,
                   su.display_name, su.email, NULL, a.ip
            FROM activity_log a
            LEFT JOIN users au ON au.id = a.actor_id
            LEFT JOIN users su ON su.id = a.user_id
            WHERE $2 AND a.user_id IS NOT NULL AND a.action = ANY($4)
              AND ($5::date IS NULL OR a.created_at >= $5::date)
              AND ($6::date IS NULL OR a.created_at < $6::date + 1)
              AND ($7::timestamptz IS NULL OR (a.created_at, 'security', a.id) < ($7, $8, $9))
              AND ($10 = '' OR lower(au.email) LIKE $10 OR lower(au.display_name) LIKE $10)
              AND ($11 = '' OR lower(su.email) LIKE $11 OR lower(su.display_name) LIKE $11)
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT $12)
           ORDER BY 1 DESC, 2 DESC, 3 DESC
           LIMIT $12"#,
        staff_kind,
        security_kind,
        if staff_kind { kind } else { "" },
        &security,
        filter.from,
        filter.to,
        after.map(|c| c.at),
        after.map(|c| c.source.clone()).unwrap_or_default(),
        after.map(|c| c.id).unwrap_or_default(),
        pattern(&filter.actor),
        pattern(&filter.subject),
        limit.clamp(1, EXPORT_CHUNK)
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// The CSV header row.
pub const CSV_HEADER: &str = "time,kind,actor,actor_email,customer,customer_email,reason,ip\r\n";

/// One entry as a CSV row.
pub fn csv_row(e: &Entry) -> String {
    let cells = [
        e.at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        kind_label(&e.source, &e.kind),
        e.actor_name.clone().unwrap_or_default(),
        e.actor_email.clone().unwrap_or_default(),
        e.subject_name.clone().unwrap_or_default(),
        e.subject_email.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        e.ip.clone().unwrap_or_default(),
    ];
    let mut row = cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",");
    row.push_str("\r\n");
    row
}

/// A cell that a spreadsheet shows as text: one starting like a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'`; quotes,
/// commas and line breaks are quoted (RFC 4180).
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_look_like_formulas_stay_text() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn cursors_read_back_and_refuse_anything_else() {
        let c = Cursor {
            at: OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap() + time::Duration::microseconds(5),
            source: "staff".into(),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("1.other.2"), None);
        assert_eq!(Cursor::decode("x.staff.2"), None);
        assert_eq!(Cursor::decode(""), None);
    }
}
