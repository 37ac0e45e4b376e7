//! Support's parts drawn by the server: a ticket's live thread (in the
//! page, and again at `/support/{number}/thread`, swapped in by
//! `islands::fragment` when an event about the ticket arrives) and the
//! Markdown preview's answer.

use leptos::prelude::*;

use crate::api::tickets::{MessageRow, QueueArgs, ThreadView, TicketList, TicketRow};
use crate::islands::fragment::events;
use domain::live::EventKind;

/// Where ticket `number`'s thread is drawn again.
pub fn thread_path(number: i64) -> String {
    format!("/support/{number}/thread")
}

/// Where the staff queue's rows for `args` are drawn again.
pub fn queue_path(args: &QueueArgs) -> String {
    format!("/staff/tickets/rows?{}&page={}", args.query(), args.page)
}

/// The staff queue's rows. Kept fresh on every ticket event; boxes ticked
/// for "Close selected" stay ticked (`islands::fragment` keeps them).
#[component]
pub fn Queue(list: TicketList, args: QueueArgs) -> impl IntoView {
    view! {
        <div class="table-wrap" data-live="queue" data-refresh=queue_path(&args) data-events=events(&[EventKind::Ticket])>
            {if list.items.is_empty() {
                view! { <p class="empty-state muted">"No tickets match these filters."</p> }.into_any()
            } else {
                view! {
                    <table class="table stack ticket-queue">
                        <thead><tr>
                            <th><span class="visually-hidden">"Select"</span></th>
                            <th>"Ticket"</th><th>"State"</th><th>"Priority"</th><th>"Customer"</th><th>"Assignee"</th><th>"Waiting"</th><th>"Updated"</th>
                        </tr></thead>
                        <tbody>
                            {list.items.into_iter().map(|t| view! { <QueueRow t/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn QueueRow(t: TicketRow) -> impl IntoView {
    let id = format!("pick-{}", t.number);
    view! {
        <tr class="ticket-row" data-ticket=t.number>
            <td data-label="Select">
                <label class="visually-hidden" for=id.clone()>{format!("Select ticket #{}", t.number)}</label>
                <input type="checkbox" id=id name="ticket" value=t.number form="bulk-close"/>
            </td>
            <td class="stack-title" data-label="Ticket">
                <a href=format!("/support/{}", t.number)>{format!("#{} {}", t.number, t.subject)}</a>
                <span class="muted">" · " {t.category.label()}</span>
            </td>
            <td data-label="State"><span class=t.state.badge()>{t.state_label.clone()}</span></td>
            <td data-label="Priority"><span class=t.priority.badge()>{t.priority.label()}</span></td>
            <td data-label="Customer">{t.author.clone()}{t.account.clone().map(|a| view! { <span class="muted">" · " {a}</span> })}</td>
            <td data-label="Assignee">{t.assignee.clone().unwrap_or_else(|| "—".into())}</td>
            <td data-label="Waiting">{t.waiting.clone()}</td>
            <td data-label="Updated">{t.updated.clone()}</td>
        </tr>
    }
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
