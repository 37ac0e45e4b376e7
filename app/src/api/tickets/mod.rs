//! Support tickets at the HTTP edge: what the pages receive (here), the
//! server functions that read it (`queries`), the form endpoints, uploads
//! included (`forms`, reading them `multipart`), and attachment downloads
//! (`files`), and the live thread and preview drawn as HTML (`parts`).

#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "ssr")]
mod multipart;
#[cfg(feature = "ssr")]
pub mod parts;
pub mod queries;

/// Where the preview button sends the text (HTML comes back).
pub const PREVIEW_PATH: &str = "/support/preview";

use serde::{Deserialize, Serialize};

use domain::tickets::{Category, Priority, Rating, TicketState};
use domain::AccountStatus;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TicketRow {
    pub number: i64,
    pub subject: String,
    pub state: TicketState,
    pub state_label: String,
    pub priority: Priority,
    pub category: Category,
    pub account: Option<String>,
    pub author: String,
    pub assignee: Option<String>,
    pub updated: String,
    /// How long the side that must act has waited ("3 h 20 min").
    pub waiting: String,
    /// Awaits the viewer's action (a customer's reply).
    pub attention: bool,
}

/// The queue's filters as they are in the URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueArgs {
    pub state: String,
    pub priority: String,
    pub category: String,
    pub assignee: String,
    pub sort: String,
    pub q: String,
    pub page: i64,
}

impl QueueArgs {
    /// The filters as a query string (without the page).
    pub fn query(&self) -> String {
        format!(
            "state={}&priority={}&category={}&assignee={}&sort={}&q={}",
            domain::next_path::encode_query_value(&self.state),
            domain::next_path::encode_query_value(&self.priority),
            domain::next_path::encode_query_value(&self.category),
            domain::next_path::encode_query_value(&self.assignee),
            domain::next_path::encode_query_value(&self.sort),
            domain::next_path::encode_query_value(&self.q)
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct TicketList {
    pub items: Vec<TicketRow>,
    pub page: i64,
    pub has_next: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRow {
    pub name: String,
    pub size: String,
    pub href: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MessageRow {
    pub id: String,
    pub author: String,
    pub by_staff: bool,
    /// A staff note (only ever sent to staff).
    pub internal: bool,
    /// Sanitised HTML, rendered from Markdown when the message was written.
    pub html: String,
    pub when: String,
    pub files: Vec<FileRow>,
}

/// What changes live on a ticket page: its state, triage and thread.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ThreadView {
    pub number: i64,
    pub subject: String,
    pub state: TicketState,
    pub state_label: String,
    pub priority: Priority,
    pub category: Category,
    pub assignee: Option<String>,
    pub rating: Option<Rating>,
    pub rating_comment: Option<String>,
    pub messages: Vec<MessageRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomerAccountRow {
    pub id: String,
    pub name: String,
    pub plan: String,
    pub status: AccountStatus,
}

/// Staff only: who the customer is, their accounts, their other tickets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomerView {
    pub name: String,
    pub email: String,
    pub since: String,
    pub accounts: Vec<CustomerAccountRow>,
    pub recent: Vec<(i64, String, TicketState)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TicketView {
    pub thread: ThreadView,
    pub account: Option<(String, String)>,
    pub author: String,
    pub created: String,
    pub staff: bool,
    pub is_author: bool,
    pub assignee_id: Option<String>,
    /// Staff only.
    pub customer: Option<CustomerView>,
    /// Staff only: who a ticket can be assigned to.
    pub staff_members: Vec<(String, String)>,
}

/// A preview of Markdown as it will be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview(pub String);

#[cfg(feature = "ssr")]
mod convert {
    use super::*;
    use services::dashboard::support::waited;
    use services::hosting::usage::format_bytes;
    use services::tickets::lists::{TicketDetail, TicketSummary};

    pub fn row(t: TicketSummary, staff: bool, now: time::OffsetDateTime) -> TicketRow {
        TicketRow {
            number: t.number,
            subject: t.subject,
            state_label: t.state.label_for(staff).to_string(),
            attention: !staff && t.state == TicketState::AwaitingCustomer,
            state: t.state,
            priority: t.priority,
            category: t.category,
            account: t.account_name,
            author: t.author_name,
            assignee: t.assignee_name,
            updated: crate::api::when(t.updated_at),
            waiting: waited((now - t.waiting_since).whole_seconds()),
        }
    }

    pub fn thread(d: &TicketDetail, staff: bool) -> ThreadView {
        ThreadView {
            number: d.number,
            subject: d.subject.clone(),
            state: d.state,
            state_label: d.state.label_for(staff).to_string(),
            priority: d.priority,
            category: d.category,
            assignee: d.assignee_name.clone(),
            rating: d.rating,
            rating_comment: d.rating_comment.clone(),
            messages: d
                .messages
                .iter()
                .map(|m| MessageRow {
                    id: m.id.to_string(),
                    author: m.author_name.clone(),
                    by_staff: m.by_staff,
                    internal: m.internal,
                    html: m.html.clone(),
                    when: crate::api::when(m.created_at),
                    files: m
                        .attachments
                        .iter()
                        .map(|f| FileRow {
                            name: f.file_name.clone(),
                            size: format_bytes(f.size_bytes),
                            href: format!("/support/{}/files/{}", d.number, f.id),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
