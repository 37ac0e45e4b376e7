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

    use crate::islands::fragment::{self, by_id, document, focus, ok, swap};
    use crate::islands::live::debounced;

    const FIELDS: [&str; 8] = [
        "type", "name", "ttl", "content", "priority", "weight", "port", "tag",
    ];

    thread_local! {
        /// The record forms typed in since the last check.
        static TO_CHECK: RefCell<Vec<HtmlFormElement>> = const { RefCell::new(Vec::new()) };
        static CHECK: Box<dyn Fn()> = Box::new(debounced(300, check_typed));
        static FILTER: Box<dyn Fn()> = Box::new(debounced(250, filter));
        /// Each form's (by its `data-prefix`) newest check: an older answer
        /// arriving late is dropped.
        static CHECKS: RefCell<Vec<(String, u32)>> = const { RefCell::new(Vec::new()) };
        /// The newest request that draws the records part: a filter typed
        /// on, or a change made since, wins over an older answer.
        static DRAWS: Cell<u32> = const { Cell::new(0) };
    }

    fn next_draw() -> u32 {
        DRAWS.with(|d| {
            d.set(d.get().wrapping_add(1));
            d.get()
        })
    }

    fn newest_draw(n: u32) -> bool {
        DRAWS.with(Cell::get) == n
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
        by_id("records")
            .and_then(|r| r.get_attribute("data-view"))
            .unwrap_or_default()
    }

    /// Puts `href` in the address bar, so a reload shows the same rows.
    fn remember(href: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href));
        }
    }

    /// Opens the part a link names, then focuses what it says. If the part
    /// cannot be fetched, the link is followed as a page.
    pub fn click(ev: web_sys::Event) {
        let Some(link) = target(&ev, "a[data-records]") else {
            return;
        };
        let (Some(part), Some(href)) = (link.get_attribute("data-records"), link.get_attribute("href"))
        else {
            return;
        };
        ev.prevent_default();
        let focus_on = link.get_attribute("data-focus");
        if link.has_attribute("rel") {
            remember(&href);
        }
        let this = next_draw();
        leptos::task::spawn_local(async move {
            match fragment::fetch(&part).await {
                Some(answer) if newest_draw(this) => {
                    swap(&answer);
                    settle(focus_on);
                }
                Some(_) => {}
                None => {
                    if let Some(location) = web_sys::window().map(|w| w.location()) {
                        let _ = location.assign(&href);
                    }
                }
            }
        });
    }

    /// After a part is in place: the focus where the link or answer says.
    fn settle(focus_on: Option<String>) {
        let from_part = by_id("records").and_then(|r| r.get_attribute("data-focus"));
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
        if let (Some(label), Some(text)) = (
            by_id(&format!("{prefix}-content-label")),
            option.get_attribute("data-label"),
        ) {
            label.set_text_content(Some(&text));
        }
        if let (Some(input), Some(text)) = (
            by_id(&format!("{prefix}-content")),
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
            let prefix = form.get_attribute("data-prefix").unwrap_or_default();
            let this = CHECKS.with(|c| {
                let mut c = c.borrow_mut();
                match c.iter_mut().find(|(p, _)| *p == prefix) {
                    Some((_, n)) => {
                        *n = n.wrapping_add(1);
                        *n
                    }
                    None => {
                        c.push((prefix.clone(), 0));
                        0
                    }
                }
            });
            leptos::task::spawn_local(async move {
                let Some(answer) = fragment::post(&path, &body).await else {
                    return;
                };
                let newest = CHECKS.with(|c| c.borrow().iter().any(|(p, n)| *p == prefix && *n == this));
                if newest && form.is_connected() {
                    show_errors(&form, &answer, false);
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
        for field in FIELDS {
            let (Some(input), Some(slot)) = (
                by_id(&format!("{prefix}-{field}")),
                by_id(&format!("{prefix}-{field}-error")),
            ) else {
                continue;
            };
            if all {
                let _ = input.set_attribute("data-touched", "");
            }
            let error = error_of(field).filter(|_| input.has_attribute("data-touched"));
            mark(&input, &slot, error.as_deref(), &format!("{prefix}-{field}"));
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

    /// A field with its error (or none): the text by it, and what a
    /// screen reader says of it (its hint, then its error).
    fn mark(input: &Element, slot: &Element, error: Option<&str>, id: &str) {
        slot.set_text_content(error);
        let hint = format!("{id}-hint");
        if error.is_some() {
            let _ = input.set_attribute("aria-invalid", "true");
            let _ = input.set_attribute("aria-describedby", &format!("{hint} {id}-error"));
        } else {
            let _ = input.remove_attribute("aria-invalid");
            let _ = input.set_attribute("aria-describedby", &hint);
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
        remember(&format!(
            "{}?{query}",
            form.get_attribute("action").unwrap_or_default()
        ));
        // A row being edited stays open if the filter keeps it.
        let open = by_id("records")
            .and_then(|r| r.query_selector("form.record-form input[name=id]").ok().flatten())
            .and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| format!("&edit={}", i.value()))
            .unwrap_or_default();
        let this = next_draw();
        leptos::task::spawn_local(async move {
            let path = format!("{path}?{query}{open}");
            let Some(answer) = fragment::fetch(&path).await else {
                return;
            };
            if !newest_draw(this) {
                return;
            }
            swap(&answer);
            if let (Some(count), Some(found)) = (
                document().and_then(|d| d.query_selector("#records .record-count").ok().flatten()),
                by_id("records-found"),
            ) {
                found.set_text_content(count.text_content().as_deref());
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
        let class = form.class_list();
        let (doing, failed) = if class.contains("inline-confirm") {
            ("Deleting…", "Not deleted")
        } else if class.contains("undo-form") {
            ("Undoing…", "Not undone")
        } else {
            ("Saving…", "Not saved")
        };
        say(doing);
        let path = format!("{part}?{}", view());
        let this = next_draw();
        leptos::task::spawn_local(async move {
            let answer = fragment::request(&path, Some(&body)).await;
            if let Some(b) = &button {
                let _ = b.remove_attribute("disabled");
                let _ = b.remove_attribute("aria-busy");
            }
            let Some((status, answer)) = answer else {
                say(&format!("{failed}: the server could not be reached, or you were signed out. Reload the page and try again."));
                return;
            };
            let explained = answer.query_selector("#editor-status").ok().flatten().is_some();
            if !explained {
                say(&format!(
                    "{failed}: the server answered {status}. Reload the page and try again."
                ));
            }
            if !ok(status) {
                swap(&answer);
                let refused = answer.query_selector(".record-errors").ok().flatten().is_some();
                if refused && form.has_attribute("data-prefix") {
                    show_errors(&form, &answer, true);
                }
                return;
            }
            if !newest_draw(this) {
                // A filter typed meanwhile draws the rows; the status stays.
                if let Some(rows) = answer.query_selector("#records").ok().flatten() {
                    rows.remove();
                }
            }
            swap(&answer);
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
        let _ = form.remove_attribute("data-dirty");
        let prefix = form.get_attribute("data-prefix").unwrap_or_default();
        for field in FIELDS {
            let id = format!("{prefix}-{field}");
            let (Some(input), Some(slot)) = (by_id(&id), by_id(&format!("{id}-error"))) else {
                continue;
            };
            // Text fields go back to their blank value; the type and the
            // CAA tag stay as chosen.
            if let Some(text) = input.dyn_ref::<web_sys::HtmlInputElement>() {
                text.set_value(&input.get_attribute("data-blank").unwrap_or_default());
            }
            let _ = input.remove_attribute("data-touched");
            mark(&input, &slot, None, &id);
        }
        if let Some(critical) =
            by_id(&format!("{prefix}-critical")).and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            critical.set_checked(false);
        }
        if let Some(message) = form.query_selector(".form-error").ok().flatten() {
            message.set_text_content(None);
        }
    }

    fn say(text: &str) {
        if let Some(status) = by_id("editor-status") {
            status.set_text_content(Some(text));
        }
    }
}
