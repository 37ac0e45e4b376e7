//! Support's parts drawn by the server: a ticket's live thread (in the
//! page, and again at `/support/{number}/thread`, swapped in by
//! `islands::fragment` when an event about the ticket arrives) and the
//! Markdown preview's answer.

use leptos::prelude::*;

use crate::api::tickets::{MessageRow, ThreadView};
use crate::islands::fragment::events;
use domain::live::EventKind;

/// Where ticket `number`'s thread is drawn again.
pub fn thread_path(number: i64) -> String {
    format!("/support/{number}/thread")
}

/// A ticket's state, triage and messages.
#[component]
pub fn Thread(thread: ThreadView, staff: bool) -> impl IntoView {
    let t = thread;
    let assignee = match (&t.assignee, staff) {
        (Some(name), _) => format!("Assigned to {name}"),
        (None, true) => "Unassigned".to_string(),
        (None, false) => String::new(),
    };
    view! {
        <div class="ticket-live" data-live="ticket" data-refresh=thread_path(t.number)
            data-events=events(&[EventKind::Ticket]) data-ticket=t.number>
            <p class="ticket-status" aria-live="polite">
                <span class=t.state.badge() data-state=t.state.as_str()>{t.state_label.clone()}</span>
                " " <span class=t.priority.badge()>{format!("{} priority", t.priority.label())}</span>
                " " <span class="badge">{t.category.label()}</span>
                " " <span class="muted ticket-assignee">{assignee}</span>
            </p>
            <ol class="thread">
                {t.messages.into_iter().map(|m| view! { <Message m/> }).collect_view()}
            </ol>
        </div>
    }
}

#[component]
fn Message(m: MessageRow) -> impl IntoView {
    let who = if m.internal {
        "Internal note"
    } else if m.by_staff {
        "Support"
    } else {
        ""
    };
    view! {
        <li class="message" class:message-staff=m.by_staff class:message-internal=m.internal data-message=m.id.clone()>
            <p class="message-head">
                <strong>{m.author.clone()}</strong>
                {(!who.is_empty()).then(|| view! { " " <span class="badge">{who}</span> })}
                " " <span class="muted">{m.when.clone()}</span>
            </p>
            <div class="message-body" inner_html=m.html.clone()></div>
            {(!m.files.is_empty()).then(|| view! {
                <ul class="files" aria-label="Attachments">
                    {m.files.iter().map(|f| view! {
                        <li><a href=f.href.clone() download=f.name.clone() rel="external">{f.name.clone()}</a> " " <span class="muted">{f.size.clone()}</span></li>
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

/// The preview of a message: how it will look, or why it cannot be shown.
#[component]
pub fn PreviewAnswer(answer: Result<String, String>) -> impl IntoView {
    match answer {
        Ok(html) => view! {
            <section class="card preview" aria-label="Preview">
                <p class="muted">"Preview — this is how your message will look:"</p>
                <div class="message-body" inner_html=html></div>
            </section>
        }
        .into_any(),
        Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
    }
}
