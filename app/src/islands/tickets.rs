//! Support's live parts: a ticket's state and thread, and the staff
//! queue, each rendered on the server first and fetched again when a
//! ticket event arrives; and the Markdown preview button.

use leptos::prelude::*;

use crate::api::tickets::{MessageRow, ThreadView, TicketList, TicketRow};

/// A ticket's state, triage and messages, updated live.
#[island(lazy)]
pub fn LiveThread(thread: ThreadView, staff: bool) -> impl IntoView {
    crate::islands::awake("LiveThread");
    let number = thread.number;
    let thread = RwSignal::new(thread);
    #[cfg(feature = "hydrate")]
    {
        let refresh = super::live::debounced(300, move || {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = crate::api::tickets::queries::ticket_thread(number).await {
                    thread.set(fresh);
                }
            });
        });
        super::live::subscribe(&[domain::live::EventKind::Ticket], move |event| {
            if event.about_ticket(number) {
                refresh();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = number;
    view! {
        <div class="ticket-live" data-live="ticket">
            <p class="ticket-status" aria-live="polite">
                {move || thread.with(|t| {
                    let assignee = match (&t.assignee, staff) {
                        (Some(name), _) => format!("Assigned to {name}"),
                        (None, true) => "Unassigned".to_string(),
                        (None, false) => String::new(),
                    };
                    view! {
                        <span class=t.state.badge() data-state=t.state.as_str()>{t.state_label.clone()}</span>
                        " " <span class=t.priority.badge()>{format!("{} priority", t.priority.label())}</span>
                        " " <span class="badge">{t.category.label()}</span>
                        " " <span class="muted ticket-assignee">{assignee}</span>
                    }
                })}
            </p>
            <ol class="thread">
                <For
                    each=move || thread.with(|t| t.messages.clone())
                    key=|m| m.id.clone()
                    children=move |m: MessageRow| view! { <Message m/> }
                />
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

/// The queue's filters as they are in the URL.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct QueueArgs {
    pub state: String,
    pub priority: String,
    pub category: String,
    pub assignee: String,
    pub sort: String,
    pub q: String,
    pub page: i64,
}

/// The staff queue's rows, updated live; ticked rows stay ticked (rows are
/// rebuilt only when their ticket changed).
#[island(lazy)]
pub fn LiveQueue(list: TicketList, args: QueueArgs) -> impl IntoView {
    crate::islands::awake("LiveQueue");
    let list = RwSignal::new(list);
    #[cfg(feature = "hydrate")]
    {
        let refresh = super::live::debounced(400, move || {
            let a = args.clone();
            leptos::task::spawn_local(async move {
                let fresh = crate::api::tickets::queries::ticket_queue(
                    a.state, a.priority, a.category, a.assignee, a.sort, a.q, a.page,
                )
                .await;
                if let Ok(fresh) = fresh {
                    list.set(fresh);
                }
            });
        });
        super::live::subscribe(&[domain::live::EventKind::Ticket], move |_| refresh());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = args;
    view! {
        <div class="table-wrap" data-live="queue">
            <Show when=move || list.with(|l| !l.items.is_empty()) fallback=|| view! {
                <p class="empty-state muted">"No tickets match these filters."</p>
            }>
                <table class="table stack ticket-queue">
                    <thead><tr>
                        <th><span class="visually-hidden">"Select"</span></th>
                        <th>"Ticket"</th><th>"State"</th><th>"Priority"</th><th>"Customer"</th><th>"Assignee"</th><th>"Waiting"</th><th>"Updated"</th>
                    </tr></thead>
                    <tbody>
                        <For
                            each=move || list.with(|l| l.items.clone())
                            key=|t| (t.number, t.updated.clone(), t.state, t.assignee.clone(), t.priority)
                            children=move |t: TicketRow| view! { <QueueRow t/> }
                        />
                    </tbody>
                </table>
            </Show>
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

/// "Preview": with JavaScript, renders the text of `source` (a textarea's
/// id) below the button; without, the button submits the form, which
/// comes back with the preview.
#[island(lazy)]
pub fn MarkdownPreview(source: String) -> impl IntoView {
    crate::islands::awake("MarkdownPreview");
    let html = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            ev.prevent_default();
            let text = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&source))
                .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .map(|t| t.value())
                .unwrap_or_default();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = crate::api::tickets::queries::preview_markdown(text).await;
                html.set(Some(answer.map_err(|e| e.to_string())));
                busy.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &source);
    };
    view! {
        <button class="btn btn-secondary" type="submit" name="intent" value="preview" formnovalidate=true
            on:click=click disabled=move || busy.get()>
            {move || if busy.get() { "Rendering…" } else { "Preview" }}
        </button>
        <div class="preview-slot" aria-live="polite">
            {move || html.get().map(|answer| match answer {
                Ok(html) => view! {
                    <section class="card preview" aria-label="Preview">
                        <p class="muted">"Preview — this is how your message will look:"</p>
                        <div class="message-body" inner_html=html></div>
                    </section>
                }.into_any(),
                Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            })}
        </div>
    }
}
