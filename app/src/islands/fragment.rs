//! Parts of a page that the server draws and an island only puts in place.
//!
//! A live part (the dashboard's tiles, a chart, a ticket's thread) is an
//! element with `data-refresh="<path>"`, drawn by a server component both
//! in the page and at that path. Its island has no props, only these
//! children: when a live event concerns the part, the island fetches the
//! path and swaps the fresh element in. Drawing the part in WebAssembly
//! instead would ship its view code and a JSON decoder to the browser;
//! this ships a fetch, which the bell (on every page) already needs.

#[cfg(feature = "hydrate")]
pub use client::*;

#[cfg(feature = "hydrate")]
mod client {
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DocumentFragment, Element};

    use crate::islands::live::{self, Live};
    use domain::live::EventKind;

    /// The HTML at `path`, parsed (inert: scripts in it do not run). `None`
    /// if it could not be fetched or was not a success. Redirects are not
    /// followed: after a sign-out the sign-in page must not be swapped in.
    pub async fn fetch(path: &str) -> Option<DocumentFragment> {
        request(path, None).await
    }

    /// Like `fetch`, but sends `form` (as `application/x-www-form-urlencoded`).
    pub async fn post(path: &str, form: Option<&web_sys::UrlSearchParams>) -> Option<DocumentFragment> {
        request(path, Some(form.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))).await
    }

    async fn request(path: &str, body: Option<JsValue>) -> Option<DocumentFragment> {
        let window = web_sys::window()?;
        let init = web_sys::RequestInit::new();
        init.set_redirect(web_sys::RequestRedirect::Manual);
        if let Some(body) = body {
            init.set_method("POST");
            init.set_body(&body);
        }
        let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
            .await
            .ok()?;
        let response = response.dyn_into::<web_sys::Response>().ok()?;
        if !response.ok() {
            return None;
        }
        let html = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        let template = window.document()?.create_element("template").ok()?;
        template.set_inner_html(&html);
        Some(template.dyn_ref::<web_sys::HtmlTemplateElement>()?.content())
    }

    /// Calls `mount` with the island's root element once it has hydrated.
    pub fn on_mount(root: NodeRef<leptos::html::Div>, mount: impl Fn(Element) + 'static) {
        Effect::new(move || {
            if let Some(el) = root.get() {
                mount(el.into());
            }
        });
    }

    /// Calls `handler` for every `event` inside the island's `root` (its
    /// server-drawn children), from when the island has hydrated.
    pub fn on(root: NodeRef<leptos::html::Div>, event: &'static str, handler: fn(web_sys::Event)) {
        on_mount(root, move |root: Element| {
            let listener = leptos::wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(handler);
            let _ = root.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            // As long as the island's element lives.
            listener.forget();
        });
    }

    /// Keeps the `[data-refresh]` part inside the island's `root` fresh:
    /// fetched again (at most once per `ms`) when one of `kinds` arrives
    /// and `wants` it, then `then(root)`; `then` also runs once now.
    pub fn live(
        root: NodeRef<leptos::html::Div>,
        kinds: &'static [EventKind],
        ms: i32,
        wants: fn(&Live, &Element) -> bool,
        then: fn(&Element),
    ) {
        on_mount(root, move |root: Element| {
            then(&root);
            let part = root.clone();
            let refresh = live::debounced(ms, move || refresh(&part, then));
            live::subscribe(kinds, move |event| {
                if wants(event, &root) {
                    refresh();
                }
            });
        });
    }

    /// Fetches the part inside `root` from its `data-refresh` path and puts
    /// the answer in its place. Only the newest request's answer is used:
    /// an older one arriving late would put back what a newer one replaced.
    pub fn refresh(root: &Element, then: fn(&Element)) {
        let Some(path) = part(root).and_then(|p| p.get_attribute("data-refresh")) else {
            return;
        };
        let this = generation(root) + 1.0;
        let _ = js_sys::Reflect::set(root, &GENERATION.into(), &JsValue::from_f64(this));
        let root = root.clone();
        leptos::task::spawn_local(async move {
            let Some(fresh) = fetch(&path).await else {
                return;
            };
            if generation(&root) != this || fresh.first_element_child().is_none() {
                return;
            }
            if let Some(old) = part(&root) {
                let _ = old.replace_with_with_node_1(&fresh);
                then(&root);
            }
        });
    }

    /// Counts the refreshes asked of `root` (a property of the element).
    const GENERATION: &str = "__ksfFetch";

    fn generation(root: &Element) -> f64 {
        js_sys::Reflect::get(root, &GENERATION.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    }

    /// The part of `root` that is fetched again.
    pub fn part(root: &Element) -> Option<Element> {
        root.query_selector("[data-refresh]").ok().flatten()
    }
}
