//! The DNS editor in the browser. The server draws every piece
//! (`components::dns`) and answers every question; this island only asks
//! and puts the answers in place, so the zone page ships no record
//! parsing, no table drawing and no JSON decoder:
//!
//! - a record form is checked as it is typed (`…/records/check`, the
//!   server's own `RecordInput::parse` and conflict check against the whole
//!   zone), each field's error shown once the field was typed in;
//! - a form is sent without leaving the page (`data-part`): the answer is
//!   the status line (with Undo) and the records part, or the fields'
//!   errors; the button is busy meanwhile;
//! - the filter narrows the table as you type, and Edit, Delete, Keep,
//!   Cancel and the pages open their part in place (`data-records`), the
//!   focus going where `data-focus` says;
//! - a teammate's change draws the records part again (`islands::fragment`).
//!
//! Without JavaScript the same markup is plain forms and links.

use leptos::prelude::*;

#[island(lazy)]
pub fn RecordsEditor(children: Children) -> impl IntoView {
    crate::islands::awake("RecordsEditor");
    #[cfg(feature = "hydrate")]
    {
        use super::fragment::on_document;
        on_document("click", client::click);
        on_document("input", client::input);
        on_document("keydown", client::keydown);
        on_document("submit", client::submit);
    }
    view! { <div class="island-root">{children()}</div> }
}

