//! Staff's customers at the HTTP edge: the directory and one customer's
//! view (server functions), and the actions on a customer (forms: lock,
//! unlock, end sessions, add a note), each with a reason. Anyone but staff
//! gets "not found".

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// The directory's filters, as the query string carries them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DirectoryQuery {
    pub q: String,
    /// "yes", "no" or "" (either).
    pub verified: String,
    pub two_factor: bool,
    pub locked: bool,
    pub unpaid: bool,
    /// YYYY-MM-DD or "".
    pub from: String,
    pub to: String,
    pub sort: String,
    pub page: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomerLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub joined: String,
    /// "Verified", "2FA", "Locked", "Unpaid invoice": what to notice.
    pub badges: Vec<(String, String)>,
    pub accounts: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Directory {
    pub rows: Vec<CustomerLine>,
    pub page: i64,
    pub has_next: bool,
    /// Why a filter was not used (a date that is not one), shown above.
    pub problems: Vec<String>,
}

#[server(endpoint = "staff/customers")]
pub async fn staff_customers(query: DirectoryQuery) -> Result<Directory, ApiError> {
    use crate::api::edge::{auth::actor, error::api_error};
    use services::customers::{search, Search, Sort};

    let (deps, actor) = actor()?;
    let mut problems = Vec::new();
    let mut date = |text: &str, what: &str| crate::api::date_filter(text, what, &mut problems);
    let filters = Search {
        text: query.q.clone(),
        verified: match query.verified.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        two_factor: query.two_factor,
        locked: query.locked,
        unpaid: query.unpaid,
        created_from: date(&query.from, "from"),
        created_to: date(&query.to, "to"),
        sort: Sort::parse(&query.sort).unwrap_or_default(),
        page: query.page.max(1),
    };
    let found = search(&deps.pool, &actor, &filters).await.map_err(api_error)?;
    Ok(Directory {
        page: filters.page.min(services::customers::MAX_PAGE),
        has_next: found.has_next,
        problems,
        rows: found
            .rows
            .into_iter()
            .map(|c| {
                let mut badges = Vec::new();
                if c.locked {
                    badges.push(("Locked".to_string(), "badge badge-danger".to_string()));
                }
                if !c.verified {
                    badges.push(("Unverified".to_string(), "badge badge-warning".to_string()));
                }
                if c.two_factor {
                    badges.push(("2FA".to_string(), "badge badge-success".to_string()));
                }
                if c.unpaid {
                    badges.push(("Unpaid invoice".to_string(), "badge badge-warning".to_string()));
                }
                CustomerLine {
                    id: c.id.to_string(),
                    name: c.display_name,
                    email: c.email,
                    joined: crate::api::when(c.created_at),
                    badges,
                    accounts: c.accounts,
                }
            })
            .collect(),
    })
}

