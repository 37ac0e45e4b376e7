//! Support's islands: the staff queue (rendered here from its rows, kept
//! fresh) and the Markdown preview button. A ticket's thread needs none:
//! the server draws it and the page keeps it fresh (`islands::fragment`).

use leptos::prelude::*;

use crate::api::tickets::{TicketList, TicketRow};

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

/// "Preview": with JavaScript, shows how the text of `source` (a
/// textarea's id) will look, below the button; without, the button
/// submits the form, which comes back with the preview.
#[component]
pub fn MarkdownPreview(source: String) -> impl IntoView {
    view! {
        <PreviewOnClick>
            <button class="btn btn-secondary" type="submit" name="intent" value="preview" formnovalidate=true
                data-preview=source>"Preview"</button>
            <div class="preview-slot" aria-live="polite"></div>
        </PreviewOnClick>
    }
}

/// Asks the server to draw the preview (`PREVIEW_PATH`) and puts it in the
/// slot after the button. No props: the textarea's id is on the button.
#[island(lazy)]
fn PreviewOnClick(children: Children) -> impl IntoView {
    crate::islands::awake("PreviewOnClick");
    #[cfg(feature = "hydrate")]
    super::fragment::on_mount(|| super::fragment::on_document("click", preview));
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
fn preview(ev: web_sys::Event) {
    use leptos::wasm_bindgen::JsCast;
    let Some(button) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[data-preview]").ok().flatten())
    else {
        return;
    };
    ev.prevent_default();
    if button.has_attribute("disabled") {
        return;
    }
    let text = button
        .get_attribute("data-preview")
        .and_then(|id| web_sys::window()?.document()?.get_element_by_id(&id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default();
    let Some(slot) = button.next_element_sibling() else {
        return;
    };
    let _ = button.set_attribute("disabled", "");
    button.set_text_content(Some("Rendering…"));
    leptos::task::spawn_local(async move {
        let form = web_sys::UrlSearchParams::new().ok();
        if let Some(form) = &form {
            form.append("body", &text);
        }
        let answer = match &form {
            Some(form) => super::fragment::post(crate::api::tickets::PREVIEW_PATH, form).await,
            None => None,
        };
        match answer {
            Some(answer) => slot.replace_children_with_node_1(&answer),
            None => slot.set_inner_html(
                r#"<p class="error" role="alert">The preview could not be made. Try again.</p>"#,
            ),
        }
        let _ = button.remove_attribute("disabled");
        button.set_text_content(Some("Preview"));
    });
}
