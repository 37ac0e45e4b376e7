use leptos::prelude::*;

use super::{categories, priorities, Choice, FilesField, MarkdownField, TicketUnavailable};
use crate::api::require_user;
use crate::api::tickets::queries::ticket_page;
use crate::api::tickets::{CustomerView, TicketView};
use crate::components::form::{use_form, FormMessages};
use crate::components::tickets::Thread;
use crate::islands::tickets::MarkdownPreview;
use crate::pages::hosting::{param, set_status, StatusBadge};
use crate::pages::identity::query;
use domain::tickets::{Rating, TicketState};

/// One ticket: its thread (live), the reply form, state buttons and the
/// rating; staff also triage, assign, and see the customer.
#[component]
pub fn TicketPage() -> impl IntoView {
    if require_user().is_none() {
        return ().into_any();
    }
    let number = param("number");
    let ticket = Resource::new(move || number.clone(), ticket_page);
    view! {
        <Suspense fallback=|| view! { <p><span class="spinner"></span>" Loading the ticket…"</p> }>
            {move || Suspend::new(async move {
                match ticket.await {
                    Err(error) => {
                        if error.status() == 404 {
                            set_status(404);
                        }
                        view! { <TicketUnavailable error/> }.into_any()
                    }
                    Ok(t) => view! { <Ticket t/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Ticket(t: TicketView) -> impl IntoView {
    let number = t.thread.number;
    let title = format!("#{number} {}", t.thread.subject);
    let state = t.thread.state;
    let staff = t.staff;
    let action = |what: &str| format!("/support/{number}/{what}");
    let thread = t.thread.clone();
    view! {
        <leptos_meta::Title text=title.clone()/>
        <div class="page-header">
            <h1>{title}</h1>
            <p class="page-subtitle">
                {format!("Opened by {} on {}", t.author, t.created)}
                {t.account.clone().map(|(id, name)| view! { " · about " <a href=format!("/hosting/{id}")>{name}</a> })}
            </p>
        </div>
        <p><a href=if staff { "/staff/tickets" } else { "/support" }>{if staff { "← Back to the queue" } else { "← Back to your tickets" }}</a></p>
        <FormMessages/>
        <div class="ticket-layout">
            <div class="ticket-main">
                <Thread thread staff/>
                <RatingSection t=t.clone()/>
                <ReplySection number state staff/>
                <StateButtons number state staff action=action("state")/>
            </div>
            {staff.then(|| view! { <StaffSide t=t.clone()/> })}
        </div>
    }
}

#[component]
fn ReplySection(number: i64, state: TicketState, staff: bool) -> impl IntoView {
    let form = use_form();
    if state == TicketState::Closed {
        return view! {
            <section class="card">
                <p>"This ticket is closed. " <a href="/support/new">"Open a new ticket"</a> {format!(" and mention #{number}.")}</p>
            </section>
        }
        .into_any();
    }
    let internal = form.value("internal") == "yes";
    view! {
        <section class="card" aria-labelledby="reply-title">
            <h2 id="reply-title">{if staff { "Reply or add a note" } else { "Reply" }}</h2>
            <form class="form" method="post" action=format!("/support/{number}/reply") enctype="multipart/form-data">
                <MarkdownField label="Your reply" value=form.value("body") error=form.error("body") rows=6/>
                <FilesField error=form.error("files")/>
                {staff.then(|| view! {
                    <label class="check">
                        <input type="checkbox" name="internal" value="yes" checked=internal/>
                        " Internal note: only staff see it (no email to the customer)"
                    </label>
                })}
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" name="intent" value="send">"Send"</button>
                    <MarkdownPreview source="f-body".to_string()/>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn StateButtons(number: i64, state: TicketState, staff: bool, action: String) -> impl IntoView {
    let button = |change: &'static str, label: &'static str, class: &'static str| {
        view! {
            <form method="post" action=action.clone() class="inline-form">
                <input type="hidden" name="change" value=change/>
                <button class=class type="submit">{label}</button>
            </form>
        }
    };
    let _ = number;
    view! {
        <div class="ticket-actions">
            {state.is_active().then(|| button("resolve", if staff { "Resolve" } else { "Mark as resolved" }, "btn btn-secondary"))}
            {(state == TicketState::Resolved || (staff && state == TicketState::Closed)).then(|| button("reopen", "Reopen", "btn btn-secondary"))}
            {(staff && state != TicketState::Closed).then(|| button("close", "Close", "btn btn-ghost"))}
        </div>
    }
}

/// The author's rating once the ticket is resolved; staff see it.
#[component]
fn RatingSection(t: TicketView) -> impl IntoView {
    let form = use_form();
    let number = t.thread.number;
    let done = !t.thread.state.is_active();
    let current = t.thread.rating;
    if t.staff || !t.is_author || !done {
        return match (t.staff, current) {
            (true, Some(r)) => view! {
                <section class="card rating">
                    <p><strong>{format!("Customer's rating: {}", r.label())}</strong></p>
                    {t.thread.rating_comment.clone().map(|c| view! { <p>{c}</p> })}
                </section>
            }
            .into_any(),
            _ => ().into_any(),
        };
    }
    // `?rate=` comes from the email's one-click links.
    let wanted = query("rate").and_then(|r| Rating::parse(&r));
    let chosen = Rating::parse(&form.value("rating")).or(wanted).or(current);
    let comment = if form.values.is_empty() {
        t.thread.rating_comment.clone().unwrap_or_default()
    } else {
        form.value("comment")
    };
    view! {
        <section class="card rating" id="rate" aria-labelledby="rate-title">
            <h2 id="rate-title">{if current.is_some() { "Your rating (you can change it)" } else { "How did we do?" }}</h2>
            <form class="form" method="post" action=format!("/support/{number}/rate")>
                <fieldset class="field">
                    <legend>"Our answer was"</legend>
                    {[Rating::Good, Rating::Bad].into_iter().map(|r| view! {
                        <label class="check">
                            <input type="radio" name="rating" value=r.as_str() checked=chosen == Some(r) required=true/>
                            {format!(" {}", r.label())}
                        </label>
                    }).collect_view()}
                    {form.error("rating").map(|e| view! { <p class="error">{e}</p> })}
                </fieldset>
                <div class="field">
                    <label for="f-comment">"Comment (optional)"</label>
                    <textarea class="input" id="f-comment" name="comment" rows="3" maxlength="2000">{comment}</textarea>
                    {form.error("comment").map(|e| view! { <p class="error">{e}</p> })}
                </div>
                <button class="btn btn-primary" type="submit">"Send rating"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn StaffSide(t: TicketView) -> impl IntoView {
    let number = t.thread.number;
    let form = use_form();
    let mut people = vec![(String::new(), "Nobody".to_string())];
    people.extend(t.staff_members.clone());
    view! {
        <aside class="ticket-side">
            <section class="card">
                <h2>"Assignment"</h2>
                <form class="form" method="post" action=format!("/support/{number}/assign")>
                    <Choice label="Assignee" name="assignee" options=people selected=t.assignee_id.clone().unwrap_or_default() error=form.error("assignee")/>
                    <button class="btn btn-secondary btn-sm" type="submit">"Assign"</button>
                </form>
                <form method="post" action=format!("/support/{number}/assign") class="inline-form">
                    <input type="hidden" name="assignee" value="me"/>
                    <button class="btn btn-ghost btn-sm" type="submit">"Assign to me"</button>
                </form>
            </section>
            <section class="card">
                <h2>"Triage"</h2>
                <form class="form" method="post" action=format!("/support/{number}/triage")>
                    <Choice label="Priority" name="priority" options=priorities() selected=t.thread.priority.as_str().to_string() error=form.error("priority")/>
                    <Choice label="Category" name="category" options=categories() selected=t.thread.category.as_str().to_string() error=form.error("category")/>
                    <button class="btn btn-secondary btn-sm" type="submit">"Save"</button>
                </form>
            </section>
            {t.customer.clone().map(|c| view! { <CustomerCard c/> })}
        </aside>
    }
}

#[component]
fn CustomerCard(c: CustomerView) -> impl IntoView {
    view! {
        <section class="card customer-card">
            <h2>"Customer"</h2>
            <p><strong>{c.name}</strong><br/><span class="muted">{c.email}</span><br/><span class="muted">{format!("Customer since {}", c.since)}</span></p>
            <h3>"Hosting accounts"</h3>
            {if c.accounts.is_empty() {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {c.accounts.into_iter().map(|a| view! {
                            <li><a href=format!("/hosting/{}", a.id)>{a.name}</a> " " <span class="muted">{a.plan}</span> " " <StatusBadge status=a.status/></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <h3>"Recent tickets"</h3>
            {if c.recent.is_empty() {
                view! { <p class="muted">"No other tickets."</p> }.into_any()
            } else {
                view! {
                    <ul class="plain-list">
                        {c.recent.into_iter().map(|(n, subject, state)| view! {
                            <li><a href=format!("/support/{n}")>{format!("#{n} {subject}")}</a> " " <span class=state.badge()>{state.label_for(true)}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
