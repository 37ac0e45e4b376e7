use leptos::prelude::*;

use crate::api::require_user;
use crate::api::tickets::queries::my_tickets;
use crate::components::{empty_state::EmptyState, page_header::PageHeader};
use crate::pages::hosting::Pager;
use crate::pages::identity::query;
use domain::Role;

/// The user's tickets: active first, or resolved and closed, or all.
#[component]
pub fn SupportPage() -> impl IntoView {
    let Some(user) = require_user() else {
        return ().into_any();
    };
    let show = query("show").unwrap_or_else(|| "active".into());
    let page = query("page")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let args = (show.clone(), page);
    let tickets = Resource::new(move || args.clone(), |(s, p)| my_tickets(s, p));
    let tab = |value: &'static str, label: &'static str| {
        let current = show == value;
        view! {
            <a class="tab" href=format!("/support?show={value}") aria-current=current.then_some("page")>{label}</a>
        }
    };
    let base = format!("/support?show={}", domain::next_path::encode_query_value(&show));
    let filtered = show != "active";
    view! {
        <PageHeader title="Support" subtitle="Ask us anything about your hosting, domains or bill. We answer here and by email."/>
        <div class="toolbar">
            <nav class="tabs" aria-label="Which tickets">
                {tab("active", "Open")}
                {tab("done", "Resolved and closed")}
                {tab("all", "All")}
            </nav>
            <a class="btn btn-primary" href="/support/new">"New ticket"</a>
        </div>
        {(user.role == Role::Staff).then(|| view! {
            <p><a href="/staff/tickets">"Go to the staff queue"</a></p>
        })}
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading…"</p> }>
            {move || {
                let base = base.clone();
                Suspend::new(async move {
                    match tickets.await {
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.items.is_empty() && list.page == 1 && !filtered => view! {
                            <EmptyState title="No open tickets">
                                <p>"Something not working, or a question about your bill? Open a ticket and we will answer by email and here."</p>
                                <p><a class="btn btn-primary" href="/support/new">"New ticket"</a></p>
                            </EmptyState>
                        }.into_any(),
                        Ok(list) if list.items.is_empty() => view! {
                            <EmptyState title="No tickets here"><p><a href="/support">"Show open tickets"</a></p></EmptyState>
                        }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap">
                                <table class="table stack my-tickets">
                                    <thead><tr><th>"Ticket"</th><th>"State"</th><th>"Hosting account"</th><th>"Opened by"</th><th>"Updated"</th></tr></thead>
                                    <tbody>
                                        {list.items.into_iter().map(|t| view! {
                                            <tr class="ticket-row" class:row-attention=t.attention data-ticket=t.number>
                                                <td class="stack-title" data-label="Ticket"><a href=format!("/support/{}", t.number)>{format!("#{} {}", t.number, t.subject)}</a></td>
                                                <td data-label="State"><span class=t.state.badge()>{t.state_label}</span></td>
                                                <td data-label="Hosting account">{t.account.unwrap_or_else(|| "—".into())}</td>
                                                <td data-label="Opened by">{t.author}</td>
                                                <td data-label="Updated">{t.updated}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager base page=list.page has_next=list.has_next/>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}
