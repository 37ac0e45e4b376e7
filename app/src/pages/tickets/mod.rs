//! Support: a customer's tickets, opening one, a ticket's page (thread,
//! reply, state, rating; for staff also triage, assignment and the
//! customer), and the staff queue.

pub mod list;
pub mod new;
pub mod queue;
pub mod ticket;

use leptos::prelude::*;

use domain::tickets::{Category, Priority};

/// A select of `options`, keeping `selected`, with its error.
#[component]
pub(crate) fn Choice(
    label: &'static str,
    name: &'static str,
    options: Vec<(String, String)>,
    selected: String,
    error: Option<String>,
) -> impl IntoView {
    let id = format!("f-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select class="input" id=id name=name aria-invalid=error.is_some().then_some("true")>
                {options.into_iter().map(|(value, text)| {
                    let chosen = value == selected;
                    view! { <option value=value selected=chosen>{text}</option> }
                }).collect_view()}
            </select>
            {error.map(|e| view! { <p class="error" id=format!("f-{name}-error")>{e}</p> })}
        </div>
    }
}

pub(crate) fn categories() -> Vec<(String, String)> {
    Category::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.label().to_string()))
        .collect()
}

pub(crate) fn priorities() -> Vec<(String, String)> {
    Priority::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), p.label().to_string()))
        .collect()
}

/// A Markdown text area with its hint, error and preview button.
#[component]
pub(crate) fn MarkdownField(
    label: &'static str,
    value: String,
    error: Option<String>,
    #[prop(default = 10)] rows: u32,
) -> impl IntoView {
    let described = if error.is_some() {
        "f-body-error"
    } else {
        "f-body-hint"
    };
    let preview = use_context::<crate::api::tickets::Preview>();
    view! {
        <div class="field">
            <label for="f-body">{label}</label>
            <textarea class="input" id="f-body" name="body" rows=rows required=true maxlength="65536"
                aria-invalid=error.is_some().then_some("true") aria-describedby=described>{value}</textarea>
            <p class="hint" id="f-body-hint">"Markdown works: **bold**, `code`, lists, links, ``` for logs. At most 64 KB."</p>
            {error.map(|e| view! { <p class="error" id="f-body-error">{e}</p> })}
        </div>
        {preview.map(|p| view! {
            <section class="card preview" aria-label="Preview">
                <p class="muted">"Preview — this is how your message will look (choose files again before sending):"</p>
                <div class="message-body" inner_html=p.0></div>
            </section>
        })}
    }
}

/// The file input of a ticket or reply, with its error.
#[component]
pub(crate) fn FilesField(error: Option<String>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="f-files">"Attachments (optional)"</label>
            <input class="input" id="f-files" name="files" type="file" multiple=true
                accept=domain::tickets::accept_attribute()
                aria-invalid=error.is_some().then_some("true") aria-describedby="f-files-hint"/>
            <p class="hint" id="f-files-hint">"Up to 5 files of 10 MB: images, PDF, text or log files, zip."</p>
            {error.map(|e| view! { <p class="error" id="f-files-error">{e}</p> })}
        </div>
    }
}

/// What a page shows when the ticket cannot be shown.
#[component]
pub(crate) fn TicketUnavailable(error: crate::api::ApiError) -> impl IntoView {
    let message = error.to_string();
    view! {
        <leptos_meta::Title text="Support ticket"/>
        <div class="page-header"><h1>"Support ticket"</h1></div>
        <section class="card error-card" role="alert">
            <p>{message}</p>
            <p><a class="btn btn-secondary" href="/support">"Back to your tickets"</a></p>
        </section>
    }
}
