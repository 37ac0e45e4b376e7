//! Parts of a page that the server draws and the browser only puts in
//! place.
//!
//! A live part (the dashboard's tiles, a chart, a ticket's thread) is an
//! element with `data-refresh="<path>"` and `data-events="<kinds>"`, drawn
//! by a server component both in the page and at that path. When a live
//! event of one of those kinds arrives, the page fetches the path and
//! swaps the fresh element in (`keep_fresh`, started by the bell, which
//! every page has). Drawing the part in WebAssembly instead would ship its
//! view code and a JSON decoder to the browser; this ships a fetch.
//!
//! Everything here finds its elements in the document when it acts, never
//! through an island's own nodes: the islands router, patching one page
//! into the next, may move an island's children out of it.

use domain::live::EventKind;

/// The `data-events` value of a part refreshed on `kinds`.
pub fn events(kinds: &[EventKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" ")
}

#[cfg(feature = "hydrate")]
pub use client::*;

#[cfg(feature = "hydrate")]
mod client {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use leptos::prelude::*;
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DocumentFragment, Element};

    use crate::islands::live::{self, Live};
    use domain::live::EventKind;

    /// The HTML at `path`, parsed (inert: scripts in it do not run). `None`
    /// if it could not be fetched or was not a success. Redirects are not
    /// followed: after a sign-out the sign-in page must not be swapped in.
    pub async fn fetch(path: &str) -> Option<DocumentFragment> {
        request(path, None)
            .await
            .filter(|(status, _)| ok(*status))
            .map(|(_, html)| html)
    }

    /// Like `fetch`, but sends `form` (as `application/x-www-form-urlencoded`).
    pub async fn post(path: &str, form: &web_sys::UrlSearchParams) -> Option<DocumentFragment> {
        request(path, Some(form))
            .await
            .filter(|(status, _)| ok(*status))
            .map(|(_, html)| html)
    }

    /// A success (2xx).
    pub fn ok(status: u16) -> bool {
        (200..300).contains(&status)
    }

    /// The answer's status and its HTML whatever it was (a refused form's
    /// answer says why); `None` when there is no answer to show (the
    /// network failed, or a redirect: signed out).
    pub async fn request(
        path: &str,
        form: Option<&web_sys::UrlSearchParams>,
    ) -> Option<(u16, DocumentFragment)> {
        let window = web_sys::window()?;
        let init = web_sys::RequestInit::new();
        init.set_redirect(web_sys::RequestRedirect::Manual);
        if let Some(form) = form {
            init.set_method("POST");
            init.set_body(form);
        }
        let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
            .await
            .ok()?;
        let response = response.dyn_into::<web_sys::Response>().ok()?;
        if response.type_() == web_sys::ResponseType::Opaqueredirect {
            return None;
        }
        let html = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        let template = window.document()?.create_element("template").ok()?;
        template.set_inner_html(&html);
        Some((
            response.status(),
            template.dyn_ref::<web_sys::HtmlTemplateElement>()?.content(),
        ))
    }

    /// Puts every element of `answer` marked `data-swap` in place of the
    /// document's element with its id. A live region (`role="status"`)
    /// keeps its element and takes the new one's children, so that what
    /// it says is read out.
    pub fn swap(answer: &DocumentFragment) {
        let Ok(list) = answer.query_selector_all("[data-swap][id]") else {
            return;
        };
        let fresh: Vec<Element> = (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .collect();
        for new in fresh {
            let Some(old) = by_id(&new.get_attribute("id").unwrap_or_default()) else {
                continue;
            };
            if old.get_attribute("role").as_deref() == Some("status") {
                let children = new.child_nodes();
                let nodes = js_sys::Array::new();
                for i in 0..children.length() {
                    if let Some(child) = children.item(i) {
                        nodes.push(&child);
                    }
                }
                old.replace_children_with_node(&nodes);
            } else {
                let _ = old.replace_with_with_node_1(&new);
            }
        }
    }

    /// Focuses the first element `selector` finds, if any.
    pub fn focus(selector: &str) {
        let found = document()
            .and_then(|d| d.query_selector(selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = found {
            let _ = element.focus();
        }
    }

    pub fn document() -> Option<web_sys::Document> {
        web_sys::window()?.document()
    }

    /// The document's element with id `id`.
    pub fn by_id(id: &str) -> Option<Element> {
        document()?.get_element_by_id(id)
    }

    /// The document's elements matching `selector`.
    pub fn all(selector: &str) -> Vec<Element> {
        let Some(list) = document().and_then(|d| d.query_selector_all(selector).ok()) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .collect()
    }

    /// Runs `mount` once the island calling this has hydrated.
    pub fn on_mount(mount: fn()) {
        Effect::new(mount);
    }

    /// What is done with a part put in place: (old, new).
    type After = fn(&Element, &Element);

    thread_local! {
        /// The document listeners added so far: (event, handler).
        static LISTENING: RefCell<Vec<(&'static str, usize)>> = const { RefCell::new(Vec::new()) };
        static AFTER: RefCell<Vec<After>> = const { RefCell::new(Vec::new()) };
        /// The paths waiting for the debounce (`keep_fresh`), and each
        /// path's newest request.
        static WAITING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
        static LATEST: RefCell<HashMap<String, u32>> = RefCell::new(HashMap::new());
    }

    /// Calls `handler` for every `event` in the document, from now on; once
    /// per page load however many islands ask.
    pub fn on_document(event: &'static str, handler: fn(web_sys::Event)) {
        let key = (event, handler as usize);
        if LISTENING.with(|l| l.borrow().contains(&key)) {
            return;
        }
        let Some(document) = document() else {
            return;
        };
        let listener = Closure::<dyn Fn(web_sys::Event)>::new(handler);
        let _ = document.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        // As long as the page.
        listener.forget();
        LISTENING.with(|l| l.borrow_mut().push(key));
    }

    /// Calls `then(old, new)` after each part is put in place (the charts
    /// draw theirs).
    pub fn after_refresh(then: After) {
        AFTER.with(|a| {
            let mut a = a.borrow_mut();
            if !a.iter().any(|f| *f as usize == then as usize) {
                a.push(then);
            }
        });
    }

    /// Keeps the page's live parts fresh: each is fetched again (at most
    /// once per 300 ms) when an event it lists arrives. Once per page load.
    pub fn keep_fresh() {
        let flush = live::debounced(300, || {
            for path in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
                refresh(path);
            }
        });
        live::subscribe(EventKind::ALL, move |event| {
            for part in all("[data-refresh][data-events]") {
                let Some(path) = part.get_attribute("data-refresh").filter(|_| wants(event, &part)) else {
                    continue;
                };
                WAITING.with(|w| {
                    let mut w = w.borrow_mut();
                    if !w.contains(&path) {
                        w.push(path);
                    }
                });
                flush();
            }
        });
    }

    /// Whether `event` changes `part`: one of its kinds (a resync changes
    /// everything), and for a ticket's part, about that ticket.
    fn wants(event: &Live, part: &Element) -> bool {
        let Some(kind) = event.kind else {
            return true;
        };
        let listed = part
            .get_attribute("data-events")
            .is_some_and(|kinds| kinds.split(' ').any(|k| k == kind.as_str()));
        let ticket = part.get_attribute("data-ticket").map(|n| n.parse::<i64>());
        listed
            && match ticket {
                None => true,
                Some(Ok(n)) => event.about_ticket(n),
                Some(Err(_)) => false,
            }
    }

    /// The part drawn at `path`, if the page has it.
    fn part_at(path: &str) -> Option<Element> {
        all("[data-refresh]")
            .into_iter()
            .find(|p| p.get_attribute("data-refresh").as_deref() == Some(path))
    }

    /// Fetches `path` and puts the answer in place of the part drawn there.
    /// Only the newest request's answer is used: an older one arriving late
    /// would put back what a newer one replaced.
    pub fn refresh(path: String) {
        let this = LATEST.with(|l| {
            let mut l = l.borrow_mut();
            let n = l.entry(path.clone()).or_insert(0);
            *n = n.wrapping_add(1);
            *n
        });
        leptos::task::spawn_local(async move {
            let Some(fresh) = fetch(&path).await else {
                return;
            };
            if LATEST.with(|l| l.borrow().get(&path).copied()) != Some(this) {
                return;
            }
            let (Some(old), Some(new)) = (part_at(&path), fresh.first_element_child()) else {
                return;
            };
            if typing_in(&old) {
                when_done_typing(path);
                return;
            }
            // The focus stays on the element it was on (by its id).
            let focused = document()
                .and_then(|d| d.active_element())
                .filter(|e| old.contains(Some(e)))
                .and_then(|e| e.get_attribute("id"))
                .filter(|id| !id.is_empty());
            // Boxes ticked in the old part stay ticked (the queue's "Close
            // selected" would otherwise lose the choice with every event).
            let ticked: Vec<String> = old
                .query_selector_all("input[type=checkbox]:checked")
                .map(|list| {
                    (0..list.length())
                        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()?.get_attribute("id"))
                        .collect()
                })
                .unwrap_or_default();
            if old.replace_with_with_node_1(&new).is_err() {
                return;
            }
            for id in ticked {
                let input = new
                    .query_selector(&format!("[id=\"{id}\"]"))
                    .ok()
                    .flatten()
                    .and_then(|i| i.dyn_into::<web_sys::HtmlInputElement>().ok());
                if let Some(input) = input {
                    input.set_checked(true);
                }
            }
            if let Some(id) = focused {
                focus(&format!("[id=\"{id}\"]"));
            }
            let after: Vec<_> = AFTER.with(|a| a.borrow().clone());
            for then in after {
                then(&old, &new);
            }
        });
    }

    /// Whether the user is typing in `part`: a form in it was typed in
    /// (`data-dirty`), or the focus is in one of its fields. Drawing it
    /// again would lose what they typed; their own change draws it anyway.
    fn typing_in(part: &Element) -> bool {
        let dirty = part.query_selector("form[data-dirty]").ok().flatten().is_some();
        let focused = document().and_then(|d| d.active_element()).is_some_and(|e| {
            let text = match e.tag_name().as_str() {
                "TEXTAREA" => true,
                // A ticked box keeps the focus, and stays ticked anyway.
                "INPUT" => !matches!(
                    e.get_attribute("type").as_deref(),
                    Some("checkbox" | "radio" | "submit" | "button" | "reset")
                ),
                _ => false,
            };
            text && part.contains(Some(&e))
        });
        dirty || focused
    }

    /// Draws the part at `path` again once the user is no longer typing in
    /// it (looked at every 3 s; nothing is fetched meanwhile).
    fn when_done_typing(path: String) {
        later(3000, move || match part_at(&path) {
            None => {}
            Some(part) if typing_in(&part) => when_done_typing(path),
            Some(_) => refresh(path),
        });
    }

    /// Runs `then` once, `ms` from now.
    pub fn later(ms: i32, then: impl FnOnce() + 'static) {
        let fire = Closure::once(then);
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(fire.as_ref().unchecked_ref(), ms);
        }
        fire.forget();
    }

    /// The JS property `name` of `el`, if set to an object.
    pub fn property(el: &Element, name: &str) -> Option<JsValue> {
        js_sys::Reflect::get(el, &name.into())
            .ok()
            .filter(|v| v.is_object())
    }
}