/// One customer, as the page shows them: each part as lines of text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CustomerView {
    pub id: String,
    pub name: String,
    pub email: String,
    /// (label, value) pairs: verified, 2FA, joined, Stripe customer, …
    pub facts: Vec<(String, String)>,
    pub locked: Option<String>,
    pub sessions: Vec<String>,
    pub sign_ins: Vec<(bool, String)>,
    pub accounts: Vec<AccountLine>,
    pub domains: Vec<String>,
    pub invoices: Vec<String>,
    pub tickets: Vec<(String, String)>,
    pub emails: Vec<String>,
    pub activity: Vec<String>,
    pub notes: Vec<(String, String)>,
    pub audit: Vec<String>,
    pub verified: bool,
    pub two_factor: bool,
    /// A two-factor reset waiting for a second staff member.
    pub reset: Option<ResetLine>,
    /// What the viewing staff member's role lets them do here.
    pub may_support: bool,
    pub may_view_as: bool,
    pub may_reset: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResetLine {
    pub id: String,
    /// "Asked by Sam Staff, 3 Dec 2026 10:02"
    pub asked: String,
    pub reason: String,
    pub checks: Vec<String>,
    /// Asked by the viewer: someone else must approve.
    pub mine: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AccountLine {
    pub href: String,
    pub name: String,
    /// "Owner · Active · Starter · on web-fra-1"
    pub summary: String,
    /// "1.2 GB of 10.0 GB storage; 3.4 GB of 100.0 GB this month"
    pub usage: String,
}

#[server(endpoint = "staff/customer")]
pub async fn staff_customer(id: String) -> Result<CustomerView, ApiError> {
    use crate::api::edge::{auth::actor, error::api_error};
    use crate::api::when;
    use domain::hosting::format_bytes;
    use services::customers::{actions::StaffAction, profile};

    let (deps, actor) = actor()?;
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| api_error(services::customers::not_found()))?;
    let p = profile::load(&deps.pool, &actor, id).await.map_err(api_error)?;
    let waiting = services::customers::two_factor_reset::waiting(&deps.pool, id)
        .await
        .map_err(api_error)?;
    let c = p.customer;
    let reset = waiting.map(|w| ResetLine {
        id: w.id.to_string(),
        asked: format!(
            "Asked by {}, {}",
            w.requested_by_name
                .unwrap_or_else(|| "a former staff member".into()),
            when(w.requested_at)
        ),
        reason: w.reason,
        checks: w.checks.into_iter().map(String::from).collect(),
        mine: w.requested_by == Some(actor.id()),
    });
    let verified = c.verified_at.is_some();
    let two_factor = c.two_factor;
    let device = |ip: Option<String>, agent: Option<String>| {
        let agent = agent.map(|a| a.chars().take(80).collect::<String>());
        match (ip, agent) {
            (Some(ip), Some(agent)) => format!("{ip}, {agent}"),
            (Some(ip), None) => ip,
            (None, Some(agent)) => agent,
            (None, None) => "unknown device".into(),
        }
    };
    let mut facts = vec![
        ("Joined".to_string(), when(c.created_at)),
        (
            "Email".to_string(),
            match c.verified_at {
                Some(at) => format!("confirmed {}", when(at)),
                None => "not confirmed yet".into(),
            },
        ),
        (
            "Two-factor".to_string(),
            if c.two_factor { "on" } else { "off" }.into(),
        ),
    ];
    if let Some(pending) = c.pending_email {
        facts.push(("Changing email to".into(), pending));
    }
    if let Some(stripe) = c.stripe_customer_id {
        facts.push(("Stripe customer".into(), stripe));
    }
    Ok(CustomerView {
        verified,
        two_factor,
        reset,
        may_support: actor.staff_can(domain::StaffPermission::Support),
        may_view_as: actor.staff_can(domain::StaffPermission::ViewAs),
        may_reset: actor.staff_can(domain::StaffPermission::ResetTwoFactor),
        id: c.id.to_string(),
        name: c.display_name,
        email: c.email,
        facts,
        locked: c
            .locked_at
            .map(|at| format!("Locked {}: {}", when(at), c.locked_reason.unwrap_or_default())),
        sessions: p
            .sessions
            .into_iter()
            .map(|s| {
                format!(
                    "{} (signed in {}, last seen {})",
                    device(s.ip, s.user_agent),
                    when(s.created_at),
                    when(s.last_seen_at)
                )
            })
            .collect(),
        sign_ins: p
            .sign_ins
            .into_iter()
            .map(|s| {
                (
                    s.succeeded,
                    format!("{} from {}", when(s.created_at), device(s.ip, s.user_agent)),
                )
            })
            .collect(),
        accounts: p
            .accounts
            .into_iter()
            .map(|a| AccountLine {
                href: format!("/hosting/{}", a.id),
                summary: format!(
                    "{} · {} · {} · {}",
                    a.primary_domain,
                    a.role,
                    a.status.label(),
                    a.plan
                ) + &a.node.map(|n| format!(" · on {n}")).unwrap_or_default(),
                usage: format!(
                    "{} of {} storage; {} of {} this month",
                    format_bytes(a.storage_bytes),
                    format_bytes(a.storage_quota_bytes),
                    format_bytes(a.bandwidth_month_bytes),
                    format_bytes(a.bandwidth_quota_bytes)
                ),
                name: a.name,
            })
            .collect(),
        domains: p
            .domains
            .into_iter()
            .map(|(name, status)| format!("{} ({status})", domain::dns::names::unicode(&name)))
            .collect(),
        invoices: p
            .invoices
            .into_iter()
            .map(|i| {
                format!(
                    "{} · {} · {} · {}{}",
                    i.number.unwrap_or_else(|| "draft".into()),
                    when(i.created),
                    domain::money::format_minor(i.amount_due_minor, &i.currency),
                    i.status,
                    i.account.map(|a| format!(" · {a}")).unwrap_or_default()
                )
            })
            .collect(),
        tickets: p
            .tickets
            .into_iter()
            .map(|t| {
                (
                    format!("/support/{}", t.number),
                    format!(
                        "#{} {} ({}, {})",
                        t.number,
                        t.subject,
                        t.state.replace('_', " "),
                        when(t.updated_at)
                    ),
                )
            })
            .collect(),
        emails: p
            .emails
            .into_iter()
            .map(|e| {
                format!(
                    "{} · {} · {}",
                    when(e.created_at),
                    e.subject,
                    e.delivery.unwrap_or(e.status)
                )
            })
            .collect(),
        activity: p
            .activity
            .into_iter()
            .map(|a| {
                format!(
                    "{} · {}{}",
                    when(a.created_at),
                    services::activity::Action::describe(&a.action),
                    a.ip.map(|ip| format!(" · {ip}")).unwrap_or_default()
                )
            })
            .collect(),
        notes: p
            .notes
            .into_iter()
            .map(|n| {
                (
                    format!(
                        "{}, {}",
                        n.author.unwrap_or_else(|| "A former staff member".into()),
                        when(n.created_at)
                    ),
                    n.body,
                )
            })
            .collect(),
        audit: p
            .audit
            .into_iter()
            .map(|a| {
                format!(
                    "{} · {} · {}: {}",
                    when(a.created_at),
                    a.actor.unwrap_or_else(|| "A former staff member".into()),
                    StaffAction::label(&a.action),
                    a.reason
                )
            })
            .collect(),
    })
}

#[cfg(feature = "ssr")]
mod forms;
#[cfg(feature = "ssr")]
pub use forms::routes;