#[cfg(feature = "hydrate")]
mod client {
    use std::cell::{Cell, RefCell};

    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlFormElement, UrlSearchParams};

    use crate::islands::fragment::{self, document, focus, swap};
    use crate::islands::live::debounced;

    const FIELDS: [&str; 7] = ["type", "name", "ttl", "content", "priority", "weight", "port"];

    thread_local! {
        /// The record forms typed in since the last check.
        static TO_CHECK: RefCell<Vec<HtmlFormElement>> = const { RefCell::new(Vec::new()) };
        static CHECK: Box<dyn Fn()> = Box::new(debounced(300, check_typed));
        static FILTER: Box<dyn Fn()> = Box::new(debounced(250, filter));
        /// Each check's number: an older answer arriving late is dropped.
        static CHECKS: Cell<u32> = const { Cell::new(0) };
    }

    /// The element `ev` happened on, if it is (inside) `selector` within
    /// the editor.
    fn target(ev: &web_sys::Event, selector: &str) -> Option<Element> {
        ev.target()?
            .dyn_into::<Element>()
            .ok()?
            .closest(selector)
            .ok()
            .flatten()
            .filter(|e| e.closest(".dns-editor").ok().flatten().is_some())
    }

    fn params(form: &HtmlFormElement) -> Option<UrlSearchParams> {
        let data = web_sys::FormData::new_with_form(form).ok()?;
        UrlSearchParams::new_with_str_sequence_sequence(&data).ok()
    }

    /// The records part's view (filter and page), for an answer to draw.
    fn view() -> String {
        document()
            .and_then(|d| d.get_element_by_id("records"))
            .and_then(|r| r.get_attribute("data-view"))
            .unwrap_or_default()
    }

    fn remember(href: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
    }

    /// Opens the part a link names, then focuses what it says.
    pub fn click(ev: web_sys::Event) {
        let Some(link) = target(&ev, "a[data-records]") else {
            return;
        };
        ev.prevent_default();
        let (Some(part), focus_on) = (
            link.get_attribute("data-records"),
            link.get_attribute("data-focus"),
        ) else {
            return;
        };
        if link.has_attribute("rel") {
            if let Some(href) = link.get_attribute("href") {
                remember(&href);
            }
        }
        leptos::task::spawn_local(async move {
            if let Some(answer) = fragment::fetch(&part).await {
                swap(&answer);
                settle(focus_on);
            }
        });
    }

    /// After a part is in place: the focus where the link or answer says.
    fn settle(focus_on: Option<String>) {
        let from_part = document()
            .and_then(|d| d.get_element_by_id("records"))
            .and_then(|r| r.get_attribute("data-focus"));
        if let Some(selector) = focus_on.or(from_part) {
            focus(&selector);
        }
    }

    pub fn keydown(ev: web_sys::Event) {
        let Some(key) = ev.dyn_ref::<web_sys::KeyboardEvent>().map(|k| k.key()) else {
            return;
        };
        if key != "Escape" {
            return;
        }
        let cancel = target(&ev, "form.record-form")
            .and_then(|form| form.query_selector("a.cancel").ok().flatten())
            .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(cancel) = cancel {
            ev.prevent_default();
            cancel.click();
        }
    }

    pub fn input(ev: web_sys::Event) {
        if target(&ev, "form.record-filter").is_some() {
            FILTER.with(|f| f());
            return;
        }
        let (Some(form), Some(field)) = (
            target(&ev, "form.record-form").and_then(|f| f.dyn_into::<HtmlFormElement>().ok()),
            ev.target().and_then(|t| t.dyn_into::<Element>().ok()),
        ) else {
            return;
        };
        let _ = field.set_attribute("data-touched", "");
        let _ = form.set_attribute("data-dirty", "");
        if field.get_attribute("name").as_deref() == Some("type") {
            follow_type(&form, &field);
        }
        TO_CHECK.with(|t| {
            let mut t = t.borrow_mut();
            if !t.iter().any(|f| f == &form) {
                t.push(form);
            }
        });
        CHECK.with(|c| c());
    }

    /// The value field's label and example follow the chosen type.
    fn follow_type(form: &HtmlFormElement, select: &Element) {
        let Some(option) = select
            .dyn_ref::<web_sys::HtmlSelectElement>()
            .and_then(|s| s.selected_options().item(0))
        else {
            return;
        };
        let prefix = form.get_attribute("data-prefix").unwrap_or_default();
        let find = |id: String| document().and_then(|d| d.get_element_by_id(&id));
        if let (Some(label), Some(text)) = (
            find(format!("{prefix}-content-label")),
            option.get_attribute("data-label"),
        ) {
            label.set_text_content(Some(&text));
        }
        if let (Some(input), Some(text)) = (
            find(format!("{prefix}-content")),
            option.get_attribute("data-placeholder"),
        ) {
            let _ = input.set_attribute("placeholder", &text);
        }
    }

    fn check_typed() {
        for form in TO_CHECK.with(|t| std::mem::take(&mut *t.borrow_mut())) {
            let (Some(path), Some(body)) = (form.get_attribute("data-check"), params(&form)) else {
                continue;
            };
            let this = CHECKS.with(|c| {
                c.set(c.get().wrapping_add(1));
                c.get()
            });
            leptos::task::spawn_local(async move {
                if let Some(answer) = fragment::post(&path, &body).await {
                    if CHECKS.with(Cell::get) == this && form.is_connected() {
                        show_errors(&form, &answer, false);
                    }
                }
            });
        }
    }

    /// Puts each field's error from `answer` (a `RecordErrors`) next to it:
    /// for the fields typed in, or for all of them (`all`, a refused save).
    fn show_errors(form: &HtmlFormElement, answer: &web_sys::DocumentFragment, all: bool) {
        let prefix = form.get_attribute("data-prefix").unwrap_or_default();
        let error_of = |field: &str| {
            answer
                .query_selector(&format!("[data-field=\"{field}\"]"))
                .ok()
                .flatten()
                .and_then(|e| e.text_content())
        };
        let find = |id: String| document().and_then(|d| d.get_element_by_id(&id));
        for field in FIELDS.into_iter().chain(["tag"]) {
            let (Some(input), Some(slot)) = (
                find(format!("{prefix}-{field}")),
                find(format!("{prefix}-{field}-error")),
            ) else {
                continue;
            };
            let error = error_of(field).filter(|_| all || input.has_attribute("data-touched"));
            if all {
                let _ = input.set_attribute("data-touched", "");
            }
            slot.set_text_content(error.as_deref());
            if error.is_some() {
                let _ = input.set_attribute("aria-invalid", "true");
                let _ = input.set_attribute("aria-describedby", &format!("{prefix}-{field}-error"));
            } else {
                let _ = input.remove_attribute("aria-invalid");
                let _ = input.set_attribute("aria-describedby", &format!("{prefix}-{field}-hint"));
            }
        }
        if let Some(message) = form.query_selector(".form-error").ok().flatten() {
            let said = answer
                .query_selector(".record-errors")
                .ok()
                .flatten()
                .and_then(|e| e.get_attribute("data-message"));
            if all || said.is_none() {
                message.set_text_content(said.as_deref());
            }
        }
    }

    fn filter() {
        let Some(form) = document()
            .and_then(|d| d.query_selector("form.record-filter").ok().flatten())
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let (Some(path), Some(query)) = (form.get_attribute("data-records"), params(&form)) else {
            return;
        };
        let query = String::from(query.to_string());
        remember(&format!("{}?{query}", form.action()));
        leptos::task::spawn_local(async move {
            let path = format!("{path}?{query}");
            if let Some(answer) = fragment::fetch(&path).await {
                swap(&answer);
                let find =
                    |selector: &str| document().and_then(|d| d.query_selector(selector).ok().flatten());
                if let (Some(count), Some(found)) = (find("#records .record-count"), find("#records-found")) {
                    found.set_text_content(count.text_content().as_deref());
                }
            }
        });
    }

    /// Sends a record form, a delete or an Undo without leaving the page.
    pub fn submit(ev: web_sys::Event) {
        let Some(form) = target(&ev, "form[data-part]").and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        ev.prevent_default();
        let button = form.query_selector("button[type=submit]").ok().flatten();
        if button.as_ref().is_some_and(|b| b.has_attribute("disabled")) {
            return;
        }
        let (Some(part), Some(body)) = (form.get_attribute("data-part"), params(&form)) else {
            return;
        };
        if let Some(b) = &button {
            let _ = b.set_attribute("disabled", "");
            let _ = b.set_attribute("aria-busy", "true");
        }
        say("Saving…");
        let path = format!("{part}?{}", view());
        leptos::task::spawn_local(async move {
            let answer = fragment::request(&path, Some(&body)).await;
            if let Some(b) = &button {
                let _ = b.remove_attribute("disabled");
                let _ = b.remove_attribute("aria-busy");
            }
            let Some((ok, answer)) = answer else {
                say("Not saved: the server could not be reached, or you were signed out. Reload the page and try again.");
                return;
            };
            swap(&answer);
            if !ok {
                if form.has_attribute("data-prefix") {
                    show_errors(&form, &answer, true);
                }
                return;
            }
            // Not `form.id()`: a form's `id` property is its field named
            // "id" (the record's), which these forms have.
            if form.get_attribute("id").as_deref() == Some("add-record") {
                clear(&form);
            }
            settle(form.get_attribute("data-focus"));
        });
    }

    /// The add form, blank again for the next record of the same type.
    fn clear(form: &HtmlFormElement) {
        let select = form
            .query_selector("select[name=type]")
            .ok()
            .flatten()
            .and_then(|s| s.dyn_into::<web_sys::HtmlSelectElement>().ok());
        let kind = select.as_ref().map(|s| s.value());
        form.reset();
        if let (Some(select), Some(kind)) = (select, kind) {
            select.set_value(&kind);
        }
        let _ = form.remove_attribute("data-dirty");
        if let Ok(list) = form.query_selector_all("[data-touched]") {
            for i in 0..list.length() {
                if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = e.remove_attribute("data-touched");
                }
            }
        }
    }

    fn say(text: &str) {
        if let Some(status) = document().and_then(|d| d.get_element_by_id("editor-status")) {
            status.set_text_content(Some(text));
        }
    }
}
