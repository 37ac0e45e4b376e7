use leptos::{ev, prelude::*, wasm_bindgen::JsCast, web_sys};

/// The id of the navigation this toggle opens (see `components::layout`).
pub const SIDEBAR_ID: &str = "sidebar";
const TOGGLE_ID: &str = "nav-toggle";

/// Opens or closes the sidebar. The state lives in the DOM (the sidebar's
/// `data-open`, the button's `aria-expanded`), not in island signals: the
/// islands router swaps server HTML in on every page change, and the server
/// renders the menu closed, so moving to another page closes it.
fn set_open(open: bool) {
    let doc = document();
    let value = if open { "true" } else { "false" };
    if let Some(nav) = doc.get_element_by_id(SIDEBAR_ID) {
        let _ = nav.set_attribute("data-open", value);
    }
    if let Some(button) = doc.get_element_by_id(TOGGLE_ID) {
        let _ = button.set_attribute("aria-expanded", value);
    }
}

fn is_open() -> bool {
    document()
        .get_element_by_id(SIDEBAR_ID)
        .and_then(|nav| nav.get_attribute("data-open"))
        .as_deref()
        == Some("true")
}

fn closest(target: Option<web_sys::EventTarget>, selector: &str) -> bool {
    target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest(selector).ok().flatten())
        .is_some()
}

/// Hides the toast whose close button was clicked. A class, not removal:
/// the next page's toast (same element, updated by the islands router)
/// gets its class attribute back from the server and shows again.
fn dismiss_toast(target: Option<web_sys::EventTarget>) {
    let toast = target
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest(".toast").ok().flatten());
    if let Some(toast) = toast {
        let _ = toast.class_list().add_1("toast-dismissed");
    }
}

/// Installs the page-wide listeners (menu, toasts) once, however often the island hydrates.
fn install_listeners() {
    thread_local! {
        static INSTALLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    // Listeners live for the page's lifetime: forget their handles.
    std::mem::forget(window_event_listener(ev::click, |e| {
        if closest(e.target(), ".toast-close") {
            dismiss_toast(e.target());
        } else if closest(e.target(), ".nav-toggle") {
            set_open(!is_open());
        } else if closest(e.target(), &format!("#{SIDEBAR_ID} a")) {
            set_open(false);
        }
    }));
    std::mem::forget(window_event_listener(ev::keydown, |e| {
        if e.key() == "Escape" && is_open() {
            set_open(false);
        }
    }));
}

/// The "Menu" button that shows the navigation on phones. Without
/// JavaScript it never appears and the links stay in the page flow, so
/// every page remains reachable.
#[island]
pub fn NavToggle() -> impl IntoView {
    crate::islands::awake("NavToggle");
    Effect::new(move || {
        install_listeners();
        // Tells the CSS that the drawer works, so it may hide the links.
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-nav", "drawer");
        }
    });
    view! {
        <button type="button" id=TOGGLE_ID class="nav-toggle btn btn-ghost" aria-controls=SIDEBAR_ID aria-expanded="false">
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 6h16M4 12h16M4 18h16"/>
            </svg>
            <span>"Menu"</span>
        </button>
    }
}
