use leptos::prelude::*;

use super::{categories, priorities};
use crate::api::require_user;
use crate::api::tickets::queries::ticket_queue;
use crate::api::tickets::QueueArgs;
use crate::components::form::{use_form, FormMessages};
use crate::components::page_header::PageHeader;
use crate::components::tickets::Queue;
use crate::pages::hosting::{set_status, Pager};
use crate::pages::identity::query;
use domain::tickets::TicketState;
use domain::Role;

fn select(
    label: &'static str,
    name: &'static str,
    options: Vec<(String, String)>,
    selected: &str,
) -> impl IntoView {
    let id = format!("queue-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select class="input" id=id name=name>
                {options.into_iter().map(|(value, text)| {
                    let chosen = value == selected;
                    view! { <option value=value selected=chosen>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

fn with_any(any: &str, mut rest: Vec<(String, String)>) -> Vec<(String, String)> {
    rest.insert(0, (String::new(), any.to_string()));
    rest
}

/// The queue's filters and search (a GET form: the URL is the filter).
#[component]
fn QueueFilters(args: QueueArgs) -> impl IntoView {
    let states = {
        let mut s = vec![
            ("active".to_string(), "Not resolved".to_string()),
            ("all".to_string(), "All states".to_string()),
        ];
        s.extend(
            TicketState::ALL
                .iter()
                .map(|t| (t.as_str().to_string(), t.label_for(true).to_string())),
        );
        s
    };
    view! {
    <form class="card filters" method="get" action="/staff/tickets" role="search">
        <div class="filter-grid">
            {select("State", "state", states, &args.state)}
            {select("Priority", "priority", with_any("Any priority", priorities()), &args.priority)}
            {select("Category", "category", with_any("Any category", categories()), &args.category)}
            {select("Assignee", "assignee", vec![
                (String::new(), "Anyone".into()),
                ("me".into(), "Me".into()),
                ("none".into(), "Unassigned".into()),
            ], &args.assignee)}
            {select("Order", "sort", vec![
                (String::new(), "Recently updated".into()),
                ("waiting".into(), "Waiting longest (awaiting staff)".into()),
                ("newest".into(), "Newest".into()),
            ], &args.sort)}
            <div class="field">
                <label for="queue-q">"Search subjects and messages"</label>
                <input class="input" id="queue-q" name="q" type="search" maxlength="200" value=args.q.clone()/>
            </div>
        </div>
        <button class="btn btn-secondary" type="submit">"Apply"</button>
        " " <a href="/staff/tickets">"Reset"</a>
    </form>
    }
}

/// The staff queue: filters, search, bulk close; rows update live.
#[component]
pub fn StaffTicketsPage() -> impl IntoView {
    match require_user() {
        Some(user) if user.role == Role::Staff => {}
        Some(_) => {
            set_status(404);
            return view! { <crate::pages::errors::NotFoundPage/> }.into_any();
        }
        None => return ().into_any(),
    }
    let q = |name| query(name).unwrap_or_default();
    let args = QueueArgs {
        state: q("state"),
        priority: q("priority"),
        category: q("category"),
        assignee: q("assignee"),
        sort: q("sort"),
        q: q("q"),
        page: query("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
    };
    let a = args.clone();
    let tickets = Resource::new(
        move || a.clone(),
        |a| ticket_queue(a.state, a.priority, a.category, a.assignee, a.sort, a.q, a.page),
    );
    let base = format!(
        "/staff/tickets?state={}&priority={}&category={}&assignee={}&sort={}&q={}",
        args.state,
        args.priority,
        args.category,
        args.assignee,
        args.sort,
        domain::next_path::encode_query_value(&args.q)
    );
    let form = use_form();
    view! {
        <PageHeader title="Support queue" subtitle="Every customer ticket. Rows update as customers and colleagues write."/>
        <FormMessages/>
        {form.error("ticket").map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <QueueFilters args=args.clone()/>
        <form id="bulk-close" method="post" action="/staff/tickets/close" class="toolbar">
            <button class="btn btn-secondary btn-sm" type="submit">"Close selected"</button>
        </form>
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading the queue…"</p> }>
            {move || {
                let (args, base) = (args.clone(), base.clone());
                Suspend::new(async move {
                    match tickets.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => {
                            let (page, has_next) = (list.page, list.has_next);
                            view! {
                                <Queue list args/>
                                <Pager base page has_next/>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
